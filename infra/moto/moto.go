// Package moto gives tests an AWS emulator: moto_server (DynamoDB with transactions,
// GSIs, streams and TTL; Secrets Manager; EventBridge), and SDK configs pointed at it.
//
// A test calls Start(t). When FLOWHOOK_MOTO_ENDPOINT names a running moto_server, Start
// reuses it; otherwise it starts `moto_server -H 127.0.0.1 -p <free port>` as a child
// process, waits until it answers and stops it when the test ends. A package with many
// such tests should start one server for all of them from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }
//
// Tests share a server, so each test isolates itself by naming what it creates with
// Name(t, base) (unique per call) instead of resetting the server, which would wipe the
// tables of tests running in parallel in this and other packages.
//
// Clients never talk to moto_server directly but through a small in-process proxy that
// lets one DynamoDB request at a time through. moto applies a TransactWriteItems by
// deep-copying the tables it touches, writing, and on a failed condition putting the copy
// back, without a lock: two concurrent requests on one table can then lose a write. AWS
// DynamoDB is linearizable per item, so serializing the requests makes moto behave like
// it, and concurrency tests (two updates racing on one version) test the store rather
// than the emulator. Requests to other services pass through unserialized, so a long
// poll cannot hold up DynamoDB.
package moto

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/flowhook/flowhook/infra/proc"
)

// EnvEndpoint names the environment variable holding the URL of a running moto_server
// (such as http://127.0.0.1:5000) for Start and Main to reuse.
const EnvEndpoint = "FLOWHOOK_MOTO_ENDPOINT"

// Region is the region of every config this package builds.
const Region = "us-east-1"

// installHint says what to do when moto_server is missing.
const installHint = "moto_server is not on PATH: install it with `pip install 'moto[server]'` " +
	"(moto 5.x), or set " + EnvEndpoint + " to the URL of a running moto_server"

// readyTimeout bounds the wait for a fresh moto_server to answer (it takes about 3 s on
// an idle machine; CI machines are noisy).
const readyTimeout = 60 * time.Second

// Server is a moto_server reachable through the serializing proxy.
type Server struct {
	endpoint string
	upstream string
}

// Endpoint returns the URL clients use (the proxy in front of moto_server).
func (s *Server) Endpoint() string { return s.endpoint }

// AWSConfig returns an SDK config for this server, as AWSConfig does.
func (s *Server) AWSConfig() aws.Config { return AWSConfig(context.Background(), s.endpoint) }

// Reset wipes every resource on the server (moto's POST /moto-api/reset). Only a test
// that has the server to itself may call it: it also wipes other tests' tables.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint+"/moto-api/reset", nil)
	if err != nil {
		return fmt.Errorf("moto: reset: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("moto: reset: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto: reset: status %s", resp.Status)
	}
	return nil
}

// AWSConfig returns an SDK config for the emulator at endpoint: region us-east-1, static
// test credentials and BaseEndpoint set, nothing read from the environment or from
// ~/.aws, so a developer's real credentials can never reach a test. ctx is unused; the
// signature mirrors config.LoadDefaultConfig so call sites read alike.
func AWSConfig(ctx context.Context, endpoint string) aws.Config {
	_ = ctx
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

var (
	attachMu sync.Mutex
	attached = map[string]*Server{}
)

// Start returns a server for t: the one FLOWHOOK_MOTO_ENDPOINT names (set by Main or by
// the developer), or else a moto_server started for t and stopped when t ends. It fails
// t, never skips it, when moto_server is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	if ep := os.Getenv(EnvEndpoint); ep != "" {
		s, err := attach(ep)
		if err != nil {
			t.Fatalf("moto: %v", err)
		}
		return s
	}
	s, stop, err := Launch()
	if err != nil {
		t.Fatalf("moto: %v", err)
	}
	t.Cleanup(stop)
	return s
}

// Main runs a package's tests with one moto_server for all of them, for TestMain:
// it starts the server (unless FLOWHOOK_MOTO_ENDPOINT names one), points
// FLOWHOOK_MOTO_ENDPOINT at it so Start reuses it, runs m and stops the server.
// It returns the exit code for os.Exit.
func Main(m *testing.M) int {
	if os.Getenv(EnvEndpoint) != "" {
		return m.Run()
	}
	s, stop, err := Launch()
	if err != nil {
		fmt.Fprintln(os.Stderr, "moto:", err)
		return 1
	}
	defer stop()
	if err := os.Setenv(EnvEndpoint, s.upstream); err != nil {
		fmt.Fprintln(os.Stderr, "moto:", err)
		return 1
	}
	return m.Run()
}

// attach returns the process's proxy to the running moto_server at endpoint, creating it
// on first use. The proxy lives as long as the process.
func attach(endpoint string) (*Server, error) {
	attachMu.Lock()
	defer attachMu.Unlock()
	if s, ok := attached[endpoint]; ok {
		return s, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%s=%q is not a URL like http://127.0.0.1:5000", EnvEndpoint, endpoint)
	}
	p, _, err := startProxy(u)
	if err != nil {
		return nil, err
	}
	s := &Server{endpoint: p, upstream: strings.TrimSuffix(endpoint, "/")}
	attached[endpoint] = s
	return s, nil
}

// Launch starts a moto_server child process on a free loopback port and a proxy in front
// of it, waits until it answers, and returns it with the function that stops both.
func Launch() (*Server, func(), error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, nil, errors.New(installHint)
	}
	var lastErr error
	for range 3 { // a port found free can be taken before moto binds it
		upstream, stopMoto, err := launch(bin)
		if err != nil {
			lastErr = err
			continue
		}
		u, _ := url.Parse(upstream)
		p, stopProxy, err := startProxy(u)
		if err != nil {
			stopMoto()
			return nil, nil, err
		}
		stop := func() {
			stopProxy()
			stopMoto()
		}
		return &Server{endpoint: p, upstream: upstream}, stop, nil
	}
	return nil, nil, lastErr
}

// launch starts one moto_server and waits for it to answer.
func launch(bin string) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, fmt.Errorf("find a free port: %w", err)
	}
	logf, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		return "", nil, fmt.Errorf("moto log: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Stdout, cmd.Stderr = logf, logf
	proc.OwnGroup(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		os.Remove(logf.Name())
		return "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		proc.Terminate(cmd, exited)
		logf.Close()
		os.Remove(logf.Name())
	}
	upstream := "http://127.0.0.1:" + port
	if err := waitReady(upstream, exited); err != nil {
		tail := logTail(logf.Name())
		stop()
		return "", nil, fmt.Errorf("%w; moto_server log ends:\n%s", err, tail)
	}
	return upstream, stop, nil
}

// waitReady polls the server until it answers HTTP, the process exits or readyTimeout
// passes.
func waitReady(upstream string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := client.Get(upstream + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("moto_server on %s exited before answering: %v", upstream, err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server on %s did not answer within %s: %v", upstream, readyTimeout, err)
		}
	}
}

// logTail returns the last lines of moto's log, for an error.
func logTail(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// startProxy serves a reverse proxy to upstream on a free loopback port; DynamoDB
// requests go through one at a time (see the package comment).
func startProxy(upstream *url.URL) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("proxy listen: %w", err)
	}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(upstream) }}
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isDynamoDB(r) {
			mu.Lock()
			defer mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + l.Addr().String(), stop, nil
}

// isDynamoDB reports whether r is a DynamoDB (or DynamoDB Streams) API call: their JSON
// protocol names the operation in X-Amz-Target.
func isDynamoDB(r *http.Request) bool {
	t := r.Header.Get("X-Amz-Target")
	return strings.HasPrefix(t, "DynamoDB_") || strings.HasPrefix(t, "DynamoDBStreams_")
}

// Name returns base followed by a suffix unique to this call and naming t, usable as a
// DynamoDB table, secret or event bus name (letters, digits, '-', '_', '.'; at most 255).
func Name(t testing.TB, base string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	test := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, t.Name())
	if len(test) > 80 {
		test = test[len(test)-80:]
	}
	return base + "-" + test + "-" + hex.EncodeToString(b[:])
}
