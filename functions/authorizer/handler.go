package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/flowhook/flowhook/shared/auth"
)

// handler adapts auth.Authorizer to the Lambda authorizer event and response.
type handler struct {
	authz *auth.Authorizer
	log   *slog.Logger
}

func newHandler(src auth.SecretSource, tokensSecret string, log *slog.Logger) (*handler, error) {
	a, err := auth.NewAuthorizer(src, tokensSecret)
	if err != nil {
		return nil, err
	}
	return &handler{authz: a, log: log}, nil
}

// errUnavailable is what API Gateway (and the caller, as a 500) learns when the
// decision cannot be made; the cause goes to the log.
var errUnavailable = errors.New("authorizer: the API token hashes cannot be read")

// handle decides one request and writes one log line: request id (added by the
// lambdacontext handler), route, decision, scopes and duration; never the token.
func (h *handler) handle(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	start := time.Now()
	d, err := h.authz.Authorize(ctx, auth.Request{
		Authorization: header(req.Headers, "authorization"),
		RouteKey:      req.RouteKey,
		Method:        req.RequestContext.HTTP.Method,
		Path:          stripStage(req.RawPath, req.RequestContext.Stage),
	})
	attrs := []slog.Attr{slog.String("routeKey", req.RouteKey)}
	if err != nil {
		attrs = append(attrs, slog.String("decision", "error"), slog.String("error", err.Error()),
			slog.Int64("durationMs", time.Since(start).Milliseconds()))
		h.log.LogAttrs(ctx, slog.LevelError, "authorize", attrs...)
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, errUnavailable
	}
	attrs = append(attrs, slog.String("route", d.Route), slog.String("required", string(d.Required)))
	if d.Scope != auth.ScopeNone {
		attrs = append(attrs, slog.String("scope", string(d.Scope)))
	}
	resp := events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: d.Allowed}
	if d.Allowed {
		attrs = append(attrs, slog.String("decision", "allow"))
		resp.Context = map[string]any{"scope": string(d.Scope)}
	} else {
		attrs = append(attrs, slog.String("decision", "deny"), slog.String("reason", d.Err.Error()))
	}
	attrs = append(attrs, slog.Int64("durationMs", time.Since(start).Milliseconds()))
	h.log.LogAttrs(ctx, slog.LevelInfo, "authorize", attrs...)
	return resp, nil
}

// header returns the named header; payload 2.0 lower-cases names, but a hand-written
// event may not.
func header(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// stripStage removes a named stage's prefix from a raw path (/prod/events → /events),
// so the $default-route fallback sees the route's path. The $default stage has none.
func stripStage(path, stage string) string {
	if stage == "" || stage == "$default" {
		return path
	}
	if rest, ok := strings.CutPrefix(path, "/"+stage); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return path
}
