package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// TokensFileName is the local tokens file under the data directory.
const TokensFileName = "tokens.json"

// tokensJSON is the local tokens file: {"admin": "…", "ingest": "…"}.
type tokensJSON struct {
	Admin  string `json:"admin"`
	Ingest string `json:"ingest"`
}

// LoadOrCreateTokens returns the local tokens kept in dir/tokens.json, creating the
// directory (mode 0700) and the file (mode 0600) with two new tokens on first use. It
// refuses a file that group or others can read, and one whose tokens are malformed.
// Two processes starting at once agree on one file.
func LoadOrCreateTokens(dir string) (Tokens, error) {
	path := filepath.Join(dir, TokensFileName)
	t, err := readTokens(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return t, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Tokens{}, fmt.Errorf("create tokens: %w", err)
	}
	if t.Admin, err = NewToken(ScopeAdmin); err != nil {
		return Tokens{}, fmt.Errorf("create tokens: %w", err)
	}
	if t.Ingest, err = NewToken(ScopeIngest); err != nil {
		return Tokens{}, fmt.Errorf("create tokens: %w", err)
	}
	data, err := json.MarshalIndent(tokensJSON(t), "", "  ")
	if err != nil {
		return Tokens{}, fmt.Errorf("create tokens: %w", err)
	}
	err = createExclusive(path, append(data, '\n'))
	if errors.Is(err, fs.ErrExist) {
		return readTokens(path) // another process won the race
	}
	if err != nil {
		return Tokens{}, fmt.Errorf("create tokens: %w", err)
	}
	return t, nil
}

// readTokens reads and checks a tokens file; a missing file wraps fs.ErrNotExist.
func readTokens(path string) (Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return Tokens{}, fmt.Errorf("read tokens: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Tokens{}, fmt.Errorf("read tokens: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return Tokens{}, fmt.Errorf("the tokens file %s has mode %04o, so group or others can read it; run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return Tokens{}, fmt.Errorf("read tokens %s: %w", path, err)
	}
	t, err := parseTokens(data)
	if err != nil {
		return Tokens{}, fmt.Errorf("the tokens file %s: %w; fix it, or delete it to create new tokens", path, err)
	}
	return t, nil
}

// parseTokens decodes a tokens file strictly. Errors never quote a token.
func parseTokens(data []byte) (Tokens, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in tokensJSON
	if err := dec.Decode(&in); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return Tokens{}, fmt.Errorf("not JSON (byte %d)", syn.Offset)
		}
		return Tokens{}, fmt.Errorf(`not {"admin": "…", "ingest": "…"}: %w`, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Tokens{}, errors.New("data after the JSON object")
	}
	t := Tokens(in)
	if err := t.check(); err != nil {
		return Tokens{}, err
	}
	return t, nil
}

// createExclusive creates path holding data, mode 0600, failing with fs.ErrExist when
// it exists. The content is complete before the name appears (temp file, then a hard
// link), so a concurrent reader never sees a partial file.
func createExclusive(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := os.Link(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
