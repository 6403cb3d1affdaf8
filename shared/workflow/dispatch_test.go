package workflow

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// fakeSource stands in for the embedded store's notifications; a fake is needed to
// drop a notification on purpose.
type fakeSource struct {
	mu      sync.Mutex
	pending []webhook.Run
	notify  func(string)
}

func (f *fakeSource) PendingRuns(context.Context) ([]webhook.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]webhook.Run(nil), f.pending...), nil
}

func (f *fakeSource) OnRunCreated(fn func(string)) func() {
	f.mu.Lock()
	f.notify = fn
	f.mu.Unlock()
	return func() {}
}

func (f *fakeSource) create(id string, announce bool) {
	f.mu.Lock()
	f.pending = append(f.pending, webhook.Run{ID: id})
	n := f.notify
	f.mu.Unlock()
	if announce && n != nil {
		n(id)
	}
}

func (f *fakeSource) done(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.pending {
		if r.ID == id {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			return
		}
	}
}

// recorder executes runs by counting them; a run fails its first failFirst executions.
type recorder struct {
	src       *fakeSource
	mu        sync.Mutex
	count     map[string]int
	active    map[string]bool
	overlap   atomic.Bool
	failFirst int
}

func (r *recorder) Execute(_ context.Context, id string) error {
	r.mu.Lock()
	if r.active[id] {
		r.overlap.Store(true)
	}
	r.active[id] = true
	r.count[id]++
	n := r.count[id]
	r.mu.Unlock()
	time.Sleep(time.Millisecond)
	r.mu.Lock()
	delete(r.active, id)
	r.mu.Unlock()
	if n <= r.failFirst {
		return errors.New("storage hiccup")
	}
	r.src.done(id)
	return nil
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDispatcher(t *testing.T) {
	tests := []struct {
		name      string
		failFirst int
		missed    bool // the notification is lost: only the rescan finds the run
	}{
		{name: "runs each new run once"},
		{name: "retries a failed execution", failFirst: 2},
		{name: "finds a run whose notification was lost", missed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{}
			src.create("r_old", false) // pending before the start: resumed
			rec := &recorder{src: src, count: map[string]int{}, active: map[string]bool{}, failFirst: tt.failFirst}
			d := NewDispatcher(rec, src, 3, nil)
			d.Rescan, d.RetryBase = 20*time.Millisecond, time.Millisecond
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error)
			go func() { done <- d.Run(ctx) }()
			waitFor(t, func() bool { src.mu.Lock(); defer src.mu.Unlock(); return src.notify != nil })
			for _, id := range []string{"r_1", "r_2", "r_3"} {
				src.create(id, !tt.missed)
				d.Enqueue(id) // a duplicate notification must not run it twice at once
			}
			waitFor(t, func() bool { p, _ := src.PendingRuns(ctx); return len(p) == 0 })
			cancel()
			<-done
			if rec.overlap.Load() {
				t.Error("one run executed by two workers at once")
			}
			for _, id := range []string{"r_old", "r_1", "r_2", "r_3"} {
				if rec.count[id] < tt.failFirst+1 {
					t.Errorf("%s executed %d times, want at least %d", id, rec.count[id], tt.failFirst+1)
				}
			}
		})
	}
}
