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

	"github.com/flowhook/flowhook/infra/stack"
	"github.com/flowhook/flowhook/shared/egress"
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
	ecfg, err := egress.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(out, nil))
	s, err := stack.New(stack.Config{DataDir: cfg.DataDir, Egress: ecfg, Log: log})
	if err != nil {
		return err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set FLOWHOOK_ADDR to use another address): %w", cfg.Addr, err)
	}
	s.Start()
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "\nFlowhook is running on http://%s (data in %s)\n", ln.Addr(), cfg.DataDir)
	fmt.Fprintf(out, "  admin token:  %s\n  ingest token: %s\n", s.Tokens.Admin, s.Tokens.Ingest)
	fmt.Fprintf(out, "  (also in %s)\n", filepath.Join(cfg.DataDir, "tokens.json"))
	if len(ecfg.AllowCIDRs) > 0 || ecfg.ExtraCAFile != "" {
		fmt.Fprintf(out, "  webhooks may also reach %v, trusting %q\n", ecfg.AllowCIDRs, ecfg.ExtraCAFile)
	}
	fmt.Fprintln(out)
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
