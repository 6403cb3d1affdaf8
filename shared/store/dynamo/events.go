package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// errExists reports, inside PutEvent, that the event or its source id is stored already.
var errExists = errors.New("exists")

// PutEvent implements storetest.Store. The event and its source guard (when SourceID is
// set) are written in one transaction, both expiring EventRetention after ReceivedAt.
func (s *Store) PutEvent(ctx context.Context, e webhook.Event) (webhook.Event, bool, error) {
	expires := e.ReceivedAt.Add(s.retention)
	type result struct {
		e       webhook.Event
		created bool
	}
	res, err := retry(ctx, func() (result, error) {
		it, err := marshal(toEventItem(e, expires))
		if err != nil {
			return result{}, err
		}
		existing := ""
		var t txn
		t.add(txPut(s.t.Events, it, notExists), func(item) error {
			existing = e.ID
			return errExists
		})
		var sourceGuard item
		if e.SourceID != "" {
			sourceGuard = sourceKey(e.Source, e.SourceID)
			g := item{attrKind: str(kindGuard), attrOwnerID: str(e.ID), TTLAttribute: num(expires.Unix())}
			g[attrPK] = sourceGuard[attrPK]
			t.add(txPut(s.t.Events, g, notExists), func(cur item) error {
				existing = strAttr(cur, attrOwnerID)
				return errExists
			})
		}
		err = s.commit(ctx, &t)
		if !errors.Is(err, errExists) {
			return result{normalizeEvent(e, expires), true}, err
		}
		stored, found, err := s.loadEvent(ctx, existing)
		if err != nil {
			return result{}, err
		}
		if found {
			return result{stored, false}, nil
		}
		// The guard outlived its event (TTL deletes each in its own time): drop it and
		// store this event.
		if _, err := s.deleteItem(ctx, s.t.Events, sourceGuard, ownedBy(existing)); err != nil {
			return result{}, err
		}
		return result{}, errRetry
	})
	if err != nil {
		return webhook.Event{}, false, fmt.Errorf("dynamo: put event %q: %w", e.ID, err)
	}
	return res.e, res.created, nil
}

// loadEvent reads event id; found is false when there is none.
func (s *Store) loadEvent(ctx context.Context, id string) (e webhook.Event, found bool, err error) {
	m, err := s.getItem(ctx, s.t.Events, pkItem(prefixEvent+id))
	if err != nil || m == nil {
		return webhook.Event{}, false, err
	}
	e, err = decoder(eventItem.event)(m)
	return e, err == nil, err
}

// GetEvent implements storetest.Store.
func (s *Store) GetEvent(ctx context.Context, id string) (webhook.Event, error) {
	e, found, err := s.loadEvent(ctx, id)
	if err == nil && !found {
		err = webhook.ErrNotFound
	}
	if err != nil {
		return webhook.Event{}, fmt.Errorf("dynamo: get event %q: %w", id, err)
	}
	return e, nil
}

// ListEvents implements storetest.Store.
func (s *Store) ListEvents(ctx context.Context, typeKey string, p store.Page) ([]webhook.Event, string, error) {
	q := listQuery{
		table: s.t.Events, index: IndexList, partAttr: attrListKey, part: kindEvent, sortAttr: attrSortKey, desc: true,
		keyAttrs: []string{attrListKey, attrSortKey, attrPK},
	}
	if typeKey != "" {
		q = listQuery{
			table: s.t.Events, index: IndexByType, partAttr: attrTypeKey, part: typeKey, sortAttr: attrSortKey, desc: true,
			keyAttrs: []string{attrTypeKey, attrSortKey, attrPK},
		}
	}
	es, next, err := queryPage(ctx, s.db, q, p, each(decoder(eventItem.event)))
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: list events %q: %w", typeKey, err)
	}
	return es, next, nil
}
