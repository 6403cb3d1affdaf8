package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/send"
	"github.com/flowhook/flowhook/shared/webhook"
)

// TestSender sends a webhook request once and reports everything about it.
type TestSender interface {
	Test(ctx context.Context, w webhook.Webhook, in render.Input) send.TestResult
}

// TestRequestStore is what the test routes read.
type TestRequestStore interface {
	contact.Store
	GetWebhook(ctx context.Context, id string) (webhook.Webhook, error)
	GetEvent(ctx context.Context, id string) (webhook.Event, error)
	GetConnector(ctx context.Context, id string) (webhook.Connector, error)
}

// TestRequestConfig is what the test routes need.
type TestRequestConfig struct {
	Store  TestRequestStore
	Sender TestSender
	Log    *slog.Logger
}

// testRequestInput is the body of both test routes. Webhook is for POST /webhooks/test
// only.
type testRequestInput struct {
	Webhook   *webhookInput              `json:"webhook"`
	ContactID string                     `json:"contactId"`
	Contact   *selectorJSON              `json:"contact"`
	EventID   string                     `json:"eventId"`
	Event     json.RawMessage            `json:"event"`
	Data      map[string]json.RawMessage `json:"data"`
}

// testResultJSON is the answer of a test that ran, whatever the endpoint said.
type testResultJSON struct {
	Request  *requestJSON      `json:"request"`
	Response *testResponseJSON `json:"response"`
	Data     json.RawMessage   `json:"data"`
	Error    *testErrorJSON    `json:"error"`
}

type testResponseJSON struct {
	Status     int         `json:"status"`
	Headers    headersJSON `json:"headers"`
	Body       string      `json:"body"`
	Truncated  bool        `json:"truncated"`
	DurationMs int64       `json:"durationMs"`
}

type testErrorJSON struct {
	Class  string `json:"class"`
	Detail string `json:"detail"`
}

// TestRequests returns the routes of the testrequest function, the "Send test" button:
// POST /webhooks/{id}/test tests a saved, active webhook (404 when there is none, 409
// when it is deleted); POST /webhooks/test tests an unsaved draft, given in "webhook"
// exactly as POST /webhooks takes it and validated by the same rules.
//
// The body names what to render with:
//
//   - the contact: "contactId", or "contact" as {"email"}, {"phone"} or {"id"} — at
//     most one of the two. The contact must exist (404 otherwise): a test never
//     creates contacts.
//   - the event: "eventId" (a received event, GET /events) or "event" (a Generate
//     Event body) — at most one of the two. Without a contact, the event's params (or
//     for a stored event, the contact intake resolved) choose the contact, which is
//     then used if it exists and left out if not; an inline event must then identify
//     a contact, as POST /events requires. With a contact, the event need not.
//   - "data": earlier webhook responses by webhook name, {"WH4": {...}}, for
//     $data.get('WH4') and $WH4.
//
// At least a contact or an event is required. The request is built, authenticated and
// sent exactly once — no retry — through the same egress guard and redaction as a
// workflow step. The answer is 200 whenever the test ran, whatever the endpoint
// answered: {"request", "response", "data", "error"}, with every secret masked; the
// request is null when it could not be built, the response when none arrived. Bad
// input is a 4xx problem.
func TestRequests(c TestRequestConfig) []Route {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &testRequests{store: c.Store, sender: c.Sender, log: log, api: &api{log: log}}
	return []Route{
		{"POST /webhooks/{id}/test", auth.ScopeAdmin, h.saved},
		{"POST /webhooks/test", auth.ScopeAdmin, h.draft},
	}
}

type testRequests struct {
	store  TestRequestStore
	sender TestSender
	log    *slog.Logger
	api    *api
}

func (h *testRequests) saved(w http.ResponseWriter, r *http.Request) {
	var in testRequestInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, h.log, p)
		return
	}
	if in.Webhook != nil {
		writeProblem(w, h.log, problem(http.StatusBadRequest, "unknown_field",
			"The field /webhook is not known here: this route tests the saved webhook; to test a draft, send it to POST /webhooks/test.",
			FieldError{Pointer: "/webhook", Detail: "Remove it, or use POST /webhooks/test."}))
		return
	}
	var errs fieldErrors
	checkSelectors(&errs, &in)
	ev := inlineEvent(&errs, &in)
	if len(errs) > 0 {
		writeProblem(w, h.log, invalid("test request", errs))
		return
	}
	id := r.PathValue("id")
	wh, err := h.store.GetWebhook(r.Context(), id)
	if err != nil {
		h.api.writeError(w, r, "webhook", err)
		return
	}
	if wh.Deleted() {
		writeProblem(w, h.log, problem(http.StatusConflict, "webhook_deleted",
			fmt.Sprintf("The webhook %q is deleted; restore it with POST /webhooks/%s/restore to test it, or test a draft with POST /webhooks/test.", id, id)))
		return
	}
	h.run(w, r, wh, &in, ev)
}

func (h *testRequests) draft(w http.ResponseWriter, r *http.Request) {
	var in testRequestInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, h.log, p)
		return
	}
	var errs fieldErrors
	var wh webhook.Webhook
	if in.Webhook == nil {
		errs.add("/webhook", "Send the draft webhook in \"webhook\", exactly as POST /webhooks takes it.")
	} else {
		var werrs fieldErrors
		var err error
		wh, werrs, err = h.api.validWebhook(r.Context(), *in.Webhook, h.store)
		if err != nil {
			h.api.writeError(w, r, "connector", err)
			return
		}
		for _, fe := range werrs {
			errs.add("/webhook"+fe.Pointer, "%s", fe.Detail)
		}
	}
	checkSelectors(&errs, &in)
	ev := inlineEvent(&errs, &in)
	if len(errs) > 0 {
		writeProblem(w, h.log, invalid("test request", errs))
		return
	}
	h.run(w, r, wh, &in, ev)
}

// checkSelectors requires a contact or an event, each named at most once.
func checkSelectors(errs *fieldErrors, in *testRequestInput) {
	hasEvent := len(in.Event) > 0 && string(in.Event) != "null"
	switch {
	case in.ContactID != "" && in.Contact != nil:
		errs.add("/contact", "Name the contact once: contactId or contact, not both.")
	case in.Contact != nil && in.Contact.ID == "" && in.Contact.Email == "" && in.Contact.Phone == "":
		errs.add("/contact", `Name the contact by "email", "phone" or "id".`)
	}
	if in.EventID != "" && hasEvent {
		errs.add("/event", "Name the event once: eventId or event, not both.")
	}
	if in.ContactID == "" && in.Contact == nil && in.EventID == "" && !hasEvent {
		errs.add("", "Name what to test with: a contact (contactId or contact) or an event (eventId or event), or both.")
	}
}

// inlineEvent validates the body's event, if any, adding its problems to errs. It must
// identify a contact unless the body names one.
func inlineEvent(errs *fieldErrors, in *testRequestInput) *webhook.Event {
	if len(in.Event) == 0 || string(in.Event) == "null" {
		return nil
	}
	if !checkEvent(errs, in.Event) {
		return nil
	}
	parse := intake.Parse
	if in.ContactID != "" || in.Contact != nil {
		parse = intake.ParseWithoutContact
	}
	ev, err := parse(in.Event)
	if err != nil {
		var ve *webhook.ValidationError
		if !errors.As(err, &ve) {
			errs.add("/event", "The event is not valid: %v.", err)
			return nil
		}
		for _, fe := range ve.Errors {
			errs.add("/event"+fe.Pointer, "%s", fe.Detail)
		}
		return nil
	}
	return &ev
}

// run finds the contact and the event, sends the test and writes its outcome.
func (h *testRequests) run(w http.ResponseWriter, r *http.Request, wh webhook.Webhook, in *testRequestInput, ev *webhook.Event) {
	ctx := r.Context()
	var ri render.Input
	if in.EventID != "" {
		stored, err := h.store.GetEvent(ctx, in.EventID)
		if errors.Is(err, webhook.ErrNotFound) {
			writeProblem(w, h.log, problem(http.StatusNotFound, "not_found",
				fmt.Sprintf("No event has the id %q; pick one from GET /events.", in.EventID),
				FieldError{Pointer: "/eventId", Detail: "No such event."}))
			return
		}
		if err != nil {
			h.api.writeError(w, r, "event", err)
			return
		}
		ev = &stored
	}
	if ev != nil {
		ri.Params = ev.Params
	}
	ct, p, err := h.contact(ctx, in, ev)
	if err != nil {
		h.api.writeError(w, r, "contact", err)
		return
	}
	if p != nil {
		writeProblem(w, h.log, p)
		return
	}
	ri.Contact = ct
	for _, name := range slices.Sorted(maps.Keys(in.Data)) {
		ri.Responses = append(ri.Responses, render.Response{Name: name, Data: in.Data[name]})
	}
	res := h.sender.Test(ctx, wh, ri)
	writeJSON(w, http.StatusOK, testResultToJSON(res))
}

// contact returns the contact the body names (a 404 problem when there is none), or
// else the one the event identifies, when it exists.
func (h *testRequests) contact(ctx context.Context, in *testRequestInput, ev *webhook.Event) (*webhook.Contact, *Problem, error) {
	var id contact.Identity
	pointer := "/contactId"
	switch {
	case in.ContactID != "":
		id.ContactID = in.ContactID
	case in.Contact != nil:
		id = contact.Identity{ContactID: in.Contact.ID, Email: in.Contact.Email, Phone: contact.NormalizePhone(in.Contact.Phone)}
		pointer = "/contact"
	case ev == nil:
		return nil, nil, nil
	case ev.ContactID != "":
		id.ContactID = ev.ContactID // a stored event's contact, as intake resolved it
		pointer = ""
	default:
		var ok bool
		if id, ok = intake.Identify(*ev); !ok {
			return nil, nil, nil
		}
		pointer = ""
	}
	c, err := contact.Find(ctx, h.store, id)
	switch {
	case errors.Is(err, webhook.ErrNotFound) && pointer == "":
		return nil, nil, nil // the event's contact does not exist: render without one
	case errors.Is(err, webhook.ErrNotFound):
		return nil, problem(http.StatusNotFound, "not_found",
			"No contact matches; check the id, email or phone (a test does not create contacts).",
			FieldError{Pointer: pointer, Detail: "No such contact."}), nil
	case err != nil:
		return nil, nil, err
	}
	return &c, nil, nil
}

func testResultToJSON(res send.TestResult) testResultJSON {
	out := testResultJSON{Data: res.Data}
	if q := res.Request; q != nil {
		out.Request = &requestJSON{Method: q.Method, URL: q.URL, Headers: headersJSON(q.Headers), Body: q.Body}
	}
	if p := res.Response; p != nil {
		out.Response = &testResponseJSON{Status: p.Status, Headers: headersJSON(p.Headers), Body: p.Body,
			Truncated: p.Truncated, DurationMs: p.DurationMs}
	}
	if res.Class != "" {
		out.Error = &testErrorJSON{Class: string(res.Class), Detail: res.Detail}
	}
	return out
}

// capitalize makes a sentence of a render error's message.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
