package httpapi

import (
	"io"
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

// TestAuthorizationHeaderForms: each form of the Authorization header a client may send
// gets the answer that tells it what to fix, and never echoes the token.
func TestAuthorizationHeaderForms(t *testing.T) {
	e := newEnv(t)
	admin := e.tokens.Admin
	tests := []struct {
		name   string
		values []string
		status int
		detail string
	}{
		{"none", nil, 401, "Send a bearer token"},
		{"Bearer alone", []string{"Bearer"}, 401, "not of the form Bearer fh_<scope>_<64 hex digits>"},
		{"Basic scheme", []string{"Basic " + admin}, 401, "after the word Bearer"},
		{"token without scheme", []string{admin}, 401, "after the word Bearer"},
		{"unknown token", []string{"Bearer fh_admin_" + strings.Repeat("0", 64)}, 401, "not valid; use a token Flowhook issued"},
		{"two headers", []string{"Bearer " + admin, "Bearer " + e.tokens.Ingest}, 401, "one Authorization header"},
		{"the same header twice", []string{"Bearer " + admin, "Bearer " + admin}, 401, "one Authorization header"},
		{"lowercase scheme", []string{"bearer " + admin}, 200, ""},
		{"ingest token", []string{"Bearer " + e.tokens.Ingest}, 403, `use a token of scope "admin"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "GET", e.srv.URL+"/webhooks", nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range tt.values {
				req.Header.Add("Authorization", v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			r := response{Status: resp.StatusCode, Header: resp.Header, Body: body}
			if tt.status == 200 {
				mustStatus(t, r, 200)
				return
			}
			checkProblem(t, r, tt.status, "", tt.detail)
			if strings.Contains(string(body), admin[9:]) {
				t.Errorf("the answer echoes the token: %s", body)
			}
		})
	}
}
