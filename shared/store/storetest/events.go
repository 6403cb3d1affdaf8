package storetest

import (
	"encoding/json"
	"testing"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// newEvent returns an event of typeKey received at at(i), without a SourceID, with
// params of every JSON type.
func newEvent(typeKey string, i int) webhook.Event {
	return webhook.Event{
		ID:       webhook.NewID(webhook.PrefixEvent, at(i)),
		TypeKey:  typeKey,
		KeyValue: "ann@example.com",
		Params: []webhook.Param{
			{Name: "email", Value: json.RawMessage(`"ann@example.com"`)},
			{Name: "orderId", Value: json.RawMessage(`"A-17"`)},
			{Name: "total", Value: json.RawMessage(`12.50`)},
			{Name: "big", Value: json.RawMessage(`123456789012345678901234567890`)},
			{Name: "items", Value: json.RawMessage(`[{"sku": "X-1", "qty": 2}]`)},
			{Name: "gift", Value: json.RawMessage(`false`)},
			{Name: "note", Value: json.RawMessage(`null`)},
			{Name: "email", Value: json.RawMessage(`"repeated names keep their order"`)},
		},
		ContactID:   "ct_1",
		Source:      "api",
		ReceivedAt:  at(i),
		WorkflowIDs: []string{"f_1", "f_2"},
	}
}

func putEvent(t *testing.T, s Store, e webhook.Event) webhook.Event {
	t.Helper()
	got, created, err := s.PutEvent(t.Context(), e)
	if err != nil {
		t.Fatalf("PutEvent %s: %v", e.ID, err)
	}
	if !created {
		t.Fatalf("PutEvent %s: got created=false, want true", e.ID)
	}
	return got
}

// listEvents lists every event of typeKey ("" for all), following cursors.
func listEvents(t *testing.T, s Store, typeKey string) []string {
	t.Helper()
	return walk(t, store.MaxLimit, func(p store.Page) ([]string, string, error) {
		es, next, err := s.ListEvents(t.Context(), typeKey, p)
		return ids(es, eventID), next, err
	})
}

func eventCases() []testCase {
	return []testCase{
		{"put then get returns it", func(t *testing.T, s Store) {
			e := newEvent("order_created", 0)
			checkEqual(t, "PutEvent", putEvent(t, s, e), e)
			checkEqual(t, "GetEvent", must(s.GetEvent(t.Context(), e.ID))(t, "GetEvent"), e)
		}},
		{"an event with no params or contact", func(t *testing.T, s Store) {
			e := newEvent("ping", 0)
			e.Params, e.ContactID, e.KeyValue, e.WorkflowIDs = nil, "", "", nil
			putEvent(t, s, e)
			checkEqual(t, "GetEvent", must(s.GetEvent(t.Context(), e.ID))(t, "GetEvent"), e)
		}},
		{"get of a missing event is not found", func(t *testing.T, s Store) {
			_, err := s.GetEvent(t.Context(), webhook.NewID(webhook.PrefixEvent, at(0)))
			wantErr(t, "GetEvent", err, webhook.ErrNotFound)
		}},
		{"a repeated Source and SourceID returns the first event and stores nothing", func(t *testing.T, s Store) {
			first := newEvent("order_created", 0)
			first.SourceID = "idem-1"
			putEvent(t, s, first)
			again := newEvent("order_created", 1)
			again.SourceID = "idem-1"
			again.KeyValue = "someone else"
			again.WorkflowIDs = []string{"f_enabled_since"}
			got, created, err := s.PutEvent(t.Context(), again)
			mustOK(t, "PutEvent again", err)
			checkEqual(t, "created", created, false)
			checkEqual(t, "PutEvent again", got, first)
			_, err = s.GetEvent(t.Context(), again.ID)
			wantErr(t, "GetEvent of the repeat", err, webhook.ErrNotFound)
			checkEqual(t, "ListEvents", listEvents(t, s, ""), []string{first.ID})
		}},
		{"the same SourceID from another Source is another event", func(t *testing.T, s Store) {
			a := newEvent("order_created", 0)
			a.SourceID = "1"
			b := newEvent("order_created", 1)
			b.Source, b.SourceID = "eventbridge", "1"
			putEvent(t, s, a)
			putEvent(t, s, b)
			checkEqual(t, "ListEvents", listEvents(t, s, ""), []string{b.ID, a.ID})
		}},
		{"a repeated ID returns the stored event", func(t *testing.T, s Store) {
			e := newEvent("order_created", 0)
			putEvent(t, s, e)
			again := e
			again.KeyValue = "changed"
			got, created, err := s.PutEvent(t.Context(), again)
			mustOK(t, "PutEvent again", err)
			checkEqual(t, "created", created, false)
			checkEqual(t, "PutEvent again", got, e)
			checkEqual(t, "GetEvent", must(s.GetEvent(t.Context(), e.ID))(t, "GetEvent"), e)
		}},
		{"events without a SourceID are never merged", func(t *testing.T, s Store) {
			a := putEvent(t, s, newEvent("order_created", 0))
			b := putEvent(t, s, newEvent("order_created", 0))
			checkEqual(t, "ListEvents", sameSet(listEvents(t, s, "order_created"), []string{a.ID, b.ID}), true)
		}},
		{"list by type, newest first", func(t *testing.T, s Store) {
			a := putEvent(t, s, newEvent("order_created", 0))
			b := putEvent(t, s, newEvent("order_paid", 1))
			c := putEvent(t, s, newEvent("order_created", 2))
			checkEqual(t, "all", listEvents(t, s, ""), []string{c.ID, b.ID, a.ID})
			checkEqual(t, "order_created", listEvents(t, s, "order_created"), []string{c.ID, a.ID})
			checkEqual(t, "order_paid", listEvents(t, s, "order_paid"), []string{b.ID})
			checkEqual(t, "unknown type", listEvents(t, s, "order"), []string(nil))
		}},
		{"concurrent puts of one SourceID: exactly one is created", func(t *testing.T, s Store) {
			got := make([]webhook.Event, racers)
			created := make([]bool, racers)
			errs := race(racers, func(i int) error {
				e := newEvent("order_created", i)
				e.Source, e.SourceID = "eventbridge", "eb-1"
				var err error
				got[i], created[i], err = s.PutEvent(t.Context(), e)
				return err
			})
			n := 0
			for i, err := range errs {
				mustOK(t, "PutEvent", err)
				if created[i] {
					n++
				}
				if got[i].ID != got[0].ID {
					t.Errorf("racer %d got event %s, racer 0 got %s; want one event for all", i, got[i].ID, got[0].ID)
				}
			}
			if n != 1 {
				t.Fatalf("got %d created events, want exactly 1", n)
			}
			checkEqual(t, "ListEvents", listEvents(t, s, ""), []string{got[0].ID})
		}},
	}
}
