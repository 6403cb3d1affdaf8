package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Acceptor makes an event durable and queues its runs.
type Acceptor interface {
	Accept(ctx context.Context, ev webhook.Event, source, sourceID string) (intake.Result, error)
}

// IntakeConfig is what the intake route needs.
type IntakeConfig struct {
	Intake  Acceptor
	Metrics *metrics.Writer
	Log     *slog.Logger
}

// eventWire is the shape of a Generate Event body. The body is checked against it as
// every other body is (UTF-8, one object, known members given once, JSON types) before
// intake parses it, so a malformed event is refused with a pointer and without
// decoder internals.
type eventWire struct {
	EventTypeKey *string         `json:"eventTypeKey"`
	KeyValue     *string         `json:"keyValue"`
	Params       json.RawMessage `json:"params"`
}

// checkEvent checks an event embedded at /event in a render or test request body (already
// decoded, so valid JSON) against eventWire, adding the first problem to errs.
func checkEvent(errs *fieldErrors, raw json.RawMessage) bool {
	p := checkShape(raw, reflect.TypeFor[eventWire](), "/event")
	if p == nil {
		return true
	}
	if len(p.Errors) > 0 {
		*errs = append(*errs, p.Errors...)
	} else {
		errs.add("/event", "%s", p.Detail)
	}
	return false
}

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = 255

// Intake returns the route of the intake function: POST /events (scope ingest).
func Intake(c IntakeConfig) []Route {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &api{log: log}
	return []Route{{"POST /events", auth.ScopeIngest, func(w http.ResponseWriter, r *http.Request) {
		refuse := func(p *Problem) {
			c.Metrics.Put("EventsRefused", metrics.Count, 1, map[string]string{"Source": intake.SourceAPI})
			writeProblem(w, log, p)
		}
		key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
		if len(key) > MaxIdempotencyKey {
			refuse(problem(http.StatusBadRequest, "validation_failed",
				fmt.Sprintf("The Idempotency-Key header is longer than %d characters.", MaxIdempotencyKey),
				FieldError{Pointer: "Idempotency-Key", Detail: "Use a shorter key, e.g. a UUID."}))
			return
		}
		if p := checkContentType(r); p != nil {
			refuse(p)
			return
		}
		if r.ContentLength > intake.MaxBodyBytes {
			refuse(tooLarge(intake.MaxBodyBytes))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, intake.MaxBodyBytes+1))
		if err != nil {
			refuse(problem(http.StatusBadRequest, "bad_body", "The request body could not be read."))
			return
		}
		if len(body) > intake.MaxBodyBytes {
			refuse(tooLarge(intake.MaxBodyBytes))
			return
		}
		if p := decodeJSON(body, &eventWire{}); p != nil {
			refuse(p)
			return
		}
		ev, err := intake.Parse(body)
		if err != nil {
			var ve *webhook.ValidationError
			if errors.As(err, &ve) {
				refuse(validationProblem(ve))
				return
			}
			a.writeError(w, r, "event", err)
			return
		}
		res, err := c.Intake.Accept(r.Context(), ev, intake.SourceAPI, key)
		if err != nil {
			var ve *webhook.ValidationError
			if errors.As(err, &ve) {
				refuse(validationProblem(ve))
				return
			}
			var reused *intake.KeyReusedError
			if errors.As(err, &reused) {
				refuse(problem(http.StatusUnprocessableEntity, "idempotency_key_reused",
					fmt.Sprintf("The Idempotency-Key was first used for another event (%s); this event was not accepted.", reused.EventID),
					FieldError{Pointer: "Idempotency-Key", Detail: "Send a new key with a new event; resend the very same body to retry the first one."}))
				return
			}
			a.writeError(w, r, "event", err)
			return
		}
		c.Metrics.Put("EventsAccepted", metrics.Count, 1, map[string]string{"Source": intake.SourceAPI})
		if res.Duplicate {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"eventId": res.EventID, "runIds": res.RunIDs})
	}}}
}
