// Package webhook is Flowhook's domain vocabulary: webhooks, authentication connectors,
// contacts, segments, events, workflows and their runs, and the errors every layer shares.
// It imports only the standard library; wire and storage formats live beside the code
// that encodes them.
package webhook

import (
	"encoding/json"
	"errors"
	"time"
)

// Errors shared by the stores and the services. Adapters translate their own errors into
// these; callers test them with errors.Is.
var (
	// ErrNotFound reports that a record does not exist (or is deleted, where that hides it).
	ErrNotFound = errors.New("not found")
	// ErrConflict reports that a write would break a uniqueness or reference rule, such
	// as a second active webhook with the same name.
	ErrConflict = errors.New("conflict")
	// ErrVersion reports that an optimistic-concurrency write carried a stale version.
	ErrVersion = errors.New("version mismatch")
)

// Method is an HTTP method a webhook may use.
type Method string

// Methods a webhook may use.
const (
	MethodGet  Method = "GET"
	MethodPost Method = "POST"
)

// BodyFormat is the format of a webhook's request body.
type BodyFormat string

// Body formats.
const (
	FormatJSON BodyFormat = "json"
	FormatXML  BodyFormat = "xml"
	FormatText BodyFormat = "text"
)

// OnFailure says what a workflow does when a webhook step fails.
type OnFailure string

// Failure policies.
const (
	OnFailureStop     OnFailure = "stop"
	OnFailureContinue OnFailure = "continue"
)

// Pair is a name and a value, as in a webhook's params and headers. Values are templates.
type Pair struct {
	Name  string
	Value string
}

// Body is a webhook's request body: a template rendered in a format.
type Body struct {
	Format   BodyFormat
	Template string
}

// Webhook is a reusable HTTP request definition. Its Name is the data source name under
// which a workflow keeps the decoded response.
type Webhook struct {
	ID          string
	Name        string
	Description string
	Method      Method
	// URL is a template; it must start with https:// when saved.
	URL string
	// Params are sent as query parameters, or as headers when ParamsInHeaders is set.
	Params          []Pair
	ParamsInHeaders bool
	// Headers are extra headers; values are templates.
	Headers []Pair
	// ConnectorID names the authentication connector; empty means none.
	ConnectorID string
	// Body is nil for a request without a body (always for GET).
	Body *Body
	// TimeoutMs bounds one attempt.
	TimeoutMs int
	// MaxAttempts bounds attempts per send (1 = no retry); 0 means the default for the method.
	MaxAttempts int
	// IdempotencyHeader names the header carrying "<runId>:<stepId>"; empty means
	// DefaultIdempotencyHeader.
	IdempotencyHeader string
	OnFailure         OnFailure
	// Version increases by one on every write; updates must name the version they read.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt is zero for an active webhook.
	DeletedAt time.Time
}

// Defaults and bounds of webhook settings.
const (
	DefaultTimeoutMs         = 5000
	MinTimeoutMs             = 100
	MaxTimeoutMs             = 30000
	DefaultIdempotencyHeader = "Idempotency-Key"
	MaxAttemptsLimit         = 5
)

// Deleted reports whether w is soft-deleted.
func (w Webhook) Deleted() bool { return !w.DeletedAt.IsZero() }

// Attempts returns how many attempts a send may make: MaxAttempts when set, else 3 for
// GET and 1 for POST (a POST is retried only when the user says the endpoint takes the
// idempotency key).
func (w Webhook) Attempts() int {
	if w.MaxAttempts > 0 {
		return w.MaxAttempts
	}
	if w.Method == MethodGet {
		return 3
	}
	return 1
}

// IdempotencyHeaderName returns the header that carries the idempotency key.
func (w Webhook) IdempotencyHeaderName() string {
	if w.IdempotencyHeader == "" {
		return DefaultIdempotencyHeader
	}
	return w.IdempotencyHeader
}

// ConnectorType is the kind of authentication a connector adds.
type ConnectorType string

// Connector types.
const (
	ConnectorBasic  ConnectorType = "basic"
	ConnectorBearer ConnectorType = "bearer"
	ConnectorAPIKey ConnectorType = "apiKey"
)

// KeyPlacement says where an API key goes.
type KeyPlacement string

// API key placements.
const (
	InHeader KeyPlacement = "header"
	InQuery  KeyPlacement = "query"
)

// DefaultAPIKeyName is the header or query parameter of an apiKey connector by default.
const DefaultAPIKeyName = "X-API-Key"

// Connector is a reusable authentication setting. Its secret (the Basic password, the
// bearer token or the API key) is never part of this record: it lives in the secret
// store under SecretRef.
type Connector struct {
	ID   string
	Name string
	Type ConnectorType
	// Login is the Basic user name (not secret).
	Login string
	// In and KeyName place an API key.
	In      KeyPlacement
	KeyName string
	// SecretRef locates the secret in the secret store (an ARN in AWS).
	SecretRef       string
	SecretUpdatedAt time.Time
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Standard contact field names, as Reteno's merge tags name them.
const (
	FieldFirstName = "FIRSTNAME"
	FieldLastName  = "LASTNAME"
	FieldTown      = "TOWN"
	FieldTimeZone  = "TIMEZONE"
)

// Contact is a person workflows run for.
type Contact struct {
	ID                 string
	Email              string
	Phone              string
	ExternalCustomerID string
	// Fields holds standard fields under their merge-tag names (FIRSTNAME, TOWN, …) and
	// additional fields as LISTKEY.FIELDKEY. Values are JSON texts, kept as received so
	// numbers stay exact (templates tell 990 from 990.0).
	Fields    map[string]json.RawMessage
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SegmentOp compares a contact field in a segment rule.
type SegmentOp string

// Segment rule operators.
const (
	OpEquals     SegmentOp = "equals"
	OpNotEquals  SegmentOp = "notEquals"
	OpContains   SegmentOp = "contains"
	OpStartsWith SegmentOp = "startsWith"
	OpIsSet      SegmentOp = "isSet"
	OpIsEmpty    SegmentOp = "isEmpty"
)

// SegmentRule is one condition on a contact field.
type SegmentRule struct {
	Field string
	Op    SegmentOp
	Value string
}

// Segment is a saved filter on contact fields; a contact belongs when every rule holds.
type Segment struct {
	ID        string
	Name      string
	Rules     []SegmentRule
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Param is one event parameter. Value is the JSON text of any JSON value, kept as
// received so numbers stay exact and object keys keep their order.
type Param struct {
	Name  string
	Value json.RawMessage
}

// Event is a received event in Reteno's Generate Event shape.
type Event struct {
	ID       string
	TypeKey  string
	KeyValue string
	// Params keep the order they arrived in.
	Params []Param
	// ContactID is the contact the event was resolved to (empty until resolved).
	ContactID string
	// Source is "api" or "eventbridge"; SourceID is the idempotency key or the EventBridge event id.
	Source     string
	SourceID   string
	ReceivedAt time.Time
	// WorkflowIDs are the enabled workflows its type triggered when it was accepted: a
	// redelivery queues runs of these and no others, whatever changed since.
	WorkflowIDs []string
}

// StepType is the kind of a workflow step.
type StepType string

// Step types.
const (
	StepWebhook   StepType = "webhook"
	StepCondition StepType = "condition"
	StepMessage   StepType = "message"
)

// ContactSelector holds the expressions (templates over the event) that identify the
// contact of a webhook step; empty fields fall back to Reteno's parameter names.
type ContactSelector struct {
	ID    string
	Email string
	Phone string
}

// Step is one block of a workflow. Fields apply by Type.
type Step struct {
	ID   string
	Type StepType
	// Webhook step.
	WebhookID string
	Contact   ContactSelector
	// OnFailure overrides the webhook's policy when set.
	OnFailure OnFailure
	// Condition step: Pattern (RE2, find semantics, case-sensitive) over Variable — an
	// event param or a data source's JSON text — or Expression, a Velocity condition.
	Variable   string
	Pattern    string
	Expression string
	Then       []Step
	Else       []Step
	// Message step.
	Channel string
	Subject string
	Body    string
}

// Trigger says which events start a workflow.
type Trigger struct {
	EventType string
}

// Workflow is an ordered list of steps run for each triggering event.
type Workflow struct {
	ID        string
	Name      string
	Enabled   bool
	Trigger   Trigger
	Steps     []Step
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RunStatus is the state of a run or a step.
type RunStatus string

// Run and step states.
const (
	StatusQueued    RunStatus = "queued"
	StatusRunning   RunStatus = "running"
	StatusSucceeded RunStatus = "succeeded"
	StatusFailed    RunStatus = "failed"
	StatusStopped   RunStatus = "stopped"
	StatusSkipped   RunStatus = "skipped"
)

// ErrorClass classifies a failed webhook attempt.
type ErrorClass string

// Error classes of webhook attempts.
const (
	ClassDNS      ErrorClass = "dns"
	ClassConnect  ErrorClass = "connect"
	ClassTLS      ErrorClass = "tls"
	ClassTimeout  ErrorClass = "timeout"
	ClassBlocked  ErrorClass = "blocked"
	ClassHTTP4xx  ErrorClass = "http_4xx"
	ClassHTTP5xx  ErrorClass = "http_5xx"
	ClassTooLarge ErrorClass = "too_large"
	ClassDecode   ErrorClass = "decode"
	// ClassRender marks a request that could not be built from its templates; nothing was sent.
	ClassRender ErrorClass = "render"
)

// Header is one HTTP header as recorded in history, in the order sent or received.
type Header struct {
	Name  string
	Value string
}

// RequestRecord is a request as sent, with every secret value redacted.
type RequestRecord struct {
	Method  string
	URL     string
	Headers []Header
	Body    string
	// Truncated is set when Body was cut at MaxRecordedBody.
	Truncated bool
}

// MaxRecordedBody caps each body kept in history; longer bodies are cut and flagged.
const MaxRecordedBody = 32 << 10

// Attempt records one try of a webhook request.
type Attempt struct {
	// Status is the HTTP status, 0 when no response arrived.
	Status    int
	Headers   []Header
	Body      string
	Truncated bool
	StartedAt time.Time
	// DurationMs is from the start of the attempt to the end of reading the response.
	DurationMs int64
	// ErrorClass is empty for a successful attempt.
	ErrorClass ErrorClass
	Error      string
}

// Message is a rendered message.
type Message struct {
	Channel string
	Subject string
	Body    string
}

// StepRecord is the history of one step in a run.
type StepRecord struct {
	ID     string
	Type   StepType
	Status RunStatus
	// Webhook steps.
	WebhookID      string
	WebhookName    string
	WebhookVersion int64
	// OnFailure is the policy that applied to a failed webhook step (the step's own,
	// else the webhook's): continue means the run went on without its data.
	OnFailure OnFailure
	Request   *RequestRecord
	Attempts  []Attempt
	// Data is the decoded response saved as the data source, as JSON text (numbers exact,
	// object keys in response order); null when the response had no body.
	Data json.RawMessage
	// Condition steps: "then" or "else".
	Branch string
	// Message steps.
	Message *Message
	// Error says why the step failed, in words a user can act on.
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
}

// Run is one execution of a workflow for one event: the start history.
type Run struct {
	ID         string
	WorkflowID string
	EventID    string
	ContactID  string
	Status     RunStatus
	Steps      []StepRecord
	// FailedStep and Reason explain a failed run.
	FailedStep string
	Reason     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
	// ExpiresAt is when the record may be dropped (TTL).
	ExpiresAt time.Time
	Version   int64
}
