package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/webhook"
)

// acceptor is the intake service.
type acceptor interface {
	Accept(ctx context.Context, ev webhook.Event, source, sourceID string) (intake.Result, error)
}

// handler tells the two triggers apart by the event's shape.
type handler struct {
	http    apigw.Handler
	intake  acceptor
	metrics *metrics.Writer
	log     *slog.Logger
}

func newHandler(h apigw.Handler, a acceptor, m *metrics.Writer, log *slog.Logger) *handler {
	return &handler{http: h, intake: a, metrics: m, log: log}
}

// trigger holds the fields that identify each trigger's payload.
type trigger struct {
	RouteKey   string `json:"routeKey"`
	DetailType string `json:"detail-type"`
}

// handle answers API Gateway events with an HTTP response and EventBridge events with
// the intake result (an error makes EventBridge retry the delivery, and the same event
// id is then recognised as a duplicate).
func (h *handler) handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var t trigger
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("intake: event is not a JSON object: %w", err)
	}
	switch {
	case t.RouteKey != "":
		var e events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("intake: API Gateway event: %w", err)
		}
		return h.http(ctx, e)
	case t.DetailType != "":
		var e events.EventBridgeEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("intake: EventBridge event: %w", err)
		}
		return h.eventBridge(ctx, e)
	}
	return nil, errors.New("intake: unknown trigger: want an API Gateway HTTP API (payload 2.0) or an EventBridge event")
}

// eventBridgeResult is what an EventBridge invocation returns (visible in tests and logs).
type eventBridgeResult struct {
	EventID   string   `json:"eventId,omitempty"`
	RunIDs    []string `json:"runIds,omitempty"`
	Duplicate bool     `json:"duplicate"`
	Refused   string   `json:"refused,omitempty"`
}

func (h *handler) eventBridge(ctx context.Context, e events.EventBridgeEvent) (eventBridgeResult, error) {
	start := time.Now()
	dims := map[string]string{"Source": intake.SourceEventBridge}
	ev, err := intake.FromParams(e.DetailType, e.Detail)
	if err != nil {
		// An invalid event will never become valid: refuse it without a retry.
		h.metrics.Put("EventsRefused", metrics.Count, 1, dims)
		h.log.WarnContext(ctx, "eventbridge event refused", "eventBridgeId", e.ID, "detailType", e.DetailType, "reason", err.Error())
		return eventBridgeResult{Refused: err.Error()}, nil
	}
	res, err := h.intake.Accept(ctx, ev, intake.SourceEventBridge, e.ID)
	if err != nil {
		var ve *webhook.ValidationError
		if errors.As(err, &ve) {
			h.metrics.Put("EventsRefused", metrics.Count, 1, dims)
			return eventBridgeResult{Refused: err.Error()}, nil
		}
		return eventBridgeResult{}, fmt.Errorf("intake: accept EventBridge event %s: %w", e.ID, err)
	}
	h.metrics.Put("EventsAccepted", metrics.Count, 1, dims)
	h.log.InfoContext(ctx, "eventbridge event accepted", "eventBridgeId", e.ID, "eventId", res.EventID,
		"runs", len(res.RunIDs), "duplicate", res.Duplicate, "durationMs", time.Since(start).Milliseconds())
	return eventBridgeResult{EventID: res.EventID, RunIDs: res.RunIDs, Duplicate: res.Duplicate}, nil
}
