package secrets_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/webhook"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	f, err := secrets.OpenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Put(context.Background(), "c_1", "v"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700},
		{filepath.Join(dir, secrets.KeyFileName), 0o600},
		{filepath.Join(dir, secrets.DataFileName), 0o600},
	} {
		if got := mode(t, tc.path); got != tc.want {
			t.Errorf("mode of %s = %04o, want %04o", tc.path, got, tc.want)
		}
	}
	// No temporary files are left behind.
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if want := []string{secrets.DataFileName, secrets.KeyFileName}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("files in the data dir = %v, want %v", names, want)
	}
}

func TestFileKeyModeRefused(t *testing.T) {
	for _, perm := range []os.FileMode{0o640, 0o604, 0o644, 0o660, 0o666} {
		t.Run(perm.String(), func(t *testing.T) {
			dir := t.TempDir()
			if _, err := secrets.OpenFile(dir); err != nil {
				t.Fatal(err)
			}
			key := filepath.Join(dir, secrets.KeyFileName)
			if err := os.Chmod(key, perm); err != nil {
				t.Fatal(err)
			}
			_, err := secrets.OpenFile(dir)
			if err == nil || !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), key) {
				t.Errorf("OpenFile with key mode %04o: got %v, want an error telling to chmod 600 %s", perm, err, key)
			}
		})
	}
	t.Run("0400 is fine", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := secrets.OpenFile(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, secrets.KeyFileName), 0o400); err != nil {
			t.Fatal(err)
		}
		if _, err := secrets.OpenFile(dir); err != nil {
			t.Errorf("OpenFile with key mode 0400: %v", err)
		}
	})
}

func TestFilePersistsAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	f1, err := secrets.OpenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref1, _ := f1.Put(ctx, "c_1", "first")
	ref2, _ := f1.Put(ctx, "c_2", "second")
	if err := f1.Delete(ctx, ref2); err != nil {
		t.Fatal(err)
	}
	key1, _ := os.ReadFile(filepath.Join(dir, secrets.KeyFileName))

	f2, err := secrets.OpenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if key2, _ := os.ReadFile(filepath.Join(dir, secrets.KeyFileName)); !bytes.Equal(key1, key2) {
		t.Error("reopening replaced the key file")
	}
	if got, err := f2.Get(ctx, ref1); err != nil || got != "first" {
		t.Errorf("Get(%s) after reopen = %q, %v; want %q", ref1, got, err, "first")
	}
	if _, err := f2.Get(ctx, ref2); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("Get(%s) of the deleted secret after reopen: %v, want ErrNotFound", ref2, err)
	}
}

// TestFileNeverHoldsPlaintext proves the data file's bytes hold no trace of the value:
// not the value, not its base64 or hex, and no value twice with the same ciphertext.
func TestFileNeverHoldsPlaintext(t *testing.T) {
	const secret = "correct-horse-battery-staple-42"
	dir := t.TempDir()
	f, err := secrets.OpenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range []string{"c_1", "c_2"} {
		if _, err := f.Put(ctx, id, secret); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, secrets.DataFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{
		secret,
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret)),
		hex.EncodeToString([]byte(secret)),
		secret[:12],
	} {
		if bytes.Contains(data, []byte(form)) {
			t.Errorf("the data file holds %q", form)
		}
	}
	var doc struct {
		Secrets map[string]struct{ Nonce, Ciphertext []byte }
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	a, b := doc.Secrets["c_1"], doc.Secrets["c_2"]
	if bytes.Equal(a.Nonce, b.Nonce) || bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Error("two puts of one value share a nonce or a ciphertext; nonces must be random per value")
	}
}

// tamper rewrites the data file through edit, which changes the decoded document.
func tamper(t *testing.T, dir string, edit func(secrets map[string]map[string][]byte)) {
	t.Helper()
	path := filepath.Join(dir, secrets.DataFileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version int                          `json:"version"`
		Secrets map[string]map[string][]byte `json:"secrets"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc.Secrets)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFileTamperDetection(t *testing.T) {
	cases := []struct {
		name string
		edit func(dir string, s map[string]map[string][]byte)
	}{
		{"a flipped ciphertext bit", func(_ string, s map[string]map[string][]byte) { s["c_1"]["ciphertext"][0] ^= 1 }},
		{"a flipped tag bit", func(_ string, s map[string]map[string][]byte) {
			c := s["c_1"]["ciphertext"]
			c[len(c)-1] ^= 0x80
		}},
		{"a changed nonce", func(_ string, s map[string]map[string][]byte) { s["c_1"]["nonce"][3] ^= 0xff }},
		{"a truncated ciphertext", func(_ string, s map[string]map[string][]byte) {
			s["c_1"]["ciphertext"] = s["c_1"]["ciphertext"][:len(s["c_1"]["ciphertext"])-1]
		}},
		{"another connector's entry moved in", func(_ string, s map[string]map[string][]byte) { s["c_1"] = s["c_2"] }},
		{"another key", func(dir string, _ map[string]map[string][]byte) {
			other := bytes.Repeat([]byte("ab"), 32)
			if err := os.WriteFile(filepath.Join(dir, secrets.KeyFileName), append(other, '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := context.Background()
			f, err := secrets.OpenFile(dir)
			if err != nil {
				t.Fatal(err)
			}
			ref, _ := f.Put(ctx, "c_1", "the-real-secret")
			if _, err := f.Put(ctx, "c_2", "the-other-secret"); err != nil {
				t.Fatal(err)
			}
			tamper(t, dir, func(s map[string]map[string][]byte) { tc.edit(dir, s) })
			f, err = secrets.OpenFile(dir)
			if err != nil {
				t.Fatalf("OpenFile of a file with one bad entry: %v; want the other entries readable", err)
			}
			got, err := f.Get(ctx, ref)
			if !errors.Is(err, secrets.ErrCorrupt) {
				t.Errorf("Get after tampering = %q, %v; want ErrCorrupt", got, err)
			}
		})
	}
}

func TestOpenFileRejects(t *testing.T) {
	valid := `{"version":1,"secrets":{"c_1":{"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAA="}}}`
	cases := []struct {
		name    string
		data    string // the data file; empty means none
		key     string // the key file; empty means none
		wantSub string
	}{
		{"data without its key", valid, "", "key file"},
		{"not JSON", "{", "k", "decode"},
		{"unknown field", `{"version":1,"secrets":{},"plain":"x"}`, "k", "plain"},
		{"trailing data", `{"version":1,"secrets":{}} {}`, "k", "after"},
		{"trailing brace", `{"version":1,"secrets":{}}}`, "k", "after"},
		{"future version", `{"version":2,"secrets":{}}`, "k", "version 2"},
		{"bad id", `{"version":1,"secrets":{"c/1":{"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAA="}}}`, "k", "c/1"},
		{"short nonce", `{"version":1,"secrets":{"c_1":{"nonce":"AAAA","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAA="}}}`, "k", "nonce"},
		{"short ciphertext", `{"version":1,"secrets":{"c_1":{"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AAAA"}}}`, "k", "ciphertext"},
		{"key not hex", valid, "zz", "hex digits"},
		{"key too short", valid, "abcd", "hex digits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.data != "" {
				if err := os.WriteFile(filepath.Join(dir, secrets.DataFileName), []byte(tc.data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			key := tc.key
			if key == "k" {
				key = strings.Repeat("0f", 32)
			}
			if key != "" {
				if err := os.WriteFile(filepath.Join(dir, secrets.KeyFileName), []byte(key), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := secrets.OpenFile(dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantSub) {
				t.Errorf("OpenFile: got %v, want an error mentioning %q", err, tc.wantSub)
			}
			if tc.key == "" {
				if _, err := os.Stat(filepath.Join(dir, secrets.KeyFileName)); err == nil {
					t.Error("OpenFile created a new key file beside data it cannot read")
				}
			}
		})
	}
}

// FuzzOpenFile feeds arbitrary data files: OpenFile must not panic, and a file it
// accepts must leave every entry either readable or ErrCorrupt.
func FuzzOpenFile(f *testing.F) {
	f.Add([]byte(`{"version":1,"secrets":{}}`))
	f.Add([]byte(`{"version":1,"secrets":{"c_1":{"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AAAAAAAAAAAAAAAAAAAAAAA="}}}`))
	f.Add([]byte(`{"version":1,"secrets":{"c_1":null}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, secrets.KeyFileName), []byte(strings.Repeat("0f", 32)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, secrets.DataFileName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := secrets.OpenFile(dir)
		if err != nil {
			return
		}
		var doc struct{ Secrets map[string]json.RawMessage }
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("OpenFile accepted data encoding/json rejects: %v", err)
		}
		for id := range doc.Secrets {
			if _, err := s.Get(context.Background(), "local:"+id); err != nil && !errors.Is(err, secrets.ErrCorrupt) {
				t.Errorf("Get(local:%s) = %v, want a value or ErrCorrupt", id, err)
			}
		}
	})
}

func BenchmarkFile(b *testing.B) {
	ctx := context.Background()
	f, err := secrets.OpenFile(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	ref, err := f.Put(ctx, "c_1", "bench-value")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("get", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Get(ctx, ref); err != nil {
				b.Fatal(err)
			}
		}
	})
	// put rewrites and fsyncs the whole file: its cost is the disk's.
	b.Run("put", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Put(ctx, "c_1", "bench-value"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
