package webhook

import (
	"strconv"
	"strings"
)

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

// FieldError is one invalid field of an input: a JSON pointer to it and a sentence that
// says what is wrong and how to fix it.
type FieldError struct {
	Pointer string
	Detail  string
}

// ValidationError reports invalid input field by field. What names the input ("event",
// "workflow").
type ValidationError struct {
	What   string
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Errors) == 0 {
		return "invalid " + e.What
	}
	msg := "invalid " + e.What + ": " + e.Errors[0].Pointer + ": " + e.Errors[0].Detail
	if n := len(e.Errors) - 1; n > 0 {
		msg += " (and " + strconv.Itoa(n) + " more)"
	}
	return msg
}

// Add appends a field error.
func (e *ValidationError) Add(pointer, detail string) {
	e.Errors = append(e.Errors, FieldError{Pointer: pointer, Detail: detail})
}

// Err returns e when it holds errors, else nil.
func (e *ValidationError) Err() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e
}
