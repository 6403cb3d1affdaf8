package intake

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/webhook"
)

func newStore(t *testing.T) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func addWorkflow(t *testing.T, st *embedded.Store, id, eventType string, enabled bool) {
	t.Helper()
	now := time.Now().UTC()
	_, err := st.CreateWorkflow(t.Context(), webhook.Workflow{ID: id, Name: id, Enabled: enabled, Trigger: webhook.Trigger{EventType: eventType},
		Steps: []webhook.Step{{ID: "m", Type: webhook.StepMessage, Channel: "email", Body: "hi"}}, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
}

func event(t *testing.T, body string) webhook.Event {
	t.Helper()
	ev, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestAcceptQueuesOneRunPerEnabledWorkflow(t *testing.T) {
	st := newStore(t)
	addWorkflow(t, st, "f_a", "order_created", true)
	addWorkflow(t, st, "f_b", "order_created", true)
	addWorkflow(t, st, "f_off", "order_created", false)
	addWorkflow(t, st, "f_other", "signup", true)
	svc := NewService(st, 0, nil)
	res, err := svc.Accept(t.Context(), event(t, `{"eventTypeKey":"order_created","params":[{"name":"Email","value":"Ann@Example.com"},{"name":"orderId","value":"A-17"}]}`), SourceAPI, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{RunID(res.EventID, "f_a"), RunID(res.EventID, "f_b")}
	got := append([]string(nil), res.RunIDs...)
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("runs = %v, want %v", got, want)
	}
	c, err := st.ContactByEmail(t.Context(), "ann@example.com")
	if err != nil {
		t.Fatalf("the contact was not created: %v", err)
	}
	for _, id := range res.RunIDs {
		r, err := st.GetRun(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != webhook.StatusQueued || r.ContactID != c.ID || r.EventID != res.EventID || r.ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) {
			t.Errorf("run %+v: want queued, for contact %s and event %s, expiring in 30 days", r, c.ID, res.EventID)
		}
	}
	ev, err := st.GetEvent(t.Context(), res.EventID)
	if err != nil || ev.ContactID != c.ID || string(ev.Params[1].Value) != `"A-17"` {
		t.Errorf("stored event %+v, %v", ev, err)
	}
}

// TestAcceptIsIdempotent: the same source id answers with the first ids, even when the
// deliveries race, and creates one event, one contact and one run per workflow.
func TestAcceptIsIdempotent(t *testing.T) {
	st := newStore(t)
	addWorkflow(t, st, "f_a", "order", true)
	svc := NewService(st, 0, nil)
	body := `{"eventTypeKey":"order","params":{"phone":"+380 50 123 45 67"}}`
	var wg sync.WaitGroup
	results := make([]Result, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := svc.Accept(t.Context(), event(t, body), SourceAPI, "key-1")
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	dups := 0
	for _, r := range results {
		if r.EventID != results[0].EventID || len(r.RunIDs) != 1 || r.RunIDs[0] != results[0].RunIDs[0] {
			t.Fatalf("deliveries disagree: %+v vs %+v", r, results[0])
		}
		if r.Duplicate {
			dups++
		}
	}
	if dups != len(results)-1 {
		t.Errorf("%d duplicates, want %d", dups, len(results)-1)
	}
	evs, _, err := st.ListEvents(t.Context(), "", storePage())
	if err != nil || len(evs) != 1 {
		t.Errorf("events stored: %d (%v), want 1", len(evs), err)
	}
	cs, _, err := st.ListContacts(t.Context(), storePage())
	if err != nil || len(cs) != 1 || cs[0].Phone != "+380501234567" {
		t.Errorf("contacts: %+v (%v), want one with the normalized phone", cs, err)
	}
	// Another source id is another event.
	r, err := svc.Accept(t.Context(), event(t, body), SourceAPI, "key-2")
	if err != nil || r.EventID == results[0].EventID || r.Duplicate {
		t.Errorf("a new key was treated as a duplicate: %+v %v", r, err)
	}
}

// TestRedeliveryKeepsTheFirstWorkflows: a workflow enabled or disabled between two
// deliveries of one event changes nothing: the redelivery starts no run the first did
// not, and answers with the first delivery's run ids.
func TestRedeliveryKeepsTheFirstWorkflows(t *testing.T) {
	cases := []struct {
		name    string
		between func(t *testing.T, st *embedded.Store)
	}{
		{"a workflow enabled in between", func(t *testing.T, st *embedded.Store) {
			addWorkflow(t, st, "f_new", "order", true)
		}},
		{"a workflow disabled in between", func(t *testing.T, st *embedded.Store) {
			f, err := st.GetWorkflow(t.Context(), "f_a")
			if err != nil {
				t.Fatal(err)
			}
			f.Enabled = false
			if _, err := st.UpdateWorkflow(t.Context(), f); err != nil {
				t.Fatal(err)
			}
		}},
		{"nothing changed", func(*testing.T, *embedded.Store) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			addWorkflow(t, st, "f_a", "order", true)
			svc := NewService(st, 0, nil)
			body := `{"eventTypeKey":"order","params":{"email":"ann@example.com"}}`
			first, err := svc.Accept(t.Context(), event(t, body), SourceEventBridge, "eb-1")
			if err != nil {
				t.Fatal(err)
			}
			tc.between(t, st)
			again, err := svc.Accept(t.Context(), event(t, body), SourceEventBridge, "eb-1")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{RunID(first.EventID, "f_a")}
			if !again.Duplicate || again.EventID != first.EventID || !slices.Equal(again.RunIDs, want) || !slices.Equal(first.RunIDs, want) {
				t.Errorf("first %+v, again %+v: want the same event and runs %v", first, again, want)
			}
			runs, err := st.RunsForEvent(t.Context(), first.EventID)
			if err != nil || len(runs) != 1 {
				t.Errorf("runs of the event: %d (%v), want 1", len(runs), err)
			}
		})
	}
}

func TestAcceptFindsContactByPriority(t *testing.T) {
	st := newStore(t)
	now := time.Now().UTC()
	byID, _ := st.CreateContact(t.Context(), webhook.Contact{ID: "ct_1", Email: "one@example.com", CreatedAt: now, UpdatedAt: now})
	byEmail, _ := st.CreateContact(t.Context(), webhook.Contact{ID: "ct_2", Email: "two@example.com", CreatedAt: now, UpdatedAt: now})
	_, _ = st.CreateContact(t.Context(), webhook.Contact{ID: "ct_3", Email: "three@example.com", ExternalCustomerID: "ext-3", CreatedAt: now, UpdatedAt: now})
	svc := NewService(st, 0, nil)
	tests := []struct {
		name, body, want string
	}{
		{"contact id wins", `{"eventTypeKey":"x","params":{"ContactId":"ct_1","email":"two@example.com"}}`, byID.ID},
		{"email", `{"eventTypeKey":"x","params":{"UserEmail":"TWO@example.com"}}`, byEmail.ID},
		{"external id alone", `{"eventTypeKey":"x","params":{"externalCustomerId":"ext-3"}}`, "ct_3"},
		{"email with another external id makes a new contact", `{"eventTypeKey":"x","params":{"email":"three@example.com","externalCustomerId":"other"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := svc.Accept(t.Context(), event(t, tt.body), SourceAPI, "")
			if tt.want == "" {
				// The email is taken by a contact with another external id: Reteno creates a
				// contact for sending, but the email must stay unique, so this is refused.
				if err == nil && r.ContactID == "ct_3" {
					t.Fatalf("matched ct_3 despite a different external id")
				}
				return
			}
			if err != nil || r.ContactID != tt.want {
				t.Fatalf("contact = %q (%v), want %q", r.ContactID, err, tt.want)
			}
		})
	}
}

func TestFromParamsEventBridge(t *testing.T) {
	ev, err := FromParams("order_created", json.RawMessage(`{"email":"a@b.c","total":990}`))
	if err != nil || ev.TypeKey != "order_created" || len(ev.Params) != 2 || string(ev.Params[1].Value) != "990" {
		t.Fatalf("FromParams = %+v, %v", ev, err)
	}
	if _, err := FromParams("bad/type", json.RawMessage(`{"email":"a@b.c"}`)); err == nil {
		t.Fatal("a forbidden character in detail-type was accepted")
	}
}

func storePage() store.Page { return store.Page{Limit: 100} }
