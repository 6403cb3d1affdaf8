package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/httpapi"
)

// gateway plays API Gateway (HTTP API, payload 2.0) in front of the functions' Lambda
// handlers, as template.yaml configures it: each route belongs to one function; every
// route but the public ones goes through the Lambda authorizer first (identity source
// the Authorization header: a request without it is answered 401 without asking;
// a refusal is 403; an authorizer error 500); an allowed request reaches the function
// with the scope the authorizer put into its context. Events and responses go through
// JSON, as between API Gateway, Lambda and the runtime.
type gateway struct {
	routes *http.ServeMux // only to match a request to its route key
	byKey  map[string]gatewayRoute
	authz  *auth.Authorizer
	seq    atomic.Int64
}

type gatewayRoute struct {
	function string
	handler  apigw.Handler
	public   bool
}

func newGateway(authz *auth.Authorizer) *gateway {
	return &gateway{routes: http.NewServeMux(), byKey: map[string]gatewayRoute{}, authz: authz}
}

// add routes the function's routes (as httpapi declares them) to its Lambda handler.
func (g *gateway) add(function string, h apigw.Handler, routes ...[]httpapi.Route) {
	for _, group := range routes {
		for _, r := range group {
			g.routes.Handle(r.Pattern, http.NotFoundHandler())
			g.byKey[r.Pattern] = gatewayRoute{function: function, handler: h, public: r.Scope == auth.ScopeNone}
		}
	}
}

// gatewayAnswer writes one of API Gateway's own answers.
func gatewayAnswer(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"message":%q}`, msg)
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, key := g.routes.Handler(r)
	route, ok := g.byKey[key]
	if !ok {
		gatewayAnswer(w, http.StatusNotFound, "Not Found")
		return
	}
	reqID := fmt.Sprintf("gw-%06d", g.seq.Add(1))
	var authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
	if !route.public {
		header := r.Header.Get("Authorization")
		if header == "" {
			gatewayAnswer(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		d, err := g.authz.Authorize(r.Context(), auth.Request{Authorization: header, RouteKey: key, Method: r.Method, Path: r.URL.Path})
		switch {
		case err != nil:
			gatewayAnswer(w, http.StatusInternalServerError, "Internal Server Error")
			return
		case !d.Allowed:
			gatewayAnswer(w, http.StatusForbidden, "Forbidden")
			return
		}
		// What functions/authorizer answers for an allowed request.
		authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"scope": string(d.Scope)}}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20)) // API Gateway's payload limit
	if err != nil {
		gatewayAnswer(w, http.StatusBadRequest, "Bad Request")
		return
	}
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: key, RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Headers: map[string]string{},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: key, AccountID: "123456789012", Stage: "$default", RequestID: reqID, APIID: "e2e",
			DomainName: r.Host, Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: "127.0.0.1", UserAgent: r.UserAgent(),
			},
			Authorizer: authorizer,
		},
	}
	for k, v := range r.Header {
		ev.Headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, v := range q {
			ev.QueryStringParameters[k] = strings.Join(v, ",")
		}
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	resp, err := invokeHTTP(r.Context(), route, reqID, ev)
	if err != nil {
		gatewayAnswer(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	out := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			gatewayAnswer(w, http.StatusBadGateway, "Bad Gateway")
			return
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

// invokeHTTP invokes a function's handler as the Lambda runtime does: the event and the
// response through JSON, the Lambda context (with the request id) in ctx.
func invokeHTTP(ctx context.Context, route gatewayRoute, reqID string, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var in events.APIGatewayV2HTTPRequest
	if err := roundTrip(ev, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: reqID,
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:" + route.function})
	resp, err := route.handler(ctx, in)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("function %s: %w", route.function, err)
	}
	var out events.APIGatewayV2HTTPResponse
	if err := roundTrip(resp, &out); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return out, nil
}

func roundTrip(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
