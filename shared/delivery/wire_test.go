package delivery

import (
	"cmp"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/netip"
	"net/textproto"
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

// sendTraced sends c to url through client with w's trace and returns what w recorded;
// fields, when not nil, are the request's header fields as buildHeader sorts them.
func sendTraced(t *testing.T, client *http.Client, url string, c wireCase, fields []webhook.Header, w *wireHeaders) ([]webhook.Header, bool) {
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
	w.setRequest(req, fields)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return w.fields()
}

// newRequest is the request of c, for h1Reference.
func (c wireCase) newRequest(t *testing.T, url string) *http.Request {
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header
	return req
}

// h1Reference lays out the header fields net/http's Request.write writes for req on
// HTTP/1.1 through a transport with wire, for any header map (keys as they are, not
// canonicalized): the reference h1Record is checked against.
// TestH1ReferenceMatchesTrace checks it against what net/http reports writing.
func h1Reference(req *http.Request, wire egress.Wire) []webhook.Header {
	out := []webhook.Header{{Name: "Host", Value: req.Host}}
	ua := defaultUserAgent
	if _, ok := req.Header["User-Agent"]; ok {
		ua = req.Header.Get("User-Agent")
	}
	if ua != "" {
		out = append(out, webhook.Header{Name: "User-Agent", Value: wireValue(ua)})
	}
	method := cmp.Or(req.Method, "GET")
	var n int64
	if req.Body != nil && req.Body != http.NoBody {
		n = req.ContentLength
	}
	if n > 0 || method == "POST" || method == "PUT" || method == "PATCH" {
		out = append(out, webhook.Header{Name: "Content-Length", Value: fmt.Sprint(n)})
	}
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		switch k {
		case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		if !isToken(k) {
			continue
		}
		for _, v := range req.Header[k] {
			out = append(out, webhook.Header{Name: textproto.CanonicalMIMEHeaderKey(k), Value: wireValue(v)})
		}
	}
	if wire.Gzip && req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && method != "HEAD" {
		out = append(out, webhook.Header{Name: "Accept-Encoding", Value: "gzip"})
	}
	return out
}

// TestH1ReferenceMatchesTrace checks h1Reference against httptrace: the fields it lays
// out are the fields net/http reports writing on HTTP/1.1, in order.
func TestH1ReferenceMatchesTrace(t *testing.T) {
	srv := newServer(t)
	wire, ok := egress.WireOf(srv.client)
	if !ok {
		t.Fatal("the test client is not egress's")
	}
	for _, c := range wireCases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := sendTraced(t, srv.client, srv.url("/headers"), c, nil, newWireHeaders(wire, true, true))
			if !ok || len(got) == 0 {
				t.Fatalf("the trace recorded nothing: %v, %v", got, ok)
			}
			if want := h1Reference(c.newRequest(t, srv.url("/headers")), wire); !slices.Equal(got, want) {
				t.Errorf("traced    %v\nreference %v", got, want)
			}
		})
	}
}

// deliveryCases are header lists as a Request gives them.
var deliveryCases = []struct {
	name        string
	method      string
	body        string
	header      []webhook.Header
	contentType string
}{
	{"webhook", "POST", `{"a":1}`, []webhook.Header{{Name: "User-Agent", Value: "Flowhook/0.1.0"}, {Name: "Accept", Value: "*/*"},
		{Name: "X-Source", Value: "flowhook"}, {Name: "Authorization", Value: "Bearer tok"}, {Name: "Idempotency-Key", Value: "r_1:wh"}}, "application/json"},
	{"names in any case, repeated", "POST", "x", []webhook.Header{{Name: "x-b", Value: "1"}, {Name: "X-A", Value: "2"}, {Name: "X-B", Value: "3"},
		{Name: "x-a", Value: " 4 "}, {Name: "content-type", Value: "text/plain"}}, "application/json"},
	{"no user agent, no body", "GET", "", []webhook.Header{{Name: "Accept", Value: "*/*"}}, ""},
	{"empty and blank user agents", "POST", "x", []webhook.Header{{Name: "user-agent", Value: " "}, {Name: "User-Agent", Value: "second"}}, ""},
	{"empty user agent", "GET", "", []webhook.Header{{Name: "User-Agent", Value: ""}}, ""},
	{"range", "GET", "", []webhook.Header{{Name: "range", Value: "bytes=0-1"}}, ""},
	{"empty range", "GET", "", []webhook.Header{{Name: "Range", Value: ""}, {Name: "Range", Value: "bytes=0-1"}}, ""},
	{"fields the transport sets", "POST", "x", []webhook.Header{{Name: "Host", Value: "evil.example"}, {Name: "Connection", Value: "close"},
		{Name: "Accept-Encoding", Value: "br"}, {Name: "Content-Length", Value: "9"}, {Name: "TE", Value: "trailers"}}, "text/plain"},
	{"put without a body", "PUT", "", nil, ""},
	{"delete with a body", "DELETE", "gone", nil, "text/plain"},
}

// TestWireHeadersDerivedMatchTraced sends requests as delivery builds them through
// net/http twice, tracing every field and deriving them (h1Record), and compares both
// with each other and with h1Reference.
func TestWireHeadersDerivedMatchTraced(t *testing.T) {
	srv := newServer(t)
	wire, _ := egress.WireOf(srv.client)
	for _, dc := range deliveryCases {
		t.Run(dc.name, func(t *testing.T) {
			fields := buildHeader(nil, dc.header, dc.contentType)
			header := http.Header{}
			fillHeader(header, fields)
			c := wireCase{dc.name, dc.method, dc.body, header}
			want, ok := sendTraced(t, srv.client, srv.url("/headers"), c, fields, newWireHeaders(wire, true, true))
			if !ok {
				t.Fatal("the trace recorded nothing")
			}
			w := newWireHeaders(wire, true, false)
			got, ok := sendTraced(t, srv.client, srv.url("/headers"), c, fields, w)
			if !ok || w.mode != wireDerived {
				t.Fatalf("got mode %d, recorded %v; want the fields derived", w.mode, ok)
			}
			if !slices.Equal(got, want) {
				t.Errorf("derived %v\ntraced  %v", got, want)
			}
			if ref := h1Reference(c.newRequest(t, srv.url("/headers")), wire); !slices.Equal(got, ref) {
				t.Errorf("derived   %v\nreference %v", got, ref)
			}
		})
	}
}

// FuzzH1Record checks h1Record on buildHeader's fields against h1Reference on its map,
// for any header list.
func FuzzH1Record(f *testing.F) {
	f.Add("POST", "x-b:1\nX-A:2\nX-B:3\nuser-agent: ua \nRange:\nHost:h", "application/json", true)
	f.Add("GET", "Content-Type:a\ncontent-type:b\nx:\tv\t", "", false)
	f.Add("HEAD", "Accept-Encoding:br\nBad Name:1", "text/plain", true)
	f.Fuzz(func(t *testing.T, method, lines, contentType string, gzip bool) {
		var hs []webhook.Header
		for _, line := range strings.Split(lines, "\n") {
			name, value, _ := strings.Cut(line, ":")
			hs = append(hs, webhook.Header{Name: name, Value: value})
		}
		fields := buildHeader(nil, hs, contentType)
		header := http.Header{}
		fillHeader(header, fields)
		for _, body := range []io.Reader{nil, strings.NewReader("body")} {
			req, err := http.NewRequest("GET", "https://x.example/", body)
			if err != nil {
				t.Fatal(err)
			}
			req.Method, req.Header = method, header
			wire := egress.Wire{Gzip: gzip}
			if got, want := h1Record(req, fields, wire), h1Reference(req, wire); !slices.Equal(got, want) {
				t.Fatalf("header %q\nh1Record    %v\nh1Reference %v", hs, got, want)
			}
		}
	})
}

// TestRecordDerivedMatchesTraced sends through Send twice, once as usual (fields
// derived on HTTP/1.1) and once with a trace of the caller's, which makes delivery
// trace every field: the request records agree.
func TestRecordDerivedMatchesTraced(t *testing.T) {
	srv := newServer(t)
	sender := New(srv.client, Options{})
	for _, dc := range deliveryCases {
		t.Run(dc.name, func(t *testing.T) {
			req := Request{Method: dc.method, URL: srv.url("/headers"), Header: dc.header, Body: []byte(dc.body), ContentType: dc.contentType}
			derived := sender.Send(context.Background(), req)
			traced := sender.Send(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{}), req)
			if !derived.OK() || !traced.OK() {
				t.Fatalf("got %s: %s; %s: %s", derived.Class, derived.Detail, traced.Class, traced.Detail)
			}
			if !slices.Equal(derived.Request.Headers, traced.Request.Headers) {
				t.Errorf("derived %v\ntraced  %v", derived.Request.Headers, traced.Request.Headers)
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
			want, ok := sendTraced(t, tt.client, tt.url, tt.c, nil, newWireHeaders(wire, tt.known, true))
			if !ok {
				t.Fatal("the trace recorded nothing")
			}
			w := newWireHeaders(wire, tt.known, false)
			got, ok := sendTraced(t, tt.client, tt.url, tt.c, nil, w)
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
