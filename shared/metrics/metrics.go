// Package metrics writes CloudWatch Embedded Metric Format (EMF) lines: one JSON object
// per line that CloudWatch Logs turns into metrics, so a deployed stack gets dashboards
// and alarms from its logs without an agent or an API call.
//
// Metrics Flowhook emits (namespace Flowhook):
//
//	EventsAccepted, EventsRefused   Count  dims Source (api|eventbridge)
//	WebhookAttempts                 Count  dims Class (ok|dns|connect|…|decode)
//	WebhookDuration                 Milliseconds  dims Class
//	Runs                            Count  dims Status (succeeded|failed|stopped)
package metrics

import (
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "Flowhook"

// Units used by Flowhook's metrics.
const (
	Count        = "Count"
	Milliseconds = "Milliseconds"
)

// Writer writes EMF lines to an io.Writer (stdout in Lambda). It is safe for concurrent
// use; a nil *Writer discards everything, so code can emit unconditionally.
type Writer struct {
	mu  sync.Mutex
	out io.Writer
	now func() time.Time
}

// New returns a Writer to out; now may be nil for the system clock.
func New(out io.Writer, now func() time.Time) *Writer {
	if now == nil {
		now = time.Now
	}
	return &Writer{out: out, now: now}
}

// Put emits one metric value with its dimensions (name → value). Dimension names and
// values appear as top-level fields too, as EMF requires.
func (w *Writer) Put(name, unit string, value float64, dims map[string]string) {
	if w == nil {
		return
	}
	keys := make([]string, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": w.now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  Namespace,
				"Dimensions": [][]string{keys},
				"Metrics":    []any{map[string]string{"Name": name, "Unit": unit}},
			}},
		},
		name: value,
	}
	for k, v := range dims {
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.out.Write(append(b, '\n'))
}
