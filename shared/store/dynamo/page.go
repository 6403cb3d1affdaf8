package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/flowhook/flowhook/shared/store"
)

// listQuery is one paged list: a Query of a table or index on one partition, optionally
// with a sort-key prefix, in one direction.
type listQuery struct {
	table, index string
	// part is the partition attribute and value the list reads; sortAttr the index's
	// sort attribute and prefix what its values start with ("" for any).
	partAttr, part string
	sortAttr       string
	prefix         string
	desc           bool
	consistent     bool
	// keyAttrs are the attributes of a position in the index: the index's keys and the
	// table's. A cursor carries exactly these.
	keyAttrs []string
}

// input returns the Query input of q without a start key or limit.
func (q listQuery) input() *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(q.table),
		KeyConditionExpression:   aws.String("#p = :p"),
		ExpressionAttributeNames: map[string]string{"#p": q.partAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": str(q.part),
		},
		ScanIndexForward: aws.Bool(!q.desc),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	} else {
		in.ConsistentRead = aws.Bool(q.consistent)
	}
	if q.prefix != "" {
		*in.KeyConditionExpression += " AND begins_with(#s, :s)"
		in.ExpressionAttributeNames["#s"] = q.sortAttr
		in.ExpressionAttributeValues[":s"] = str(q.prefix)
	}
	return in
}

// maxCursor bounds a cursor's length: it holds at most four keys of at most 2 KB.
const maxCursor = 12 << 10

// encodeCursor returns the opaque cursor of the position of m in q.
func (q listQuery) encodeCursor(m item) string {
	pos := make(map[string]string, len(q.keyAttrs))
	for _, a := range q.keyAttrs {
		pos[a] = strAttr(m, a)
	}
	b, _ := json.Marshal(pos) // a map of strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the start key a cursor of q names. It refuses a cursor that is
// not one of q's: malformed, with other attributes, or in another partition or prefix
// (another list), which DynamoDB would otherwise answer with an error or a wrong page.
func (q listQuery) decodeCursor(cursor string) (item, error) {
	if len(cursor) > maxCursor {
		return nil, store.ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, store.ErrBadCursor
	}
	var pos map[string]string
	if err := json.Unmarshal(b, &pos); err != nil {
		return nil, store.ErrBadCursor
	}
	if !slices.Equal(slices.Sorted(maps.Keys(pos)), slices.Sorted(slices.Values(q.keyAttrs))) {
		return nil, store.ErrBadCursor
	}
	if pos[q.partAttr] != q.part || !strings.HasPrefix(pos[q.sortAttr], q.prefix) {
		return nil, store.ErrBadCursor
	}
	esk := make(item, len(pos))
	for a, v := range pos {
		if v == "" {
			return nil, store.ErrBadCursor
		}
		esk[a] = str(v)
	}
	return esk, nil
}

// convert turns a batch of items into records and says which belong in the page.
type convert[T any] func(ctx context.Context, items []item) (recs []T, keep []bool, err error)

// queryPage reads one page of q: up to p.Size() records that conv keeps, and the cursor
// after the last when another kept record follows (it reads one past the page to know).
func queryPage[T any](ctx context.Context, db Client, q listQuery, p store.Page, conv convert[T]) ([]T, string, error) {
	n := p.Size()
	var esk item
	if p.Cursor != "" {
		var err error
		if esk, err = q.decodeCursor(p.Cursor); err != nil {
			return nil, "", err
		}
	}
	var out []T
	var last item
	for {
		in := q.input()
		in.ExclusiveStartKey = esk
		in.Limit = aws.Int32(int32(n + 1 - len(out)))
		res, err := db.Query(ctx, in)
		if err != nil {
			return nil, "", sdkError(err)
		}
		recs, keep, err := conv(ctx, res.Items)
		if err != nil {
			return nil, "", err
		}
		for i, it := range res.Items {
			if !keep[i] {
				continue
			}
			if len(out) == n {
				return out, q.encodeCursor(last), nil
			}
			out, last = append(out, recs[i]), it
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, "", nil
		}
		esk = res.LastEvaluatedKey
	}
}

// queryAll reads every item of q (lists the contract does not page because they are
// small by design).
func queryAll[T any](ctx context.Context, db Client, q listQuery, conv convert[T]) ([]T, error) {
	var out []T
	var esk item
	for {
		in := q.input()
		in.ExclusiveStartKey = esk
		res, err := db.Query(ctx, in)
		if err != nil {
			return nil, sdkError(err)
		}
		recs, keep, err := conv(ctx, res.Items)
		if err != nil {
			return nil, err
		}
		for i := range res.Items {
			if keep[i] {
				out = append(out, recs[i])
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		esk = res.LastEvaluatedKey
	}
}

// each returns a convert that decodes every item with dec and keeps them all.
func each[T any](dec func(item) (T, error)) convert[T] {
	return func(_ context.Context, items []item) ([]T, []bool, error) {
		recs := make([]T, len(items))
		keep := make([]bool, len(items))
		for i, it := range items {
			r, err := dec(it)
			if err != nil {
				return nil, nil, err
			}
			recs[i], keep[i] = r, true
		}
		return recs, keep, nil
	}
}

// decoder returns a function that unmarshals an item into the storage struct S and
// converts it with conv.
func decoder[S, T any](conv func(S) (T, error)) func(item) (T, error) {
	return func(m item) (T, error) {
		var st S
		if err := unmarshal(m, &st); err != nil {
			var zero T
			return zero, err
		}
		return conv(st)
	}
}
