// Package dynamo is Flowhook's DynamoDB store: the storetest.Store contract on four
// tables (definitions, contacts, events, runs), with the AWS SDK for Go v2.
//
// TABLES.md describes every table, key, index and guard item and which operation serves
// each access pattern; TableDefinitions holds the same design as code, so tests, the
// local tooling and the check against template.yaml share one definition.
//
// Rules that span records are enforced by DynamoDB, never by a read followed by a write:
// uniqueness (active webhook names, connector names, contact emails and phones, event
// source ids) by guard items written in the same TransactWriteItems as the record with
// attribute_not_exists; a webhook's connector by an update of the connector's reference
// count in the same transaction (which also fails when the connector is gone); a
// connector's deletion by a condition that its reference count is zero; optimistic
// concurrency by a condition on the stored version. No request path scans a table:
// every list is a Query of an index, one page at a time, with an opaque cursor.
//
// SDK errors never leave the package: condition failures and cancelled transactions
// become webhook.ErrNotFound, ErrVersion or a *webhook.ConflictError, and every other
// error is flattened to text (context cancellation stays detectable with errors.Is).
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/flowhook/flowhook/shared/store"
)

// Client is the part of the DynamoDB API the store uses; *dynamodb.Client implements it.
type Client interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Tables names the store's four tables.
type Tables struct {
	// Definitions holds webhooks, connectors, segments, workflows and the name guards.
	Definitions string
	// Contacts holds contacts, their email and phone guards and search entries.
	Contacts string
	// Events holds received events and their source-id guards (TTL).
	Events string
	// Runs holds run headers and one item per recorded step (TTL, stream).
	Runs string
}

// Environment variables TablesFromEnv reads; template.yaml sets them on every function.
const (
	EnvTableDefinitions = "FLOWHOOK_TABLE_DEFINITIONS"
	EnvTableContacts    = "FLOWHOOK_TABLE_CONTACTS"
	EnvTableEvents      = "FLOWHOOK_TABLE_EVENTS"
	EnvTableRuns        = "FLOWHOOK_TABLE_RUNS"
)

// TablesFromEnv reads the table names from the FLOWHOOK_TABLE_* variables; it fails
// naming every variable that is unset.
func TablesFromEnv() (Tables, error) {
	t := Tables{
		Definitions: os.Getenv(EnvTableDefinitions),
		Contacts:    os.Getenv(EnvTableContacts),
		Events:      os.Getenv(EnvTableEvents),
		Runs:        os.Getenv(EnvTableRuns),
	}
	if err := t.validate(); err != nil {
		return Tables{}, fmt.Errorf("dynamo: tables from environment: %w", err)
	}
	return t, nil
}

func (t Tables) validate() error {
	var missing []string
	for _, f := range []struct{ name, env string }{
		{t.Definitions, EnvTableDefinitions}, {t.Contacts, EnvTableContacts}, {t.Events, EnvTableEvents}, {t.Runs, EnvTableRuns},
	} {
		if f.name == "" {
			missing = append(missing, f.env)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no table name for %s", strings.Join(missing, ", "))
	}
	return nil
}

// Options tune a Store. The zero value is the default.
type Options struct {
	// EventRetention is how long after it was received an event expires (TTL); 0 means
	// DefaultEventRetention. Runs expire at their own ExpiresAt.
	EventRetention time.Duration
}

// DefaultEventRetention is how long events are kept unless Options say otherwise.
const DefaultEventRetention = 30 * 24 * time.Hour

// Store is the DynamoDB store. Its methods are safe for concurrent use.
type Store struct {
	db        Client
	t         Tables
	retention time.Duration
}

// New returns a store on the tables t through db, which it uses as is (region,
// endpoint and retries are the client's).
func New(db Client, t Tables, o Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("dynamo: new store: nil client")
	}
	if err := t.validate(); err != nil {
		return nil, fmt.Errorf("dynamo: new store: %w", err)
	}
	if o.EventRetention <= 0 {
		o.EventRetention = DefaultEventRetention
	}
	return &Store{db: db, t: t, retention: o.EventRetention}, nil
}

// errRetry asks an operation's retry loop to read again and redo the write: another
// writer changed what the operation read, or DynamoDB cancelled the transaction for a
// conflict with a concurrent one.
var errRetry = errors.New("retry")

// maxAttempts bounds an operation's retries on errRetry.
const maxAttempts = 6

// retry runs op until it returns something other than errRetry, at most maxAttempts
// times, backing off with jitter between attempts.
func retry[T any](ctx context.Context, op func() (T, error)) (T, error) {
	var zero T
	for attempt := range maxAttempts {
		v, err := op()
		if !errors.Is(err, errRetry) {
			return v, err
		}
		if attempt == maxAttempts-1 {
			break
		}
		backoff := time.Duration(5<<attempt)*time.Millisecond + rand.N(5*time.Millisecond)
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(backoff):
		}
	}
	return zero, fmt.Errorf("gave up after %d attempts: concurrent writers kept changing the record", maxAttempts)
}

// txn collects the items of one TransactWriteItems with, for each, what its failed
// condition means.
type txn struct {
	items  []types.TransactWriteItem
	onFail []func(old item) error
}

// add appends a write; onFail maps its failed condition (old is the stored item, nil if
// none, when the write asked for ALL_OLD) to the operation's error. A nil onFail means
// the condition cannot fail unless a concurrent writer intervened: retry.
func (t *txn) add(w types.TransactWriteItem, onFail func(old item) error) {
	t.items = append(t.items, w)
	t.onFail = append(t.onFail, onFail)
}

// commit runs the transaction and translates a cancellation: the first failed condition
// decides the error; a conflict with a concurrent transaction is errRetry.
func (s *Store) commit(ctx context.Context, t *txn) error {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: t.items})
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return sdkError(err)
	}
	conflicted := false
	var codes []string
	for i, r := range tce.CancellationReasons {
		code := deref(r.Code)
		codes = append(codes, code)
		switch code {
		case "ConditionalCheckFailed":
			if i < len(t.onFail) && t.onFail[i] != nil {
				return t.onFail[i](r.Item)
			}
			return errRetry
		case "TransactionConflict":
			conflicted = true
		}
	}
	if conflicted {
		return errRetry
	}
	for _, r := range tce.CancellationReasons {
		if deref(r.Code) == "ValidationError" && strings.Contains(deref(r.Message), "size") {
			return fmt.Errorf("%s: %w", deref(r.Message), store.ErrTooLarge)
		}
	}
	return fmt.Errorf("dynamodb: transaction cancelled (%s): %s", strings.Join(codes, ", "), deref(tce.Message))
}

// conditionFailed returns the stored item of a failed single-item conditional write and
// true, or false when err is something else.
func conditionFailed(err error) (item, bool) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ccf.Item, true
	}
	return nil, false
}

// sdkError flattens an SDK error into text, so no SDK type leaves the package; context
// cancellation and deadlines stay detectable, and an item over DynamoDB's size limit
// becomes store.ErrTooLarge.
func sdkError(err error) error {
	if err == nil {
		return nil
	}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, ctxErr) {
			return fmt.Errorf("dynamodb: %w", ctxErr)
		}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		msg := apiErr.ErrorMessage()
		if apiErr.ErrorCode() == "ValidationException" && strings.Contains(msg, "exceeded the maximum allowed size") {
			return fmt.Errorf("dynamodb: %s: %w", msg, store.ErrTooLarge)
		}
		return fmt.Errorf("dynamodb: %s: %s", apiErr.ErrorCode(), msg)
	}
	return errors.New("dynamodb: " + err.Error())
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
