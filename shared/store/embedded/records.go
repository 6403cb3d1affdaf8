package embedded

import (
	"encoding/json"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// The storage forms of the records: JSON with short stable names, so renaming a Go field
// does not orphan stored data. JSON texts from the domain (contact fields, event params,
// step data) are kept as strings, byte for byte; encoding/json would re-indent a
// json.RawMessage. Times are stored in UTC.

type pairRec struct {
	Name  string `json:"n"`
	Value string `json:"v"`
}

type bodyRec struct {
	Format   string `json:"format"`
	Template string `json:"template"`
}

type webhookRec struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	Description       string    `json:"description,omitempty"`
	Method            string    `json:"method"`
	URL               string    `json:"url"`
	Params            []pairRec `json:"params,omitempty"`
	ParamsInHeaders   bool      `json:"paramsInHeaders,omitempty"`
	Headers           []pairRec `json:"headers,omitempty"`
	ConnectorID       string    `json:"connectorId,omitempty"`
	Body              *bodyRec  `json:"body,omitempty"`
	TimeoutMs         int       `json:"timeoutMs,omitempty"`
	MaxAttempts       int       `json:"maxAttempts,omitempty"`
	IdempotencyHeader string    `json:"idempotencyHeader,omitempty"`
	OnFailure         string    `json:"onFailure,omitempty"`
	Version           int64     `json:"version"`
	CreatedAt         time.Time `json:"createdAt,omitzero"`
	UpdatedAt         time.Time `json:"updatedAt,omitzero"`
	DeletedAt         time.Time `json:"deletedAt,omitzero"`
}

func pairsRec(ps []webhook.Pair) []pairRec {
	var out []pairRec
	for _, p := range ps {
		out = append(out, pairRec{p.Name, p.Value})
	}
	return out
}

func pairsOf(ps []pairRec) []webhook.Pair {
	var out []webhook.Pair
	for _, p := range ps {
		out = append(out, webhook.Pair{Name: p.Name, Value: p.Value})
	}
	return out
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func toWebhookRec(w webhook.Webhook) webhookRec {
	r := webhookRec{
		ID: w.ID, Name: w.Name, Description: w.Description, Method: string(w.Method), URL: w.URL,
		Params: pairsRec(w.Params), ParamsInHeaders: w.ParamsInHeaders, Headers: pairsRec(w.Headers),
		ConnectorID: w.ConnectorID, TimeoutMs: w.TimeoutMs, MaxAttempts: w.MaxAttempts,
		IdempotencyHeader: w.IdempotencyHeader, OnFailure: string(w.OnFailure), Version: w.Version,
		CreatedAt: utc(w.CreatedAt), UpdatedAt: utc(w.UpdatedAt), DeletedAt: utc(w.DeletedAt),
	}
	if w.Body != nil {
		r.Body = &bodyRec{Format: string(w.Body.Format), Template: w.Body.Template}
	}
	return r
}

func (r webhookRec) webhook() webhook.Webhook {
	w := webhook.Webhook{
		ID: r.ID, Name: r.Name, Description: r.Description, Method: webhook.Method(r.Method), URL: r.URL,
		Params: pairsOf(r.Params), ParamsInHeaders: r.ParamsInHeaders, Headers: pairsOf(r.Headers),
		ConnectorID: r.ConnectorID, TimeoutMs: r.TimeoutMs, MaxAttempts: r.MaxAttempts,
		IdempotencyHeader: r.IdempotencyHeader, OnFailure: webhook.OnFailure(r.OnFailure), Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DeletedAt: r.DeletedAt,
	}
	if r.Body != nil {
		w.Body = &webhook.Body{Format: webhook.BodyFormat(r.Body.Format), Template: r.Body.Template}
	}
	return w
}

type connectorRec struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	Login           string    `json:"login,omitempty"`
	In              string    `json:"in,omitempty"`
	KeyName         string    `json:"keyName,omitempty"`
	SecretRef       string    `json:"secretRef,omitempty"`
	SecretUpdatedAt time.Time `json:"secretUpdatedAt,omitzero"`
	Version         int64     `json:"version"`
	CreatedAt       time.Time `json:"createdAt,omitzero"`
	UpdatedAt       time.Time `json:"updatedAt,omitzero"`
}

func toConnectorRec(c webhook.Connector) connectorRec {
	return connectorRec{
		ID: c.ID, Name: c.Name, Type: string(c.Type), Login: c.Login, In: string(c.In), KeyName: c.KeyName,
		SecretRef: c.SecretRef, SecretUpdatedAt: utc(c.SecretUpdatedAt), Version: c.Version,
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt),
	}
}

func (r connectorRec) connector() webhook.Connector {
	return webhook.Connector{
		ID: r.ID, Name: r.Name, Type: webhook.ConnectorType(r.Type), Login: r.Login, In: webhook.KeyPlacement(r.In),
		KeyName: r.KeyName, SecretRef: r.SecretRef, SecretUpdatedAt: r.SecretUpdatedAt, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

type contactRec struct {
	ID                 string            `json:"id"`
	Email              string            `json:"email,omitempty"`
	Phone              string            `json:"phone,omitempty"`
	ExternalCustomerID string            `json:"externalCustomerId,omitempty"`
	Fields             map[string]string `json:"fields,omitempty"` // JSON texts
	Version            int64             `json:"version"`
	CreatedAt          time.Time         `json:"createdAt,omitzero"`
	UpdatedAt          time.Time         `json:"updatedAt,omitzero"`
}

func toContactRec(c webhook.Contact) contactRec {
	r := contactRec{
		ID: c.ID, Email: c.Email, Phone: c.Phone, ExternalCustomerID: c.ExternalCustomerID, Version: c.Version,
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt),
	}
	if len(c.Fields) > 0 {
		r.Fields = make(map[string]string, len(c.Fields))
		for k, v := range c.Fields {
			r.Fields[k] = string(v)
		}
	}
	return r
}

func (r contactRec) contact() webhook.Contact {
	c := webhook.Contact{
		ID: r.ID, Email: r.Email, Phone: r.Phone, ExternalCustomerID: r.ExternalCustomerID, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if len(r.Fields) > 0 {
		c.Fields = make(map[string]json.RawMessage, len(r.Fields))
		for k, v := range r.Fields {
			c.Fields[k] = rawOf(v)
		}
	}
	return c
}

// rawOf returns the JSON text s as stored, nil for "".
func rawOf(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

type ruleRec struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value string `json:"value,omitempty"`
}

type segmentRec struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Rules     []ruleRec `json:"rules,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

func toSegmentRec(g webhook.Segment) segmentRec {
	r := segmentRec{ID: g.ID, Name: g.Name, CreatedAt: utc(g.CreatedAt), UpdatedAt: utc(g.UpdatedAt)}
	for _, u := range g.Rules {
		r.Rules = append(r.Rules, ruleRec{Field: u.Field, Op: string(u.Op), Value: u.Value})
	}
	return r
}

func (r segmentRec) segment() webhook.Segment {
	g := webhook.Segment{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, u := range r.Rules {
		g.Rules = append(g.Rules, webhook.SegmentRule{Field: u.Field, Op: webhook.SegmentOp(u.Op), Value: u.Value})
	}
	return g
}

type eventRec struct {
	ID         string    `json:"id"`
	TypeKey    string    `json:"typeKey"`
	KeyValue   string    `json:"keyValue,omitempty"`
	Params     []pairRec `json:"params,omitempty"` // values are JSON texts
	ContactID  string    `json:"contactId,omitempty"`
	Source     string    `json:"source,omitempty"`
	SourceID   string    `json:"sourceId,omitempty"`
	ReceivedAt time.Time `json:"receivedAt,omitzero"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
	// WorkflowIDs is the list of workflows triggered on acceptance (see webhook.Event).
	WorkflowIDs []string `json:"workflowIds,omitempty"`
}

func toEventRec(e webhook.Event, expires time.Time) eventRec {
	r := eventRec{
		ID: e.ID, TypeKey: e.TypeKey, KeyValue: e.KeyValue, ContactID: e.ContactID, Source: e.Source,
		SourceID: e.SourceID, ReceivedAt: utc(e.ReceivedAt), ExpiresAt: utc(expires), WorkflowIDs: e.WorkflowIDs,
	}
	for _, p := range e.Params {
		r.Params = append(r.Params, pairRec{Name: p.Name, Value: string(p.Value)})
	}
	return r
}

func (r eventRec) event() webhook.Event {
	e := webhook.Event{
		ID: r.ID, TypeKey: r.TypeKey, KeyValue: r.KeyValue, ContactID: r.ContactID, Source: r.Source,
		SourceID: r.SourceID, ReceivedAt: r.ReceivedAt, WorkflowIDs: r.WorkflowIDs,
	}
	for _, p := range r.Params {
		e.Params = append(e.Params, webhook.Param{Name: p.Name, Value: rawOf(p.Value)})
	}
	return e
}

type stepDefRec struct {
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	WebhookID  string       `json:"webhookId,omitempty"`
	ContactID  string       `json:"contactId,omitempty"`
	Email      string       `json:"contactEmail,omitempty"`
	Phone      string       `json:"contactPhone,omitempty"`
	OnFailure  string       `json:"onFailure,omitempty"`
	Variable   string       `json:"variable,omitempty"`
	Pattern    string       `json:"pattern,omitempty"`
	Expression string       `json:"expression,omitempty"`
	Then       []stepDefRec `json:"then,omitempty"`
	Else       []stepDefRec `json:"else,omitempty"`
	Channel    string       `json:"channel,omitempty"`
	Subject    string       `json:"subject,omitempty"`
	Body       string       `json:"body,omitempty"`
}

func toStepDefRecs(steps []webhook.Step) []stepDefRec {
	var out []stepDefRec
	for _, s := range steps {
		out = append(out, stepDefRec{
			ID: s.ID, Type: string(s.Type), WebhookID: s.WebhookID,
			ContactID: s.Contact.ID, Email: s.Contact.Email, Phone: s.Contact.Phone, OnFailure: string(s.OnFailure),
			Variable: s.Variable, Pattern: s.Pattern, Expression: s.Expression,
			Then: toStepDefRecs(s.Then), Else: toStepDefRecs(s.Else),
			Channel: s.Channel, Subject: s.Subject, Body: s.Body,
		})
	}
	return out
}

func stepDefsOf(recs []stepDefRec) []webhook.Step {
	var out []webhook.Step
	for _, r := range recs {
		out = append(out, webhook.Step{
			ID: r.ID, Type: webhook.StepType(r.Type), WebhookID: r.WebhookID,
			Contact:   webhook.ContactSelector{ID: r.ContactID, Email: r.Email, Phone: r.Phone},
			OnFailure: webhook.OnFailure(r.OnFailure),
			Variable:  r.Variable, Pattern: r.Pattern, Expression: r.Expression,
			Then: stepDefsOf(r.Then), Else: stepDefsOf(r.Else),
			Channel: r.Channel, Subject: r.Subject, Body: r.Body,
		})
	}
	return out
}

type workflowRec struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	Enabled      bool         `json:"enabled,omitempty"`
	TriggerEvent string       `json:"triggerEventType,omitempty"`
	Steps        []stepDefRec `json:"steps,omitempty"`
	Version      int64        `json:"version"`
	CreatedAt    time.Time    `json:"createdAt,omitzero"`
	UpdatedAt    time.Time    `json:"updatedAt,omitzero"`
}

func toWorkflowRec(f webhook.Workflow) workflowRec {
	return workflowRec{
		ID: f.ID, Name: f.Name, Enabled: f.Enabled, TriggerEvent: f.Trigger.EventType, Steps: toStepDefRecs(f.Steps),
		Version: f.Version, CreatedAt: utc(f.CreatedAt), UpdatedAt: utc(f.UpdatedAt),
	}
}

func (r workflowRec) workflow() webhook.Workflow {
	return webhook.Workflow{
		ID: r.ID, Name: r.Name, Enabled: r.Enabled, Trigger: webhook.Trigger{EventType: r.TriggerEvent},
		Steps: stepDefsOf(r.Steps), Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

type runRec struct {
	ID         string    `json:"id"`
	WorkflowID string    `json:"workflowId"`
	EventID    string    `json:"eventId,omitempty"`
	ContactID  string    `json:"contactId,omitempty"`
	Status     string    `json:"status"`
	FailedStep string    `json:"failedStep,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	CreatedAt  time.Time `json:"createdAt,omitzero"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
	Version    int64     `json:"version"`
}

func toRunRec(r webhook.Run) runRec {
	return runRec{
		ID: r.ID, WorkflowID: r.WorkflowID, EventID: r.EventID, ContactID: r.ContactID, Status: string(r.Status),
		FailedStep: r.FailedStep, Reason: r.Reason, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt),
		FinishedAt: utc(r.FinishedAt), ExpiresAt: utc(r.ExpiresAt), Version: r.Version,
	}
}

func (r runRec) run() webhook.Run {
	return webhook.Run{
		ID: r.ID, WorkflowID: r.WorkflowID, EventID: r.EventID, ContactID: r.ContactID, Status: webhook.RunStatus(r.Status),
		FailedStep: r.FailedStep, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		FinishedAt: r.FinishedAt, ExpiresAt: r.ExpiresAt, Version: r.Version,
	}
}

type requestRec struct {
	Method  string    `json:"method"`
	URL     string    `json:"url"`
	Headers []pairRec `json:"headers,omitempty"`
	Body    string    `json:"body,omitempty"`
	// Truncated marks a body cut at webhook.MaxRecordedBody.
	Truncated bool `json:"truncated,omitempty"`
}

type attemptRec struct {
	Status     int       `json:"status,omitempty"`
	Headers    []pairRec `json:"headers,omitempty"`
	Body       string    `json:"body,omitempty"`
	Truncated  bool      `json:"truncated,omitempty"`
	StartedAt  time.Time `json:"startedAt,omitzero"`
	DurationMs int64     `json:"durationMs,omitempty"`
	ErrorClass string    `json:"errorClass,omitempty"`
	Error      string    `json:"error,omitempty"`
}

type messageRec struct {
	Channel string `json:"channel"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
}

type stepRec struct {
	ID             string       `json:"id"`
	Type           string       `json:"type"`
	Status         string       `json:"status"`
	WebhookID      string       `json:"webhookId,omitempty"`
	WebhookName    string       `json:"webhookName,omitempty"`
	WebhookVersion int64        `json:"webhookVersion,omitempty"`
	OnFailure      string       `json:"onFailure,omitempty"`
	Request        *requestRec  `json:"request,omitempty"`
	Attempts       []attemptRec `json:"attempts,omitempty"`
	Data           string       `json:"data,omitempty"` // JSON text
	Branch         string       `json:"branch,omitempty"`
	Message        *messageRec  `json:"message,omitempty"`
	Error          string       `json:"error,omitempty"`
	StartedAt      time.Time    `json:"startedAt,omitzero"`
	FinishedAt     time.Time    `json:"finishedAt,omitzero"`
}

func headersRec(hs []webhook.Header) []pairRec {
	var out []pairRec
	for _, h := range hs {
		out = append(out, pairRec{Name: h.Name, Value: h.Value})
	}
	return out
}

func headersOf(hs []pairRec) []webhook.Header {
	var out []webhook.Header
	for _, h := range hs {
		out = append(out, webhook.Header{Name: h.Name, Value: h.Value})
	}
	return out
}

func toStepRec(s webhook.StepRecord) stepRec {
	r := stepRec{
		ID: s.ID, Type: string(s.Type), Status: string(s.Status), WebhookID: s.WebhookID, WebhookName: s.WebhookName,
		WebhookVersion: s.WebhookVersion, OnFailure: string(s.OnFailure), Data: string(s.Data), Branch: s.Branch,
		Error: s.Error, StartedAt: utc(s.StartedAt), FinishedAt: utc(s.FinishedAt),
	}
	if s.Request != nil {
		r.Request = &requestRec{Method: s.Request.Method, URL: s.Request.URL, Headers: headersRec(s.Request.Headers), Body: s.Request.Body, Truncated: s.Request.Truncated}
	}
	for _, a := range s.Attempts {
		r.Attempts = append(r.Attempts, attemptRec{
			Status: a.Status, Headers: headersRec(a.Headers), Body: a.Body, Truncated: a.Truncated,
			StartedAt: utc(a.StartedAt), DurationMs: a.DurationMs, ErrorClass: string(a.ErrorClass), Error: a.Error,
		})
	}
	if s.Message != nil {
		r.Message = &messageRec{Channel: s.Message.Channel, Subject: s.Message.Subject, Body: s.Message.Body}
	}
	return r
}

func (r stepRec) step() webhook.StepRecord {
	s := webhook.StepRecord{
		ID: r.ID, Type: webhook.StepType(r.Type), Status: webhook.RunStatus(r.Status), WebhookID: r.WebhookID,
		WebhookName: r.WebhookName, WebhookVersion: r.WebhookVersion, OnFailure: webhook.OnFailure(r.OnFailure),
		Data: rawOf(r.Data), Branch: r.Branch, Error: r.Error, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
	}
	if r.Request != nil {
		s.Request = &webhook.RequestRecord{Method: r.Request.Method, URL: r.Request.URL, Headers: headersOf(r.Request.Headers), Body: r.Request.Body, Truncated: r.Request.Truncated}
	}
	for _, a := range r.Attempts {
		s.Attempts = append(s.Attempts, webhook.Attempt{
			Status: a.Status, Headers: headersOf(a.Headers), Body: a.Body, Truncated: a.Truncated,
			StartedAt: a.StartedAt, DurationMs: a.DurationMs, ErrorClass: webhook.ErrorClass(a.ErrorClass), Error: a.Error,
		})
	}
	if r.Message != nil {
		s.Message = &webhook.Message{Channel: r.Message.Channel, Subject: r.Message.Subject, Body: r.Message.Body}
	}
	return s
}
