package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

var rawType = reflect.TypeFor[json.RawMessage]()

// filled returns a T with every field set to a distinct non-zero value (nested records
// and slices one level deep), so a store that forgets a field, including one added to
// the domain types later, fails the round-trip cases.
func filled[T any]() T {
	var v T
	fill(reflect.ValueOf(&v).Elem(), reflect.TypeFor[T]().Name(), 0)
	return v
}

func fill(v reflect.Value, path string, depth int) {
	switch {
	case v.Type() == timeType:
		// Nanoseconds, to catch a store that truncates times.
		v.Set(reflect.ValueOf(t0.Add(time.Duration(len(path))*time.Hour + 123456789)))
		return
	case v.Type() == rawType:
		v.SetBytes([]byte(fmt.Sprintf(`{"path": %q, "n": [1, 2.50, 1e3], "o": {"z": 1, "a": null}}`, path)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(path + " ✓")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(len(path)))
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), path+"."+v.Type().Field(i).Name, depth)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, depth)
	case reflect.Slice:
		if depth > 1 {
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, fmt.Sprintf("%s.key%d", path, i), depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, fmt.Sprintf("%s[key%d]", path, i), depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		panic(fmt.Sprintf("storetest: cannot fill %s of kind %s", path, v.Kind()))
	}
}

func roundTripCases() []testCase {
	return []testCase{
		{"webhook", func(t *testing.T, s Store) {
			c := createConnector(t, s, newConnector("crm", 0))
			w := filled[webhook.Webhook]()
			w.ConnectorID, w.DeletedAt = c.ID, time.Time{}
			want := w
			want.Version = 1
			checkEqual(t, "CreateWebhook", must(s.CreateWebhook(t.Context(), w))(t, "CreateWebhook"), want)
			checkEqual(t, "GetWebhook", must(s.GetWebhook(t.Context(), w.ID))(t, "GetWebhook"), want)
			ws, _, err := s.ListWebhooks(t.Context(), false, store.Page{})
			checkEqual(t, "ListWebhooks", must(ws, err)(t, "ListWebhooks"), []webhook.Webhook{want})
			want.Version, want.DeletedAt, want.UpdatedAt = 2, at(9), at(9)
			checkEqual(t, "DeleteWebhook", must(s.DeleteWebhook(t.Context(), w.ID, at(9)))(t, "DeleteWebhook"), want)
			ws, _, err = s.ListWebhooks(t.Context(), true, store.Page{})
			checkEqual(t, "ListWebhooks deleted", must(ws, err)(t, "ListWebhooks"), []webhook.Webhook{want})
		}},
		{"connector", func(t *testing.T, s Store) {
			c := filled[webhook.Connector]()
			want := c
			want.Version = 1
			checkEqual(t, "CreateConnector", must(s.CreateConnector(t.Context(), c))(t, "CreateConnector"), want)
			checkEqual(t, "GetConnector", must(s.GetConnector(t.Context(), c.ID))(t, "GetConnector"), want)
			cs, _, err := s.ListConnectors(t.Context(), store.Page{})
			checkEqual(t, "ListConnectors", must(cs, err)(t, "ListConnectors"), []webhook.Connector{want})
		}},
		{"contact", func(t *testing.T, s Store) {
			c := filled[webhook.Contact]()
			want := c
			want.Version = 1
			checkEqual(t, "CreateContact", must(s.CreateContact(t.Context(), c))(t, "CreateContact"), want)
			checkEqual(t, "GetContact", must(s.GetContact(t.Context(), c.ID))(t, "GetContact"), want)
			checkEqual(t, "ContactByEmail", must(s.ContactByEmail(t.Context(), c.Email))(t, "ContactByEmail"), want)
			checkEqual(t, "ContactByPhone", must(s.ContactByPhone(t.Context(), c.Phone))(t, "ContactByPhone"), want)
			checkEqual(t, "ContactByExternalID", must(s.ContactByExternalID(t.Context(), c.ExternalCustomerID))(t, "ContactByExternalID"), want)
			cs, _, err := s.ListContacts(t.Context(), store.Page{})
			checkEqual(t, "ListContacts", must(cs, err)(t, "ListContacts"), []webhook.Contact{want})
			cs, _, err = s.SearchContacts(t.Context(), c.Email[:3], store.Page{})
			checkEqual(t, "SearchContacts", must(cs, err)(t, "SearchContacts"), []webhook.Contact{want})
		}},
		{"segment", func(t *testing.T, s Store) {
			g := filled[webhook.Segment]()
			checkEqual(t, "CreateSegment", must(s.CreateSegment(t.Context(), g))(t, "CreateSegment"), g)
			checkEqual(t, "GetSegment", must(s.GetSegment(t.Context(), g.ID))(t, "GetSegment"), g)
			gs, _, err := s.ListSegments(t.Context(), store.Page{})
			checkEqual(t, "ListSegments", must(gs, err)(t, "ListSegments"), []webhook.Segment{g})
		}},
		{"event", func(t *testing.T, s Store) {
			e := filled[webhook.Event]()
			checkEqual(t, "PutEvent", putEvent(t, s, e), e)
			checkEqual(t, "GetEvent", must(s.GetEvent(t.Context(), e.ID))(t, "GetEvent"), e)
			es, _, err := s.ListEvents(t.Context(), e.TypeKey, store.Page{})
			checkEqual(t, "ListEvents", must(es, err)(t, "ListEvents"), []webhook.Event{e})
		}},
		{"workflow", func(t *testing.T, s Store) {
			f := filled[webhook.Workflow]()
			want := f
			want.Version = 1
			checkEqual(t, "CreateWorkflow", must(s.CreateWorkflow(t.Context(), f))(t, "CreateWorkflow"), want)
			checkEqual(t, "GetWorkflow", must(s.GetWorkflow(t.Context(), f.ID))(t, "GetWorkflow"), want)
			checkEqual(t, "TriggeredWorkflows", must(s.TriggeredWorkflows(t.Context(), f.Trigger.EventType))(t, "TriggeredWorkflows"), []webhook.Workflow{want})
		}},
		{"run and step", func(t *testing.T, s Store) {
			r := filled[webhook.Run]()
			r.Steps = nil
			want := r
			want.Status, want.Version = webhook.StatusQueued, 1
			checkEqual(t, "CreateRun", createRun(t, s, r), want)
			checkEqual(t, "GetRun", getRun(t, s, r.ID), want)
			rs, _, err := s.ListRuns(t.Context(), r.WorkflowID, store.Page{})
			checkEqual(t, "ListRuns", must(rs, err)(t, "ListRuns"), []webhook.Run{want})
			checkEqual(t, "RunsForEvent", must(s.RunsForEvent(t.Context(), r.EventID))(t, "RunsForEvent"), []webhook.Run{want})
			step := filled[webhook.StepRecord]()
			mustOK(t, "RecordStep", s.RecordStep(t.Context(), r.ID, 0, step))
			want.Steps = []webhook.StepRecord{step}
			checkEqual(t, "GetRun with a step", getRun(t, s, r.ID), want)
		}},
	}
}
