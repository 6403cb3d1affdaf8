package e2e

import (
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/egress"
)

// reply is what the endpoint answers one request with.
type reply struct {
	status int
	header map[string]string
	body   string
}

// received is one request as the endpoint saw it.
type received struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// endpoint is the marketing partner's HTTPS server a webhook calls. It refuses a
// request without the connector's bearer token (as a real partner would, with a 401),
// records every request, and otherwise answers what respond says for the n-th request
// carrying the same Idempotency-Key (n starts at 1), so a scenario can fail the first
// attempt and accept the retry.
type endpoint struct {
	srv     *httptest.Server
	token   string
	respond func(n int) reply

	mu   sync.Mutex
	hits []received
}

// newEndpoint starts an endpoint that answers with respond; it stops when t ends.
func newEndpoint(t testing.TB, token string, respond func(n int) reply) *endpoint {
	t.Helper()
	e := &endpoint{token: token, respond: respond}
	e.srv = httptest.NewTLSServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := received{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	e.mu.Lock()
	n := 1
	for _, h := range e.hits {
		if h.Header.Get("Idempotency-Key") == rec.Header.Get("Idempotency-Key") {
			n++
		}
	}
	e.hits = append(e.hits, rec)
	e.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+e.token {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"bad or missing bearer token"}`)
		return
	}
	rep := e.respond(n)
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

// received returns a copy of every request so far, in arrival order.
func (e *endpoint) received() []received {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]received(nil), e.hits...)
}

// URL is the server's base URL, https://127.0.0.1:<port>.
func (e *endpoint) URL() string { return e.srv.URL }

// egressConfig lets the egress guard reach this server and only loopback besides the
// public Internet: 127.0.0.0/8 is allowed and the server's certificate trusted, the rest
// of the blocklist stays in force (the guard is never turned off).
func (e *endpoint) egressConfig() egress.Config {
	return egress.Config{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ExtraCAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.srv.Certificate().Raw}),
	}
}
