package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/httpapi"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/velocity"
)

// Config is the runner's settings.
type Config struct {
	Addr    string
	DataDir string
}

func configFromEnv() Config {
	c := Config{Addr: "127.0.0.1:3000", DataDir: ".flowhook"}
	if v := os.Getenv("FLOWHOOK_ADDR"); v != "" {
		c.Addr = v
	}
	if v := os.Getenv("FLOWHOOK_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	return c
}

// run serves until ctx ends. ready, when not nil, receives the listener's address once
// the server accepts connections (tests use it; GET /healthz answers from then on).
func run(ctx context.Context, cfg Config, out io.Writer, ready chan<- string) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(out, nil))
	st, err := embedded.Open(filepath.Join(cfg.DataDir, "flowhook.db"), embedded.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	sec, err := secrets.OpenFile(cfg.DataDir)
	if err != nil {
		return err
	}
	tokens, err := auth.LoadOrCreateTokens(cfg.DataDir)
	if err != nil {
		return err
	}
	checker, err := auth.NewChecker(tokens.Hashes())
	if err != nil {
		return err
	}
	em := metrics.New(io.Discard, nil) // EMF lines matter in CloudWatch only
	h := httpapi.Handler(log, checker,
		[]httpapi.Route{httpapi.Health(), openAPIRoute()},
		httpapi.Management(httpapi.Config{Store: st, Secrets: sec, Log: log}),
		httpapi.Intake(httpapi.IntakeConfig{Intake: intake.NewService(st, 0, nil), Metrics: em, Log: log}),
		httpapi.Render(httpapi.RenderConfig{Store: st, Renderer: render.NewRenderer(render.Tools(nil, nil), velocity.Limits{}), Log: log}),
	)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set FLOWHOOK_ADDR to use another address): %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "\nFlowhook is running on http://%s (data in %s)\n", ln.Addr(), cfg.DataDir)
	fmt.Fprintf(out, "  admin token:  %s\n  ingest token: %s\n", tokens.Admin, tokens.Ingest)
	fmt.Fprintf(out, "  (also in %s)\n\n", filepath.Join(cfg.DataDir, "tokens.json"))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openAPIRoute serves the OpenAPI document without credentials.
func openAPIRoute() httpapi.Route {
	return httpapi.Route{Pattern: "GET /openapi.yaml", Scope: auth.ScopeNone, Handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(httpapi.OpenAPI)
	}}
}
