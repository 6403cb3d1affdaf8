package send

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/webhook"
	"github.com/flowhook/flowhook/shared/workflow"
)

var _ workflow.Caller = (*Sender)(nil)

// Secrets used by the fixtures; the tests check that none of them leaks.
const (
	bearerToken = "tok_live_9f8e7d6c5b4a39281706"
	basicPass   = "s3cr3t-P@ss:word"
	apiKey      = "key/with+odd=chars&more"
)

type fakeStore struct {
	connectors map[string]webhook.Connector
	err        error
}

func (f *fakeStore) GetConnector(_ context.Context, id string) (webhook.Connector, error) {
	if f.err != nil {
		return webhook.Connector{}, f.err
	}
	c, ok := f.connectors[id]
	if !ok {
		return webhook.Connector{}, webhook.ErrNotFound
	}
	return c, nil
}

type fakeSecrets struct {
	values map[string]string
	err    error
}

func (f *fakeSecrets) Get(_ context.Context, ref string) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	v, ok := f.values[ref]
	if !ok {
		return "", webhook.ErrNotFound
	}
	return v, nil
}

// seen is a request as the endpoint received it.
type seen struct {
	Method string
	URL    string
	Header http.Header
	Body   string
}

// endpoint is a local TLS server that records requests and answers with handler.
type endpoint struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []seen
	hits atomic.Int64
}

func newEndpoint(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, body []byte)) *endpoint {
	t.Helper()
	e := &endpoint{}
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.hits.Add(1)
		e.mu.Lock()
		e.reqs = append(e.reqs, seen{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: string(body)})
		e.mu.Unlock()
		handler(w, r, body)
	}))
	e.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut short by Close
	e.srv.StartTLS()
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) last(t *testing.T) seen {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.reqs) == 0 {
		t.Fatal("the endpoint received nothing")
	}
	return e.reqs[len(e.reqs)-1]
}

// client returns an egress client that may reach the endpoint (loopback allowed, its
// certificate trusted), as tests and the local runner configure it.
func (e *endpoint) client(t *testing.T) *http.Client {
	t.Helper()
	c, err := egress.NewClient(egress.Config{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ExtraCAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.srv.Certificate().Raw}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type fixture struct {
	sender  *Sender
	ep      *endpoint
	store   *fakeStore
	secrets *fakeSecrets
	metrics *bytes.Buffer
}

func newFixture(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, body []byte)) *fixture {
	t.Helper()
	ep := newEndpoint(t, handler)
	f := &fixture{ep: ep, metrics: &bytes.Buffer{},
		store: &fakeStore{connectors: map[string]webhook.Connector{
			"c_bearer": {ID: "c_bearer", Name: "crm", Type: webhook.ConnectorBearer, SecretRef: "local:c_bearer"},
			"c_basic":  {ID: "c_basic", Name: "legacy", Type: webhook.ConnectorBasic, Login: "ann", SecretRef: "local:c_basic"},
			"c_header": {ID: "c_header", Name: "shop", Type: webhook.ConnectorAPIKey, In: webhook.InHeader, KeyName: "X-Shop-Key", SecretRef: "local:c_header"},
			"c_query":  {ID: "c_query", Name: "maps", Type: webhook.ConnectorAPIKey, In: webhook.InQuery, SecretRef: "local:c_query"},
			"c_gone":   {ID: "c_gone", Name: "gone", Type: webhook.ConnectorBearer, SecretRef: "local:c_gone"},
			"c_odd":    {ID: "c_odd", Name: "odd", Type: "oauth", SecretRef: "local:c_bearer"},
		}},
		secrets: &fakeSecrets{values: map[string]string{
			"local:c_bearer": bearerToken, "local:c_basic": basicPass, "local:c_header": apiKey, "local:c_query": apiKey,
		}},
	}
	noSleep := func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	f.sender = New(Config{Store: f.store, Secrets: f.secrets,
		Delivery: delivery.New(ep.client(t), delivery.Options{Sleep: noSleep}),
		Metrics:  metrics.New(f.metrics, nil)})
	return f
}

// echo answers 200 with a JSON document echoing the request, secrets included, the
// way a careless endpoint would.
func echo(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo-Auth", r.Header.Get("Authorization"))
	_ = json.NewEncoder(w).Encode(map[string]any{"auth": r.Header.Get("Authorization"), "url": r.URL.String(),
		"key": r.Header.Get("X-Shop-Key"), "body": string(body), "price": json.Number("990.0"), "big": json.Number("12345678901234567890")})
}

func input() render.Input {
	return render.Input{
		Contact: &webhook.Contact{ID: "c_1", Email: "ann@example.com", Fields: map[string]json.RawMessage{"TOWN": json.RawMessage(`"Kyiv \"Center\"\n"`)}},
		Params:  []webhook.Param{{Name: "orderId", Value: json.RawMessage(`"A-17"`)}},
	}
}

// hook is the README's webhook against the endpoint.
func (f *fixture) hook(method webhook.Method, connector string) webhook.Webhook {
	w := webhook.Webhook{ID: "w_1", Version: 1, Name: "WH5", Method: method, URL: f.ep.srv.URL + "/codes?order=${orderId}",
		Headers:   []webhook.Pair{{Name: "X-Source", Value: "flowhook"}, {Name: "Authorization", Value: "user-set"}},
		TimeoutMs: 5000, ConnectorID: connector}
	if method == webhook.MethodPost {
		w.Body = &webhook.Body{Format: webhook.FormatJSON, Template: `{"city": "${TOWN}", "email": "${email}"}`}
	}
	return w
}

// leaks reports which secret appears in v's JSON encoding, in any of the forms a
// careless endpoint or a log could carry it.
func leaks(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, secret := range []string{bearerToken, basicPass, apiKey, "key%2Fwith", base64.StdEncoding.EncodeToString([]byte("ann:" + basicPass))} {
		if strings.Contains(s, secret) {
			return secret
		}
	}
	return ""
}

func TestCallAuthenticates(t *testing.T) {
	tests := []struct {
		name       string
		connector  string
		wantHeader string // header the endpoint must see
		wantValue  string
		wantQuery  string // raw query the endpoint must see
		wantRecord string // value of that header in the recorded request
	}{
		{name: "bearer", connector: "c_bearer", wantHeader: "Authorization", wantValue: "Bearer " + bearerToken, wantQuery: "order=A-17", wantRecord: "Bearer ********"},
		{name: "basic", connector: "c_basic", wantHeader: "Authorization", wantValue: "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:"+basicPass)), wantQuery: "order=A-17", wantRecord: "Basic ********"},
		{name: "api key header", connector: "c_header", wantHeader: "X-Shop-Key", wantValue: apiKey, wantQuery: "order=A-17", wantRecord: "********"},
		{name: "api key query", connector: "c_query", wantHeader: "Authorization", wantValue: "user-set", wantQuery: "order=A-17&X-API-Key=key%2Fwith%2Bodd%3Dchars%26more", wantRecord: "********"},
		// Delivery masks every Authorization header in records, even one the user set.
		{name: "no connector", wantHeader: "Authorization", wantValue: "user-set", wantQuery: "order=A-17", wantRecord: "********"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, echo)
			call := f.sender.Call(context.Background(), f.hook(webhook.MethodPost, tt.connector), input(), "r_1:wh")
			if call.Class != "" {
				t.Fatalf("call failed: %s: %s", call.Class, call.Detail)
			}
			got := f.ep.last(t)
			if v := got.Header.Values(tt.wantHeader); len(v) != 1 || v[0] != tt.wantValue {
				t.Errorf("endpoint saw %s = %q, want %q", tt.wantHeader, v, tt.wantValue)
			}
			if q := strings.SplitN(got.URL, "?", 2)[1]; q != tt.wantQuery {
				t.Errorf("endpoint saw query %q, want %q", q, tt.wantQuery)
			}
			if got.Body != `{"city": "Kyiv \"Center\"\n", "email": "ann@example.com"}` {
				t.Errorf("endpoint saw body %s", got.Body)
			}
			if got.Header.Get("Idempotency-Key") != "r_1:wh" || got.Header.Get("User-Agent") != render.UserAgent || got.Header.Get("Content-Type") != "application/json" {
				t.Errorf("endpoint saw headers %v", got.Header)
			}
			var recorded string
			for _, h := range call.Request.Headers {
				if strings.EqualFold(h.Name, tt.wantHeader) {
					recorded = h.Value
				}
			}
			if recorded != tt.wantRecord {
				t.Errorf("recorded %s = %q, want %q", tt.wantHeader, recorded, tt.wantRecord)
			}
			if s := leaks(t, call); s != "" {
				t.Errorf("the call's outcome holds the secret %q: %+v", s, call)
			}
		})
	}
}

// TestCallFollowsTheSecret calls with one connector while its secret and login
// change and with connectors of the other kind between: each call authenticates
// with what it read, never with a credential made for an earlier call.
func TestCallFollowsTheSecret(t *testing.T) {
	f := newFixture(t, echo)
	steps := []struct {
		connector, secret, login string
		want                     string
	}{
		{"c_bearer", "tok_first_0000", "", "Bearer tok_first_0000"},
		{"c_bearer", "tok_second_1111", "", "Bearer tok_second_1111"},
		{"c_basic", "tok_second_1111", "ann", "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:tok_second_1111"))},
		{"c_basic", "tok_second_1111", "bob", "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:tok_second_1111"))},
		{"c_bearer", "tok_second_1111", "", "Bearer tok_second_1111"},
	}
	for i, st := range steps {
		f.secrets.values["local:"+st.connector] = st.secret
		c := f.store.connectors[st.connector]
		c.Login = st.login
		f.store.connectors[st.connector] = c
		call := f.sender.Call(context.Background(), f.hook(webhook.MethodPost, st.connector), input(), "r_1:wh")
		if call.Class != "" {
			t.Fatalf("step %d: call failed: %s: %s", i, call.Class, call.Detail)
		}
		if got := f.ep.last(t).Header.Get("Authorization"); got != st.want {
			t.Errorf("step %d: endpoint saw Authorization %q, want %q", i, got, st.want)
		}
		if out, _ := json.Marshal(call); strings.Contains(string(out), st.secret) {
			t.Errorf("step %d: the call's outcome holds the secret: %s", i, out)
		}
	}
}

func TestCallFailsBeforeSending(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(f *fixture, w *webhook.Webhook)
		wantMsg string
	}{
		{"unset reference", func(f *fixture, w *webhook.Webhook) { w.URL += "&zip=$POSTCODE" },
			"The request could not be built: url: $POSTCODE (line 1, col"},
		{"connector deleted", func(f *fixture, w *webhook.Webhook) { w.ConnectorID = "c_missing" },
			"The connector c_missing of this webhook no longer exists"},
		{"secret deleted", func(f *fixture, w *webhook.Webhook) { w.ConnectorID = "c_gone" },
			`The secret of connector "gone" (c_gone) is missing`},
		{"secret store down", func(f *fixture, w *webhook.Webhook) { f.secrets.err = errors.New("throttled") },
			`The secret of connector "crm" (c_bearer) could not be read`},
		{"connector store down", func(f *fixture, w *webhook.Webhook) { f.store.err = errors.New("timeout") },
			"The connector c_bearer could not be read"},
		{"unknown connector type", func(f *fixture, w *webhook.Webhook) { w.ConnectorID = "c_odd" },
			`has the unknown type "oauth"`},
		{"invalid definition", func(f *fixture, w *webhook.Webhook) { w.Method = "DELETE" },
			"The webhook definition is invalid: method:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, echo)
			w := f.hook(webhook.MethodPost, "c_bearer")
			tt.mutate(f, &w)
			for _, call := range []workflow.Call{f.sender.Call(context.Background(), w, input(), "r:s")} {
				if call.Class != webhook.ClassRender || !strings.Contains(call.Detail, tt.wantMsg) {
					t.Errorf("class, detail = %q, %q; want render, %q", call.Class, call.Detail, tt.wantMsg)
				}
				if call.Request != nil || len(call.Attempts) != 0 {
					t.Errorf("a request was recorded: %+v", call)
				}
			}
			res := f.sender.Test(context.Background(), w, input())
			if res.Class != webhook.ClassRender || !strings.Contains(res.Detail, tt.wantMsg) || res.Request != nil || res.Response != nil {
				t.Errorf("Test = %+v, want a render failure %q", res, tt.wantMsg)
			}
			if n := f.ep.hits.Load(); n != 0 {
				t.Errorf("the endpoint was called %d times", n)
			}
			if !strings.Contains(f.metrics.String(), `"Class":"render"`) {
				t.Errorf("no render metric: %s", f.metrics)
			}
		})
	}
}

func TestCallRetriesByPolicy(t *testing.T) {
	tests := []struct {
		name         string
		method       webhook.Method
		maxAttempts  int
		wantAttempts int
		wantClass    webhook.ErrorClass
	}{
		{"GET retries by default", webhook.MethodGet, 0, 3, ""},
		{"POST is sent once by default", webhook.MethodPost, 0, 1, webhook.ClassHTTP5xx},
		{"POST retried when allowed", webhook.MethodPost, 3, 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			f := newFixture(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				if n.Add(1) < 3 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				echo(w, r, body)
			})
			w := f.hook(tt.method, "c_bearer")
			w.MaxAttempts = tt.maxAttempts
			call := f.sender.Call(context.Background(), w, input(), "r_1:wh")
			if len(call.Attempts) != tt.wantAttempts || call.Class != tt.wantClass {
				t.Fatalf("attempts, class = %d, %q; want %d, %q (%s)", len(call.Attempts), call.Class, tt.wantAttempts, tt.wantClass, call.Detail)
			}
			f.ep.mu.Lock()
			for _, r := range f.ep.reqs {
				if r.Header.Get("Idempotency-Key") != "r_1:wh" {
					t.Errorf("an attempt carried Idempotency-Key %q", r.Header.Get("Idempotency-Key"))
				}
			}
			f.ep.mu.Unlock()
			lines := strings.Count(f.metrics.String(), `"WebhookAttempts":1,`)
			if lines != tt.wantAttempts || strings.Count(f.metrics.String(), `"WebhookDuration":`) != tt.wantAttempts {
				t.Errorf("metrics: %d attempt lines, want %d:\n%s", lines, tt.wantAttempts, f.metrics)
			}
			if !strings.Contains(f.metrics.String(), `"Class":"http_5xx"`) {
				t.Errorf("no http_5xx metric:\n%s", f.metrics)
			}
		})
	}
}

func TestCallData(t *testing.T) {
	f := newFixture(t, echo)
	call := f.sender.Call(context.Background(), f.hook(webhook.MethodGet, "c_bearer"), input(), "")
	if call.Class != "" {
		t.Fatalf("call failed: %s", call.Detail)
	}
	// The echo's keys in order, the double and the big integer as sent, every secret masked.
	want := `{"auth":"Bearer ********","big":12345678901234567890,"body":"","key":"","price":990.0,"url":"/codes?order=A-17"}`
	if string(call.Data) != want {
		t.Errorf("data = %s\nwant   %s", call.Data, want)
	}
	if got := f.ep.last(t).Header.Get("Idempotency-Key"); got != "" {
		t.Errorf("a call without a key sent Idempotency-Key %q", got)
	}
	if !strings.Contains(f.metrics.String(), `"Class":"ok"`) {
		t.Errorf("no ok metric:\n%s", f.metrics)
	}
}

func TestCustomIdempotencyHeader(t *testing.T) {
	f := newFixture(t, echo)
	w := f.hook(webhook.MethodPost, "")
	w.IdempotencyHeader = "X-Request-Id"
	w.Headers = append(w.Headers, webhook.Pair{Name: "x-request-id", Value: "user"})
	if call := f.sender.Call(context.Background(), w, input(), "r_9:s"); call.Class != "" {
		t.Fatal(call.Detail)
	}
	got := f.ep.last(t).Header
	if v := got.Values("X-Request-Id"); len(v) != 1 || v[0] != "r_9:s" || got.Get("Idempotency-Key") != "" {
		t.Errorf("endpoint saw X-Request-Id %q, Idempotency-Key %q", v, got.Get("Idempotency-Key"))
	}
}

func TestTestSendsOnce(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error": "busy", "auth": "` + r.Header.Get("Authorization") + `"}`))
	})
	res := f.sender.Test(context.Background(), f.hook(webhook.MethodGet, "c_bearer"), input())
	if n := f.ep.hits.Load(); n != 1 {
		t.Fatalf("endpoint called %d times, want 1", n)
	}
	if res.Class != webhook.ClassHTTP5xx || res.Response == nil || res.Response.Status != 503 || res.Data != nil {
		t.Fatalf("Test = %+v", res)
	}
	if res.Response.Body != `{"error": "busy", "auth": "Bearer ********"}` {
		t.Errorf("response body = %s", res.Response.Body)
	}
	var multi, echoed string
	for _, h := range res.Response.Headers {
		switch h.Name {
		case "X-Multi":
			multi += h.Value
		case "X-Echo":
			echoed = h.Value
		}
	}
	if multi != "ab" || echoed != "Bearer ********" {
		t.Errorf("response headers = %q", res.Response.Headers)
	}
	if res.Request == nil || res.Request.URL != f.ep.srv.URL+"/codes?order=A-17" {
		t.Errorf("request = %+v", res.Request)
	}
	if s := leaks(t, res); s != "" {
		t.Errorf("the test result holds the secret %q", s)
	}
}

func TestBlockedAddressesAreNotDialed(t *testing.T) {
	for _, u := range []string{"https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/x", "https://[::ffff:127.0.0.1]/"} {
		t.Run(u, func(t *testing.T) {
			ep := newEndpoint(t, echo)
			client, err := egress.NewClient(egress.Config{}) // production: nothing allowed
			if err != nil {
				t.Fatal(err)
			}
			s := New(Config{Store: &fakeStore{}, Secrets: &fakeSecrets{}, Delivery: delivery.New(client, delivery.Options{})})
			res := s.Test(context.Background(), webhook.Webhook{Method: "GET", URL: u}, render.Input{})
			if res.Class != webhook.ClassBlocked || res.Response != nil {
				t.Errorf("Test = %+v, want blocked", res)
			}
			if ep.hits.Load() != 0 {
				t.Error("the endpoint was called")
			}
		})
	}
}

func TestCompiledDefinitionsAreCached(t *testing.T) {
	f := newFixture(t, echo)
	w := f.hook(webhook.MethodGet, "")
	path := func() string { return strings.SplitN(f.ep.last(t).URL, "?", 2)[0] }

	f.sender.Call(context.Background(), w, input(), "")
	same := w
	same.URL = f.ep.srv.URL + "/other" // same id and version: the cached compile is used
	f.sender.Call(context.Background(), same, input(), "")
	if got := path(); got != "/codes" {
		t.Errorf("same version sent to %s, want the cached /codes", got)
	}
	next := same
	next.Version = 2
	f.sender.Call(context.Background(), next, input(), "")
	if got := path(); got != "/other" {
		t.Errorf("new version sent to %s, want /other", got)
	}
	draft := same
	draft.ID, draft.Version = "", 0
	draft.URL = f.ep.srv.URL + "/draft"
	f.sender.Test(context.Background(), draft, input())
	if got := path(); got != "/draft" {
		t.Errorf("draft sent to %s, want /draft", got)
	}
}

func TestConcurrentCalls(t *testing.T) {
	f := newFixture(t, echo)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := f.hook(webhook.MethodPost, "c_basic")
			w.Version = int64(1 + i%3)
			call := f.sender.Call(context.Background(), w, input(), "r:s")
			if call.Class != "" || leaks(t, call) != "" {
				t.Errorf("call %d: %s %s", i, call.Class, call.Detail)
			}
		}()
	}
	wg.Wait()
}

func TestToolsOnlyWhenReferenced(t *testing.T) {
	ep := newEndpoint(t, echo)
	var calls atomic.Int64
	tools := render.Tools(nil, nil)
	s := New(Config{Store: &fakeStore{}, Secrets: &fakeSecrets{}, Delivery: delivery.New(ep.client(t), delivery.Options{}),
		Tools: func(in render.Input) map[string]any { calls.Add(1); return tools(in) }})
	base := calls.Load()
	tests := []struct {
		name, body string
		wantCalls  int64
	}{
		{"no tool", `{"town": "$TOWN"}`, 0},
		{"a tool", `{"sum": $mathTool.add(1, 2), "q": "$esc.url('a b')"}`, 1},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := webhook.Webhook{ID: "w_t", Version: int64(i + 1), Method: "POST", URL: ep.srv.URL + "/t", Body: &webhook.Body{Format: "json", Template: tt.body}}
			before := calls.Load()
			if call := s.Call(context.Background(), w, input(), ""); call.Class != "" {
				t.Fatalf("%s: %s", call.Class, call.Detail)
			}
			if got := calls.Load() - before; got != tt.wantCalls {
				t.Errorf("tools made %d times, want %d", got, tt.wantCalls)
			}
		})
	}
	if got := ep.last(t).Body; got != `{"sum": 3, "q": "a+b"}` {
		t.Errorf("endpoint body = %s", got)
	}
	if base != 1 {
		t.Errorf("New called the tools function %d times, want once (for their names)", base)
	}
}
