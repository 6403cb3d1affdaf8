package auth_test

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/auth"
)

// Fixed tokens for tests: well-formed, never used anywhere else.
const (
	adminToken  = "fh_admin_0000000000000000000000000000000000000000000000000000000000000001"
	ingestToken = "fh_ingest_0000000000000000000000000000000000000000000000000000000000000002"
	otherAdmin  = "fh_admin_00000000000000000000000000000000000000000000000000000000000000ff"
)

var tokenForm = regexp.MustCompile(`^fh_(admin|ingest)_[0-9a-f]{64}$`)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range []auth.Scope{auth.ScopeAdmin, auth.ScopeIngest} {
		for range 50 {
			tok, err := auth.NewToken(s)
			if err != nil {
				t.Fatal(err)
			}
			if m := tokenForm.FindStringSubmatch(tok); m == nil || m[1] != string(s) {
				t.Fatalf("NewToken(%q) = %q, want fh_%s_<64 hex>", s, tok, s)
			}
			if seen[tok] {
				t.Fatalf("NewToken(%q) repeated %q", s, tok)
			}
			seen[tok] = true
		}
	}
	for _, s := range []auth.Scope{auth.ScopeNone, "root", "Admin"} {
		if tok, err := auth.NewToken(s); err == nil {
			t.Errorf("NewToken(%q) = %q, nil; want an error", s, tok)
		}
	}
}

func TestHashToken(t *testing.T) {
	// printf '%s' abc | sha256sum
	if got, want := auth.HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestHashesJSON(t *testing.T) {
	got, err := auth.HashesJSON(auth.Tokens{Admin: adminToken, Ingest: ingestToken})
	if err != nil {
		t.Fatal(err)
	}
	var gotDoc, wantDoc any
	if err := json.Unmarshal(got, &gotDoc); err != nil {
		t.Fatalf("HashesJSON returned invalid JSON %s: %v", got, err)
	}
	want := `{"admin":["` + auth.HashToken(adminToken) + `"],"ingest":["` + auth.HashToken(ingestToken) + `"]}`
	json.Unmarshal([]byte(want), &wantDoc)
	if !reflect.DeepEqual(gotDoc, wantDoc) {
		t.Errorf("HashesJSON = %s, want %s", got, want)
	}
	if strings.Contains(string(got), adminToken) || strings.Contains(string(got), ingestToken) {
		t.Errorf("HashesJSON holds a token: %s", got)
	}
	for _, bad := range []auth.Tokens{
		{Admin: ingestToken, Ingest: ingestToken},
		{Admin: adminToken, Ingest: ""},
		{Admin: adminToken + "0", Ingest: ingestToken},
	} {
		if out, err := auth.HashesJSON(bad); err == nil {
			t.Errorf("HashesJSON(%+v) = %s, nil; want an error", bad, out)
		}
	}
}

func TestParseHashes(t *testing.T) {
	h1 := auth.HashToken(adminToken)
	h2 := auth.HashToken(ingestToken)
	h3 := auth.HashToken(otherAdmin)
	cases := []struct {
		name    string
		in      string
		want    auth.Hashes
		wantErr string // a substring of the error; empty means success
	}{
		{"one per scope", `{"admin":["` + h1 + `"],"ingest":["` + h2 + `"]}`,
			auth.Hashes{Admin: []string{h1}, Ingest: []string{h2}}, ""},
		{"rotation: two admin hashes", `{"admin":["` + h1 + `","` + h3 + `"],"ingest":["` + h2 + `"]}`,
			auth.Hashes{Admin: []string{h1, h3}, Ingest: []string{h2}}, ""},
		{"upper-case hex is normalised", `{"admin":["` + strings.ToUpper(h1) + `"]}`,
			auth.Hashes{Admin: []string{h1}, Ingest: []string{}}, ""},
		{"one scope only", `{"ingest":["` + h2 + `"],"admin":[]}`,
			auth.Hashes{Admin: []string{}, Ingest: []string{h2}}, ""},
		{"no hashes", `{"admin":[],"ingest":[]}`, auth.Hashes{}, "no hashes"},
		{"empty object", `{}`, auth.Hashes{}, "no hashes"},
		{"unknown key", `{"admins":["` + h1 + `"]}`, auth.Hashes{}, "admins"},
		{"a token, not its hash", `{"admin":["` + adminToken + `"]}`, auth.Hashes{}, "admin[0]"},
		{"short hash", `{"ingest":["` + h2[:62] + `"]}`, auth.Hashes{}, "ingest[0]"},
		{"not a list", `{"admin":"` + h1 + `"}`, auth.Hashes{}, "parse"},
		{"not JSON", `admin=` + h1, auth.Hashes{}, "parse"},
		{"trailing data", `{"admin":["` + h1 + `"]}x`, auth.Hashes{}, "after"},
		{"trailing bracket", `{"admin":["` + h1 + `"]}]`, auth.Hashes{}, "after"},
		{"the local tokens file by mistake", `{"admin":"` + adminToken + `","ingest":"` + ingestToken + `"}`, auth.Hashes{}, "parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := auth.ParseHashes([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseHashes = %+v, %v; want an error mentioning %q", got, err, tc.wantErr)
				}
				for _, secret := range []string{adminToken, ingestToken, h1, h2} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("the error quotes a token or hash: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHashes: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseHashes = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// FuzzParseHashes: ParseHashes never panics, and what it accepts builds a Checker and
// survives a round trip through the JSON it came from.
func FuzzParseHashes(f *testing.F) {
	f.Add([]byte(`{"admin":["` + auth.HashToken(adminToken) + `"],"ingest":[]}`))
	f.Add([]byte(`{"admin":null,"ingest":["` + auth.HashToken(ingestToken) + `"]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := auth.ParseHashes(data)
		if err != nil {
			return
		}
		if _, err := auth.NewChecker(h); err != nil {
			t.Fatalf("ParseHashes accepted %q but NewChecker refused it: %v", data, err)
		}
		again, err := json.Marshal(map[string][]string{"admin": h.Admin, "ingest": h.Ingest})
		if err != nil {
			t.Fatal(err)
		}
		h2, err := auth.ParseHashes(again)
		if err != nil || !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip of %q: got %+v, %v; want %+v", data, h2, err, h)
		}
	})
}
