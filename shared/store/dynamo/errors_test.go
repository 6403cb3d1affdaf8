package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// fakeDB answers the calls a test sets and panics on any other (a test failure).
type fakeDB struct {
	Client
	getItem  func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	putItem  func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	transact func(*dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error)
	calls    int
}

func (f *fakeDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.calls++
	return f.getItem(in)
}

func (f *fakeDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.calls++
	return f.putItem(in)
}

func (f *fakeDB) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.calls++
	return f.transact(in)
}

var testTables = Tables{Definitions: "d", Contacts: "c", Events: "e", Runs: "r"}

func newFakeStore(t *testing.T, f *fakeDB) *Store {
	t.Helper()
	s, err := New(f, testTables, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func cancelled(codes ...string) error {
	var reasons []types.CancellationReason
	for _, c := range codes {
		reasons = append(reasons, types.CancellationReason{Code: aws.String(c)})
	}
	return &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
}

func TestTransactionConflictsAreRetried(t *testing.T) {
	for _, tc := range []struct {
		name      string
		conflicts int
		wantCalls int
		wantErr   bool
	}{
		{"no conflict", 0, 1, false},
		{"two conflicts, then success", 2, 3, false},
		{"conflicts every time: give up", 1000, maxAttempts, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDB{}
			f.transact = func(in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
				if f.calls <= tc.conflicts {
					return nil, cancelled("None", "TransactionConflict")
				}
				return &dynamodb.TransactWriteItemsOutput{}, nil
			}
			c := webhook.Connector{ID: "c_1", Name: "crm", CreatedAt: time.Unix(0, 0)}
			_, err := newFakeStore(t, f).CreateConnector(t.Context(), c)
			if f.calls != tc.wantCalls {
				t.Errorf("got %d TransactWriteItems calls, want %d", f.calls, tc.wantCalls)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error: %v", err, tc.wantErr)
			}
			if err != nil {
				assertNoSDKType(t, err)
			}
		})
	}
}

func TestCancellationReasonsBecomeDomainErrors(t *testing.T) {
	owner := map[string]types.AttributeValue{attrOwnerID: str("c_other")}
	for _, tc := range []struct {
		name    string
		reasons []types.CancellationReason
		check   func(t *testing.T, err error)
	}{
		{"the connector exists", []types.CancellationReason{{Code: aws.String("ConditionalCheckFailed")}, {Code: aws.String("None")}},
			func(t *testing.T, err error) { wantConflict(t, err, "id", "c_1") }},
		{"the name is taken", []types.CancellationReason{{Code: aws.String("None")}, {Code: aws.String("ConditionalCheckFailed"), Item: owner}},
			func(t *testing.T, err error) { wantConflict(t, err, "name", "c_other") }},
		{"the item is too large", []types.CancellationReason{{Code: aws.String("ValidationError"), Message: aws.String("Item size has exceeded the maximum allowed size")}, {Code: aws.String("None")}},
			func(t *testing.T, err error) {
				if !errors.Is(err, store.ErrTooLarge) {
					t.Errorf("got %v, want ErrTooLarge", err)
				}
			}},
		{"throttled", []types.CancellationReason{{Code: aws.String("ThrottlingError")}, {Code: aws.String("None")}},
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "ThrottlingError") || errors.Is(err, webhook.ErrConflict) {
					t.Errorf("got %v, want an error naming ThrottlingError", err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDB{transact: func(*dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
				return nil, &types.TransactionCanceledException{Message: aws.String("cancelled"), CancellationReasons: tc.reasons}
			}}
			_, err := newFakeStore(t, f).CreateConnector(t.Context(), webhook.Connector{ID: "c_1", Name: "crm"})
			tc.check(t, err)
			assertNoSDKType(t, err)
		})
	}
}

func wantConflict(t *testing.T, err error, field, id string) {
	t.Helper()
	var ce *webhook.ConflictError
	if !errors.As(err, &ce) || ce.Field != field || len(ce.IDs) != 1 || ce.IDs[0] != id {
		t.Errorf("got %v, want a conflict on %s naming %s", err, field, id)
	}
}

// assertNoSDKType fails if err lets a caller reach an SDK error type.
func assertNoSDKType(t *testing.T, err error) {
	t.Helper()
	var apiErr smithy.APIError
	var tce *types.TransactionCanceledException
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &apiErr) || errors.As(err, &tce) || errors.As(err, &ccf) {
		t.Errorf("error %v leaks an SDK type (%T)", err, errors.Unwrap(err))
	}
}

func TestSDKErrorsAreFlattened(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		is    error
		words string
	}{
		{"throughput", &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}, nil, "ProvisionedThroughputExceededException"},
		{"missing table", &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}, nil, "ResourceNotFoundException"},
		{"generic API error", &smithy.GenericAPIError{Code: "InternalServerError", Message: "boom"}, nil, "InternalServerError"},
		{"too large", &smithy.GenericAPIError{Code: "ValidationException", Message: "Item size has exceeded the maximum allowed size"}, store.ErrTooLarge, "maximum allowed size"},
		{"cancelled", &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "GetItem", Err: context.Canceled}, context.Canceled, "canceled"},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), context.DeadlineExceeded, "deadline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDB{getItem: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return nil, tc.err }}
			_, err := newFakeStore(t, f).GetWebhook(t.Context(), "w_1")
			if err == nil {
				t.Fatal("got no error")
			}
			assertNoSDKType(t, err)
			if errors.Is(err, webhook.ErrNotFound) {
				t.Errorf("got %v: an SDK failure must not read as not found", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want it to wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.words) || !strings.Contains(err.Error(), `get webhook "w_1"`) {
				t.Errorf("got %q, want the operation and %q", err, tc.words)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(nil, testTables, Options{}); err == nil {
		t.Error("New with a nil client: got no error")
	}
	if _, err := New(&fakeDB{}, Tables{Definitions: "d"}, Options{}); err == nil || !strings.Contains(err.Error(), EnvTableRuns) {
		t.Errorf("New with missing tables: got %v, want an error naming them", err)
	}
}

// FuzzDecodeCursor feeds arbitrary cursors to a list: a cursor is refused with
// ErrBadCursor or accepted as a start key of exactly the list's key attributes, in its
// partition and prefix; never a panic.
func FuzzDecodeCursor(f *testing.F) {
	q := listQuery{
		table: "c", partAttr: attrPK, part: "search#a", sortAttr: attrSK, prefix: "ann", consistent: true,
		keyAttrs: []string{attrPK, attrSK},
	}
	f.Add(q.encodeCursor(item{attrPK: str("search#a"), attrSK: str("ann\x00ct_1")}))
	f.Add(q.encodeCursor(item{attrPK: str("search#b"), attrSK: str("bob\x00ct_1")}))
	f.Add("")
	f.Add("e30")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, cursor string) {
		esk, err := q.decodeCursor(cursor)
		if err != nil {
			if !errors.Is(err, store.ErrBadCursor) {
				t.Fatalf("got %v, want ErrBadCursor", err)
			}
			return
		}
		if len(esk) != 2 || strAttr(esk, attrPK) != "search#a" || !strings.HasPrefix(strAttr(esk, attrSK), "ann") {
			t.Fatalf("accepted cursor %q as %v", cursor, esk)
		}
		if again, err := q.decodeCursor(q.encodeCursor(esk)); err != nil || len(again) != 2 || strAttr(again, attrSK) != strAttr(esk, attrSK) {
			t.Fatalf("re-encoded cursor of %v does not decode to it: %v, %v", esk, again, err)
		}
	})
}

func TestItemSizeEstimateIsNotLow(t *testing.T) {
	// DynamoDB counts names and values; an estimate below the true size would let an
	// oversized step through to a ValidationException.
	st := webhook.StepRecord{ID: "wh", Type: webhook.StepWebhook, Status: webhook.StatusSucceeded,
		Request:  &webhook.RequestRecord{Method: "POST", URL: "https://x.example/", Body: strings.Repeat("b", 1000)},
		Attempts: []webhook.Attempt{{Status: 200, Body: strings.Repeat("a", 5000), Headers: []webhook.Header{{Name: "A", Value: "b"}}}}}
	it, err := stepItem("r_1", 3, st, 1)
	if err != nil {
		t.Fatal(err)
	}
	lower := 0
	for k, v := range it {
		lower += len(k)
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			lower += len(s.Value)
		}
	}
	lower += 6000 // the nested bodies
	if got := itemSize(it); got < lower {
		t.Errorf("itemSize = %d, below a lower bound of the true size %d", got, lower)
	}
}
