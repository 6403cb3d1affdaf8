package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// stubExecutor fails the runs it is told to; the fault (storage unavailable) cannot be
// caused otherwise in a unit test.
type stubExecutor struct {
	mu   sync.Mutex
	seen []string
	fail map[string]bool
}

func (s *stubExecutor) Execute(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, id)
	if s.fail[id] {
		return errors.New("dynamodb unavailable")
	}
	return nil
}

func TestHandleReportsOnlyFailedRecords(t *testing.T) {
	raw, err := os.ReadFile("../../events/execute/stream-insert.json")
	if err != nil {
		t.Fatal(err)
	}
	var e events.DynamoDBEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Records) < 2 {
		t.Fatalf("the sample has %d records; want at least 2", len(e.Records))
	}
	failID := RunID(e.Records[1])
	x := &stubExecutor{fail: map[string]bool{failID: true}}
	h := NewStreamHandler(x, slog.New(slog.DiscardHandler), 2)
	resp, err := h.Handle(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != e.Records[1].Change.SequenceNumber {
		t.Fatalf("failures = %+v, want only record 1's sequence number", resp.BatchItemFailures)
	}
	sort.Strings(x.seen)
	if len(x.seen) != len(e.Records) {
		t.Errorf("executed %v, want every record's run", x.seen)
	}
}
