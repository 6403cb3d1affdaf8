package auth

import "strings"

// Scope is what a bearer token may do.
type Scope string

// Scopes (design §8). ScopeNone is the scope of a route that needs no token.
const (
	// ScopeNone is needed by GET /healthz only, and carried by no token.
	ScopeNone Scope = ""
	// ScopeIngest may call POST /events only.
	ScopeIngest Scope = "ingest"
	// ScopeAdmin may call every route but POST /events.
	ScopeAdmin Scope = "admin"
)

// valid reports whether s is a scope a token can carry.
func (s Scope) valid() bool { return s == ScopeAdmin || s == ScopeIngest }

// Allows reports whether a token of scope s may call a route that needs required.
// Scopes do not nest: an admin token may not send events.
func (s Scope) Allows(required Scope) bool {
	return required == ScopeNone || (s.valid() && s == required)
}

// RequiredScope returns the scope a request needs, from its method and either its path
// or its route pattern (a Go ServeMux pattern's path or an API Gateway route key's, such
// as /webhooks/{id}/restore): ScopeNone for GET or HEAD /healthz, ScopeIngest for POST
// /events, ScopeAdmin for everything else, unknown routes included, so a route added
// later is closed until it is listed here.
func RequiredScope(method, path string) Scope {
	method = strings.ToUpper(method)
	switch {
	case path == "/healthz" && (method == "GET" || method == "HEAD"):
		return ScopeNone
	case path == "/events" && method == "POST":
		return ScopeIngest
	}
	return ScopeAdmin
}

// splitRoute splits a route key or pattern "METHOD /path" into its parts; ok is false
// for anything else, such as API Gateway's "$default".
func splitRoute(key string) (method, path string, ok bool) {
	method, path, ok = strings.Cut(strings.TrimSpace(key), " ")
	path = strings.TrimSpace(path)
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		return "", "", false
	}
	return method, path, true
}
