package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// newContact returns a contact created at at(i) with a first name and a few fields of
// every JSON type.
func newContact(email, phone, firstName string, i int) webhook.Contact {
	// JSON texts as a client sent them, spacing included: stores keep them byte for byte.
	fields := map[string]json.RawMessage{
		webhook.FieldTown:    json.RawMessage(`"Kyiv"`),
		"PERSONAL.BIRTHDAY":  json.RawMessage(`"1990-04-01"`),
		"PERSONAL.SCORE":     json.RawMessage(`12345678901234567890.50`),
		"PERSONAL.VIP":       json.RawMessage(`true`),
		"PERSONAL.NOTHING":   json.RawMessage(`null`),
		"PERSONAL.TAGS":      json.RawMessage(`["a", 2]`),
		"PERSONAL.ADDRESSES": json.RawMessage(`{"home": {"zip": "01001"}, "a": 1}`),
	}
	if firstName != "" {
		fields[webhook.FieldFirstName] = jsonString(firstName)
	}
	return webhook.Contact{
		ID:                 webhook.NewID(webhook.PrefixContact, at(i)),
		Email:              email,
		Phone:              phone,
		ExternalCustomerID: fmt.Sprintf("ext-%d", i),
		Fields:             fields,
		CreatedAt:          at(i),
		UpdatedAt:          at(i),
	}
}

// jsonString returns the JSON text of s.
func jsonString(s string) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return b
}

func createContact(t *testing.T, s Store, c webhook.Contact) webhook.Contact {
	t.Helper()
	return must(s.CreateContact(t.Context(), c))(t, "CreateContact "+c.Email)
}

// search returns the IDs of every contact SearchContacts(q) finds, following cursors.
func search(t *testing.T, s Store, q string) []string {
	t.Helper()
	return walk(t, 2, func(p store.Page) ([]string, string, error) {
		cs, next, err := s.SearchContacts(t.Context(), q, p)
		return ids(cs, contactID), next, err
	})
}

// caseVariant returns s with the letters whose index has bit i%8 set in upper case, so
// racers use differently cased forms of one address.
func caseVariant(s string, i int) string {
	b := []byte(s)
	for j := range b {
		if j&(1<<(i%8)) != 0 && b[j] >= 'a' && b[j] <= 'z' {
			b[j] -= 'a' - 'A'
		}
	}
	return string(b)
}

func contactCases() []testCase {
	return []testCase{
		{"create then get returns it with version 1", func(t *testing.T, s Store) {
			c := newContact("ann@example.com", "+380501234567", "Ann", 0)
			got := createContact(t, s, c)
			want := c
			want.Version = 1
			checkEqual(t, "CreateContact", got, want)
			checkEqual(t, "GetContact", must(s.GetContact(t.Context(), c.ID))(t, "GetContact"), want)
		}},
		{"a contact may have no email, phone or fields", func(t *testing.T, s Store) {
			for i := range 2 {
				c := webhook.Contact{ID: webhook.NewID(webhook.PrefixContact, at(i)), ExternalCustomerID: "x", CreatedAt: at(i), UpdatedAt: at(i)}
				createContact(t, s, c)
				want := c
				want.Version = 1
				checkEqual(t, "GetContact", must(s.GetContact(t.Context(), c.ID))(t, "GetContact"), want)
			}
		}},
		{"get of a missing contact is not found", func(t *testing.T, s Store) {
			_, err := s.GetContact(t.Context(), webhook.NewID(webhook.PrefixContact, at(0)))
			wantErr(t, "GetContact", err, webhook.ErrNotFound)
		}},
		{"create with an id in use is an id conflict", func(t *testing.T, s Store) {
			c := createContact(t, s, newContact("ann@example.com", "", "Ann", 0))
			again := newContact("bob@example.com", "", "Bob", 1)
			again.ID = c.ID
			_, err := s.CreateContact(t.Context(), again)
			wantConflict(t, "CreateContact", err, "id", []string{c.ID})
			_, err = s.ContactByEmail(t.Context(), "bob@example.com")
			wantErr(t, "ContactByEmail of the refused contact", err, webhook.ErrNotFound)
		}},
		{"email is unique, compared case-insensitively", func(t *testing.T, s Store) {
			for _, tc := range []struct{ name, first, second string }{
				{"same case", "ann@example.com", "ann@example.com"},
				{"different case", "Bob@Example.com", "bOB@example.COM"},
				{"non-ASCII", "Олена@Example.com", "олена@example.com"},
			} {
				first := createContact(t, s, newContact(tc.first, "", "", 0))
				_, err := s.CreateContact(t.Context(), newContact(tc.second, "", "", 1))
				wantConflict(t, "CreateContact "+tc.name, err, "email", []string{first.ID})
			}
		}},
		{"phone is unique", func(t *testing.T, s Store) {
			first := createContact(t, s, newContact("a@example.com", "+380501234567", "", 0))
			_, err := s.CreateContact(t.Context(), newContact("b@example.com", "+380501234567", "", 1))
			wantConflict(t, "CreateContact", err, "phone", []string{first.ID})
			_, err = s.ContactByEmail(t.Context(), "b@example.com")
			wantErr(t, "ContactByEmail of the refused contact", err, webhook.ErrNotFound)
		}},
		{"lookups by email (any case) and phone", func(t *testing.T, s Store) {
			c := createContact(t, s, newContact("Ann@Example.com", "+380501234567", "Ann", 0))
			createContact(t, s, newContact("bob@example.com", "+380501111111", "Bob", 1))
			for _, tc := range []struct {
				name string
				get  func() (webhook.Contact, error)
			}{
				{"email as stored", func() (webhook.Contact, error) { return s.ContactByEmail(t.Context(), "Ann@Example.com") }},
				{"email lower case", func() (webhook.Contact, error) { return s.ContactByEmail(t.Context(), "ann@example.com") }},
				{"email upper case", func() (webhook.Contact, error) { return s.ContactByEmail(t.Context(), "ANN@EXAMPLE.COM") }},
				{"phone", func() (webhook.Contact, error) { return s.ContactByPhone(t.Context(), "+380501234567") }},
			} {
				checkEqual(t, tc.name, must(tc.get())(t, tc.name), c)
			}
			for _, tc := range []struct {
				name string
				get  func() (webhook.Contact, error)
			}{
				{"unknown email", func() (webhook.Contact, error) { return s.ContactByEmail(t.Context(), "nobody@example.com") }},
				{"unknown phone", func() (webhook.Contact, error) { return s.ContactByPhone(t.Context(), "+1") }},
				{"empty email", func() (webhook.Contact, error) { return s.ContactByEmail(t.Context(), "") }},
				{"empty phone", func() (webhook.Contact, error) { return s.ContactByPhone(t.Context(), "") }},
			} {
				_, err := tc.get()
				wantErr(t, tc.name, err, webhook.ErrNotFound)
			}
		}},
		{"lookup by external id finds the oldest contact that has it", func(t *testing.T, s Store) {
			newer := newContact("b@example.com", "", "", 2)
			newer.ExternalCustomerID = "87420539"
			newer = createContact(t, s, newer)
			older := newContact("a@example.com", "", "", 1) // created second, but older
			older.ExternalCustomerID = "87420539"
			older = createContact(t, s, older)
			other := newContact("c@example.com", "", "", 0)
			other.ExternalCustomerID = "1"
			createContact(t, s, other)
			checkEqual(t, "ContactByExternalID", must(s.ContactByExternalID(t.Context(), "87420539"))(t, "ContactByExternalID"), older)
			older.ExternalCustomerID = "2"
			must(s.UpdateContact(t.Context(), older))(t, "UpdateContact")
			checkEqual(t, "after the oldest moved", must(s.ContactByExternalID(t.Context(), "87420539"))(t, "ContactByExternalID").ID, newer.ID)
			checkEqual(t, "the new id", must(s.ContactByExternalID(t.Context(), "2"))(t, "ContactByExternalID").ID, older.ID)
			for _, id := range []string{"", "8742", "unknown"} {
				_, err := s.ContactByExternalID(t.Context(), id)
				wantErr(t, "ContactByExternalID "+id, err, webhook.ErrNotFound)
			}
		}},
		{"update bumps version, keeps CreatedAt and moves the lookups", func(t *testing.T, s Store) {
			c := createContact(t, s, newContact("ann@example.com", "+380501234567", "Olena", 0))
			u := c
			u.Email, u.Phone, u.UpdatedAt, u.CreatedAt = "anna@example.com", "+380509999999", at(5), at(50)
			u.Fields = map[string]json.RawMessage{webhook.FieldFirstName: jsonString("Anna"), webhook.FieldLastName: jsonString("Kovalenko")}
			got := must(s.UpdateContact(t.Context(), u))(t, "UpdateContact")
			want := u
			want.Version, want.CreatedAt = 2, c.CreatedAt
			checkEqual(t, "UpdateContact", got, want)
			checkEqual(t, "GetContact", must(s.GetContact(t.Context(), c.ID))(t, "GetContact"), want)
			checkEqual(t, "ContactByEmail new", must(s.ContactByEmail(t.Context(), "anna@example.com"))(t, "ContactByEmail").ID, c.ID)
			checkEqual(t, "ContactByPhone new", must(s.ContactByPhone(t.Context(), "+380509999999"))(t, "ContactByPhone").ID, c.ID)
			_, err := s.ContactByEmail(t.Context(), "ann@example.com")
			wantErr(t, "ContactByEmail old", err, webhook.ErrNotFound)
			_, err = s.ContactByPhone(t.Context(), "+380501234567")
			wantErr(t, "ContactByPhone old", err, webhook.ErrNotFound)
			// The old email and phone are free for another contact.
			createContact(t, s, newContact("ann@example.com", "+380501234567", "", 1))
			// Search follows the new names.
			checkEqual(t, "search old first name", search(t, s, "olena"), []string{})
			checkEqual(t, "search new last name", search(t, s, "koval"), []string{c.ID})
		}},
		{"update changing only the case of its own email succeeds", func(t *testing.T, s Store) {
			c := createContact(t, s, newContact("ann@example.com", "", "", 0))
			c.Email = "ANN@example.com"
			got := must(s.UpdateContact(t.Context(), c))(t, "UpdateContact")
			checkEqual(t, "email", got.Email, "ANN@example.com")
			checkEqual(t, "lookup", must(s.ContactByEmail(t.Context(), "ann@EXAMPLE.com"))(t, "ContactByEmail").ID, c.ID)
		}},
		{"update removing email and phone frees them", func(t *testing.T, s Store) {
			c := createContact(t, s, newContact("ann@example.com", "+380501234567", "", 0))
			c.Email, c.Phone = "", ""
			must(s.UpdateContact(t.Context(), c))(t, "UpdateContact")
			_, err := s.ContactByEmail(t.Context(), "ann@example.com")
			wantErr(t, "ContactByEmail", err, webhook.ErrNotFound)
			createContact(t, s, newContact("ann@example.com", "+380501234567", "", 1))
		}},
		{"update to another contact's email or phone is a conflict", func(t *testing.T, s Store) {
			a := createContact(t, s, newContact("a@example.com", "+1", "", 0))
			b := createContact(t, s, newContact("b@example.com", "+2", "", 1))
			u := b
			u.Email = "A@EXAMPLE.COM"
			_, err := s.UpdateContact(t.Context(), u)
			wantConflict(t, "UpdateContact email", err, "email", []string{a.ID})
			u = b
			u.Phone = "+1"
			_, err = s.UpdateContact(t.Context(), u)
			wantConflict(t, "UpdateContact phone", err, "phone", []string{a.ID})
			checkEqual(t, "b unchanged", must(s.GetContact(t.Context(), b.ID))(t, "GetContact"), b)
		}},
		{"update with a stale version is a version error", func(t *testing.T, s Store) {
			c := createContact(t, s, newContact("a@example.com", "", "", 0))
			must(s.UpdateContact(t.Context(), c))(t, "UpdateContact")
			c.Email = "z@example.com"
			_, err := s.UpdateContact(t.Context(), c)
			wantErr(t, "UpdateContact stale", err, webhook.ErrVersion)
			_, err = s.ContactByEmail(t.Context(), "z@example.com")
			wantErr(t, "ContactByEmail of the stale update", err, webhook.ErrNotFound)
		}},
		{"update of a missing contact is not found", func(t *testing.T, s Store) {
			c := newContact("a@example.com", "", "", 0)
			c.Version = 1
			_, err := s.UpdateContact(t.Context(), c)
			wantErr(t, "UpdateContact", err, webhook.ErrNotFound)
		}},
		{"search by a prefix of email, phone, first or last name, ignoring case", func(t *testing.T, s Store) {
			ann := newContact("ann.smith@example.com", "+380501234567", "Ann", 0)
			ann.Fields[webhook.FieldLastName] = jsonString("Kovalenko")
			ann = createContact(t, s, ann)
			bob := createContact(t, s, newContact("bob@example.org", "+380671111111", "Bohdan", 1))
			zed := newContact("zed@example.net", "", "Zoryana", 2)
			zed.Fields[webhook.FieldLastName] = jsonString("Annenko")
			zed = createContact(t, s, zed)
			nameless := createContact(t, s, webhook.Contact{ID: webhook.NewID(webhook.PrefixContact, at(3)), Phone: "+1555", CreatedAt: at(3), UpdatedAt: at(3)})
			for _, tc := range []struct {
				q    string
				want []string // in the contract's order: by first matching term, then id
			}{
				{"ann", []string{ann.ID, zed.ID}}, // "ann" < "ann.smith@…" < "annenko"
				{"ANN.S", []string{ann.ID}},
				{"kov", []string{ann.ID}},
				{"bo", []string{bob.ID}},
				{"+38050", []string{ann.ID}},
				{"+380", []string{ann.ID, bob.ID}},
				{"+1", []string{nameless.ID}},
				{"zor", []string{zed.ID}},
				{"example", []string{}}, // the middle of an email does not match
				{"smith", []string{}},
				{"nobody", []string{}},
				{"Kyiv", []string{}}, // other fields are not searched
			} {
				checkEqual(t, "search "+tc.q, search(t, s, tc.q), tc.want)
			}
		}},
		{"search with an empty query lists every contact", func(t *testing.T, s Store) {
			var want []string
			for i := range 3 {
				want = append(want, createContact(t, s, newContact(fmt.Sprintf("c%d@example.com", i), "", "", i)).ID)
			}
			checkEqual(t, "search", sameSet(search(t, s, ""), want), true)
		}},
		{"concurrent creates with one email: exactly one wins", func(t *testing.T, s Store) {
			errs := race(racers, func(i int) error {
				_, err := s.CreateContact(t.Context(), newContact(caseVariant("same@example.com", i), fmt.Sprintf("+%d", i), "", i))
				return err
			})
			win := winners(errs)
			if len(win) != 1 {
				t.Fatalf("got %d successful creates (errors %v), want exactly 1", len(win), errs)
			}
			for i, err := range errs {
				if i != win[0] {
					wantConflict(t, "CreateContact", err, "email", nil)
				}
			}
			// The losers' phones are free.
			for i := range racers {
				if i != win[0] {
					_, err := s.ContactByPhone(t.Context(), fmt.Sprintf("+%d", i))
					wantErr(t, "ContactByPhone of a loser", err, webhook.ErrNotFound)
				}
			}
		}},
		{"concurrent updates of one version: exactly one wins", func(t *testing.T, s Store) {
			c := createContact(t, s, newContact("a@example.com", "", "", 0))
			errs := race(racers, func(i int) error {
				u := c
				u.Email = fmt.Sprintf("w%d@example.com", i)
				_, err := s.UpdateContact(t.Context(), u)
				return err
			})
			win := winners(errs)
			if len(win) != 1 {
				t.Fatalf("got %d successful updates (errors %v), want exactly 1", len(win), errs)
			}
			for i, err := range errs {
				if i != win[0] && !errors.Is(err, webhook.ErrVersion) {
					t.Errorf("loser %d: got %v, want ErrVersion", i, err)
				}
				_, lookupErr := s.ContactByEmail(t.Context(), fmt.Sprintf("w%d@example.com", i))
				if i == win[0] {
					mustOK(t, "ContactByEmail of the winner", lookupErr)
				} else {
					wantErr(t, "ContactByEmail of a loser", lookupErr, webhook.ErrNotFound)
				}
			}
		}},
	}
}

// newSegment returns a segment created at at(i).
func newSegment(name string, i int) webhook.Segment {
	return webhook.Segment{
		ID:   webhook.NewID(webhook.PrefixSegment, at(i)),
		Name: name,
		Rules: []webhook.SegmentRule{
			{Field: webhook.FieldTown, Op: webhook.OpEquals, Value: "Kyiv"},
			{Field: "PERSONAL.VIP", Op: webhook.OpIsSet},
		},
		CreatedAt: at(i),
		UpdatedAt: at(i),
	}
}

func createSegment(t *testing.T, s Store, g webhook.Segment) webhook.Segment {
	t.Helper()
	return must(s.CreateSegment(t.Context(), g))(t, "CreateSegment "+g.Name)
}

func segmentCases() []testCase {
	return []testCase{
		{"create then get returns it", func(t *testing.T, s Store) {
			g := newSegment("kyiv vips", 0)
			checkEqual(t, "CreateSegment", createSegment(t, s, g), g)
			checkEqual(t, "GetSegment", must(s.GetSegment(t.Context(), g.ID))(t, "GetSegment"), g)
		}},
		{"a segment without rules", func(t *testing.T, s Store) {
			g := newSegment("everyone", 0)
			g.Rules = nil
			createSegment(t, s, g)
			checkEqual(t, "GetSegment", must(s.GetSegment(t.Context(), g.ID))(t, "GetSegment"), g)
		}},
		{"get of a missing segment is not found", func(t *testing.T, s Store) {
			_, err := s.GetSegment(t.Context(), webhook.NewID(webhook.PrefixSegment, at(0)))
			wantErr(t, "GetSegment", err, webhook.ErrNotFound)
		}},
		{"create with an id in use is an id conflict", func(t *testing.T, s Store) {
			g := createSegment(t, s, newSegment("a", 0))
			again := newSegment("b", 1)
			again.ID = g.ID
			_, err := s.CreateSegment(t.Context(), again)
			wantConflict(t, "CreateSegment", err, "id", []string{g.ID})
			checkEqual(t, "stored", must(s.GetSegment(t.Context(), g.ID))(t, "GetSegment").Name, "a")
		}},
		{"segments may share a name", func(t *testing.T, s Store) {
			createSegment(t, s, newSegment("same", 0))
			createSegment(t, s, newSegment("same", 1))
		}},
	}
}
