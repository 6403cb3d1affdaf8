package delivery

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/webhook"
)

// resolver answers test names without DNS.
type resolver struct{}

func (resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch {
	case host == "wrong.test":
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	case host == "flaky-dns.test":
		return nil, &net.DNSError{Err: "server misbehaving", Name: host, IsTemporary: true}
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// server is a local TLS endpoint with a handler per fault, reached through the egress
// guard by its explicit allowance and CA — never by disabling the guard.
type server struct {
	*httptest.Server
	client *http.Client
	port   string
	mu     sync.Mutex
	hits   map[string]int
}

func newServer(t testing.TB) *server {
	t.Helper()
	s := &server{hits: map[string]int{}}
	mux := http.NewServeMux()
	count := func(r *http.Request) int {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hits[r.URL.Path]++
		return s.hits[r.URL.Path]
	}
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"promocode":"SPRING-7Q2X","tier":"vip","n":12345678901234567890}`)
	})
	mux.HandleFunc("/bench", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, benchResponse)
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*tls.Conn); ok {
			if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
				tcp.SetLinger(0) // close with RST
			}
		}
		conn.Close()
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		w.WriteHeader(code)
		io.WriteString(w, "status body")
	})
	mux.HandleFunc("/flaky-ra", func(w http.ResponseWriter, r *http.Request) {
		if count(r) == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})
	mux.HandleFunc("/ra-long", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"partial":`)
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(strings.Repeat("a", MaxRead+1)))
	})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(strings.Repeat("b", MaxRead)))
	})
	mux.HandleFunc("/badjson", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `<html>not json</html>`)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		io.WriteString(w, `<?xml version="1.0"?><promo id="7"><code>007</code><code>008</code></promo>`)
	})
	mux.HandleFunc("/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
		w.Write([]byte("caf\xe9"))
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, "gzip wanted", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, `{"zipped":[1,2,3]}`)
		zw.Close()
	})
	mux.HandleFunc("/302", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusFound) })
	mux.HandleFunc("/204", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo-Key", r.Header.Get("X-Api-Key"))
		w.Header().Set("Set-Cookie", "session="+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		json.NewEncoder(w).Encode(map[string]any{
			"url": r.URL.String(), "query": r.URL.Query(), "headers": r.Header, "body": string(body),
			"b64": base64.StdEncoding.EncodeToString([]byte(r.Header.Get("X-Api-Key"))),
		})
	})
	mux.HandleFunc("/escaped-echo", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for _, c := range r.Header.Get("X-Api-Key") {
			fmt.Fprintf(&b, "\\u%04x", c)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"every char escaped":"`+b.String()+`"}`)
	})
	mux.HandleFunc("/redirect-leak", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1/?key="+url.QueryEscape(r.Header.Get("X-Api-Key")), http.StatusFound)
	})
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"host": r.Host, "headers": r.Header, "len": r.ContentLength})
	})
	s.Server = httptest.NewUnstartedServer(mux)
	s.Server.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	_, s.port, _ = net.SplitHostPort(s.Listener.Addr().String())
	client, err := egress.NewClient(egress.Config{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ExtraCAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}),
		Resolver:   resolver{},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.client = client
	return s
}

func (s *server) url(path string) string { return "https://127.0.0.1:" + s.port + path }

// sleeps records the delays a Sender waited, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) list() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestSend(t *testing.T) {
	srv := newServer(t)
	refused := closedPort(t)
	ms := time.Millisecond
	tests := []struct {
		name     string
		url      string // a path on the server, or a full URL
		header   []webhook.Header
		timeout  time.Duration
		max      int
		deadline time.Duration // ctx deadline from now; 0 for none
		class    webhook.ErrorClass
		statuses []int // status of each attempt
		sleeps   []time.Duration
		detail   string // substring of Result.Detail
		check    func(t *testing.T, r Result)
	}{
		{name: "json", url: "/json", max: 3, statuses: []int{200}, check: func(t *testing.T, r Result) {
			if got, want := show(r.Data), `{"promocode": "SPRING-7Q2X", "tier": "vip", "n": big(12345678901234567890)}`; got != want {
				t.Errorf("got data %s, want %s", got, want)
			}
		}},
		{name: "timeout retried", url: "/hang", timeout: 100 * ms, max: 3, class: webhook.ClassTimeout,
			statuses: []int{0, 0, 0}, sleeps: []time.Duration{250 * ms, 500 * ms}, detail: "did not answer within 100ms (after 3 attempts)"},
		{name: "connection reset retried", url: "/reset", max: 2, class: webhook.ClassConnect,
			statuses: []int{0, 0}, sleeps: []time.Duration{250 * ms}},
		{name: "500 retried", url: "/status/500", max: 3, class: webhook.ClassHTTP5xx,
			statuses: []int{500, 500, 500}, sleeps: []time.Duration{250 * ms, 500 * ms}, detail: "the endpoint answered 500 Internal Server Error (after 3 attempts)"},
		{name: "503 with retry-after then 200", url: "/flaky-ra", max: 3, statuses: []int{503, 200}, sleeps: []time.Duration{2 * time.Second}},
		{name: "retry-after past the deadline", url: "/ra-long", max: 3, deadline: time.Minute, class: webhook.ClassHTTP5xx,
			statuses: []int{503}, detail: "the endpoint asked to wait 2m0s (Retry-After)"},
		{name: "429 retried", url: "/status/429", max: 2, class: webhook.ClassHTTP4xx, statuses: []int{429, 429}, sleeps: []time.Duration{250 * ms}},
		{name: "408 retried", url: "/status/408", max: 2, class: webhook.ClassHTTP4xx, statuses: []int{408, 408}, sleeps: []time.Duration{250 * ms}},
		{name: "501 not retried", url: "/status/501", max: 3, class: webhook.ClassHTTP5xx, statuses: []int{501}},
		{name: "404 not retried", url: "/status/404", max: 3, class: webhook.ClassHTTP4xx, statuses: []int{404}, detail: "the endpoint answered 404 Not Found"},
		{name: "slow body", url: "/slow-body", timeout: 150 * ms, max: 1, class: webhook.ClassTimeout, statuses: []int{200},
			detail: "did not arrive completely within 150ms"},
		{name: "oversize body", url: "/big", max: 3, class: webhook.ClassTooLarge, statuses: []int{200},
			detail: "larger than 1 MiB", check: func(t *testing.T, r Result) {
				a := r.Attempts[0]
				if len(a.Body) != webhook.MaxRecordedBody || !a.Truncated {
					t.Errorf("got attempt body of %d bytes truncated %v, want %d truncated", len(a.Body), a.Truncated, webhook.MaxRecordedBody)
				}
				if len(r.Response.Body) != MaxRead || !r.Response.Truncated {
					t.Errorf("got response body of %d bytes truncated %v, want %d truncated", len(r.Response.Body), r.Response.Truncated, MaxRead)
				}
			}},
		{name: "body of exactly the limit", url: "/exact", max: 1, statuses: []int{200}, check: func(t *testing.T, r Result) {
			if r.Response.Truncated || len(r.Data.(string)) != MaxRead || !r.Attempts[0].Truncated {
				t.Errorf("got response truncated %v, data %d bytes, attempt truncated %v; want false, %d, true",
					r.Response.Truncated, len(r.Data.(string)), r.Attempts[0].Truncated, MaxRead)
			}
		}},
		{name: "invalid json", url: "/badjson", max: 3, class: webhook.ClassDecode, statuses: []int{200},
			detail: "declared as application/json but is not valid JSON"},
		{name: "redirect loop", url: "/loop", max: 3, class: webhook.ClassBlocked, statuses: []int{0},
			detail: "redirected more than 3 times"},
		{name: "302 without location", url: "/302", max: 3, class: webhook.ClassHTTP4xx, statuses: []int{302},
			detail: "a redirect that cannot be followed"},
		{name: "xml", url: "/xml", max: 1, statuses: []int{200}, check: func(t *testing.T, r Result) {
			if got, want := show(r.Data), `{"promo": {"-id": "7", "code": ["007", "008"]}}`; got != want {
				t.Errorf("got data %s, want %s", got, want)
			}
		}},
		{name: "text latin1", url: "/latin1", max: 1, statuses: []int{200}, check: func(t *testing.T, r Result) {
			if r.Data != "café" {
				t.Errorf("got data %q, want %q", r.Data, "café")
			}
		}},
		{name: "gzip", url: "/gzip", max: 1, statuses: []int{200}, check: func(t *testing.T, r Result) {
			if got, want := show(r.Data), `{"zipped": [int32(1), int32(2), int32(3)]}`; got != want {
				t.Errorf("got data %s, want %s", got, want)
			}
		}},
		{name: "204 empty", url: "/204", max: 1, statuses: []int{204}, check: func(t *testing.T, r Result) {
			if r.Data != nil {
				t.Errorf("got data %s, want nil", show(r.Data))
			}
		}},
		{name: "tls hostname mismatch", url: "https://wrong.test:{port}/json", max: 3, class: webhook.ClassTLS, statuses: []int{0},
			detail: "the TLS handshake with wrong.test"},
		{name: "dns name not found", url: "https://nope.test/", max: 3, class: webhook.ClassDNS, statuses: []int{0},
			detail: `the host name "nope.test" does not exist`},
		{name: "dns temporary failure retried", url: "https://flaky-dns.test/", max: 2, class: webhook.ClassDNS, statuses: []int{0, 0},
			sleeps: []time.Duration{250 * ms}},
		{name: "private address", url: "https://10.0.0.1/", max: 3, class: webhook.ClassBlocked, statuses: []int{0},
			detail: `webhook URL host "10.0.0.1" is a private address (10.0.0.0/8)`},
		{name: "http refused", url: "http://127.0.0.1:{port}/json", max: 3, class: webhook.ClassBlocked, statuses: []int{0},
			detail: "does not use https"},
		{name: "odd spelling", url: "https://0x7f.1:{port}/json", max: 3, class: webhook.ClassBlocked, statuses: []int{0},
			detail: "unusual spelling of the IPv4 address 127.0.0.1"},
		{name: "connection refused retried", url: "https://" + refused + "/", max: 2, class: webhook.ClassConnect, statuses: []int{0, 0},
			sleeps: []time.Duration{250 * ms}, detail: "refused the connection"},
		{name: "unparsable URL", url: "https://exa mple.com/", max: 3, class: webhook.ClassBlocked, statuses: []int{0},
			detail: `webhook URL "https://exa mple.com/" cannot be read`},
		{name: "header with a line break", url: "/json", max: 3, header: []webhook.Header{{Name: "X-A", Value: "a\r\nInjected: 1"}},
			class: webhook.ClassRender, statuses: []int{}, detail: "contains a control character"},
		{name: "no time before the deadline", url: "/json", max: 3, deadline: 5 * ms, class: webhook.ClassTimeout, statuses: []int{},
			detail: "no time was left before the deadline"},
		{name: "retry would not fit the deadline", url: "/status/500", timeout: 5 * time.Second, deadline: 5*time.Second + 200*ms, max: 3,
			class: webhook.ClassHTTP5xx, statuses: []int{500}, detail: "another attempt of up to 5s would not finish before the deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sl := &sleeps{}
			sender := New(srv.client, Options{DeadlineMargin: -1, Sleep: sl.sleep, Rand: func(int64) int64 { return 0 }})
			u := strings.ReplaceAll(tt.url, "{port}", srv.port)
			if strings.HasPrefix(u, "/") {
				u = srv.url(u)
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			res := sender.SendWithRetry(ctx, Request{Method: "GET", URL: u, Header: tt.header, Timeout: tt.timeout}, tt.max)
			if res.Class != tt.class {
				t.Errorf("got class %q (%s), want %q", res.Class, res.Detail, tt.class)
			}
			if res.OK() != (tt.class == "") {
				t.Errorf("got OK %v, want %v", res.OK(), tt.class == "")
			}
			var statuses []int
			for _, a := range res.Attempts {
				statuses = append(statuses, a.Status)
			}
			if tt.statuses == nil {
				tt.statuses = []int{}
			}
			if statuses == nil {
				statuses = []int{}
			}
			if !slices.Equal(statuses, tt.statuses) {
				t.Errorf("got attempt statuses %v, want %v", statuses, tt.statuses)
			}
			if got := sl.list(); !slices.Equal(got, tt.sleeps) {
				t.Errorf("got sleeps %v, want %v", got, tt.sleeps)
			}
			if !strings.Contains(res.Detail, tt.detail) {
				t.Errorf("got detail %q, want it to contain %q", res.Detail, tt.detail)
			}
			for i, a := range res.Attempts {
				last := i == len(res.Attempts)-1
				if last && a.ErrorClass != tt.class || !last && a.ErrorClass == "" {
					t.Errorf("attempt %d: got class %q, want %q", i+1, a.ErrorClass, tt.class)
				}
				if (a.ErrorClass == "") != (a.Error == "") {
					t.Errorf("attempt %d: got class %q with error %q", i+1, a.ErrorClass, a.Error)
				}
				if a.StartedAt.IsZero() || a.DurationMs < 0 {
					t.Errorf("attempt %d: got start %v duration %d", i+1, a.StartedAt, a.DurationMs)
				}
			}
			if tt.class != "" && res.Cause == nil {
				t.Error("got no Cause for a failure")
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

// TestSendOnce checks that Send makes one attempt whatever the outcome.
func TestSendOnce(t *testing.T) {
	srv := newServer(t)
	sl := &sleeps{}
	res := New(srv.client, Options{Sleep: sl.sleep}).Send(context.Background(), Request{Method: "GET", URL: srv.url("/status/503")})
	if len(res.Attempts) != 1 || res.Class != webhook.ClassHTTP5xx || len(sl.list()) != 0 {
		t.Errorf("got %d attempts, class %q, sleeps %v; want 1, http_5xx, none", len(res.Attempts), res.Class, sl.list())
	}
	if res.Response == nil || res.Response.Status != 503 || res.Response.Body != "status body" {
		t.Errorf("got response %+v, want the 503 with its body", res.Response)
	}
}

func TestRecordHeadersAsSent(t *testing.T) {
	srv := newServer(t)
	body := []byte(`{"city":"Kyiv"}`)
	res := New(srv.client, Options{}).Send(context.Background(), Request{
		Method: "POST",
		URL:    srv.url("/headers"),
		Header: []webhook.Header{
			{Name: "user-agent", Value: "Flowhook/1.2.3"},
			{Name: "Idempotency-Key", Value: "r_1:wh"},
			{Name: "Host", Value: "evil.example"},
			{Name: "Connection", Value: "close"},
			{Name: "Accept-Encoding", Value: "br"},
			{Name: "X-Source", Value: "flowhook"},
		},
		Body:        body,
		ContentType: "application/json",
	})
	if !res.OK() {
		t.Fatalf("got %s: %s", res.Class, res.Detail)
	}
	want := []webhook.Header{
		{Name: "Host", Value: "127.0.0.1:" + srv.port},
		{Name: "User-Agent", Value: "Flowhook/1.2.3"},
		{Name: "Content-Length", Value: fmt.Sprint(len(body))},
		{Name: "Content-Type", Value: "application/json"},
		{Name: "Idempotency-Key", Value: "r_1:wh"},
		{Name: "X-Source", Value: "flowhook"},
		{Name: "Accept-Encoding", Value: "gzip"},
	}
	if !slices.Equal(res.Request.Headers, want) {
		t.Errorf("got headers %v\nwant %v", res.Request.Headers, want)
	}
	if res.Request.Method != "POST" || res.Request.Body != string(body) || res.Request.URL != srv.url("/headers") {
		t.Errorf("got request %+v", res.Request)
	}
	got, _ := json.Marshal(res.Data)
	var seen struct {
		Host    string
		Headers map[string][]string
	}
	json.Unmarshal(got, &seen)
	if seen.Host != "127.0.0.1:"+srv.port || seen.Headers["Connection"] != nil || seen.Headers["Accept-Encoding"][0] != "gzip" {
		t.Errorf("server saw host %q headers %v; want the URL's host, no Connection, gzip", seen.Host, seen.Headers)
	}
}

func TestRecordHeadersWithoutConnection(t *testing.T) {
	res := New(http.DefaultClient, Options{}).Send(context.Background(), Request{
		Method: "GET", URL: "https://exa mple.com/", Header: []webhook.Header{{Name: "Authorization", Value: "Bearer abc"}, {Name: "x-a", Value: "1"}},
	})
	want := []webhook.Header{{Name: "Authorization", Value: "Bearer ********"}, {Name: "X-A", Value: "1"}}
	if !slices.Equal(res.Request.Headers, want) {
		t.Errorf("got headers %v, want %v", res.Request.Headers, want)
	}
}

// TestRedactionEverywhere sends known secrets in the URL, headers and body to endpoints
// that echo them back in bodies, headers and error text, and checks that no form of any
// secret appears anywhere in the results.
func TestRedactionEverywhere(t *testing.T) {
	srv := newServer(t)
	const (
		token    = "Tok-9f8e7d6c/+="
		apiKey   = "key-ABCDEFGH&x"
		login    = "ann"
		password = "pass-1234"
	)
	basic := base64.StdEncoding.EncodeToString([]byte(login + ":" + password))
	secrets := []string{token, apiKey, password}
	common := []webhook.Header{
		{Name: "Authorization", Value: "Bearer " + token},
		{Name: "X-Api-Key", Value: apiKey},
	}
	reqs := []Request{
		{Method: "POST", URL: srv.url("/echo?api_key=" + url.QueryEscape(apiKey) + "&t=" + url.QueryEscape(token)), Header: common,
			Body: []byte(`{"token":"` + token + `","key":"` + apiKey + `"}`), ContentType: "application/json"},
		{Method: "GET", URL: srv.url("/echo"), Header: []webhook.Header{{Name: "Authorization", Value: "Basic " + basic}, {Name: "X-Api-Key", Value: apiKey}}},
		{Method: "GET", URL: srv.url("/redirect-leak"), Header: common},
		{Method: "GET", URL: srv.url("/escaped-echo"), Header: common},
		{Method: "GET", URL: "https://" + strings.ToLower(password) + ".nope.test/?k=" + url.QueryEscape(apiKey), Header: common},
		{Method: "GET", URL: "http://127.0.0.1:" + srv.port + "/?token=" + url.QueryEscape(token), Header: common},
		{Method: "GET", URL: srv.url("/status/500?key=" + url.PathEscape(apiKey)), Header: common},
	}
	var forms []string
	for _, s := range append(secrets, basic) {
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s), base64.StdEncoding.EncodeToString([]byte(s)),
			strings.Trim(mustJSON(s), `"`), strings.ToLower(s))
	}
	sender := New(srv.client, Options{Sleep: (&sleeps{}).sleep})
	for i, req := range reqs {
		req.Secrets = secrets
		res := sender.SendWithRetry(context.Background(), req, 2)
		out, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		text := string(out) + fmt.Sprintf("%+v %v", res, res.Cause)
		if res.Response != nil {
			text += fmt.Sprintf("%+v", *res.Response)
		}
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("request %d (%s): the result holds %q:\n%s", i, res.Class, f, text)
			}
		}
		if !strings.Contains(text, Mask) {
			t.Errorf("request %d: no mask in the result, so nothing was exercised: %s", i, text)
		}
	}
}

// TestJSONData: with JSONData a JSON response comes back as its redacted text (numbers
// exact, keys in order, whitespace around it trimmed) and an invalid one as class decode.
func TestJSONData(t *testing.T) {
	tests := []struct {
		name, ct, body string
		wantJSON       string
		wantClass      webhook.ErrorClass
		wantData       bool
	}{
		{"json", "application/json", " {\"b\":1,\"a\":12345678901234567890,\"t\":\"tok-SECRET-9\"}\n", `{"b":1,"a":12345678901234567890,"t":"********"}`, "", false},
		{"problem json", "application/problem+json", `[1, 2.50]`, `[1, 2.50]`, "", false},
		{"invalid", "application/json", `{"a":`, "", webhook.ClassDecode, false},
		{"xml is decoded", "application/xml", `<a>1</a>`, "", "", true},
		{"text is decoded", "text/plain", `hello`, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ct)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			s := New(srv.Client(), Options{})
			res := s.Send(t.Context(), Request{Method: "GET", URL: srv.URL, Secrets: []string{"tok-SECRET-9"}, JSONData: true})
			if res.Class != tt.wantClass {
				t.Fatalf("class = %q (%s), want %q", res.Class, res.Detail, tt.wantClass)
			}
			if string(res.JSON) != tt.wantJSON {
				t.Errorf("JSON = %s, want %s", res.JSON, tt.wantJSON)
			}
			if (res.Data != nil) != tt.wantData {
				t.Errorf("Data = %v, want data: %v", res.Data, tt.wantData)
			}
		})
	}
}
