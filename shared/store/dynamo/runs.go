package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/internal/conflict"
	"github.com/flowhook/flowhook/shared/store/internal/norm"
	"github.com/flowhook/flowhook/shared/webhook"
)

// CreateRun implements storetest.Store. The header's INSERT, in status queued, is what
// the runs table's stream filter (RunStreamFilter) hands to execute.
func (s *Store) CreateRun(ctx context.Context, r webhook.Run) (webhook.Run, bool, error) {
	if len(r.Steps) > 0 {
		return webhook.Run{}, false, fmt.Errorf("dynamo: create run %q: a new run has no steps (record them with RecordStep)", r.ID)
	}
	r.Status, r.Version = webhook.StatusQueued, 1
	it, err := marshal(toRunItem(r))
	var failed bool
	if err == nil {
		_, failed, err = s.putItem(ctx, s.t.Runs, it, notExists)
	}
	if err != nil {
		return webhook.Run{}, false, fmt.Errorf("dynamo: create run %q: %w", r.ID, err)
	}
	if !failed {
		return normalizeRun(r), true, nil
	}
	stored, err := s.GetRun(ctx, r.ID)
	if err != nil {
		return webhook.Run{}, false, fmt.Errorf("dynamo: create run %q: read the stored run: %w", r.ID, err)
	}
	return stored, false, nil
}

// GetRun implements storetest.Store: one strongly consistent Query of the run's
// partition returns its header ("run" sorts before "step#…") and its steps in order.
func (s *Store) GetRun(ctx context.Context, id string) (webhook.Run, error) {
	q := listQuery{table: s.t.Runs, partAttr: attrPK, part: prefixRun + id, sortAttr: attrSK, consistent: true, keyAttrs: []string{attrPK, attrSK}}
	items, err := queryAll(ctx, s.db, q, each(func(m item) (item, error) { return m, nil }))
	var r webhook.Run
	found := false
	for _, m := range items {
		if err != nil {
			break
		}
		switch strAttr(m, attrKind) {
		case kindRun:
			r, err = decoder(runItem.run)(m)
			found = true
		case kindStep:
			var st webhook.StepRecord
			if st, err = stepOf(m); err == nil {
				r.Steps = append(r.Steps, st)
			}
		}
	}
	if err == nil && !found {
		err = webhook.ErrNotFound
	}
	if err != nil {
		return webhook.Run{}, fmt.Errorf("dynamo: get run %q: %w", id, err)
	}
	return r, nil
}

// ListRuns implements storetest.Store.
func (s *Store) ListRuns(ctx context.Context, workflowID string, p store.Page) ([]webhook.Run, string, error) {
	q := listQuery{
		table: s.t.Runs, index: IndexByWorkflow, partAttr: attrWorkflowID, part: workflowID, sortAttr: attrSortKey, desc: true,
		keyAttrs: []string{attrWorkflowID, attrSortKey, attrPK, attrSK},
	}
	var rs []webhook.Run
	var next string
	var err error
	if workflowID != "" {
		rs, next, err = queryPage(ctx, s.db, q, p, each(decoder(runItem.run)))
	}
	if err != nil {
		return nil, "", fmt.Errorf("dynamo: list runs of workflow %q: %w", workflowID, err)
	}
	return rs, next, nil
}

// RunsForEvent implements storetest.Store.
func (s *Store) RunsForEvent(ctx context.Context, eventID string) ([]webhook.Run, error) {
	if eventID == "" {
		return nil, nil
	}
	q := listQuery{
		table: s.t.Runs, index: IndexByEvent, partAttr: attrEventID, part: eventID, sortAttr: attrSortKey,
		keyAttrs: []string{attrEventID, attrSortKey, attrPK, attrSK},
	}
	rs, err := queryAll(ctx, s.db, q, each(decoder(runItem.run)))
	if err != nil {
		return nil, fmt.Errorf("dynamo: runs for event %q: %w", eventID, err)
	}
	return rs, nil
}

// RecordStep implements storetest.Store: the step is an item of its own, so a long run
// never nears the item size limit, written with attribute_not_exists so a re-delivered
// stream record cannot record a step twice. It expires with its run.
func (s *Store) RecordStep(ctx context.Context, runID string, seq int, st webhook.StepRecord) error {
	err := func() error {
		if seq < 0 {
			return fmt.Errorf("seq must not be negative")
		}
		header, err := s.getItem(ctx, s.t.Runs, pkSKItem(prefixRun+runID, skRun))
		if err != nil {
			return err
		}
		if header == nil {
			return webhook.ErrNotFound
		}
		it, err := stepItem(runID, seq, st, intAttr(header, TTLAttribute))
		if err != nil {
			return err
		}
		_, failed, err := s.putItem(ctx, s.t.Runs, it, notExists)
		if err == nil && failed {
			err = conflict.Step(runID, seq)
		}
		return err
	}()
	if err != nil {
		return fmt.Errorf("dynamo: record step %d of run %q: %w", seq, runID, err)
	}
	return nil
}

// terminal reports whether a run in status has finished.
func terminal(status webhook.RunStatus) bool {
	switch status {
	case webhook.StatusSucceeded, webhook.StatusFailed, webhook.StatusStopped:
		return true
	}
	return false
}

// SetRunStatus implements storetest.Store with one conditional UpdateItem.
func (s *Store) SetRunStatus(ctx context.Context, u store.RunUpdate) (webhook.Run, error) {
	r, err := s.setRunStatus(ctx, u)
	if err != nil {
		return webhook.Run{}, fmt.Errorf("dynamo: set status of run %q to %s: %w", u.RunID, u.To, err)
	}
	return r, nil
}

func (s *Store) setRunStatus(ctx context.Context, u store.RunUpdate) (webhook.Run, error) {
	key := pkSKItem(prefixRun+u.RunID, skRun)
	if len(u.From) == 0 { // matches no status: only say whether the run exists
		m, err := s.getItem(ctx, s.t.Runs, key)
		switch {
		case err != nil:
			return webhook.Run{}, err
		case m == nil:
			return webhook.Run{}, webhook.ErrNotFound
		}
		return webhook.Run{}, fmt.Errorf("run is %s and no status to move from was given: %w", strAttr(m, attrStatus), webhook.ErrVersion)
	}
	at := norm.Time(u.At)
	upd := expression.Set(expression.Name(attrStatus), expression.Value(string(u.To))).
		Add(expression.Name(attrVersion), expression.Value(1))
	for _, f := range []struct{ name, value string }{
		{"updatedAt", at}, {"failedStep", u.FailedStep}, {"reason", u.Reason},
	} {
		if f.value == "" {
			upd = upd.Remove(expression.Name(f.name))
		} else {
			upd = upd.Set(expression.Name(f.name), expression.Value(f.value))
		}
	}
	if terminal(u.To) {
		if at == "" {
			upd = upd.Remove(expression.Name("finishedAt"))
		} else {
			upd = upd.Set(expression.Name("finishedAt"), expression.Value(at))
		}
	}
	from := make([]expression.OperandBuilder, len(u.From))
	for i, f := range u.From {
		from[i] = expression.Value(string(f))
	}
	cond := exists.And(expression.Name(attrStatus).In(from[0], from[1:]...))
	e := build(expression.NewBuilder().WithUpdate(upd).WithCondition(cond))
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.t.Runs), Key: key, UpdateExpression: e.Update(),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValues: types.ReturnValueAllNew, ReturnValuesOnConditionCheckFailure: allOld,
	})
	if cur, failed := conditionFailed(err); failed {
		if cur == nil {
			return webhook.Run{}, webhook.ErrNotFound
		}
		return webhook.Run{}, fmt.Errorf("run is %s, not one of %v: %w", strAttr(cur, attrStatus), u.From, webhook.ErrVersion)
	}
	if err != nil {
		return webhook.Run{}, sdkError(err)
	}
	return decoder(runItem.run)(out.Attributes)
}
