package auth_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/auth"
)

func TestLoadOrCreateTokensCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".flowhook")
	tok, err := auth.LoadOrCreateTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !tokenForm.MatchString(tok.Admin) || !strings.HasPrefix(tok.Admin, "fh_admin_") {
		t.Errorf("admin token %q is not fh_admin_<64 hex>", tok.Admin)
	}
	if !tokenForm.MatchString(tok.Ingest) || !strings.HasPrefix(tok.Ingest, "fh_ingest_") {
		t.Errorf("ingest token %q is not fh_ingest_<64 hex>", tok.Ingest)
	}
	path := filepath.Join(dir, auth.TokensFileName)
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("mode of %s = %04o, want %04o", c.path, got, c.want)
		}
	}
	// The file is the documented {"admin": "…", "ingest": "…"}.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("tokens.json is not JSON: %v", err)
	}
	want := map[string]any{"admin": tok.Admin, "ingest": tok.Ingest}
	if len(doc) != 2 || doc["admin"] != want["admin"] || doc["ingest"] != want["ingest"] {
		t.Errorf("tokens.json = %v, want %v", doc, want)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("the data dir holds %d entries, want only %s (no temporary files)", len(ents), auth.TokensFileName)
	}
}

func TestLoadOrCreateTokensReuses(t *testing.T) {
	dir := t.TempDir()
	first, err := auth.LoadOrCreateTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := auth.LoadOrCreateTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Errorf("second start got %+v, want the first start's %+v", second, first)
	}
	// A file written by hand is used as it is.
	path := filepath.Join(dir, auth.TokensFileName)
	if err := os.WriteFile(path, []byte(`{"admin":"`+adminToken+`","ingest":"`+ingestToken+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := auth.LoadOrCreateTokens(dir)
	if want := (auth.Tokens{Admin: adminToken, Ingest: ingestToken}); err != nil || got != want {
		t.Errorf("LoadOrCreateTokens = %+v, %v; want %+v", got, err, want)
	}
}

func TestLoadOrCreateTokensConcurrentStarts(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	got := make([]auth.Tokens, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = auth.LoadOrCreateTokens(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("start %d got %+v, start 0 got %+v; want one set of tokens", i, got[i], got[0])
		}
	}
}

func TestLoadOrCreateTokensRejects(t *testing.T) {
	cases := []struct {
		name    string
		data    string
		mode    os.FileMode
		wantSub string
	}{
		{"readable by group", `{"admin":"` + adminToken + `","ingest":"` + ingestToken + `"}`, 0o640, "chmod 600"},
		{"readable by others", `{"admin":"` + adminToken + `","ingest":"` + ingestToken + `"}`, 0o604, "chmod 600"},
		{"not JSON", `admin=` + adminToken, 0o600, "not JSON"},
		{"swapped", `{"admin":"` + ingestToken + `","ingest":"` + adminToken + `"}`, 0o600, "admin token"},
		{"missing ingest", `{"admin":"` + adminToken + `"}`, 0o600, "ingest token"},
		{"unknown key", `{"admin":"` + adminToken + `","ingest":"` + ingestToken + `","root":"x"}`, 0o600, "root"},
		{"trailing brace", `{"admin":"` + adminToken + `","ingest":"` + ingestToken + `"}}`, 0o600, "after"},
		{"a list", `["` + adminToken + `"]`, 0o600, "admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, auth.TokensFileName)
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			got, err := auth.LoadOrCreateTokens(dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantSub) {
				t.Fatalf("LoadOrCreateTokens = %+v, %v; want an error mentioning %q", got, err, tc.wantSub)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("the error %q does not name the file %s", err, path)
			}
			if strings.Contains(err.Error(), adminToken[9:]) || strings.Contains(err.Error(), ingestToken[10:]) {
				t.Errorf("the error quotes a token: %v", err)
			}
			if after, _ := os.ReadFile(path); string(after) != tc.data {
				t.Error("LoadOrCreateTokens changed a file it refused")
			}
		})
	}
}

// FuzzLoadTokens feeds arbitrary tokens files: LoadOrCreateTokens never panics, never
// rewrites a file that exists, and returns only well-formed tokens of the right scopes.
func FuzzLoadTokens(f *testing.F) {
	f.Add([]byte(`{"admin":"` + adminToken + `","ingest":"` + ingestToken + `"}`))
	f.Add([]byte(`{"admin":"` + adminToken + `"}`))
	f.Add([]byte(`{"admin":1}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, auth.TokensFileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		tok, err := auth.LoadOrCreateTokens(dir)
		if after, _ := os.ReadFile(path); string(after) != string(data) {
			t.Fatalf("LoadOrCreateTokens rewrote an existing file")
		}
		if err != nil {
			return
		}
		if !strings.HasPrefix(tok.Admin, "fh_admin_") || !tokenForm.MatchString(tok.Admin) ||
			!strings.HasPrefix(tok.Ingest, "fh_ingest_") || !tokenForm.MatchString(tok.Ingest) {
			t.Fatalf("LoadOrCreateTokens accepted %q as %+v", data, tok)
		}
	})
}
