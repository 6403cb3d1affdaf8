package dynamo_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/dynamo"
	"github.com/flowhook/flowhook/shared/webhook"
)

// counting passes calls to a client and counts them by operation.
type counting struct {
	db *dynamodb.Client
	mu sync.Mutex
	n  map[string]int
}

func (c *counting) count(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[op]++
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.count("GetItem")
	return c.db.GetItem(ctx, in, o...)
}

func (c *counting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.count("PutItem")
	return c.db.PutItem(ctx, in, o...)
}

func (c *counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.count("UpdateItem")
	return c.db.UpdateItem(ctx, in, o...)
}

func (c *counting) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.count("DeleteItem")
	return c.db.DeleteItem(ctx, in, o...)
}

func (c *counting) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.count("Query")
	return c.db.Query(ctx, in, o...)
}

func (c *counting) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.count("BatchGetItem")
	return c.db.BatchGetItem(ctx, in, o...)
}

func (c *counting) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.count(fmt.Sprintf("TransactWriteItems(%d)", len(in.TransactItems)))
	return c.db.TransactWriteItems(ctx, in, o...)
}

// TestRequestsPerOperation pins how many DynamoDB requests (and transaction items) each
// operation costs, the access patterns TABLES.md lists; a change here is a change of
// cost and latency in AWS.
func TestRequestsPerOperation(t *testing.T) {
	_, db, tables := newStore(t, dynamo.Options{})
	c := &counting{db: db, n: map[string]int{}}
	s, err := dynamo.New(c, tables, dynamo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	conn := webhook.Connector{ID: "c_1", Name: "crm", CreatedAt: at}
	wh := webhook.Webhook{ID: "w_1", Name: "WH5", ConnectorID: "c_1", CreatedAt: at}
	contact := webhook.Contact{ID: "ct_1", Email: "ann@example.com", Phone: "+380", CreatedAt: at}
	for _, tc := range []struct {
		name string
		op   func() error
		want string
	}{
		{"CreateConnector", func() error { _, err := s.CreateConnector(ctx, conn); return err }, "TransactWriteItems(2)"},
		{"CreateWebhook with a connector", func() error { _, err := s.CreateWebhook(ctx, wh); return err }, "TransactWriteItems(3)"},
		{"GetWebhook", func() error { _, err := s.GetWebhook(ctx, "w_1"); return err }, "GetItem"},
		{"UpdateWebhook, same name and connector", func() error {
			wh.Version = 1
			_, err := s.UpdateWebhook(ctx, wh)
			return err
		}, "GetItem TransactWriteItems(1)"},
		{"UpdateWebhook, renamed", func() error {
			wh.Version, wh.Name = 2, "WH6"
			_, err := s.UpdateWebhook(ctx, wh)
			return err
		}, "GetItem TransactWriteItems(3)"},
		{"ListWebhooks", func() error { _, _, err := s.ListWebhooks(ctx, false, store.Page{}); return err }, "Query"},
		{"DeleteConnector refused", func() error { s.DeleteConnector(ctx, "c_1"); return nil }, "GetItem Query TransactWriteItems(2)"},
		{"DeleteWebhook", func() error { _, err := s.DeleteWebhook(ctx, "w_1", at); return err }, "GetItem TransactWriteItems(3)"},
		{"CreateContact", func() error { _, err := s.CreateContact(ctx, contact); return err }, "TransactWriteItems(5)"},
		{"ContactByEmail", func() error { _, err := s.ContactByEmail(ctx, "ANN@example.com"); return err }, "GetItem GetItem"},
		{"SearchContacts", func() error { _, _, err := s.SearchContacts(ctx, "ann", store.Page{}); return err }, "BatchGetItem Query"},
		{"PutEvent with a source id", func() error {
			_, _, err := s.PutEvent(ctx, webhook.Event{ID: "e_1", TypeKey: "t", Source: "api", SourceID: "k", ReceivedAt: at})
			return err
		}, "TransactWriteItems(2)"},
		{"CreateRun", func() error {
			_, _, err := s.CreateRun(ctx, webhook.Run{ID: "r_1", WorkflowID: "f_1", CreatedAt: at})
			return err
		}, "PutItem"},
		{"RecordStep", func() error { return s.RecordStep(ctx, "r_1", 0, webhook.StepRecord{ID: "m"}) }, "GetItem PutItem"},
		{"GetRun", func() error { _, err := s.GetRun(ctx, "r_1"); return err }, "Query"},
		{"SetRunStatus", func() error {
			_, err := s.SetRunStatus(ctx, store.RunUpdate{RunID: "r_1", From: []webhook.RunStatus{webhook.StatusQueued}, To: webhook.StatusRunning, At: at})
			return err
		}, "UpdateItem"},
	} {
		clear(c.n)
		if err := tc.op(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, op := range slices.Sorted(maps.Keys(c.n)) {
			for range c.n[op] {
				got = append(got, op)
			}
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s: got requests %q, want %q", tc.name, g, tc.want)
		}
	}
}
