package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/internal/conflict"
	"github.com/flowhook/flowhook/shared/store/internal/norm"
	"github.com/flowhook/flowhook/shared/webhook"
)

const (
	kindEvent = "event"
	kindRun   = "run"
)

// indexEvent adds or removes e's index entries.
func indexEvent(tx *bolt.Tx, e eventRec, add bool) error {
	received := norm.SortTime(e.ReceivedAt)
	entries := []indexEntry{
		{bEventList, key(received, e.ID), nil},
		{bEventTypes, key(e.TypeKey, received, e.ID), nil},
		{bExpiry, key(norm.SortTime(e.ExpiresAt), kindEvent, e.ID), nil},
	}
	if e.SourceID != "" {
		entries = append(entries, indexEntry{bEventSources, key(e.Source, e.SourceID), []byte(e.ID)})
	}
	return applyIndex(tx, add, entries)
}

// PutEvent implements storetest.Store. The event expires (see Sweep) EventRetention
// after it was received.
func (s *Store) PutEvent(ctx context.Context, e webhook.Event) (webhook.Event, bool, error) {
	rec := toEventRec(e, e.ReceivedAt.Add(s.retention))
	created := false
	err := s.update(ctx, func(tx *bolt.Tx) error {
		// A fresh record to decode into: decoding into rec would keep the new event's
		// values wherever the stored one omits a field.
		var stored eventRec
		if exists(tx, bEvents, []byte(rec.ID)) {
			err := get(tx, bEvents, rec.ID, &stored)
			rec = stored
			return err
		}
		if rec.SourceID != "" {
			if id := tx.Bucket(bEventSources).Get(key(rec.Source, rec.SourceID)); id != nil {
				err := load(tx, bEvents, key(string(id)), &stored)
				rec = stored
				return err
			}
		}
		created = true
		if err := put(tx, bEvents, rec.ID, rec); err != nil {
			return err
		}
		return indexEvent(tx, rec, true)
	})
	if err != nil {
		return webhook.Event{}, false, fmt.Errorf("embedded: put event %q: %w", e.ID, err)
	}
	return rec.event(), created, nil
}

// GetEvent implements storetest.Store.
func (s *Store) GetEvent(ctx context.Context, id string) (webhook.Event, error) {
	return getRecord(ctx, s, bEvents, "event", id, eventRec.event)
}

// ListEvents implements storetest.Store.
func (s *Store) ListEvents(ctx context.Context, typeKey string, p store.Page) ([]webhook.Event, string, error) {
	sc := scan{bucket: bEventList, list: "events", desc: true}
	if typeKey != "" {
		sc = scan{bucket: bEventTypes, list: "events/type", prefix: key(typeKey), desc: true}
	}
	return listRecords(ctx, s, sc, p, bEvents, fmt.Sprintf("events %q", typeKey), eventRec.event)
}

// pending reports whether a run in status waits for the dispatcher.
func pending(status string) bool {
	return status == string(webhook.StatusQueued) || status == string(webhook.StatusRunning)
}

// indexRun adds or removes r's index entries; like the DynamoDB indexes, the workflow
// and event entries exist only when the run has that id.
func indexRun(tx *bolt.Tx, r runRec, add bool) error {
	created := norm.SortTime(r.CreatedAt)
	var entries []indexEntry
	if r.WorkflowID != "" {
		entries = append(entries, indexEntry{bRunsByWorkflow, key(r.WorkflowID, created, r.ID), nil})
	}
	if r.EventID != "" {
		entries = append(entries, indexEntry{bRunsByEvent, key(r.EventID, created, r.ID), nil})
	}
	if pending(r.Status) {
		entries = append(entries, indexEntry{bRunsPending, key(created, r.ID), nil})
	}
	if !r.ExpiresAt.IsZero() {
		entries = append(entries, indexEntry{bExpiry, key(norm.SortTime(r.ExpiresAt), kindRun, r.ID), nil})
	}
	return applyIndex(tx, add, entries)
}

// stepKey is the key of step seq of run runID; seq is zero-padded so keys sort by number.
func stepKey(runID string, seq int) []byte { return key(runID, fmt.Sprintf("%019d", seq)) }

// loadRun reads run id with its steps in seq order.
func loadRun(tx *bolt.Tx, id string) (webhook.Run, error) {
	var rec runRec
	if err := get(tx, bRuns, id, &rec); err != nil {
		return webhook.Run{}, err
	}
	r := rec.run()
	prefix := key(id)
	c := tx.Bucket(bRunSteps).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var st stepRec
		if err := decode(v, &st); err != nil {
			return webhook.Run{}, fmt.Errorf("step %q: %w", k, err)
		}
		r.Steps = append(r.Steps, st.step())
	}
	return r, nil
}

// CreateRun implements storetest.Store. A run it stores is announced to OnRunCreated's
// listeners after the commit.
func (s *Store) CreateRun(ctx context.Context, r webhook.Run) (webhook.Run, bool, error) {
	if len(r.Steps) > 0 {
		return webhook.Run{}, false, fmt.Errorf("embedded: create run %q: a new run has no steps (record them with RecordStep)", r.ID)
	}
	rec := toRunRec(r)
	rec.Status, rec.Version = string(webhook.StatusQueued), 1
	var stored webhook.Run
	created := false
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if exists(tx, bRuns, []byte(rec.ID)) {
			var err error
			stored, err = loadRun(tx, rec.ID)
			return err
		}
		created = true
		stored = rec.run()
		if err := put(tx, bRuns, rec.ID, rec); err != nil {
			return err
		}
		return indexRun(tx, rec, true)
	})
	if err != nil {
		return webhook.Run{}, false, fmt.Errorf("embedded: create run %q: %w", r.ID, err)
	}
	if created {
		s.notifyRunCreated(rec.ID)
	}
	return stored, created, nil
}

// GetRun implements storetest.Store.
func (s *Store) GetRun(ctx context.Context, id string) (webhook.Run, error) {
	var r webhook.Run
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		r, err = loadRun(tx, id)
		return err
	})
	if err != nil {
		return webhook.Run{}, fmt.Errorf("embedded: get run %q: %w", id, err)
	}
	return r, nil
}

// ListRuns implements storetest.Store.
func (s *Store) ListRuns(ctx context.Context, workflowID string, p store.Page) ([]webhook.Run, string, error) {
	return listRecords(ctx, s, scan{bucket: bRunsByWorkflow, list: "runs/workflow", prefix: key(workflowID), desc: true}, p, bRuns, fmt.Sprintf("runs of workflow %q", workflowID), runRec.run)
}

// RunsForEvent implements storetest.Store.
func (s *Store) RunsForEvent(ctx context.Context, eventID string) ([]webhook.Run, error) {
	var out []webhook.Run
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		out, err = all(tx, bRunsByEvent, key(eventID), bRuns, runRec.run)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: runs for event %q: %w", eventID, err)
	}
	return out, nil
}

// RecordStep implements storetest.Store.
func (s *Store) RecordStep(ctx context.Context, runID string, seq int, st webhook.StepRecord) error {
	if seq < 0 {
		return fmt.Errorf("embedded: record step %d of run %q: seq must not be negative", seq, runID)
	}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if !exists(tx, bRuns, []byte(runID)) {
			return webhook.ErrNotFound
		}
		k := stepKey(runID, seq)
		if exists(tx, bRunSteps, k) {
			return conflict.Step(runID, seq)
		}
		data, err := encode(toStepRec(st))
		if err != nil {
			return err
		}
		return tx.Bucket(bRunSteps).Put(k, data)
	})
	if err != nil {
		return fmt.Errorf("embedded: record step %d of run %q: %w", seq, runID, err)
	}
	return nil
}

// SetRunStatus implements storetest.Store.
func (s *Store) SetRunStatus(ctx context.Context, u store.RunUpdate) (webhook.Run, error) {
	var rec runRec
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old runRec
		if err := get(tx, bRuns, u.RunID, &old); err != nil {
			return err
		}
		if !slices.Contains(u.From, webhook.RunStatus(old.Status)) {
			return fmt.Errorf("run is %s, not %v: %w", old.Status, u.From, webhook.ErrVersion)
		}
		rec = old
		at := utc(u.At)
		rec.Status, rec.FailedStep, rec.Reason, rec.UpdatedAt = string(u.To), u.FailedStep, u.Reason, at
		if terminal(u.To) {
			rec.FinishedAt = at
		}
		rec.Version++
		if err := indexRun(tx, old, false); err != nil {
			return err
		}
		if err := put(tx, bRuns, rec.ID, rec); err != nil {
			return err
		}
		return indexRun(tx, rec, true)
	})
	if err != nil {
		return webhook.Run{}, fmt.Errorf("embedded: set status of run %q to %s: %w", u.RunID, u.To, err)
	}
	return rec.run(), nil
}

// terminal reports whether a run in status has finished.
func terminal(status webhook.RunStatus) bool {
	switch status {
	case webhook.StatusSucceeded, webhook.StatusFailed, webhook.StatusStopped:
		return true
	}
	return false
}

// PendingRuns returns the runs in status queued or running, oldest first, with their
// steps: after a restart of the local runner, the dispatcher resumes them (a running run
// was interrupted; its recorded steps say where it stopped).
func (s *Store) PendingRuns(ctx context.Context) ([]webhook.Run, error) {
	var out []webhook.Run
	err := s.view(ctx, func(tx *bolt.Tx) error {
		ids, err := prefixIDs(tx, bRunsPending, nil)
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, err := loadRun(tx, id)
			if errors.Is(err, webhook.ErrNotFound) {
				return fmt.Errorf("the pending index names run %q, which does not exist", id)
			}
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: pending runs: %w", err)
	}
	return out, nil
}

// Sweep deletes the events and runs (with their steps) that expired before now, as
// DynamoDB's TTL does in AWS, and returns how many records it deleted. The local runner
// calls it at start and then periodically; nothing else deletes them.
func (s *Store) Sweep(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		end := key(norm.SortTime(now))
		c := tx.Bucket(bExpiry).Cursor()
		var expired [][]string
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			ps, err := parts(k)
			if err != nil || len(ps) != 3 {
				return fmt.Errorf("expiry index key %q: bad form", k)
			}
			expired = append(expired, ps)
		}
		for _, ps := range expired {
			kind, id := ps[1], ps[2]
			var err error
			switch kind {
			case kindEvent:
				err = deleteEvent(tx, id)
			case kindRun:
				err = deleteRun(tx, id)
			default:
				err = fmt.Errorf("expiry index names a %q", kind)
			}
			if err != nil {
				return fmt.Errorf("%s %q: %w", kind, id, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("embedded: sweep: %w", err)
	}
	return n, nil
}

func deleteEvent(tx *bolt.Tx, id string) error {
	var rec eventRec
	if err := get(tx, bEvents, id, &rec); err != nil {
		return err
	}
	if err := indexEvent(tx, rec, false); err != nil {
		return err
	}
	return tx.Bucket(bEvents).Delete([]byte(id))
}

func deleteRun(tx *bolt.Tx, id string) error {
	var rec runRec
	if err := get(tx, bRuns, id, &rec); err != nil {
		return err
	}
	if err := indexRun(tx, rec, false); err != nil {
		return err
	}
	prefix := key(id)
	var steps [][]byte
	c := tx.Bucket(bRunSteps).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		steps = append(steps, bytes.Clone(k))
	}
	for _, k := range steps {
		if err := tx.Bucket(bRunSteps).Delete(k); err != nil {
			return err
		}
	}
	return tx.Bucket(bRuns).Delete([]byte(id))
}
