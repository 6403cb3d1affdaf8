package velocity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/velocity"
)

func mustParse(t *testing.T, src string, opts ...velocity.Option) *velocity.Template {
	t.Helper()
	tmpl, err := velocity.Parse("t.vm", src, opts...)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return tmpl
}

func exec(t *testing.T, tmpl *velocity.Template, data map[string]any, opts ...velocity.Option) (string, error) {
	t.Helper()
	var b bytes.Buffer
	err := tmpl.Execute(context.Background(), &b, data, opts...)
	return b.String(), err
}

func jsonData(t *testing.T, s string) map[string]any {
	t.Helper()
	v, err := velocity.DecodeJSON(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{}
	v.(*velocity.Map).Range(func(k string, x any) bool {
		data[k] = x
		return true
	})
	return data
}

// jsonInsert escapes values for a JSON body: strings as JSON string contents,
// maps and lists as JSON.
func jsonInsert(ref velocity.Reference, v any) (string, error) {
	switch x := v.(type) {
	case string:
		b, err := json.Marshal(x)
		return string(b[1 : len(b)-1]), err
	case *velocity.Map, []any, *velocity.List:
		b, err := json.Marshal(x)
		return string(b), err
	}
	return fmt.Sprint(v), nil
}

func TestInsertionHook(t *testing.T) {
	var refs []velocity.Reference
	record := func(ref velocity.Reference, v any) (string, error) {
		refs = append(refs, ref)
		return jsonInsert(ref, v)
	}
	tests := []struct {
		name, src, data, want string
		refs                  []velocity.Reference
	}{
		{"string escaped, literal text kept", `{"a": "$a", "q": "\"lit\""}`, `{"a": "x\"y\n"}`,
			`{"a": "x\"y\n", "q": "\"lit\""}`, []velocity.Reference{{Text: "$a", Line: 1, Col: 8}}},
		{"map and list inserted as JSON", `{"m": $m, "l": $l}`, `{"m": {"k": [1, "two"]}, "l": [true, null]}`,
			`{"m": {"k":[1,"two"]}, "l": [true,null]}`, nil},
		{"unset reference prints itself without the hook", `"$missing" "$!missing"`, `{}`, `"$missing" ""`, nil},
		{"method results go through it", `$a.toUpperCase()`, `{"a": "q\"q"}`, `Q\"Q`,
			[]velocity.Reference{{Text: "$a.toUpperCase()", Line: 1, Col: 1}}},
		{"a list changed by the template inserts its new contents", `$l.add(3)$l`, `{"l": [1]}`, `true[1,3]`, nil},
		{"#define output is not escaped twice", `#define($b)"$a"#end$b`, `{"a": "\""}`, `"\""`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refs = nil
			tmpl := mustParse(t, tc.src)
			got, err := exec(t, tmpl, jsonData(t, tc.data), velocity.WithInsert(record))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if tc.refs != nil && fmt.Sprint(refs) != fmt.Sprint(tc.refs) {
				t.Errorf("hook saw %v, want %v", refs, tc.refs)
			}
		})
	}
}

func TestInsertionHookError(t *testing.T) {
	noCRLF := func(ref velocity.Reference, v any) (string, error) {
		s := fmt.Sprint(v)
		if strings.ContainsAny(s, "\r\n") {
			return "", errors.New("a header value cannot contain a line break")
		}
		return s, nil
	}
	tmpl := mustParse(t, "X-City: $city")
	_, err := exec(t, tmpl, jsonData(t, `{"city": "Kyiv\r\nEvil: 1"}`), velocity.WithInsert(noCRLF))
	var re *velocity.RenderError
	if !errors.As(err, &re) {
		t.Fatalf("got %v, want a *RenderError", err)
	}
	if re.Line != 1 || re.Col != 9 || !strings.Contains(re.Msg, "$city") {
		t.Errorf("got %+v, want the reference $city at 1:9", re)
	}
}

func TestStrictReferences(t *testing.T) {
	tests := []struct {
		name, src, want string
		ref             string // the unset reference the error names, "" for success
		line, col       int
	}{
		{"plain", "Hello $TOWN!", "", "$TOWN", 1, 7},
		{"formal", "x\n  ${TOWN}", "", "${TOWN}", 2, 3},
		{"property of a set value", "$m.missing", "", "$m.missing", 1, 1},
		{"method", "$m.nope()", "", "$m.nope()", 1, 1},
		{"silent stays empty", "[$!TOWN][$!{TOWN}]", "[][]", "", 0, 0},
		{"conditions are not affected", "#if($TOWN)y#{else}n#end", "n", "", 0, 0},
		{"set values render", "#set($x = 1)$x $m.k", "1 v", "", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := mustParse(t, tc.src, velocity.StrictReferences(true))
			got, err := exec(t, tmpl, jsonData(t, `{"m": {"k": "v"}}`))
			if tc.ref == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			var re *velocity.ReferenceError
			if !errors.As(err, &re) {
				t.Fatalf("got %q, %v; want a *ReferenceError", got, err)
			}
			if re.Ref != tc.ref || re.Line != tc.line || re.Col != tc.col {
				t.Errorf("got %+v, want %s at %d:%d", re, tc.ref, tc.line, tc.col)
			}
			if want := fmt.Sprintf("reference %s at %d:%d is not set", tc.ref, tc.line, tc.col); !strings.Contains(err.Error(), want) {
				t.Errorf("message %q lacks %q", err.Error(), want)
			}
		})
	}
}

type mapResolver map[string]any

func (m mapResolver) Resolve(name string) (any, bool) {
	v, ok := m[strings.ToUpper(name)]
	return v, ok
}

func TestResolver(t *testing.T) {
	contact := velocity.NewMap(2)
	contact.Put("FIRSTNAME", "Ann")
	contact.Put("TOWN", "Kyiv")
	tests := []struct {
		name, src, want string
		resolver        velocity.Resolver
	}{
		{"case-insensitive contact fields", "$firstName $FIRSTNAME $FirstName ${town}", "Ann Ann Ann Kyiv",
			velocity.NewFieldResolver(contact)},
		{"data wins over the resolver", "$email", "param@example.com", mapResolver{"EMAIL": "field@example.com"}},
		{"#set wins over the resolver", "#set($town = 'Lviv')$town", "Lviv", velocity.NewFieldResolver(contact)},
		{"a miss stays unset", "$nobody", "$nobody", velocity.NewFieldResolver(contact)},
		{"resolved values have methods", "$firstname.toUpperCase().length()", "3", velocity.NewFieldResolver(contact)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := mustParse(t, tc.src)
			got, err := exec(t, tmpl, map[string]any{"email": "param@example.com"}, velocity.WithResolver(tc.resolver))
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name, src string
		limits    velocity.Limits
		limit     string
	}{
		{"loop iterations, all loops together", "#foreach($a in [1..100])#foreach($b in [1..100])#end#end",
			velocity.Limits{LoopIterations: 5000}, "loop iterations"},
		{"range size", "#set($r = [1..2000000])", velocity.Limits{}, "range size"},
		{"output bytes", "#foreach($i in [1..1000])0123456789#end", velocity.Limits{OutputBytes: 5000}, "output bytes"},
		{"strings built count as output", `#set($s = "x")#foreach($i in [1..40])#set($s = "$s$s")#end`,
			velocity.Limits{}, "output bytes"},
		{"macro depth", "#macro(r $n)#r($n)#end#r(1)", velocity.Limits{MacroDepth: 50}, "macro depth"},
		{"macro calls", "#macro(r)#set($d = $d + 1)#if($d < 15)#r()#r()#r()#end#set($d = $d - 1)#end#set($d = 0)#r()",
			velocity.Limits{MacroCalls: 10000}, "macro calls"},
		{"evaluate depth", `#set($t = '#evaluate($t)')#evaluate($t)`, velocity.Limits{}, "evaluate depth"},
		// Text that grows exponentially is refused before it is built.
		{"printing a list that holds itself twice over", `#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$l`,
			velocity.Limits{OutputBytes: 1 << 16}, "output bytes"},
		{"comparing it as text", `#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end#if($l == "x")#end`,
			velocity.Limits{OutputBytes: 1 << 16}, "output bytes"},
		{"a map of it", `#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end${{"k": $l}}`,
			velocity.Limits{OutputBytes: 1 << 16}, "output bytes"},
		{"addAll of a list to itself", `#set($l = [1])#foreach($i in [1..40])#set($x = $l.addAll($l))#end`,
			velocity.Limits{OutputBytes: 1 << 16}, "output bytes"},
		{"addAll at an index", `#set($l = [1])#foreach($i in [1..40])#set($x = $l.addAll(0, $l))#end`,
			velocity.Limits{OutputBytes: 1 << 16}, "output bytes"},
		{"format width", `#set($s = '')$s.format('%2147483647s', 'x')`, velocity.Limits{}, "output bytes"},
		{"format precision", `#set($s = '')$s.format('%.2000000000f', 1.5)`, velocity.Limits{}, "output bytes"},
		{"StringUtils.leftPad", `$su.leftPad('a', 2147483647, '-')`, velocity.Limits{}, "output bytes"},
		{"StringUtils.repeat", `$su.repeat('ab', 1000000000)`, velocity.Limits{}, "output bytes"},
		{"StringUtils.join of a list that holds itself", `#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$su.join($l, ',')`,
			velocity.Limits{}, "output bytes"},
		{"a tool printing it", `#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$esc.html($l)`,
			velocity.Limits{}, "output bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := mustParse(t, tc.src, velocity.WithLimits(tc.limits))
			tools := goldenTools()
			_, err := exec(t, tmpl, map[string]any{"su": tools["stringUtils"], "esc": tools["esc"]})
			var le *velocity.LimitError
			if !errors.As(err, &le) || le.Limit != tc.limit {
				t.Fatalf("got %v, want a LimitError on %s", err, tc.limit)
			}
		})
	}
	t.Run("macro depth 20 is Velocity's MacroOverflowException", func(t *testing.T) {
		tmpl := mustParse(t, "#macro(r)#r()#end\n#r()")
		_, err := exec(t, tmpl, nil)
		var re *velocity.RenderError
		if !errors.As(err, &re) || re.Kind != "MacroOverflowException" {
			t.Fatalf("got %v, want a MacroOverflowException", err)
		}
	})
	t.Run("parse depth", func(t *testing.T) {
		src := strings.Repeat("#if(true)", 60) + strings.Repeat("#end", 60)
		_, err := velocity.Parse("t.vm", src, velocity.WithLimits(velocity.Limits{ParseDepth: 50}))
		var pe *velocity.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("got %v, want a ParseError", err)
		}
	})
}

// cancelOnCall cancels a context when the template calls it.
type cancelOnCall struct{ cancel context.CancelFunc }

func (c cancelOnCall) Method(name string, args []any) (any, error) {
	c.cancel()
	return "", nil
}

func TestCancellation(t *testing.T) {
	tmpl := mustParse(t, "$stop.now()#foreach($i in [1..100000])$i#end")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var b bytes.Buffer
	err := tmpl.Execute(ctx, &b, map[string]any{"stop": cancelOnCall{cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if n := strings.Count(b.String(), "9"); n > 100 {
		t.Errorf("the loop went on after the cancellation: %d bytes", b.Len())
	}
}

func TestConcurrentExecute(t *testing.T) {
	tmpl := mustParse(t, `#set($total = 0)#foreach($i in $items)#set($total = $total + $i)$i.toString().length()#end $total $items.add(1) $items.size() $!m.put('k', $n) $m`)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			items := []any{int32(g), int32(10 * g)}
			m := velocity.NewMap(1)
			for i := 0; i < 200; i++ {
				var b bytes.Buffer
				err := tmpl.Execute(context.Background(), &b, map[string]any{"items": items, "n": int32(i), "m": m})
				if err != nil {
					errs <- err
					return
				}
				want := fmt.Sprintf("%d%d %d true 3  {k=%d}", len(fmt.Sprint(g)), len(fmt.Sprint(10*g)), 11*g, i)
				if b.String() != want {
					errs <- fmt.Errorf("goroutine %d: got %q, want %q", g, b.String(), want)
					return
				}
			}
			if len(items) != 2 || m.Len() != 0 {
				errs <- fmt.Errorf("goroutine %d: the data changed: %v %d", g, items, m.Len())
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDataIsNotModified(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"list add is seen by later reads", "$l.add('c')$l $l.size() #foreach($x in $l)$x#end", "true[a, b, c] 3 abc"},
		{"map put is seen through another path", "$!m.put('k2', 2)$data.m $m.size()", "{k=1, n=[8], k2=2} 3"},
		{"put of a new key is null, printed as the reference", "$m.put('k3', 3)", "$m.put('k3', 3)"},
		{"nested containers", "$m.n.add(9)$data.m.n", "true[8, 9]"},
		{"#set on a map property", "#set($m.k = 'x')$m.k $data.m.k", "x x"},
		{"list set and remove", "$l.set(0, 'z')$l.remove('b')$l", "atrue[z]"},
		{"empty lists are distinct", "$e1.add(1)$e1 $e2", "true[1] []"},
		{"clear", "$m.clear()$m $data.m", "{} {}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const src = `{"l": ["a", "b"], "m": {"k": 1, "n": [8]}, "e1": [], "e2": []}`
			data := jsonData(t, src)
			data["data"] = velocity.NewMap(0)
			data["data"].(*velocity.Map).Put("m", data["m"])
			before, _ := json.Marshal(data)
			tmpl := mustParse(t, tc.src)
			got, err := exec(t, tmpl, data)
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
			after, _ := json.Marshal(data)
			if !bytes.Equal(before, after) {
				t.Errorf("the data changed:\n%s\n%s", before, after)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src    string
		parse        bool // a *ParseError rather than a *RenderError
		kind, class  string
		line, col    int
		msgFragments []string
	}{
		{"unclosed #if", "a\n\n#if($x)\nb\n", true, "ParseErrorException", "", 4, 2,
			[]string{"t.vm:4:2", "unclosed #if started at 3:1; add #end"}},
		{"stray #end", "x #end", true, "ParseErrorException", "", 1, 3, []string{"#end without"}},
		{"substring out of range", "ok\n $s.substring(5)", false, "MethodInvocationException",
			"java.lang.StringIndexOutOfBoundsException", 2, 5, []string{"substring", "begin 5, end 3, length 3"}},
		{"index out of range", "$l[3]", false, "VelocityException", "java.lang.IndexOutOfBoundsException", 1, 3,
			[]string{"Index 3 out of bounds for length 2"}},
		{"get out of range", "$l.get(3)", false, "MethodInvocationException", "java.lang.IndexOutOfBoundsException", 1, 4, nil},
		{"#include has nothing to include", "#include('x.vm')", false, "ResourceNotFoundException", "", 1, 1, []string{"x.vm"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := map[string]any{"s": "abc", "l": []any{"a", "b"}}
			tmpl, err := velocity.Parse("t.vm", tc.src)
			if err == nil {
				_, err = exec(t, tmpl, data)
			}
			var kind, class string
			var line, col int
			if tc.parse {
				var pe *velocity.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("got %v, want a *ParseError", err)
				}
				kind, line, col = pe.Kind, pe.Line, pe.Col
			} else {
				var re *velocity.RenderError
				if !errors.As(err, &re) {
					t.Fatalf("got %v, want a *RenderError", err)
				}
				kind, class, line, col = re.Kind, re.Class, re.Line, re.Col
			}
			if kind != tc.kind || class != tc.class || line != tc.line || col != tc.col {
				t.Errorf("got %s %s at %d:%d, want %s %s at %d:%d (%v)", kind, class, line, col,
					tc.kind, tc.class, tc.line, tc.col, err)
			}
			for _, f := range tc.msgFragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("message %q lacks %q", err.Error(), f)
				}
			}
		})
	}
}

// panicky is an Object whose methods panic, standing for a bug the engine runs into.
type panicky struct{}

func (panicky) Method(name string, _ []any) (any, error) {
	if name == "boom" {
		panic("boom at " + name)
	}
	return "fine", nil
}

// TestPanicIsAnInternalError: a panic during a render fails that render with an
// *InternalError (the process serving other renders carries on), and the template can
// be executed again.
func TestPanicIsAnInternalError(t *testing.T) {
	tmpl, err := velocity.Parse("p.vm", "before $tool.boom() after")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data map[string]any
		want string
		err  bool
	}{
		{"the panic", map[string]any{"tool": panicky{}}, "", true},
		{"the same template again", map[string]any{"tool": panicky{}}, "", true},
		{"data that does not panic", map[string]any{"tool": "text"}, "before $tool.boom() after", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := tmpl.Execute(t.Context(), &out, tc.data)
			var ie *velocity.InternalError
			switch {
			case tc.err && !errors.As(err, &ie):
				t.Fatalf("Execute = %v, want an *InternalError", err)
			case tc.err && (!strings.Contains(ie.Panic, "boom") || !strings.Contains(ie.Error(), "p.vm")):
				t.Errorf("InternalError %q (panic %q), want the template's name and the panic", ie.Error(), ie.Panic)
			case !tc.err && (err != nil || out.String() != tc.want):
				t.Errorf("Execute = %q, %v; want %q", out.String(), err, tc.want)
			}
		})
	}
}
