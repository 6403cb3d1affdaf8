package dynamo_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/shared/store/dynamo"
	"github.com/flowhook/flowhook/shared/store/storetest"
)

var _ storetest.Store = (*dynamo.Store)(nil)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// newStore returns a store on fresh tables of the test's own in moto, deleted when t ends.
func newStore(t *testing.T, o dynamo.Options) (*dynamo.Store, *dynamodb.Client, dynamo.Tables) {
	t.Helper()
	db := dynamodb.NewFromConfig(moto.Start(t).AWSConfig())
	tables := dynamo.Tables{
		Definitions: moto.Name(t, "definitions"),
		Contacts:    moto.Name(t, "contacts"),
		Events:      moto.Name(t, "events"),
		Runs:        moto.Name(t, "runs"),
	}
	if err := dynamo.CreateTables(t.Context(), db, tables); err != nil {
		t.Fatalf("CreateTables: %v", err)
	}
	t.Cleanup(func() {
		for _, name := range []string{tables.Definitions, tables.Contacts, tables.Events, tables.Runs} {
			if _, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
				t.Errorf("DeleteTable %s: %v", name, err)
			}
		}
	})
	s, err := dynamo.New(db, tables, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, db, tables
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, _, _ := newStore(t, dynamo.Options{})
		return s
	})
}
