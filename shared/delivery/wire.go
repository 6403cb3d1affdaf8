package delivery

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"strings"
	"sync"

	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/webhook"
)

// The request record lists the header fields the transport wrote on the wire for the
// first hop of an attempt (later hops, redirects, are not recorded). httptrace's
// WroteHeaderField reports each field as it is written, but costs net/http an
// allocation per field and delivery a locked append per value. On an HTTP/1.1
// connection of a client whose transport is known (egress.WireOf), the fields follow
// from the request exactly as net/http's Request.write lays them out (h1Record), so
// only GotConn, which says which connection the request goes on, and WroteHeaders,
// which says the fields went out, are traced. Everywhere else every field is traced as
// written: on HTTP/2, whose field order follows Go's map iteration, for other clients,
// for requests h1Record does not cover, and when the caller's context carries a trace
// of its own. TestWireHeadersDerivedMatchTraced sends many kinds of request through
// net/http with a trace and compares with Request.write's layout (h1Reference, in the
// tests), and TestRecordDerivedMatchesTraced sends through Send both ways, so a change
// in net/http shows as a failing test.

// wireMode is how the fields of the first hop are known.
type wireMode uint8

const (
	wireUndecided wireMode = iota
	wireDerived            // HTTP/1.1: h1Record of the request
	wireTraced             // every field traced as written
	wireUnknown            // the request moved to a connection of another kind; not recorded
)

// wireHeaders records the header fields written for the first hop of one attempt.
// Trace callbacks may run on the transport's writer goroutine, hence the mutex.
type wireHeaders struct {
	trace httptrace.ClientTrace
	// req is the request, whose header's fields sorted by name are sorted; wire is the
	// client's transport; derivable reports whether h1Record covers req.
	req       *http.Request
	sorted    []webhook.Header
	wire      egress.Wire
	derivable bool

	mu       sync.Mutex
	mode     wireMode
	complete bool
	list     []webhook.Header // the fields traced
}

// newWireHeaders returns a recorder for one attempt. known reports whether the client's
// transport is known (wire); traced makes it trace every field from the start.
func newWireHeaders(wire egress.Wire, known, traced bool) *wireHeaders {
	w := &wireHeaders{wire: wire}
	w.trace.WroteHeaders = w.wroteHeaders
	if known && !traced {
		w.trace.GotConn = w.gotConn
	} else {
		w.mode = wireTraced
		w.trace.WroteHeaderField = w.wroteField
	}
	return w
}

// setRequest names the request the trace is for, before it is sent, and its header's
// fields as buildHeader sorts them.
func (w *wireHeaders) setRequest(req *http.Request, fields []webhook.Header) {
	w.req, w.sorted = req, fields
	w.derivable = h1Derivable(req, w.wire)
}

// gotConn decides, on the first connection the request gets, how its fields are
// known; it runs before the transport writes them on that connection.
func (w *wireHeaders) gotConn(info httptrace.GotConnInfo) {
	h1 := w.derivable && isHTTP1(info.Conn)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.complete:
	case w.mode == wireUndecided && h1:
		w.mode = wireDerived
	case w.mode == wireUndecided:
		// Set once, before the transport reads it: the header is written after
		// GotConn, on this goroutine or one it starts.
		w.mode = wireTraced
		w.trace.WroteHeaderField = w.wroteField
	case w.mode == wireDerived && !h1:
		w.mode = wireUnknown
	case w.mode == wireTraced:
		w.list = w.list[:0] // the fields are written anew on this connection
	}
}

func (w *wireHeaders) wroteField(key string, values []string) {
	if strings.HasPrefix(key, ":") {
		return // HTTP/2 pseudo-headers
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.complete {
		return
	}
	name := textproto.CanonicalMIMEHeaderKey(key)
	for _, v := range values {
		w.list = append(w.list, webhook.Header{Name: name, Value: v})
	}
}

func (w *wireHeaders) wroteHeaders() {
	w.mu.Lock()
	w.complete = true
	w.mu.Unlock()
}

// fields returns the header fields written for the first hop, and whether they are
// known: the header went out and was recorded.
func (w *wireHeaders) fields() ([]webhook.Header, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.complete {
		return nil, false
	}
	switch w.mode {
	case wireTraced:
		return w.list, true
	case wireDerived:
		return h1Record(w.req, w.sorted, w.wire), true
	}
	return nil, false
}

// isHTTP1 reports whether c is a TLS connection that speaks HTTP/1.1 (no ALPN or
// http/1.1): the transport negotiates HTTP/2 with ALPN h2.
func isHTTP1(c net.Conn) bool {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return false
	}
	p := tc.ConnectionState().NegotiatedProtocol
	return p == "" || p == "http/1.1"
}

// h1Derivable reports whether h1Record gives the fields req is written with on HTTP/1.1
// through a transport with wire: no credentials in the URL (the client would add an
// Authorization field), no Close, trailers or transfer encoding, a body of known
// length, a host net/http writes as it is (ASCII, no zone), and a transport that keeps
// connections alive.
func h1Derivable(req *http.Request, wire egress.Wire) bool {
	if req.URL == nil || req.URL.User != nil || req.Close || req.Trailer != nil || req.TransferEncoding != nil || wire.Close {
		return false
	}
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength <= 0 {
		return false
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-:[]", c) >= 0) {
			return false
		}
	}
	return true
}

// defaultUserAgent is net/http's User-Agent on HTTP/1.1 for a request without one.
const defaultUserAgent = "Go-http-client/1.1"

// h1Record lists the header fields net/http's Request.write writes for req on an
// HTTP/1.1 connection of a transport with wire, for a request h1Derivable accepts whose
// header is fields (canonical names sorted, a name's values in order, as buildHeader
// makes them), in order: Host; User-Agent (the request's first, else Go's default;
// none when empty); Content-Length (for a body, and 0 for POST, PUT and PATCH without
// one); the other fields, each value with line breaks made spaces and outer white
// space trimmed; then the transport's own: Accept-Encoding: gzip when it asks for gzip
// and the request has neither Accept-Encoding nor Range and is not HEAD.
func h1Record(req *http.Request, fields []webhook.Header, wire egress.Wire) []webhook.Header {
	out := make([]webhook.Header, 0, len(fields)+4)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	out = append(out, webhook.Header{Name: "Host", Value: host})
	ua, hasUA := first(fields, "User-Agent")
	if !hasUA {
		ua = defaultUserAgent
	}
	if ua != "" {
		out = append(out, webhook.Header{Name: "User-Agent", Value: wireValue(ua)})
	}
	method := req.Method
	if method == "" {
		method = "GET"
	}
	var n int64
	if req.Body != nil && req.Body != http.NoBody {
		n = req.ContentLength
	}
	if n > 0 || method == "POST" || method == "PUT" || method == "PATCH" {
		out = append(out, webhook.Header{Name: "Content-Length", Value: strconv.FormatInt(n, 10)})
	}
	for _, f := range fields {
		switch f.Name {
		case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
			continue // written above, or not from the header
		}
		if isToken(f.Name) { // net/http drops a field with an invalid name
			out = append(out, webhook.Header{Name: f.Name, Value: wireValue(f.Value)})
		}
	}
	ae, _ := first(fields, "Accept-Encoding")
	if rng, _ := first(fields, "Range"); wire.Gzip && ae == "" && rng == "" && method != "HEAD" {
		out = append(out, webhook.Header{Name: "Accept-Encoding", Value: "gzip"})
	}
	return out
}

// first returns the first value of the field name, as http.Header.Get does, and
// whether the field is there at all.
func first(fields []webhook.Header, name string) (string, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// wireValue is a header value as net/http writes it: CR and LF as spaces, outer
// spaces and tabs trimmed.
func wireValue(v string) string {
	if strings.IndexByte(v, '\r') >= 0 || strings.IndexByte(v, '\n') >= 0 {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	return textproto.TrimString(v)
}
