// Package stack wires the whole Flowhook stack in one process on the embedded store —
// every HTTP route of every function behind one handler, and the dispatcher that plays
// the runs stream's part. The local runner (`make run`), the end-to-end tests and the
// load benchmark all use it, so they exercise one wiring.
package stack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/httpapi"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/send"
	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/workflow"
)

// Config is what a Stack needs.
type Config struct {
	// DataDir holds the store, the secrets file and its key, and tokens.json.
	DataDir string
	// Egress configures the outbound client (allowances for a local test server).
	Egress egress.Config
	// Log receives the JSON request and run lines; nil discards them.
	Log *slog.Logger
	// Metrics receives EMF lines; nil discards them.
	Metrics io.Writer
	// Workers is the dispatcher's pool size; 0 means 4.
	Workers int
	// NoSync skips fsync on store commits (tests and benchmarks only).
	NoSync bool
}

// Stack is a running Flowhook.
type Stack struct {
	// Handler serves every route.
	Handler http.Handler
	// Tokens are the API tokens (created on first start, kept in DataDir/tokens.json).
	Tokens auth.Tokens
	// Store is the embedded store.
	Store *embedded.Store
	// Executor executes runs; the dispatcher calls it, tests may call it to redeliver.
	Executor *workflow.Executor

	dispatcher *workflow.Dispatcher
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	sweepEvery time.Duration
	log        *slog.Logger
}

// New opens the stores in cfg.DataDir and builds the handler tree and the dispatcher.
// Call Start to dispatch runs and Close to stop.
func New(cfg Config) (*Stack, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mout := cfg.Metrics
	if mout == nil {
		mout = io.Discard
	}
	em := metrics.New(mout, nil)
	st, err := embedded.Open(filepath.Join(cfg.DataDir, "flowhook.db"), embedded.Options{NoSync: cfg.NoSync})
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			st.Close()
		}
	}()
	sec, err := secrets.OpenFile(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	tokens, err := auth.LoadOrCreateTokens(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	checker, err := auth.NewChecker(tokens.Hashes())
	if err != nil {
		return nil, err
	}
	client, err := egress.NewClient(cfg.Egress)
	if err != nil {
		return nil, err
	}
	tools := render.Tools(nil, nil)
	renderer := render.NewRenderer(tools, velocity.Limits{})
	sender := send.New(send.Config{Store: st, Secrets: sec, Delivery: delivery.New(client, delivery.Options{}), Tools: tools, Metrics: em, Log: log})
	exec := workflow.NewExecutor(workflow.ExecutorConfig{Store: st, Caller: sender, Renderer: renderer, Metrics: em, Log: log})
	workers := cfg.Workers
	if workers <= 0 {
		workers = 4
	}
	s := &Stack{
		Handler: httpapi.Handler(log, checker,
			[]httpapi.Route{httpapi.Health(), openAPIRoute()},
			httpapi.Management(httpapi.Config{Store: st, Secrets: sec, Log: log}),
			httpapi.Intake(httpapi.IntakeConfig{Intake: intake.NewService(st, 0, nil), Metrics: em, Log: log}),
			httpapi.Render(httpapi.RenderConfig{Store: st, Renderer: renderer, Log: log}),
			httpapi.TestRequests(httpapi.TestRequestConfig{Store: st, Sender: sender, Log: log}),
		),
		Tokens:     tokens,
		Store:      st,
		Executor:   exec,
		dispatcher: workflow.NewDispatcher(exec, st, workers, log),
		sweepEvery: time.Hour,
		log:        log,
	}
	ok = true
	return s, nil
}

// Start dispatches runs (resuming every pending one) and sweeps expired events and runs
// hourly, until Close.
func (s *Stack) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_ = s.dispatcher.Run(ctx)
	}()
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.sweepEvery)
		defer t.Stop()
		for {
			if n, err := s.Store.Sweep(ctx, time.Now()); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "sweep expired records", "error", err.Error())
			} else if n > 0 {
				s.log.InfoContext(ctx, "swept expired records", "records", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops the dispatcher (runs in progress stay pending and resume on the next
// start) and closes the store.
func (s *Stack) Close() error {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
	return s.Store.Close()
}

// openAPIRoute serves the OpenAPI document to admin tokens: design §8 leaves only
// /healthz open, and the document is also in the repository.
func openAPIRoute() httpapi.Route {
	return httpapi.Route{Pattern: "GET /openapi.yaml", Scope: auth.ScopeAdmin, Handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(httpapi.OpenAPI)
	}}
}
