package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/flowhook/flowhook/shared/store/dynamo"
)

// streamReader reads a DynamoDB stream from where it last stopped, shard by shard, as
// the Lambda event source mapping polls it.
type streamReader struct {
	c   *dynamodbstreams.Client
	arn string
	// last is the sequence number of the last record read, by shard.
	last map[string]string
}

// read returns every record written since the last read, in shard order.
func (s *streamReader) read(ctx context.Context) ([]streamtypes.Record, error) {
	desc, err := s.c.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(s.arn)})
	if err != nil {
		return nil, fmt.Errorf("describe stream %s: %w", s.arn, err)
	}
	var out []streamtypes.Record
	for _, sh := range desc.StreamDescription.Shards {
		id := aws.ToString(sh.ShardId)
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(s.arn), ShardId: sh.ShardId,
			ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon}
		if seq, ok := s.last[id]; ok {
			in.ShardIteratorType, in.SequenceNumber = streamtypes.ShardIteratorTypeAfterSequenceNumber, aws.String(seq)
		}
		it, err := s.c.GetShardIterator(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("shard iterator of %s: %w", id, err)
		}
		for iter := it.ShardIterator; iter != nil; {
			page, err := s.c.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return nil, fmt.Errorf("records of shard %s: %w", id, err)
			}
			if len(page.Records) == 0 {
				break // an open shard's iterator never ends; an empty page is the present
			}
			out = append(out, page.Records...)
			s.last[id] = aws.ToString(page.Records[len(page.Records)-1].Dynamodb.SequenceNumber)
			iter = page.NextShardIterator
		}
	}
	return out, nil
}

// lambdaRecord converts a stream record into the record of the event Lambda hands the
// function (aws-lambda-go's shape).
func lambdaRecord(r streamtypes.Record, streamARN string) events.DynamoDBEventRecord {
	out := events.DynamoDBEventRecord{
		AWSRegion:      aws.ToString(r.AwsRegion),
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    aws.ToString(r.EventSource),
		EventVersion:   aws.ToString(r.EventVersion),
		EventSourceArn: streamARN,
	}
	if d := r.Dynamodb; d != nil {
		out.Change = events.DynamoDBStreamRecord{
			Keys:           lambdaImage(d.Keys),
			NewImage:       lambdaImage(d.NewImage),
			OldImage:       lambdaImage(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber),
			SizeBytes:      aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		}
		if d.ApproximateCreationDateTime != nil {
			out.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: d.ApproximateCreationDateTime.Truncate(time.Second)}
		}
	}
	return out
}

func lambdaImage(m map[string]streamtypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = lambdaValue(v)
	}
	return out
}

// lambdaValue converts one attribute value; every member type of the stream API has a
// counterpart.
func lambdaValue(v streamtypes.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *streamtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = lambdaValue(x)
		}
		return events.NewListAttribute(l)
	case *streamtypes.AttributeValueMemberM:
		return events.NewMapAttribute(lambdaImage(v.Value))
	}
	panic(fmt.Sprintf("stream attribute value of unknown type %T", v))
}

// eventFilter is a Lambda event filter pattern (the FilterCriteria of an event source
// mapping), applied to a record's JSON as Lambda applies it.
type eventFilter map[string]any

// parseFilter reads a pattern. Only exact-value matching ("key": [value, …]) is
// supported; a pattern using content filters (prefix, numeric, exists, …) is refused,
// so a change of dynamo.RunStreamFilter cannot silently pass everything here.
func parseFilter(pattern string) (eventFilter, error) {
	var f map[string]any
	if err := json.Unmarshal([]byte(pattern), &f); err != nil {
		return nil, fmt.Errorf("filter pattern: %w", err)
	}
	if len(f) == 0 {
		return nil, fmt.Errorf("filter pattern %q names no field; it would let every record through", pattern)
	}
	if err := checkPattern(f); err != nil {
		return nil, err
	}
	return f, nil
}

func checkPattern(p map[string]any) error {
	for k, v := range p {
		switch v := v.(type) {
		case map[string]any:
			if err := checkPattern(v); err != nil {
				return err
			}
		case []any:
			for _, x := range v {
				if _, ok := x.(map[string]any); ok {
					return fmt.Errorf("filter pattern: %q uses a content filter; only exact values are emulated", k)
				}
			}
		default:
			return fmt.Errorf("filter pattern: %q must be an object or a list of values", k)
		}
	}
	return nil
}

// matches reports whether the record passes the filter: every key of the pattern must
// be present, objects match recursively and a list matches when the value equals one
// of its entries.
func (f eventFilter) matches(rec events.DynamoDBEventRecord) bool {
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		panic(err)
	}
	return matchPattern(f, doc)
}

func matchPattern(p, doc map[string]any) bool {
	for k, want := range p {
		got, ok := doc[k]
		if !ok {
			return false
		}
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !matchPattern(want, sub) {
				return false
			}
		case []any:
			found := false
			for _, w := range want {
				if reflect.DeepEqual(w, got) {
					found = true
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// lambdaEvent is what Lambda delivers for a batch: the records that pass the filter,
// through JSON and back, as the function's runtime decodes them.
func lambdaEvent(t testing.TB, recs []streamtypes.Record, streamARN string, f eventFilter) events.DynamoDBEvent {
	t.Helper()
	var e events.DynamoDBEvent
	for _, r := range recs {
		if lr := lambdaRecord(r, streamARN); f.matches(lr) {
			e.Records = append(e.Records, lr)
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var out events.DynamoDBEvent
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("the event as Lambda delivers it does not decode: %v\n%s", err, b)
	}
	return out
}

func TestLambdaValue(t *testing.T) {
	cases := []struct {
		name string
		in   streamtypes.AttributeValue
		want string // the attribute's JSON in the Lambda event
	}{
		{"string", &streamtypes.AttributeValueMemberS{Value: "run#r_1"}, `{"S":"run#r_1"}`},
		{"number kept as text", &streamtypes.AttributeValueMemberN{Value: "12345678901234567890.5"}, `{"N":"12345678901234567890.5"}`},
		{"binary as base64", &streamtypes.AttributeValueMemberB{Value: []byte{0, 1, 0xfe}}, `{"B":"AAH+"}`},
		{"bool", &streamtypes.AttributeValueMemberBOOL{Value: true}, `{"BOOL":true}`},
		{"null", &streamtypes.AttributeValueMemberNULL{Value: true}, `{"NULL":true}`},
		{"string set", &streamtypes.AttributeValueMemberSS{Value: []string{"a", "b"}}, `{"SS":["a","b"]}`},
		{"number set", &streamtypes.AttributeValueMemberNS{Value: []string{"1", "2.5"}}, `{"NS":["1","2.5"]}`},
		{"binary set", &streamtypes.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}}, `{"BS":["AQ==","Ag=="]}`},
		{"nested", &streamtypes.AttributeValueMemberM{Value: map[string]streamtypes.AttributeValue{
			"steps": &streamtypes.AttributeValueMemberL{Value: []streamtypes.AttributeValue{
				&streamtypes.AttributeValueMemberS{Value: "wh"}, &streamtypes.AttributeValueMemberN{Value: "3"},
			}},
		}}, `{"M":{"steps":{"L":[{"S":"wh"},{"N":"3"}]}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(lambdaValue(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %s, want %s", b, tc.want)
			}
		})
	}
}

// TestRunStreamFilter applies dynamo.RunStreamFilter to the records a run's life writes
// to the runs table: only the INSERT of a queued run header starts execute.
func TestRunStreamFilter(t *testing.T) {
	f, err := parseFilter(dynamo.RunStreamFilter)
	if err != nil {
		t.Fatal(err)
	}
	rec := func(name string, img map[string]string) streamtypes.Record {
		m := map[string]streamtypes.AttributeValue{}
		for k, v := range img {
			m[k] = &streamtypes.AttributeValueMemberS{Value: v}
		}
		m["version"] = &streamtypes.AttributeValueMemberN{Value: "1"}
		return streamtypes.Record{EventName: streamtypes.OperationType(name), EventID: aws.String("1"),
			Dynamodb: &streamtypes.StreamRecord{NewImage: m, SequenceNumber: aws.String("100"), StreamViewType: streamtypes.StreamViewTypeNewImage}}
	}
	header := map[string]string{"pk": "run#r_1", "sk": "run", "kind": "run", "id": "r_1", "status": "queued"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range header {
			m[a] = b
		}
		m[k] = v
		return m
	}
	cases := []struct {
		name string
		rec  streamtypes.Record
		want bool
	}{
		{"insert of a queued header", rec("INSERT", header), true},
		{"header turned running", rec("MODIFY", with("status", "running")), false},
		{"modify that keeps it queued", rec("MODIFY", header), false},
		{"insert of a step", rec("INSERT", with("kind", "step")), false},
		{"insert of a header in another status", rec("INSERT", with("status", "succeeded")), false},
		{"removal by TTL", streamtypes.Record{EventName: "REMOVE", Dynamodb: &streamtypes.StreamRecord{}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.matches(lambdaRecord(tc.rec, "arn:aws:dynamodb:us-east-1:123456789012:table/runs/stream/x")); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{`{"dynamodb":{"NewImage":{"status":{"S":[{"prefix":"q"}]}}}}`, `null`, `{}`, `{"eventName":"INSERT"}`} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("pattern %s was accepted; want it refused (content filters are not emulated, an empty pattern passes everything, a value must be in a list)", bad)
		}
	}
}

// FuzzParseFilter checks that any pattern is either refused or a filter that judges a
// record without panicking, and that a refused pattern is never half-used.
func FuzzParseFilter(f *testing.F) {
	f.Add(dynamo.RunStreamFilter)
	f.Add(`{"eventName":["INSERT","MODIFY"]}`)
	f.Add(`{"dynamodb":{"NewImage":{"n":{"N":["1"]}}}}`)
	f.Add(`{"a":[{"prefix":"x"}]}`)
	f.Add(`{"a":"x"}`)
	f.Add(`[]`)
	rec := lambdaRecord(streamtypes.Record{EventName: "INSERT", Dynamodb: &streamtypes.StreamRecord{
		NewImage: map[string]streamtypes.AttributeValue{
			"kind": &streamtypes.AttributeValueMemberS{Value: "run"}, "status": &streamtypes.AttributeValueMemberS{Value: "queued"},
			"n": &streamtypes.AttributeValueMemberN{Value: "1"},
		}}}, "arn")
	f.Fuzz(func(t *testing.T, pattern string) {
		flt, err := parseFilter(pattern)
		if err != nil {
			if flt != nil {
				t.Fatalf("a refused pattern came with a filter: %v", flt)
			}
			return
		}
		_ = flt.matches(rec)
	})
}
