package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Key and index attribute names (TABLES.md explains each).
const (
	attrPK           = "pk"
	attrSK           = "sk"
	attrKind         = "kind"
	attrListKey      = "listKey"
	attrSortKey      = "sortKey"
	attrConnectorKey = "connectorKey"
	attrTriggerKey   = "triggerKey"
	attrID           = "id"
	attrName         = "name"
	attrExternalID   = "externalCustomerId"
	attrTypeKey      = "typeKey"
	attrWorkflowID   = "workflowId"
	attrEventID      = "eventId"
	attrStatus       = "status"
	attrVersion      = "version"
	attrRefs         = "refs"
	attrOwnerID      = "ownerId"
	attrContactID    = "contactId"
	attrDeletedAt    = "deletedAt"

	// TTLAttribute is the TTL attribute (epoch seconds) of the events and runs tables.
	TTLAttribute = "expiresAt"
)

// Index names.
const (
	// IndexList lists a kind of record in order: definitions (webhooks by state,
	// connectors, segments, workflows; by creation), contacts (by id), events (by
	// reception).
	IndexList = "list"
	// IndexByConnector finds the active webhooks that use a connector (definitions).
	IndexByConnector = "byConnector"
	// IndexByTrigger finds the enabled workflows of an event type (definitions).
	IndexByTrigger = "byTrigger"
	// IndexByExternalID finds contacts by external customer id, oldest first (contacts).
	IndexByExternalID = "byExternalId"
	// IndexByType lists events of one type by reception (events).
	IndexByType = "byType"
	// IndexByWorkflow lists a workflow's runs by creation (runs).
	IndexByWorkflow = "byWorkflow"
	// IndexByEvent lists the runs an event started (runs).
	IndexByEvent = "byEvent"
)

// Item kinds, the value of the kind attribute.
const (
	kindWebhook   = "webhook"
	kindConnector = "connector"
	kindSegment   = "segment"
	kindWorkflow  = "workflow"
	kindGuard     = "guard"
	kindContact   = "contact"
	kindSearch    = "search"
	kindEvent     = "event"
	kindRun       = "run"
	kindStep      = "step"
)

// RunStreamFilter is the Lambda event-source filter pattern of execute's trigger: only
// the INSERT of a run header in status queued starts an execution (step items and
// status changes do not).
const RunStreamFilter = `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["run"]},"status":{"S":["queued"]}}}}`

func attrS(name string) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
}

func keySchema(hash, rng string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rng != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
	}
	return ks
}

func gsi(name, hash, rng string, p types.Projection) types.GlobalSecondaryIndex {
	return types.GlobalSecondaryIndex{IndexName: aws.String(name), KeySchema: keySchema(hash, rng), Projection: &p}
}

var projectAll = types.Projection{ProjectionType: types.ProjectionTypeAll}

// TableDefinitions returns the CreateTable input of each table, in the order
// definitions, contacts, events, runs: on-demand billing, string keys, the indexes
// TABLES.md describes, and a NEW_IMAGE stream on runs. TTL is not part of CreateTable;
// TimeToLive returns it.
func TableDefinitions(t Tables) []dynamodb.CreateTableInput {
	return []dynamodb.CreateTableInput{
		{
			TableName:            aws.String(t.Definitions),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{attrS(attrPK), attrS(attrListKey), attrS(attrSortKey), attrS(attrConnectorKey), attrS(attrTriggerKey)},
			KeySchema:            keySchema(attrPK, ""),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
				gsi(IndexList, attrListKey, attrSortKey, projectAll),
				gsi(IndexByConnector, attrConnectorKey, attrSortKey, types.Projection{
					ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{attrID, attrName},
				}),
				gsi(IndexByTrigger, attrTriggerKey, attrSortKey, projectAll),
			},
		},
		{
			TableName:            aws.String(t.Contacts),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{attrS(attrPK), attrS(attrSK), attrS(attrListKey), attrS(attrID), attrS(attrExternalID), attrS(attrSortKey)},
			KeySchema:            keySchema(attrPK, attrSK),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
				gsi(IndexList, attrListKey, attrID, projectAll),
				gsi(IndexByExternalID, attrExternalID, attrSortKey, projectAll),
			},
		},
		{
			TableName:            aws.String(t.Events),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{attrS(attrPK), attrS(attrListKey), attrS(attrTypeKey), attrS(attrSortKey)},
			KeySchema:            keySchema(attrPK, ""),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
				gsi(IndexList, attrListKey, attrSortKey, projectAll),
				gsi(IndexByType, attrTypeKey, attrSortKey, projectAll),
			},
		},
		{
			TableName:            aws.String(t.Runs),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{attrS(attrPK), attrS(attrSK), attrS(attrWorkflowID), attrS(attrEventID), attrS(attrSortKey)},
			KeySchema:            keySchema(attrPK, attrSK),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
				gsi(IndexByWorkflow, attrWorkflowID, attrSortKey, projectAll),
				gsi(IndexByEvent, attrEventID, attrSortKey, projectAll),
			},
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
		},
	}
}

// TimeToLive returns the TTL settings: expiresAt on the events and runs tables.
func TimeToLive(t Tables) []dynamodb.UpdateTimeToLiveInput {
	var out []dynamodb.UpdateTimeToLiveInput
	for _, name := range []string{t.Events, t.Runs} {
		out = append(out, dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(TTLAttribute), Enabled: aws.Bool(true)},
		})
	}
	return out
}

// TableClient is the part of the DynamoDB API CreateTables uses.
type TableClient interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// tableWait bounds the wait for a new table to become ACTIVE.
const tableWait = 5 * time.Minute

// CreateTables creates the tables of TableDefinitions that do not exist yet, waits
// until they are active and turns TTL on, for tests and local tooling (in AWS,
// template.yaml creates them). Existing tables are left as they are.
func CreateTables(ctx context.Context, c TableClient, t Tables) error {
	if err := t.validate(); err != nil {
		return fmt.Errorf("dynamo: create tables: %w", err)
	}
	for _, def := range TableDefinitions(t) {
		_, err := c.CreateTable(ctx, &def)
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("dynamo: create table %s: %w", *def.TableName, sdkError(err))
		}
	}
	for _, def := range TableDefinitions(t) {
		w := dynamodb.NewTableExistsWaiter(c)
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: def.TableName}, tableWait); err != nil {
			return fmt.Errorf("dynamo: wait for table %s: %w", *def.TableName, sdkError(err))
		}
	}
	for _, ttl := range TimeToLive(t) {
		if _, err := c.UpdateTimeToLive(ctx, &ttl); err != nil && !ttlAlreadyOn(err) {
			return fmt.Errorf("dynamo: TTL of table %s: %w", *ttl.TableName, sdkError(err))
		}
	}
	return nil
}

// ttlAlreadyOn reports whether UpdateTimeToLive failed only because TTL is already enabled.
func ttlAlreadyOn(err error) bool {
	var ve interface{ ErrorMessage() string }
	return errors.As(err, &ve) && strings.Contains(strings.ToLower(ve.ErrorMessage()), "already enabled")
}
