package tools_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/tools"
)

// oracleNow is the clock of the oracle cases; none of them prints the current time,
// but parsing two-digit years depends on it.
var oracleNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// oracleData is what the reference engine puts in a render: its tools (Velocity Tools
// 2.0 only: no Reteno methods), then the case's JSON.
func oracleData(t *testing.T, jsonPath string) map[string]any {
	t.Helper()
	data := tools.Standard(tools.Config{TimeZone: time.UTC, ReferenceOnly: true, Now: func() time.Time { return oracleNow }})
	b, err := os.ReadFile(jsonPath)
	if os.IsNotExist(err) {
		return data
	}
	if err != nil {
		t.Fatal(err)
	}
	v, err := velocity.DecodeJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", jsonPath, err)
	}
	v.(*velocity.Map).Range(func(k string, e any) bool {
		data[k] = e
		return true
	})
	return data
}

// TestOracle renders the probe templates of testdata/oracle (and the tool cases of
// the engine's golden corpus) through the engine with these tools, and compares with
// what the reference engine rendered: NAME.out byte for byte, or for NAME.err the
// Java exception (class and message) the method threw. Regenerate the outputs with
// ../../velocity-oracle/render.sh --batch testdata/oracle.
func TestOracle(t *testing.T) {
	var vms []string
	for _, pattern := range []string{"testdata/oracle/*.vm", "../testdata/golden/tool_*.vm"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		vms = append(vms, m...)
	}
	if len(vms) == 0 {
		t.Fatal("no oracle cases")
	}
	for _, vm := range vms {
		base := strings.TrimSuffix(vm, ".vm")
		name := filepath.Base(base)
		if name == "tool_date_reteno_methods_missing" {
			continue // Flowhook's $dateTool has the methods the reference lacks
		}
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(vm)
			if err != nil {
				t.Fatal(err)
			}
			got, gerr := render(filepath.Base(vm), string(src), oracleData(t, base+".json"))
			if want, err := os.ReadFile(base + ".out"); err == nil {
				if gerr != nil {
					t.Fatalf("got error %v, want output %q", gerr, want)
				}
				if got != string(want) {
					diffLines(t, got, string(want))
				}
				return
			}
			want, err := os.ReadFile(base + ".err")
			if err != nil {
				t.Fatalf("neither %s.out nor %s.err", base, base)
			}
			if gerr == nil {
				t.Fatalf("got output %q, want error %s", got, want)
			}
			// The Java exception is between "threw exception " and " at NAME.vm[".
			w := string(want)
			if _, after, ok := strings.Cut(w, "threw exception "); ok {
				exc, _, _ := strings.Cut(after, " at "+filepath.Base(vm)+"[")
				if !strings.Contains(gerr.Error(), exc) {
					t.Errorf("got error %v\nwant one with %q", gerr, exc)
				}
			}
		})
	}
}

func render(name, src string, data map[string]any) (string, error) {
	tmpl, err := velocity.Parse(name, src, velocity.Velocity17Syntax())
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = tmpl.Execute(context.Background(), &b, data)
	return b.String(), err
}

// diffLines reports the lines that differ, got before want.
func diffLines(t *testing.T, got, want string) {
	t.Helper()
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, gl, wl)
		}
	}
}
