package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// newConnector returns a bearer connector created at at(i).
func newConnector(name string, i int) webhook.Connector {
	return webhook.Connector{
		ID:              webhook.NewID(webhook.PrefixConnector, at(i)),
		Name:            name,
		Type:            webhook.ConnectorBearer,
		SecretRef:       "arn:aws:secretsmanager:us-east-1:123456789012:secret:flowhook/" + name,
		SecretUpdatedAt: at(i),
		CreatedAt:       at(i),
		UpdatedAt:       at(i),
	}
}

// newWebhook returns a webhook with every field set, created at at(i), using connector
// connectorID ("" for none).
func newWebhook(name, connectorID string, i int) webhook.Webhook {
	return webhook.Webhook{
		ID:          webhook.NewID(webhook.PrefixWebhook, at(i)),
		Name:        name,
		Description: "promo code by city for " + name,
		Method:      webhook.MethodPost,
		URL:         "https://promo.example.com/codes?email=${email}",
		Params: []webhook.Pair{
			{Name: "city", Value: "${TOWN}"},
			{Name: "lang", Value: "uk"},
		},
		ParamsInHeaders:   true,
		Headers:           []webhook.Pair{{Name: "X-Source", Value: "flowhook"}},
		ConnectorID:       connectorID,
		Body:              &webhook.Body{Format: webhook.FormatJSON, Template: `{"city": "${TOWN}"}`},
		TimeoutMs:         7000,
		MaxAttempts:       2,
		IdempotencyHeader: "X-Request-Id",
		OnFailure:         webhook.OnFailureContinue,
		CreatedAt:         at(i),
		UpdatedAt:         at(i),
	}
}

func createWebhook(t *testing.T, s Store, w webhook.Webhook) webhook.Webhook {
	t.Helper()
	return must(s.CreateWebhook(t.Context(), w))(t, "CreateWebhook "+w.Name)
}

func createConnector(t *testing.T, s Store, c webhook.Connector) webhook.Connector {
	t.Helper()
	return must(s.CreateConnector(t.Context(), c))(t, "CreateConnector "+c.Name)
}

// listAllWebhooks lists every active (or, with deleted, every deleted) webhook.
func listAllWebhooks(t *testing.T, s Store, deleted bool) []webhook.Webhook {
	t.Helper()
	var all []webhook.Webhook
	p := store.Page{Limit: store.MaxLimit}
	for {
		ws, next, err := s.ListWebhooks(t.Context(), deleted, p)
		if err != nil {
			t.Fatalf("ListWebhooks(deleted=%v): %v", deleted, err)
		}
		all = append(all, ws...)
		if next == "" {
			return all
		}
		p.Cursor = next
	}
}

func webhookCases() []testCase {
	return []testCase{
		{"create then get returns it with version 1", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			w := newWebhook("WH5", c.ID, 1)
			got := createWebhook(t, s, w)
			want := w
			want.Version = 1
			checkEqual(t, "CreateWebhook", got, want)
			checkEqual(t, "GetWebhook", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook"), want)
		}},
		{"create without connector or body", func(t *testing.T, s Store) {
			w := newWebhook("plain", "", 0)
			w.Method, w.Body, w.Params, w.Headers = webhook.MethodGet, nil, nil, nil
			createWebhook(t, s, w)
			want := w
			want.Version = 1
			checkEqual(t, "GetWebhook", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook"), want)
		}},
		{"names are any characters and case-sensitive", func(t *testing.T, s Store) {
			for i, name := range []string{"WH5", "wh5", "Промокод #1", "a/b?c=d&e", "x\x00y", " spaced "} {
				w := createWebhook(t, s, newWebhook(name, "", i))
				checkEqual(t, "name", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook").Name, name)
			}
		}},
		{"create with an active webhook's name is a name conflict", func(t *testing.T, s Store) {
			first := createWebhook(t, s, newWebhook("WH5", "", 0))
			_, err := s.CreateWebhook(t.Context(), newWebhook("WH5", "", 1))
			ce := wantConflict(t, "CreateWebhook duplicate", err, "name", []string{first.ID})
			checkEqual(t, "conflict names", ce.Names, []string{"WH5"})
			checkEqual(t, "active webhooks", ids(listAllWebhooks(t, s, false), webhookID), []string{first.ID})
		}},
		{"create with a missing connector is a connectorId conflict", func(t *testing.T, s Store) {
			w := newWebhook("WH5", webhook.NewID(webhook.PrefixConnector, at(0)), 0)
			_, err := s.CreateWebhook(t.Context(), w)
			wantConflict(t, "CreateWebhook", err, "connectorId", nil)
			_, err = s.GetWebhook(t.Context(), w.ID)
			wantErr(t, "GetWebhook after a refused create", err, webhook.ErrNotFound)
			// The refused create must not hold the name.
			createWebhook(t, s, newWebhook("WH5", "", 1))
		}},
		{"create with an id in use is an id conflict", func(t *testing.T, s Store) {
			w := createWebhook(t, s, newWebhook("a", "", 0))
			again := newWebhook("b", "", 1)
			again.ID = w.ID
			_, err := s.CreateWebhook(t.Context(), again)
			wantConflict(t, "CreateWebhook same id", err, "id", []string{w.ID})
			checkEqual(t, "stored name", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook").Name, "a")
			// The refused create must not hold its name.
			createWebhook(t, s, newWebhook("b", "", 2))
		}},
		{"get of a missing webhook is not found", func(t *testing.T, s Store) {
			_, err := s.GetWebhook(t.Context(), webhook.NewID(webhook.PrefixWebhook, at(0)))
			wantErr(t, "GetWebhook", err, webhook.ErrNotFound)
		}},
		{"update replaces fields, bumps version, keeps CreatedAt and DeletedAt", func(t *testing.T, s Store) {
			c1 := createConnector(t, s, newConnector("one", 0))
			c2 := createConnector(t, s, newConnector("two", 1))
			w := createWebhook(t, s, newWebhook("WH5", c1.ID, 2))
			u := w
			u.Name, u.URL, u.ConnectorID, u.Body, u.Method = "WH6", "https://other.example.com/", c2.ID, nil, webhook.MethodGet
			u.Params = []webhook.Pair{{Name: "q", Value: "${x}"}}
			u.UpdatedAt = at(3)
			u.CreatedAt = at(99) // ignored: CreatedAt is kept
			got := must(s.UpdateWebhook(t.Context(), u))(t, "UpdateWebhook")
			want := u
			want.Version, want.CreatedAt = 2, w.CreatedAt
			checkEqual(t, "UpdateWebhook", got, want)
			checkEqual(t, "GetWebhook", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook"), want)
			// The old name is free again, the new one taken.
			createWebhook(t, s, newWebhook("WH5", "", 4))
			_, err := s.CreateWebhook(t.Context(), newWebhook("WH6", "", 5))
			wantConflict(t, "CreateWebhook with the new name", err, "name", []string{w.ID})
			// The old connector is no longer in use; the new one is.
			mustOK(t, "DeleteConnector old", s.DeleteConnector(t.Context(), c1.ID))
			wantConflict(t, "DeleteConnector new", s.DeleteConnector(t.Context(), c2.ID), "connectorId", []string{w.ID})
		}},
		{"update keeping its own name succeeds", func(t *testing.T, s Store) {
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			w.Description = "changed"
			got := must(s.UpdateWebhook(t.Context(), w))(t, "UpdateWebhook")
			checkEqual(t, "version", got.Version, int64(2))
			checkEqual(t, "description", got.Description, "changed")
		}},
		{"update with a stale version is a version error and changes nothing", func(t *testing.T, s Store) {
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			w.Description = "first"
			must(s.UpdateWebhook(t.Context(), w))(t, "UpdateWebhook") // version 2 now
			stale := w
			stale.Description, stale.Name = "second", "renamed"
			_, err := s.UpdateWebhook(t.Context(), stale) // still says version 1
			wantErr(t, "UpdateWebhook stale", err, webhook.ErrVersion)
			got := must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook")
			checkEqual(t, "description", got.Description, "first")
			checkEqual(t, "version", got.Version, int64(2))
			createWebhook(t, s, newWebhook("renamed", "", 1)) // the stale update took no name
		}},
		{"update of a missing or deleted webhook is not found", func(t *testing.T, s Store) {
			missing := newWebhook("ghost", "", 0)
			missing.Version = 1
			_, err := s.UpdateWebhook(t.Context(), missing)
			wantErr(t, "UpdateWebhook missing", err, webhook.ErrNotFound)
			w := createWebhook(t, s, newWebhook("WH5", "", 1))
			deleted := must(s.DeleteWebhook(t.Context(), w.ID, at(2)))(t, "DeleteWebhook")
			_, err = s.UpdateWebhook(t.Context(), deleted)
			wantErr(t, "UpdateWebhook deleted", err, webhook.ErrNotFound)
		}},
		{"update to an active webhook's name is a name conflict", func(t *testing.T, s Store) {
			a := createWebhook(t, s, newWebhook("a", "", 0))
			b := createWebhook(t, s, newWebhook("b", "", 1))
			b.Name = "a"
			_, err := s.UpdateWebhook(t.Context(), b)
			wantConflict(t, "UpdateWebhook", err, "name", []string{a.ID})
			checkEqual(t, "b's name", must(s.GetWebhook(t.Context(), b.ID))(t, "GetWebhook").Name, "b")
			checkEqual(t, "b's version", must(s.GetWebhook(t.Context(), b.ID))(t, "GetWebhook").Version, int64(1))
		}},
		{"update to a missing connector is a connectorId conflict", func(t *testing.T, s Store) {
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			w.ConnectorID = webhook.NewID(webhook.PrefixConnector, at(0))
			_, err := s.UpdateWebhook(t.Context(), w)
			wantConflict(t, "UpdateWebhook", err, "connectorId", nil)
			checkEqual(t, "connector", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook").ConnectorID, "")
		}},
		{"delete soft-deletes and frees the name", func(t *testing.T, s Store) {
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			got := must(s.DeleteWebhook(t.Context(), w.ID, at(5)))(t, "DeleteWebhook")
			want := w
			want.Version, want.DeletedAt, want.UpdatedAt = 2, at(5), at(5)
			checkEqual(t, "DeleteWebhook", got, want)
			checkEqual(t, "GetWebhook", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook"), want)
			again := createWebhook(t, s, newWebhook("WH5", "", 6))
			checkEqual(t, "active", ids(listAllWebhooks(t, s, false), webhookID), []string{again.ID})
			checkEqual(t, "deleted", ids(listAllWebhooks(t, s, true), webhookID), []string{w.ID})
		}},
		{"delete of a missing or deleted webhook is not found", func(t *testing.T, s Store) {
			_, err := s.DeleteWebhook(t.Context(), webhook.NewID(webhook.PrefixWebhook, at(0)), at(1))
			wantErr(t, "DeleteWebhook missing", err, webhook.ErrNotFound)
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			must(s.DeleteWebhook(t.Context(), w.ID, at(1)))(t, "DeleteWebhook")
			_, err = s.DeleteWebhook(t.Context(), w.ID, at(2))
			wantErr(t, "DeleteWebhook twice", err, webhook.ErrNotFound)
			checkEqual(t, "DeletedAt", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook").DeletedAt, at(1))
		}},
		{"restore keeps the id and makes it active", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			w := createWebhook(t, s, newWebhook("WH5", c.ID, 1))
			must(s.DeleteWebhook(t.Context(), w.ID, at(2)))(t, "DeleteWebhook")
			got := must(s.RestoreWebhook(t.Context(), w.ID, at(3)))(t, "RestoreWebhook")
			want := w
			want.Version, want.UpdatedAt = 3, at(3)
			checkEqual(t, "RestoreWebhook", got, want)
			checkEqual(t, "GetWebhook", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook"), want)
			checkEqual(t, "active", ids(listAllWebhooks(t, s, false), webhookID), []string{w.ID})
			checkEqual(t, "deleted", ids(listAllWebhooks(t, s, true), webhookID), []string(nil))
			// Restored, it holds its name and its connector again.
			_, err := s.CreateWebhook(t.Context(), newWebhook("WH5", "", 4))
			wantConflict(t, "CreateWebhook with the restored name", err, "name", []string{w.ID})
			wantConflict(t, "DeleteConnector", s.DeleteConnector(t.Context(), c.ID), "connectorId", []string{w.ID})
		}},
		{"restore is refused while another active webhook has the name", func(t *testing.T, s Store) {
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			must(s.DeleteWebhook(t.Context(), w.ID, at(1)))(t, "DeleteWebhook")
			other := createWebhook(t, s, newWebhook("WH5", "", 2))
			_, err := s.RestoreWebhook(t.Context(), w.ID, at(3))
			wantConflict(t, "RestoreWebhook", err, "name", []string{other.ID})
			got := must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook")
			checkEqual(t, "still deleted at", got.DeletedAt, at(1))
			checkEqual(t, "version", got.Version, int64(2))
		}},
		{"restore is refused when its connector is gone", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			w := createWebhook(t, s, newWebhook("WH5", c.ID, 1))
			must(s.DeleteWebhook(t.Context(), w.ID, at(2)))(t, "DeleteWebhook")
			mustOK(t, "DeleteConnector", s.DeleteConnector(t.Context(), c.ID))
			_, err := s.RestoreWebhook(t.Context(), w.ID, at(3))
			wantConflict(t, "RestoreWebhook", err, "connectorId", nil)
			checkEqual(t, "still deleted", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook").Deleted(), true)
			// The refused restore must not hold the name.
			createWebhook(t, s, newWebhook("WH5", "", 4))
		}},
		{"restore of a missing or active webhook is not found", func(t *testing.T, s Store) {
			_, err := s.RestoreWebhook(t.Context(), webhook.NewID(webhook.PrefixWebhook, at(0)), at(1))
			wantErr(t, "RestoreWebhook missing", err, webhook.ErrNotFound)
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			_, err = s.RestoreWebhook(t.Context(), w.ID, at(1))
			wantErr(t, "RestoreWebhook active", err, webhook.ErrNotFound)
		}},
		{"list separates active and deleted, oldest first", func(t *testing.T, s Store) {
			var active, deleted []string
			for i := range 6 {
				w := createWebhook(t, s, newWebhook(fmt.Sprintf("w%d", i), "", 10-i)) // created newest first
				if i%2 == 0 {
					must(s.DeleteWebhook(t.Context(), w.ID, at(20)))(t, "DeleteWebhook")
					deleted = append([]string{w.ID}, deleted...)
				} else {
					active = append([]string{w.ID}, active...)
				}
			}
			checkEqual(t, "active", ids(listAllWebhooks(t, s, false), webhookID), active)
			checkEqual(t, "deleted", ids(listAllWebhooks(t, s, true), webhookID), deleted)
		}},
		{"concurrent updates of one version: exactly one wins, nothing is lost", func(t *testing.T, s Store) {
			w := createWebhook(t, s, newWebhook("WH5", "", 0))
			results := make([]webhook.Webhook, racers)
			errs := race(racers, func(i int) error {
				u := w
				u.Description = fmt.Sprintf("writer %d", i)
				u.Name = fmt.Sprintf("WH5-%d", i)
				var err error
				results[i], err = s.UpdateWebhook(t.Context(), u)
				return err
			})
			win := winners(errs)
			if len(win) != 1 {
				t.Fatalf("got %d successful updates (errors %v), want exactly 1", len(win), errs)
			}
			for i, err := range errs {
				if i != win[0] && !errors.Is(err, webhook.ErrVersion) {
					t.Errorf("loser %d: got error %v, want ErrVersion", i, err)
				}
			}
			got := must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook")
			checkEqual(t, "stored after the race", got, results[win[0]])
			checkEqual(t, "version", got.Version, int64(2))
			// Only the winner's name is held; every loser's name is free.
			for i := range racers {
				name := fmt.Sprintf("WH5-%d", i)
				_, err := s.CreateWebhook(t.Context(), newWebhook(name, "", 1+i))
				if i == win[0] {
					wantConflict(t, "CreateWebhook "+name, err, "name", []string{w.ID})
				} else {
					mustOK(t, "CreateWebhook "+name, err)
				}
			}
		}},
		{"concurrent creates with one name: exactly one wins", func(t *testing.T, s Store) {
			errs := race(racers, func(i int) error {
				_, err := s.CreateWebhook(t.Context(), newWebhook("WH5", "", i))
				return err
			})
			if win := winners(errs); len(win) != 1 {
				t.Fatalf("got %d successful creates (errors %v), want exactly 1", len(win), errs)
			}
			for _, err := range errs {
				if err != nil {
					wantConflict(t, "CreateWebhook", err, "name", nil)
				}
			}
			checkEqual(t, "active webhooks", len(listAllWebhooks(t, s, false)), 1)
		}},
		{"concurrent delete and restore of one webhook leave one consistent state", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			w := createWebhook(t, s, newWebhook("WH5", c.ID, 1))
			race(racers, func(i int) error {
				var err error
				if i%2 == 0 {
					_, err = s.DeleteWebhook(t.Context(), w.ID, at(2))
				} else {
					_, err = s.RestoreWebhook(t.Context(), w.ID, at(3))
				}
				return err
			})
			got := must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook")
			// Whatever the interleaving, the name and the connector reference must
			// match the final state.
			_, errName := s.CreateWebhook(t.Context(), newWebhook("WH5", "", 4))
			errConn := s.DeleteConnector(t.Context(), c.ID)
			if got.Deleted() {
				mustOK(t, "CreateWebhook with the deleted webhook's name", errName)
				mustOK(t, "DeleteConnector used only by a deleted webhook", errConn)
			} else {
				wantConflict(t, "CreateWebhook with the active webhook's name", errName, "name", []string{w.ID})
				wantConflict(t, "DeleteConnector used by the active webhook", errConn, "connectorId", []string{w.ID})
			}
		}},
	}
}

func connectorCases() []testCase {
	return []testCase{
		{"create then get returns it with version 1", func(t *testing.T, s Store) {
			for i, c := range []webhook.Connector{
				newConnector("bearer", 0),
				{ID: webhook.NewID(webhook.PrefixConnector, at(1)), Name: "basic", Type: webhook.ConnectorBasic, Login: "ann",
					SecretRef: "arn:basic", SecretUpdatedAt: at(1), CreatedAt: at(1), UpdatedAt: at(1)},
				{ID: webhook.NewID(webhook.PrefixConnector, at(2)), Name: "key", Type: webhook.ConnectorAPIKey, In: webhook.InQuery,
					KeyName: "api_key", SecretRef: "arn:key", SecretUpdatedAt: at(2), CreatedAt: at(2), UpdatedAt: at(2)},
			} {
				got := createConnector(t, s, c)
				want := c
				want.Version = 1
				checkEqual(t, fmt.Sprintf("CreateConnector %d", i), got, want)
				checkEqual(t, fmt.Sprintf("GetConnector %d", i), must(s.GetConnector(t.Context(), c.ID))(t, "GetConnector"), want)
			}
		}},
		{"create with a taken name is a name conflict", func(t *testing.T, s Store) {
			first := createConnector(t, s, newConnector("crm", 0))
			_, err := s.CreateConnector(t.Context(), newConnector("crm", 1))
			wantConflict(t, "CreateConnector", err, "name", []string{first.ID})
		}},
		{"create with an id in use is an id conflict", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("a", 0))
			again := newConnector("b", 1)
			again.ID = c.ID
			_, err := s.CreateConnector(t.Context(), again)
			wantConflict(t, "CreateConnector", err, "id", []string{c.ID})
			createConnector(t, s, newConnector("b", 2))
		}},
		{"get of a missing connector is not found", func(t *testing.T, s Store) {
			_, err := s.GetConnector(t.Context(), webhook.NewID(webhook.PrefixConnector, at(0)))
			wantErr(t, "GetConnector", err, webhook.ErrNotFound)
		}},
		{"update bumps version, keeps CreatedAt, moves the name", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			u := c
			u.Name, u.Type, u.Login, u.SecretUpdatedAt, u.UpdatedAt = "crm2", webhook.ConnectorBasic, "bob", at(5), at(5)
			u.CreatedAt = at(50)
			got := must(s.UpdateConnector(t.Context(), u))(t, "UpdateConnector")
			want := u
			want.Version, want.CreatedAt = 2, c.CreatedAt
			checkEqual(t, "UpdateConnector", got, want)
			checkEqual(t, "GetConnector", must(s.GetConnector(t.Context(), c.ID))(t, "GetConnector"), want)
			createConnector(t, s, newConnector("crm", 6))
			_, err := s.CreateConnector(t.Context(), newConnector("crm2", 7))
			wantConflict(t, "CreateConnector with the new name", err, "name", []string{c.ID})
		}},
		{"update with a stale version is a version error", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			must(s.UpdateConnector(t.Context(), c))(t, "UpdateConnector")
			_, err := s.UpdateConnector(t.Context(), c)
			wantErr(t, "UpdateConnector stale", err, webhook.ErrVersion)
		}},
		{"update of a missing connector is not found", func(t *testing.T, s Store) {
			c := newConnector("crm", 0)
			c.Version = 1
			_, err := s.UpdateConnector(t.Context(), c)
			wantErr(t, "UpdateConnector", err, webhook.ErrNotFound)
		}},
		{"update to a taken name is a name conflict", func(t *testing.T, s Store) {
			a := createConnector(t, s, newConnector("a", 0))
			b := createConnector(t, s, newConnector("b", 1))
			b.Name = "a"
			_, err := s.UpdateConnector(t.Context(), b)
			wantConflict(t, "UpdateConnector", err, "name", []string{a.ID})
		}},
		{"update keeps the connector's users", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			w := createWebhook(t, s, newWebhook("WH5", c.ID, 1))
			c.Name = "crm2"
			must(s.UpdateConnector(t.Context(), c))(t, "UpdateConnector")
			wantConflict(t, "DeleteConnector", s.DeleteConnector(t.Context(), c.ID), "connectorId", []string{w.ID})
		}},
		{"delete is refused while active webhooks use it, naming them", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			other := createConnector(t, s, newConnector("other", 1))
			a := createWebhook(t, s, newWebhook("A", c.ID, 2))
			b := createWebhook(t, s, newWebhook("B", c.ID, 3))
			createWebhook(t, s, newWebhook("C", other.ID, 4))
			gone := createWebhook(t, s, newWebhook("D", c.ID, 5))
			must(s.DeleteWebhook(t.Context(), gone.ID, at(6)))(t, "DeleteWebhook")
			ce := wantConflict(t, "DeleteConnector", s.DeleteConnector(t.Context(), c.ID), "connectorId", []string{a.ID, b.ID})
			if !sameSet(ce.Names, []string{"A", "B"}) {
				t.Errorf("conflict names: got %q, want %q", ce.Names, []string{"A", "B"})
			}
			must(s.GetConnector(t.Context(), c.ID))(t, "GetConnector after a refused delete")
		}},
		{"delete succeeds once its webhooks are deleted or moved", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			a := createWebhook(t, s, newWebhook("A", c.ID, 1))
			b := createWebhook(t, s, newWebhook("B", c.ID, 2))
			must(s.DeleteWebhook(t.Context(), a.ID, at(3)))(t, "DeleteWebhook")
			b.ConnectorID = ""
			must(s.UpdateWebhook(t.Context(), b))(t, "UpdateWebhook")
			mustOK(t, "DeleteConnector", s.DeleteConnector(t.Context(), c.ID))
			_, err := s.GetConnector(t.Context(), c.ID)
			wantErr(t, "GetConnector after delete", err, webhook.ErrNotFound)
			createConnector(t, s, newConnector("crm", 4)) // the name is free
			_, err = s.CreateWebhook(t.Context(), newWebhook("E", c.ID, 5))
			wantConflict(t, "CreateWebhook with the deleted connector", err, "connectorId", nil)
		}},
		{"delete of a missing connector is not found", func(t *testing.T, s Store) {
			err := s.DeleteConnector(t.Context(), webhook.NewID(webhook.PrefixConnector, at(0)))
			wantErr(t, "DeleteConnector", err, webhook.ErrNotFound)
		}},
		{"list oldest first", func(t *testing.T, s Store) {
			var want []string
			for i := range 5 {
				c := createConnector(t, s, newConnector(fmt.Sprintf("c%d", i), 10-i))
				want = append([]string{c.ID}, want...)
			}
			got := must(func() ([]webhook.Connector, error) {
				cs, _, err := s.ListConnectors(t.Context(), store.Page{})
				return cs, err
			}())(t, "ListConnectors")
			checkEqual(t, "ListConnectors", ids(got, connectorID), want)
		}},
		{"concurrent webhook creates and a connector delete never leave a dangling reference", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			errs := race(racers, func(i int) error {
				if i == racers/2 {
					return s.DeleteConnector(t.Context(), c.ID)
				}
				_, err := s.CreateWebhook(t.Context(), newWebhook(fmt.Sprintf("w%d", i), c.ID, i))
				return err
			})
			_, getErr := s.GetConnector(t.Context(), c.ID)
			active := listAllWebhooks(t, s, false)
			if getErr == nil {
				if errs[racers/2] == nil {
					t.Fatalf("DeleteConnector succeeded but GetConnector still finds it")
				}
				// The refusal names the users at the time of the delete; creates that
				// came later may have added more.
				ce := wantConflict(t, "DeleteConnector", errs[racers/2], "connectorId", nil)
				if len(ce.IDs) == 0 {
					t.Errorf("DeleteConnector refused naming no webhook")
				}
				for _, id := range ce.IDs {
					if !slices.Contains(ids(active, webhookID), id) {
						t.Errorf("DeleteConnector names %s, which is not an active webhook", id)
					}
				}
				return
			}
			wantErr(t, "GetConnector", getErr, webhook.ErrNotFound)
			if len(active) != 0 {
				t.Fatalf("connector deleted but %d active webhooks use it: %q", len(active), ids(active, webhookID))
			}
		}},
	}
}
