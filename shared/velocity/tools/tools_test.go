package tools_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/tools"
)

func TestJSON(t *testing.T) {
	m := velocity.NewMap(3)
	m.Put("name", `Ann "A" <b>`)
	m.Put("n", int32(3))
	m.Put("tags", []any{"x", 1.5, nil, true})
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"plain string", "hello", "hello"},
		{"quotes and backslash", `a"b\c`, `a\"b\\c`},
		{"controls", "a\nb\tc\x01", `a\nb\tc\u0001`},
		{"script safe", "</script><!--&", `\u003c/script\u003e\u003c!--\u0026`},
		{"line separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"non-ASCII kept", "café ✓ 😀", "café ✓ 😀"},
		{"invalid UTF-8", "a\xffb", `a\ufffdb`},
		{"null", nil, "null"},
		{"bool", true, "true"},
		{"integer", int32(42), "42"},
		{"long", int64(3000000000), "3000000000"},
		{"big", new(big.Int).Lsh(big.NewInt(1), 70), "1180591620717411303424"},
		{"double as Java prints it", 1e10, "1.0E10"},
		{"NaN", math.NaN(), "null"},
		{"map", m, `{"name":"Ann \"A\" \u003cb\u003e","n":3,"tags":["x",1.5,null,true]}`},
		{"list", &velocity.List{Items: []any{int32(1), "a"}}, `[1,"a"]`},
		{"read-only map in key order", map[string]any{"b": int32(1), "a": "x"}, `{"a":"x","b":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tools.JSON(tc.in); got != tc.want {
				t.Errorf("JSON(%v) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
	// Other objects are escaped as their toString: a Date prints as Date.toString().
	data := tools.Standard(tools.Config{Now: func() time.Time { return retenoNow }})
	got, err := render("j.vm", `"$esc.json($dateTool.currentDate())"`, data)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"Fri Mar 01 10:00:00 UTC 2024"`; got != want {
		t.Errorf("json of a Date = %s, want %s", got, want)
	}
}

// FuzzJSON checks that $esc.json of a string, wrapped in quotes, is a JSON string
// with the same text (invalid bytes replaced), and never contains a raw <, > or &.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{"hello", "</script>", "a\"b\\c\n", "\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := tools.JSON(s)
		if strings.ContainsAny(out, "<>&\u2028\u2029") {
			t.Fatalf("JSON(%q) = %q has an unescaped character", s, out)
		}
		var back string
		if err := json.Unmarshal([]byte(`"`+out+`"`), &back); err != nil {
			t.Fatalf("JSON(%q) = %q is not a JSON string body: %v", s, out, err)
		}
		if want := string([]rune(s)); back != want { // each invalid byte is U+FFFD

			t.Fatalf("JSON(%q) reads back as %q, want %q", s, back, want)
		}
	})
}

func TestEscapeFunctions(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"html entities", tools.EscapeHTML, `<a href="x">Tom's café</a> ©`, `&lt;a href=&quot;x&quot;&gt;Tom's caf&eacute;&lt;/a&gt; &copy;`},
		{"html astral as two units", tools.EscapeHTML, "😀", "&#55357;&#56832;"},
		{"html plain", tools.EscapeHTML, "plain", "plain"},
		{"xml numeric", tools.EscapeXML, `Tom's café`, "Tom&apos;s caf&#233;"},
		{"url form encoding", tools.EscapeURL, "a b&c=d/é?+~*'", "a+b%26c%3Dd%2F%C3%A9%3F%2B%7E*%27"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMethodContract checks the velocity.Object contract every tool keeps: an unknown
// method wraps velocity.ErrNoMethod, a Java exception is a *velocity.Throwable, and
// the tool names its Java class.
func TestMethodContract(t *testing.T) {
	data := tools.Standard(tools.Config{})
	classes := map[string]string{
		"mathTool":    "org.apache.velocity.tools.generic.MathTool",
		"numberTool":  "org.apache.velocity.tools.generic.NumberTool",
		"dateTool":    "org.apache.velocity.tools.generic.DateTool",
		"esc":         "org.apache.velocity.tools.generic.EscapeTool",
		"sorter":      "org.apache.velocity.tools.generic.SortTool",
		"sortTool":    "org.apache.velocity.tools.generic.SortTool",
		"listTool":    "org.apache.velocity.tools.generic.ListTool",
		"stringUtils": "org.apache.commons.lang.StringUtils",
	}
	if len(data) != len(classes) {
		t.Errorf("Standard has %d tools, want %d", len(data), len(classes))
	}
	for name, cls := range classes {
		o, ok := data[name].(velocity.Object)
		if !ok {
			t.Fatalf("%s is %T, not a velocity.Object", name, data[name])
		}
		if got := o.(interface{ JavaClass() string }).JavaClass(); got != cls {
			t.Errorf("%s class = %q, want %q", name, got, cls)
		}
		if _, err := o.Method("noSuchMethod", []any{int32(1)}); !errors.Is(err, velocity.ErrNoMethod) {
			t.Errorf("%s.noSuchMethod: got error %v, want ErrNoMethod", name, err)
		}
		c, err := o.Method("getClass", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := c.(velocity.Object).Method("getName", nil); got != cls {
			t.Errorf("%s.class.name = %v, want %s", name, got, cls)
		}
	}
	_, err := data["numberTool"].(velocity.Object).Method("format", []any{"#.0#0", int32(1)})
	var th *velocity.Throwable
	if !errors.As(err, &th) || th.Class != "java.lang.IllegalArgumentException" || th.Message != `Unexpected '0' in pattern "#.0#0"` {
		t.Errorf("format with a bad pattern: got %v, want IllegalArgumentException", err)
	}
}

func TestListToolSet(t *testing.T) {
	lt := tools.NewListTool()
	made := &velocity.List{Items: []any{"a", "b"}}
	input := []any{"a", "b"}
	tests := []struct {
		name      string
		list      any
		wantFirst any
	}{
		{"a template's list changes", made, "z"},
		{"input data does not", input, "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lt.Method("set", []any{tc.list, int32(0), "z"})
			if err != nil || got != "" {
				t.Fatalf("set = %v, %v; want \"\", nil", got, err)
			}
			var first any
			switch l := tc.list.(type) {
			case *velocity.List:
				first = l.Items[0]
			case []any:
				first = l[0]
			}
			if first != tc.wantFirst {
				t.Errorf("first element %v, want %v", first, tc.wantFirst)
			}
		})
	}
	if got, _ := lt.Method("set", []any{made, int32(5), "z"}); got != nil {
		t.Errorf("set out of range = %v, want null", got)
	}
}

// FuzzToNumber checks that MathTool.toNumber of any string never panics and gives a
// Long, a Double or null, and that a Long prints back as a prefix-free number.
func FuzzToNumber(f *testing.F) {
	for _, s := range []string{"42", "1,234.5", "-0", "1E5", "1e5", " 5", "9223372036854775808", "NaN", "∞", "١٢"} {
		f.Add(s)
	}
	m := tools.NewMathTool()
	f.Fuzz(func(t *testing.T, s string) {
		v, err := m.Method("toNumber", []any{s})
		if err != nil {
			t.Fatal(err)
		}
		switch v.(type) {
		case nil, int64, float64:
		default:
			t.Fatalf("toNumber(%q) = %T", s, v)
		}
		if _, err := m.Method("add", []any{s, int32(1)}); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkTools(b *testing.B) {
	data := tools.Standard(tools.Config{Now: func() time.Time { return retenoNow }})
	math := data["mathTool"].(velocity.Object)
	num := data["numberTool"].(velocity.Object)
	date := data["dateTool"].(velocity.Object)
	esc := data["esc"].(velocity.Object)
	b.Run("math.add", func(b *testing.B) {
		args := []any{"15.19", 3.04}
		for b.Loop() {
			math.Method("add", args)
		}
	})
	b.Run("number.format", func(b *testing.B) {
		args := []any{"#,##0.00", 1234567.891}
		for b.Loop() {
			num.Method("format", args)
		}
	})
	b.Run("date.formatDate", func(b *testing.B) {
		args := []any{"dd.MM.yyyy HH:mm", int64(1495479520000)}
		for b.Loop() {
			date.Method("formatDate", args)
		}
	})
	b.Run("date.addDays", func(b *testing.B) {
		args := []any{"01/01/2020 12:00", int32(15)}
		for b.Loop() {
			date.Method("addDays", args)
		}
	})
	b.Run("esc.html", func(b *testing.B) {
		args := []any{`<a href="x?a=1&b=2">Tom's café</a>`}
		for b.Loop() {
			esc.Method("html", args)
		}
	})
}
