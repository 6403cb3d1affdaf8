package stack

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOpenAPIRoute: the local stack serves its API description to the admin token only
// (design §8: every route but /healthz needs a token).
func TestOpenAPIRoute(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cases := []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"the ingest token", s.Tokens.Ingest, http.StatusForbidden},
		{"the admin token", s.Tokens.Admin, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/openapi.yaml", nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			s.Handler.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.want == http.StatusOK && !strings.HasPrefix(rec.Body.String(), "openapi: 3.1") {
				t.Errorf("body starts %.40q, want the OpenAPI document", rec.Body.String())
			}
		})
	}
}
