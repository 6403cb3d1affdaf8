package dynamo_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/dynamo"
	"github.com/flowhook/flowhook/shared/webhook"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestTableDefinitionsGolden pins the table design: a change to a key, index or stream
// shows up as a diff of testdata/tables.golden.json, to be mirrored in TABLES.md and
// template.yaml. Run with -update to accept it.
func TestTableDefinitionsGolden(t *testing.T) {
	names := dynamo.Tables{Definitions: "flowhook-definitions", Contacts: "flowhook-contacts", Events: "flowhook-events", Runs: "flowhook-runs"}
	got, err := json.MarshalIndent(struct {
		Tables       []dynamodb.CreateTableInput
		TimeToLive   []dynamodb.UpdateTimeToLiveInput
		StreamFilter json.RawMessage
	}{dynamo.TableDefinitions(names), dynamo.TimeToLive(names), json.RawMessage(dynamo.RunStreamFilter)}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "tables.golden.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(g, w) {
		t.Errorf("table definitions changed:\ngot  %s\nwant %s\n(run with -update if intended, and update TABLES.md and template.yaml)", got, want)
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestTablesFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    dynamo.Tables
		missing []string
	}{
		{"all set", map[string]string{
			dynamo.EnvTableDefinitions: "d", dynamo.EnvTableContacts: "c", dynamo.EnvTableEvents: "e", dynamo.EnvTableRuns: "r",
		}, dynamo.Tables{Definitions: "d", Contacts: "c", Events: "e", Runs: "r"}, nil},
		{"two missing", map[string]string{dynamo.EnvTableDefinitions: "d", dynamo.EnvTableRuns: "r"},
			dynamo.Tables{}, []string{dynamo.EnvTableContacts, dynamo.EnvTableEvents}},
		{"none", map[string]string{}, dynamo.Tables{}, []string{dynamo.EnvTableDefinitions, dynamo.EnvTableContacts, dynamo.EnvTableEvents, dynamo.EnvTableRuns}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{dynamo.EnvTableDefinitions, dynamo.EnvTableContacts, dynamo.EnvTableEvents, dynamo.EnvTableRuns} {
				t.Setenv(k, tc.env[k])
			}
			got, err := dynamo.TablesFromEnv()
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if (err != nil) != (tc.missing != nil) {
				t.Fatalf("got error %v, want one naming %v", err, tc.missing)
			}
			for _, m := range tc.missing {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not name %s", err, m)
				}
			}
		})
	}
}

func TestCreateTablesIsIdempotent(t *testing.T) {
	_, db, tables := newStore(t, dynamo.Options{})
	if err := dynamo.CreateTables(t.Context(), db, tables); err != nil {
		t.Fatalf("CreateTables again: %v", err)
	}
	for _, name := range []string{tables.Events, tables.Runs} {
		out, err := db.DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeTimeToLive: %v", err)
		}
		d := out.TimeToLiveDescription
		if d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != dynamo.TTLAttribute {
			t.Errorf("%s TTL: got %s on %q, want ENABLED on %q", name, d.TimeToLiveStatus, aws.ToString(d.AttributeName), dynamo.TTLAttribute)
		}
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func queuedRun(id string) webhook.Run {
	return webhook.Run{ID: id, WorkflowID: "f_1", EventID: "e_1", Status: webhook.StatusQueued,
		CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)}
}

// rawItem reads an item as stored.
func rawItem(t *testing.T, db *dynamodb.Client, table string, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	return out.Item
}

func sAttr(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func nAttr(m map[string]types.AttributeValue, name string) string {
	if v, ok := m[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return "(absent)"
}

func TestExpiry(t *testing.T) {
	s, db, tables := newStore(t, dynamo.Options{EventRetention: 48 * time.Hour})
	e := webhook.Event{ID: "e_1", TypeKey: "order_created", Source: "api", SourceID: "k1", ReceivedAt: t0}
	if _, _, err := s.PutEvent(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	r := queuedRun("r_1")
	if _, _, err := s.CreateRun(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordStep(t.Context(), r.ID, 0, webhook.StepRecord{ID: "m", Type: webhook.StepMessage, Status: webhook.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		table string
		key   map[string]types.AttributeValue
		want  time.Time
	}{
		{"event", tables.Events, map[string]types.AttributeValue{"pk": sAttr("event#e_1")}, t0.Add(48 * time.Hour)},
		{"event source guard", tables.Events, map[string]types.AttributeValue{"pk": sAttr("source#api\x00k1")}, t0.Add(48 * time.Hour)},
		{"run header", tables.Runs, map[string]types.AttributeValue{"pk": sAttr("run#r_1"), "sk": sAttr("run")}, r.ExpiresAt},
		{"run step", tables.Runs, map[string]types.AttributeValue{"pk": sAttr("run#r_1"), "sk": sAttr("step#0000000000000000000")}, r.ExpiresAt},
	} {
		m := rawItem(t, db, tc.table, tc.key)
		if m == nil {
			t.Errorf("%s: no item at %v", tc.name, tc.key)
			continue
		}
		if got, want := nAttr(m, dynamo.TTLAttribute), tc.want.Unix(); got != jsonNumber(want) {
			t.Errorf("%s: got %s = %s, want %d", tc.name, dynamo.TTLAttribute, got, want)
		}
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestLargeStepsAreCompressedOrRefused(t *testing.T) {
	s, db, tables := newStore(t, dynamo.Options{})
	r := queuedRun("r_big")
	if _, _, err := s.CreateRun(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 600<<10)
	rand.Read(random)
	for _, tc := range []struct {
		name       string
		data       string
		compressed bool
		tooLarge   bool
	}{
		{"small: plain attributes", `{"code": "SPRING"}`, false, false},
		{"a 1 MiB response that compresses", `{"blob": "` + strings.Repeat("promo ", 170<<10) + `"}`, true, false},
		{"600 KB that does not compress", `{"blob": "` + jsonSafe(random) + `"}`, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seq := len(tc.name) // distinct per case
			st := webhook.StepRecord{ID: "wh", Type: webhook.StepWebhook, Status: webhook.StatusSucceeded, Data: json.RawMessage(tc.data)}
			err := s.RecordStep(t.Context(), r.ID, seq, st)
			if tc.tooLarge {
				if !errors.Is(err, store.ErrTooLarge) {
					t.Fatalf("RecordStep: got %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("RecordStep: %v", err)
			}
			got, err := s.GetRun(t.Context(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, g := range got.Steps {
				if string(g.Data) == tc.data {
					found = true
				}
			}
			if !found {
				t.Errorf("GetRun does not return the recorded data byte for byte")
			}
			m := rawItem(t, db, tables.Runs, map[string]types.AttributeValue{"pk": sAttr("run#r_big"), "sk": sAttr(stepSK(seq))})
			if _, gz := m["recordGz"]; gz != tc.compressed {
				t.Errorf("compressed: got %v, want %v", gz, tc.compressed)
			}
		})
	}
}

func stepSK(seq int) string {
	s := "0000000000000000000" + jsonNumber(int64(seq))
	return "step#" + s[len(s)-19:]
}

// jsonSafe turns random bytes into incompressible text that needs no JSON escaping.
func jsonSafe(b []byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alphabet[c&63]
	}
	return string(out)
}

// TestStreamFilterStartsOnlyQueuedRuns reads the runs table's stream after a run's
// life (create, a step, status changes) and applies RunStreamFilter as Lambda would:
// exactly the INSERT of the queued header must pass.
func TestStreamFilterStartsOnlyQueuedRuns(t *testing.T) {
	s, db, tables := newStore(t, dynamo.Options{})
	r := queuedRun("r_stream")
	if _, _, err := s.CreateRun(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordStep(t.Context(), r.ID, 0, webhook.StepRecord{ID: "m", Type: webhook.StepMessage, Status: webhook.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []webhook.RunStatus{webhook.StatusRunning, webhook.StatusSucceeded} {
		if _, err := s.SetRunStatus(t.Context(), store.RunUpdate{RunID: r.ID, From: []webhook.RunStatus{webhook.StatusQueued, webhook.StatusRunning}, To: to, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	desc, err := db.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(tables.Runs)})
	if err != nil {
		t.Fatal(err)
	}
	streams := dynamodbstreams.NewFromConfig(moto.Start(t).AWSConfig())
	records := readStream(t, streams, aws.ToString(desc.Table.LatestStreamArn))
	if len(records) != 4 {
		t.Fatalf("got %d stream records, want 4 (header insert, step insert, two modifies)", len(records))
	}
	var filter map[string]any
	if err := json.Unmarshal([]byte(dynamo.RunStreamFilter), &filter); err != nil {
		t.Fatalf("RunStreamFilter is not JSON: %v", err)
	}
	var passed []string
	for _, rec := range records {
		event := lambdaEvent(rec)
		if matches(filter, event) {
			b, _ := json.Marshal(event)
			passed = append(passed, string(b))
		}
	}
	if len(passed) != 1 || !strings.Contains(passed[0], `"INSERT"`) || !strings.Contains(passed[0], `"run#r_stream"`) || !strings.Contains(passed[0], `"sk":{"S":"run"}`) {
		t.Fatalf("records passing the filter: %q; want exactly the queued header's INSERT", passed)
	}
}

func readStream(t *testing.T, c *dynamodbstreams.Client, arn string) []streamtypes.Record {
	t.Helper()
	desc, err := c.DescribeStream(t.Context(), &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeStream: %v", err)
	}
	var out []streamtypes.Record
	for _, sh := range desc.StreamDescription.Shards {
		it, err := c.GetShardIterator(t.Context(), &dynamodbstreams.GetShardIteratorInput{
			StreamArn: aws.String(arn), ShardId: sh.ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			t.Fatalf("GetShardIterator: %v", err)
		}
		recs, err := c.GetRecords(t.Context(), &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		out = append(out, recs.Records...)
	}
	return out
}

// lambdaEvent renders a stream record as the JSON Lambda filters (string and number
// attributes of NewImage, which is all the filter reads).
func lambdaEvent(r streamtypes.Record) map[string]any {
	img := map[string]any{}
	for k, v := range r.Dynamodb.NewImage {
		switch v := v.(type) {
		case *streamtypes.AttributeValueMemberS:
			img[k] = map[string]any{"S": v.Value}
		case *streamtypes.AttributeValueMemberN:
			img[k] = map[string]any{"N": v.Value}
		}
	}
	return map[string]any{"eventName": string(r.EventName), "dynamodb": map[string]any{"NewImage": img}}
}

// matches applies an EventBridge-style pattern of exact-value lists, as Lambda event
// filtering does for the patterns this package uses.
func matches(pattern, event map[string]any) bool {
	for k, p := range pattern {
		v, ok := event[k]
		if !ok {
			return false
		}
		switch p := p.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matches(p, sub) {
				return false
			}
		case []any:
			found := false
			for _, want := range p {
				if want == v {
					found = true
				}
			}
			if !found {
				return false
			}
		default:
			return false
		}
	}
	return true
}
