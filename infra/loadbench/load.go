package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/flowhook/flowhook/infra/stack"
	"github.com/flowhook/flowhook/shared/egress"
)

// loadConfig says how hard to push.
type loadConfig struct {
	// Events is how many events to post.
	Events int
	// Posters is how many clients post at once.
	Posters int
	// Workers is the dispatcher's pool size (0: the stack's default, as `make run`).
	Workers int
	// Timeout bounds the whole run: posting and waiting for the runs.
	Timeout time.Duration
	// NoSync turns fsync off (only the package's test sets it; the benchmark measures
	// the local product, which syncs).
	NoSync bool
}

// loadResult is what one load run measured.
type loadResult struct {
	Events, Accepted, Refused int
	// Runs is how many runs the accepted events started; each should send once.
	Runs int
	// Succeeded, Failed and Unfinished count the runs by final state.
	Succeeded, Failed, Unfinished int
	// AcceptDuration is from the first post to the last accepted answer;
	// CompleteDuration from the first post to the last run's finishedAt.
	AcceptDuration, CompleteDuration time.Duration
	// Latencies are, per finished run, its finishedAt minus the time its event was posted.
	Latencies []time.Duration
	sendCount
}

// sendCount is the endpoint's tally against the runs that should have sent.
type sendCount struct {
	// Lost is runs that should have sent and did not; Duplicated is idempotency keys
	// received more than once, Extra the surplus requests they carried; Stray is keys
	// of no known run.
	Lost, Duplicated, Extra, Stray int
}

// countSends compares the requests per idempotency key with the keys the runs should
// have sent (each exactly once).
func countSends(want []string, got map[string]int) sendCount {
	var c sendCount
	expected := make(map[string]bool, len(want))
	for _, k := range want {
		expected[k] = true
		if got[k] == 0 {
			c.Lost++
		}
	}
	for k, n := range got {
		if !expected[k] {
			c.Stray++
		}
		if n > 1 {
			c.Duplicated++
			c.Extra += n - 1
		}
	}
	return c
}

// percentile returns the p-th percentile (0 < p ≤ 100) by the nearest-rank method;
// d must be sorted. It is 0 for no values.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(d)))) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// rate is n per d, per second.
func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// promoEndpoint is the partner's HTTPS endpoint: it counts requests per idempotency key,
// refuses a request without the bearer token, and answers a promo code.
type promoEndpoint struct {
	srv   *httptest.Server
	token string
	mu    sync.Mutex
	sends map[string]int
}

func newPromoEndpoint(token string) *promoEndpoint {
	e := &promoEndpoint{token: token, sends: map[string]int{}}
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		if r.Header.Get("Authorization") != "Bearer "+e.token {
			http.Error(w, `{"error":"bad or missing bearer token"}`, http.StatusUnauthorized)
			return
		}
		e.mu.Lock()
		e.sends[r.Header.Get("Idempotency-Key")]++
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"promocode":"SPRING-7Q2X","tier":"regular"}`)
	}))
	e.srv.StartTLS()
	return e
}

// tally returns a copy of the requests per idempotency key.
func (e *promoEndpoint) tally() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.sends))
	for k, v := range e.sends {
		out[k] = v
	}
	return out
}

// distinct returns how many distinct keys arrived.
func (e *promoEndpoint) distinct() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.sends)
}

// egress lets webhooks reach the endpoint: loopback allowed, its certificate trusted.
func (e *promoEndpoint) egress() egress.Config {
	return egress.Config{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ExtraCAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.srv.Certificate().Raw}),
	}
}

// apiClient calls the stack's API over loopback HTTP.
type apiClient struct {
	base          string
	admin, ingest string
	http          *http.Client
}

// call sends body as JSON and decodes a JSON answer into out; a status other than
// want is an error carrying the body.
func (c *apiClient) call(ctx context.Context, method, path, token string, body any, header map[string]string, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, bytes.TrimSpace(rb))
	}
	if out != nil {
		if err := json.Unmarshal(rb, out); err != nil {
			return fmt.Errorf("%s %s: decode %s: %w", method, path, rb, err)
		}
	}
	return nil
}

func (c *apiClient) create(ctx context.Context, path string, body any) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := c.call(ctx, http.MethodPost, path, c.admin, body, nil, http.StatusCreated, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// posted is one event's post.
type posted struct {
	at     time.Time
	answer time.Time
	runIDs []string
	err    error
}

// runLoad starts the stack on a temporary data directory behind a loopback listener,
// defines a promo-code workflow through the API, posts cfg.Events events with
// cfg.Posters clients, waits for every run, and measures.
func runLoad(ctx context.Context, cfg loadConfig, logf func(string, ...any)) (loadResult, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	res := loadResult{Events: cfg.Events}
	dir, err := os.MkdirTemp("", "flowhook-loadbench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	token := "loadbench-" + fmt.Sprint(time.Now().UnixNano())
	ep := newPromoEndpoint(token)
	defer ep.srv.Close()

	s, err := stack.New(stack.Config{DataDir: dir, Egress: ep.egress(), Workers: cfg.Workers, NoSync: cfg.NoSync,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Metrics: io.Discard})
	if err != nil {
		return res, err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	s.Start()
	c := &apiClient{base: "http://" + ln.Addr().String(), admin: s.Tokens.Admin, ingest: s.Tokens.Ingest,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Posters + 4}}}
	logf("load: the stack listens on %s (data in %s, fsync %v)", ln.Addr(), dir, !cfg.NoSync)

	conn, err := c.create(ctx, "/connectors", map[string]any{"name": "crm", "type": "bearer", "token": token})
	if err != nil {
		return res, err
	}
	wh, err := c.create(ctx, "/webhooks", map[string]any{
		"name": "WH5", "method": "POST", "url": ep.srv.URL + "/codes?email=${email}",
		"auth": map[string]string{"connectorId": conn},
		"body": map[string]string{"format": "json", "template": `{"email": "${email}", "order": "${orderId}"}`},
	})
	if err != nil {
		return res, err
	}
	if _, err := c.create(ctx, "/workflows", map[string]any{
		"name": "promo on order", "enabled": true, "trigger": map[string]string{"eventType": "order_created"},
		"steps": []map[string]any{
			{"id": "wh", "type": "webhook", "webhookId": wh, "contact": map[string]string{"email": "${email}"}},
			{"id": "m", "type": "message", "channel": "email", "subject": "For you", "body": "Your code: $data.get('WH5').get('promocode')"},
		},
	}); err != nil {
		return res, err
	}

	posts := post(ctx, c, cfg)
	var first, lastAnswer time.Time
	var runIDs []string
	postedAt := map[string]time.Time{}
	var firstErr error
	for i, p := range posts {
		if i == 0 || p.at.Before(first) {
			first = p.at
		}
		if p.err != nil {
			res.Refused++
			if firstErr == nil {
				firstErr = p.err
			}
			continue
		}
		res.Accepted++
		if p.answer.After(lastAnswer) {
			lastAnswer = p.answer
		}
		for _, id := range p.runIDs {
			runIDs = append(runIDs, id)
			postedAt[id] = p.at
		}
	}
	if firstErr != nil {
		logf("load: %d events refused; the first: %v", res.Refused, firstErr)
	}
	res.AcceptDuration = lastAnswer.Sub(first)
	res.Runs = len(runIDs)
	logf("load: %d events accepted, %d runs queued; waiting for the runs", res.Accepted, res.Runs)

	// Wait (bounded) until every run has sent, then read each run's final state.
	for ep.distinct() < len(runIDs) && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	var lastFinish time.Time
	for _, id := range runIDs {
		st, fin, err := waitRun(ctx, c, id)
		switch {
		case err != nil:
			res.Unfinished++
			continue
		case st == "succeeded":
			res.Succeeded++
		default:
			res.Failed++
		}
		res.Latencies = append(res.Latencies, fin.Sub(postedAt[id]))
		if fin.After(lastFinish) {
			lastFinish = fin
		}
	}
	sort.Slice(res.Latencies, func(i, j int) bool { return res.Latencies[i] < res.Latencies[j] })
	res.CompleteDuration = lastFinish.Sub(first)
	keys := make([]string, len(runIDs))
	for i, id := range runIDs {
		keys[i] = id + ":wh"
	}
	res.sendCount = countSends(keys, ep.tally())
	return res, nil
}

// post posts cfg.Events events, each with its own Idempotency-Key and contact, from
// cfg.Posters goroutines.
func post(ctx context.Context, c *apiClient, cfg loadConfig) []posted {
	out := make([]posted, cfg.Events)
	next := make(chan int)
	var wg sync.WaitGroup
	for range cfg.Posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ev := map[string]any{
					"eventTypeKey": "order_created",
					"params": []map[string]any{
						{"name": "email", "value": fmt.Sprintf("c%06d@example.com", i)},
						{"name": "orderId", "value": fmt.Sprintf("L-%06d", i)},
					},
				}
				var acc struct {
					RunIDs []string `json:"runIds"`
				}
				p := posted{at: time.Now()}
				p.err = c.call(ctx, http.MethodPost, "/events", c.ingest, ev,
					map[string]string{"Idempotency-Key": fmt.Sprintf("loadbench-%06d", i)}, http.StatusAccepted, &acc)
				p.answer, p.runIDs = time.Now(), acc.RunIDs
				out[i] = p
			}
		}()
	}
	for i := range cfg.Events {
		if ctx.Err() != nil {
			out[i] = posted{at: time.Now(), err: ctx.Err()}
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// waitRun polls GET /runs/{id} until the run is final and returns its status and
// finishedAt, or an error when ctx ends first.
func waitRun(ctx context.Context, c *apiClient, id string) (string, time.Time, error) {
	for {
		var run struct {
			Status     string     `json:"status"`
			FinishedAt *time.Time `json:"finishedAt"`
		}
		err := c.call(ctx, http.MethodGet, "/runs/"+id, c.admin, nil, nil, http.StatusOK, &run)
		if err == nil && run.FinishedAt != nil && (run.Status == "succeeded" || run.Status == "failed" || run.Status == "stopped") {
			return run.Status, *run.FinishedAt, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("run %s is still %s", id, run.Status)
			}
			return "", time.Time{}, errors.Join(err, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// printLoad writes the load section.
func printLoad(w io.Writer, cfg loadConfig, r loadResult) {
	fmt.Fprintf(w, "load: %d events posted by %d clients to the local stack (embedded store, fsync on) with a local TLS endpoint\n", r.Events, cfg.Posters)
	fmt.Fprintf(w, "  accepted events/s   %8.1f  (%d accepted, %d refused, in %.2f s)\n", rate(r.Accepted, r.AcceptDuration), r.Accepted, r.Refused, r.AcceptDuration.Seconds())
	fmt.Fprintf(w, "  completed runs/s    %8.1f  (%d succeeded, %d failed, %d unfinished of %d, in %.2f s)\n",
		rate(r.Succeeded+r.Failed, r.CompleteDuration), r.Succeeded, r.Failed, r.Unfinished, r.Runs, r.CompleteDuration.Seconds())
	fmt.Fprintf(w, "  event → finished run p50 %6.1f ms   p99 %6.1f ms\n", ms(percentile(r.Latencies, 50)), ms(percentile(r.Latencies, 99)))
	fmt.Fprintf(w, "  lost sends          %8d\n  duplicated sends    %8d  (%d extra requests; %d stray keys)\n", r.Lost, r.Duplicated, r.Extra, r.Stray)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadOK reports whether the load run lost or duplicated nothing and every run succeeded.
func loadOK(r loadResult) error {
	var errs []error
	if r.Lost > 0 || r.Duplicated > 0 || r.Stray > 0 {
		errs = append(errs, fmt.Errorf("%d lost, %d duplicated, %d stray sends; want none", r.Lost, r.Duplicated, r.Stray))
	}
	if r.Refused > 0 {
		errs = append(errs, fmt.Errorf("%d of %d events refused", r.Refused, r.Events))
	}
	if r.Failed > 0 || r.Unfinished > 0 || r.Succeeded != r.Runs || r.Runs != r.Accepted {
		errs = append(errs, fmt.Errorf("%d of %d runs succeeded (%d failed, %d unfinished) for %d accepted events",
			r.Succeeded, r.Runs, r.Failed, r.Unfinished, r.Accepted))
	}
	return errors.Join(errs...)
}
