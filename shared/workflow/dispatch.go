package workflow

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// RunSource is what a Dispatcher reads runs from: the embedded store, which plays the
// DynamoDB stream's part locally.
type RunSource interface {
	// PendingRuns returns the runs in status queued or running.
	PendingRuns(ctx context.Context) ([]webhook.Run, error)
	// OnRunCreated registers f for the id of every new run; f must not block.
	OnRunCreated(f func(runID string)) (cancel func())
}

// RunExecutor executes (or resumes) one run; it must be idempotent.
type RunExecutor interface {
	Execute(ctx context.Context, runID string) error
}

// Dispatcher executes runs as they are created, with a small pool of workers, the way
// the runs table's stream triggers execute in AWS: at least once, resuming after a
// restart (it starts with every queued or running run) and retrying a run whose
// execution failed, with backoff. One run is never executed by two workers at once.
type Dispatcher struct {
	exec    RunExecutor
	src     RunSource
	workers int
	log     *slog.Logger
	// Rescan is how often pending runs are looked up again, catching any run whose
	// notification was missed; RetryBase is the first retry delay of a failed run.
	Rescan, RetryBase time.Duration

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []string
	queued   map[string]bool
	inflight map[string]bool
	closed   bool
	failures map[string]int
}

// NewDispatcher returns a Dispatcher with workers goroutines (at least 1).
func NewDispatcher(exec RunExecutor, src RunSource, workers int, log *slog.Logger) *Dispatcher {
	if workers < 1 {
		workers = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{exec: exec, src: src, workers: workers, log: log, Rescan: 30 * time.Second, RetryBase: time.Second,
		queued: map[string]bool{}, inflight: map[string]bool{}, failures: map[string]int{}}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// Enqueue schedules a run; a run already queued is not queued twice. It never blocks.
func (d *Dispatcher) Enqueue(runID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.queued[runID] {
		return
	}
	d.queued[runID] = true
	d.queue = append(d.queue, runID)
	d.cond.Signal()
}

// Run dispatches until ctx ends, then waits for the runs in progress to stop (their
// context is cancelled; a cancelled run stays pending and resumes on the next start).
func (d *Dispatcher) Run(ctx context.Context) error {
	cancel := d.src.OnRunCreated(d.Enqueue)
	defer cancel()
	d.enqueuePending(ctx)
	var wg sync.WaitGroup
	for range d.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.work(ctx)
		}()
	}
	t := time.NewTicker(d.Rescan)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			d.mu.Lock()
			d.closed = true
			d.cond.Broadcast()
			d.mu.Unlock()
			wg.Wait()
			return nil
		case <-t.C:
			d.enqueuePending(ctx)
		}
	}
}

func (d *Dispatcher) enqueuePending(ctx context.Context) {
	runs, err := d.src.PendingRuns(ctx)
	if err != nil {
		d.log.ErrorContext(ctx, "list pending runs", "error", err.Error())
		return
	}
	for _, r := range runs {
		d.Enqueue(r.ID)
	}
}

// next waits for a run no other worker holds; ok is false once the dispatcher closed.
func (d *Dispatcher) next() (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		if d.closed {
			return "", false
		}
		for i, id := range d.queue {
			if !d.inflight[id] {
				d.queue = append(d.queue[:i], d.queue[i+1:]...)
				delete(d.queued, id)
				d.inflight[id] = true
				return id, true
			}
		}
		d.cond.Wait()
	}
}

func (d *Dispatcher) work(ctx context.Context) {
	for {
		id, ok := d.next()
		if !ok {
			return
		}
		err := d.exec.Execute(ctx, id)
		d.mu.Lock()
		delete(d.inflight, id)
		var retry time.Duration
		if err != nil && ctx.Err() == nil {
			n := d.failures[id]
			d.failures[id] = n + 1
			retry = d.RetryBase << min(n, 6)
		} else {
			delete(d.failures, id)
		}
		d.cond.Broadcast()
		d.mu.Unlock()
		if retry > 0 {
			d.log.WarnContext(ctx, "run execution failed; retrying", "runId", id, "retryIn", retry.String(), "error", err.Error())
			time.AfterFunc(retry, func() { d.Enqueue(id) })
		}
	}
}
