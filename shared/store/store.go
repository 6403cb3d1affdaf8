// Package store holds what Flowhook's storage implementations share: paging and the
// ConflictError detail. The implementations live in store/embedded (bbolt, for `make run`)
// and store/dynamo (DynamoDB); store/storetest is the conformance suite both must pass.
package store

import (
	"errors"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// Page asks for one page of a list. A zero Limit means DefaultLimit; Cursor is the opaque
// value a previous page returned ("" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// ErrBadCursor is returned (wrapped) by a list given a cursor the store did not issue,
// or one issued by a different list (another record kind, event type or workflow).
var ErrBadCursor = errors.New("bad cursor")

// Page size bounds.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Size returns the effective page size: DefaultLimit for 0, capped at MaxLimit.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// ErrTooLarge reports a record too large for the store to keep (the DynamoDB store's
// 400 KB item limit, after compression). Callers cap what they record so it never happens.
var ErrTooLarge = errors.New("record too large to store")

// RunUpdate is a status change of a run, applied only when the run is in one of From
// (an empty From matches no status). UpdatedAt becomes At, and so does FinishedAt when To
// is succeeded, failed or stopped; FailedStep and Reason replace the stored ones.
type RunUpdate struct {
	RunID      string
	From       []webhook.RunStatus
	To         webhook.RunStatus
	FailedStep string
	Reason     string
	At         time.Time
}
