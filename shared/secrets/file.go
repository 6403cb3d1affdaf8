package secrets

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/flowhook/flowhook/shared/webhook"
)

// Names of the local store's files under the data directory.
const (
	// KeyFileName holds the AES-256 key as 64 hex digits, mode 0600.
	KeyFileName = "secrets.key"
	// DataFileName holds the sealed values, mode 0600.
	DataFileName = "secrets.json"
)

// LocalRefPrefix starts every reference File issues.
const LocalRefPrefix = "local:"

// ErrCorrupt reports a stored secret that fails authentication: the data file was
// modified, or the key file is not the one that encrypted it.
var ErrCorrupt = errors.New("the stored secret cannot be decrypted: the secrets file was modified or the key file does not match it")

// fileFormat is the version of the data file's layout.
const fileFormat = 1

const (
	keyBytes   = 32 // AES-256
	nonceBytes = 12 // the GCM standard nonce
	tagBytes   = 16
)

// File keeps connector secrets in one encrypted file for local runs: each value sealed
// with AES-256-GCM under a random nonce, with the connector id as additional data so a
// value moved to another connector's entry fails to open. The key is a separate file,
// created with mode 0600 on first use; a key file readable by group or others is
// refused. References are local:<connectorID>.
//
// File is safe for concurrent use within one process. It reads the data file once, at
// open, and rewrites it whole on every change (temp file, fsync, rename), so a crash
// leaves the old or the new file, never a torn one. Two processes must not share a
// data directory.
type File struct {
	dir  string
	aead cipher.AEAD

	mu      sync.RWMutex
	entries map[string]sealed // by connector id; replaced, never mutated, on writes
}

type sealed struct {
	nonce      []byte
	ciphertext []byte // includes the GCM tag
}

// fileJSON is the data file: {"version":1,"secrets":{"<id>":{"nonce":"…","ciphertext":"…"}}},
// byte fields in standard base64.
type fileJSON struct {
	Version int                   `json:"version"`
	Secrets map[string]sealedJSON `json:"secrets"`
}

type sealedJSON struct {
	Nonce      []byte `json:"nonce"`
	Ciphertext []byte `json:"ciphertext"`
}

// OpenFile opens the local secret store in dir (created with mode 0700 if missing),
// creating the key file on first use. It refuses a key file readable by group or
// others, and a data file without its key file (a new key could not read it).
func OpenFile(dir string) (*File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open secrets file: %w", err)
	}
	dataPath := filepath.Join(dir, DataFileName)
	entries := map[string]sealed{}
	data, err := os.ReadFile(dataPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("open secrets file: %w", err)
	default:
		if entries, err = parseFile(data); err != nil {
			return nil, fmt.Errorf("open secrets file %s: %w", dataPath, err)
		}
	}
	key, err := loadOrCreateKey(filepath.Join(dir, KeyFileName), len(entries) > 0, dataPath)
	if err != nil {
		return nil, fmt.Errorf("open secrets file: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("open secrets file: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("open secrets file: %w", err)
	}
	return &File{dir: dir, aead: aead, entries: entries}, nil
}

// parseFile decodes the data file strictly: known fields only, valid ids, nonces and
// ciphertexts of possible lengths.
func parseFile(data []byte) (map[string]sealed, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fileJSON
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("decode: data after the JSON object")
	}
	if f.Version != fileFormat {
		return nil, fmt.Errorf("unsupported version %d (want %d)", f.Version, fileFormat)
	}
	entries := make(map[string]sealed, len(f.Secrets))
	for id, s := range f.Secrets {
		if err := checkID(id); err != nil {
			return nil, fmt.Errorf("entry %q: %w", id, err)
		}
		if len(s.Nonce) != nonceBytes {
			return nil, fmt.Errorf("entry %q: the nonce is %d bytes, want %d", id, len(s.Nonce), nonceBytes)
		}
		if len(s.Ciphertext) < tagBytes+1 {
			return nil, fmt.Errorf("entry %q: the ciphertext is %d bytes, too short to hold a value", id, len(s.Ciphertext))
		}
		entries[id] = sealed{nonce: s.Nonce, ciphertext: s.Ciphertext}
	}
	return entries, nil
}

// loadOrCreateKey reads the key file, or creates one when none exists and no data
// depends on a previous key.
func loadOrCreateKey(path string, haveData bool, dataPath string) ([]byte, error) {
	key, err := readKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if haveData {
		return nil, fmt.Errorf("the key file %s is missing but %s holds secrets encrypted with it; restore the key file, or delete %s and enter the connector secrets again", path, dataPath, dataPath)
	}
	key = make([]byte, keyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("create key: %w", err)
	}
	err = createExclusive(path, []byte(hex.EncodeToString(key)+"\n"))
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first: use that one.
		return readKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	return key, nil
}

// readKey reads a key file of 64 hex digits, refusing one that group or others can read.
func readKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("the key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("the key file %s has mode %04o, so group or others can read it; run chmod 600 %s", path, perm, path)
	}
	buf, err := io.ReadAll(io.LimitReader(f, 4*keyBytes))
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(buf)))
	if err != nil || len(key) != keyBytes {
		return nil, fmt.Errorf("the key file %s does not hold %d hex digits", path, 2*keyBytes)
	}
	return key, nil
}

// aad binds a ciphertext to its connector id.
func aad(id string) []byte { return []byte("flowhook/secrets/v1:" + id) }

// Put stores value as the secret of connectorID and returns local:<connectorID>.
func (f *File) Put(ctx context.Context, connectorID, value string) (string, error) {
	if err := checkID(connectorID); err != nil {
		return "", fmt.Errorf("put secret of connector %q: %w", connectorID, err)
	}
	if err := checkValue(value); err != nil {
		return "", fmt.Errorf("put secret of connector %q: %w", connectorID, err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("put secret of connector %q: %w", connectorID, err)
	}
	nonce := make([]byte, nonceBytes)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("put secret of connector %q: %w", connectorID, err)
	}
	s := sealed{nonce: nonce, ciphertext: f.aead.Seal(nil, nonce, []byte(value), aad(connectorID))}

	f.mu.Lock()
	defer f.mu.Unlock()
	next := maps.Clone(f.entries)
	next[connectorID] = s
	if err := f.write(next); err != nil {
		return "", fmt.Errorf("put secret of connector %q: %w", connectorID, err)
	}
	f.entries = next
	return LocalRefPrefix + connectorID, nil
}

// Get returns the secret ref names.
func (f *File) Get(ctx context.Context, ref string) (string, error) {
	id, err := parseLocalRef(ref)
	if err != nil {
		return "", fmt.Errorf("get secret %q: %w", ref, err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("get secret %q: %w", ref, err)
	}
	f.mu.RLock()
	s, ok := f.entries[id]
	f.mu.RUnlock()
	if !ok {
		return "", fmt.Errorf("get secret %q: %w", ref, webhook.ErrNotFound)
	}
	plain, err := f.aead.Open(nil, s.nonce, s.ciphertext, aad(id))
	if err != nil {
		return "", fmt.Errorf("get secret %q: %w", ref, ErrCorrupt)
	}
	return string(plain), nil
}

// Delete removes the secret ref names; deleting one that is already gone succeeds.
func (f *File) Delete(ctx context.Context, ref string) error {
	id, err := parseLocalRef(ref)
	if err != nil {
		return fmt.Errorf("delete secret %q: %w", ref, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete secret %q: %w", ref, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.entries[id]; !ok {
		return nil
	}
	next := maps.Clone(f.entries)
	delete(next, id)
	if err := f.write(next); err != nil {
		return fmt.Errorf("delete secret %q: %w", ref, err)
	}
	f.entries = next
	return nil
}

func parseLocalRef(ref string) (string, error) {
	id, ok := strings.CutPrefix(ref, LocalRefPrefix)
	if !ok {
		return "", fmt.Errorf("%w: a local reference starts with %q", ErrInvalidRef, LocalRefPrefix)
	}
	if err := checkID(id); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidRef, err)
	}
	return id, nil
}

// write replaces the data file with entries. The caller holds f.mu.
func (f *File) write(entries map[string]sealed) error {
	out := fileJSON{Version: fileFormat, Secrets: make(map[string]sealedJSON, len(entries))}
	for id, s := range entries {
		out.Secrets[id] = sealedJSON{Nonce: s.nonce, Ciphertext: s.ciphertext}
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("encode secrets file: %w", err)
	}
	return replaceFile(filepath.Join(f.dir, DataFileName), append(data, '\n'))
}

// replaceFile writes data to a temporary file beside path with mode 0600, syncs it and
// renames it over path, then syncs the directory so the rename is durable.
func replaceFile(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// createExclusive creates path holding data, mode 0600, failing with fs.ErrExist when
// it exists. The content is complete before the name appears (temp file, then a hard
// link), so a concurrent reader never sees a partial file.
func createExclusive(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func writeTemp(path string, data []byte) (name string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return f.Name(), nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
