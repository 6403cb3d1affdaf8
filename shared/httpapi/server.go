// Package httpapi holds Flowhook's HTTP handlers (net/http), used alike by the Lambda
// functions behind API Gateway and by the local runner: one handler tree, grouped by the
// function that serves it. Handlers decode and validate, make one call into the stores
// or services, and encode; errors are RFC 9457 problem documents.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Authenticator tells the scope a request's credentials carry. Its errors follow
// package auth: auth.ErrNoToken, ErrMalformedToken and ErrUnknownToken answer 401.
type Authenticator interface {
	Authenticate(r *http.Request) (auth.Scope, error)
}

// Store is the storage the management routes use.
type Store interface {
	CreateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error)
	GetWebhook(ctx context.Context, id string) (webhook.Webhook, error)
	ListWebhooks(ctx context.Context, deleted bool, p store.Page) ([]webhook.Webhook, string, error)
	UpdateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error)
	DeleteWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error)
	RestoreWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error)

	CreateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error)
	GetConnector(ctx context.Context, id string) (webhook.Connector, error)
	ListConnectors(ctx context.Context, p store.Page) ([]webhook.Connector, string, error)
	UpdateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error)
	DeleteConnector(ctx context.Context, id string) error

	contact.Store
	SearchContacts(ctx context.Context, q string, p store.Page) ([]webhook.Contact, string, error)
	ListContacts(ctx context.Context, p store.Page) ([]webhook.Contact, string, error)
	CreateSegment(ctx context.Context, s webhook.Segment) (webhook.Segment, error)
	GetSegment(ctx context.Context, id string) (webhook.Segment, error)
	ListSegments(ctx context.Context, p store.Page) ([]webhook.Segment, string, error)

	GetEvent(ctx context.Context, id string) (webhook.Event, error)
	ListEvents(ctx context.Context, typeKey string, p store.Page) ([]webhook.Event, string, error)

	CreateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error)
	GetWorkflow(ctx context.Context, id string) (webhook.Workflow, error)
	ListWorkflows(ctx context.Context, p store.Page) ([]webhook.Workflow, string, error)
	UpdateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error)
	DeleteWorkflow(ctx context.Context, id string) error
	GetRun(ctx context.Context, id string) (webhook.Run, error)
	ListRuns(ctx context.Context, workflowID string, p store.Page) ([]webhook.Run, string, error)
}

// SecretWriter keeps connector secrets.
type SecretWriter interface {
	// Put creates or replaces the secret of a connector and returns its reference.
	Put(ctx context.Context, connectorID, value string) (ref string, err error)
	// Delete removes a secret by reference.
	Delete(ctx context.Context, ref string) error
}

// Config is what the management routes need.
type Config struct {
	Store   Store
	Secrets SecretWriter
	// CheckTemplate reports a template syntax error (with line and column) or nil; nil
	// means parsing with the Velocity engine that will render it.
	CheckTemplate func(name, src string) error
	Now           func() time.Time
	Log           *slog.Logger
}

type api struct {
	store    Store
	secrets  SecretWriter
	checkTpl func(name, src string) error
	now      func() time.Time
	log      *slog.Logger
}

// Route is one registered route: a ServeMux pattern and the scope it needs.
type Route struct {
	Pattern string
	Scope   auth.Scope
	Handler http.HandlerFunc
}

// Management returns the routes of the api function: webhooks, connectors, contacts,
// segments, workflows, runs (the start history) and received events.
func Management(c Config) []Route {
	a := &api{store: c.Store, secrets: c.Secrets, checkTpl: c.CheckTemplate, now: c.Now, log: c.Log}
	if a.now == nil {
		a.now = func() time.Time { return time.Now().UTC() }
	}
	if a.checkTpl == nil {
		a.checkTpl = parseTemplate
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return []Route{
		{"POST /webhooks", auth.ScopeAdmin, a.createWebhook},
		{"GET /webhooks", auth.ScopeAdmin, a.listWebhooks},
		{"GET /webhooks/{id}", auth.ScopeAdmin, a.getWebhook},
		{"PUT /webhooks/{id}", auth.ScopeAdmin, a.updateWebhook},
		{"DELETE /webhooks/{id}", auth.ScopeAdmin, a.deleteWebhook},
		{"POST /webhooks/{id}/restore", auth.ScopeAdmin, a.restoreWebhook},
		{"POST /connectors", auth.ScopeAdmin, a.createConnector},
		{"GET /connectors", auth.ScopeAdmin, a.listConnectors},
		{"GET /connectors/{id}", auth.ScopeAdmin, a.getConnector},
		{"PUT /connectors/{id}", auth.ScopeAdmin, a.updateConnector},
		{"DELETE /connectors/{id}", auth.ScopeAdmin, a.deleteConnector},
		{"PUT /contacts/{id}", auth.ScopeAdmin, a.putContact},
		{"POST /contacts", auth.ScopeAdmin, a.upsertContact},
		{"GET /contacts/{id}", auth.ScopeAdmin, a.getContact},
		{"GET /contacts", auth.ScopeAdmin, a.searchContacts},
		{"POST /segments", auth.ScopeAdmin, a.createSegment},
		{"GET /segments", auth.ScopeAdmin, a.listSegments},
		{"GET /segments/{id}/contacts", auth.ScopeAdmin, a.segmentContacts},
		{"GET /events", auth.ScopeAdmin, a.listEvents},
		{"POST /workflows", auth.ScopeAdmin, a.createWorkflow},
		{"GET /workflows", auth.ScopeAdmin, a.listWorkflows},
		{"GET /workflows/{id}", auth.ScopeAdmin, a.getWorkflow},
		{"PUT /workflows/{id}", auth.ScopeAdmin, a.updateWorkflow},
		{"DELETE /workflows/{id}", auth.ScopeAdmin, a.deleteWorkflow},
		{"GET /workflows/{id}/runs", auth.ScopeAdmin, a.listRuns},
		{"GET /runs/{id}", auth.ScopeAdmin, a.getRun},
	}
}

// Health is GET /healthz, which needs no credentials.
func Health() Route {
	return Route{"GET /healthz", auth.ScopeNone, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}}
}

// Handler serves routes on one ServeMux behind the shared middleware: panic recovery,
// authentication and scope checks, and one JSON log line per request. Unknown paths
// and methods answer problem documents too.
func Handler(log *slog.Logger, authn Authenticator, routes ...[]Route) http.Handler {
	mux := http.NewServeMux()
	for _, group := range routes {
		for _, rt := range group {
			mux.Handle(rt.Pattern, guard(authn, rt))
		}
	}
	return logRequests(log, recoverPanics(log, notFoundAsProblem(mux)))
}

// guard refuses a request whose credentials do not carry rt's scope: 401 without or with
// unknown credentials, 403 with a token of another scope.
func guard(authn Authenticator, rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Scope != auth.ScopeNone {
			scope, err := authn.Authenticate(r)
			switch {
			case len(r.Header.Values("Authorization")) > 1:
				// Which one would count is up to each proxy on the way: refuse them all.
				w.Header().Set("WWW-Authenticate", `Bearer realm="flowhook", error="invalid_request"`)
				writeProblem(w, nil, problem(http.StatusUnauthorized, "unauthenticated",
					"Send one Authorization header, not several."))
				return
			case errors.Is(err, auth.ErrNoToken):
				w.Header().Set("WWW-Authenticate", `Bearer realm="flowhook"`)
				writeProblem(w, nil, problem(http.StatusUnauthorized, "unauthenticated",
					"Send a bearer token: Authorization: Bearer <token> (make run prints the local tokens)."))
				return
			case errors.Is(err, auth.ErrMalformedToken):
				w.Header().Set("WWW-Authenticate", `Bearer realm="flowhook", error="invalid_token"`)
				writeProblem(w, nil, problem(http.StatusUnauthorized, "unauthenticated",
					"The Authorization header is not of the form Bearer fh_<scope>_<64 hex digits>; send a token Flowhook issued, after the word Bearer and one space."))
				return
			case err != nil && !errors.Is(err, auth.ErrWrongScope):
				w.Header().Set("WWW-Authenticate", `Bearer realm="flowhook", error="invalid_token"`)
				writeProblem(w, nil, problem(http.StatusUnauthorized, "unauthenticated",
					"The bearer token is not valid; use a token Flowhook issued."))
				return
			case !scope.Allows(rt.Scope):
				writeProblem(w, nil, problem(http.StatusForbidden, "forbidden",
					fmt.Sprintf("A token of scope %q cannot call %s; use a token of scope %q.", scope, rt.Pattern, rt.Scope)))
				return
			}
		}
		if id := r.PathValue("id"); len(id) > maxPathIDLen {
			// No record has such an id, and DynamoDB refuses keys this long outright.
			writeProblem(w, nil, problem(http.StatusBadRequest, "bad_id",
				fmt.Sprintf("The id in the path is %d bytes long; no record has an id over %d bytes. Use an id from a list or a create.", len(id), maxPathIDLen),
				FieldError{Pointer: "{id}", Detail: "Use an id Flowhook returned."}))
			return
		}
		rt.Handler(w, r)
	})
}

// maxPathIDLen bounds the {id} of a path: generated ids are 28 bytes, contact ids at most
// maxContactIDLen, and DynamoDB refuses key values over 1024 bytes (sort key) or 2048.
const maxPathIDLen = 1024

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// logRequests writes one JSON line per request: method, route pattern, status, bytes and
// duration — never headers or bodies, which may hold secrets.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes), slog.Float64("durationMs", float64(time.Since(start).Microseconds())/1000))
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeProblem(w, nil, problem(http.StatusInternalServerError, "internal",
					"Something went wrong on our side; the request was not completed."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// notFoundAsProblem turns the mux's plain-text 404 and 405 answers into problem documents.
func notFoundAsProblem(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &probe{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeProblem(w, nil, problem(http.StatusMethodNotAllowed, "method_not_allowed",
				fmt.Sprintf("%s is not allowed on %s; allowed: %s.", r.Method, r.URL.Path, rec.header.Get("Allow"))))
		case http.StatusNotFound:
			detail := fmt.Sprintf("There is no route %s %s.", r.Method, r.URL.Path)
			if trimmed := strings.TrimRight(r.URL.Path, "/"); trimmed != r.URL.Path && trimmed != "" {
				alt := r.Clone(r.Context())
				alt.URL.Path, alt.URL.RawPath = trimmed, ""
				if _, pattern := mux.Handler(alt); pattern != "" {
					detail = fmt.Sprintf("There is no route %s %s; remove the trailing slash: %s %s.", r.Method, r.URL.Path, r.Method, trimmed)
				}
			}
			writeProblem(w, nil, problem(http.StatusNotFound, "no_route", detail))
		default:
			mux.ServeHTTP(w, r) // redirects (e.g. path cleaning) pass through
		}
	})
}

// probe captures what the mux's fallback handler would answer.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
func (p *probe) WriteHeader(code int)        { p.status = code }

// listJSON is a page of a list.
type listJSON[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// pageQuery reads ?limit= and ?cursor=.
func pageQuery(r *http.Request) (store.Page, *Problem) {
	q := r.URL.Query()
	p := store.Page{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxLimit {
			return p, problem(http.StatusBadRequest, "validation_failed",
				fmt.Sprintf("limit must be a whole number from 1 to %d, not %q.", store.MaxLimit, s),
				FieldError{Pointer: "?limit", Detail: fmt.Sprintf("Use 1 to %d.", store.MaxLimit)})
		}
		p.Limit = n
	}
	return p, nil
}

// boolQuery reads a true/false query parameter (absent = false).
func boolQuery(r *http.Request, name string) (bool, *Problem) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, problem(http.StatusBadRequest, "validation_failed",
			fmt.Sprintf("%s must be true or false, not %q.", name, s),
			FieldError{Pointer: "?" + name, Detail: "Use true or false."})
	}
	return b, nil
}

func firstProblem(ps ...*Problem) *Problem {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// cursorError turns a store's bad-cursor error into a 400.
func cursorError(err error) error {
	if errors.Is(err, store.ErrBadCursor) {
		return problem(http.StatusBadRequest, "bad_cursor",
			"The cursor is not one this list returned; start again without a cursor.",
			FieldError{Pointer: "?cursor", Detail: "Use the nextCursor value of the previous page."})
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, webhook.ErrNotFound) }

// AllRoutes lists every route of every function with zero-value dependencies, for
// checks of the route table itself (OpenAPI, template.yaml, authentication). Their
// handlers must not be called.
func AllRoutes() []Route {
	var all []Route
	for _, g := range routeGroups() {
		all = append(all, g...)
	}
	return all
}

func routeGroups() [][]Route {
	return [][]Route{{Health()}, Management(Config{}), Intake(IntakeConfig{}), Render(RenderConfig{}), TestRequests(TestRequestConfig{})}
}

// parseTemplate checks a template's syntax with the engine that will render it.
func parseTemplate(name, src string) error {
	_, err := velocity.Parse(name, src)
	return err
}
