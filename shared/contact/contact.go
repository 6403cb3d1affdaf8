// Package contact finds and keeps contacts: it resolves the contact an event or a test
// request names (creating it when it does not exist, as Reteno does) and applies the
// upsert rules of the contacts API. Email addresses match case-insensitively; phone
// numbers and external ids match as given.
package contact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// Identity is what identifies a contact; the first non-empty field in the order
// ContactID, ExternalID, Email, Phone decides, as in Reteno's lookup rules.
type Identity struct {
	ContactID  string
	ExternalID string
	Email      string
	Phone      string
}

// IsZero reports whether id identifies nothing.
func (id Identity) IsZero() bool { return id == Identity{} }

// Store is what resolving and upserting contacts needs.
type Store interface {
	GetContact(ctx context.Context, id string) (webhook.Contact, error)
	ContactByEmail(ctx context.Context, email string) (webhook.Contact, error)
	ContactByPhone(ctx context.Context, phone string) (webhook.Contact, error)
	ContactByExternalID(ctx context.Context, externalID string) (webhook.Contact, error)
	CreateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error)
	UpdateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error)
}

// Find returns the contact id identifies, or an error wrapping webhook.ErrNotFound.
// With an external id and an email or phone, the contact found by email or phone must
// carry that external id (Reteno's rule); a contact id wins over everything.
func Find(ctx context.Context, s Store, id Identity) (webhook.Contact, error) {
	if id.IsZero() {
		return webhook.Contact{}, fmt.Errorf("find contact: nothing identifies it: %w", webhook.ErrNotFound)
	}
	id.Phone = NormalizePhone(id.Phone)
	if id.ContactID != "" {
		return s.GetContact(ctx, id.ContactID)
	}
	try := func(c webhook.Contact, err error) (webhook.Contact, bool, error) {
		switch {
		case errors.Is(err, webhook.ErrNotFound):
			return c, false, nil
		case err != nil:
			return c, false, err
		case id.ExternalID != "" && c.ExternalCustomerID != "" && c.ExternalCustomerID != id.ExternalID:
			return c, false, nil
		}
		return c, true, nil
	}
	if id.Email != "" {
		c, ok, err := try(s.ContactByEmail(ctx, id.Email))
		if err != nil || ok {
			return c, err
		}
	}
	if id.Phone != "" {
		c, ok, err := try(s.ContactByPhone(ctx, id.Phone))
		if err != nil || ok {
			return c, err
		}
	}
	if id.ExternalID != "" && id.Email == "" && id.Phone == "" {
		return s.ContactByExternalID(ctx, id.ExternalID)
	}
	return webhook.Contact{}, fmt.Errorf("find contact: %w", webhook.ErrNotFound)
}

// Resolve returns the contact id identifies, creating it from the identifiers when none
// exists ("if no contact is found, a new one is created for sending"). A concurrent
// create of the same contact is resolved by finding the winner.
func Resolve(ctx context.Context, s Store, id Identity, now time.Time) (webhook.Contact, bool, error) {
	for attempt := 0; attempt < 3; attempt++ {
		c, err := Find(ctx, s, id)
		if err == nil {
			return c, false, nil
		}
		if !errors.Is(err, webhook.ErrNotFound) {
			return webhook.Contact{}, false, fmt.Errorf("resolve contact: %w", err)
		}
		if id.IsZero() {
			return webhook.Contact{}, false, fmt.Errorf("resolve contact: nothing identifies it: %w", webhook.ErrNotFound)
		}
		nc := webhook.Contact{
			ID:                 id.ContactID,
			Email:              id.Email,
			Phone:              NormalizePhone(id.Phone),
			ExternalCustomerID: id.ExternalID,
			Fields:             map[string]json.RawMessage{},
			CreatedAt:          now,
			UpdatedAt:          now,
		}
		if nc.ID == "" {
			nc.ID = webhook.NewID(webhook.PrefixContact, now)
		}
		created, err := s.CreateContact(ctx, nc)
		if err == nil {
			return created, true, nil
		}
		if !errors.Is(err, webhook.ErrConflict) {
			return webhook.Contact{}, false, fmt.Errorf("resolve contact: create: %w", err)
		}
		// Someone created it meanwhile (or holds the email/phone): look again.
	}
	return webhook.Contact{}, false, fmt.Errorf("resolve contact: concurrent creates kept conflicting: %w", webhook.ErrConflict)
}

// NormalizePhone keeps a leading + and the digits, dropping spaces, dashes, dots and
// parentheses, so "+380 (50) 123-45-67" and "+380501234567" are the same phone.
func NormalizePhone(p string) string {
	p = strings.TrimSpace(p)
	var b strings.Builder
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return p // not a phone number we understand: keep it as given
		}
	}
	return b.String()
}

// Matches reports whether c satisfies every rule of a segment. Rule fields name email,
// phone or externalCustomerId, or a contact field (ignoring case, as templates do);
// string comparisons are case-sensitive except for email.
func Matches(c webhook.Contact, rules []webhook.SegmentRule) bool {
	for _, r := range rules {
		v, set := fieldValue(c, r.Field)
		ok := false
		switch r.Op {
		case webhook.OpIsSet:
			ok = set && v != ""
		case webhook.OpIsEmpty:
			ok = !set || v == ""
		case webhook.OpEquals:
			ok = set && equal(r.Field, v, r.Value)
		case webhook.OpNotEquals:
			ok = !set || !equal(r.Field, v, r.Value)
		case webhook.OpContains:
			ok = set && strings.Contains(v, r.Value)
		case webhook.OpStartsWith:
			ok = set && strings.HasPrefix(v, r.Value)
		}
		if !ok {
			return false
		}
	}
	return true
}

func equal(field, a, b string) bool {
	if strings.EqualFold(field, "email") {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// fieldValue returns a contact's field as text (JSON strings unquoted, other values as
// their JSON text) and whether it is set.
func fieldValue(c webhook.Contact, name string) (string, bool) {
	switch strings.ToLower(name) {
	case "email":
		return c.Email, c.Email != ""
	case "phone", "sms":
		return c.Phone, c.Phone != ""
	case "externalcustomerid", "external_customer_id":
		return c.ExternalCustomerID, c.ExternalCustomerID != ""
	case "id", "contactid":
		return c.ID, true
	}
	for k, raw := range c.Fields {
		if !strings.EqualFold(k, name) {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
		if string(raw) == "null" {
			return "", false
		}
		return string(raw), true
	}
	return "", false
}
