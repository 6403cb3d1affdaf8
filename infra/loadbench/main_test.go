package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	cases := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one value is every percentile", ms(7), 99, 7 * time.Millisecond},
		{"p50 of an even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p50 of an odd count is the middle", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the largest", ms(hundred...), 100, 100 * time.Millisecond},
		{"p99 of 10 is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.in, tc.p); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	cases := []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"none", nil, 0},
		{"odd, unsorted", []time.Duration{30, 10, 20}, 20},
		{"even is the mean of the middle two", []time.Duration{40, 10, 20, 30}, 25},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]time.Duration(nil), tc.in...)
			if got := median(tc.in); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
			if !reflect.DeepEqual(in, tc.in) {
				t.Errorf("median reordered its input: %v, was %v", tc.in, in)
			}
		})
	}
}

func TestCountSends(t *testing.T) {
	cases := []struct {
		name string
		want []string
		got  map[string]int
		out  sendCount
	}{
		{"each once", []string{"r1:wh", "r2:wh"}, map[string]int{"r1:wh": 1, "r2:wh": 1}, sendCount{}},
		{"one lost", []string{"r1:wh", "r2:wh"}, map[string]int{"r1:wh": 1}, sendCount{Lost: 1}},
		{"one sent three times", []string{"r1:wh", "r2:wh"}, map[string]int{"r1:wh": 3, "r2:wh": 1}, sendCount{Duplicated: 1, Extra: 2}},
		{"a key of no run", []string{"r1:wh"}, map[string]int{"r1:wh": 1, "rX:wh": 1}, sendCount{Stray: 1}},
		{"nothing arrived", []string{"r1:wh", "r2:wh", "r3:wh"}, map[string]int{}, sendCount{Lost: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := countSends(tc.want, tc.got); got != tc.out {
				t.Errorf("got %+v, want %+v", got, tc.out)
			}
		})
	}
}

func TestInvocationStatus(t *testing.T) {
	cases := []struct {
		name    string
		resp    string
		want    string
		wantErr string
	}{
		{"plain result", `{"message":"hello"}`, "ok", ""},
		{"stream batch result", `{"batchItemFailures":[]}`, "ok", ""},
		{"HTTP answer", `{"statusCode":202,"headers":{},"body":"{}"}`, "HTTP 202", ""},
		{"HTTP client error is still an answer", `{"statusCode":404,"body":"{}"}`, "HTTP 404", ""},
		{"HTTP server error", `{"statusCode":500,"body":"boom"}`, "", "HTTP status 500"},
		{"function error", `{"errorMessage":"no table","errorType":"Runtime.Error"}`, "", "function error Runtime.Error: no table"},
		{"not JSON", `Internal Server Error`, "", "not JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := invocationStatus([]byte(tc.resp))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestColdSample checks where a function's cold-start payload comes from: its own file
// first, else the first sample of events/<function>/expect.json, else an error saying
// what to add.
func TestColdSample(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"infra/loadbench/coldstart/own.json":  `{"own": true}`,
		"infra/loadbench/coldstart/both.json": `{"own": "wins"}`,
		"events/both/a.json":                  `{"a": 1}`,
		"events/both/expect.json":             `[{"file": "a.json", "response": {"ok": true}}]`,
		"events/listed/a.json":                `{"a": 1}`,
		"events/listed/b.json":                `{"b": 2}`,
		"events/listed/expect.json":           `[{"file": "b.json", "status": 200}, {"file": "a.json", "status": 200}]`,
	}
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, function     string
		wantPath, wantBody string
		wantErr            string
	}{
		{"own file", "own", "infra/loadbench/coldstart/own.json", `{"own": true}`, ""},
		{"own file wins over events", "both", "infra/loadbench/coldstart/both.json", `{"own": "wins"}`, ""},
		{"first listed sample", "listed", "events/listed/b.json", `{"b": 2}`, ""},
		{"none", "missing", "", "", "add infra/loadbench/coldstart/missing.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, body, err := coldSample(root, tc.function)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want an error with %q", path, err, tc.wantErr)
				}
				return
			}
			if err != nil || path != tc.wantPath || string(body) != tc.wantBody {
				t.Errorf("got %q %s, %v; want %q %s", path, body, err, tc.wantPath, tc.wantBody)
			}
		})
	}
}

// TestLoad runs a small load through the whole path (API, intake, dispatcher, webhook
// to the local TLS endpoint, message) and checks the tally: every event accepted, every
// run succeeded, every send exactly once, a latency for each run.
func TestLoad(t *testing.T) {
	cases := []struct {
		name            string
		events, posters int
	}{
		{"one poster", 5, 1},
		{"more posters than workers", 40, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loadConfig{Events: tc.events, Posters: tc.posters, Timeout: time.Minute, NoSync: true}
			r, err := runLoad(t.Context(), cfg, t.Logf)
			if err != nil {
				t.Fatal(err)
			}
			if err := loadOK(r); err != nil {
				t.Error(err)
			}
			if r.Accepted != tc.events || r.Runs != tc.events || r.Succeeded != tc.events || len(r.Latencies) != tc.events {
				t.Errorf("accepted %d, runs %d, succeeded %d, latencies %d; want %d each", r.Accepted, r.Runs, r.Succeeded, len(r.Latencies), tc.events)
			}
			if r.sendCount != (sendCount{}) {
				t.Errorf("sends %+v, want each exactly once", r.sendCount)
			}
			for _, d := range r.Latencies {
				if d <= 0 {
					t.Errorf("a run finished %s after its event was posted; want after", d)
				}
			}
		})
	}
}
