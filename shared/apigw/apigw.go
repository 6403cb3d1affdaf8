// Package apigw adapts Flowhook to its Lambda event sources: the net/http handler tree to
// API Gateway HTTP APIs (payload format 2.0), with the scope the Lambda authorizer
// granted, and the run executor to the runs table's DynamoDB stream. It is the only
// shared package that imports aws-lambda-go.
package apigw

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/flowhook/flowhook/shared/auth"
)

// Handler is a Lambda handler for HTTP API (payload 2.0) events.
type Handler func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// NewHandler serves h for API Gateway. The Lambda context travels in each request's
// context, so handlers and their loggers see the request id.
func NewHandler(h http.Handler) Handler {
	return httpadapter.NewV2(h).ProxyWithContext
}

// Authenticator trusts the Lambda authorizer in front of the API: API Gateway only
// forwards requests the authorizer allowed, and the authorizer puts the token's scope
// into the request context. Handlers still check the scope per route, so a route
// wired to the wrong authorizer fails closed.
type Authenticator struct{}

// Authenticate returns the scope the authorizer granted.
func (Authenticator) Authenticate(r *http.Request) (auth.Scope, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.Lambda == nil {
		return auth.ScopeNone, auth.ErrNoToken
	}
	s, _ := rc.Authorizer.Lambda["scope"].(string)
	switch auth.Scope(s) {
	case auth.ScopeAdmin, auth.ScopeIngest:
		return auth.Scope(s), nil
	}
	return auth.ScopeNone, auth.ErrUnknownToken
}
