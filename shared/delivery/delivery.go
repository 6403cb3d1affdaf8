package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Limits and defaults of a delivery.
const (
	// MaxRead is how much of a response body is read; a longer body fails the attempt
	// with class too_large.
	MaxRead = 1 << 20
	// DefaultDeadlineMargin is kept free before the context's deadline (the Lambda
	// deadline) for recording the result after the last attempt.
	DefaultDeadlineMargin = time.Second
	// minAttemptBudget is the least time worth starting a first attempt with.
	minAttemptBudget = 10 * time.Millisecond
)

// Doer sends one HTTP request; *http.Client from egress.NewClient is the one to use.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Options tune a Sender. The zero Options is production: Policy defaults, MaxRead,
// DefaultDeadlineMargin, the real clock and math/rand/v2.
type Options struct {
	Policy Policy
	// ReadLimit caps the bytes read from a response body; zero means MaxRead.
	ReadLimit int
	// DeadlineMargin is subtracted from the context's deadline to get the hard deadline
	// no attempt may run past; zero means DefaultDeadlineMargin, negative means none.
	DeadlineMargin time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a random int64 in [0, n) for jitter; nil means rand.Int64N.
	Rand func(n int64) int64
}

// Request is a webhook request ready to send, as built from its templates, with the
// secret values its authentication added.
type Request struct {
	Method string
	URL    string
	// Header lists the headers in order. Host, Content-Length, Transfer-Encoding,
	// Connection, Keep-Alive, Proxy-Connection, Upgrade, TE, Trailer and
	// Accept-Encoding are dropped: the transport sets them (it asks for gzip and
	// decodes it, so the read limit applies to the decoded body).
	Header []webhook.Header
	Body   []byte
	// ContentType is sent as Content-Type unless Header has one.
	ContentType string
	// Secrets are the values to redact from everything recorded or returned.
	Secrets []string
	// Timeout bounds one attempt, from connect to the end of the body; zero means
	// webhook.DefaultTimeoutMs.
	Timeout time.Duration
	// JSONData asks for a UTF-8 JSON response's data as JSON text (Result.JSON): the
	// redacted body, validated but not decoded. JSON text keeps numbers exact and keys in
	// order by itself, so a caller that stores the data as JSON (the workflow executor)
	// spares the decode and the encode back. Other responses are decoded into Data.
	JSONData bool
}

// Response is the response of the final attempt, redacted.
type Response struct {
	Status int
	// Headers are sorted by name, values in the order received.
	Headers []webhook.Header
	// Body is the body up to the read limit.
	Body string
	// Truncated marks a body longer than the read limit.
	Truncated bool
	// ContentType is the response's Content-Type header.
	ContentType string
}

// Result is everything a delivery produced. Every string in it is redacted.
type Result struct {
	// Request is the request as sent: the header fields written on the wire by the
	// first attempt that got that far (traced as written, or on HTTP/1.1 derived
	// from the request exactly as net/http writes it), else the headers given; the
	// body capped at webhook.MaxRecordedBody.
	Request webhook.RequestRecord
	// Attempts has one record per try, bodies capped at webhook.MaxRecordedBody.
	Attempts []webhook.Attempt
	// Response is the final attempt's response; nil when it got none.
	Response *Response
	// Data is the decoded body of a successful response (nil for an empty body). Its
	// strings may share memory with the body rather than copy it.
	Data any
	// JSON is the redacted JSON text of a successful UTF-8 JSON response when the
	// Request asked for JSONData (Data is then nil).
	JSON []byte
	// Class is the final error class; empty on success.
	Class webhook.ErrorClass
	// Detail is a sentence for the user saying what went wrong; empty on success.
	Detail string
	// Cause is the underlying error for logs; its message is redacted, and errors.As
	// still finds the original types in its chain.
	Cause error
}

// OK reports whether the delivery succeeded.
func (r *Result) OK() bool { return r.Class == "" }

// Sender sends webhook requests through a guarded client. It is safe for concurrent use.
type Sender struct {
	client Doer
	opts   Options
	last   atomic.Pointer[cachedRedactor]
	// wire is the client's transport when known (wireKnown): see wire.go.
	wire      egress.Wire
	wireKnown bool
	// realClock is set when opts.Now is time.Now: durations then read only the
	// monotonic clock.
	realClock bool
}

// New returns a Sender that sends with client.
func New(client Doer, opts Options) *Sender {
	if opts.ReadLimit <= 0 {
		opts.ReadLimit = MaxRead
	}
	if opts.DeadlineMargin == 0 {
		opts.DeadlineMargin = DefaultDeadlineMargin
	} else if opts.DeadlineMargin < 0 {
		opts.DeadlineMargin = 0
	}
	realClock := opts.Now == nil
	if realClock {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Rand == nil {
		opts.Rand = rand.Int64N
	}
	s := &Sender{client: client, opts: opts, realClock: realClock}
	if c, ok := client.(*http.Client); ok {
		s.wire, s.wireKnown = egress.WireOf(c)
	}
	return s
}

// Send makes one attempt, as the "Send test" button does.
func (s *Sender) Send(ctx context.Context, req Request) Result {
	return s.deliver(ctx, &req, 1)
}

// SendWithRetry makes up to maxAttempts attempts under the retry policy. A retry starts
// only if, after its delay, a whole attempt (req.Timeout) still fits before the hard
// deadline; the first attempt's timeout is cut to the time left instead.
func (s *Sender) SendWithRetry(ctx context.Context, req Request, maxAttempts int) Result {
	return s.deliver(ctx, &req, max(maxAttempts, 1))
}

// ignored reports the header names (canonical) the transport sets, never a request.
func ignored(name string) bool {
	switch name {
	case "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection",
		"Upgrade", "Te", "Trailer", "Accept-Encoding":
		return true
	}
	return false
}

// fieldList is a pooled buffer for a request's header fields.
type fieldList struct{ f []webhook.Header }

var fieldsPool = sync.Pool{New: func() any { return &fieldList{f: make([]webhook.Header, 0, 16)} }}

// buildHeader appends to fields the header fields to send: names canonical, the
// ignored ones dropped, Content-Type from contentType unless given, sorted by name with
// the values of a name in the order given: the order HTTP/1.1 writes them in (see
// h1Record).
func buildHeader(fields, hs []webhook.Header, contentType string) []webhook.Header {
	hasType := false
	for _, h := range hs {
		name := textproto.CanonicalMIMEHeaderKey(h.Name)
		if ignored(name) {
			continue
		}
		fields = append(fields, webhook.Header{Name: name, Value: h.Value})
		hasType = hasType || name == "Content-Type"
	}
	if contentType != "" && !hasType {
		fields = append(fields, webhook.Header{Name: "Content-Type", Value: contentType})
	}
	slices.SortStableFunc(fields, func(a, b webhook.Header) int { return strings.Compare(a.Name, b.Name) })
	return fields
}

// fillHeader puts fields, sorted as buildHeader sorts them, into h; the values share
// one backing array.
func fillHeader(h http.Header, fields []webhook.Header) {
	vals := make([]string, len(fields))
	start := 0
	for i, f := range fields {
		vals[i] = f.Value
		if i == 0 || f.Name != fields[i-1].Name {
			start = i
		}
		h[f.Name] = vals[start : i+1 : i+1] // a name's values are next to each other
	}
}

// givenHeaders lists the headers buildHeader sends, in the order given, for the record
// when no attempt wrote any.
func givenHeaders(hs []webhook.Header, contentType string) []webhook.Header {
	out := make([]webhook.Header, 0, len(hs)+1)
	hasType := false
	for _, h := range hs {
		name := textproto.CanonicalMIMEHeaderKey(h.Name)
		if !ignored(name) {
			out = append(out, webhook.Header{Name: name, Value: h.Value})
			hasType = hasType || name == "Content-Type"
		}
	}
	if contentType != "" && !hasType {
		out = append(out, webhook.Header{Name: "Content-Type", Value: contentType})
	}
	return out
}

// redactor returns the redactor for secrets and the request's credentials, reusing the
// last one built when they are the same: consecutive sends usually share a connector.
func (s *Sender) redactor(secrets []string, hs []webhook.Header) *redactor {
	if c := s.last.Load(); c != nil && slices.Equal(c.secrets, secrets) && sameCredentials(hs, c.credentials) {
		return c.r
	}
	r := newRedactor(secrets, hs)
	s.last.Store(&cachedRedactor{secrets: slices.Clone(secrets), credentials: credentials(hs, nil), r: r})
	return r
}

// credentials appends the Authorization and Proxy-Authorization values of hs to dst.
func credentials(hs []webhook.Header, dst []string) []string {
	for _, h := range hs {
		if isAuthorization(h.Name) {
			dst = append(dst, h.Value)
		}
	}
	return dst
}

// sameCredentials reports whether hs carries exactly the credentials creds, in order.
func sameCredentials(hs []webhook.Header, creds []string) bool {
	i := 0
	for _, h := range hs {
		if isAuthorization(h.Name) {
			if i >= len(creds) || creds[i] != h.Value {
				return false
			}
			i++
		}
	}
	return i == len(creds)
}

func isAuthorization(name string) bool {
	switch len(name) {
	case len("Authorization"):
		return strings.EqualFold(name, "Authorization")
	case len("Proxy-Authorization"):
		return strings.EqualFold(name, "Proxy-Authorization")
	}
	return false
}

// cachedRedactor is a redactor with the inputs it was built from.
type cachedRedactor struct {
	secrets     []string
	credentials []string
	r           *redactor
}

func (s *Sender) deliver(ctx context.Context, req *Request, maxAttempts int) (res Result) {
	red := s.redactor(req.Secrets, req.Header)
	fl := fieldsPool.Get().(*fieldList)
	fields := buildHeader(fl.f[:0], req.Header, req.ContentType)
	res = Result{Request: webhook.RequestRecord{Method: req.Method, URL: red.URL(req.URL)}}
	wired := false // whether Request.Headers are the ones written on the wire
	defer func() {
		if !wired {
			res.Request.Headers = redactRequestHeaders(red, givenHeaders(req.Header, req.ContentType))
		}
		// Nothing holds the fields now: the record was copied from them.
		if cap(fields) <= 64 {
			clear(fields)
			fl.f = fields[:0]
			fieldsPool.Put(fl)
		}
	}()
	res.Request.Body, res.Request.Truncated = red.capped(string(req.Body), webhook.MaxRecordedBody)

	if err := validate(req.Method, fields); err != nil {
		res.Class, res.Detail = webhook.ClassRender, red.String(err.Error())
		res.Cause = &redactedError{msg: res.Detail, err: err}
		return res
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = webhook.DefaultTimeoutMs * time.Millisecond
	}
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		deadline = deadline.Add(-s.opts.DeadlineMargin)
	}
	var out attemptResult
	for attempt := 1; ; attempt++ {
		budget := timeout
		if hasDeadline {
			budget = min(budget, deadline.Sub(s.opts.Now()))
		}
		if budget < minAttemptBudget {
			s.fail(&res, red, failure{class: webhook.ClassTimeout,
				detail: "no time was left before the deadline to send the request"}, context.DeadlineExceeded, "")
			return res
		}
		out = attemptResult{}
		s.attempt(ctx, req, fields, budget, red, !wired, &out)
		res.Attempts = append(res.Attempts, out.record)
		res.Response = out.response
		if out.wired {
			res.Request.Headers = redactRequestHeaders(red, out.wire)
			wired = true
		}
		if out.fail.class == "" {
			res.Data, res.JSON = out.data, out.json
			return res
		}
		o := Outcome{Class: out.fail.class, Status: out.record.Status, HostNotFound: out.fail.notFound}
		if out.response != nil {
			o.RetryAfter = out.retryAfter
		}
		if attempt >= maxAttempts {
			s.fail(&res, red, out.fail, out.err, "")
			return res
		}
		step := s.opts.Policy.Next(attempt, o, s.opts.Now(), s.opts.Rand)
		if !step.Retry {
			s.fail(&res, red, out.fail, out.err, "")
			return res
		}
		if hasDeadline && deadline.Sub(s.opts.Now().Add(step.Delay)) < timeout {
			why := fmt.Sprintf("not retried: another attempt of up to %s would not finish before the deadline", timeout)
			if step.RetryAfter {
				why = fmt.Sprintf("not retried: the endpoint asked to wait %s (Retry-After), which with another attempt of up to %s would end after the deadline", step.Delay, timeout)
			}
			s.fail(&res, red, out.fail, out.err, why)
			return res
		}
		if err := s.opts.Sleep(ctx, step.Delay); err != nil {
			s.fail(&res, red, out.fail, out.err, "not retried: the request was cancelled while waiting to retry")
			return res
		}
	}
}

// fail sets the final class, detail and cause.
func (s *Sender) fail(res *Result, red *redactor, f failure, cause error, why string) {
	res.Class = f.class
	detail := f.detail
	if n := len(res.Attempts); n > 1 {
		detail = fmt.Sprintf("%s (after %d attempts)", detail, n)
	}
	if why != "" {
		detail += "; " + why
	}
	res.Detail = red.String(detail)
	if cause == nil {
		cause = errors.New(f.detail)
	}
	res.Cause = &redactedError{msg: red.String(cause.Error()), err: cause}
}

type attemptResult struct {
	record webhook.Attempt
	// wire are the header fields written for the first hop, when wired.
	wire       []webhook.Header
	wired      bool
	response   *Response
	retryAfter string
	data       any
	json       []byte
	fail       failure
	err        error
}

// readBuffer is a pooled buffer for reading a body through a limit.
type readBuffer struct {
	bytes.Buffer
	lr io.LimitedReader
}

var bufPool = sync.Pool{New: func() any { return new(readBuffer) }}

// attempt makes one try of req, with the header fields (see buildHeader), within
// budget and records it in out; with record, it records the header fields written
// (see wire.go).
func (s *Sender) attempt(ctx context.Context, req *Request, fields []webhook.Header, budget time.Duration, red *redactor, record bool, out *attemptResult) {
	start := s.opts.Now()
	out.record.StartedAt = start
	var wire *wireHeaders
	defer func() {
		if s.realClock {
			out.record.DurationMs = time.Since(start).Milliseconds()
		} else {
			out.record.DurationMs = s.opts.Now().Sub(start).Milliseconds()
		}
		if out.fail.class != "" {
			out.record.ErrorClass = out.fail.class
			out.record.Error = red.String(out.fail.detail)
		}
		if wire != nil {
			out.wire, out.wired = wire.fields()
		}
	}()
	actx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	if record {
		// A trace of the caller's is composed with this one; it may want every field.
		wire = newWireHeaders(s.wire, s.wireKnown, httptrace.ContextClientTrace(ctx) != nil)
		actx = httptrace.WithClientTrace(actx, &wire.trace)
	}
	var body io.Reader
	if len(req.Body) > 0 {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(actx, req.Method, req.URL, body)
	if err != nil {
		var ue *url.Error
		if !errors.As(err, &ue) {
			out.fail = failure{class: webhook.ClassRender, detail: "the request cannot be built: " + err.Error()}
			out.err = err
			return
		}
		// Go's URL parser refuses it outright: a refusal like the guard's, not a DNS error.
		be := &egress.BlockedError{Reason: egress.Unparsable, URL: req.URL, Cause: ue.Err}
		out.fail = failure{class: webhook.ClassBlocked, detail: be.Error()}
		out.err = be
		return
	}
	fillHeader(hreq.Header, fields)
	if wire != nil {
		wire.setRequest(hreq, fields)
	}
	host := hreq.URL.Host

	resp, err := s.client.Do(hreq)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		out.fail = classifyError(err, actx, budget, host, false)
		out.err = err
		return
	}
	defer resp.Body.Close()
	if actx.Err() != nil {
		// The headers came only as the attempt ended (the transport can still read a
		// response the server sends on seeing the client give up): no answer in time.
		out.fail = classifyError(actx.Err(), actx, budget, host, false)
		out.err = actx.Err()
		return
	}

	buf := bufPool.Get().(*readBuffer)
	buf.Reset()
	defer func() {
		buf.lr.R = nil
		if buf.Cap() <= 64<<10 {
			bufPool.Put(buf)
		}
	}()
	limit := s.opts.ReadLimit
	buf.lr = io.LimitedReader{R: resp.Body, N: int64(limit) + 1}
	_, readErr := buf.ReadFrom(&buf.lr)
	raw := buf.Bytes()
	truncated := len(raw) > limit
	if truncated {
		raw = raw[:limit]
	}

	r := &Response{Status: resp.StatusCode, Truncated: truncated, ContentType: resp.Header.Get("Content-Type")}
	r.Headers = responseHeaders(red, resp.Header)
	text := string(raw)
	redacted := red.String(text)
	r.Body = redacted
	out.response = r
	out.retryAfter = resp.Header.Get("Retry-After")
	out.record.Status = resp.StatusCode
	out.record.Headers = r.Headers
	out.record.Body, out.record.Truncated = capText(redacted, webhook.MaxRecordedBody)
	out.record.Truncated = out.record.Truncated || truncated

	switch {
	case readErr == nil && actx.Err() != nil:
		// The transport may end a cancelled body with a clean EOF (the server finishing
		// the response as it sees the client go); the body cannot be trusted whole.
		readErr = actx.Err()
		fallthrough
	case readErr != nil:
		out.fail = classifyError(readErr, actx, budget, host, true)
		out.err = readErr
		return
	case truncated:
		out.fail = failure{class: webhook.ClassTooLarge,
			detail: fmt.Sprintf("the response body is larger than %s, the most a webhook may read", byteSize(limit))}
		out.err = errors.New(out.fail.detail)
		return
	}
	if f, ok := classifyStatus(resp.StatusCode); !ok {
		out.fail = f
		out.err = errors.New(f.detail)
		return
	}
	if req.JSONData && isJSON(r.ContentType) && !strings.HasPrefix(text, bomUTF8) && len(text) > 0 {
		trimmed := strings.TrimSpace(redacted)
		if !validJSON(trimmed) {
			_, err := decode(r.ContentType, text) // its message says where the body breaks
			if err == nil {
				err = errors.New("the response is not valid JSON")
			}
			out.fail = failure{class: webhook.ClassDecode, detail: err.Error()}
			out.err = err
			return
		}
		out.json = []byte(trimmed)
		return
	}
	data, err := decode(r.ContentType, text)
	if err != nil {
		out.fail = failure{class: webhook.ClassDecode, detail: err.Error()}
		out.err = err
		return
	}
	// Decoded UTF-8 JSON without escapes is made of pieces of the body: when the body
	// holds no secret (redaction changed nothing), neither can the data.
	if redacted != text || strings.IndexByte(text, '\\') >= 0 || !isJSON(r.ContentType) || !utf8.ValidString(text) {
		data = red.Data(data)
	}
	out.data = data
}

func isJSON(contentType string) bool {
	switch contentType {
	case "application/json", "application/json; charset=utf-8": // the usual ones, read as FormatOf would
		return true
	}
	f, _, charset := FormatOf(contentType)
	return f == FormatJSON && (charset == "" || charset == "utf-8" || charset == "utf8")
}

// capText cuts s to at most limit bytes on a rune boundary.
func capText(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	i := limit
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i], true
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// redactRequestHeaders redacts a list of request headers in place, for the record.
func redactRequestHeaders(red *redactor, hs []webhook.Header) []webhook.Header {
	for i, h := range hs {
		hs[i] = webhook.Header{Name: red.String(h.Name), Value: red.requestHeader(h.Name, h.Value)}
	}
	return hs
}

// responseHeaders lists h sorted by name, values in the order received, redacted.
func responseHeaders(red *redactor, h http.Header) []webhook.Header {
	var buf [24]string
	names := buf[:0]
	n := 0
	for k, vs := range h {
		names = append(names, k)
		n += len(vs)
	}
	slices.Sort(names)
	out := make([]webhook.Header, 0, n)
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, webhook.Header{Name: k, Value: red.headerValue(v)})
		}
	}
	return out
}

// validate refuses a method or header field the transport would reject, before
// anything is sent: these are faults of the built request, so the class is render.
func validate(method string, fields []webhook.Header) error {
	if method == "" || !isToken(method) {
		return fmt.Errorf("the request method %q is not valid", method)
	}
	for _, f := range fields {
		if !isToken(f.Name) {
			return fmt.Errorf("the header name %q is not valid", f.Name)
		}
		for i := 0; i < len(f.Value); i++ {
			if c := f.Value[i]; c < 0x20 && c != '\t' || c == 0x7f {
				return fmt.Errorf("the value of header %s contains a control character (such as a line break)", f.Name)
			}
		}
	}
	return nil
}

// tokenChars marks the bytes of an HTTP token (RFC 9110 §5.6.2).
var tokenChars = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return s != ""
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// redactedError carries a redacted message for logs while keeping the original chain
// for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
