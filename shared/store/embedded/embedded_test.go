package embedded_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/store/storetest"
	"github.com/flowhook/flowhook/shared/webhook"
)

var _ storetest.Store = (*embedded.Store)(nil)

// open returns a store in a fresh file, closed when t ends.
func open(t *testing.T) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "flowhook.db"), embedded.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t) })
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestOpenRefusesAFileAnotherOpenerHolds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "flowhook.db") // directories are created
	first, err := embedded.Open(path, embedded.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer first.Close()
	_, err = embedded.Open(path, embedded.Options{LockTimeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "another process holds its lock") || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Open: got %v, want an error naming the file and the lock", err)
	}
}

func TestDataSurvivesReopening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flowhook.db")
	s, err := embedded.Open(path, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := webhook.Webhook{ID: "w_1", Name: "WH5", Method: webhook.MethodGet, URL: "https://x.example/", CreatedAt: t0}
	if _, err := s.CreateWebhook(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = embedded.Open(path, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.GetWebhook(t.Context(), "w_1")
	if err != nil || got.Name != "WH5" || got.Version != 1 {
		t.Fatalf("after reopening: got %+v, %v; want the webhook", got, err)
	}
	if _, err := s.CreateWebhook(t.Context(), webhook.Webhook{ID: "w_2", Name: "WH5"}); !errors.Is(err, webhook.ErrConflict) {
		t.Fatalf("after reopening, the name index is lost: got %v, want a conflict", err)
	}
}

func run(id string, created time.Time, expires time.Time) webhook.Run {
	return webhook.Run{ID: id, WorkflowID: "f_1", EventID: "e_1", CreatedAt: created, UpdatedAt: created, ExpiresAt: expires}
}

func TestOnRunCreatedAnnouncesNewRunsOnly(t *testing.T) {
	s := open(t)
	var got []string
	cancel := s.OnRunCreated(func(id string) { got = append(got, id) })
	var second []string
	s.OnRunCreated(func(id string) { second = append(second, id) })
	steps := []struct {
		name string
		id   string
	}{{"new run", "r_1"}, {"the same run again", "r_1"}, {"another run", "r_2"}}
	for _, st := range steps {
		if _, _, err := s.CreateRun(t.Context(), run(st.id, t0, time.Time{})); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	if want := []string{"r_1", "r_2"}; !slices.Equal(got, want) || !slices.Equal(second, want) {
		t.Fatalf("announced %q and %q, want %q to both listeners", got, second, want)
	}
	cancel()
	if _, _, err := s.CreateRun(t.Context(), run("r_3", t0, time.Time{})); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(second) != 3 {
		t.Fatalf("after cancel: first listener got %q, second %q; want only the second told of r_3", got, second)
	}
}

func TestPendingRunsAreQueuedAndRunningOnes(t *testing.T) {
	s := open(t)
	for i, id := range []string{"r_b", "r_a", "r_done", "r_failed"} {
		if _, _, err := s.CreateRun(t.Context(), run(id, t0.Add(time.Duration(-i)*time.Minute), time.Time{})); err != nil {
			t.Fatal(err)
		}
	}
	set := func(id string, to webhook.RunStatus) {
		t.Helper()
		from := []webhook.RunStatus{webhook.StatusQueued, webhook.StatusRunning}
		if _, err := s.SetRunStatus(t.Context(), store.RunUpdate{RunID: id, From: from, To: to, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	set("r_a", webhook.StatusRunning)
	set("r_done", webhook.StatusRunning)
	set("r_done", webhook.StatusSucceeded)
	set("r_failed", webhook.StatusFailed)
	step := webhook.StepRecord{ID: "wh", Type: webhook.StepWebhook, Status: webhook.StatusSucceeded}
	if err := s.RecordStep(t.Context(), "r_a", 0, step); err != nil {
		t.Fatal(err)
	}
	got, err := s.PendingRuns(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, fmt.Sprintf("%s:%s:%d", r.ID, r.Status, len(r.Steps)))
	}
	// Oldest first: r_a was created a minute before r_b; its recorded step comes along.
	if want := []string{"r_a:running:1", "r_b:queued:0"}; !slices.Equal(ids, want) {
		t.Fatalf("PendingRuns: got %q, want %q", ids, want)
	}
}

func TestSweepDeletesExpiredEventsAndRuns(t *testing.T) {
	s, err := embedded.Open(filepath.Join(t.TempDir(), "flowhook.db"), embedded.Options{EventRetention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	for _, e := range []webhook.Event{
		{ID: "e_old", TypeKey: "t", Source: "api", SourceID: "k1", ReceivedAt: t0},
		{ID: "e_new", TypeKey: "t", Source: "api", SourceID: "k2", ReceivedAt: t0.Add(48 * time.Hour)},
	} {
		if _, _, err := s.PutEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []webhook.Run{run("r_old", t0, t0.Add(time.Hour)), run("r_new", t0, t0.Add(100*time.Hour)), run("r_forever", t0, time.Time{})} {
		if _, _, err := s.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordStep(ctx, r.ID, 0, webhook.StepRecord{ID: "m", Type: webhook.StepMessage}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Sweep(ctx, t0.Add(50*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Sweep deleted %d records, want 2 (e_old, r_old)", n)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"e_old", func() error { _, err := s.GetEvent(ctx, "e_old"); return err }()},
		{"r_old", func() error { _, err := s.GetRun(ctx, "r_old"); return err }()},
	} {
		if !errors.Is(tc.err, webhook.ErrNotFound) {
			t.Errorf("%s after Sweep: got %v, want not found", tc.name, tc.err)
		}
	}
	for _, id := range []string{"r_new", "r_forever"} {
		if _, err := s.GetRun(ctx, id); err != nil {
			t.Errorf("%s after Sweep: %v", id, err)
		}
	}
	es, _, err := s.ListEvents(ctx, "t", store.Page{})
	if err != nil || len(es) != 1 || es[0].ID != "e_new" {
		t.Errorf("ListEvents after Sweep: got %v, %v; want only e_new", es, err)
	}
	rs, _, err := s.ListRuns(ctx, "f_1", store.Page{})
	if err != nil || len(rs) != 2 {
		t.Errorf("ListRuns after Sweep: got %d runs, %v; want 2", len(rs), err)
	}
	// The expired event's source id is free again.
	if _, created, err := s.PutEvent(ctx, webhook.Event{ID: "e_again", TypeKey: "t", Source: "api", SourceID: "k1", ReceivedAt: t0.Add(50 * time.Hour)}); err != nil || !created {
		t.Errorf("PutEvent with the expired source id: created=%v, %v; want created", created, err)
	}
	if n, err := s.Sweep(ctx, t0.Add(50*time.Hour)); err != nil || n != 0 {
		t.Errorf("second Sweep: deleted %d, %v; want 0", n, err)
	}
}
