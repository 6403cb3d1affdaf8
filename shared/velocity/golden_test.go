package velocity_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/velocity"
)

// goldenContext builds a render's data from a case's JSON context as the oracle
// does (tools first, then the JSON's top-level keys), with the contact's fields
// visible case-insensitively.
func goldenContext(t testing.TB, jsonPath string) (map[string]any, []velocity.Option) {
	data := map[string]any{}
	for k, v := range goldenTools() {
		data[k] = v
	}
	var opts []velocity.Option
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return data, opts
		}
		t.Fatal(err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return data, opts
	}
	v, err := velocity.DecodeJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", jsonPath, err)
	}
	m, ok := v.(*velocity.Map)
	if !ok {
		t.Fatalf("%s: the top level is not an object", jsonPath)
	}
	m.Range(func(k string, v any) bool {
		data[k] = v
		return true
	})
	if c, ok := m.Get("contact"); ok {
		if cm, ok := c.(*velocity.Map); ok {
			opts = append(opts, velocity.WithResolver(velocity.NewFieldResolver(cm)))
		}
	}
	return data, opts
}

var errLine = regexp.MustCompile(`\[line (\d+), column (\d+)\]`)

// oracleError splits an oracle .err file: the exception class and the line and
// column when it names them.
func oracleError(s string) (kind, line, col string) {
	kind, _, _ = strings.Cut(s, ":")
	if m := errLine.FindStringSubmatch(s); m != nil {
		return kind, m[1], m[2]
	}
	return kind, "", ""
}

// TestGolden renders every testdata/golden/NAME.vm and compares with the reference
// engine's output, NAME.out, byte for byte; for NAME.err it checks that the render
// fails with the same exception class and, when the reference names one, the
// same line.
func TestGolden(t *testing.T) {
	vms, err := filepath.Glob(filepath.Join("testdata", "golden", "*.vm"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vms) == 0 {
		t.Skip("no golden cases")
	}
	for _, vm := range vms {
		base := strings.TrimSuffix(vm, ".vm")
		name := filepath.Base(base)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(vm)
			if err != nil {
				t.Fatal(err)
			}
			data, opts := goldenContext(t, base+".json")
			// The oracle is Velocity 1.7: no Flowhook syntax.
			opts = append(opts, velocity.Velocity17Syntax())
			got, gerr := render(filepath.Base(vm), string(src), data, opts...)
			if want, err := os.ReadFile(base + ".out"); err == nil {
				if gerr != nil {
					t.Fatalf("got error %v, want output %q", gerr, want)
				}
				if got != string(want) {
					t.Errorf("output differs\ngot:  %q\nwant: %q", got, want)
				}
				return
			}
			want, err := os.ReadFile(base + ".err")
			if err != nil {
				t.Fatalf("neither %s.out nor %s.err", base, base)
			}
			kind, line, _ := oracleError(strings.TrimSpace(string(want)))
			if gerr == nil {
				t.Fatalf("got output %q, want error %s", got, want)
			}
			gotKind, gotLine, _ := errorKindLine(gerr)
			if gotKind != kind || (line != "" && gotLine != line) {
				t.Errorf("got error %s (line %s): %v\nwant %s (line %q): %s", gotKind, gotLine, gerr, kind, line, want)
			}
		})
	}
}

func render(name, src string, data map[string]any, opts ...velocity.Option) (string, error) {
	tmpl, err := velocity.Parse(name, src, opts...)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = tmpl.Execute(context.Background(), &b, data)
	return b.String(), err
}

// errorKindLine returns the reference exception class of a render error and its line.
func errorKindLine(err error) (kind, line, col string) {
	var pe *velocity.ParseError
	var re *velocity.RenderError
	switch {
	case errors.As(err, &pe):
		kind, line, col = pe.Kind, itoa(pe.Line), itoa(pe.Col)
	case errors.As(err, &re):
		kind, line, col = re.Kind, itoa(re.Line), itoa(re.Col)
	default:
		return "?", "", ""
	}
	if line == "0" {
		line, col = "", ""
	}
	return kind, line, col
}

func itoa(i int) string { return strconv.Itoa(i) }
