package auth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/auth"
)

func testChecker(t testing.TB) *auth.Checker {
	t.Helper()
	c, err := auth.NewChecker(auth.Tokens{Admin: adminToken, Ingest: ingestToken}.Hashes())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheck(t *testing.T) {
	c := testChecker(t)
	cases := []struct {
		name   string
		header string
		want   auth.Scope
		err    error
	}{
		{"admin", "Bearer " + adminToken, auth.ScopeAdmin, nil},
		{"ingest", "Bearer " + ingestToken, auth.ScopeIngest, nil},
		{"scheme in any case", "bearer " + adminToken, auth.ScopeAdmin, nil},
		{"extra spaces", "  BEARER   " + ingestToken + " ", auth.ScopeIngest, nil},

		{"missing", "", auth.ScopeNone, auth.ErrNoToken},
		{"blank", "   ", auth.ScopeNone, auth.ErrNoToken},

		{"no scheme", adminToken, auth.ScopeNone, auth.ErrMalformedToken},
		{"basic scheme", "Basic " + adminToken, auth.ScopeNone, auth.ErrMalformedToken},
		{"scheme only", "Bearer", auth.ScopeNone, auth.ErrMalformedToken},
		{"scheme and space", "Bearer ", auth.ScopeNone, auth.ErrMalformedToken},
		{"not a Flowhook token", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", auth.ScopeNone, auth.ErrMalformedToken},
		{"unknown scope", "Bearer fh_root_" + strings.Repeat("0", 64), auth.ScopeNone, auth.ErrMalformedToken},
		{"short", "Bearer " + adminToken[:len(adminToken)-1], auth.ScopeNone, auth.ErrMalformedToken},
		{"long", "Bearer " + adminToken + "0", auth.ScopeNone, auth.ErrMalformedToken},
		{"upper-case hex", "Bearer fh_admin_" + strings.ToUpper(adminToken[9:len(adminToken)-1]) + "A", auth.ScopeNone, auth.ErrMalformedToken},
		{"two tokens", "Bearer " + adminToken + ", Bearer " + ingestToken, auth.ScopeNone, auth.ErrMalformedToken},

		{"wrong admin token", "Bearer " + otherAdmin, auth.ScopeNone, auth.ErrUnknownToken},
		{"ingest digits with the admin prefix", "Bearer fh_admin_" + ingestToken[10:], auth.ScopeNone, auth.ErrUnknownToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Check(tc.header)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Errorf("Check(%q) = %q, %v; want %q, %v", tc.header, got, err, tc.want, tc.err)
			}
			if err != nil && (strings.Contains(err.Error(), adminToken[9:]) || strings.Contains(err.Error(), ingestToken[10:])) {
				t.Errorf("the error quotes the token: %v", err)
			}
		})
	}
}

// TestCheckScopeMismatch: a hash listed under the other scope is a misconfigured secret;
// the token is refused, not given the scope its hash happens to sit under.
func TestCheckScopeMismatch(t *testing.T) {
	c, err := auth.NewChecker(auth.Hashes{Admin: []string{auth.HashToken(ingestToken)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Check("Bearer " + ingestToken); !errors.Is(err, auth.ErrUnknownToken) {
		t.Errorf("Check = %q, %v; want ErrUnknownToken", got, err)
	}
}

func TestAuthorize(t *testing.T) {
	c := testChecker(t)
	cases := []struct {
		name   string
		header string
		route  string
		want   auth.Scope
		err    error
		status int
	}{
		{"admin on an admin route", "Bearer " + adminToken, "DELETE /webhooks/{id}", auth.ScopeAdmin, nil, 200},
		{"admin reads events", "Bearer " + adminToken, "GET /events", auth.ScopeAdmin, nil, 200},
		{"ingest sends an event", "Bearer " + ingestToken, "POST /events", auth.ScopeIngest, nil, 200},
		{"health without a token", "", "GET /healthz", auth.ScopeNone, nil, 200},
		{"health ignores a bad token", "Bearer nonsense", "GET /healthz", auth.ScopeNone, nil, 200},

		{"ingest on an admin route", "Bearer " + ingestToken, "POST /webhooks", auth.ScopeIngest, auth.ErrWrongScope, 403},
		{"ingest reads events", "Bearer " + ingestToken, "GET /events", auth.ScopeIngest, auth.ErrWrongScope, 403},
		{"admin sends an event", "Bearer " + adminToken, "POST /events", auth.ScopeAdmin, auth.ErrWrongScope, 403},
		{"missing", "", "POST /events", auth.ScopeNone, auth.ErrNoToken, 401},
		{"malformed", "Token " + ingestToken, "POST /events", auth.ScopeNone, auth.ErrMalformedToken, 401},
		{"wrong", "Bearer " + otherAdmin, "GET /webhooks", auth.ScopeNone, auth.ErrUnknownToken, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method, path, _ := strings.Cut(tc.route, " ")
			got, err := c.Authorize(tc.header, method, path)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Errorf("Authorize(%q, %s) = %q, %v; want %q, %v", tc.header, tc.route, got, err, tc.want, tc.err)
			}
			if err != nil {
				if got := auth.Status(err); got != tc.status {
					t.Errorf("Status(%v) = %d, want %d", err, got, tc.status)
				}
			}
		})
	}
	if got := auth.Status(errors.New("secret unreadable")); got != http.StatusInternalServerError {
		t.Errorf("Status(other) = %d, want 500", got)
	}
}

func TestAuthenticate(t *testing.T) {
	c := testChecker(t)
	r := httptest.NewRequest("POST", "/events", nil)
	if _, err := c.Authenticate(r); !errors.Is(err, auth.ErrNoToken) {
		t.Errorf("Authenticate without a header: %v, want ErrNoToken", err)
	}
	r.Header.Set("Authorization", "Bearer "+ingestToken)
	if got, err := c.Authenticate(r); err != nil || got != auth.ScopeIngest {
		t.Errorf("Authenticate = %q, %v; want ingest", got, err)
	}
}

func TestNewCheckerRejects(t *testing.T) {
	for name, h := range map[string]auth.Hashes{
		"no hashes":   {},
		"not hex":     {Admin: []string{strings.Repeat("z", 64)}},
		"short":       {Ingest: []string{strings.Repeat("a", 62)}},
		"a raw token": {Admin: []string{adminToken}},
	} {
		if c, err := auth.NewChecker(h); err == nil {
			t.Errorf("%s: NewChecker = %v, nil; want an error", name, c)
		}
	}
}

// FuzzCheck: any header either fails with one of the three authentication errors or is
// exactly one of the two known tokens.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "Bearer " + adminToken, "bearer " + ingestToken, "Bearer fh_admin_", "Basic x", "Bearer  " + otherAdmin} {
		f.Add(s)
	}
	c := testChecker(f)
	f.Fuzz(func(t *testing.T, header string) {
		s, err := c.Check(header)
		if err != nil {
			if !errors.Is(err, auth.ErrNoToken) && !errors.Is(err, auth.ErrMalformedToken) && !errors.Is(err, auth.ErrUnknownToken) {
				t.Fatalf("Check(%q) error %v is none of the authentication errors", header, err)
			}
			if s != auth.ScopeNone {
				t.Fatalf("Check(%q) = %q with error %v", header, s, err)
			}
			return
		}
		_, tok, _ := strings.Cut(strings.TrimSpace(header), " ")
		tok = strings.TrimLeft(tok, " ")
		if !(s == auth.ScopeAdmin && tok == adminToken) && !(s == auth.ScopeIngest && tok == ingestToken) {
			t.Fatalf("Check(%q) accepted %q as %q", header, tok, s)
		}
	})
}
