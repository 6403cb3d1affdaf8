package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// newRun returns a queued run of workflowID for eventID created at at(i), expiring 30
// days later.
func newRun(workflowID, eventID string, i int) webhook.Run {
	return webhook.Run{
		ID:         webhook.NewID(webhook.PrefixRun, at(i)),
		WorkflowID: workflowID,
		EventID:    eventID,
		ContactID:  "ct_1",
		Status:     webhook.StatusQueued,
		CreatedAt:  at(i),
		UpdatedAt:  at(i),
		ExpiresAt:  at(i).Add(30 * 24 * time.Hour),
	}
}

func createRun(t *testing.T, s Store, r webhook.Run) webhook.Run {
	t.Helper()
	got, created, err := s.CreateRun(t.Context(), r)
	if err != nil {
		t.Fatalf("CreateRun %s: %v", r.ID, err)
	}
	if !created {
		t.Fatalf("CreateRun %s: got created=false, want true", r.ID)
	}
	return got
}

// webhookStep returns the record of a webhook step that took two attempts.
func webhookStep(id string, i int) webhook.StepRecord {
	return webhook.StepRecord{
		ID:             id,
		Type:           webhook.StepWebhook,
		Status:         webhook.StatusSucceeded,
		WebhookID:      "w_1",
		WebhookName:    "WH5",
		WebhookVersion: 3,
		Request: &webhook.RequestRecord{
			Method: "POST",
			URL:    "https://promo.example.com/codes?email=ann%40example.com&city=Kyiv",
			Headers: []webhook.Header{
				{Name: "Authorization", Value: "Bearer ********"},
				{Name: "Idempotency-Key", Value: "r_1:" + id},
			},
			Body: `{"city":"Kyiv"}`,
		},
		Attempts: []webhook.Attempt{
			{Status: 503, Headers: []webhook.Header{{Name: "Retry-After", Value: "1"}}, Body: "busy",
				StartedAt: at(i), DurationMs: 12, ErrorClass: webhook.ClassHTTP5xx, Error: "503 Service Unavailable"},
			{Status: 200, Headers: []webhook.Header{{Name: "Content-Type", Value: "application/json"}},
				Body: `{"promocode":"SPRING-7Q2X"}`, StartedAt: at(i).Add(time.Second), DurationMs: 41},
		},
		Data:       json.RawMessage(`{"promocode": "SPRING-7Q2X", "n": 7.0, "list": [true, null]}`),
		StartedAt:  at(i),
		FinishedAt: at(i).Add(2 * time.Second),
	}
}

// messageStep returns the record of a message step.
func messageStep(id string, i int) webhook.StepRecord {
	return webhook.StepRecord{
		ID:         id,
		Type:       webhook.StepMessage,
		Status:     webhook.StatusSucceeded,
		Message:    &webhook.Message{Channel: "email", Subject: "For you", Body: "Your code: SPRING-7Q2X"},
		StartedAt:  at(i),
		FinishedAt: at(i),
	}
}

func getRun(t *testing.T, s Store, id string) webhook.Run {
	t.Helper()
	return must(s.GetRun(t.Context(), id))(t, "GetRun")
}

func runCases() []testCase {
	return []testCase{
		{"create then get returns it queued with version 1", func(t *testing.T, s Store) {
			r := newRun("f_1", "e_1", 0)
			r.Status = ""
			got := createRun(t, s, r)
			want := r
			want.Status, want.Version = webhook.StatusQueued, 1
			checkEqual(t, "CreateRun", got, want)
			checkEqual(t, "GetRun", getRun(t, s, r.ID), want)
		}},
		{"create of an existing run returns the stored one", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			mustOK(t, "RecordStep", s.RecordStep(t.Context(), r.ID, 0, messageStep("m1", 1)))
			again := r
			again.ContactID = "someone else"
			got, created, err := s.CreateRun(t.Context(), again)
			mustOK(t, "CreateRun again", err)
			checkEqual(t, "created", created, false)
			want := r
			want.Steps = []webhook.StepRecord{messageStep("m1", 1)}
			checkEqual(t, "CreateRun again", got, want)
		}},
		{"create with steps is refused", func(t *testing.T, s Store) {
			r := newRun("f_1", "e_1", 0)
			r.Steps = []webhook.StepRecord{messageStep("m1", 1)}
			if _, _, err := s.CreateRun(t.Context(), r); err == nil {
				t.Fatalf("CreateRun with steps: got no error, want one")
			}
			_, err := s.GetRun(t.Context(), r.ID)
			wantErr(t, "GetRun", err, webhook.ErrNotFound)
		}},
		{"get of a missing run is not found", func(t *testing.T, s Store) {
			_, err := s.GetRun(t.Context(), webhook.NewID(webhook.PrefixRun, at(0)))
			wantErr(t, "GetRun", err, webhook.ErrNotFound)
		}},
		{"recorded steps come back in seq order", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			steps := []webhook.StepRecord{webhookStep("wh", 1), {ID: "vip", Type: webhook.StepCondition, Status: webhook.StatusSucceeded, Branch: "else"}, messageStep("m2", 3)}
			for _, seq := range []int{2, 0, 1} { // recorded out of order
				mustOK(t, fmt.Sprintf("RecordStep %d", seq), s.RecordStep(t.Context(), r.ID, seq, steps[seq]))
			}
			want := r
			want.Steps = steps
			checkEqual(t, "GetRun", getRun(t, s, r.ID), want)
		}},
		{"seq order is numeric, past 9 and 99", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			seqs := []int{100, 9, 0, 10, 99, 2, 1000, 11, 101}
			for _, seq := range seqs {
				mustOK(t, "RecordStep", s.RecordStep(t.Context(), r.ID, seq, messageStep(fmt.Sprint(seq), seq)))
			}
			var got []string
			for _, st := range getRun(t, s, r.ID).Steps {
				got = append(got, st.ID)
			}
			recorded := []string{"0", "2", "9", "10", "11", "99", "100", "101", "1000"}
			checkEqual(t, "step order", got, recorded)
		}},
		{"a negative seq is refused", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			if err := s.RecordStep(t.Context(), r.ID, -1, messageStep("m", 0)); err == nil {
				t.Fatalf("RecordStep -1: got no error, want one")
			}
			checkEqual(t, "steps", getRun(t, s, r.ID).Steps, []webhook.StepRecord(nil))
		}},
		{"a seq is recorded exactly once", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			mustOK(t, "RecordStep", s.RecordStep(t.Context(), r.ID, 0, messageStep("first", 1)))
			wantConflict(t, "RecordStep again", s.RecordStep(t.Context(), r.ID, 0, messageStep("second", 2)), "seq", nil)
			checkEqual(t, "steps", getRun(t, s, r.ID).Steps, []webhook.StepRecord{messageStep("first", 1)})
		}},
		{"concurrent records of one seq: exactly one wins", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			errs := race(racers, func(i int) error {
				return s.RecordStep(t.Context(), r.ID, 0, messageStep(fmt.Sprintf("racer%d", i), i))
			})
			win := winners(errs)
			if len(win) != 1 {
				t.Fatalf("got %d successful records (errors %v), want exactly 1", len(win), errs)
			}
			for i, err := range errs {
				if i != win[0] {
					wantConflict(t, "RecordStep", err, "seq", nil)
				}
			}
			checkEqual(t, "steps", getRun(t, s, r.ID).Steps, []webhook.StepRecord{messageStep(fmt.Sprintf("racer%d", win[0]), win[0])})
		}},
		{"recording a step of a missing run is not found", func(t *testing.T, s Store) {
			err := s.RecordStep(t.Context(), webhook.NewID(webhook.PrefixRun, at(0)), 0, messageStep("m", 0))
			wantErr(t, "RecordStep", err, webhook.ErrNotFound)
		}},
		{"a step with capped bodies of every attempt fits", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			big := webhookStep("wh", 1)
			big.Request.Body = strings.Repeat("q", webhook.MaxRecordedBody)
			big.Attempts = nil
			for i := range webhook.MaxAttemptsLimit {
				big.Attempts = append(big.Attempts, webhook.Attempt{
					Status: 500, Body: strings.Repeat(fmt.Sprint(i), webhook.MaxRecordedBody), Truncated: true,
					StartedAt: at(i), DurationMs: int64(i), ErrorClass: webhook.ClassHTTP5xx,
				})
			}
			big.Data = json.RawMessage(`{"blob": "` + strings.Repeat("d", 64<<10) + `"}`)
			mustOK(t, "RecordStep", s.RecordStep(t.Context(), r.ID, 0, big))
			want := r
			want.Steps = []webhook.StepRecord{big}
			checkEqual(t, "GetRun", getRun(t, s, r.ID), want)
		}},
		{"a long run keeps every step", func(t *testing.T, s Store) {
			// 40 steps of about 100 KB each: far past one item's or page's size.
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			var want []webhook.StepRecord
			for seq := range 40 {
				st := webhookStep(fmt.Sprintf("s%d", seq), seq)
				st.Attempts[1].Body = strings.Repeat(fmt.Sprint(seq%10), 100<<10)
				mustOK(t, "RecordStep", s.RecordStep(t.Context(), r.ID, seq, st))
				want = append(want, st)
			}
			got := getRun(t, s, r.ID)
			checkEqual(t, "steps", len(got.Steps), len(want))
			checkEqual(t, "GetRun", got.Steps, want)
		}},
		{"status moves only from the given states", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			running := must(s.SetRunStatus(t.Context(), store.RunUpdate{
				RunID: r.ID, From: []webhook.RunStatus{webhook.StatusQueued}, To: webhook.StatusRunning, At: at(1),
			}))(t, "SetRunStatus running")
			want := r
			want.Status, want.UpdatedAt, want.Version = webhook.StatusRunning, at(1), 2
			checkEqual(t, "running", running, want)
			_, err := s.SetRunStatus(t.Context(), store.RunUpdate{
				RunID: r.ID, From: []webhook.RunStatus{webhook.StatusQueued}, To: webhook.StatusRunning, At: at(2),
			})
			wantErr(t, "SetRunStatus from queued again", err, webhook.ErrVersion)
			_, err = s.SetRunStatus(t.Context(), store.RunUpdate{RunID: r.ID, To: webhook.StatusStopped, At: at(2)})
			wantErr(t, "SetRunStatus from no state", err, webhook.ErrVersion)
			failed := must(s.SetRunStatus(t.Context(), store.RunUpdate{
				RunID: r.ID, From: []webhook.RunStatus{webhook.StatusQueued, webhook.StatusRunning}, To: webhook.StatusFailed,
				FailedStep: "wh", Reason: "the webhook answered 404", At: at(3),
			}))(t, "SetRunStatus failed")
			want.Status, want.UpdatedAt, want.FinishedAt, want.Version = webhook.StatusFailed, at(3), at(3), 3
			want.FailedStep, want.Reason = "wh", "the webhook answered 404"
			checkEqual(t, "failed", failed, want)
			checkEqual(t, "GetRun", getRun(t, s, r.ID), want)
		}},
		{"every terminal status sets FinishedAt", func(t *testing.T, s Store) {
			for i, to := range []webhook.RunStatus{webhook.StatusSucceeded, webhook.StatusFailed, webhook.StatusStopped} {
				r := createRun(t, s, newRun("f_1", "e_1", i))
				got := must(s.SetRunStatus(t.Context(), store.RunUpdate{
					RunID: r.ID, From: []webhook.RunStatus{webhook.StatusQueued}, To: to, At: at(10 + i),
				}))(t, "SetRunStatus")
				checkEqual(t, string(to)+" FinishedAt", got.FinishedAt, at(10+i))
			}
			r := createRun(t, s, newRun("f_1", "e_1", 5))
			got := must(s.SetRunStatus(t.Context(), store.RunUpdate{
				RunID: r.ID, From: []webhook.RunStatus{webhook.StatusQueued}, To: webhook.StatusRunning, At: at(20),
			}))(t, "SetRunStatus running")
			checkEqual(t, "running FinishedAt", got.FinishedAt, time.Time{})
		}},
		{"status of a missing run is not found", func(t *testing.T, s Store) {
			_, err := s.SetRunStatus(t.Context(), store.RunUpdate{
				RunID: webhook.NewID(webhook.PrefixRun, at(0)), From: []webhook.RunStatus{webhook.StatusQueued}, To: webhook.StatusRunning, At: at(1),
			})
			wantErr(t, "SetRunStatus", err, webhook.ErrNotFound)
		}},
		{"concurrent claims of a queued run: exactly one wins", func(t *testing.T, s Store) {
			r := createRun(t, s, newRun("f_1", "e_1", 0))
			errs := race(racers, func(i int) error {
				_, err := s.SetRunStatus(t.Context(), store.RunUpdate{
					RunID: r.ID, From: []webhook.RunStatus{webhook.StatusQueued}, To: webhook.StatusRunning, At: at(1 + i),
				})
				return err
			})
			win := winners(errs)
			if len(win) != 1 {
				t.Fatalf("got %d successful claims (errors %v), want exactly 1", len(win), errs)
			}
			for i, err := range errs {
				if i != win[0] && !errors.Is(err, webhook.ErrVersion) {
					t.Errorf("loser %d: got %v, want ErrVersion", i, err)
				}
			}
			got := getRun(t, s, r.ID)
			checkEqual(t, "UpdatedAt", got.UpdatedAt, at(1+win[0]))
			checkEqual(t, "Version", got.Version, int64(2))
		}},
		{"runs of a workflow, newest first, without steps", func(t *testing.T, s Store) {
			a := createRun(t, s, newRun("f_1", "e_1", 0))
			b := createRun(t, s, newRun("f_1", "e_2", 1))
			createRun(t, s, newRun("f_2", "e_1", 2))
			mustOK(t, "RecordStep", s.RecordStep(t.Context(), a.ID, 0, messageStep("m", 0)))
			got, next, err := s.ListRuns(t.Context(), "f_1", store.Page{})
			mustOK(t, "ListRuns", err)
			checkEqual(t, "cursor", next, "")
			checkEqual(t, "ListRuns", got, []webhook.Run{b, a})
			got, _, err = s.ListRuns(t.Context(), "f_3", store.Page{})
			mustOK(t, "ListRuns", err)
			checkEqual(t, "ListRuns of a workflow without runs", len(got), 0)
		}},
		{"runs an event started, oldest first, without steps", func(t *testing.T, s Store) {
			b := createRun(t, s, newRun("f_2", "e_1", 1))
			a := createRun(t, s, newRun("f_1", "e_1", 0))
			createRun(t, s, newRun("f_1", "e_2", 2))
			mustOK(t, "RecordStep", s.RecordStep(t.Context(), a.ID, 0, messageStep("m", 0)))
			checkEqual(t, "RunsForEvent e_1", must(s.RunsForEvent(t.Context(), "e_1"))(t, "RunsForEvent"), []webhook.Run{a, b})
			checkEqual(t, "RunsForEvent e_3", must(s.RunsForEvent(t.Context(), "e_3"))(t, "RunsForEvent"), []webhook.Run(nil))
		}},
		{"an event with many runs returns them all", func(t *testing.T, s Store) {
			var want []string
			for i := range 25 {
				want = append(want, createRun(t, s, newRun(fmt.Sprintf("f_%d", i), "e_1", i)).ID)
			}
			checkEqual(t, "RunsForEvent", ids(must(s.RunsForEvent(t.Context(), "e_1"))(t, "RunsForEvent"), runID), want)
		}},
	}
}
