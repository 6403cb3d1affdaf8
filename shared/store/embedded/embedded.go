// Package embedded is Flowhook's store for `make run`: every record in one bbolt file
// under .flowhook/, with the same contract as the DynamoDB store (storetest.Store) and
// what the local runner needs to play the DynamoDB stream's part (PendingRuns,
// OnRunCreated).
//
// Layout. Each record kind has a bucket of JSON-encoded records by id, and each access
// pattern of the DynamoDB design has an index bucket whose keys sort the way the
// pattern reads: tuples of strings (see key) such as (state, createdAt, id) for the
// webhook lists or (term, id) for contact search. Every rule that spans records —
// unique names, emails and phones, a webhook's connector existing, a connector not in
// use, an event's source id — is checked and applied inside one bbolt read-write
// transaction; bbolt runs one at a time, so there is no window between a check and its
// write. Lists seek an index to the cursor and read one page.
//
// One process at a time may open the file: bbolt takes an exclusive file lock, and Open
// fails after Options.LockTimeout with an error saying another process holds it.
package embedded

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Options tune a Store. The zero value is the default for `make run`.
type Options struct {
	// LockTimeout bounds the wait for the file lock; 0 means one second.
	LockTimeout time.Duration
	// EventRetention is how long events are kept before Sweep may drop them; 0 means
	// 30 days, as in DynamoDB.
	EventRetention time.Duration
	// NoSync skips fsync on commit: faster, and a crash may lose the last writes. Only
	// tests set it.
	NoSync bool
}

// DefaultEventRetention is how long events are kept unless Options say otherwise.
const DefaultEventRetention = 30 * 24 * time.Hour

// Store is the bbolt store. Its methods are safe for concurrent use.
type Store struct {
	db        *bolt.DB
	retention time.Duration

	mu        sync.Mutex
	listeners map[int]func(runID string)
	nextID    int
}

// Bucket names. Record buckets map id → JSON; index buckets map a key tuple → id (or
// nothing when the id is the tuple's last part).
var (
	bWebhooks       = []byte("webhooks")          // id → webhookRec
	bWebhookNames   = []byte("webhook_names")     // name → id, active webhooks only
	bWebhookList    = []byte("webhook_list")      // (state, createdAt, id)
	bWebhookUsers   = []byte("webhook_users")     // (connectorID, createdAt, id), active only
	bConnectors     = []byte("connectors")        // id → connectorRec
	bConnectorNames = []byte("connector_names")   // name → id
	bConnectorList  = []byte("connector_list")    // (createdAt, id)
	bContacts       = []byte("contacts")          // id → contactRec
	bContactList    = []byte("contact_list")      // (id)
	bContactEmails  = []byte("contact_emails")    // lower-case email → id
	bContactPhones  = []byte("contact_phones")    // phone → id
	bContactExtIDs  = []byte("contact_extids")    // (externalID, createdAt, id)
	bContactSearch  = []byte("contact_search")    // (term, id)
	bSegments       = []byte("segments")          // id → segmentRec
	bSegmentList    = []byte("segment_list")      // (createdAt, id)
	bEvents         = []byte("events")            // id → eventRec
	bEventSources   = []byte("event_sources")     // (source, sourceID) → id
	bEventList      = []byte("event_list")        // (receivedAt, id)
	bEventTypes     = []byte("event_types")       // (typeKey, receivedAt, id)
	bWorkflows      = []byte("workflows")         // id → workflowRec
	bWorkflowList   = []byte("workflow_list")     // (createdAt, id)
	bTriggers       = []byte("workflow_triggers") // (eventType, createdAt, id), enabled only
	bRuns           = []byte("runs")              // id → runRec (the header)
	bRunSteps       = []byte("run_steps")         // (runID, seq) → stepRec
	bRunsByWorkflow = []byte("run_workflows")     // (workflowID, createdAt, id)
	bRunsByEvent    = []byte("run_events")        // (eventID, createdAt, id)
	bRunsPending    = []byte("run_pending")       // (createdAt, id), queued or running
	bExpiry         = []byte("expiry")            // (expiresAt, kind, id), events and runs

	allBuckets = [][]byte{
		bWebhooks, bWebhookNames, bWebhookList, bWebhookUsers,
		bConnectors, bConnectorNames, bConnectorList,
		bContacts, bContactList, bContactEmails, bContactPhones, bContactExtIDs, bContactSearch,
		bSegments, bSegmentList,
		bEvents, bEventSources, bEventList, bEventTypes,
		bWorkflows, bWorkflowList, bTriggers,
		bRuns, bRunSteps, bRunsByWorkflow, bRunsByEvent, bRunsPending, bExpiry,
	}
)

// Open opens (creating if needed, with its directory) the store file at path. It fails
// with a clear error when another process holds the file for longer than LockTimeout.
func Open(path string, o Options) (*Store, error) {
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	if o.EventRetention <= 0 {
		o.EventRetention = DefaultEventRetention
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.LockTimeout, NoSync: o.NoSync})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("embedded: open %s: another process holds its lock (is another `make run` using this data directory?); stop it or set FLOWHOOK_DATA_DIR to another directory", path)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	return &Store{db: db, retention: o.EventRetention, listeners: map[int]func(string){}}, nil
}

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded: close: %w", err)
	}
	return nil
}

// OnRunCreated registers f to be called with the id of every run CreateRun stores (not
// with runs it finds already stored), after the run is committed. This is how the local
// runner's dispatcher learns of new runs, as the DynamoDB stream's INSERT records tell
// execute in AWS. f runs synchronously in the goroutine that called CreateRun, so it
// must not block: hand the id to a buffered channel or a goroutine. Runs created while
// no dispatcher listened are found with PendingRuns. The returned function unregisters f.
func (s *Store) OnRunCreated(f func(runID string)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID
	s.nextID++
	s.listeners[id] = f
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.listeners, id)
	}
}

func (s *Store) notifyRunCreated(runID string) {
	s.mu.Lock()
	fs := make([]func(string), 0, len(s.listeners))
	for _, f := range s.listeners {
		fs = append(fs, f)
	}
	s.mu.Unlock()
	for _, f := range fs {
		f(runID)
	}
}

// view and update run f in a read-only or read-write transaction, unless ctx is done.
func (s *Store) view(ctx context.Context, f func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(f)
}

func (s *Store) update(ctx context.Context, f func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(f)
}

// key encodes parts as one bbolt key whose byte order is the order of the tuples
// (part by part, each compared as bytes): every 0x00 in a part is written 0x00 0xFF and
// each part ends with 0x00 0x01, so no part can run into the next and a shorter part
// sorts before any longer one it prefixes.
func key(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += len(p) + 2
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = appendEscaped(b, p)
		b = append(b, 0x00, 0x01)
	}
	return b
}

func appendEscaped(b []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		b = append(b, p[i])
		if p[i] == 0x00 {
			b = append(b, 0xFF)
		}
	}
	return b
}

// parts decodes a key made by key.
func parts(k []byte) ([]string, error) {
	var out []string
	var cur []byte
	for i := 0; i < len(k); i++ {
		if k[i] != 0x00 {
			cur = append(cur, k[i])
			continue
		}
		if i+1 >= len(k) {
			return nil, fmt.Errorf("key %q ends inside an escape", k)
		}
		i++
		switch k[i] {
		case 0xFF:
			cur = append(cur, 0x00)
		case 0x01:
			out = append(out, string(cur))
			cur = nil
		default:
			return nil, fmt.Errorf("key %q has a bad escape", k)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("key %q has an unterminated part", k)
	}
	return out, nil
}

// lastPart returns the last part of a key made by key: the record id in index keys.
func lastPart(k []byte) (string, error) {
	ps, err := parts(k)
	if err != nil {
		return "", err
	}
	if len(ps) == 0 {
		return "", fmt.Errorf("empty key")
	}
	return ps[len(ps)-1], nil
}

// maxCursor bounds a cursor's length: keys hold at most a few ids, times and names.
const maxCursor = 8 << 10

// encodeCursor returns the opaque cursor that resumes list after key k.
func encodeCursor(list string, k []byte) string {
	b := make([]byte, 0, len(list)+1+len(k))
	b = append(b, list...)
	b = append(b, 0)
	b = append(b, k...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the key a cursor resumes after, checking that list issued it
// and that the key lies under prefix.
func decodeCursor(list string, prefix []byte, cursor string) ([]byte, error) {
	if len(cursor) > maxCursor {
		return nil, store.ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, store.ErrBadCursor
	}
	tag, k, ok := bytes.Cut(b, []byte{0})
	if !ok || string(tag) != list || !bytes.HasPrefix(k, prefix) || len(k) == len(prefix) {
		return nil, store.ErrBadCursor
	}
	if _, err := parts(k); err != nil {
		return nil, store.ErrBadCursor
	}
	return k, nil
}

// scan is one paged read of an index bucket: the keys under prefix, ascending or
// descending, after the cursor. keep loads the record of an index entry and says
// whether it belongs in the page (search skips duplicate hits).
type scan struct {
	bucket []byte
	list   string // names the list in its cursors
	prefix []byte
	desc   bool
}

// page reads one page of sc: up to p.Size() records that keep accepts, and the cursor
// after the last of them when another accepted record follows.
func page[T any](tx *bolt.Tx, sc scan, p store.Page, keep func(k, v []byte) (T, bool, error)) ([]T, string, error) {
	var after []byte
	if p.Cursor != "" {
		var err error
		if after, err = decodeCursor(sc.list, sc.prefix, p.Cursor); err != nil {
			return nil, "", err
		}
	}
	n := p.Size()
	c := tx.Bucket(sc.bucket).Cursor()
	k, v := first(c, sc.prefix, after, sc.desc)
	var out []T
	var lastKey []byte
	for ; k != nil && bytes.HasPrefix(k, sc.prefix); k, v = step(c, sc.desc) {
		rec, ok, err := keep(k, v)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			continue
		}
		if len(out) == n { // one more accepted record exists: the page is not the last
			return out, encodeCursor(sc.list, lastKey), nil
		}
		out = append(out, rec)
		lastKey = bytes.Clone(k)
	}
	return out, "", nil
}

// first positions c on the first key of a scan: the first under prefix, or the first
// after `after` when resuming, in the scan's direction.
func first(c *bolt.Cursor, prefix, after []byte, desc bool) ([]byte, []byte) {
	if !desc {
		if after == nil {
			if len(prefix) == 0 {
				return c.First()
			}
			return c.Seek(prefix)
		}
		k, v := c.Seek(after)
		if k != nil && bytes.Equal(k, after) {
			return c.Next()
		}
		return k, v
	}
	if after == nil {
		// The last key under prefix: seek past every key that starts with it.
		end := prefixEnd(prefix)
		if end == nil {
			return c.Last()
		}
		if k, _ := c.Seek(end); k == nil {
			return c.Last()
		}
		return c.Prev()
	}
	k, _ := c.Seek(after)
	if k == nil {
		return c.Last()
	}
	return c.Prev() // whether k is `after` or the next key, the one before it is next
}

func step(c *bolt.Cursor, desc bool) ([]byte, []byte) {
	if desc {
		return c.Prev()
	}
	return c.Next()
}

// prefixEnd returns the smallest key greater than every key that starts with prefix,
// or nil when there is none (prefix all 0xFF).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// get loads the record id of bucket b into v, or returns ErrNotFound.
func get(tx *bolt.Tx, b []byte, id string, v any) error {
	data := tx.Bucket(b).Get([]byte(id))
	if data == nil {
		return webhook.ErrNotFound
	}
	if err := decode(data, v); err != nil {
		return fmt.Errorf("%s %q: %w", b, id, err)
	}
	return nil
}

// put stores v as record id of bucket b.
func put(tx *bolt.Tx, b []byte, id string, v any) error {
	data, err := encode(v)
	if err != nil {
		return fmt.Errorf("%s %q: %w", b, id, err)
	}
	return tx.Bucket(b).Put([]byte(id), data)
}

// encode and decode convert storage records to and from their stored JSON.
func encode(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return data, nil
}

func decode(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// exists reports whether bucket b has key k.
func exists(tx *bolt.Tx, b []byte, k []byte) bool { return tx.Bucket(b).Get(k) != nil }

// prefixIDs returns the last parts (ids) of every key under prefix in bucket b.
func prefixIDs(tx *bolt.Tx, b []byte, prefix []byte) ([]string, error) {
	var ids []string
	c := tx.Bucket(b).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id, err := lastPart(k)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", b, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// load reads into v the record of bucket b that the index key k names (by its last
// part). A missing record is an inconsistent index, reported as such rather than as
// ErrNotFound, which would tell the caller the list itself does not exist.
func load(tx *bolt.Tx, b []byte, k []byte, v any) error {
	id, err := lastPart(k)
	if err != nil {
		return fmt.Errorf("index key for %s: %w", b, err)
	}
	if err := get(tx, b, id, v); errors.Is(err, webhook.ErrNotFound) {
		return fmt.Errorf("an index names %s %q, which does not exist", b, id)
	} else if err != nil {
		return err
	}
	return nil
}

// loader returns a page callback that loads each index entry's record of bucket b and
// converts it with conv.
func loader[R, T any](tx *bolt.Tx, b []byte, conv func(R) T) func(k, _ []byte) (T, bool, error) {
	return func(k, _ []byte) (T, bool, error) {
		var rec R
		if err := load(tx, b, k, &rec); err != nil {
			var zero T
			return zero, false, err
		}
		return conv(rec), true, nil
	}
}

// indexEntry is one entry of a secondary index: key k in bucket b, with value v (nil
// for indexes whose key says it all).
type indexEntry struct{ b, k, v []byte }

// applyIndex puts (add=true) or deletes every entry, in one transaction.
func applyIndex(tx *bolt.Tx, add bool, entries []indexEntry) error {
	for _, e := range entries {
		var err error
		if add {
			err = tx.Bucket(e.b).Put(e.k, e.v)
		} else {
			err = tx.Bucket(e.b).Delete(e.k)
		}
		if err != nil {
			return fmt.Errorf("index %s: %w", e.b, err)
		}
	}
	return nil
}

// getRecord reads record id of bucket b and converts it with conv; what names the
// record in the error.
func getRecord[R, T any](ctx context.Context, s *Store, b []byte, what, id string, conv func(R) T) (T, error) {
	var rec R
	if err := s.view(ctx, func(tx *bolt.Tx) error { return get(tx, b, id, &rec) }); err != nil {
		var zero T
		return zero, fmt.Errorf("embedded: get %s %q: %w", what, id, err)
	}
	return conv(rec), nil
}

// listRecords pages through the index sc, loading every entry's record from bucket b
// and converting it with conv; what names the list in the error.
func listRecords[R, T any](ctx context.Context, s *Store, sc scan, p store.Page, b []byte, what string, conv func(R) T) ([]T, string, error) {
	var out []T
	var next string
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		out, next, err = page(tx, sc, p, loader(tx, b, conv))
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("embedded: list %s: %w", what, err)
	}
	return out, next, nil
}

// all returns the records of bucket b named by every index entry under prefix in index,
// converted with conv: the unpaged lists whose size the contract bounds by design
// (a type's triggered workflows, an event's runs).
func all[R, T any](tx *bolt.Tx, index, prefix, b []byte, conv func(R) T) ([]T, error) {
	var out []T
	c := tx.Bucket(index).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var rec R
		if err := load(tx, b, k, &rec); err != nil {
			return nil, err
		}
		out = append(out, conv(rec))
	}
	return out, nil
}
