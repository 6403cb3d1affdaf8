package e2e

import (
	"net/http"
	"testing"

	"github.com/flowhook/flowhook/shared/egress"
)

// TestScopes checks that both setups let each token do only its own job: on moto the
// API Gateway stand-in asks the authorizer logic and the functions check the scope it
// granted; locally the stack checks the token itself. The statuses must agree.
func TestScopes(t *testing.T) {
	cases := []struct {
		name         string
		method, path string
		token        string // "admin", "ingest" or "" for none
		want         int
	}{
		{"health needs no token", http.MethodGet, "/healthz", "", http.StatusOK},
		{"admin route without a token", http.MethodGet, "/webhooks", "", http.StatusUnauthorized},
		{"admin route with the ingest token", http.MethodGet, "/webhooks", "ingest", http.StatusForbidden},
		{"admin route with the admin token", http.MethodGet, "/webhooks", "admin", http.StatusOK},
		{"events with the admin token", http.MethodPost, "/events", "admin", http.StatusForbidden},
		{"events list with the admin token", http.MethodGet, "/events", "admin", http.StatusOK},
	}
	for _, setup := range setups {
		t.Run(setup.name, func(t *testing.T) {
			t.Parallel()
			w := setup.open(t, egress.Config{})
			c := w.client()
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					token := map[string]string{"admin": c.admin, "ingest": c.ingest}[tc.token]
					var body any
					if tc.method == http.MethodPost {
						body = orderEvent
					}
					r := c.call(t, tc.method, tc.path, token, body, nil)
					if r.status != tc.want {
						t.Errorf("%s %s: status %d (%s), want %d", tc.method, tc.path, r.status, r.body, tc.want)
					}
				})
			}
		})
	}
}
