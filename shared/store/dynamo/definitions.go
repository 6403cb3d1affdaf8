package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/internal/conflict"
	"github.com/flowhook/flowhook/shared/webhook"
)

// guard returns a uniqueness guard item of the definitions table: its key is the unique
// value (a name), ownerId the record holding it.
func guard(pk, ownerID string) item {
	return item{attrPK: str(pk), attrKind: str(kindGuard), attrOwnerID: str(ownerID)}
}

// loadWebhook reads webhook id; found is false when there is none.
func (s *Store) loadWebhook(ctx context.Context, id string) (w webhook.Webhook, found bool, err error) {
	m, err := s.getItem(ctx, s.t.Definitions, pkItem(prefixWebhook+id))
	if err != nil || m == nil {
		return webhook.Webhook{}, false, err
	}
	w, err = decoder(webhookItem.webhook)(m)
	return w, err == nil, err
}

// holdWebhookRefs adds to t what an active webhook holds: its name's guard and a
// reference to its connector.
func (s *Store) holdWebhookRefs(t *txn, w webhook.Webhook) {
	t.add(txPut(s.t.Definitions, guard(prefixWebhookName+w.Name, w.ID), notExists), func(old item) error {
		return conflict.Name("webhook", w.Name, strAttr(old, attrOwnerID))
	})
	if w.ConnectorID != "" {
		t.add(txUpdate(s.t.Definitions, pkItem(prefixConnector+w.ConnectorID), addRefs(1), exists), func(item) error {
			return conflict.MissingConnector(w.ConnectorID)
		})
	}
}

// releaseWebhookRefs adds to t the release of what active webhook w holds. Neither
// condition fails unless a concurrent writer changed w since it was read: retry.
func (s *Store) releaseWebhookRefs(t *txn, w webhook.Webhook) {
	t.add(txDelete(s.t.Definitions, pkItem(prefixWebhookName+w.Name), ownedBy(w.ID)), nil)
	if w.ConnectorID != "" {
		t.add(txUpdate(s.t.Definitions, pkItem(prefixConnector+w.ConnectorID), addRefs(-1), exists), nil)
	}
}

// CreateWebhook implements storetest.Store.
func (s *Store) CreateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error) {
	w.Version, w.DeletedAt = 1, time.Time{}
	out, err := retry(ctx, func() (webhook.Webhook, error) {
		it, err := marshal(toWebhookItem(w))
		if err != nil {
			return webhook.Webhook{}, err
		}
		var t txn
		t.add(txPut(s.t.Definitions, it, notExists), func(item) error { return conflict.ID("webhook", w.ID) })
		s.holdWebhookRefs(&t, w)
		return w, s.commit(ctx, &t)
	})
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("dynamo: create webhook %q: %w", w.ID, err)
	}
	return normalize(out), nil
}

// GetWebhook implements storetest.Store.
func (s *Store) GetWebhook(ctx context.Context, id string) (webhook.Webhook, error) {
	w, found, err := s.loadWebhook(ctx, id)
	if err == nil && !found {
		err = webhook.ErrNotFound
	}
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("dynamo: get webhook %q: %w", id, err)
	}
	return w, nil
}

// ListWebhooks implements storetest.Store.
func (s *Store) ListWebhooks(ctx context.Context, deleted bool, p store.Page) ([]webhook.Webhook, string, error) {
	list := listActiveWebhooks
	if deleted {
		list = listDeletedWebhooks
	}
	ws, next, err := queryPage(ctx, s.db, s.definitionList(list), p, each(decoder(webhookItem.webhook)))
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: list webhooks: %w", err)
	}
	return ws, next, nil
}

// definitionList is the query of one list of the definitions table's IndexList.
func (s *Store) definitionList(listKey string) listQuery {
	return listQuery{
		table: s.t.Definitions, index: IndexList, partAttr: attrListKey, part: listKey, sortAttr: attrSortKey,
		keyAttrs: []string{attrListKey, attrSortKey, attrPK},
	}
}

// UpdateWebhook implements storetest.Store.
func (s *Store) UpdateWebhook(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error) {
	out, err := retry(ctx, func() (webhook.Webhook, error) {
		old, found, err := s.loadWebhook(ctx, w.ID)
		switch {
		case err != nil:
			return webhook.Webhook{}, err
		case !found || old.Deleted():
			return webhook.Webhook{}, webhook.ErrNotFound
		case old.Version != w.Version:
			return webhook.Webhook{}, webhook.ErrVersion
		}
		nw := w
		nw.Version, nw.CreatedAt, nw.DeletedAt = old.Version+1, old.CreatedAt, time.Time{}
		it, err := marshal(toWebhookItem(nw))
		if err != nil {
			return webhook.Webhook{}, err
		}
		var t txn
		active := expression.AttributeNotExists(expression.Name(attrDeletedAt))
		t.add(txPut(s.t.Definitions, it, versionIs(old.Version).And(active)), func(cur item) error {
			if cur == nil || strAttr(cur, attrDeletedAt) != "" {
				return webhook.ErrNotFound
			}
			return webhook.ErrVersion
		})
		if old.Name != nw.Name {
			t.add(txDelete(s.t.Definitions, pkItem(prefixWebhookName+old.Name), ownedBy(old.ID)), nil)
			t.add(txPut(s.t.Definitions, guard(prefixWebhookName+nw.Name, nw.ID), notExists), func(cur item) error {
				return conflict.Name("webhook", nw.Name, strAttr(cur, attrOwnerID))
			})
		}
		if old.ConnectorID != nw.ConnectorID {
			if old.ConnectorID != "" {
				t.add(txUpdate(s.t.Definitions, pkItem(prefixConnector+old.ConnectorID), addRefs(-1), exists), nil)
			}
			if nw.ConnectorID != "" {
				t.add(txUpdate(s.t.Definitions, pkItem(prefixConnector+nw.ConnectorID), addRefs(1), exists), func(item) error {
					return conflict.MissingConnector(nw.ConnectorID)
				})
			}
		}
		return nw, s.commit(ctx, &t)
	})
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("dynamo: update webhook %q: %w", w.ID, err)
	}
	return normalize(out), nil
}

// DeleteWebhook implements storetest.Store.
func (s *Store) DeleteWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error) {
	w, err := s.setDeleted(ctx, id, at, true)
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("dynamo: delete webhook %q: %w", id, err)
	}
	return w, nil
}

// RestoreWebhook implements storetest.Store.
func (s *Store) RestoreWebhook(ctx context.Context, id string, at time.Time) (webhook.Webhook, error) {
	w, err := s.setDeleted(ctx, id, at, false)
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("dynamo: restore webhook %q: %w", id, err)
	}
	return w, nil
}

// setDeleted soft-deletes (deleted=true) an active webhook, releasing its name and
// connector, or restores a deleted one, taking them again.
func (s *Store) setDeleted(ctx context.Context, id string, at time.Time, deleted bool) (webhook.Webhook, error) {
	w, err := retry(ctx, func() (webhook.Webhook, error) {
		old, found, err := s.loadWebhook(ctx, id)
		switch {
		case err != nil:
			return webhook.Webhook{}, err
		case !found || old.Deleted() == deleted:
			return webhook.Webhook{}, webhook.ErrNotFound
		}
		nw := old
		nw.Version, nw.UpdatedAt, nw.DeletedAt = old.Version+1, at, time.Time{}
		if deleted {
			nw.DeletedAt = at
		}
		it, err := marshal(toWebhookItem(nw))
		if err != nil {
			return webhook.Webhook{}, err
		}
		var t txn
		t.add(txPut(s.t.Definitions, it, versionIs(old.Version)), nil) // changed since read: retry
		if deleted {
			s.releaseWebhookRefs(&t, old)
		} else {
			s.holdWebhookRefs(&t, nw)
		}
		return nw, s.commit(ctx, &t)
	})
	return normalize(w), err
}

// loadConnector reads connector id as stored; found is false when there is none.
func (s *Store) loadConnector(ctx context.Context, id string) (m item, c webhook.Connector, found bool, err error) {
	m, err = s.getItem(ctx, s.t.Definitions, pkItem(prefixConnector+id))
	if err != nil || m == nil {
		return nil, webhook.Connector{}, false, err
	}
	c, err = decoder(connectorItem.connector)(m)
	return m, c, err == nil, err
}

// CreateConnector implements storetest.Store.
func (s *Store) CreateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error) {
	c.Version = 1
	out, err := retry(ctx, func() (webhook.Connector, error) {
		it, err := marshal(toConnectorItem(c))
		if err != nil {
			return webhook.Connector{}, err
		}
		var t txn
		t.add(txPut(s.t.Definitions, it, notExists), func(item) error { return conflict.ID("connector", c.ID) })
		t.add(txPut(s.t.Definitions, guard(prefixConnectorName+c.Name, c.ID), notExists), func(cur item) error {
			return conflict.Name("connector", c.Name, strAttr(cur, attrOwnerID))
		})
		return c, s.commit(ctx, &t)
	})
	if err != nil {
		return webhook.Connector{}, fmt.Errorf("dynamo: create connector %q: %w", c.ID, err)
	}
	return normalizeConnector(out), nil
}

// GetConnector implements storetest.Store.
func (s *Store) GetConnector(ctx context.Context, id string) (webhook.Connector, error) {
	_, c, found, err := s.loadConnector(ctx, id)
	if err == nil && !found {
		err = webhook.ErrNotFound
	}
	if err != nil {
		return webhook.Connector{}, fmt.Errorf("dynamo: get connector %q: %w", id, err)
	}
	return c, nil
}

// ListConnectors implements storetest.Store.
func (s *Store) ListConnectors(ctx context.Context, p store.Page) ([]webhook.Connector, string, error) {
	cs, next, err := queryPage(ctx, s.db, s.definitionList(kindConnector), p, each(decoder(connectorItem.connector)))
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: list connectors: %w", err)
	}
	return cs, next, nil
}

// replace returns the update that turns stored item old into nw, leaving the attributes
// in keep (maintained by other writers, such as a reference count) as they are.
func replace(old, nw item, keep ...string) expression.UpdateBuilder {
	var u expression.UpdateBuilder
	for name, v := range nw {
		if name == attrPK || name == attrSK || slices.Contains(keep, name) {
			continue
		}
		u = u.Set(expression.Name(name), expression.Value(v))
	}
	for name := range old {
		if _, ok := nw[name]; !ok && name != attrPK && name != attrSK && !slices.Contains(keep, name) {
			u = u.Remove(expression.Name(name))
		}
	}
	return u
}

// UpdateConnector implements storetest.Store. It updates the connector's attributes in
// place rather than replacing the item, so concurrent changes to its reference count
// are kept.
func (s *Store) UpdateConnector(ctx context.Context, c webhook.Connector) (webhook.Connector, error) {
	out, err := retry(ctx, func() (webhook.Connector, error) {
		oldItem, old, found, err := s.loadConnector(ctx, c.ID)
		switch {
		case err != nil:
			return webhook.Connector{}, err
		case !found:
			return webhook.Connector{}, webhook.ErrNotFound
		case old.Version != c.Version:
			return webhook.Connector{}, webhook.ErrVersion
		}
		nc := c
		nc.Version, nc.CreatedAt = old.Version+1, old.CreatedAt
		it, err := marshal(toConnectorItem(nc))
		if err != nil {
			return webhook.Connector{}, err
		}
		var t txn
		t.add(txUpdate(s.t.Definitions, pkItem(prefixConnector+c.ID), replace(oldItem, it, attrRefs), versionIs(old.Version)), func(cur item) error {
			if cur == nil {
				return webhook.ErrNotFound
			}
			return webhook.ErrVersion
		})
		if old.Name != nc.Name {
			t.add(txDelete(s.t.Definitions, pkItem(prefixConnectorName+old.Name), ownedBy(c.ID)), nil)
			t.add(txPut(s.t.Definitions, guard(prefixConnectorName+nc.Name, c.ID), notExists), func(cur item) error {
				return conflict.Name("connector", nc.Name, strAttr(cur, attrOwnerID))
			})
		}
		return nc, s.commit(ctx, &t)
	})
	if err != nil {
		return webhook.Connector{}, fmt.Errorf("dynamo: update connector %q: %w", c.ID, err)
	}
	return normalizeConnector(out), nil
}

// DeleteConnector implements storetest.Store. The delete is conditional on the
// connector's reference count being zero, in the same request, so no webhook can take
// the connector between a check and the delete.
func (s *Store) DeleteConnector(ctx context.Context, id string) error {
	_, err := retry(ctx, func() (struct{}, error) {
		_, old, found, err := s.loadConnector(ctx, id)
		if err != nil {
			return struct{}{}, err
		}
		if !found {
			return struct{}{}, webhook.ErrNotFound
		}
		unused := expression.AttributeNotExists(expression.Name(attrRefs)).Or(expression.Name(attrRefs).Equal(expression.Value(0)))
		var t txn
		t.add(txDelete(s.t.Definitions, pkItem(prefixConnector+id), versionIs(old.Version).And(unused)), func(cur item) error {
			switch {
			case cur == nil:
				return webhook.ErrNotFound
			case intAttr(cur, attrVersion) != old.Version:
				return errRetry
			}
			return errInUse
		})
		t.add(txDelete(s.t.Definitions, pkItem(prefixConnectorName+old.Name), ownedBy(id)), nil)
		err = s.commit(ctx, &t)
		if errors.Is(err, errInUse) {
			err = s.connectorInUse(ctx, id)
		}
		return struct{}{}, err
	})
	if err != nil {
		return fmt.Errorf("dynamo: delete connector %q: %w", id, err)
	}
	return nil
}

// errInUse reports, inside DeleteConnector, that the connector's reference count is not zero.
var errInUse = errors.New("connector in use")

// connectorInUse returns the conflict naming the active webhooks that use connector id,
// found through IndexByConnector (eventually consistent: right after a change it may
// name one webhook too many or too few; the refusal itself rests on the reference count).
func (s *Store) connectorInUse(ctx context.Context, id string) error {
	q := listQuery{
		table: s.t.Definitions, index: IndexByConnector, partAttr: attrConnectorKey, part: id, sortAttr: attrSortKey,
		keyAttrs: []string{attrConnectorKey, attrSortKey, attrPK},
	}
	type user struct{ id, name string }
	users, err := queryAll(ctx, s.db, q, each(func(m item) (user, error) {
		return user{strAttr(m, attrID), strAttr(m, attrName)}, nil
	}))
	if err != nil {
		return err
	}
	ids, names := make([]string, len(users)), make([]string, len(users))
	for i, u := range users {
		ids[i], names[i] = u.id, u.name
	}
	return conflict.ConnectorInUse(ids, names)
}

// CreateSegment implements storetest.Store.
func (s *Store) CreateSegment(ctx context.Context, g webhook.Segment) (webhook.Segment, error) {
	it, err := marshal(toSegmentItem(g))
	if err == nil {
		var failed bool
		if _, failed, err = s.putItem(ctx, s.t.Definitions, it, notExists); err == nil && failed {
			err = conflict.ID("segment", g.ID)
		}
	}
	if err != nil {
		return webhook.Segment{}, fmt.Errorf("dynamo: create segment %q: %w", g.ID, err)
	}
	return normalizeSegment(g), nil
}

// GetSegment implements storetest.Store.
func (s *Store) GetSegment(ctx context.Context, id string) (webhook.Segment, error) {
	m, err := s.getItem(ctx, s.t.Definitions, pkItem(prefixSegment+id))
	if err == nil && m == nil {
		err = webhook.ErrNotFound
	}
	var g webhook.Segment
	if err == nil {
		g, err = decoder(segmentItem.segment)(m)
	}
	if err != nil {
		return webhook.Segment{}, fmt.Errorf("dynamo: get segment %q: %w", id, err)
	}
	return g, nil
}

// ListSegments implements storetest.Store.
func (s *Store) ListSegments(ctx context.Context, p store.Page) ([]webhook.Segment, string, error) {
	gs, next, err := queryPage(ctx, s.db, s.definitionList(kindSegment), p, each(decoder(segmentItem.segment)))
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: list segments: %w", err)
	}
	return gs, next, nil
}

// loadWorkflow reads workflow id; found is false when there is none.
func (s *Store) loadWorkflow(ctx context.Context, id string) (f webhook.Workflow, found bool, err error) {
	m, err := s.getItem(ctx, s.t.Definitions, pkItem(prefixWorkflow+id))
	if err != nil || m == nil {
		return webhook.Workflow{}, false, err
	}
	f, err = decoder(workflowItem.workflow)(m)
	return f, err == nil, err
}

// CreateWorkflow implements storetest.Store.
func (s *Store) CreateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error) {
	f.Version = 1
	it, err := marshal(toWorkflowItem(f))
	if err == nil {
		var failed bool
		if _, failed, err = s.putItem(ctx, s.t.Definitions, it, notExists); err == nil && failed {
			err = conflict.ID("workflow", f.ID)
		}
	}
	if err != nil {
		return webhook.Workflow{}, fmt.Errorf("dynamo: create workflow %q: %w", f.ID, err)
	}
	return normalizeWorkflow(f), nil
}

// GetWorkflow implements storetest.Store.
func (s *Store) GetWorkflow(ctx context.Context, id string) (webhook.Workflow, error) {
	f, found, err := s.loadWorkflow(ctx, id)
	if err == nil && !found {
		err = webhook.ErrNotFound
	}
	if err != nil {
		return webhook.Workflow{}, fmt.Errorf("dynamo: get workflow %q: %w", id, err)
	}
	return f, nil
}

// ListWorkflows implements storetest.Store.
func (s *Store) ListWorkflows(ctx context.Context, p store.Page) ([]webhook.Workflow, string, error) {
	fs, next, err := queryPage(ctx, s.db, s.definitionList(kindWorkflow), p, each(decoder(workflowItem.workflow)))
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: list workflows: %w", err)
	}
	return fs, next, nil
}

// UpdateWorkflow implements storetest.Store.
func (s *Store) UpdateWorkflow(ctx context.Context, f webhook.Workflow) (webhook.Workflow, error) {
	old, found, err := s.loadWorkflow(ctx, f.ID)
	switch {
	case err != nil:
	case !found:
		err = webhook.ErrNotFound
	case old.Version != f.Version:
		err = webhook.ErrVersion
	}
	if err == nil {
		f.Version, f.CreatedAt = old.Version+1, old.CreatedAt
		var it item
		if it, err = marshal(toWorkflowItem(f)); err == nil {
			var cur item
			var failed bool
			cur, failed, err = s.putItem(ctx, s.t.Definitions, it, versionIs(old.Version))
			switch {
			case err != nil:
			case failed && cur == nil:
				err = webhook.ErrNotFound
			case failed:
				err = webhook.ErrVersion
			}
		}
	}
	if err != nil {
		return webhook.Workflow{}, fmt.Errorf("dynamo: update workflow %q: %w", f.ID, err)
	}
	return normalizeWorkflow(f), nil
}

// DeleteWorkflow implements storetest.Store.
func (s *Store) DeleteWorkflow(ctx context.Context, id string) error {
	failed, err := s.deleteItem(ctx, s.t.Definitions, pkItem(prefixWorkflow+id), exists)
	if err == nil && failed {
		err = webhook.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("dynamo: delete workflow %q: %w", id, err)
	}
	return nil
}

// TriggeredWorkflows implements storetest.Store. IndexByTrigger holds enabled workflows
// only; like every index it is eventually consistent, so a workflow enabled or disabled
// a moment ago may be missed or still returned.
func (s *Store) TriggeredWorkflows(ctx context.Context, eventType string) ([]webhook.Workflow, error) {
	if eventType == "" {
		return nil, nil
	}
	q := listQuery{
		table: s.t.Definitions, index: IndexByTrigger, partAttr: attrTriggerKey, part: eventType, sortAttr: attrSortKey,
		keyAttrs: []string{attrTriggerKey, attrSortKey, attrPK},
	}
	fs, err := queryAll(ctx, s.db, q, each(decoder(workflowItem.workflow)))
	if err != nil {
		return nil, fmt.Errorf("dynamo: triggered workflows %q: %w", eventType, err)
	}
	return fs, nil
}
