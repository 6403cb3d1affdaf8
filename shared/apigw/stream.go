package apigw

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// RunExecutor runs (or resumes) one run; it must be idempotent.
type RunExecutor interface {
	Execute(ctx context.Context, runID string) error
}

// StreamHandler executes the runs of a DynamoDB stream batch (the runs table's).
type StreamHandler struct {
	exec    RunExecutor
	log     *slog.Logger
	workers int
}

// NewStreamHandler returns a StreamHandler executing up to workers runs at once.
func NewStreamHandler(exec RunExecutor, log *slog.Logger, workers int) *StreamHandler {
	return &StreamHandler{exec: exec, log: log, workers: workers}
}

// Handle executes the run of every record (the INSERT of a queued run header, as the
// event source's filter lets through), a few at a time. A run that could not be advanced
// is reported as a batch item failure, so Lambda retries from it; execution is
// idempotent (recorded steps are replayed, never re-sent), so records retried after it
// do no harm. A record without a run id can never succeed and is skipped with a log line.
func (h *StreamHandler) Handle(ctx context.Context, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	start := time.Now()
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	var mu sync.Mutex
	sem := make(chan struct{}, max(h.workers, 1))
	var wg sync.WaitGroup
	for _, rec := range e.Records {
		id := RunID(rec)
		if id == "" {
			h.log.ErrorContext(ctx, "stream record without a run id; skipped", "eventId", rec.EventID, "eventName", rec.EventName)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := h.exec.Execute(ctx, id); err != nil {
				h.log.ErrorContext(ctx, "run not advanced; the stream will deliver it again", "runId", id, "error", err.Error())
				mu.Lock()
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	h.log.InfoContext(ctx, "batch executed", "records", len(e.Records), "failures", len(resp.BatchItemFailures),
		"durationMs", time.Since(start).Milliseconds())
	return resp, nil
}

// RunID reads the run id from a record's new image ("" when it has none).
func RunID(rec events.DynamoDBEventRecord) string {
	v, ok := rec.Change.NewImage["id"]
	if !ok || v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}
