package auth_test

import (
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/auth"
)

// TestRequiredScope lists every route of design §3 with the scope it needs.
func TestRequiredScope(t *testing.T) {
	cases := []struct {
		route string
		want  auth.Scope
	}{
		{"GET /healthz", auth.ScopeNone},
		{"HEAD /healthz", auth.ScopeNone},

		{"POST /events", auth.ScopeIngest},
		{"GET /events", auth.ScopeAdmin},

		{"POST /webhooks", auth.ScopeAdmin},
		{"GET /webhooks", auth.ScopeAdmin},
		{"GET /webhooks/{id}", auth.ScopeAdmin},
		{"PUT /webhooks/{id}", auth.ScopeAdmin},
		{"DELETE /webhooks/{id}", auth.ScopeAdmin},
		{"POST /webhooks/{id}/restore", auth.ScopeAdmin},
		{"POST /webhooks/{id}/test", auth.ScopeAdmin},
		{"POST /webhooks/test", auth.ScopeAdmin},

		{"POST /connectors", auth.ScopeAdmin},
		{"GET /connectors", auth.ScopeAdmin},
		{"GET /connectors/{id}", auth.ScopeAdmin},
		{"PUT /connectors/{id}", auth.ScopeAdmin},
		{"DELETE /connectors/{id}", auth.ScopeAdmin},

		{"PUT /contacts/{id}", auth.ScopeAdmin},
		{"POST /contacts", auth.ScopeAdmin},
		{"GET /contacts/{id}", auth.ScopeAdmin},
		{"GET /contacts", auth.ScopeAdmin},
		{"POST /segments", auth.ScopeAdmin},
		{"GET /segments", auth.ScopeAdmin},
		{"GET /segments/{id}/contacts", auth.ScopeAdmin},

		{"POST /workflows", auth.ScopeAdmin},
		{"GET /workflows", auth.ScopeAdmin},
		{"GET /workflows/{id}", auth.ScopeAdmin},
		{"PUT /workflows/{id}", auth.ScopeAdmin},
		{"DELETE /workflows/{id}", auth.ScopeAdmin},
		{"GET /workflows/{id}/runs", auth.ScopeAdmin},
		{"GET /runs/{id}", auth.ScopeAdmin},

		{"POST /render", auth.ScopeAdmin},

		// Concrete paths decide the same as patterns.
		{"DELETE /webhooks/w_01h", auth.ScopeAdmin},
		{"GET /runs/r_01h", auth.ScopeAdmin},
		// Methods in any case.
		{"post /events", auth.ScopeIngest},
		{"get /healthz", auth.ScopeNone},
		// Near misses and unknown routes are closed: they need admin.
		{"POST /healthz", auth.ScopeAdmin},
		{"DELETE /healthz", auth.ScopeAdmin},
		{"GET /healthz/", auth.ScopeAdmin},
		{"POST /events/", auth.ScopeAdmin},
		{"POST /events/e_1", auth.ScopeAdmin},
		{"PUT /events", auth.ScopeAdmin},
		{"POST /Events", auth.ScopeAdmin},
		{"GET /not-a-route", auth.ScopeAdmin},
		{"OPTIONS /events", auth.ScopeAdmin},
	}
	for _, tc := range cases {
		t.Run(tc.route, func(t *testing.T) {
			method, path, _ := strings.Cut(tc.route, " ")
			if got := auth.RequiredScope(method, path); got != tc.want {
				t.Errorf("RequiredScope(%q, %q) = %q, want %q", method, path, got, tc.want)
			}
		})
	}
}

func TestAllows(t *testing.T) {
	scopes := []auth.Scope{auth.ScopeNone, auth.ScopeIngest, auth.ScopeAdmin, "root"}
	want := map[[2]auth.Scope]bool{
		// Every token, or none, may call a route that needs none.
		{auth.ScopeNone, auth.ScopeNone}:   true,
		{auth.ScopeIngest, auth.ScopeNone}: true,
		{auth.ScopeAdmin, auth.ScopeNone}:  true,
		{"root", auth.ScopeNone}:           true,
		// Otherwise only the same scope: scopes do not nest.
		{auth.ScopeIngest, auth.ScopeIngest}: true,
		{auth.ScopeAdmin, auth.ScopeAdmin}:   true,
	}
	for _, have := range scopes {
		for _, need := range scopes {
			if got := have.Allows(need); got != want[[2]auth.Scope{have, need}] {
				t.Errorf("Scope(%q).Allows(%q) = %v, want %v", have, need, got, !got)
			}
		}
	}
}
