package delivery

import (
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/webhook"
)

// wireCase is a request to send: method, body and the header map as the transport
// gets it (keys as given, not canonicalized).
type wireCase struct {
	name   string
	method string
	body   string
	header http.Header
}

var wireCases = []wireCase{
	{"post with a body", "POST", `{"a":1}`, http.Header{"User-Agent": {"Flowhook/0.1.0"}, "Content-Type": {"application/json"},
		"Authorization": {"Bearer tok"}, "Idempotency-Key": {"r_1:wh"}, "X-Multi": {"1", "2"}}},
	{"get without a user agent", "GET", "", http.Header{"Accept": {"*/*"}}},
	{"empty user agent", "GET", "", http.Header{"User-Agent": {""}, "X-A": {"1"}}},
	{"blank user agent", "POST", "x", http.Header{"User-Agent": {" \t "}}},
	{"two user agents", "POST", "x", http.Header{"User-Agent": {" first ", "second"}}},
	{"values trimmed", "POST", "x", http.Header{"X-Spaced": {"  a b \t"}, "X-Blank": {""}, "X-None": {}}},
	{"post without a body", "POST", "", http.Header{}},
	{"put without a body", "PUT", "", http.Header{}},
	{"delete without a body", "DELETE", "", http.Header{}},
	{"delete with a body", "DELETE", "gone", http.Header{}},
	{"patch without a body", "PATCH", "", http.Header{}},
	{"options without a body", "OPTIONS", "", http.Header{}},
	{"get with a body", "GET", "q", http.Header{}},
	{"head", "HEAD", "", http.Header{"X-A": {"1"}}},
	{"range asks no gzip", "GET", "", http.Header{"Range": {"bytes=0-10"}}},
	{"empty range still gzip", "GET", "", http.Header{"Range": {""}}},
	{"own accept-encoding", "GET", "", http.Header{"Accept-Encoding": {"br"}}},
	{"keys not canonical", "POST", "x", http.Header{"x-lower": {"l"}, "X-UPPER": {"u"}, "x-a": {"1"}, "X-A": {"2"}}},
	{"fields net/http sets itself", "POST", "x", http.Header{"Host": {"evil.example"}, "Content-Length": {"99"},
		"Trailer": {"X-T"}, "Transfer-Encoding": {"gzip"}}},
	{"cookie and expect", "POST", "body", http.Header{"Cookie": {"a=1; b=2"}, "Expect": {"100-continue"}}},
	{"connection close", "GET", "", http.Header{"Connection": {"close"}}},
}

// sendTraced sends c to url through client with w's trace and returns what w recorded.
func sendTraced(t *testing.T, client *http.Client, url string, c wireCase, w *wireHeaders) ([]webhook.Header, bool) {
	t.Helper()
	ctx := httptrace.WithClientTrace(context.Background(), &w.trace)
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header.Clone()
	w.setRequest(req)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return w.fields()
}

// TestWireHeadersDerivedMatchTraced checks h1Fields against httptrace: on HTTP/1.1 the
// fields derived from a request are the fields net/http reports writing, in order.
func TestWireHeadersDerivedMatchTraced(t *testing.T) {
	srv := newServer(t)
	wire, ok := egress.WireOf(srv.client)
	if !ok {
		t.Fatal("the test client is not egress's")
	}
	for _, c := range wireCases {
		t.Run(c.name, func(t *testing.T) {
			want, ok := sendTraced(t, srv.client, srv.url("/headers"), c, newWireHeaders(wire, true, true))
			if !ok || len(want) == 0 {
				t.Fatalf("the trace recorded nothing: %v, %v", want, ok)
			}
			w := newWireHeaders(wire, true, false)
			got, ok := sendTraced(t, srv.client, srv.url("/headers"), c, w)
			if !ok || w.mode != wireDerived {
				t.Fatalf("got mode %d, recorded %v; want the fields derived", w.mode, ok)
			}
			if !slices.Equal(got, want) {
				t.Errorf("derived %v\ntraced  %v", got, want)
			}
		})
	}
}

func TestWireHeadersTracedWhereNotDerived(t *testing.T) {
	srv := newServer(t)
	h2 := newH2Server(t)
	wire, _ := egress.WireOf(srv.client)
	tests := []struct {
		name   string
		client *http.Client
		url    string
		known  bool
		c      wireCase
	}{
		{"HTTP/2", h2.Client(), h2.URL, true, wireCases[0]},
		{"credentials in the URL", srv.client, "https://ann:pw@127.0.0.1:" + srv.port + "/headers", true, wireCases[0]},
		{"unknown client", srv.client, srv.url("/headers"), false, wireCases[0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, ok := sendTraced(t, tt.client, tt.url, tt.c, newWireHeaders(wire, tt.known, true))
			if !ok {
				t.Fatal("the trace recorded nothing")
			}
			w := newWireHeaders(wire, tt.known, false)
			got, ok := sendTraced(t, tt.client, tt.url, tt.c, w)
			if !ok || w.mode != wireTraced {
				t.Fatalf("got mode %d, recorded %v; want every field traced", w.mode, ok)
			}
			// HTTP/2 writes the fields in map order: compare them as sets.
			byName := func(a, b webhook.Header) int { return strings.Compare(a.Name+"\x00"+a.Value, b.Name+"\x00"+b.Value) }
			slices.SortFunc(got, byName)
			slices.SortFunc(want, byName)
			if !slices.Equal(got, want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
}

// newH2Server is a TLS server that speaks HTTP/2, with a guarded client that trusts it.
func newH2Server(t *testing.T) *h2Server {
	t.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusBadRequest)
		}
	}))
	s.EnableHTTP2 = true
	s.StartTLS()
	t.Cleanup(s.Close)
	client, err := egress.NewClient(egress.Config{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ExtraCAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &h2Server{Server: s, client: client}
}

type h2Server struct {
	*httptest.Server
	client *http.Client
}

func (s *h2Server) Client() *http.Client { return s.client }

// TestRecordHeadersHTTP2 checks the request record on HTTP/2, where every field is
// traced: the fields the server received, and the ones the transport adds.
func TestRecordHeadersHTTP2(t *testing.T) {
	h2 := newH2Server(t)
	res := New(h2.client, Options{}).Send(context.Background(), Request{
		Method: "POST", URL: h2.URL + "/x",
		Header:      []webhook.Header{{Name: "user-agent", Value: "Flowhook/1.2.3"}, {Name: "X-Source", Value: "flowhook"}},
		Body:        []byte(`{}`),
		ContentType: "application/json",
	})
	if !res.OK() {
		t.Fatalf("got %s: %s", res.Class, res.Detail)
	}
	got := slices.Clone(res.Request.Headers)
	slices.SortFunc(got, func(a, b webhook.Header) int { return strings.Compare(a.Name, b.Name) })
	want := []webhook.Header{
		{Name: "Accept-Encoding", Value: "gzip"},
		{Name: "Content-Length", Value: "2"},
		{Name: "Content-Type", Value: "application/json"},
		{Name: "User-Agent", Value: "Flowhook/1.2.3"},
		{Name: "X-Source", Value: "flowhook"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got headers %v\nwant %v", got, want)
	}
}
