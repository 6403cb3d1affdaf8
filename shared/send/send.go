// Package send calls webhooks: it builds a webhook's request from its definition and a
// render input (package render: templates, escaping by destination), adds the
// connector's authentication after rendering, so a template can never read a secret,
// and sends it through package delivery (egress guard, retries, bounded read, decoding,
// redaction by value). It serves the workflow executor (Call, which implements
// workflow.Caller) and the "Send test" routes (Test).
//
// # Authentication
//
//	basic   Authorization: Basic base64(login:password)
//	bearer  Authorization: Bearer <token>
//	apiKey  header <keyName>: <key>, or query parameter <keyName>=<key> (percent-encoded);
//	        keyName defaults to X-API-Key
//
// The authentication header replaces a header of the same name the definition sets.
// The secret (and for Basic the whole login:password credential) is handed to
// delivery as a secret, so it is masked everywhere it could echo: the recorded
// request, response headers and bodies, the decoded data and every error text.
//
// # Failures before sending
//
// When the request cannot be made, nothing is sent and the outcome has the class
// render (webhook.ClassRender) with a sentence saying why: a template that does not
// compile or render, a value that would break the URL, JSON or XML, and also a
// connector or secret that is gone or cannot be read. These are failures of the
// definition or its configuration, not of the endpoint, so no other class fits;
// the detail tells them apart.
//
// # Metrics
//
// Every attempt emits WebhookAttempts (Count) and WebhookDuration (Milliseconds)
// with the dimension Class: the attempt's error class, or "ok". A request that could
// not be made emits WebhookAttempts with Class "render" and no duration.
package send

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/webhook"
	"github.com/flowhook/flowhook/shared/workflow"
)

// Store reads authentication connectors.
type Store interface {
	GetConnector(ctx context.Context, id string) (webhook.Connector, error)
}

// Secrets reads connector secrets by reference; an unknown reference wraps
// webhook.ErrNotFound.
type Secrets interface {
	Get(ctx context.Context, ref string) (string, error)
}

// Config holds a Sender's dependencies.
type Config struct {
	Store    Store
	Secrets  Secrets
	Delivery *delivery.Sender
	// Tools supplies the tool objects of a render ($mathTool, $dateTool…), which may
	// depend on the input (the contact's time zone); nil renders without tools, and
	// an Input that already has Tools keeps them.
	Tools func(in render.Input) map[string]any
	// Metrics receives the EMF lines; nil discards them.
	Metrics *metrics.Writer
	// Log receives a line for each request that could not be made; nil discards.
	Log *slog.Logger
}

// Sender calls webhooks. It keeps compiled definitions by (webhook id, version), so a
// warm function parses each definition once. It is safe for concurrent use.
type Sender struct {
	store    Store
	secrets  Secrets
	delivery *delivery.Sender
	tools    func(in render.Input) map[string]any
	// toolNames are the names the tools function gives its tools.
	toolNames []string
	metrics   *metrics.Writer
	log       *slog.Logger

	cache sync.Map // cacheKey → *compiled
	size  atomic.Int64
	// cred is the last credential made (see authorization).
	cred atomic.Pointer[credential]
}

// compiled is a definition ready to build, and whether its templates may use a tool.
type compiled struct {
	*render.Compiled
	tools bool
}

type cacheKey struct {
	id      string
	version int64
}

// MaxCompiled bounds the compiled definitions a Sender keeps; past it the cache
// starts over.
const MaxCompiled = 512

// New returns a Sender.
func New(c Config) *Sender {
	s := &Sender{store: c.Store, secrets: c.Secrets, delivery: c.Delivery, tools: c.Tools, metrics: c.Metrics, log: c.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.tools != nil {
		// The tools' names do not depend on the input; only their configuration does.
		for name := range s.tools(render.Input{}) {
			s.toolNames = append(s.toolNames, name)
		}
	}
	return s
}

// Call builds w's request from in, authenticates it, and sends it with w's retry
// policy (w.Attempts()) and, when idempotencyKey is not empty, the key in w's
// idempotency header. It implements workflow.Caller. Data is the decoded response as
// JSON text (see render.MarshalJSON: keys in order, numbers exact).
func (s *Sender) Call(ctx context.Context, w webhook.Webhook, in render.Input, idempotencyKey string) workflow.Call {
	req, fail := s.prepare(ctx, w, in, idempotencyKey)
	if fail != nil {
		return workflow.Call{Class: webhook.ClassRender, Detail: fail.Error()}
	}
	req.JSONData = true // the executor keeps the data as JSON text: no decode and re-encode
	res := s.delivery.SendWithRetry(ctx, req, w.Attempts())
	s.count(res.Attempts)
	record := res.Request // the call keeps the record, not the whole result
	call := workflow.Call{Request: &record, Attempts: res.Attempts, Class: res.Class, Detail: res.Detail}
	if res.OK() && res.JSON != nil {
		call.Data = res.JSON
	} else if res.OK() {
		call.Data = s.data(ctx, w, &res)
		if call.Data == nil && res.Class != "" {
			call.Class, call.Detail = res.Class, res.Detail
		}
	}
	return call
}

// TestResult is the outcome of a test send: everything the "Send test" button shows.
// Every string in it is redacted.
type TestResult struct {
	// Request is the request as sent; nil when it could not be built.
	Request *webhook.RequestRecord
	// Response is the endpoint's answer; nil when none arrived.
	Response *TestResponse
	// Data is the decoded response body as JSON text; nil without one or on failure.
	Data json.RawMessage
	// Class is empty on success, else the error class; Detail says what went wrong.
	Class  webhook.ErrorClass
	Detail string
}

// TestResponse is the response to a test send.
type TestResponse struct {
	Status int
	// Headers are sorted by name, values in the order received.
	Headers []webhook.Header
	// Body is the body up to delivery's read limit; Truncated marks a longer one.
	Body       string
	Truncated  bool
	DurationMs int64
}

// Test builds w's request from in, authenticates it and sends it exactly once, through
// the same guard and redaction as Call, without an idempotency key.
func (s *Sender) Test(ctx context.Context, w webhook.Webhook, in render.Input) TestResult {
	req, fail := s.prepare(ctx, w, in, "")
	if fail != nil {
		return TestResult{Class: webhook.ClassRender, Detail: fail.Error()}
	}
	res := s.delivery.Send(ctx, req)
	s.count(res.Attempts)
	out := TestResult{Request: &res.Request, Class: res.Class, Detail: res.Detail}
	if r := res.Response; r != nil {
		out.Response = &TestResponse{Status: r.Status, Headers: r.Headers, Body: r.Body, Truncated: r.Truncated}
		if n := len(res.Attempts); n > 0 {
			out.Response.DurationMs = res.Attempts[n-1].DurationMs
		}
	}
	if res.OK() {
		out.Data = s.data(ctx, w, &res)
		if out.Data == nil && res.Class != "" {
			out.Class, out.Detail = res.Class, res.Detail
		}
	}
	return out
}

// data encodes a successful response's decoded body; a value that cannot be encoded
// (which decoding never produces) fails the result with class decode.
func (s *Sender) data(ctx context.Context, w webhook.Webhook, res *delivery.Result) json.RawMessage {
	if res.Data == nil {
		return nil
	}
	var hint int
	if res.Response != nil {
		hint = len(res.Response.Body) // the JSON text is about as long as the body
	}
	b, err := render.AppendJSON(make([]byte, 0, hint), res.Data)
	if err != nil {
		s.log.WarnContext(ctx, "webhook response not encodable", "webhookId", w.ID, "error", err.Error())
		res.Class, res.Detail = webhook.ClassDecode, "The response was decoded but cannot be kept as data: "+err.Error()+"."
		return nil
	}
	return b
}

// failure is a request that could not be made; nothing was sent. Msg is the sentence
// for the user, Err the cause.
type failure struct {
	Msg string
	Err error
}

func (f *failure) Error() string { return f.Msg }

func (f *failure) Unwrap() error { return f.Err }

func (s *Sender) prepare(ctx context.Context, w webhook.Webhook, in render.Input, key string) (delivery.Request, *failure) {
	fail := func(f *failure) (delivery.Request, *failure) {
		s.metrics.Put("WebhookAttempts", metrics.Count, 1, map[string]string{"Class": string(webhook.ClassRender)})
		var re *render.Error
		if !errors.As(f.Err, &re) && f.Err != nil {
			s.log.WarnContext(ctx, "webhook request not made", "webhookId", w.ID, "error", f.Err.Error())
		}
		return delivery.Request{}, f
	}
	c, err := s.compiled(w)
	if err != nil {
		return fail(&failure{Msg: "The webhook definition is invalid: " + err.Error() + ".", Err: err})
	}
	if in.Tools == nil && c.tools {
		in.Tools = s.tools(in)
	}
	rc, err := render.NewLazyContext(in) // a webhook's templates read few of the values
	if err != nil {
		return fail(&failure{Msg: "The render input is invalid: " + err.Error() + ".", Err: err})
	}
	built, err := c.Build(ctx, rc)
	rc.Release() // nothing built refers to it
	if err != nil {
		return fail(&failure{Msg: "The request could not be built: " + err.Error() + ".", Err: err})
	}
	req := delivery.Request{Method: built.Method, URL: built.URL, Header: built.Header, Body: built.Body,
		ContentType: built.ContentType, Timeout: time.Duration(w.TimeoutMs) * time.Millisecond}
	if w.ConnectorID != "" {
		if f := s.authenticate(ctx, w.ConnectorID, &req); f != nil {
			return fail(f)
		}
	}
	if key != "" {
		req.Header = setHeader(req.Header, w.IdempotencyHeaderName(), key)
	}
	return req, nil
}

// compiled returns w compiled, from the cache for a saved definition.
func (s *Sender) compiled(w webhook.Webhook) (*compiled, error) {
	if w.ID == "" || w.Version == 0 {
		return s.compile(w)
	}
	k := cacheKey{w.ID, w.Version}
	if c, ok := s.cache.Load(k); ok {
		return c.(*compiled), nil
	}
	c, err := s.compile(w)
	if err != nil {
		return nil, err
	}
	if s.size.Add(1) > MaxCompiled {
		s.cache.Clear()
		s.size.Store(1)
	}
	s.cache.Store(k, c)
	return c, nil
}

func (s *Sender) compile(w webhook.Webhook) (*compiled, error) {
	c, err := render.Compile(w)
	if err != nil {
		return nil, err
	}
	out := &compiled{Compiled: c}
	for _, name := range s.toolNames {
		out.tools = out.tools || c.MayRefer(name)
	}
	return out, nil
}

// authenticate adds the connector's credentials to req.
func (s *Sender) authenticate(ctx context.Context, id string, req *delivery.Request) *failure {
	conn, err := s.store.GetConnector(ctx, id)
	if errors.Is(err, webhook.ErrNotFound) {
		return &failure{Msg: fmt.Sprintf("The connector %s of this webhook no longer exists; choose another connector or remove the authentication. Nothing was sent.", id),
			Err: fmt.Errorf("get connector %q: %w", id, err)}
	}
	if err != nil {
		return &failure{Msg: fmt.Sprintf("The connector %s could not be read; nothing was sent. Try again.", id),
			Err: fmt.Errorf("get connector %q: %w", id, err)}
	}
	secret, err := s.secrets.Get(ctx, conn.SecretRef)
	switch {
	case errors.Is(err, webhook.ErrNotFound):
		return &failure{Msg: fmt.Sprintf("The secret of connector %q (%s) is missing; set it again with PUT /connectors/%s. Nothing was sent.", conn.Name, id, id),
			Err: fmt.Errorf("get secret of connector %q: %w", id, err)}
	case err != nil:
		return &failure{Msg: fmt.Sprintf("The secret of connector %q (%s) could not be read; nothing was sent. Try again.", conn.Name, id),
			Err: fmt.Errorf("get secret of connector %q: %w", id, err)}
	case secret == "":
		return &failure{Msg: fmt.Sprintf("The secret of connector %q (%s) is empty; set it with PUT /connectors/%s. Nothing was sent.", conn.Name, id, id)}
	}
	switch conn.Type {
	case webhook.ConnectorBasic, webhook.ConnectorBearer:
		a := s.authorization(conn.Type, conn.Login, secret)
		req.Header = setHeader(req.Header, "Authorization", a.value)
		if len(req.Secrets) == 0 {
			req.Secrets = a.secrets[:len(a.secrets):len(a.secrets)] // shared: appending copies
		} else {
			req.Secrets = append(req.Secrets, a.secrets...)
		}
	case webhook.ConnectorAPIKey:
		name := conn.KeyName
		if name == "" {
			name = webhook.DefaultAPIKeyName
		}
		if conn.In == webhook.InQuery {
			req.URL = addQueryParam(req.URL, name, secret)
		} else {
			req.Header = setHeader(req.Header, name, secret)
		}
		req.Secrets = append(req.Secrets, secret)
	default:
		return &failure{Msg: fmt.Sprintf("The connector %q (%s) has the unknown type %q; fix it with PUT /connectors/%s. Nothing was sent.", conn.Name, id, conn.Type, id)}
	}
	return nil
}

// credential is an Authorization header value and the secrets in it, as made from a
// connector's type, login and secret.
type credential struct {
	typ           webhook.ConnectorType
	login, secret string
	value         string
	secrets       []string
}

// authorization returns the Authorization value for a Basic or Bearer connector, the
// last one made when the type, login and secret are the same: consecutive calls
// usually share a connector.
func (s *Sender) authorization(typ webhook.ConnectorType, login, secret string) *credential {
	if c := s.cred.Load(); c != nil && c.typ == typ && c.login == login && c.secret == secret {
		return c
	}
	c := &credential{typ: typ, login: login, secret: secret}
	if typ == webhook.ConnectorBasic {
		cred := login + ":" + secret
		c.value = "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
		c.secrets = []string{secret, cred}
	} else {
		c.value = "Bearer " + secret
		c.secrets = []string{secret}
	}
	s.cred.Store(c)
	return c
}

// setHeader replaces every header named name (ignoring case) with one name: value.
func setHeader(h []webhook.Header, name, value string) []webhook.Header {
	out := h[:0]
	for _, x := range h {
		if !strings.EqualFold(x.Name, name) {
			out = append(out, x)
		}
	}
	return append(out, webhook.Header{Name: name, Value: value})
}

// addQueryParam appends name=value, both percent-encoded, to u's query, before any
// fragment.
func addQueryParam(u, name, value string) string {
	base, frag, hasFrag := strings.Cut(u, "#")
	sep := "&"
	switch {
	case !strings.Contains(base, "?"):
		sep = "?"
	case strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&"):
		sep = ""
	}
	out := base + sep + url.QueryEscape(name) + "=" + url.QueryEscape(value)
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// count emits one pair of metrics per attempt.
func (s *Sender) count(attempts []webhook.Attempt) {
	if s.metrics == nil {
		return
	}
	for _, a := range attempts {
		class := string(a.ErrorClass)
		if class == "" {
			class = "ok"
		}
		dims := map[string]string{"Class": class}
		s.metrics.Put("WebhookAttempts", metrics.Count, 1, dims)
		s.metrics.Put("WebhookDuration", metrics.Milliseconds, float64(a.DurationMs), dims)
	}
}
