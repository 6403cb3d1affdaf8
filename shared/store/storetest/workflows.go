package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// newWorkflow returns an enabled workflow triggered by eventType, created at at(i), with
// a webhook step and a condition whose branches hold message steps.
func newWorkflow(name, eventType string, i int) webhook.Workflow {
	return webhook.Workflow{
		ID:      webhook.NewID(webhook.PrefixWorkflow, at(i)),
		Name:    name,
		Enabled: true,
		Trigger: webhook.Trigger{EventType: eventType},
		Steps: []webhook.Step{
			{ID: "wh", Type: webhook.StepWebhook, WebhookID: "w_1",
				Contact: webhook.ContactSelector{Email: "${email}"}, OnFailure: webhook.OnFailureStop},
			{ID: "vip", Type: webhook.StepCondition, Variable: "WH5", Pattern: `"tier":"vip"`,
				Then: []webhook.Step{{ID: "m1", Type: webhook.StepMessage, Channel: "email", Subject: "For you", Body: "VIP: $data.get('WH5')"}},
				Else: []webhook.Step{
					{ID: "inner", Type: webhook.StepCondition, Expression: "$TOWN == 'Kyiv'",
						Then: []webhook.Step{{ID: "m2", Type: webhook.StepMessage, Channel: "email", Subject: "Kyiv", Body: "Hi"}}},
					{ID: "m3", Type: webhook.StepMessage, Channel: "sms", Body: "Your code"},
				}},
		},
		CreatedAt: at(i),
		UpdatedAt: at(i),
	}
}

func createWorkflow(t *testing.T, s Store, f webhook.Workflow) webhook.Workflow {
	t.Helper()
	return must(s.CreateWorkflow(t.Context(), f))(t, "CreateWorkflow "+f.Name)
}

// triggered returns the IDs of TriggeredWorkflows(eventType).
func triggered(t *testing.T, s Store, eventType string) []string {
	t.Helper()
	return ids(must(s.TriggeredWorkflows(t.Context(), eventType))(t, "TriggeredWorkflows "+eventType), workflowID)
}

func workflowCases() []testCase {
	return []testCase{
		{"create then get returns it with version 1", func(t *testing.T, s Store) {
			f := newWorkflow("promo on order", "order_created", 0)
			got := createWorkflow(t, s, f)
			want := f
			want.Version = 1
			checkEqual(t, "CreateWorkflow", got, want)
			checkEqual(t, "GetWorkflow", must(s.GetWorkflow(t.Context(), f.ID))(t, "GetWorkflow"), want)
		}},
		{"get of a missing workflow is not found", func(t *testing.T, s Store) {
			_, err := s.GetWorkflow(t.Context(), webhook.NewID(webhook.PrefixWorkflow, at(0)))
			wantErr(t, "GetWorkflow", err, webhook.ErrNotFound)
		}},
		{"create with an id in use is an id conflict", func(t *testing.T, s Store) {
			f := createWorkflow(t, s, newWorkflow("a", "order_created", 0))
			again := newWorkflow("b", "order_paid", 1)
			again.ID = f.ID
			_, err := s.CreateWorkflow(t.Context(), again)
			wantConflict(t, "CreateWorkflow", err, "id", []string{f.ID})
			checkEqual(t, "order_paid triggers", triggered(t, s, "order_paid"), []string(nil))
		}},
		{"update bumps version and keeps CreatedAt", func(t *testing.T, s Store) {
			f := createWorkflow(t, s, newWorkflow("a", "order_created", 0))
			u := f
			u.Name, u.Steps, u.UpdatedAt, u.CreatedAt = "b", u.Steps[:1], at(4), at(40)
			got := must(s.UpdateWorkflow(t.Context(), u))(t, "UpdateWorkflow")
			want := u
			want.Version, want.CreatedAt = 2, f.CreatedAt
			checkEqual(t, "UpdateWorkflow", got, want)
			checkEqual(t, "GetWorkflow", must(s.GetWorkflow(t.Context(), f.ID))(t, "GetWorkflow"), want)
		}},
		{"update with a stale version is a version error", func(t *testing.T, s Store) {
			f := createWorkflow(t, s, newWorkflow("a", "order_created", 0))
			must(s.UpdateWorkflow(t.Context(), f))(t, "UpdateWorkflow")
			f.Enabled = false
			_, err := s.UpdateWorkflow(t.Context(), f)
			wantErr(t, "UpdateWorkflow stale", err, webhook.ErrVersion)
			checkEqual(t, "still triggered", triggered(t, s, "order_created"), []string{f.ID})
		}},
		{"update of a missing workflow is not found", func(t *testing.T, s Store) {
			f := newWorkflow("a", "order_created", 0)
			f.Version = 1
			_, err := s.UpdateWorkflow(t.Context(), f)
			wantErr(t, "UpdateWorkflow", err, webhook.ErrNotFound)
		}},
		{"delete removes it, from the trigger index too", func(t *testing.T, s Store) {
			f := createWorkflow(t, s, newWorkflow("a", "order_created", 0))
			mustOK(t, "DeleteWorkflow", s.DeleteWorkflow(t.Context(), f.ID))
			_, err := s.GetWorkflow(t.Context(), f.ID)
			wantErr(t, "GetWorkflow", err, webhook.ErrNotFound)
			checkEqual(t, "triggered", triggered(t, s, "order_created"), []string(nil))
			fs, _, err := s.ListWorkflows(t.Context(), store.Page{})
			mustOK(t, "ListWorkflows", err)
			checkEqual(t, "listed", len(fs), 0)
			wantErr(t, "DeleteWorkflow again", s.DeleteWorkflow(t.Context(), f.ID), webhook.ErrNotFound)
		}},
		{"triggered workflows are the enabled ones of the type, oldest first", func(t *testing.T, s Store) {
			b := createWorkflow(t, s, newWorkflow("b", "order_created", 2))
			a := createWorkflow(t, s, newWorkflow("a", "order_created", 1))
			off := newWorkflow("off", "order_created", 3)
			off.Enabled = false
			createWorkflow(t, s, off)
			paid := createWorkflow(t, s, newWorkflow("paid", "order_paid", 4))
			for _, tc := range []struct {
				eventType string
				want      []string
			}{
				{"order_created", []string{a.ID, b.ID}},
				{"order_paid", []string{paid.ID}},
				{"order", nil},
				{"ORDER_CREATED", nil}, // event types are case-sensitive
			} {
				checkEqual(t, "triggered "+tc.eventType, triggered(t, s, tc.eventType), tc.want)
			}
			got := must(s.TriggeredWorkflows(t.Context(), "order_paid"))(t, "TriggeredWorkflows")
			want := paid
			checkEqual(t, "full workflow", got, []webhook.Workflow{want})
		}},
		{"updates move workflows in and out of the trigger index", func(t *testing.T, s Store) {
			f := createWorkflow(t, s, newWorkflow("a", "order_created", 0))
			steps := []struct {
				name    string
				change  func(*webhook.Workflow)
				created []string
				paid    []string
			}{
				{"disable", func(f *webhook.Workflow) { f.Enabled = false }, nil, nil},
				{"enable", func(f *webhook.Workflow) { f.Enabled = true }, []string{f.ID}, nil},
				{"change trigger", func(f *webhook.Workflow) { f.Trigger.EventType = "order_paid" }, nil, []string{f.ID}},
				{"disable and change back", func(f *webhook.Workflow) { f.Enabled, f.Trigger.EventType = false, "order_created" }, nil, nil},
			}
			for _, st := range steps {
				st.change(&f)
				f = must(s.UpdateWorkflow(t.Context(), f))(t, "UpdateWorkflow "+st.name)
				checkEqual(t, st.name+": order_created", triggered(t, s, "order_created"), st.created)
				checkEqual(t, st.name+": order_paid", triggered(t, s, "order_paid"), st.paid)
			}
		}},
		{"many triggered workflows are all returned", func(t *testing.T, s Store) {
			var want []string
			for i := range 30 {
				want = append(want, createWorkflow(t, s, newWorkflow(fmt.Sprintf("f%d", i), "order_created", i)).ID)
			}
			checkEqual(t, "triggered", triggered(t, s, "order_created"), want)
		}},
		{"concurrent updates of one version: exactly one wins", func(t *testing.T, s Store) {
			f := createWorkflow(t, s, newWorkflow("a", "order_created", 0))
			errs := race(racers, func(i int) error {
				u := f
				u.Enabled = i%2 == 0
				u.Name = fmt.Sprintf("writer %d", i)
				_, err := s.UpdateWorkflow(t.Context(), u)
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
			}
			got := must(s.GetWorkflow(t.Context(), f.ID))(t, "GetWorkflow")
			checkEqual(t, "name", got.Name, fmt.Sprintf("writer %d", win[0]))
			var want []string
			if got.Enabled {
				want = []string{f.ID}
			}
			checkEqual(t, "triggered", triggered(t, s, "order_created"), want)
		}},
	}
}
