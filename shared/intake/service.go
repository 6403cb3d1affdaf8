package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Store is what accepting an event needs.
type Store interface {
	contact.Store
	PutEvent(ctx context.Context, e webhook.Event) (webhook.Event, bool, error)
	TriggeredWorkflows(ctx context.Context, eventType string) ([]webhook.Workflow, error)
	CreateRun(ctx context.Context, r webhook.Run) (webhook.Run, bool, error)
}

// Sources of events.
const (
	SourceAPI         = "api"
	SourceEventBridge = "eventbridge"
)

// DefaultRetention is how long events and runs are kept (their TTL).
const DefaultRetention = 30 * 24 * time.Hour

// Service accepts events.
type Service struct {
	store     Store
	now       func() time.Time
	retention time.Duration
}

// NewService returns a Service; a zero retention means DefaultRetention, a nil now the
// system clock.
func NewService(s Store, retention time.Duration, now func() time.Time) *Service {
	if retention <= 0 {
		retention = DefaultRetention
	}
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{store: s, now: now, retention: retention}
}

// Result says what accepting an event did.
type Result struct {
	EventID   string
	ContactID string
	RunIDs    []string
	// Duplicate is true when the event had been accepted before (same source id); no
	// run was queued but those of the first delivery (completed if a crash cut it short).
	Duplicate bool
}

// Accept makes ev durable and queues its runs: it resolves (or creates) the contact,
// stores the event (idempotent on source and sourceID) with the enabled workflows its
// type triggers, and writes one queued run per workflow. Run ids derive from the event
// and workflow ids, so a redelivery — even after a crash halfway — completes the work
// of the first delivery without doubling it, and answers with the first ids.
// Nothing is acknowledged before it is stored.
func (s *Service) Accept(ctx context.Context, ev webhook.Event, source, sourceID string) (Result, error) {
	now := s.now()
	id, ok := Identify(ev)
	if !ok {
		return Result{}, &webhook.ValidationError{What: "event", Errors: []webhook.FieldError{{
			Pointer: "/params", Detail: "The event names no contact: add a param contactId, externalCustomerId, email or phone."}}}
	}
	c, _, err := contact.Resolve(ctx, s.store, id, now)
	if err != nil {
		return Result{}, fmt.Errorf("accept event: %w", err)
	}
	flows, err := s.store.TriggeredWorkflows(ctx, ev.TypeKey)
	if err != nil {
		return Result{}, fmt.Errorf("accept event: find workflows: %w", err)
	}
	ev.ID = webhook.NewID(webhook.PrefixEvent, now)
	ev.ContactID = c.ID
	ev.Source, ev.SourceID = source, sourceID
	ev.ReceivedAt = now
	ev.WorkflowIDs = make([]string, 0, len(flows))
	for _, f := range flows {
		ev.WorkflowIDs = append(ev.WorkflowIDs, f.ID)
	}
	stored, created, err := s.store.PutEvent(ctx, ev)
	if err != nil {
		return Result{}, fmt.Errorf("accept event: store: %w", err)
	}
	if !created && source == SourceAPI && !sameEvent(stored, ev) {
		return Result{}, &KeyReusedError{Key: sourceID, EventID: stored.ID}
	}
	res := Result{EventID: stored.ID, ContactID: stored.ContactID, Duplicate: !created}
	// The workflows are those of the first acceptance, stored with the event: a
	// redelivery completes that set (after a crash halfway) and starts no other, even
	// when workflows were enabled or disabled in between.
	for _, workflowID := range stored.WorkflowIDs {
		run := webhook.Run{
			ID:         RunID(stored.ID, workflowID),
			WorkflowID: workflowID,
			EventID:    stored.ID,
			ContactID:  stored.ContactID,
			Status:     webhook.StatusQueued,
			CreatedAt:  now,
			UpdatedAt:  now,
			ExpiresAt:  now.Add(s.retention),
		}
		r, _, err := s.store.CreateRun(ctx, run)
		if err != nil {
			return Result{}, fmt.Errorf("accept event %s: queue run of workflow %s: %w", stored.ID, workflowID, err)
		}
		res.RunIDs = append(res.RunIDs, r.ID)
	}
	if res.RunIDs == nil {
		res.RunIDs = []string{}
	}
	return res, nil
}

// KeyReusedError is Accept's answer to an Idempotency-Key already used for a different
// event: the key names the first event, so the new one would be silently dropped.
type KeyReusedError struct {
	Key     string
	EventID string // the event the key was first used for
}

func (e *KeyReusedError) Error() string {
	return fmt.Sprintf("the Idempotency-Key %q was used for another event (%s)", e.Key, e.EventID)
}

// sameEvent reports whether a repeated delivery carries the event first stored: the same
// type, key value and params (names in order, values as JSON, whitespace aside).
func sameEvent(stored, ev webhook.Event) bool {
	if stored.TypeKey != ev.TypeKey || stored.KeyValue != ev.KeyValue || len(stored.Params) != len(ev.Params) {
		return false
	}
	for i, p := range stored.Params {
		q := ev.Params[i]
		if p.Name != q.Name || !sameJSON(p.Value, q.Value) {
			return false
		}
	}
	return true
}

// sameJSON compares two JSON texts ignoring insignificant whitespace.
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}

var runIDEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// RunID is the id of the run an event starts for a workflow: the same pair always gives
// the same id, which is what makes queuing runs idempotent.
func RunID(eventID, workflowID string) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + workflowID))
	return webhook.PrefixRun + strings.ToLower(runIDEncoding.EncodeToString(sum[:16]))
}
