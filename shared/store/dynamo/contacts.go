package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/internal/conflict"
	"github.com/flowhook/flowhook/shared/store/internal/norm"
	"github.com/flowhook/flowhook/shared/webhook"
)

// loadContact reads contact id; found is false when there is none.
func (s *Store) loadContact(ctx context.Context, id string) (c webhook.Contact, found bool, err error) {
	m, err := s.getItem(ctx, s.t.Contacts, pkSKItem(prefixContact+id, skContact))
	if err != nil || m == nil {
		return webhook.Contact{}, false, err
	}
	c, err = decoder(contactItem.contact)(m)
	return c, err == nil, err
}

// claimContactKeys adds to t the guard and search writes that move a contact from old
// (nil for a new contact) to nc: release the email and phone it no longer has, claim the
// new ones (a ConflictError when another contact holds one), and replace the search
// entries of terms that changed.
func (s *Store) claimContactKeys(t *txn, old *webhook.Contact, nc webhook.Contact) {
	var was webhook.Contact
	if old != nil {
		was = *old
	}
	guards := []struct {
		prefix, before, after, shown string
		conflict                     func(value, owner string) *webhook.ConflictError
	}{
		{prefixEmail, norm.Email(was.Email), norm.Email(nc.Email), nc.Email, conflict.Email},
		{prefixPhone, was.Phone, nc.Phone, nc.Phone, conflict.Phone},
	}
	for _, g := range guards {
		if g.before == g.after {
			continue
		}
		if g.before != "" {
			t.add(txDelete(s.t.Contacts, pkSKItem(g.prefix+g.before, skGuard), ownedBy(nc.ID)), nil)
		}
		if g.after != "" {
			owned := item{attrPK: str(g.prefix + g.after), attrSK: str(skGuard), attrKind: str(kindGuard), attrOwnerID: str(nc.ID)}
			t.add(txPut(s.t.Contacts, owned, notExists), func(cur item) error {
				return g.conflict(g.shown, strAttr(cur, attrOwnerID))
			})
		}
	}
	before, after := norm.SearchTerms(was), norm.SearchTerms(nc)
	if old == nil {
		before = nil
	}
	for _, term := range before {
		if !slices.Contains(after, term) {
			t.add(txDeleteAlways(s.t.Contacts, searchKey(term, nc.ID)), nil)
		}
	}
	for _, term := range after {
		if !slices.Contains(before, term) {
			entry := searchKey(term, nc.ID)
			entry[attrKind], entry[attrContactID] = str(kindSearch), str(nc.ID)
			t.add(txPutAlways(s.t.Contacts, entry), nil)
		}
	}
}

// CreateContact implements storetest.Store.
func (s *Store) CreateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error) {
	c.Version = 1
	out, err := retry(ctx, func() (webhook.Contact, error) {
		it, err := marshal(toContactItem(c))
		if err != nil {
			return webhook.Contact{}, err
		}
		var t txn
		t.add(txPut(s.t.Contacts, it, notExists), func(item) error { return conflict.ID("contact", c.ID) })
		s.claimContactKeys(&t, nil, c)
		return c, s.commit(ctx, &t)
	})
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("dynamo: create contact %q: %w", c.ID, err)
	}
	return normalizeContact(out), nil
}

// GetContact implements storetest.Store.
func (s *Store) GetContact(ctx context.Context, id string) (webhook.Contact, error) {
	c, found, err := s.loadContact(ctx, id)
	if err == nil && !found {
		err = webhook.ErrNotFound
	}
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("dynamo: get contact %q: %w", id, err)
	}
	return c, nil
}

// UpdateContact implements storetest.Store.
func (s *Store) UpdateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error) {
	out, err := retry(ctx, func() (webhook.Contact, error) {
		old, found, err := s.loadContact(ctx, c.ID)
		switch {
		case err != nil:
			return webhook.Contact{}, err
		case !found:
			return webhook.Contact{}, webhook.ErrNotFound
		case old.Version != c.Version:
			return webhook.Contact{}, webhook.ErrVersion
		}
		nc := c
		nc.Version, nc.CreatedAt = old.Version+1, old.CreatedAt
		it, err := marshal(toContactItem(nc))
		if err != nil {
			return webhook.Contact{}, err
		}
		var t txn
		t.add(txPut(s.t.Contacts, it, versionIs(old.Version)), func(cur item) error {
			if cur == nil {
				return webhook.ErrNotFound
			}
			return webhook.ErrVersion
		})
		s.claimContactKeys(&t, &old, nc)
		return nc, s.commit(ctx, &t)
	})
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("dynamo: update contact %q: %w", c.ID, err)
	}
	return normalizeContact(out), nil
}

// contactByGuard returns the contact that holds the guard prefix+value.
func (s *Store) contactByGuard(ctx context.Context, prefix, value string) (webhook.Contact, error) {
	if value == "" {
		return webhook.Contact{}, webhook.ErrNotFound
	}
	g, err := s.getItem(ctx, s.t.Contacts, pkSKItem(prefix+value, skGuard))
	if err != nil {
		return webhook.Contact{}, err
	}
	if g == nil {
		return webhook.Contact{}, webhook.ErrNotFound
	}
	c, found, err := s.loadContact(ctx, strAttr(g, attrOwnerID))
	if err == nil && !found {
		err = webhook.ErrNotFound
	}
	return c, err
}

// ContactByEmail implements storetest.Store, through the email guard (a strongly
// consistent read, so a contact is found right after it is written).
func (s *Store) ContactByEmail(ctx context.Context, email string) (webhook.Contact, error) {
	c, err := s.contactByGuard(ctx, prefixEmail, norm.Email(email))
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("dynamo: contact by email %q: %w", email, err)
	}
	return c, nil
}

// ContactByPhone implements storetest.Store, through the phone guard.
func (s *Store) ContactByPhone(ctx context.Context, phone string) (webhook.Contact, error) {
	c, err := s.contactByGuard(ctx, prefixPhone, phone)
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("dynamo: contact by phone %q: %w", phone, err)
	}
	return c, nil
}

// ContactByExternalID implements storetest.Store, through IndexByExternalID.
func (s *Store) ContactByExternalID(ctx context.Context, externalID string) (webhook.Contact, error) {
	var cs []webhook.Contact
	err := webhook.ErrNotFound
	if externalID != "" {
		q := listQuery{
			table: s.t.Contacts, index: IndexByExternalID, partAttr: attrExternalID, part: externalID, sortAttr: attrSortKey,
			keyAttrs: []string{attrExternalID, attrSortKey, attrPK, attrSK},
		}
		cs, _, err = queryPage(ctx, s.db, q, store.Page{Limit: 1}, each(decoder(contactItem.contact)))
		if err == nil && len(cs) == 0 {
			err = webhook.ErrNotFound
		}
	}
	if err != nil {
		return webhook.Contact{}, fmt.Errorf("dynamo: contact by external id %q: %w", externalID, err)
	}
	return cs[0], nil
}

// ListContacts implements storetest.Store.
func (s *Store) ListContacts(ctx context.Context, p store.Page) ([]webhook.Contact, string, error) {
	q := listQuery{
		table: s.t.Contacts, index: IndexList, partAttr: attrListKey, part: kindContact, sortAttr: attrID,
		keyAttrs: []string{attrListKey, attrID, attrPK, attrSK},
	}
	cs, next, err := queryPage(ctx, s.db, q, p, each(decoder(contactItem.contact)))
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: list contacts: %w", err)
	}
	return cs, next, nil
}

// SearchContacts implements storetest.Store: a prefix Query of one search partition
// (strongly consistent), the hits' contacts read with BatchGetItem, and each contact
// kept at its first matching term only (norm.FirstMatch).
func (s *Store) SearchContacts(ctx context.Context, q string, p store.Page) ([]webhook.Contact, string, error) {
	if q == "" {
		return s.ListContacts(ctx, p)
	}
	q = norm.SearchQuery(q)
	lq := listQuery{
		table: s.t.Contacts, partAttr: attrPK, part: searchPartition(q), sortAttr: attrSK, prefix: q, consistent: true,
		keyAttrs: []string{attrPK, attrSK},
	}
	cs, next, err := queryPage(ctx, s.db, lq, p, func(ctx context.Context, items []item) ([]webhook.Contact, []bool, error) {
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = strAttr(it, attrContactID)
		}
		byID, err := s.batchContacts(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		recs := make([]webhook.Contact, len(items))
		keep := make([]bool, len(items))
		for i, it := range items {
			sk := strAttr(it, attrSK)
			term := sk[:max(strings.LastIndex(sk, searchSep), 0)]
			c, ok := byID[ids[i]]
			recs[i], keep[i] = c, ok && norm.FirstMatch(norm.SearchTerms(c), term, q)
		}
		return recs, keep, nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: search contacts %q: %w", q, err)
	}
	return cs, next, nil
}

// batchContacts reads the contacts ids with strongly consistent BatchGetItem requests;
// a contact that no longer exists is absent from the map.
func (s *Store) batchContacts(ctx context.Context, ids []string) (map[string]webhook.Contact, error) {
	out := make(map[string]webhook.Contact, len(ids))
	seen := make(map[string]bool, len(ids))
	var keys []item
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			keys = append(keys, pkSKItem(prefixContact+id, skContact))
		}
	}
	for len(keys) > 0 {
		n := min(len(keys), 100) // BatchGetItem's limit
		req := map[string]types.KeysAndAttributes{s.t.Contacts: {Keys: keys[:n], ConsistentRead: aws.Bool(true)}}
		keys = keys[n:]
		for attempt := 0; len(req) > 0; attempt++ {
			if attempt == maxAttempts {
				return nil, fmt.Errorf("batch get contacts: keys still unprocessed after %d attempts", attempt)
			}
			if attempt > 0 { // DynamoDB returned keys unprocessed: throttled, back off
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
				}
			}
			res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, sdkError(err)
			}
			for _, m := range res.Responses[s.t.Contacts] {
				c, err := decoder(contactItem.contact)(m)
				if err != nil {
					return nil, err
				}
				out[c.ID] = c
			}
			req = res.UnprocessedKeys
		}
	}
	return out, nil
}
