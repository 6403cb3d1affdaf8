package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/webhook"
	"github.com/flowhook/flowhook/shared/workflow"
)

type selectorJSON struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// stepJSON is a workflow step on the wire; fields apply by type.
type stepJSON struct {
	ID         string        `json:"id"`
	Type       string        `json:"type"`
	WebhookID  string        `json:"webhookId,omitempty"`
	Contact    *selectorJSON `json:"contact,omitempty"`
	OnFailure  string        `json:"onFailure,omitempty"`
	Variable   string        `json:"variable,omitempty"`
	Pattern    string        `json:"pattern,omitempty"`
	Expression string        `json:"expression,omitempty"`
	Then       []stepJSON    `json:"then,omitempty"`
	Else       []stepJSON    `json:"else,omitempty"`
	Channel    string        `json:"channel,omitempty"`
	Subject    string        `json:"subject,omitempty"`
	Body       string        `json:"body,omitempty"`
}

type triggerJSON struct {
	EventType string `json:"eventType"`
}

// workflowInput is the body of POST /workflows and PUT /workflows/{id}.
type workflowInput struct {
	Name    string      `json:"name"`
	Enabled *bool       `json:"enabled"`
	Trigger triggerJSON `json:"trigger"`
	Steps   []stepJSON  `json:"steps"`
}

type workflowJSON struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Enabled   bool        `json:"enabled"`
	Trigger   triggerJSON `json:"trigger"`
	Steps     []stepJSON  `json:"steps"`
	Version   int64       `json:"version"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

func stepsFromJSON(in []stepJSON) []webhook.Step {
	if in == nil {
		return nil
	}
	out := make([]webhook.Step, len(in))
	for i, s := range in {
		out[i] = webhook.Step{ID: s.ID, Type: webhook.StepType(s.Type), WebhookID: s.WebhookID,
			OnFailure: webhook.OnFailure(s.OnFailure), Variable: s.Variable, Pattern: s.Pattern, Expression: s.Expression,
			Then: stepsFromJSON(s.Then), Else: stepsFromJSON(s.Else), Channel: s.Channel, Subject: s.Subject, Body: s.Body}
		if s.Contact != nil {
			out[i].Contact = webhook.ContactSelector{ID: s.Contact.ID, Email: s.Contact.Email, Phone: s.Contact.Phone}
		}
	}
	return out
}

func stepsToJSON(in []webhook.Step) []stepJSON {
	if in == nil {
		return nil
	}
	out := make([]stepJSON, len(in))
	for i, s := range in {
		out[i] = stepJSON{ID: s.ID, Type: string(s.Type), WebhookID: s.WebhookID, OnFailure: string(s.OnFailure),
			Variable: s.Variable, Pattern: s.Pattern, Expression: s.Expression, Then: stepsToJSON(s.Then), Else: stepsToJSON(s.Else),
			Channel: s.Channel, Subject: s.Subject, Body: s.Body}
		if s.Contact != (webhook.ContactSelector{}) {
			out[i].Contact = &selectorJSON{ID: s.Contact.ID, Email: s.Contact.Email, Phone: s.Contact.Phone}
		}
	}
	return out
}

func workflowToJSON(f webhook.Workflow) workflowJSON {
	steps := stepsToJSON(f.Steps)
	if steps == nil {
		steps = []stepJSON{}
	}
	return workflowJSON{ID: f.ID, Name: f.Name, Enabled: f.Enabled, Trigger: triggerJSON{f.Trigger.EventType},
		Steps: steps, Version: f.Version, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// readWorkflow decodes and validates a workflow body.
func (a *api) readWorkflow(w http.ResponseWriter, r *http.Request) (webhook.Workflow, bool) {
	var in workflowInput
	if p := decodeBody(r, &in, MaxBodyBytes); p != nil {
		writeProblem(w, a.log, p)
		return webhook.Workflow{}, false
	}
	f := webhook.Workflow{Name: strings.TrimSpace(in.Name), Enabled: in.Enabled == nil || *in.Enabled,
		Trigger: webhook.Trigger{EventType: strings.TrimSpace(in.Trigger.EventType)}, Steps: stepsFromJSON(in.Steps)}
	err := workflow.Validate(r.Context(), f, workflow.Checks{Webhook: a.store.GetWebhook, Template: a.checkTpl})
	if extra := checkWorkflowFields(f); len(extra) > 0 {
		ve := &webhook.ValidationError{What: "workflow"}
		if err == nil || errors.As(err, &ve) { // else a failure to check, which answers alone
			for _, fe := range extra {
				ve.Add(fe.Pointer, fe.Detail)
			}
			err = ve
		}
	}
	if err != nil {
		a.writeError(w, r, "workflow", err)
		return webhook.Workflow{}, false
	}
	return f, true
}

// checkWorkflowFields checks what workflow.Validate leaves to the wire: the name as
// other names, and a trigger that an event can carry — intake refuses event types
// over 100 characters or holding < ; ’ \ / | " ` ' ^ ? ! , >, so a workflow waiting
// for one would never start.
func checkWorkflowFields(f webhook.Workflow) fieldErrors {
	var errs fieldErrors
	if f.Name != "" {
		checkName(&errs, "/name", f.Name)
	}
	if f.Trigger.EventType != "" {
		probe, _ := json.Marshal(map[string]string{"eventTypeKey": f.Trigger.EventType})
		_, err := intake.ParseWithoutContact(probe)
		var ve *webhook.ValidationError
		if errors.As(err, &ve) {
			for _, fe := range ve.Errors {
				if fe.Pointer == "/eventTypeKey" {
					errs.add("/trigger/eventType", "No event can have this type, so the workflow would never start: %s", fe.Detail)
				}
			}
		}
	}
	return errs
}

func (a *api) createWorkflow(w http.ResponseWriter, r *http.Request) {
	f, ok := a.readWorkflow(w, r)
	if !ok {
		return
	}
	now := a.now()
	f.ID = webhook.NewID(webhook.PrefixWorkflow, now)
	f.CreatedAt, f.UpdatedAt = now, now
	created, err := a.store.CreateWorkflow(r.Context(), f)
	if err != nil {
		a.writeError(w, r, "workflow", err)
		return
	}
	w.Header().Set("Location", "/workflows/"+created.ID)
	w.Header().Set("ETag", etag(created.Version))
	writeJSON(w, http.StatusCreated, workflowToJSON(created))
}

func (a *api) listWorkflows(w http.ResponseWriter, r *http.Request) {
	page, p := pageQuery(r)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	items, next, err := a.store.ListWorkflows(r.Context(), page)
	if err != nil {
		a.writeError(w, r, "workflow", cursorError(err))
		return
	}
	out := make([]workflowJSON, len(items))
	for i, f := range items {
		out[i] = workflowToJSON(f)
	}
	writeJSON(w, http.StatusOK, listJSON[workflowJSON]{Items: out, NextCursor: next})
}

func (a *api) getWorkflow(w http.ResponseWriter, r *http.Request) {
	f, err := a.store.GetWorkflow(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, "workflow", err)
		return
	}
	w.Header().Set("ETag", etag(f.Version))
	writeJSON(w, http.StatusOK, workflowToJSON(f))
}

func (a *api) updateWorkflow(w http.ResponseWriter, r *http.Request) {
	version, p := ifMatch(r, true)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	f, ok := a.readWorkflow(w, r)
	if !ok {
		return
	}
	f.ID = r.PathValue("id")
	if version == anyVersion {
		cur, err := a.store.GetWorkflow(r.Context(), f.ID)
		if isNotFound(err) {
			writeProblem(w, a.log, noCurrent("workflow", f.ID))
			return
		}
		if err != nil {
			a.writeError(w, r, "workflow", err)
			return
		}
		version = cur.Version
	}
	f.Version, f.UpdatedAt = version, a.now()
	updated, err := a.store.UpdateWorkflow(r.Context(), f)
	if err != nil {
		a.writeError(w, r, "workflow", err)
		return
	}
	w.Header().Set("ETag", etag(updated.Version))
	writeJSON(w, http.StatusOK, workflowToJSON(updated))
}

func (a *api) deleteWorkflow(w http.ResponseWriter, r *http.Request) {
	if err := a.store.DeleteWorkflow(r.Context(), r.PathValue("id")); err != nil {
		a.writeError(w, r, "workflow", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// headersJSON encodes recorded headers as a JSON object in the order they were sent or
// received; repeated names are joined with ", " as HTTP allows.
type headersJSON []webhook.Header

func (h headersJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	seen := map[string]int{}
	var names []string
	var values [][]string
	for _, x := range h {
		if i, ok := seen[x.Name]; ok {
			values[i] = append(values[i], x.Value)
			continue
		}
		seen[x.Name] = len(names)
		names = append(names, x.Name)
		values = append(values, []string{x.Value})
	}
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		v, _ := json.Marshal(strings.Join(values[i], ", "))
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type requestJSON struct {
	Method    string      `json:"method"`
	URL       string      `json:"url"`
	Headers   headersJSON `json:"headers"`
	Body      string      `json:"body"`
	Truncated bool        `json:"truncated"`
}

type attemptJSON struct {
	Status     int         `json:"status"`
	Headers    headersJSON `json:"headers"`
	Body       string      `json:"body"`
	Truncated  bool        `json:"truncated"`
	StartedAt  time.Time   `json:"startedAt"`
	DurationMs int64       `json:"durationMs"`
	ErrorClass string      `json:"errorClass,omitempty"`
	Error      string      `json:"error,omitempty"`
}

type messageJSON struct {
	Channel string `json:"channel"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
}

type stepRecordJSON struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Status         string          `json:"status"`
	WebhookID      string          `json:"webhookId,omitempty"`
	WebhookName    string          `json:"webhookName,omitempty"`
	WebhookVersion int64           `json:"webhookVersion,omitempty"`
	Request        *requestJSON    `json:"request,omitempty"`
	Attempts       []attemptJSON   `json:"attempts,omitempty"`
	Data           json.RawMessage `json:"data,omitempty"`
	Branch         string          `json:"branch,omitempty"`
	Message        *messageJSON    `json:"message,omitempty"`
	Error          string          `json:"error,omitempty"`
	StartedAt      time.Time       `json:"startedAt"`
	FinishedAt     time.Time       `json:"finishedAt"`
}

type runJSON struct {
	ID         string           `json:"id"`
	WorkflowID string           `json:"workflowId"`
	EventID    string           `json:"eventId"`
	ContactID  string           `json:"contactId"`
	Status     string           `json:"status"`
	FailedStep string           `json:"failedStep,omitempty"`
	Reason     string           `json:"reason,omitempty"`
	CreatedAt  time.Time        `json:"createdAt"`
	UpdatedAt  time.Time        `json:"updatedAt"`
	FinishedAt *time.Time       `json:"finishedAt,omitempty"`
	Steps      []stepRecordJSON `json:"steps,omitempty"`
}

func runToJSON(r webhook.Run, withSteps bool) runJSON {
	out := runJSON{ID: r.ID, WorkflowID: r.WorkflowID, EventID: r.EventID, ContactID: r.ContactID, Status: string(r.Status),
		FailedStep: r.FailedStep, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if !r.FinishedAt.IsZero() {
		f := r.FinishedAt
		out.FinishedAt = &f
	}
	if !withSteps {
		return out
	}
	out.Steps = []stepRecordJSON{}
	for _, s := range r.Steps {
		sj := stepRecordJSON{ID: s.ID, Type: string(s.Type), Status: string(s.Status), WebhookID: s.WebhookID,
			WebhookName: s.WebhookName, WebhookVersion: s.WebhookVersion, Data: s.Data, Branch: s.Branch,
			Error: s.Error, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt}
		if s.Request != nil {
			sj.Request = &requestJSON{Method: s.Request.Method, URL: s.Request.URL, Headers: headersJSON(s.Request.Headers), Body: s.Request.Body, Truncated: s.Request.Truncated}
		}
		for _, at := range s.Attempts {
			sj.Attempts = append(sj.Attempts, attemptJSON{Status: at.Status, Headers: headersJSON(at.Headers), Body: at.Body,
				Truncated: at.Truncated, StartedAt: at.StartedAt, DurationMs: at.DurationMs, ErrorClass: string(at.ErrorClass), Error: at.Error})
		}
		if s.Message != nil {
			sj.Message = &messageJSON{Channel: s.Message.Channel, Subject: s.Message.Subject, Body: s.Message.Body}
		}
		out.Steps = append(out.Steps, sj)
	}
	return out
}

func (a *api) listRuns(w http.ResponseWriter, r *http.Request) {
	page, p := pageQuery(r)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	id := r.PathValue("id")
	items, next, err := a.store.ListRuns(r.Context(), id, page)
	if err != nil {
		a.writeError(w, r, "run", cursorError(err))
		return
	}
	if len(items) == 0 && page.Cursor == "" {
		// No history: a workflow that never ran, or a wrong id (404). A deleted
		// workflow's runs stay listed until they expire, as GET /runs/{id} shows them.
		if _, err := a.store.GetWorkflow(r.Context(), id); err != nil {
			a.writeError(w, r, "workflow", err)
			return
		}
	}
	out := make([]runJSON, len(items))
	for i, it := range items {
		out[i] = runToJSON(it, false)
	}
	writeJSON(w, http.StatusOK, listJSON[runJSON]{Items: out, NextCursor: next})
}

func (a *api) getRun(w http.ResponseWriter, r *http.Request) {
	run, err := a.store.GetRun(r.Context(), r.PathValue("id"))
	if err != nil {
		a.writeError(w, r, "run", err)
		return
	}
	writeJSON(w, http.StatusOK, runToJSON(run, true))
}

// eventJSON is a received event in GET /events.
type eventJSON struct {
	ID           string      `json:"id"`
	EventTypeKey string      `json:"eventTypeKey"`
	KeyValue     string      `json:"keyValue,omitempty"`
	Params       []paramJSON `json:"params"`
	ContactID    string      `json:"contactId,omitempty"`
	Source       string      `json:"source"`
	ReceivedAt   time.Time   `json:"receivedAt"`
}

type paramJSON struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

func eventToJSON(e webhook.Event) eventJSON {
	ps := make([]paramJSON, len(e.Params))
	for i, p := range e.Params {
		ps[i] = paramJSON{Name: p.Name, Value: p.Value}
	}
	return eventJSON{ID: e.ID, EventTypeKey: e.TypeKey, KeyValue: e.KeyValue, Params: ps, ContactID: e.ContactID,
		Source: e.Source, ReceivedAt: e.ReceivedAt}
}

func (a *api) listEvents(w http.ResponseWriter, r *http.Request) {
	page, p := pageQuery(r)
	if p != nil {
		writeProblem(w, a.log, p)
		return
	}
	items, next, err := a.store.ListEvents(r.Context(), r.URL.Query().Get("type"), page)
	if err != nil {
		a.writeError(w, r, "event", cursorError(err))
		return
	}
	out := make([]eventJSON, len(items))
	for i, e := range items {
		out[i] = eventToJSON(e)
	}
	writeJSON(w, http.StatusOK, listJSON[eventJSON]{Items: out, NextCursor: next})
}

// validationProblem turns a domain ValidationError into a 400.
func validationProblem(v *webhook.ValidationError) *Problem {
	errs := make([]FieldError, len(v.Errors))
	for i, e := range v.Errors {
		errs[i] = FieldError{Pointer: e.Pointer, Detail: e.Detail}
	}
	return invalid(v.What, errs)
}
