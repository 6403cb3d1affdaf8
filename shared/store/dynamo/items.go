package dynamo

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/internal/norm"
	"github.com/flowhook/flowhook/shared/webhook"
)

// item is a DynamoDB item.
type item = map[string]types.AttributeValue

// str is a string attribute value.
func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// num is a number attribute value.
func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Partition key prefixes, one per item kind (TABLES.md).
const (
	prefixWebhook       = "webhook#"
	prefixConnector     = "connector#"
	prefixSegment       = "segment#"
	prefixWorkflow      = "workflow#"
	prefixWebhookName   = "webhook-name#"
	prefixConnectorName = "connector-name#"
	prefixContact       = "contact#"
	prefixEmail         = "email#"
	prefixPhone         = "phone#"
	prefixSearch        = "search#"
	prefixEvent         = "event#"
	prefixSource        = "source#"
	prefixRun           = "run#"

	skContact = "contact"
	skGuard   = "guard"
	skRun     = "run"
	skStep    = "step#"

	listActiveWebhooks  = "webhook#active"
	listDeletedWebhooks = "webhook#deleted"
)

// sortKey orders records by a time, then by id.
func sortKey(t time.Time, id string) string { return norm.SortTime(t) + "#" + id }

// pkItem is the key of an item in a table keyed by pk alone.
func pkItem(pk string) item { return item{attrPK: str(pk)} }

// pkSKItem is the key of an item in a table keyed by pk and sk.
func pkSKItem(pk, sk string) item { return item{attrPK: str(pk), attrSK: str(sk)} }

// marshal and unmarshal convert storage structs; their errors name the record.
func marshal(v any) (item, error) {
	m, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("encode item: %w", err)
	}
	return m, nil
}

func unmarshal(m item, v any) error {
	if err := attributevalue.UnmarshalMap(m, v); err != nil {
		return fmt.Errorf("decode item %v: %w", m[attrPK], err)
	}
	return nil
}

// parseTime reads a stored time; a malformed one is a corrupt item.
func parseTime(s string, what *error) time.Time {
	t, err := norm.ParseTime(s)
	if err != nil && *what == nil {
		*what = err
	}
	return t
}

// normalize and its siblings return a record as the store returns it after a write: as
// decoding the written item gives it (times in UTC, empty slices nil). Decoding cannot
// fail on times this package formatted.
func normalize(w webhook.Webhook) webhook.Webhook {
	out, _ := toWebhookItem(w).webhook()
	return out
}

func normalizeConnector(c webhook.Connector) webhook.Connector {
	out, _ := toConnectorItem(c).connector()
	return out
}

func normalizeSegment(g webhook.Segment) webhook.Segment {
	out, _ := toSegmentItem(g).segment()
	return out
}

func normalizeWorkflow(f webhook.Workflow) webhook.Workflow {
	out, _ := toWorkflowItem(f).workflow()
	return out
}

func normalizeContact(c webhook.Contact) webhook.Contact {
	out, _ := toContactItem(c).contact()
	return out
}

func normalizeEvent(e webhook.Event, expires time.Time) webhook.Event {
	out, _ := toEventItem(e, expires).event()
	return out
}

func normalizeRun(r webhook.Run) webhook.Run {
	out, _ := toRunItem(r).run()
	return out
}

type pairItem struct {
	Name  string `dynamodbav:"n"`
	Value string `dynamodbav:"v"`
}

func pairItems(ps []webhook.Pair) []pairItem {
	var out []pairItem
	for _, p := range ps {
		out = append(out, pairItem{p.Name, p.Value})
	}
	return out
}

func pairsOf(ps []pairItem) []webhook.Pair {
	var out []webhook.Pair
	for _, p := range ps {
		out = append(out, webhook.Pair{Name: p.Name, Value: p.Value})
	}
	return out
}

type bodyItem struct {
	Format   string `dynamodbav:"format"`
	Template string `dynamodbav:"template"`
}

// webhookItem is a webhook in the definitions table. ConnectorKey is set only while the
// webhook is active and has a connector, so IndexByConnector holds exactly the users a
// connector deletion must be refused for.
type webhookItem struct {
	PK                string     `dynamodbav:"pk"`
	Kind              string     `dynamodbav:"kind"`
	ListKey           string     `dynamodbav:"listKey"`
	SortKey           string     `dynamodbav:"sortKey"`
	ConnectorKey      string     `dynamodbav:"connectorKey,omitempty"`
	ID                string     `dynamodbav:"id"`
	Name              string     `dynamodbav:"name"`
	Description       string     `dynamodbav:"description,omitempty"`
	Method            string     `dynamodbav:"method,omitempty"`
	URL               string     `dynamodbav:"url,omitempty"`
	Params            []pairItem `dynamodbav:"params,omitempty"`
	ParamsInHeaders   bool       `dynamodbav:"paramsInHeaders,omitempty"`
	Headers           []pairItem `dynamodbav:"headers,omitempty"`
	ConnectorID       string     `dynamodbav:"connectorId,omitempty"`
	Body              *bodyItem  `dynamodbav:"body,omitempty"`
	TimeoutMs         int        `dynamodbav:"timeoutMs,omitempty"`
	MaxAttempts       int        `dynamodbav:"maxAttempts,omitempty"`
	IdempotencyHeader string     `dynamodbav:"idempotencyHeader,omitempty"`
	OnFailure         string     `dynamodbav:"onFailure,omitempty"`
	Version           int64      `dynamodbav:"version"`
	CreatedAt         string     `dynamodbav:"createdAt,omitempty"`
	UpdatedAt         string     `dynamodbav:"updatedAt,omitempty"`
	DeletedAt         string     `dynamodbav:"deletedAt,omitempty"`
}

func toWebhookItem(w webhook.Webhook) webhookItem {
	it := webhookItem{
		PK: prefixWebhook + w.ID, Kind: kindWebhook, ListKey: listActiveWebhooks, SortKey: sortKey(w.CreatedAt, w.ID),
		ID: w.ID, Name: w.Name, Description: w.Description, Method: string(w.Method), URL: w.URL,
		Params: pairItems(w.Params), ParamsInHeaders: w.ParamsInHeaders, Headers: pairItems(w.Headers),
		ConnectorID: w.ConnectorID, TimeoutMs: w.TimeoutMs, MaxAttempts: w.MaxAttempts,
		IdempotencyHeader: w.IdempotencyHeader, OnFailure: string(w.OnFailure), Version: w.Version,
		CreatedAt: norm.Time(w.CreatedAt), UpdatedAt: norm.Time(w.UpdatedAt), DeletedAt: norm.Time(w.DeletedAt),
	}
	if w.Body != nil {
		it.Body = &bodyItem{Format: string(w.Body.Format), Template: w.Body.Template}
	}
	if w.Deleted() {
		it.ListKey = listDeletedWebhooks
	} else {
		it.ConnectorKey = w.ConnectorID
	}
	return it
}

func (it webhookItem) webhook() (webhook.Webhook, error) {
	var err error
	w := webhook.Webhook{
		ID: it.ID, Name: it.Name, Description: it.Description, Method: webhook.Method(it.Method), URL: it.URL,
		Params: pairsOf(it.Params), ParamsInHeaders: it.ParamsInHeaders, Headers: pairsOf(it.Headers),
		ConnectorID: it.ConnectorID, TimeoutMs: it.TimeoutMs, MaxAttempts: it.MaxAttempts,
		IdempotencyHeader: it.IdempotencyHeader, OnFailure: webhook.OnFailure(it.OnFailure), Version: it.Version,
		CreatedAt: parseTime(it.CreatedAt, &err), UpdatedAt: parseTime(it.UpdatedAt, &err), DeletedAt: parseTime(it.DeletedAt, &err),
	}
	if it.Body != nil {
		w.Body = &webhook.Body{Format: webhook.BodyFormat(it.Body.Format), Template: it.Body.Template}
	}
	return w, err
}

// connectorItem is a connector in the definitions table. Refs counts the active
// webhooks using it; the store changes it in the same transactions that change a
// webhook's connector or state.
type connectorItem struct {
	PK              string `dynamodbav:"pk"`
	Kind            string `dynamodbav:"kind"`
	ListKey         string `dynamodbav:"listKey"`
	SortKey         string `dynamodbav:"sortKey"`
	Refs            int64  `dynamodbav:"refs"`
	ID              string `dynamodbav:"id"`
	Name            string `dynamodbav:"name"`
	Type            string `dynamodbav:"type,omitempty"`
	Login           string `dynamodbav:"login,omitempty"`
	In              string `dynamodbav:"in,omitempty"`
	KeyName         string `dynamodbav:"keyName,omitempty"`
	SecretRef       string `dynamodbav:"secretRef,omitempty"`
	SecretUpdatedAt string `dynamodbav:"secretUpdatedAt,omitempty"`
	Version         int64  `dynamodbav:"version"`
	CreatedAt       string `dynamodbav:"createdAt,omitempty"`
	UpdatedAt       string `dynamodbav:"updatedAt,omitempty"`
}

func toConnectorItem(c webhook.Connector) connectorItem {
	return connectorItem{
		PK: prefixConnector + c.ID, Kind: kindConnector, ListKey: kindConnector, SortKey: sortKey(c.CreatedAt, c.ID),
		ID: c.ID, Name: c.Name, Type: string(c.Type), Login: c.Login, In: string(c.In), KeyName: c.KeyName,
		SecretRef: c.SecretRef, SecretUpdatedAt: norm.Time(c.SecretUpdatedAt), Version: c.Version,
		CreatedAt: norm.Time(c.CreatedAt), UpdatedAt: norm.Time(c.UpdatedAt),
	}
}

func (it connectorItem) connector() (webhook.Connector, error) {
	var err error
	c := webhook.Connector{
		ID: it.ID, Name: it.Name, Type: webhook.ConnectorType(it.Type), Login: it.Login, In: webhook.KeyPlacement(it.In),
		KeyName: it.KeyName, SecretRef: it.SecretRef, SecretUpdatedAt: parseTime(it.SecretUpdatedAt, &err), Version: it.Version,
		CreatedAt: parseTime(it.CreatedAt, &err), UpdatedAt: parseTime(it.UpdatedAt, &err),
	}
	return c, err
}

type ruleItem struct {
	Field string `dynamodbav:"field"`
	Op    string `dynamodbav:"op"`
	Value string `dynamodbav:"value,omitempty"`
}

// segmentItem is a segment in the definitions table.
type segmentItem struct {
	PK        string     `dynamodbav:"pk"`
	Kind      string     `dynamodbav:"kind"`
	ListKey   string     `dynamodbav:"listKey"`
	SortKey   string     `dynamodbav:"sortKey"`
	ID        string     `dynamodbav:"id"`
	Name      string     `dynamodbav:"name"`
	Rules     []ruleItem `dynamodbav:"rules,omitempty"`
	CreatedAt string     `dynamodbav:"createdAt,omitempty"`
	UpdatedAt string     `dynamodbav:"updatedAt,omitempty"`
}

func toSegmentItem(g webhook.Segment) segmentItem {
	it := segmentItem{
		PK: prefixSegment + g.ID, Kind: kindSegment, ListKey: kindSegment, SortKey: sortKey(g.CreatedAt, g.ID),
		ID: g.ID, Name: g.Name, CreatedAt: norm.Time(g.CreatedAt), UpdatedAt: norm.Time(g.UpdatedAt),
	}
	for _, r := range g.Rules {
		it.Rules = append(it.Rules, ruleItem{Field: r.Field, Op: string(r.Op), Value: r.Value})
	}
	return it
}

func (it segmentItem) segment() (webhook.Segment, error) {
	var err error
	g := webhook.Segment{ID: it.ID, Name: it.Name, CreatedAt: parseTime(it.CreatedAt, &err), UpdatedAt: parseTime(it.UpdatedAt, &err)}
	for _, r := range it.Rules {
		g.Rules = append(g.Rules, webhook.SegmentRule{Field: r.Field, Op: webhook.SegmentOp(r.Op), Value: r.Value})
	}
	return g, err
}

// stepDefItem is a workflow step, nested as the domain's steps are.
type stepDefItem struct {
	ID           string        `dynamodbav:"id"`
	Type         string        `dynamodbav:"type"`
	WebhookID    string        `dynamodbav:"webhookId,omitempty"`
	ContactID    string        `dynamodbav:"contactId,omitempty"`
	ContactEmail string        `dynamodbav:"contactEmail,omitempty"`
	ContactPhone string        `dynamodbav:"contactPhone,omitempty"`
	OnFailure    string        `dynamodbav:"onFailure,omitempty"`
	Variable     string        `dynamodbav:"variable,omitempty"`
	Pattern      string        `dynamodbav:"pattern,omitempty"`
	Expression   string        `dynamodbav:"expression,omitempty"`
	Then         []stepDefItem `dynamodbav:"then,omitempty"`
	Else         []stepDefItem `dynamodbav:"else,omitempty"`
	Channel      string        `dynamodbav:"channel,omitempty"`
	Subject      string        `dynamodbav:"subject,omitempty"`
	Body         string        `dynamodbav:"body,omitempty"`
}

func stepDefItems(steps []webhook.Step) []stepDefItem {
	var out []stepDefItem
	for _, st := range steps {
		out = append(out, stepDefItem{
			ID: st.ID, Type: string(st.Type), WebhookID: st.WebhookID,
			ContactID: st.Contact.ID, ContactEmail: st.Contact.Email, ContactPhone: st.Contact.Phone,
			OnFailure: string(st.OnFailure), Variable: st.Variable, Pattern: st.Pattern, Expression: st.Expression,
			Then: stepDefItems(st.Then), Else: stepDefItems(st.Else), Channel: st.Channel, Subject: st.Subject, Body: st.Body,
		})
	}
	return out
}

func stepDefsOf(items []stepDefItem) []webhook.Step {
	var out []webhook.Step
	for _, it := range items {
		out = append(out, webhook.Step{
			ID: it.ID, Type: webhook.StepType(it.Type), WebhookID: it.WebhookID,
			Contact:   webhook.ContactSelector{ID: it.ContactID, Email: it.ContactEmail, Phone: it.ContactPhone},
			OnFailure: webhook.OnFailure(it.OnFailure), Variable: it.Variable, Pattern: it.Pattern, Expression: it.Expression,
			Then: stepDefsOf(it.Then), Else: stepDefsOf(it.Else), Channel: it.Channel, Subject: it.Subject, Body: it.Body,
		})
	}
	return out
}

// workflowItem is a workflow in the definitions table. TriggerKey is set only while the
// workflow is enabled, so IndexByTrigger holds exactly the workflows intake starts.
type workflowItem struct {
	PK           string        `dynamodbav:"pk"`
	Kind         string        `dynamodbav:"kind"`
	ListKey      string        `dynamodbav:"listKey"`
	SortKey      string        `dynamodbav:"sortKey"`
	TriggerKey   string        `dynamodbav:"triggerKey,omitempty"`
	ID           string        `dynamodbav:"id"`
	Name         string        `dynamodbav:"name"`
	Enabled      bool          `dynamodbav:"enabled"`
	TriggerEvent string        `dynamodbav:"triggerEventType,omitempty"`
	Steps        []stepDefItem `dynamodbav:"steps,omitempty"`
	Version      int64         `dynamodbav:"version"`
	CreatedAt    string        `dynamodbav:"createdAt,omitempty"`
	UpdatedAt    string        `dynamodbav:"updatedAt,omitempty"`
}

func toWorkflowItem(f webhook.Workflow) workflowItem {
	it := workflowItem{
		PK: prefixWorkflow + f.ID, Kind: kindWorkflow, ListKey: kindWorkflow, SortKey: sortKey(f.CreatedAt, f.ID),
		ID: f.ID, Name: f.Name, Enabled: f.Enabled, TriggerEvent: f.Trigger.EventType, Steps: stepDefItems(f.Steps),
		Version: f.Version, CreatedAt: norm.Time(f.CreatedAt), UpdatedAt: norm.Time(f.UpdatedAt),
	}
	if f.Enabled {
		it.TriggerKey = f.Trigger.EventType
	}
	return it
}

func (it workflowItem) workflow() (webhook.Workflow, error) {
	var err error
	f := webhook.Workflow{
		ID: it.ID, Name: it.Name, Enabled: it.Enabled, Trigger: webhook.Trigger{EventType: it.TriggerEvent},
		Steps: stepDefsOf(it.Steps), Version: it.Version, CreatedAt: parseTime(it.CreatedAt, &err), UpdatedAt: parseTime(it.UpdatedAt, &err),
	}
	return f, err
}

// contactItem is a contact in the contacts table. Fields keeps each value's JSON text
// byte for byte.
type contactItem struct {
	PK                 string            `dynamodbav:"pk"`
	SK                 string            `dynamodbav:"sk"`
	Kind               string            `dynamodbav:"kind"`
	ListKey            string            `dynamodbav:"listKey"`
	SortKey            string            `dynamodbav:"sortKey"`
	ID                 string            `dynamodbav:"id"`
	Email              string            `dynamodbav:"email,omitempty"`
	Phone              string            `dynamodbav:"phone,omitempty"`
	ExternalCustomerID string            `dynamodbav:"externalCustomerId,omitempty"`
	Fields             map[string]string `dynamodbav:"fields,omitempty"`
	Version            int64             `dynamodbav:"version"`
	CreatedAt          string            `dynamodbav:"createdAt,omitempty"`
	UpdatedAt          string            `dynamodbav:"updatedAt,omitempty"`
}

func toContactItem(c webhook.Contact) contactItem {
	it := contactItem{
		PK: prefixContact + c.ID, SK: skContact, Kind: kindContact, ListKey: kindContact, SortKey: sortKey(c.CreatedAt, c.ID),
		ID: c.ID, Email: c.Email, Phone: c.Phone, ExternalCustomerID: c.ExternalCustomerID, Version: c.Version,
		CreatedAt: norm.Time(c.CreatedAt), UpdatedAt: norm.Time(c.UpdatedAt),
	}
	if len(c.Fields) > 0 {
		it.Fields = make(map[string]string, len(c.Fields))
		for k, v := range c.Fields {
			it.Fields[k] = string(v)
		}
	}
	return it
}

func (it contactItem) contact() (webhook.Contact, error) {
	var err error
	c := webhook.Contact{
		ID: it.ID, Email: it.Email, Phone: it.Phone, ExternalCustomerID: it.ExternalCustomerID, Version: it.Version,
		CreatedAt: parseTime(it.CreatedAt, &err), UpdatedAt: parseTime(it.UpdatedAt, &err),
	}
	if len(it.Fields) > 0 {
		c.Fields = make(map[string]json.RawMessage, len(it.Fields))
		for k, v := range it.Fields {
			c.Fields[k] = rawOf(v)
		}
	}
	return c, err
}

// rawOf returns the stored JSON text s, nil for "".
func rawOf(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// A search entry (searchKey) is one term of a contact: the term, lower case, under the
// partition of its first character, then the contact id, so a prefix query reads one
// partition; its contactId attribute names the contact.

// searchSep separates term and id in a search entry's sort key; it sorts before every
// other character, so entries order by term, then id.
const searchSep = "\x00"

// searchPartition returns the partition key of the search entries of terms starting
// with q's first character (q non-empty).
func searchPartition(q string) string {
	for _, r := range q {
		return prefixSearch + string(r)
	}
	return prefixSearch
}

func searchKey(term, contactID string) item {
	return pkSKItem(searchPartition(term), term+searchSep+contactID)
}

// eventItem is an event in the events table; params keep each value's JSON text.
type eventItem struct {
	PK         string     `dynamodbav:"pk"`
	Kind       string     `dynamodbav:"kind"`
	ListKey    string     `dynamodbav:"listKey"`
	SortKey    string     `dynamodbav:"sortKey"`
	TypeKey    string     `dynamodbav:"typeKey,omitempty"`
	ID         string     `dynamodbav:"id"`
	KeyValue   string     `dynamodbav:"keyValue,omitempty"`
	Params     []pairItem `dynamodbav:"params,omitempty"`
	ContactID  string     `dynamodbav:"contactId,omitempty"`
	Source     string     `dynamodbav:"source,omitempty"`
	SourceID   string     `dynamodbav:"sourceId,omitempty"`
	ReceivedAt string     `dynamodbav:"receivedAt,omitempty"`
	ExpiresAt  int64      `dynamodbav:"expiresAt,omitempty"`
	// WorkflowIDs is the list of workflows triggered on acceptance (see webhook.Event).
	WorkflowIDs []string `dynamodbav:"workflowIds,omitempty"`
}

func toEventItem(e webhook.Event, expires time.Time) eventItem {
	it := eventItem{
		PK: prefixEvent + e.ID, Kind: kindEvent, ListKey: kindEvent, SortKey: sortKey(e.ReceivedAt, e.ID), TypeKey: e.TypeKey,
		ID: e.ID, KeyValue: e.KeyValue, ContactID: e.ContactID, Source: e.Source, SourceID: e.SourceID,
		ReceivedAt: norm.Time(e.ReceivedAt), ExpiresAt: expires.Unix(), WorkflowIDs: e.WorkflowIDs,
	}
	for _, p := range e.Params {
		it.Params = append(it.Params, pairItem{Name: p.Name, Value: string(p.Value)})
	}
	return it
}

func (it eventItem) event() (webhook.Event, error) {
	var err error
	e := webhook.Event{
		ID: it.ID, TypeKey: it.TypeKey, KeyValue: it.KeyValue, ContactID: it.ContactID, Source: it.Source,
		SourceID: it.SourceID, ReceivedAt: parseTime(it.ReceivedAt, &err), WorkflowIDs: it.WorkflowIDs,
	}
	for _, p := range it.Params {
		e.Params = append(e.Params, webhook.Param{Name: p.Name, Value: rawOf(p.Value)})
	}
	return e, err
}

// sourceKey is the key of an event source guard: source and source id joined by a
// character neither contains.
func sourceKey(source, sourceID string) item {
	return pkItem(prefixSource + source + "\x00" + sourceID)
}

// runItem is a run header in the runs table. Kind "run" and Status let the stream
// filter start execute on the INSERT of a queued run only. ExpiresAt is the TTL in
// epoch seconds; Expires keeps the exact time.
type runItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	Kind       string `dynamodbav:"kind"`
	SortKey    string `dynamodbav:"sortKey"`
	ID         string `dynamodbav:"id"`
	WorkflowID string `dynamodbav:"workflowId,omitempty"`
	EventID    string `dynamodbav:"eventId,omitempty"`
	ContactID  string `dynamodbav:"contactId,omitempty"`
	Status     string `dynamodbav:"status"`
	FailedStep string `dynamodbav:"failedStep,omitempty"`
	Reason     string `dynamodbav:"reason,omitempty"`
	CreatedAt  string `dynamodbav:"createdAt,omitempty"`
	UpdatedAt  string `dynamodbav:"updatedAt,omitempty"`
	FinishedAt string `dynamodbav:"finishedAt,omitempty"`
	Expires    string `dynamodbav:"expires,omitempty"`
	ExpiresAt  int64  `dynamodbav:"expiresAt,omitempty"`
	Version    int64  `dynamodbav:"version"`
}

func toRunItem(r webhook.Run) runItem {
	it := runItem{
		PK: prefixRun + r.ID, SK: skRun, Kind: kindRun, SortKey: sortKey(r.CreatedAt, r.ID),
		ID: r.ID, WorkflowID: r.WorkflowID, EventID: r.EventID, ContactID: r.ContactID, Status: string(r.Status),
		FailedStep: r.FailedStep, Reason: r.Reason, CreatedAt: norm.Time(r.CreatedAt), UpdatedAt: norm.Time(r.UpdatedAt),
		FinishedAt: norm.Time(r.FinishedAt), Expires: norm.Time(r.ExpiresAt), Version: r.Version,
	}
	if !r.ExpiresAt.IsZero() {
		it.ExpiresAt = r.ExpiresAt.Unix()
	}
	return it
}

func (it runItem) run() (webhook.Run, error) {
	var err error
	r := webhook.Run{
		ID: it.ID, WorkflowID: it.WorkflowID, EventID: it.EventID, ContactID: it.ContactID, Status: webhook.RunStatus(it.Status),
		FailedStep: it.FailedStep, Reason: it.Reason, CreatedAt: parseTime(it.CreatedAt, &err), UpdatedAt: parseTime(it.UpdatedAt, &err),
		FinishedAt: parseTime(it.FinishedAt, &err), ExpiresAt: parseTime(it.Expires, &err), Version: it.Version,
	}
	return r, err
}

type requestItem struct {
	Method  string     `dynamodbav:"method" json:"method"`
	URL     string     `dynamodbav:"url" json:"url"`
	Headers []pairItem `dynamodbav:"headers,omitempty" json:"headers,omitempty"`
	Body    string     `dynamodbav:"body,omitempty" json:"body,omitempty"`
	// Truncated marks a body cut at webhook.MaxRecordedBody.
	Truncated bool `dynamodbav:"truncated,omitempty" json:"truncated,omitempty"`
}

type attemptItem struct {
	Status     int        `dynamodbav:"status,omitempty" json:"status,omitempty"`
	Headers    []pairItem `dynamodbav:"headers,omitempty" json:"headers,omitempty"`
	Body       string     `dynamodbav:"body,omitempty" json:"body,omitempty"`
	Truncated  bool       `dynamodbav:"truncated,omitempty" json:"truncated,omitempty"`
	StartedAt  string     `dynamodbav:"startedAt,omitempty" json:"startedAt,omitempty"`
	DurationMs int64      `dynamodbav:"durationMs,omitempty" json:"durationMs,omitempty"`
	ErrorClass string     `dynamodbav:"errorClass,omitempty" json:"errorClass,omitempty"`
	Error      string     `dynamodbav:"error,omitempty" json:"error,omitempty"`
}

type messageItem struct {
	Channel string `dynamodbav:"channel" json:"channel"`
	Subject string `dynamodbav:"subject,omitempty" json:"subject,omitempty"`
	Body    string `dynamodbav:"body,omitempty" json:"body,omitempty"`
}

// stepRecord is what a step item records. It is stored as the step item's attributes,
// or, when that would not fit in an item, gzip-compressed JSON in RecordGz.
type stepRecord struct {
	ID             string        `dynamodbav:"id" json:"id"`
	Type           string        `dynamodbav:"type" json:"type"`
	Status         string        `dynamodbav:"status" json:"status"`
	WebhookID      string        `dynamodbav:"webhookId,omitempty" json:"webhookId,omitempty"`
	WebhookName    string        `dynamodbav:"webhookName,omitempty" json:"webhookName,omitempty"`
	WebhookVersion int64         `dynamodbav:"webhookVersion,omitempty" json:"webhookVersion,omitempty"`
	OnFailure      string        `dynamodbav:"onFailure,omitempty" json:"onFailure,omitempty"`
	Request        *requestItem  `dynamodbav:"request,omitempty" json:"request,omitempty"`
	Attempts       []attemptItem `dynamodbav:"attempts,omitempty" json:"attempts,omitempty"`
	Data           string        `dynamodbav:"data,omitempty" json:"data,omitempty"`
	Branch         string        `dynamodbav:"branch,omitempty" json:"branch,omitempty"`
	Message        *messageItem  `dynamodbav:"message,omitempty" json:"message,omitempty"`
	Error          string        `dynamodbav:"error,omitempty" json:"error,omitempty"`
	StartedAt      string        `dynamodbav:"startedAt,omitempty" json:"startedAt,omitempty"`
	FinishedAt     string        `dynamodbav:"finishedAt,omitempty" json:"finishedAt,omitempty"`
}

// stepKeys are the attributes of a step item besides its record.
type stepKeys struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Kind      string `dynamodbav:"kind"`
	Seq       int    `dynamodbav:"seq"`
	ExpiresAt int64  `dynamodbav:"expiresAt,omitempty"`
	RecordGz  []byte `dynamodbav:"recordGz,omitempty"`
}

func stepSK(seq int) string { return fmt.Sprintf("%s%019d", skStep, seq) }

func pairsOfHeaders(hs []webhook.Header) []pairItem {
	var out []pairItem
	for _, h := range hs {
		out = append(out, pairItem{Name: h.Name, Value: h.Value})
	}
	return out
}

func headersOf(ps []pairItem) []webhook.Header {
	var out []webhook.Header
	for _, p := range ps {
		out = append(out, webhook.Header{Name: p.Name, Value: p.Value})
	}
	return out
}

func toStepRecord(st webhook.StepRecord) stepRecord {
	r := stepRecord{
		ID: st.ID, Type: string(st.Type), Status: string(st.Status), WebhookID: st.WebhookID, WebhookName: st.WebhookName,
		WebhookVersion: st.WebhookVersion, OnFailure: string(st.OnFailure), Data: string(st.Data), Branch: st.Branch,
		Error: st.Error, StartedAt: norm.Time(st.StartedAt), FinishedAt: norm.Time(st.FinishedAt),
	}
	if st.Request != nil {
		r.Request = &requestItem{Method: st.Request.Method, URL: st.Request.URL, Headers: pairsOfHeaders(st.Request.Headers), Body: st.Request.Body, Truncated: st.Request.Truncated}
	}
	for _, a := range st.Attempts {
		r.Attempts = append(r.Attempts, attemptItem{
			Status: a.Status, Headers: pairsOfHeaders(a.Headers), Body: a.Body, Truncated: a.Truncated,
			StartedAt: norm.Time(a.StartedAt), DurationMs: a.DurationMs, ErrorClass: string(a.ErrorClass), Error: a.Error,
		})
	}
	if st.Message != nil {
		r.Message = &messageItem{Channel: st.Message.Channel, Subject: st.Message.Subject, Body: st.Message.Body}
	}
	return r
}

func (r stepRecord) step() (webhook.StepRecord, error) {
	var err error
	st := webhook.StepRecord{
		ID: r.ID, Type: webhook.StepType(r.Type), Status: webhook.RunStatus(r.Status), WebhookID: r.WebhookID,
		WebhookName: r.WebhookName, WebhookVersion: r.WebhookVersion, OnFailure: webhook.OnFailure(r.OnFailure),
		Data: rawOf(r.Data), Branch: r.Branch, Error: r.Error,
		StartedAt: parseTime(r.StartedAt, &err), FinishedAt: parseTime(r.FinishedAt, &err),
	}
	if r.Request != nil {
		st.Request = &webhook.RequestRecord{Method: r.Request.Method, URL: r.Request.URL, Headers: headersOf(r.Request.Headers), Body: r.Request.Body, Truncated: r.Request.Truncated}
	}
	for _, a := range r.Attempts {
		st.Attempts = append(st.Attempts, webhook.Attempt{
			Status: a.Status, Headers: headersOf(a.Headers), Body: a.Body, Truncated: a.Truncated,
			StartedAt: parseTime(a.StartedAt, &err), DurationMs: a.DurationMs, ErrorClass: webhook.ErrorClass(a.ErrorClass), Error: a.Error,
		})
	}
	if r.Message != nil {
		st.Message = &webhook.Message{Channel: r.Message.Channel, Subject: r.Message.Subject, Body: r.Message.Body}
	}
	return st, err
}

// maxItemSize is the size a step item may reach before its record is compressed, and
// then the size past which it is refused: DynamoDB's limit is 400 KB, and the estimate
// below errs on the large side.
const maxItemSize = 380 << 10

// stepItem builds the item of step seq of run runID: the record as attributes when it
// fits, else compressed, else store.ErrTooLarge.
func stepItem(runID string, seq int, st webhook.StepRecord, expiresAt int64) (item, error) {
	keys := stepKeys{PK: prefixRun + runID, SK: stepSK(seq), Kind: kindStep, Seq: seq, ExpiresAt: expiresAt}
	rec := toStepRecord(st)
	m, err := marshal(rec)
	if err != nil {
		return nil, err
	}
	km, err := marshal(keys)
	if err != nil {
		return nil, err
	}
	for k, v := range km {
		m[k] = v
	}
	if itemSize(m) <= maxItemSize {
		return m, nil
	}
	js, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encode step: %w", err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(js); err != nil {
		return nil, fmt.Errorf("compress step: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress step: %w", err)
	}
	keys.RecordGz = buf.Bytes()
	km, err = marshal(keys)
	if err != nil {
		return nil, err
	}
	if size := itemSize(km); size > maxItemSize {
		return nil, fmt.Errorf("step %d is %d bytes compressed, over DynamoDB's item limit: %w", seq, size, store.ErrTooLarge)
	}
	return km, nil
}

// stepOf decodes a step item.
func stepOf(m item) (webhook.StepRecord, error) {
	var keys stepKeys
	if err := unmarshal(m, &keys); err != nil {
		return webhook.StepRecord{}, err
	}
	var rec stepRecord
	if keys.RecordGz == nil {
		if err := unmarshal(m, &rec); err != nil {
			return webhook.StepRecord{}, err
		}
		return rec.step()
	}
	zr, err := gzip.NewReader(bytes.NewReader(keys.RecordGz))
	if err != nil {
		return webhook.StepRecord{}, fmt.Errorf("step %s: %w", keys.SK, err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		return webhook.StepRecord{}, fmt.Errorf("step %s: %w", keys.SK, err)
	}
	if err := json.Unmarshal(js, &rec); err != nil {
		return webhook.StepRecord{}, fmt.Errorf("step %s: %w", keys.SK, err)
	}
	return rec.step()
}

// itemSize estimates the size DynamoDB counts for an item, erring on the large side:
// attribute names plus values, with the documented per-element overheads.
func itemSize(m item) int {
	n := 0
	for k, v := range m {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 2
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += len(k) + valueSize(e) + 1
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += valueSize(e) + 1
		}
		return n
	case *types.AttributeValueMemberSS:
		n := 0
		for _, e := range v.Value {
			n += len(e)
		}
		return n
	}
	return 64 // other types are not stored by this package
}

// intAttr reads a number attribute (0 when absent).
func intAttr(m item, name string) int64 {
	if v, ok := m[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

// strAttr reads a string attribute ("" when absent).
func strAttr(m item, name string) string {
	if v, ok := m[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
