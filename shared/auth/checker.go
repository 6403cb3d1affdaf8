package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Errors of a failed check. ErrNoToken, ErrMalformedToken and ErrUnknownToken mean the
// caller is not authenticated (HTTP 401); ErrWrongScope means it is, but may not call
// the route (HTTP 403).
var (
	// ErrNoToken means the request has no Authorization header.
	ErrNoToken = errors.New("no bearer token")
	// ErrMalformedToken means the header is not "Bearer fh_<scope>_<64 hex digits>".
	ErrMalformedToken = errors.New("malformed bearer token")
	// ErrUnknownToken means a well-formed token whose hash is not listed (under its scope).
	ErrUnknownToken = errors.New("unknown bearer token")
	// ErrWrongScope means a known token whose scope may not call the route.
	ErrWrongScope = errors.New("token scope does not allow the route")
)

// Status returns the HTTP status for an error from Checker: 401, 403, or 500 for any
// other error.
func Status(err error) int {
	switch {
	case errors.Is(err, ErrNoToken), errors.Is(err, ErrMalformedToken), errors.Is(err, ErrUnknownToken):
		return http.StatusUnauthorized
	case errors.Is(err, ErrWrongScope):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// Checker tells which scope a bearer token carries by comparing its SHA-256 with a set
// of known hashes. It is immutable and safe for concurrent use.
type Checker struct {
	entries []entry
}

type entry struct {
	scope Scope
	sum   [sha256.Size]byte
}

// NewChecker returns a Checker accepting the tokens whose hashes h lists.
func NewChecker(h Hashes) (*Checker, error) {
	c := &Checker{}
	for _, l := range []struct {
		scope  Scope
		hashes []string
	}{{ScopeAdmin, h.Admin}, {ScopeIngest, h.Ingest}} {
		for i, hx := range l.hashes {
			b, err := hex.DecodeString(hx)
			if err != nil || len(b) != sha256.Size {
				return nil, fmt.Errorf("new checker: %s hash %d is not 64 hex digits", l.scope, i)
			}
			e := entry{scope: l.scope}
			copy(e.sum[:], b)
			c.entries = append(c.entries, e)
		}
	}
	if len(c.entries) == 0 {
		return nil, errors.New("new checker: no token hashes")
	}
	return c, nil
}

// parseBearer returns the token of an Authorization header value "Bearer <token>" (the
// scheme in any case) and the scope its prefix names. The errors never quote the header.
func parseBearer(header string) (token string, s Scope, err error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", "", ErrNoToken
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", "", fmt.Errorf("%w: the Authorization header must be \"Bearer <token>\"", ErrMalformedToken)
	}
	token = strings.TrimLeft(token, " ")
	s, ok = tokenScope(token)
	if !ok {
		return "", "", fmt.Errorf("%w: a Flowhook token is fh_admin_ or fh_ingest_ and 64 hex digits", ErrMalformedToken)
	}
	return token, s, nil
}

// Check returns the scope of the token in an Authorization header value.
func (c *Checker) Check(header string) (Scope, error) {
	token, claimed, err := parseBearer(header)
	if err != nil {
		return ScopeNone, err
	}
	sum := sha256.Sum256([]byte(token))
	found := ScopeNone
	// Compare with every entry, without stopping at a match: the time taken does not
	// depend on which hash, if any, matched.
	for i := range c.entries {
		if subtle.ConstantTimeCompare(sum[:], c.entries[i].sum[:]) == 1 {
			found = c.entries[i].scope
		}
	}
	switch {
	case found == ScopeNone:
		return ScopeNone, ErrUnknownToken
	case found != claimed:
		// A hash listed under the other scope: the secret is misconfigured. Refuse rather
		// than let a token's readable prefix lie about what it may do.
		return ScopeNone, fmt.Errorf("%w: its hash is listed under %q but its prefix says %q", ErrUnknownToken, found, claimed)
	}
	return found, nil
}

// Authenticate returns the scope of the request's bearer token.
func (c *Checker) Authenticate(r *http.Request) (Scope, error) {
	return c.Check(r.Header.Get("Authorization"))
}

// Authorize checks that the token in header may call method and path (a request path
// or a route pattern, see RequiredScope). It returns the token's scope (ScopeNone for a
// route that needs no token, whose header is not looked at).
func (c *Checker) Authorize(header, method, path string) (Scope, error) {
	required := RequiredScope(method, path)
	if required == ScopeNone {
		return ScopeNone, nil
	}
	s, err := c.Check(header)
	if err != nil {
		return ScopeNone, err
	}
	if !s.Allows(required) {
		return s, fmt.Errorf("%w: a token of scope %q cannot call %s %s, which needs %q", ErrWrongScope, s, strings.ToUpper(method), path, required)
	}
	return s, nil
}
