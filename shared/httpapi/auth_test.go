package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/auth"
)

// TestEveryRouteNeedsItsScope: every route but /healthz answers 401 without a token or
// with a bad one, and 403 with a token of the other scope.
func TestEveryRouteNeedsItsScope(t *testing.T) {
	e := newEnv(t)
	for _, rt := range AllRoutes() {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		path := strings.NewReplacer("{id}", "x_1").Replace(pattern)
		t.Run(rt.Pattern, func(t *testing.T) {
			if rt.Scope == auth.ScopeNone {
				mustStatus(t, e.do(method, path, "", nil), 200)
				return
			}
			r := e.do(method, path, "", nil)
			mustStatus(t, r, http.StatusUnauthorized)
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			mustStatus(t, e.do(method, path, "fh_admin_"+strings.Repeat("0", 64), nil), http.StatusUnauthorized)
			mustStatus(t, e.do(method, path, "not-a-token", nil), http.StatusUnauthorized)
			other := e.tokens.Ingest
			if rt.Scope == auth.ScopeIngest {
				other = e.tokens.Admin
			}
			mustStatus(t, e.do(method, path, other, nil), http.StatusForbidden)
		})
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	e := newEnv(t)
	r := e.admin("GET", "/nope", nil)
	mustStatus(t, r, 404)
	if r.Header.Get("Content-Type") != ProblemContentType {
		t.Errorf("404 is not a problem document: %s", r.Body)
	}
	r = e.admin("PATCH", "/webhooks", nil)
	mustStatus(t, r, 405)
	if r.Header.Get("Allow") == "" || r.Header.Get("Content-Type") != ProblemContentType {
		t.Errorf("405 lacks Allow or problem type: %v %s", r.Header, r.Body)
	}
}
