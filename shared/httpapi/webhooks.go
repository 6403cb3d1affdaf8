package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/webhook"
)

// pairJSON is a name/value pair on the wire.
type pairJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type authJSON struct {
	ConnectorID string `json:"connectorId"`
}

type bodyJSON struct {
	Format   string `json:"format"`
	Template string `json:"template"`
}

type retryJSON struct {
	MaxAttempts int `json:"maxAttempts"`
}

// webhookInput is the body of POST /webhooks and PUT /webhooks/{id}.
type webhookInput struct {
	Name              string     `json:"name"`
	Description       string     `json:"description"`
	Method            string     `json:"method"`
	URL               string     `json:"url"`
	Params            []pairJSON `json:"params"`
	ParamsInHeaders   bool       `json:"paramsInHeaders"`
	Headers           []pairJSON `json:"headers"`
	Auth              *authJSON  `json:"auth"`
	Body              *bodyJSON  `json:"body"`
	TimeoutMs         *int       `json:"timeoutMs"`
	Retry             *retryJSON `json:"retry"`
	IdempotencyHeader string     `json:"idempotencyHeader"`
	OnFailure         string     `json:"onFailure"`
}

// webhookJSON is a webhook in responses.
type webhookJSON struct {
	ID                string     `json:"id"`
	Name              string     `json:"name"`
	Description       string     `json:"description"`
	Method            string     `json:"method"`
	URL               string     `json:"url"`
	Params            []pairJSON `json:"params"`
	ParamsInHeaders   bool       `json:"paramsInHeaders"`
	Headers           []pairJSON `json:"headers"`
	Auth              *authJSON  `json:"auth"`
	Body              *bodyJSON  `json:"body"`
	TimeoutMs         int        `json:"timeoutMs"`
	Retry             retryJSON  `json:"retry"`
	IdempotencyHeader string     `json:"idempotencyHeader"`
	OnFailure         string     `json:"onFailure"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	DeletedAt         *time.Time `json:"deletedAt"`
}

func pairsToJSON(ps []webhook.Pair) []pairJSON {
	out := make([]pairJSON, len(ps))
	for i, p := range ps {
		out[i] = pairJSON(p)
	}
	return out
}

func pairsFromJSON(ps []pairJSON) []webhook.Pair {
	out := make([]webhook.Pair, len(ps))
	for i, p := range ps {
		out[i] = webhook.Pair(p)
	}
	return out
}

func webhookToJSON(w webhook.Webhook) webhookJSON {
	out := webhookJSON{
		ID: w.ID, Name: w.Name, Description: w.Description, Method: string(w.Method), URL: w.URL,
		Params: pairsToJSON(w.Params), ParamsInHeaders: w.ParamsInHeaders, Headers: pairsToJSON(w.Headers),
		TimeoutMs: w.TimeoutMs, Retry: retryJSON{MaxAttempts: w.Attempts()},
		IdempotencyHeader: w.IdempotencyHeaderName(), OnFailure: string(w.OnFailure),
		Version: w.Version, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
	if w.ConnectorID != "" {
		out.Auth = &authJSON{ConnectorID: w.ConnectorID}
	}
	if w.Body != nil {
		out.Body = &bodyJSON{Format: string(w.Body.Format), Template: w.Body.Template}
	}
	if w.Deleted() {
		d := w.DeletedAt
		out.DeletedAt = &d
	}
	return out
}

// forbiddenHeaders are set by the HTTP stack or would change how the request travels.
var forbiddenHeaders = map[string]bool{"host": true, "content-length": true, "transfer-encoding": true, "connection": true}

// toWebhook validates in and returns the webhook it describes (without id, version or
// times). Every bad field is reported, each with a pointer and a fix.
func (a *api) toWebhook(in webhookInput) (webhook.Webhook, fieldErrors) {
	var errs fieldErrors
	w := webhook.Webhook{
		Name:              strings.TrimSpace(in.Name),
		Description:       in.Description,
		Method:            webhook.Method(strings.ToUpper(in.Method)),
		URL:               strings.TrimSpace(in.URL),
		Params:            pairsFromJSON(in.Params),
		ParamsInHeaders:   in.ParamsInHeaders,
		Headers:           pairsFromJSON(in.Headers),
		TimeoutMs:         webhook.DefaultTimeoutMs,
		IdempotencyHeader: strings.TrimSpace(in.IdempotencyHeader),
		OnFailure:         webhook.OnFailure(in.OnFailure),
	}
	if w.Name == "" {
		errs.add("/name", "A name is required; it is also the data source name templates read the response by, e.g. $data.get('WH5').")
	} else {
		checkName(&errs, "/name", w.Name)
	}
	if n := utf8.RuneCountInString(w.Description); n > 2000 {
		errs.add("/description", "The description is %d characters long; use at most 2000.", n)
	}
	switch w.Method {
	case webhook.MethodGet, webhook.MethodPost:
	case "":
		errs.add("/method", `A method is required: "GET" or "POST".`)
	default:
		errs.add("/method", `The method must be "GET" or "POST", not %q.`, in.Method)
	}
	a.checkURL(&errs, w.URL)
	for i, p := range w.Params {
		ptr := fmt.Sprintf("/params/%d", i)
		if w.ParamsInHeaders {
			checkHeaderName(&errs, ptr+"/name", p.Name)
			checkNotCredential(&errs, ptr+"/name", p.Name)
		} else if p.Name == "" {
			errs.add(ptr+"/name", "A parameter name is required.")
		}
		a.checkTemplate(&errs, ptr+"/value", p.Value)
		if w.ParamsInHeaders {
			checkHeaderValue(&errs, ptr+"/value", p.Value)
		}
	}
	for i, h := range w.Headers {
		ptr := fmt.Sprintf("/headers/%d", i)
		checkHeaderName(&errs, ptr+"/name", h.Name)
		checkNotCredential(&errs, ptr+"/name", h.Name)
		a.checkTemplate(&errs, ptr+"/value", h.Value)
		checkHeaderValue(&errs, ptr+"/value", h.Value)
	}
	if in.Auth != nil {
		w.ConnectorID = strings.TrimSpace(in.Auth.ConnectorID)
		if w.ConnectorID == "" {
			errs.add("/auth/connectorId", "Name a connector id (from GET /connectors), or send \"auth\": null for no authentication.")
		}
	}
	if in.Body != nil {
		w.Body = &webhook.Body{Format: webhook.BodyFormat(strings.ToLower(in.Body.Format)), Template: in.Body.Template}
		if w.Method == webhook.MethodGet {
			errs.add("/body", "A GET request has no body; remove the body or use POST.")
		}
		switch w.Body.Format {
		case webhook.FormatJSON, webhook.FormatXML, webhook.FormatText:
		default:
			errs.add("/body/format", `The body format must be "json", "xml" or "text", not %q.`, in.Body.Format)
		}
		if strings.TrimSpace(w.Body.Template) == "" {
			errs.add("/body/template", "The body template is empty; write the body, or send \"body\": null for no body.")
		} else {
			a.checkTemplate(&errs, "/body/template", w.Body.Template)
		}
	}
	if in.TimeoutMs != nil {
		w.TimeoutMs = *in.TimeoutMs
		if w.TimeoutMs < webhook.MinTimeoutMs || w.TimeoutMs > webhook.MaxTimeoutMs {
			errs.add("/timeoutMs", "The timeout must be between %d and %d milliseconds, not %d.", webhook.MinTimeoutMs, webhook.MaxTimeoutMs, w.TimeoutMs)
		}
	}
	if in.Retry != nil {
		w.MaxAttempts = in.Retry.MaxAttempts
		if w.MaxAttempts < 1 || w.MaxAttempts > webhook.MaxAttemptsLimit {
			errs.add("/retry/maxAttempts", "maxAttempts must be between 1 (no retry) and %d, not %d.", webhook.MaxAttemptsLimit, w.MaxAttempts)
		}
	}
	if w.IdempotencyHeader != "" {
		checkHeaderName(&errs, "/idempotencyHeader", w.IdempotencyHeader)
	}
	switch w.OnFailure {
	case "":
		w.OnFailure = webhook.OnFailureStop
	case webhook.OnFailureStop, webhook.OnFailureContinue:
	default:
		errs.add("/onFailure", `onFailure must be "stop" or "continue", not %q.`, in.OnFailure)
	}
	return w, errs
}

// checkURL requires an https URL. A URL without template references must parse with a
// host; a templated one must keep its scheme and host literal enough to start with https://.
func (a *api) checkURL(errs *fieldErrors, raw string) {
	lower := strings.ToLower(raw)
	switch {
	case raw == "":
		errs.add("/url", "A URL is required, e.g. https://api.example.com/codes?email=${email}.")
		return
	case strings.HasPrefix(lower, "http://"):
		errs.add("/url", "HTTPS is required: the URL starts with http://; use https:// (webhooks are only sent over TLS).")
		return
	case !strings.HasPrefix(lower, "https://"):
		errs.add("/url", "The URL must start with https://; HTTPS is required.")
		return
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		errs.add("/url", "The URL contains whitespace; percent-encode it (%%20) or remove it.")
		return
	}
	if !strings.ContainsAny(raw, "$#") {
		u, err := url.Parse(raw)
		if err != nil {
			errs.add("/url", "The URL does not parse (%s); fix it.", strings.TrimPrefix(err.Error(), "parse \""+raw+"\": "))
			return
		}
		if u.Host == "" || u.Hostname() == "" {
			errs.add("/url", "The URL has no host; write it as https://host/path.")
			return
		}
		if port := u.Port(); port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				errs.add("/url", "The URL's port %s is not a port number; use 1 to 65535.", port)
				return
			}
		}
	}
	rest := raw[len("https://"):]
	if rest == "" || strings.HasPrefix(rest, "/") {
		errs.add("/url", "The URL has no host; write it as https://host/path.")
		return
	}
	// The authority ends at the first /, ? or # (a Velocity directive also starts with #).
	if authority, _, _ := strings.Cut(rest, "/"); strings.Contains(strings.SplitN(authority, "?", 2)[0], "@") {
		errs.add("/url", "The URL holds a user name or password before @; credentials in a URL are stored and shown in every run, so put them in a basic connector (POST /connectors) and name it in auth.")
		return
	}
	a.checkTemplate(errs, "/url", raw)
}

// maxNameLen bounds the names of webhooks, connectors, workflows and segments.
const maxNameLen = 200

// checkName refuses a name longer than maxNameLen characters or holding control
// characters (line breaks, tabs, NUL): names are shown in lists and run histories, and a
// webhook's name is the data source name templates read its response by.
func checkName(errs *fieldErrors, pointer, name string) {
	if n := utf8.RuneCountInString(name); n > maxNameLen {
		errs.add(pointer, "The name is %d characters long; use at most %d.", n, maxNameLen)
	}
	if hasControl(name) {
		errs.add(pointer, "The name contains a control character (a line break, tab or NUL); use printable characters only.")
	}
}

// hasControl reports whether s holds a C0 or C1 control character or DEL.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// checkTemplate reports a template syntax error at pointer.
func (a *api) checkTemplate(errs *fieldErrors, pointer, src string) {
	if a.checkTpl == nil || src == "" {
		return
	}
	if err := a.checkTpl(pointer, src); err != nil {
		errs.add(pointer, "The template does not parse: %s.", strings.TrimSuffix(err.Error(), "."))
	}
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func checkHeaderName(errs *fieldErrors, pointer, name string) {
	switch {
	case name == "":
		errs.add(pointer, "A header name is required.")
	case !isToken(name):
		errs.add(pointer, "%q is not a valid HTTP header name; use letters, digits and !#$%%&'*+-.^_`|~ only (no spaces or colons).", name)
	case forbiddenHeaders[strings.ToLower(name)]:
		errs.add(pointer, "The %s header is set by Flowhook's HTTP client and cannot be set; remove it.", name)
	}
}

// credentialHeaders carry credentials, which belong in a connector: a definition's
// headers are stored and shown as they are.
var credentialHeaders = map[string]bool{"authorization": true, "proxy-authorization": true}

func checkNotCredential(errs *fieldErrors, pointer, name string) {
	if credentialHeaders[strings.ToLower(name)] {
		errs.add(pointer, "The %s header carries credentials, and a webhook's headers are stored and shown as they are; put the credentials in a connector (POST /connectors) and name it in auth.", name)
	}
}

func checkHeaderValue(errs *fieldErrors, pointer, v string) {
	if strings.ContainsAny(v, "\r\n\x00") {
		errs.add(pointer, "A header value cannot contain line breaks or NUL; put it on one line.")
	}
}

// connectorGetter reads connectors.
type connectorGetter interface {
	GetConnector(ctx context.Context, id string) (webhook.Connector, error)
}

// validWebhook validates a definition as saving it does: every field (toWebhook), the
// connector's existence, and — when the fields are sound — the templates compiled as the
// request will be built from them. err is a failure to check, not a bad field.
func (a *api) validWebhook(ctx context.Context, in webhookInput, connectors connectorGetter) (webhook.Webhook, fieldErrors, error) {
	wh, errs := a.toWebhook(in)
	if wh.ConnectorID != "" {
		if _, err := connectors.GetConnector(ctx, wh.ConnectorID); err != nil {
			if !isNotFound(err) {
				return wh, nil, err
			}
			errs.add("/auth/connectorId", "No connector has the id %q; create it with POST /connectors or pick one from GET /connectors.", wh.ConnectorID)
		}
	}
	if len(errs) == 0 {
		var ce render.Errors
		if _, err := render.Compile(wh); errors.As(err, &ce) {
			for _, e := range ce {
				errs.add(e.Pointer, "%s", capitalize(e.Msg)+".")
			}
		}
	}
	return wh, errs, nil
}

// readWebhook decodes and validates the definition of a create or update, answering
// the problem itself when there is one.
func (a *api) readWebhook(w http.ResponseWriter, r *http.Request) (webhook.Webhook, bool) {
	var in webhookInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return webhook.Webhook{}, false
	}
	wh, errs, err := a.validWebhook(r.Context(), in, a.store)
	if err != nil {
		a.writeError(w, r, "webhook", err)
		return webhook.Webhook{}, false
	}
	if len(errs) > 0 {
		writeProblem(w, a.log, invalid("webhook", errs))
		return webhook.Webhook{}, false
	}
	return wh, true
}

func (a *api) createWebhook(w http.ResponseWriter, r *http.Request) {
	wh, ok := a.readWebhook(w, r)
	if !ok {
		return
	}
	now := a.now()
	wh.ID = webhook.NewID(webhook.PrefixWebhook, now)
	wh.CreatedAt, wh.UpdatedAt = now, now
	created, err := a.store.CreateWebhook(r.Context(), wh)
	if err != nil {
		a.writeError(w, r, "webhook", webhookConflict(err, false))
		return
	}
	w.Header().Set("Location", "/webhooks/"+created.ID)
	w.Header().Set("ETag", etag(created.Version))
	writeJSON(w, http.StatusCreated, webhookToJSON(created))
}

func (a *api) listWebhooks(w http.ResponseWriter, r *http.Request) {
	deleted, perr := boolQuery(r, "deleted")
	page, perr2 := pageQuery(r)
	if p := firstProblem(perr, perr2); p != nil {
		writeProblem(w, a.log, p)
		return
	}
	items, next, err := a.store.ListWebhooks(r.Context(), deleted, page)
	if err != nil {
		a.writeError(w, r, "webhook", cursorError(err))
		return
	}
	out := make([]webhookJSON, len(items))
	for i, it := range items {
		out[i] = webhookToJSON(it)
	}
	writeJSON(w, http.StatusOK, listJSON[webhookJSON]{Items: out, NextCursor: next})
}

func (a *api) getWebhook(w http.ResponseWriter, r *http.Request) {
	wh, err := a.store.GetWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, "webhook", err)
		return
	}
	w.Header().Set("ETag", etag(wh.Version))
	writeJSON(w, http.StatusOK, webhookToJSON(wh))
}

func (a *api) updateWebhook(w http.ResponseWriter, r *http.Request) {
	version, p := ifMatch(r, true)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	wh, ok := a.readWebhook(w, r)
	if !ok {
		return
	}
	wh.ID = r.PathValue("id")
	if version == anyVersion {
		cur, err := a.store.GetWebhook(r.Context(), wh.ID)
		if isNotFound(err) {
			writeProblem(w, a.log, noCurrent("webhook", wh.ID))
			return
		}
		if err != nil {
			a.writeError(w, r, "webhook", err)
			return
		}
		version = cur.Version
	}
	wh.Version = version
	wh.UpdatedAt = a.now()
	updated, err := a.store.UpdateWebhook(r.Context(), wh)
	if isNotFound(err) {
		if cur, gerr := a.store.GetWebhook(r.Context(), wh.ID); gerr == nil && cur.Deleted() {
			writeProblem(w, a.log, problem(http.StatusConflict, "webhook_deleted",
				fmt.Sprintf("The webhook %q is deleted; restore it with POST /webhooks/%s/restore before changing it.", wh.ID, wh.ID)))
			return
		}
	}
	if err != nil {
		a.writeError(w, r, "webhook", webhookConflict(err, false))
		return
	}
	w.Header().Set("ETag", etag(updated.Version))
	writeJSON(w, http.StatusOK, webhookToJSON(updated))
}

func (a *api) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if _, err := a.store.DeleteWebhook(r.Context(), r.PathValue("id"), a.now()); err != nil {
		a.writeError(w, r, "active webhook", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) restoreWebhook(w http.ResponseWriter, r *http.Request) {
	wh, err := a.store.RestoreWebhook(r.Context(), r.PathValue("id"), a.now())
	if err != nil {
		a.writeError(w, r, "deleted webhook", webhookConflict(err, true))
		return
	}
	w.Header().Set("ETag", etag(wh.Version))
	writeJSON(w, http.StatusOK, webhookToJSON(wh))
}

// webhookConflict puts a store's conflict about a webhook's connector where the client
// can act on it: at /auth/connectorId of a body, or — for a restore, which has no body —
// in a sentence saying why the webhook cannot come back as it was.
func webhookConflict(err error, restoring bool) error {
	var ce *webhook.ConflictError
	if !errors.As(err, &ce) || ce.Field != "connectorId" {
		return err
	}
	if !restoring {
		ce.Field = "auth/connectorId"
		return err
	}
	ce.Field = ""
	ce.Reason = "The webhook's connector was deleted after the webhook, so it cannot be restored as it was (it would send without its authentication). Create the webhook again (POST /webhooks) with another connector."
	if len(ce.IDs) > 0 {
		ce.Reason = fmt.Sprintf("The webhook's connector %s was deleted after the webhook, so it cannot be restored as it was (it would send without its authentication). Create the webhook again (POST /webhooks) with another connector.", ce.IDs[0])
	}
	return err
}

// etag renders a record version as a strong entity tag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// anyVersion is ifMatch's answer to "If-Match: *": whatever version is stored.
const anyVersion int64 = -1

// ifMatch reads the version from If-Match. With required set, a missing header is a 428.
// It returns 0 when the header is absent and not required, and anyVersion for "*",
// which matches any stored version but no missing record (RFC 9110 §13.1.1). A weak
// ETag never matches in If-Match, which compares strongly: 412.
func ifMatch(r *http.Request, required bool) (int64, *Problem) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		if required {
			return 0, problem(http.StatusPreconditionRequired, "if_match_required",
				"Send the ETag of your last GET in the If-Match header, so an update cannot overwrite someone else's change.")
		}
		return 0, nil
	}
	if h == "*" {
		return anyVersion, nil
	}
	if strings.HasPrefix(h, "W/") {
		return 0, problem(http.StatusPreconditionFailed, "precondition_failed",
			fmt.Sprintf("If-Match compares ETags strongly, so the weak ETag %s never matches; send the ETag exactly as GET returned it, such as \"3\".", h),
			FieldError{Pointer: "If-Match", Detail: "Send the ETag exactly as GET returned it, without W/."})
	}
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, problem(http.StatusBadRequest, "bad_if_match",
			fmt.Sprintf("If-Match must be the ETag of a GET, such as \"3\", or *, not %s.", h),
			FieldError{Pointer: "If-Match", Detail: "Use the ETag value returned by GET."})
	}
	return v, nil
}

// noCurrent is the 412 of "If-Match: *" on a record that does not exist.
func noCurrent(what, id string) *Problem {
	return problem(http.StatusPreconditionFailed, "precondition_failed",
		fmt.Sprintf("If-Match: * updates only an existing %s, and none has the id %q; create it instead.", what, id),
		FieldError{Pointer: "If-Match", Detail: "Nothing exists to match *."})
}
