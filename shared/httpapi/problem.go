package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// FieldError is one bad field: a JSON pointer into the request body (or a query
// parameter as "?name") and a sentence saying what is wrong and how to fix it.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// Problem is an RFC 9457 problem document with Flowhook's stable code and field errors.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Code   string       `json:"code"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors,omitempty"`
	// Line and Column locate a template error (POST /render), 1-based.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// problem builds a Problem; its type URI is derived from the code so clients can link docs.
func problem(status int, code, detail string, errs ...FieldError) *Problem {
	return &Problem{
		Type:   "https://flowhook.dev/problems/" + strings.ReplaceAll(code, "_", "-"),
		Title:  http.StatusText(status),
		Status: status,
		Code:   code,
		Detail: detail,
		Errors: errs,
	}
}

// invalid is a 400 listing every bad field; the detail repeats the first so a client that
// shows one sentence shows the most useful one.
func invalid(what string, errs []FieldError) *Problem {
	detail := fmt.Sprintf("The %s is invalid: %s", what, errs[0].Detail)
	if len(errs) > 1 {
		detail += fmt.Sprintf(" (and %d more; see errors)", len(errs)-1)
	}
	return problem(http.StatusBadRequest, "validation_failed", detail, errs...)
}

// fieldErrors collects validation errors in the order they are found.
type fieldErrors []FieldError

func (f *fieldErrors) add(pointer, format string, args ...any) {
	*f = append(*f, FieldError{Pointer: pointer, Detail: fmt.Sprintf(format, args...)})
}

// writeJSON writes v as the JSON response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, nil, problem(http.StatusInternalServerError, "internal", "The response could not be encoded."))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeProblem writes p; a nil logger skips logging.
func writeProblem(w http.ResponseWriter, log *slog.Logger, p *Problem) {
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", ProblemContentType)
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError translates an error from the services into a problem. Domain errors map to
// their statuses; anything else is a 500 whose cause goes to the log, never to the client.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, what string, err error) {
	var p *Problem
	var ce *webhook.ConflictError
	var ve *webhook.ValidationError
	switch {
	case errors.As(err, &p):
	case errors.As(err, &ve):
		p = validationProblem(ve)
	case errors.As(err, &ce):
		detail := ce.Reason
		if detail == "" {
			detail = fmt.Sprintf("The %s conflicts with an existing record.", what)
		}
		var fe []FieldError
		if ce.Field != "" {
			fe = append(fe, FieldError{Pointer: "/" + ce.Field, Detail: detail})
		}
		p = problem(http.StatusConflict, "conflict", detail, fe...)
	case errors.Is(err, webhook.ErrNotFound):
		p = problem(http.StatusNotFound, "not_found", fmt.Sprintf("No %s has the id %q.", what, r.PathValue("id")))
	case errors.Is(err, webhook.ErrVersion):
		p = problem(http.StatusConflict, "version_conflict",
			fmt.Sprintf("The %s changed since you read it; GET it again and send its new ETag in If-Match.", what))
	case errors.Is(err, store.ErrTooLarge):
		p = problem(http.StatusRequestEntityTooLarge, "record_too_large",
			fmt.Sprintf("The %s would be too large to store; make it smaller (fewer or shorter fields or templates).", what))
	case errors.Is(err, webhook.ErrConflict):
		p = problem(http.StatusConflict, "conflict", fmt.Sprintf("The %s conflicts with an existing record.", what))
	default:
		a.log.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "error", err.Error())
		p = problem(http.StatusInternalServerError, "internal", "Something went wrong on our side; the request was not completed. Try again later.")
	}
	writeProblem(w, a.log, p)
}
