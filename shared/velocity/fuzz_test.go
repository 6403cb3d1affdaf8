package velocity_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/velocity"
)

// addSeeds adds the golden and benchmark templates to a fuzz corpus.
func addSeeds(f *testing.F) {
	for _, pat := range []string{"testdata/golden/*.vm", "testdata/bench/*.vm", "parse/testdata/dumps/hand_*.vm"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
}

// FuzzExecute renders arbitrary text with small limits: whatever the template, the
// render ends (with output or an error, never a panic) within the limits.
// Run it longer with: go test ./shared/velocity -run '^$' -fuzz FuzzExecute -fuzztime 10m
func FuzzExecute(f *testing.F) {
	addSeeds(f)
	limits := velocity.Limits{LoopIterations: 20000, RangeSize: 10000, OutputBytes: 1 << 20,
		MacroCalls: 20000, EvaluateDepth: 5}
	data := fuzzData()
	f.Fuzz(func(t *testing.T, src string) {
		for _, dialect := range [][]velocity.Option{nil, {velocity.Velocity17Syntax()}} {
			tmpl, err := velocity.Parse("f.vm", src, append(dialect, velocity.WithLimits(limits))...)
			var ie *velocity.InternalError
			if errors.As(err, &ie) {
				t.Fatalf("the engine panicked: %s\n%s", ie.Panic, ie.Stack)
			}
			if err != nil {
				var pe *velocity.ParseError
				if !errors.As(err, &pe) || pe.Line < 0 {
					t.Fatalf("Parse: %v is not a *ParseError", err)
				}
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			var out bytes.Buffer
			start := time.Now()
			err = tmpl.Execute(ctx, &out, data)
			cancel()
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("the render took %v", d)
			}
			if int64(out.Len()) > limits.OutputBytes {
				t.Fatalf("%d bytes of output, over the limit of %d", out.Len(), limits.OutputBytes)
			}
			if err != nil {
				var pe *velocity.ParseError
				var re *velocity.RenderError
				var le *velocity.LimitError
				if !errors.As(err, &pe) && !errors.As(err, &re) && !errors.As(err, &le) {
					t.Fatalf("Execute: %T %v is not one of the package's errors", err, err)
				}
			}
		}
	})
}

func fuzzData() map[string]any {
	data, _ := goldenContext(&testing.T{}, "")
	v, _ := velocity.DecodeJSON(bytes.NewReader([]byte(`{"name": "Ann", "n": 5, "d": 2.5, "s": "Hello, World",
		"list": ["a", "b"], "m": {"k": "v", "l": [1, 2, {"x": null}]}, "nul": null, "big": 30000000000000000000}`)))
	v.(*velocity.Map).Range(func(k string, x any) bool {
		data[k] = x
		return true
	})
	return data
}
