// Package storetest is the conformance suite every Flowhook store implementation passes:
// the embedded (bbolt) store and the DynamoDB store run the same cases.
package storetest

import (
	"context"
	"time"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Store is everything the services need from storage. It is the contract of the suite;
// services declare the narrower interfaces they use.
//
// Conventions: callers set IDs and timestamps; the store sets Version (1 on create, +1 on
// every write) and enforces uniqueness, references and optimistic concurrency with
// conditional writes. Get of a missing record returns an error wrapping
// webhook.ErrNotFound (never a zero value and nil). Lists return one page and the cursor
// of the next ("" when there is none, so a non-empty cursor always leads to a non-empty
// page); a cursor the list did not return is an error wrapping store.ErrBadCursor. No
// method scans a whole table. A Create whose ID is already in use fails with a
// *webhook.ConflictError with Field "id". JSON texts (Contact.Fields values, Param.Value,
// StepRecord.Data) come back byte for byte. Empty slices and maps come back nil; times
// come back in UTC.
type Store interface {
	// CreateWebhook stores a new active webhook with Version 1. A *webhook.ConflictError
	// (Field "name", IDs and Names the active webhook that has it) if an active webhook
	// has the same name; one with Field "connectorId" if w.ConnectorID names no connector.
	CreateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error)
	// GetWebhook returns a webhook, active or deleted.
	GetWebhook(ctx context.Context, id string) (webhook.Webhook, error)
	// ListWebhooks lists active (deleted=false) or deleted webhooks, oldest first.
	ListWebhooks(ctx context.Context, deleted bool, p store.Page) ([]webhook.Webhook, string, error)
	// UpdateWebhook replaces an active webhook whose stored Version equals w.Version and
	// returns it with Version+1. ErrVersion on a stale version, ErrNotFound if missing or
	// deleted, ConflictError as CreateWebhook. CreatedAt and DeletedAt are kept.
	UpdateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error)
	// DeleteWebhook soft-deletes an active webhook (DeletedAt = UpdatedAt = at, Version+1).
	// ErrNotFound if it is missing or already deleted. Its name becomes free.
	DeleteWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error)
	// RestoreWebhook makes a deleted webhook active again with the same id (DeletedAt
	// zero, UpdatedAt = at, Version+1). ConflictError (Field "name") if an active webhook
	// now has its name, or (Field "connectorId") if its connector is gone; ErrNotFound if
	// missing or not deleted.
	RestoreWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error)

	// CreateConnector stores a new connector with Version 1. ConflictError (Field "name")
	// if one has the same name.
	CreateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error)
	GetConnector(ctx context.Context, id string) (webhook.Connector, error)
	// ListConnectors lists connectors, oldest first.
	ListConnectors(ctx context.Context, p store.Page) ([]webhook.Connector, string, error)
	// UpdateConnector replaces a connector whose stored Version equals c.Version, as
	// UpdateWebhook does (ErrVersion, ErrNotFound, ConflictError on "name"; CreatedAt kept).
	UpdateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error)
	// DeleteConnector removes a connector. ConflictError (Field "connectorId", IDs and
	// Names of the webhooks) while active webhooks use it; deleted webhooks do not count.
	// ErrNotFound if it does not exist.
	DeleteConnector(ctx context.Context, id string) error

	// CreateContact stores a new contact. ConflictError (Field "email" or "phone") if
	// another contact has the same email (compared case-insensitively) or phone.
	CreateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error)
	GetContact(ctx context.Context, id string) (webhook.Contact, error)
	// UpdateContact replaces a contact whose stored Version equals c.Version, with the
	// same uniqueness rules as CreateContact (ErrVersion, ErrNotFound; CreatedAt kept).
	UpdateContact(ctx context.Context, c webhook.Contact) (webhook.Contact, error)
	// ContactByEmail and ContactByPhone find a contact through an index.
	ContactByEmail(ctx context.Context, email string) (webhook.Contact, error)
	ContactByPhone(ctx context.Context, phone string) (webhook.Contact, error)
	// ContactByExternalID finds a contact by its external customer id through an index
	// (not unique: the oldest such contact).
	ContactByExternalID(ctx context.Context, externalID string) (webhook.Contact, error)
	// SearchContacts returns contacts whose email, phone, or first or last name starts
	// with q (case-insensitively), through indexes, each once, ordered by the first
	// (lowest) of those values that matches, then by id. An empty q lists all contacts as
	// ListContacts does.
	SearchContacts(ctx context.Context, q string, p store.Page) ([]webhook.Contact, string, error)
	// ListContacts lists all contacts by id, a page at a time (segments filter the pages).
	ListContacts(ctx context.Context, p store.Page) ([]webhook.Contact, string, error)

	CreateSegment(ctx context.Context, s webhook.Segment) (webhook.Segment, error)
	GetSegment(ctx context.Context, id string) (webhook.Segment, error)
	ListSegments(ctx context.Context, p store.Page) ([]webhook.Segment, string, error)

	// PutEvent stores a received event. When e.SourceID is set and an event with the same
	// Source and SourceID exists, or an event with e.ID exists, it returns that event and
	// created=false and stores nothing.
	PutEvent(ctx context.Context, e webhook.Event) (stored webhook.Event, created bool, err error)
	GetEvent(ctx context.Context, id string) (webhook.Event, error)
	// ListEvents lists events newest first, of one type when typeKey is set.
	ListEvents(ctx context.Context, typeKey string, p store.Page) ([]webhook.Event, string, error)

	CreateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error)
	GetWorkflow(ctx context.Context, id string) (webhook.Workflow, error)
	ListWorkflows(ctx context.Context, p store.Page) ([]webhook.Workflow, string, error)
	// UpdateWorkflow replaces a workflow whose stored Version equals f.Version.
	UpdateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error)
	// DeleteWorkflow removes a workflow; ErrNotFound if it does not exist. Its runs stay.
	DeleteWorkflow(ctx context.Context, id string) error
	// TriggeredWorkflows returns the enabled workflows whose trigger is eventType, through
	// an index, oldest first.
	TriggeredWorkflows(ctx context.Context, eventType string) ([]webhook.Workflow, error)

	// CreateRun stores a queued run (Status queued, Version 1) unless a run with its ID
	// exists, in which case it returns the stored one, with its steps, and created=false.
	// r.Steps must be empty: steps are added with RecordStep.
	CreateRun(ctx context.Context, r webhook.Run) (stored webhook.Run, created bool, err error)
	// GetRun returns a run with all its recorded steps in order.
	GetRun(ctx context.Context, id string) (webhook.Run, error)
	// ListRuns lists a workflow's runs newest first, without their steps.
	ListRuns(ctx context.Context, workflowID string, p store.Page) ([]webhook.Run, string, error)
	// RunsForEvent returns the runs an event started, oldest first, without their steps.
	RunsForEvent(ctx context.Context, eventID string) ([]webhook.Run, error)
	// RecordStep stores the record of the run's step number seq (0-based, in execution
	// order) exactly once: ConflictError (Field "seq") if seq is already recorded,
	// ErrNotFound if the run does not exist.
	RecordStep(ctx context.Context, runID string, seq int, rec webhook.StepRecord) error
	// SetRunStatus moves a run to status when its current status is one of from, setting
	// the failure detail and times given (see store.RunUpdate); ErrVersion (wrapped) when
	// it is in another status, ErrNotFound if it does not exist. It returns the updated
	// run without its steps, Version+1.
	SetRunStatus(ctx context.Context, u store.RunUpdate) (webhook.Run, error)
}
