package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Store is what executing runs needs.
type Store interface {
	contact.Store
	GetRun(ctx context.Context, id string) (webhook.Run, error)
	GetWorkflow(ctx context.Context, id string) (webhook.Workflow, error)
	GetWebhook(ctx context.Context, id string) (webhook.Webhook, error)
	GetEvent(ctx context.Context, id string) (webhook.Event, error)
	RecordStep(ctx context.Context, runID string, seq int, rec webhook.StepRecord) error
	SetRunStatus(ctx context.Context, u store.RunUpdate) (webhook.Run, error)
}

// Call is one webhook call's outcome.
type Call struct {
	// Request is the request as sent (redacted); nil when it could not be built.
	Request *webhook.RequestRecord
	// Attempts are every try, in order.
	Attempts []webhook.Attempt
	// Data is the decoded response body as JSON text (nil without a body).
	Data json.RawMessage
	// Class is empty on success, else why the call failed.
	Class webhook.ErrorClass
	// Detail is a sentence a user can act on when Class is set.
	Detail string
}

// Caller builds a webhook's request from its definition and a render input, adds its
// authentication, sends it with its retry policy and the idempotency key, and reports
// the outcome.
type Caller interface {
	Call(ctx context.Context, w webhook.Webhook, in render.Input, idempotencyKey string) Call
}

// Renderer renders message templates and condition expressions.
type Renderer interface {
	// Render renders template src (named name for error messages) with in.
	Render(ctx context.Context, name, src string, in render.Input) (string, error)
}

// MaxSavedData bounds the decoded response a webhook step keeps as its data source (as
// JSON text). Templates rarely need more, and every step record must fit in one
// DynamoDB item beside its request and attempts.
const MaxSavedData = 256 << 10

// Executor walks runs. It is safe for concurrent use on different runs.
type Executor struct {
	store    Store
	caller   Caller
	renderer Renderer
	metrics  *metrics.Writer
	log      *slog.Logger
	now      func() time.Time
}

// ExecutorConfig holds an Executor's dependencies.
type ExecutorConfig struct {
	Store    Store
	Caller   Caller
	Renderer Renderer
	Metrics  *metrics.Writer
	Log      *slog.Logger
	Now      func() time.Time
}

// NewExecutor returns an Executor.
func NewExecutor(c ExecutorConfig) *Executor {
	e := &Executor{store: c.Store, caller: c.Caller, renderer: c.Renderer, metrics: c.Metrics, log: c.Log, now: c.Now}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = func() time.Time { return time.Now().UTC() }
	}
	return e
}

// errStop ends a walk early (a failed webhook step with onFailure stop).
type errStop struct {
	step, reason string
}

func (e *errStop) Error() string { return fmt.Sprintf("step %q failed: %s", e.step, e.reason) }

// Execute runs (or resumes) a run to its end. Steps already recorded are replayed from
// their records instead of executed — a webhook that already answered is never sent
// again — and each new step's record is written as soon as it completes. Executing a
// finished run does nothing. An error means the run could not be advanced (storage
// trouble) and should be retried; a failing step is not an error: it fails the run.
func (e *Executor) Execute(ctx context.Context, runID string) error {
	run, err := e.store.GetRun(ctx, runID)
	if errors.Is(err, webhook.ErrNotFound) {
		// Expired (TTL) or never stored: nothing can ever be done for it.
		e.log.WarnContext(ctx, "run not found; nothing to execute", "runId", runID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("execute run %s: %w", runID, err)
	}
	switch run.Status {
	case webhook.StatusSucceeded, webhook.StatusFailed, webhook.StatusStopped:
		return nil
	}
	if run.Status == webhook.StatusQueued {
		run, err = e.store.SetRunStatus(ctx, store.RunUpdate{RunID: runID, From: []webhook.RunStatus{webhook.StatusQueued, webhook.StatusRunning},
			To: webhook.StatusRunning, At: e.now()})
		if err != nil {
			return fmt.Errorf("execute run %s: start: %w", runID, err)
		}
	}
	f, err := e.store.GetWorkflow(ctx, run.WorkflowID)
	if errors.Is(err, webhook.ErrNotFound) {
		return e.finish(ctx, run, webhook.StatusFailed, "", "The workflow was deleted before the run started.")
	}
	if err != nil {
		return fmt.Errorf("execute run %s: get workflow: %w", runID, err)
	}
	w := &walk{e: e, run: run, in: render.Input{RunID: run.ID}}
	if run.EventID != "" {
		ev, err := e.store.GetEvent(ctx, run.EventID)
		if err != nil && !errors.Is(err, webhook.ErrNotFound) {
			return fmt.Errorf("execute run %s: get event: %w", runID, err)
		}
		w.event = ev
		w.in.Params = ev.Params
	}
	if run.ContactID != "" {
		c, err := e.store.GetContact(ctx, run.ContactID)
		if err != nil && !errors.Is(err, webhook.ErrNotFound) {
			return fmt.Errorf("execute run %s: get contact: %w", runID, err)
		}
		if err == nil {
			w.in.Contact = &c
		}
	}
	err = w.steps(ctx, f.Steps)
	var stop *errStop
	switch {
	case errors.As(err, &stop):
		return e.finish(ctx, run, webhook.StatusFailed, stop.step, stop.reason)
	case err != nil:
		return fmt.Errorf("execute run %s: %w", runID, err)
	}
	return e.finish(ctx, run, webhook.StatusSucceeded, "", "")
}

func (e *Executor) finish(ctx context.Context, run webhook.Run, status webhook.RunStatus, step, reason string) error {
	_, err := e.store.SetRunStatus(ctx, store.RunUpdate{RunID: run.ID, From: []webhook.RunStatus{webhook.StatusQueued, webhook.StatusRunning},
		To: status, FailedStep: step, Reason: reason, At: e.now()})
	if errors.Is(err, webhook.ErrVersion) {
		return nil // another execution finished it first
	}
	if err != nil {
		return fmt.Errorf("execute run %s: finish: %w", run.ID, err)
	}
	e.metrics.Put("Runs", metrics.Count, 1, map[string]string{"Status": string(status)})
	e.log.InfoContext(ctx, "run finished", "runId", run.ID, "workflowId", run.WorkflowID, "status", string(status), "failedStep", step)
	return nil
}

// walk is the state of one execution: the position in the run's record and the
// responses gathered so far.
type walk struct {
	e     *Executor
	run   webhook.Run
	event webhook.Event
	in    render.Input
	seq   int
}

func (w *walk) steps(ctx context.Context, steps []webhook.Step) error {
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.step(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// step replays a recorded step or executes and records a new one.
func (w *walk) step(ctx context.Context, s webhook.Step) error {
	var rec webhook.StepRecord
	if w.seq < len(w.run.Steps) {
		rec = w.run.Steps[w.seq]
		if rec.ID != s.ID {
			return &errStop{step: s.ID, reason: fmt.Sprintf("the workflow changed while the run was in progress (step %q is now where %q was); start a new run", s.ID, rec.ID)}
		}
		w.seq++
	} else {
		rec = w.execute(ctx, s)
		if err := w.e.store.RecordStep(ctx, w.run.ID, w.seq, rec); err != nil {
			if errors.Is(err, webhook.ErrConflict) {
				return fmt.Errorf("step %q was recorded by another execution at the same time: %w", s.ID, err)
			}
			return fmt.Errorf("record step %q: %w", s.ID, err)
		}
		w.run.Steps = append(w.run.Steps, rec)
		w.seq++
	}
	switch s.Type {
	case webhook.StepWebhook:
		if rec.Status == webhook.StatusSucceeded {
			w.in.Responses = append(w.in.Responses, render.Response{Name: rec.WebhookName, Data: rec.Data})
			return nil
		}
		if rec.OnFailure == webhook.OnFailureContinue {
			return nil
		}
		return &errStop{step: s.ID, reason: rec.Error}
	case webhook.StepCondition:
		if rec.Status != webhook.StatusSucceeded {
			return &errStop{step: s.ID, reason: rec.Error}
		}
		if rec.Branch == "then" {
			return w.steps(ctx, s.Then)
		}
		return w.steps(ctx, s.Else)
	default:
		if rec.Status != webhook.StatusSucceeded {
			return &errStop{step: s.ID, reason: rec.Error}
		}
		return nil
	}
}

// execute runs one step and returns its record.
func (w *walk) execute(ctx context.Context, s webhook.Step) webhook.StepRecord {
	rec := webhook.StepRecord{ID: s.ID, Type: s.Type, StartedAt: w.e.now()}
	fail := func(msg string) webhook.StepRecord {
		rec.Status = webhook.StatusFailed
		rec.Error = msg
		rec.FinishedAt = w.e.now()
		return rec
	}
	switch s.Type {
	case webhook.StepWebhook:
		wh, err := w.e.store.GetWebhook(ctx, s.WebhookID)
		if err != nil {
			return fail(fmt.Sprintf("The webhook %s could not be loaded: %v.", s.WebhookID, err))
		}
		rec.WebhookID, rec.WebhookName, rec.WebhookVersion = wh.ID, wh.Name, wh.Version
		rec.OnFailure = s.OnFailure
		if rec.OnFailure == "" {
			rec.OnFailure = wh.OnFailure
		}
		if wh.Deleted() {
			return fail(fmt.Sprintf("The webhook %q was deleted; restore it or change the workflow.", wh.Name))
		}
		in := w.in
		if sel := s.Contact; sel != (webhook.ContactSelector{}) {
			c, err := w.stepContact(ctx, sel)
			if err != nil {
				return fail(err.Error())
			}
			in.Contact = c
		}
		call := w.e.caller.Call(ctx, wh, in, w.run.ID+":"+s.ID)
		rec.Request, rec.Attempts, rec.Data = call.Request, call.Attempts, call.Data
		if call.Class != "" {
			return fail(fmt.Sprintf("%s (%s)", call.Detail, call.Class))
		}
		if len(rec.Data) > MaxSavedData {
			n := len(rec.Data)
			rec.Data = nil
			return fail(fmt.Sprintf("The response decoded to %d KB of data; a data source keeps at most %d KB. Ask the endpoint for less (too_large).",
				n>>10, MaxSavedData>>10))
		}
		rec.Status = webhook.StatusSucceeded
	case webhook.StepCondition:
		ok, err := w.condition(ctx, s)
		if err != nil {
			return fail(err.Error())
		}
		rec.Branch = "else"
		if ok {
			rec.Branch = "then"
		}
		rec.Status = webhook.StatusSucceeded
	case webhook.StepMessage:
		subject, err := w.e.renderer.Render(ctx, s.ID+".subject", s.Subject, w.in)
		if err != nil {
			return fail(fmt.Sprintf("The subject does not render: %v.", err))
		}
		body, err := w.e.renderer.Render(ctx, s.ID+".body", s.Body, w.in)
		if err != nil {
			return fail(fmt.Sprintf("The body does not render: %v.", err))
		}
		rec.Message = &webhook.Message{Channel: s.Channel, Subject: subject, Body: body}
		rec.Status = webhook.StatusSucceeded
	default:
		return fail(fmt.Sprintf("Unknown step type %q.", s.Type))
	}
	rec.FinishedAt = w.e.now()
	return rec
}

// stepContact resolves the contact a webhook step names with its own expressions
// (templates over the event, e.g. ${PersonalEmail}).
func (w *walk) stepContact(ctx context.Context, sel webhook.ContactSelector) (*webhook.Contact, error) {
	var id contact.Identity
	for _, f := range []struct {
		src string
		dst *string
	}{{sel.ID, &id.ContactID}, {sel.Email, &id.Email}, {sel.Phone, &id.Phone}} {
		if f.src == "" {
			continue
		}
		v, err := w.e.renderer.Render(ctx, "contact", f.src, render.Input{Params: w.in.Params, RunID: w.run.ID})
		if err != nil {
			return nil, fmt.Errorf("The contact expression %q does not render: %v", f.src, err)
		}
		*f.dst = v
	}
	if id.IsZero() {
		return nil, fmt.Errorf("The contact expressions name no contact for this event")
	}
	c, _, err := contact.Resolve(ctx, w.e.store, id, w.e.now())
	if err != nil {
		return nil, fmt.Errorf("The step's contact could not be resolved: %v", err)
	}
	return &c, nil
}

// condition evaluates a condition step: a pattern found in a variable's text (an event
// param, else a data source's JSON text), or a Velocity boolean expression.
func (w *walk) condition(ctx context.Context, s webhook.Step) (bool, error) {
	if s.Expression != "" {
		out, err := w.e.renderer.Render(ctx, s.ID+".expression", "#if("+s.Expression+")true#{else}false#end", w.in)
		if err != nil {
			return false, fmt.Errorf("The condition expression does not render: %v", err)
		}
		return out == "true", nil
	}
	re, err := regexp.Compile(s.Pattern)
	if err != nil {
		return false, fmt.Errorf("The pattern does not compile: %v", err)
	}
	text, found := w.variable(s.Variable)
	if !found {
		return false, nil // an unset variable matches nothing: the "No" path
	}
	return re.MatchString(text), nil
}

// variable is the text a condition matches: a data source (webhook response) by name as
// JSON text, else an event param (strings as they are, other values as JSON text).
func (w *walk) variable(name string) (string, bool) {
	for i := len(w.in.Responses) - 1; i >= 0; i-- {
		if w.in.Responses[i].Name == name {
			return string(w.in.Responses[i].Data), true
		}
	}
	for _, p := range w.in.Params {
		if p.Name == name {
			var s string
			if json.Unmarshal(p.Value, &s) == nil {
				return s, true
			}
			return string(p.Value), true
		}
	}
	return "", false
}
