package metrics

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestPutWritesEMF(t *testing.T) {
	var buf bytes.Buffer
	w := New(&buf, func() time.Time { return time.UnixMilli(1700000000123) })
	w.Put("WebhookAttempts", Count, 1, map[string]string{"Class": "timeout", "Function": "execute"})
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON line: %v: %q", err, buf.String())
	}
	want := `{"Class":"timeout","Function":"execute","WebhookAttempts":1,"_aws":{"CloudWatchMetrics":[{"Dimensions":[["Class","Function"]],"Metrics":[{"Name":"WebhookAttempts","Unit":"Count"}],"Namespace":"Flowhook"}],"Timestamp":1700000000123}}`
	var wantV map[string]any
	_ = json.Unmarshal([]byte(want), &wantV)
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(wantV)
	if !bytes.Equal(gb, wb) {
		t.Errorf("EMF line\n got %s\nwant %s", gb, wb)
	}
	if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
		t.Errorf("want exactly one line, got %q", buf.String())
	}
}

func TestNilWriterDiscards(t *testing.T) {
	var w *Writer
	w.Put("Runs", Count, 1, nil) // must not panic
}
