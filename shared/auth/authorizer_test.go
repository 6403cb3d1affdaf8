package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/flowhook/flowhook/shared/auth"
)

// fakeSource serves one secret value and counts reads.
type fakeSource struct {
	mu    sync.Mutex
	value string
	err   error
	reads int
	ids   []string
}

func (f *fakeSource) SecretString(_ context.Context, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	f.ids = append(f.ids, id)
	return f.value, f.err
}

func (f *fakeSource) set(value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.value = value
}

func hashesOf(t *testing.T, admin, ingest []string) string {
	t.Helper()
	var a, i []string
	for _, tok := range admin {
		a = append(a, `"`+auth.HashToken(tok)+`"`)
	}
	for _, tok := range ingest {
		i = append(i, `"`+auth.HashToken(tok)+`"`)
	}
	return `{"admin":[` + strings.Join(a, ",") + `],"ingest":[` + strings.Join(i, ",") + `]}`
}

func TestAuthorizer(t *testing.T) {
	secret := hashesOf(t, []string{adminToken}, []string{ingestToken})
	cases := []struct {
		name      string
		req       auth.Request
		allowed   bool
		scope     auth.Scope
		required  auth.Scope
		route     string
		err       error
		readsSecr bool
	}{
		{"admin token on an admin route",
			auth.Request{Authorization: "Bearer " + adminToken, RouteKey: "GET /webhooks/{id}", Method: "GET", Path: "/webhooks/w_1"},
			true, auth.ScopeAdmin, auth.ScopeAdmin, "GET /webhooks/{id}", nil, true},
		{"ingest token on POST /events",
			auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "POST /events", Method: "POST", Path: "/events"},
			true, auth.ScopeIngest, auth.ScopeIngest, "POST /events", nil, true},
		{"ingest token on an admin route",
			auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "DELETE /webhooks/{id}", Method: "DELETE", Path: "/webhooks/w_1"},
			false, auth.ScopeIngest, auth.ScopeAdmin, "DELETE /webhooks/{id}", auth.ErrWrongScope, true},
		{"admin token on POST /events",
			auth.Request{Authorization: "Bearer " + adminToken, RouteKey: "POST /events", Method: "POST", Path: "/events"},
			false, auth.ScopeAdmin, auth.ScopeIngest, "POST /events", auth.ErrWrongScope, true},
		{"unknown token",
			auth.Request{Authorization: "Bearer " + otherAdmin, RouteKey: "GET /webhooks", Method: "GET", Path: "/webhooks"},
			false, auth.ScopeNone, auth.ScopeAdmin, "GET /webhooks", auth.ErrUnknownToken, true},
		{"malformed token: refused without reading the secret",
			auth.Request{Authorization: "Bearer hunter2", RouteKey: "GET /webhooks", Method: "GET", Path: "/webhooks"},
			false, auth.ScopeNone, auth.ScopeAdmin, "GET /webhooks", auth.ErrMalformedToken, false},
		{"no token: refused without reading the secret",
			auth.Request{RouteKey: "POST /events", Method: "POST", Path: "/events"},
			false, auth.ScopeNone, auth.ScopeIngest, "POST /events", auth.ErrNoToken, false},
		{"health needs nothing",
			auth.Request{RouteKey: "GET /healthz", Method: "GET", Path: "/healthz"},
			true, auth.ScopeNone, auth.ScopeNone, "GET /healthz", nil, false},
		{"$default route: the request's method and path decide",
			auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "$default", Method: "POST", Path: "/events"},
			true, auth.ScopeIngest, auth.ScopeIngest, "POST /events", nil, true},
		{"$default route: ingest elsewhere is refused",
			auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "$default", Method: "POST", Path: "/webhooks"},
			false, auth.ScopeIngest, auth.ScopeAdmin, "POST /webhooks", auth.ErrWrongScope, true},
		{"ANY /{proxy+}: the request decides",
			auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "ANY /{proxy+}", Method: "GET", Path: "/events"},
			false, auth.ScopeIngest, auth.ScopeAdmin, "GET /events", auth.ErrWrongScope, true},
		{"greedy path: the request decides",
			auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "POST /{proxy+}", Method: "POST", Path: "/events"},
			true, auth.ScopeIngest, auth.ScopeIngest, "POST /events", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := &fakeSource{value: secret}
			a, err := auth.NewAuthorizer(src, "flowhook/api-tokens")
			if err != nil {
				t.Fatal(err)
			}
			d, err := a.Authorize(context.Background(), tc.req)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if d.Allowed != tc.allowed || d.Scope != tc.scope || d.Required != tc.required || d.Route != tc.route {
				t.Errorf("decision = {Allowed:%v Scope:%q Required:%q Route:%q}, want {Allowed:%v Scope:%q Required:%q Route:%q}",
					d.Allowed, d.Scope, d.Required, d.Route, tc.allowed, tc.scope, tc.required, tc.route)
			}
			if !errors.Is(d.Err, tc.err) || (tc.err == nil) != (d.Err == nil) {
				t.Errorf("decision error = %v, want %v", d.Err, tc.err)
			}
			if got := src.reads > 0; got != tc.readsSecr {
				t.Errorf("read the secret: %v, want %v", got, tc.readsSecr)
			}
			if tc.readsSecr && src.ids[0] != "flowhook/api-tokens" {
				t.Errorf("read secret %q, want flowhook/api-tokens", src.ids[0])
			}
		})
	}
}

func TestAuthorizerFailsClosed(t *testing.T) {
	req := auth.Request{Authorization: "Bearer " + adminToken, RouteKey: "GET /webhooks"}
	cases := []struct {
		name  string
		value string
		err   error
	}{
		{"secret unreadable", "", errors.New("AccessDeniedException")},
		{"secret not JSON", "fh_admin_…", nil},
		{"secret with no hashes", `{"admin":[],"ingest":[]}`, nil},
		{"secret holding tokens, not hashes", `{"admin":["` + adminToken + `"]}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := auth.NewAuthorizer(&fakeSource{value: tc.value, err: tc.err}, "flowhook/api-tokens")
			if err != nil {
				t.Fatal(err)
			}
			d, err := a.Authorize(context.Background(), req)
			if err == nil {
				t.Fatalf("Authorize = %+v, nil; want an error", d)
			}
			if d.Allowed {
				t.Errorf("Authorize allowed a request it could not decide")
			}
			if strings.Contains(err.Error(), adminToken[9:]) {
				t.Errorf("the error quotes a token: %v", err)
			}
		})
	}
}

// TestAuthorizerRotation: a change of the secret's value takes effect on the next read.
func TestAuthorizerRotation(t *testing.T) {
	src := &fakeSource{value: hashesOf(t, []string{adminToken}, []string{ingestToken})}
	a, err := auth.NewAuthorizer(src, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		secret string // empty: unchanged
		token  string
		want   bool
	}{
		{"", adminToken, true},
		{"", otherAdmin, false},
		{hashesOf(t, []string{adminToken, otherAdmin}, []string{ingestToken}), otherAdmin, true},
		{"", adminToken, true},
		{hashesOf(t, []string{otherAdmin}, []string{ingestToken}), adminToken, false},
		{"", otherAdmin, true},
	}
	for i, s := range steps {
		if s.secret != "" {
			src.set(s.secret)
		}
		d, err := a.Authorize(context.Background(), auth.Request{Authorization: "Bearer " + s.token, RouteKey: "GET /webhooks"})
		if err != nil || d.Allowed != s.want {
			t.Errorf("step %d: Allowed = %v, %v; want %v", i, d.Allowed, err, s.want)
		}
	}
}

func TestNewAuthorizerRejects(t *testing.T) {
	if _, err := auth.NewAuthorizer(nil, "x"); err == nil {
		t.Error("NewAuthorizer(nil source) succeeded")
	}
	if _, err := auth.NewAuthorizer(&fakeSource{}, ""); err == nil {
		t.Error("NewAuthorizer without a secret id succeeded")
	}
}

// benchSource serves a value with no locking or bookkeeping, so benchmarks measure the
// Authorizer.
type benchSource struct{ v atomic.Pointer[string] }

func (b *benchSource) SecretString(context.Context, string) (string, error) { return *b.v.Load(), nil }

func newBenchSource(v string) *benchSource {
	b := &benchSource{}
	b.v.Store(&v)
	return b
}

func BenchmarkCheck(b *testing.B) {
	c := testChecker(b)
	h := "Bearer " + ingestToken
	for b.Loop() {
		if _, err := c.Check(h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorizerWarm is the per-request cost in a warm function with the secret
// value in memory: parse memoized, one SHA-256 and two comparisons.
func BenchmarkAuthorizerWarm(b *testing.B) {
	src := newBenchSource(`{"admin":["` + auth.HashToken(adminToken) + `"],"ingest":["` + auth.HashToken(ingestToken) + `"]}`)
	a, _ := auth.NewAuthorizer(src, "tokens")
	req := auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "POST /events"}
	for b.Loop() {
		if d, err := a.Authorize(context.Background(), req); err != nil || !d.Allowed {
			b.Fatal(d, err)
		}
	}
}

// BenchmarkAuthorizerParseEveryTime is the same with the memo defeated: the secret's
// value alternates between two equal documents, so it is parsed on every call.
func BenchmarkAuthorizerParseEveryTime(b *testing.B) {
	v1 := `{"admin":["` + auth.HashToken(adminToken) + `"],"ingest":["` + auth.HashToken(ingestToken) + `"]}`
	v2 := v1 + " "
	src := newBenchSource(v1)
	a, _ := auth.NewAuthorizer(src, "tokens")
	req := auth.Request{Authorization: "Bearer " + ingestToken, RouteKey: "POST /events"}
	i := 0
	for b.Loop() {
		i++
		if i%2 == 0 {
			src.v.Store(&v1)
		} else {
			src.v.Store(&v2)
		}
		if d, err := a.Authorize(context.Background(), req); err != nil || !d.Allowed {
			b.Fatal(d, err)
		}
	}
}
