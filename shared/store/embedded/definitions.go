package embedded

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/internal/conflict"
	"github.com/flowhook/flowhook/shared/store/internal/norm"
	"github.com/flowhook/flowhook/shared/webhook"
)

const (
	stateActive  = "active"
	stateDeleted = "deleted"
)

// webhookState is the first part of a webhook's list key.
func webhookState(w webhookRec) string {
	if w.DeletedAt.IsZero() {
		return stateActive
	}
	return stateDeleted
}

// indexWebhook adds (add=true) or removes w's index entries: the list entry always, the
// name and connector-user entries while it is active.
func indexWebhook(tx *bolt.Tx, w webhookRec, add bool) error {
	created := norm.SortTime(w.CreatedAt)
	entries := []indexEntry{{bWebhookList, key(webhookState(w), created, w.ID), nil}}
	if w.DeletedAt.IsZero() {
		entries = append(entries, indexEntry{bWebhookNames, []byte(w.Name), []byte(w.ID)})
		if w.ConnectorID != "" {
			entries = append(entries, indexEntry{bWebhookUsers, key(w.ConnectorID, created, w.ID), nil})
		}
	}
	return applyIndex(tx, add, entries)
}

// checkWebhookRefs returns the conflict, if any, of w becoming active: another active
// webhook with its name, or a missing connector.
func checkWebhookRefs(tx *bolt.Tx, w webhookRec) error {
	if owner := tx.Bucket(bWebhookNames).Get([]byte(w.Name)); owner != nil && string(owner) != w.ID {
		return conflict.Name("webhook", w.Name, string(owner))
	}
	if w.ConnectorID != "" && !exists(tx, bConnectors, []byte(w.ConnectorID)) {
		return conflict.MissingConnector(w.ConnectorID)
	}
	return nil
}

// CreateWebhook implements storetest.Store.
func (s *Store) CreateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error) {
	rec := toWebhookRec(w)
	rec.Version, rec.DeletedAt = 1, time.Time{}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if exists(tx, bWebhooks, []byte(rec.ID)) {
			return conflict.ID("webhook", rec.ID)
		}
		if err := checkWebhookRefs(tx, rec); err != nil {
			return err
		}
		if err := put(tx, bWebhooks, rec.ID, rec); err != nil {
			return err
		}
		return indexWebhook(tx, rec, true)
	})
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("embedded: create webhook %q: %w", w.ID, err)
	}
	return rec.webhook(), nil
}

// GetWebhook implements storetest.Store.
func (s *Store) GetWebhook(ctx context.Context, id string) (webhook.Webhook, error) {
	return getRecord(ctx, s, bWebhooks, "webhook", id, webhookRec.webhook)
}

// ListWebhooks implements storetest.Store.
func (s *Store) ListWebhooks(ctx context.Context, deleted bool, p store.Page) ([]webhook.Webhook, string, error) {
	state := stateActive
	if deleted {
		state = stateDeleted
	}
	return listRecords(ctx, s, scan{bucket: bWebhookList, list: "webhooks", prefix: key(state)}, p, bWebhooks, "webhooks", webhookRec.webhook)
}

// UpdateWebhook implements storetest.Store.
func (s *Store) UpdateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error) {
	rec := toWebhookRec(w)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old webhookRec
		if err := get(tx, bWebhooks, w.ID, &old); err != nil {
			return err
		}
		if !old.DeletedAt.IsZero() {
			return webhook.ErrNotFound
		}
		if old.Version != w.Version {
			return webhook.ErrVersion
		}
		rec.Version, rec.CreatedAt, rec.DeletedAt = old.Version+1, old.CreatedAt, old.DeletedAt
		if err := checkWebhookRefs(tx, rec); err != nil {
			return err
		}
		if err := indexWebhook(tx, old, false); err != nil {
			return err
		}
		if err := put(tx, bWebhooks, rec.ID, rec); err != nil {
			return err
		}
		return indexWebhook(tx, rec, true)
	})
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("embedded: update webhook %q: %w", w.ID, err)
	}
	return rec.webhook(), nil
}

// DeleteWebhook implements storetest.Store.
func (s *Store) DeleteWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error) {
	rec, err := s.setDeleted(ctx, id, utc(at), true)
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("embedded: delete webhook %q: %w", id, err)
	}
	return rec.webhook(), nil
}

// RestoreWebhook implements storetest.Store.
func (s *Store) RestoreWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error) {
	rec, err := s.setDeleted(ctx, id, utc(at), false)
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("embedded: restore webhook %q: %w", id, err)
	}
	return rec.webhook(), nil
}

// setDeleted soft-deletes (deleted=true) an active webhook or restores a deleted one.
func (s *Store) setDeleted(ctx context.Context, id string, at time.Time, deleted bool) (webhookRec, error) {
	var rec webhookRec
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old webhookRec
		if err := get(tx, bWebhooks, id, &old); err != nil {
			return err
		}
		if old.DeletedAt.IsZero() != deleted { // deleting a deleted one or restoring an active one
			return webhook.ErrNotFound
		}
		rec = old
		rec.Version, rec.UpdatedAt, rec.DeletedAt = old.Version+1, at, time.Time{}
		if deleted {
			rec.DeletedAt = at
		} else if err := checkWebhookRefs(tx, rec); err != nil {
			return err
		}
		if err := indexWebhook(tx, old, false); err != nil {
			return err
		}
		if err := put(tx, bWebhooks, rec.ID, rec); err != nil {
			return err
		}
		return indexWebhook(tx, rec, true)
	})
	return rec, err
}

// CreateConnector implements storetest.Store.
func (s *Store) CreateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error) {
	rec := toConnectorRec(c)
	rec.Version = 1
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if exists(tx, bConnectors, []byte(rec.ID)) {
			return conflict.ID("connector", rec.ID)
		}
		if owner := tx.Bucket(bConnectorNames).Get([]byte(rec.Name)); owner != nil {
			return conflict.Name("connector", rec.Name, string(owner))
		}
		return putConnector(tx, rec)
	})
	if err != nil {
		return webhook.Connector{}, fmt.Errorf("embedded: create connector %q: %w", c.ID, err)
	}
	return rec.connector(), nil
}

func putConnector(tx *bolt.Tx, rec connectorRec) error {
	if err := put(tx, bConnectors, rec.ID, rec); err != nil {
		return err
	}
	if err := tx.Bucket(bConnectorNames).Put([]byte(rec.Name), []byte(rec.ID)); err != nil {
		return err
	}
	return tx.Bucket(bConnectorList).Put(key(norm.SortTime(rec.CreatedAt), rec.ID), nil)
}

// GetConnector implements storetest.Store.
func (s *Store) GetConnector(ctx context.Context, id string) (webhook.Connector, error) {
	return getRecord(ctx, s, bConnectors, "connector", id, connectorRec.connector)
}

// ListConnectors implements storetest.Store.
func (s *Store) ListConnectors(ctx context.Context, p store.Page) ([]webhook.Connector, string, error) {
	return listRecords(ctx, s, scan{bucket: bConnectorList, list: "connectors"}, p, bConnectors, "connectors", connectorRec.connector)
}

// UpdateConnector implements storetest.Store.
func (s *Store) UpdateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error) {
	rec := toConnectorRec(c)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old connectorRec
		if err := get(tx, bConnectors, c.ID, &old); err != nil {
			return err
		}
		if old.Version != c.Version {
			return webhook.ErrVersion
		}
		if owner := tx.Bucket(bConnectorNames).Get([]byte(rec.Name)); owner != nil && string(owner) != rec.ID {
			return conflict.Name("connector", rec.Name, string(owner))
		}
		rec.Version, rec.CreatedAt = old.Version+1, old.CreatedAt
		if err := tx.Bucket(bConnectorNames).Delete([]byte(old.Name)); err != nil {
			return err
		}
		return putConnector(tx, rec)
	})
	if err != nil {
		return webhook.Connector{}, fmt.Errorf("embedded: update connector %q: %w", c.ID, err)
	}
	return rec.connector(), nil
}

// DeleteConnector implements storetest.Store.
func (s *Store) DeleteConnector(ctx context.Context, id string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old connectorRec
		if err := get(tx, bConnectors, id, &old); err != nil {
			return err
		}
		users, err := prefixIDs(tx, bWebhookUsers, key(id))
		if err != nil {
			return err
		}
		if len(users) > 0 {
			names := make([]string, len(users))
			for i, u := range users {
				var w webhookRec
				if err := get(tx, bWebhooks, u, &w); err != nil {
					return err
				}
				names[i] = w.Name
			}
			return conflict.ConnectorInUse(users, names)
		}
		for _, del := range []struct{ b, k []byte }{
			{bConnectors, []byte(id)},
			{bConnectorNames, []byte(old.Name)},
			{bConnectorList, key(norm.SortTime(old.CreatedAt), id)},
		} {
			if err := tx.Bucket(del.b).Delete(del.k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded: delete connector %q: %w", id, err)
	}
	return nil
}

// CreateSegment implements storetest.Store.
func (s *Store) CreateSegment(ctx context.Context, g webhook.Segment) (webhook.Segment, error) {
	rec := toSegmentRec(g)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if exists(tx, bSegments, []byte(rec.ID)) {
			return conflict.ID("segment", rec.ID)
		}
		if err := put(tx, bSegments, rec.ID, rec); err != nil {
			return err
		}
		return tx.Bucket(bSegmentList).Put(key(norm.SortTime(rec.CreatedAt), rec.ID), nil)
	})
	if err != nil {
		return webhook.Segment{}, fmt.Errorf("embedded: create segment %q: %w", g.ID, err)
	}
	return rec.segment(), nil
}

// GetSegment implements storetest.Store.
func (s *Store) GetSegment(ctx context.Context, id string) (webhook.Segment, error) {
	return getRecord(ctx, s, bSegments, "segment", id, segmentRec.segment)
}

// ListSegments implements storetest.Store.
func (s *Store) ListSegments(ctx context.Context, p store.Page) ([]webhook.Segment, string, error) {
	return listRecords(ctx, s, scan{bucket: bSegmentList, list: "segments"}, p, bSegments, "segments", segmentRec.segment)
}

// indexWorkflow adds or removes f's list entry and, while it is enabled and has a
// trigger, its trigger entry.
func indexWorkflow(tx *bolt.Tx, f workflowRec, add bool) error {
	created := norm.SortTime(f.CreatedAt)
	entries := []indexEntry{{bWorkflowList, key(created, f.ID), nil}}
	if f.Enabled && f.TriggerEvent != "" {
		entries = append(entries, indexEntry{bTriggers, key(f.TriggerEvent, created, f.ID), nil})
	}
	return applyIndex(tx, add, entries)
}

// CreateWorkflow implements storetest.Store.
func (s *Store) CreateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error) {
	rec := toWorkflowRec(f)
	rec.Version = 1
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if exists(tx, bWorkflows, []byte(rec.ID)) {
			return conflict.ID("workflow", rec.ID)
		}
		if err := put(tx, bWorkflows, rec.ID, rec); err != nil {
			return err
		}
		return indexWorkflow(tx, rec, true)
	})
	if err != nil {
		return webhook.Workflow{}, fmt.Errorf("embedded: create workflow %q: %w", f.ID, err)
	}
	return rec.workflow(), nil
}

// GetWorkflow implements storetest.Store.
func (s *Store) GetWorkflow(ctx context.Context, id string) (webhook.Workflow, error) {
	return getRecord(ctx, s, bWorkflows, "workflow", id, workflowRec.workflow)
}

// ListWorkflows implements storetest.Store.
func (s *Store) ListWorkflows(ctx context.Context, p store.Page) ([]webhook.Workflow, string, error) {
	return listRecords(ctx, s, scan{bucket: bWorkflowList, list: "workflows"}, p, bWorkflows, "workflows", workflowRec.workflow)
}

// UpdateWorkflow implements storetest.Store.
func (s *Store) UpdateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error) {
	rec := toWorkflowRec(f)
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old workflowRec
		if err := get(tx, bWorkflows, f.ID, &old); err != nil {
			return err
		}
		if old.Version != f.Version {
			return webhook.ErrVersion
		}
		rec.Version, rec.CreatedAt = old.Version+1, old.CreatedAt
		if err := indexWorkflow(tx, old, false); err != nil {
			return err
		}
		if err := put(tx, bWorkflows, rec.ID, rec); err != nil {
			return err
		}
		return indexWorkflow(tx, rec, true)
	})
	if err != nil {
		return webhook.Workflow{}, fmt.Errorf("embedded: update workflow %q: %w", f.ID, err)
	}
	return rec.workflow(), nil
}

// DeleteWorkflow implements storetest.Store.
func (s *Store) DeleteWorkflow(ctx context.Context, id string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var old workflowRec
		if err := get(tx, bWorkflows, id, &old); err != nil {
			return err
		}
		if err := indexWorkflow(tx, old, false); err != nil {
			return err
		}
		return tx.Bucket(bWorkflows).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("embedded: delete workflow %q: %w", id, err)
	}
	return nil
}

// TriggeredWorkflows implements storetest.Store.
func (s *Store) TriggeredWorkflows(ctx context.Context, eventType string) ([]webhook.Workflow, error) {
	var out []webhook.Workflow
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		out, err = all(tx, bTriggers, key(eventType), bWorkflows, workflowRec.workflow)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: triggered workflows %q: %w", eventType, err)
	}
	return out, nil
}
