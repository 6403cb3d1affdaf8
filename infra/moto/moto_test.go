package moto_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/flowhook/flowhook/infra/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// newTable creates a table with a string hash key "pk" named for t.
func newTable(t *testing.T, db *dynamodb.Client) string {
	t.Helper()
	name := moto.Name(t, "tbl")
	_, err := db.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return name
}

func TestStartGivesAWorkingDynamoDB(t *testing.T) {
	s := moto.Start(t)
	db := dynamodb.NewFromConfig(s.AWSConfig())
	table := newTable(t, db)
	item := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}
	if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	_, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("conditional PutItem of an existing item: got %v, want ConditionalCheckFailedException", err)
	}
}

// TestConcurrentTransactionsLoseNothing races transactions on one table, half of them
// cancelled by a failing condition. moto rolls a cancelled transaction back by restoring
// a copy of the whole table, so without the proxy's serialization a cancelled
// transaction can erase a concurrent committed one.
func TestConcurrentTransactionsLoseNothing(t *testing.T) {
	s := moto.Start(t)
	db := dynamodb.NewFromConfig(s.AWSConfig())
	table := newTable(t, db)
	// A table of some size makes moto's copy, and so the window for a lost write, long.
	for i := range 500 {
		_, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &table,
			Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("filler%d", i)}}})
		if err != nil {
			t.Fatalf("PutItem: %v", err)
		}
	}
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() {
			items := []types.TransactWriteItem{{Put: &types.Put{TableName: &table,
				Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("item%d", i)}}}}}
			if i%2 == 1 {
				items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &table,
					Key:                 map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "missing"}},
					ConditionExpression: aws.String("attribute_exists(pk)")}})
			}
			_, err := db.TransactWriteItems(t.Context(), &dynamodb.TransactWriteItemsInput{TransactItems: items})
			if i%2 == 1 {
				var tce *types.TransactionCanceledException
				if !errors.As(err, &tce) {
					err = fmt.Errorf("transaction %d: got %v, want it cancelled", i, err)
				} else {
					err = nil
				}
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for i := range n {
		out, err := db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: &table, ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("item%d", i)}}})
		if err != nil {
			t.Fatalf("GetItem: %v", err)
		}
		if got, want := out.Item != nil, i%2 == 0; got != want {
			t.Errorf("item%d: got stored=%v, want %v", i, got, want)
		}
	}
}

func TestLaunchWithoutMotoServerSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, _, err := moto.Launch()
	if err == nil || !strings.Contains(err.Error(), "pip install") {
		t.Fatalf("Launch without moto_server: got %v, want an error saying what to install", err)
	}
}

func TestNameIsUniqueAndValid(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		n := moto.Name(t, "definitions")
		if seen[n] {
			t.Fatalf("Name returned %q twice", n)
		}
		seen[n] = true
		if len(n) > 255 || strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
			t.Fatalf("Name returned %q, not a valid table name", n)
		}
	}
}
