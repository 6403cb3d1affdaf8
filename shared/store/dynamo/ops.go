package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Conditions the store writes with.
var (
	notExists = expression.AttributeNotExists(expression.Name(attrPK))
	exists    = expression.AttributeExists(expression.Name(attrPK))
)

func versionIs(v int64) expression.ConditionBuilder {
	return expression.Name(attrVersion).Equal(expression.Value(v))
}

func ownedBy(id string) expression.ConditionBuilder {
	return expression.Name(attrOwnerID).Equal(expression.Value(id))
}

// build builds an expression. Its builders are fixed shapes over values, so an error is
// a bug in this package, not a condition of the data.
func build(b expression.Builder) expression.Expression {
	e, err := b.Build()
	if err != nil {
		panic("dynamo: invalid expression: " + err.Error())
	}
	return e
}

// allOld asks a failed conditional write for the item as it was.
const allOld = types.ReturnValuesOnConditionCheckFailureAllOld

// txPut is a transactional put of it into table under condition c.
func txPut(table string, it item, c expression.ConditionBuilder) types.TransactWriteItem {
	e := build(expression.NewBuilder().WithCondition(c))
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(table), Item: it,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: allOld,
	}}
}

// txPutAlways is an unconditional transactional put.
func txPutAlways(table string, it item) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: it}}
}

// txDelete is a transactional delete of key from table under condition c.
func txDelete(table string, key item, c expression.ConditionBuilder) types.TransactWriteItem {
	e := build(expression.NewBuilder().WithCondition(c))
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName: aws.String(table), Key: key,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: allOld,
	}}
}

// txDeleteAlways is an unconditional transactional delete.
func txDeleteAlways(table string, key item) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(table), Key: key}}
}

// txUpdate is a transactional update of key in table under condition c.
func txUpdate(table string, key item, u expression.UpdateBuilder, c expression.ConditionBuilder) types.TransactWriteItem {
	e := build(expression.NewBuilder().WithUpdate(u).WithCondition(c))
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(table), Key: key, UpdateExpression: e.Update(),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: allOld,
	}}
}

// addRefs changes a connector's reference count by delta (ADD treats a missing count as 0).
func addRefs(delta int) expression.UpdateBuilder {
	return expression.UpdateBuilder{}.Add(expression.Name(attrRefs), expression.Value(delta))
}

// getItem reads the item of key in table with a strongly consistent read; nil when
// there is none.
func (s *Store) getItem(ctx context.Context, table string, key item) (item, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, sdkError(err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// putItem writes it into table under condition c; a failed condition returns the old
// item (nil if none) and condFailed=true.
func (s *Store) putItem(ctx context.Context, table string, it item, c expression.ConditionBuilder) (old item, condFailed bool, err error) {
	e := build(expression.NewBuilder().WithCondition(c))
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table), Item: it,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: allOld,
	})
	if old, ok := conditionFailed(err); ok {
		return old, true, nil
	}
	return nil, false, sdkError(err)
}

// deleteItem deletes the item of key from table under condition c; condFailed reports
// a failed condition.
func (s *Store) deleteItem(ctx context.Context, table string, key item, c expression.ConditionBuilder) (condFailed bool, err error) {
	e := build(expression.NewBuilder().WithCondition(c))
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(table), Key: key,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if _, ok := conditionFailed(err); ok {
		return true, nil
	}
	return false, sdkError(err)
}
