package embedded

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/internal/conflict"
	"github.com/flowhook/flowhook/shared/store/internal/norm"
	"github.com/flowhook/flowhook/shared/webhook"
)

// indexContact adds (add=true) or removes c's index entries: by id, email, phone,
// external id and each search term.
func indexContact(tx *bolt.Tx, c contactRec, add bool) error {
	entries := []indexEntry{{bContactList, key(c.ID), nil}}
	if c.Email != "" {
		entries = append(entries, indexEntry{bContactEmails, []byte(norm.Email(c.Email)), []byte(c.ID)})
	}
	if c.Phone != "" {
		entries = append(entries, indexEntry{bContactPhones, []byte(c.Phone), []byte(c.ID)})
	}
	if c.ExternalCustomerID != "" {
		entries = append(entries, indexEntry{bContactExtIDs, key(c.ExternalCustomerID, norm.SortTime(c.CreatedAt), c.ID), nil})
	}
	for _, term := range norm.SearchTerms(c.contact()) {
		entries = append(entries, indexEntry{bContactSearch, key(term, c.ID), nil})
	}
	return applyIndex(tx, add, entries)
}

// checkContactUnique returns the conflict, if any, of c taking its email and phone.
func checkContactUnique(tx *bolt.Tx, c contactRec) error {
	if c.Email != "" {
		if owner := tx.Bucket(bContactEmails).Get([]byte(norm.Email(c.Email))); owner != nil && string(owner) != c.ID {
			return conflict.Email(c.Email, string(owner))
		}
	}
	if c.Phone != "" {
		if owner := tx.Bucket(bContactPhones).Get([]byte(c.Phone)); owner != nil && string(owner) != c.ID {
			return conflict.Phone(c.Phone, string(owner))
		}
	}
	return nil
}

// CreateContact implements storetest.Store.
func (s *Store) CreateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error) {
	rec := toContactRec(c)
	rec.Version = 1
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if exists(tx, bContacts, []byte(rec.ID)) {
			return conflict.ID("contact", rec.ID)
		}
		if err := checkContactUnique(tx, rec); err != nil {
			return err
		}
		if err := put(tx, bContacts, rec.ID, rec); err != nil {
			return err
		}
		return indexContact(tx, rec, true)
	})
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("embedded: create contact %q: %w", c.ID, err)
	}
	return rec.contact(), nil
}

// GetContact implements storetest.Store.
func (s *Store) GetContact(ctx context.Context, id string) (webhook.Contact, error) {
	return getRecord(ctx, s, bContacts, "contact", id, contactRec.contact)
}

// UpdateContact implements storetest.Store.
func (s *Store) UpdateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error) {
	rec := toContactRec(c)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old contactRec
		if err := get(tx, bContacts, c.ID, &old); err != nil {
			return err
		}
		if old.Version != c.Version {
			return webhook.ErrVersion
		}
		if err := checkContactUnique(tx, rec); err != nil {
			return err
		}
		rec.Version, rec.CreatedAt = old.Version+1, old.CreatedAt
		if err := indexContact(tx, old, false); err != nil {
			return err
		}
		if err := put(tx, bContacts, rec.ID, rec); err != nil {
			return err
		}
		return indexContact(tx, rec, true)
	})
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("embedded: update contact %q: %w", c.ID, err)
	}
	return rec.contact(), nil
}

// contactBy returns the contact whose id index bucket b holds under k.
func (s *Store) contactBy(ctx context.Context, b, k []byte) (webhook.Contact, error) {
	var rec contactRec
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if len(k) == 0 {
			return webhook.ErrNotFound
		}
		id := tx.Bucket(b).Get(k)
		if id == nil {
			return webhook.ErrNotFound
		}
		return load(tx, bContacts, key(string(id)), &rec)
	})
	return rec.contact(), err
}

// ContactByEmail implements storetest.Store.
func (s *Store) ContactByEmail(ctx context.Context, email string) (webhook.Contact, error) {
	c, err := s.contactBy(ctx, bContactEmails, []byte(norm.Email(email)))
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("embedded: contact by email %q: %w", email, err)
	}
	return c, nil
}

// ContactByPhone implements storetest.Store.
func (s *Store) ContactByPhone(ctx context.Context, phone string) (webhook.Contact, error) {
	c, err := s.contactBy(ctx, bContactPhones, []byte(phone))
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("embedded: contact by phone %q: %w", phone, err)
	}
	return c, nil
}

// ContactByExternalID implements storetest.Store.
func (s *Store) ContactByExternalID(ctx context.Context, externalID string) (webhook.Contact, error) {
	var rec contactRec
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if externalID == "" {
			return webhook.ErrNotFound
		}
		prefix := key(externalID)
		k, _ := tx.Bucket(bContactExtIDs).Cursor().Seek(prefix)
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return webhook.ErrNotFound
		}
		return load(tx, bContacts, k, &rec)
	})
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("embedded: contact by external id %q: %w", externalID, err)
	}
	return rec.contact(), nil
}

// SearchContacts implements storetest.Store. The search index holds one entry per
// contact and term; a contact is listed at its first matching term only (norm.FirstMatch).
func (s *Store) SearchContacts(ctx context.Context, q string, p store.Page) ([]webhook.Contact, string, error) {
	if q == "" {
		return s.ListContacts(ctx, p)
	}
	q = norm.SearchQuery(q)
	var out []webhook.Contact
	var next string
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		out, next, err = page(tx, scan{bucket: bContactSearch, list: "contacts/search", prefix: appendEscaped(nil, q)}, p,
			func(k, _ []byte) (webhook.Contact, bool, error) {
				ps, err := parts(k)
				if err != nil || len(ps) != 2 {
					return webhook.Contact{}, false, fmt.Errorf("search index key %q: bad form", k)
				}
				var rec contactRec
				if err := load(tx, bContacts, k, &rec); err != nil {
					return webhook.Contact{}, false, err
				}
				c := rec.contact()
				return c, norm.FirstMatch(norm.SearchTerms(c), ps[0], q), nil
			})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("embedded: search contacts %q: %w", q, err)
	}
	return out, next, nil
}

// ListContacts implements storetest.Store.
func (s *Store) ListContacts(ctx context.Context, p store.Page) ([]webhook.Contact, string, error) {
	return listRecords(ctx, s, scan{bucket: bContactList, list: "contacts"}, p, bContacts, "contacts", contactRec.contact)
}
