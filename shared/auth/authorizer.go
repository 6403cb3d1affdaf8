package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// SecretSource reads a secret's string value; secrets.Cache satisfies it, serving from
// memory within its TTL.
type SecretSource interface {
	SecretString(ctx context.Context, secretID string) (string, error)
}

// Authorizer decides API Gateway requests against the token hashes kept in a secret.
// It is safe for concurrent use.
type Authorizer struct {
	src      SecretSource
	secretID string
	// parsed memoizes the Checker of the last secret value seen, so a warm function
	// parses the JSON only when the value changes.
	parsed atomic.Pointer[parsedSecret]
}

type parsedSecret struct {
	raw     string
	checker *Checker
}

// NewAuthorizer returns an Authorizer reading the hashes from the secret secretID
// (a name or ARN) through src.
func NewAuthorizer(src SecretSource, secretID string) (*Authorizer, error) {
	if src == nil {
		return nil, errors.New("new authorizer: the secret source is nil")
	}
	if secretID == "" {
		return nil, errors.New("new authorizer: no tokens secret named")
	}
	return &Authorizer{src: src, secretID: secretID}, nil
}

// Request is what an authorizer sees of an API request.
type Request struct {
	// Authorization is the Authorization header's value.
	Authorization string
	// RouteKey is API Gateway's route key, "POST /events", or "$default".
	RouteKey string
	// Method and Path are the request's own; they decide the scope when the route key
	// does not name one route (the $default route, or ANY or a greedy {proxy+} path).
	Method string
	Path   string
}

// route returns the method and path the scope is decided on.
func (r Request) route() (method, path string) {
	m, p, ok := splitRoute(r.RouteKey)
	if ok && !strings.EqualFold(m, "ANY") && !strings.Contains(p, "+}") {
		return m, p
	}
	return r.Method, r.Path
}

// Decision is an authorization outcome, with what a log line needs. It never holds
// the token.
type Decision struct {
	Allowed bool
	// Scope is the token's scope when it was recognised.
	Scope Scope
	// Required is the scope the route needs.
	Required Scope
	// Route is "METHOD /path" as decided on.
	Route string
	// Err says why a request was refused, without the token; nil when allowed. It
	// wraps ErrNoToken, ErrMalformedToken, ErrUnknownToken or ErrWrongScope, and
	// Status(Err) maps it to HTTP.
	Err error
}

// Authorize decides r. The error is for a failure to decide (the secret cannot be read
// or parsed), never for a refusal, which is a Decision with Allowed false. Malformed or
// missing tokens are refused without reading the secret.
func (a *Authorizer) Authorize(ctx context.Context, r Request) (Decision, error) {
	method, path := r.route()
	d := Decision{Required: RequiredScope(method, path), Route: strings.ToUpper(method) + " " + path}
	if d.Required == ScopeNone {
		d.Allowed = true
		return d, nil
	}
	if _, _, err := parseBearer(r.Authorization); err != nil {
		return d.refuse(err), nil
	}
	checker, err := a.checker(ctx)
	if err != nil {
		return Decision{}, err
	}
	d.Scope, err = checker.Authorize(r.Authorization, method, path)
	if err != nil {
		return d.refuse(err), nil
	}
	d.Allowed = true
	return d, nil
}

func (d Decision) refuse(err error) Decision {
	d.Allowed, d.Err = false, err
	return d
}

// checker returns the Checker for the secret's current value.
func (a *Authorizer) checker(ctx context.Context) (*Checker, error) {
	raw, err := a.src.SecretString(ctx, a.secretID)
	if err != nil {
		return nil, fmt.Errorf("read tokens secret: %w", err)
	}
	if p := a.parsed.Load(); p != nil && p.raw == raw {
		return p.checker, nil
	}
	h, err := ParseHashes([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("tokens secret %q: %w", a.secretID, err)
	}
	c, err := NewChecker(h)
	if err != nil {
		return nil, fmt.Errorf("tokens secret %q: %w", a.secretID, err)
	}
	a.parsed.Store(&parsedSecret{raw: raw, checker: c})
	return c, nil
}
