package webhook

import "strings"

// ConflictError is an ErrConflict with the detail a user needs to resolve it: the field
// at fault and the records in the way.
type ConflictError struct {
	// Field is the record field the conflict is about ("name", "email", "connectorId").
	Field string
	// Reason is a sentence saying what is in the way and how to resolve it.
	Reason string
	// IDs and Names list the records in the way, when there are any.
	IDs   []string
	Names []string
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	b.WriteString("conflict")
	if e.Field != "" {
		b.WriteString(" on " + e.Field)
	}
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrConflict) true for a *ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
