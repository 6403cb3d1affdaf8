package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

const (
	tokenPrefix    = "fh_"
	tokenRandBytes = 32
)

// NewToken returns a fresh token of scope s: "fh_<scope>_" and 32 random bytes in hex.
func NewToken(s Scope) (string, error) {
	if !s.valid() {
		return "", fmt.Errorf("new token: unknown scope %q", s)
	}
	b := make([]byte, tokenRandBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return tokenPrefix + string(s) + "_" + hex.EncodeToString(b), nil
}

// tokenScope returns the scope a well-formed token's prefix names; ok is false when
// the token is not of the form NewToken makes.
func tokenScope(token string) (s Scope, ok bool) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return "", false
	}
	name, digits, ok := strings.Cut(rest, "_")
	if !ok || len(digits) != 2*tokenRandBytes {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	s = Scope(name)
	return s, s.valid()
}

// HashToken returns the SHA-256 of token in lowercase hex, the form the tokens secret
// lists.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Tokens are the two local tokens, one per scope.
type Tokens struct {
	Admin  string
	Ingest string
}

// check reports a token that is malformed or carries the wrong scope prefix.
func (t Tokens) check() error {
	for _, c := range []struct {
		token string
		want  Scope
	}{{t.Admin, ScopeAdmin}, {t.Ingest, ScopeIngest}} {
		if s, ok := tokenScope(c.token); !ok || s != c.want {
			return fmt.Errorf("the %s token is not of the form fh_%s_<64 hex digits>", c.want, c.want)
		}
	}
	return nil
}

// Hashes returns the hashes of t, one per scope.
func (t Tokens) Hashes() Hashes {
	return Hashes{Admin: []string{HashToken(t.Admin)}, Ingest: []string{HashToken(t.Ingest)}}
}

// Hashes are the SHA-256 hashes (lowercase hex) of the tokens accepted per scope.
type Hashes struct {
	Admin  []string
	Ingest []string
}

// hashesJSON is the tokens secret's value.
type hashesJSON struct {
	Admin  []string `json:"admin"`
	Ingest []string `json:"ingest"`
}

// HashesJSON returns the value of the AWS tokens secret for t:
// {"admin":["<sha256 hex>"],"ingest":["<sha256 hex>"]}.
func HashesJSON(t Tokens) ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("hashes JSON: %w", err)
	}
	return json.Marshal(hashesJSON(t.Hashes()))
}

// ParseHashes decodes a tokens secret value strictly: only the keys "admin" and
// "ingest", each a list of 64-hex-digit hashes, at least one hash in all. Errors name
// the key and index at fault, never a hash.
func ParseHashes(data []byte) (Hashes, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in hashesJSON
	if err := dec.Decode(&in); err != nil {
		return Hashes{}, fmt.Errorf("parse token hashes: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Hashes{}, errors.New("parse token hashes: data after the JSON object")
	}
	out := Hashes{Admin: make([]string, 0, len(in.Admin)), Ingest: make([]string, 0, len(in.Ingest))}
	for _, l := range []struct {
		name string
		in   []string
		out  *[]string
	}{{"admin", in.Admin, &out.Admin}, {"ingest", in.Ingest, &out.Ingest}} {
		for i, h := range l.in {
			b, err := hex.DecodeString(h)
			if err != nil || len(b) != sha256.Size {
				return Hashes{}, fmt.Errorf("parse token hashes: %s[%d] is not a SHA-256 hash in hex (64 digits)", l.name, i)
			}
			*l.out = append(*l.out, hex.EncodeToString(b))
		}
	}
	if len(out.Admin)+len(out.Ingest) == 0 {
		return Hashes{}, errors.New(`parse token hashes: no hashes; want {"admin": ["<sha256 hex>"], "ingest": ["<sha256 hex>"]}`)
	}
	return out, nil
}
