package render

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/webhook"
)

// FuzzBuildValues inserts an arbitrary value everywhere a value can go and checks that
// every built request is valid and carries the value exactly: the JSON parses and its
// strings decode to the value, the XML is well-formed and its text and attribute decode
// to it, the URL parses and its path segment and query values decode to it, and a
// header carries it unless it holds a control character, which must be refused.
func FuzzBuildValues(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	f.Add("\xff\xfe0\xfe")
	f.Add("\xff0\xfe")
	f.Add(".")
	f.Add("")
	jsonC, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/",
		Body: jsonBody("json", `{"s": "$v", "o": $v, "l": [$v, {"k": "x$v"}], "m": {$v: "$v$v"}}`)})
	if err != nil {
		f.Fatal(err)
	}
	urlC, err := Compile(webhook.Webhook{Method: "GET", URL: "https://x.example/p/$v/q?a=$v&b=1#$v",
		Params: []webhook.Pair{{Name: "p", Value: "<$v>"}}})
	if err != nil {
		f.Fatal(err)
	}
	xmlC, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/",
		Body: jsonBody("xml", `<r a="$v"><t>$v</t><c><![CDATA[$v]]></c></r>`)})
	if err != nil {
		f.Fatal(err)
	}
	headerC, err := Compile(webhook.Webhook{Method: "GET", URL: "https://x.example/",
		Headers: []webhook.Pair{{Name: "X-V", Value: "[$v]"}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Skip()
		}
		// Inputs arrive as JSON, which carries only UTF-8.
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		rc, err := NewContext(Input{Params: []webhook.Param{{Name: "v", Value: raw}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()

		got, err := jsonC.Build(ctx, rc)
		if err != nil {
			t.Fatalf("JSON request for %s: %v", quoteShort(want), err)
		}
		var body struct {
			S, O string
			L    []json.RawMessage
			M    map[string]string
		}
		if err := json.Unmarshal(got.Body, &body); err != nil || body.S != want || body.O != want || body.M[want] != want+want {
			t.Fatalf("JSON body %s for %s: %v", got.Body, quoteShort(want), err)
		}

		got, err = urlC.Build(ctx, rc)
		switch {
		case 12*len(want)+64 > MaxURLBytes:
			// Four copies, each byte escaped to three, may pass the URL limit; the JSON
			// checks cover long values.
		case want == "." || want == "..":
			if err == nil {
				t.Fatalf("a %q path segment was accepted: %s", want, got.URL)
			}
		case err != nil:
			t.Fatalf("URL for %q: %v", want, err)
		default:
			u, err := url.Parse(got.URL)
			if err != nil || u.Scheme != "https" || u.Host != "x.example" {
				t.Fatalf("URL %s for %q: %v", got.URL, want, err)
			}
			segs := strings.Split(u.EscapedPath(), "/")
			if len(segs) != 4 {
				t.Fatalf("URL path %s for %q has %d segments", u.EscapedPath(), want, len(segs))
			}
			if seg, err := url.PathUnescape(segs[2]); err != nil || seg != want {
				t.Fatalf("URL path segment %q for %q: %v", seg, want, err)
			}
			q := u.Query()
			if q.Get("a") != want || q.Get("b") != "1" || q.Get("p") != "<"+want+">" {
				t.Fatalf("URL query %s for %q decodes to %v", u.RawQuery, want, q)
			}
			if frag, err := url.PathUnescape(u.EscapedFragment()); err != nil || frag != want {
				t.Fatalf("URL fragment %q for %q: %v", frag, want, err)
			}
		}

		got, err = xmlC.Build(ctx, rc)
		if _, bad := xmlForbidden(want); bad {
			if err == nil {
				t.Fatalf("XML accepted %s: %s", quoteShort(want), got.Body)
			}
		} else {
			if err != nil {
				t.Fatalf("XML request for %s: %v", quoteShort(want), err)
			}
			a, text, cdata := xmlValues(t, got.Body)
			wantC := strings.ReplaceAll(strings.ReplaceAll(want, "\r\n", "\n"), "\r", "\n")
			if a != want || text != want || cdata != wantC {
				t.Fatalf("XML %s for %s decodes to %s, %s, %s", got.Body, quoteShort(want), quoteShort(a), quoteShort(text), quoteShort(cdata))
			}
		}

		got, err = headerC.Build(ctx, rc)
		switch {
		case len(want) > MaxHeaderBytes-2:
			if err == nil {
				t.Fatalf("a header of %d bytes was accepted", len(want)+2)
			}
		case strings.IndexFunc(want, isControl) >= 0:
			if err == nil {
				t.Fatalf("header accepted %s", quoteShort(want))
			}
		case err != nil || got.Header[len(got.Header)-1].Value != "["+want+"]":
			t.Fatalf("header for %s: %v", quoteShort(want), err)
		}

		for _, c := range []*Compiled{jsonC, urlC, xmlC, headerC} {
			sameWithLazy(t, c, Input{Params: []webhook.Param{{Name: "v", Value: raw}}}, rc)
		}
	})
}

// FuzzBuildTemplates compiles and builds arbitrary body and URL templates: neither may
// panic, and a request that builds must be valid — JSON that parses, XML that is
// well-formed, an https URL that parses — and UTF-8.
func FuzzBuildTemplates(f *testing.F) {
	for _, s := range []string{
		`{"a": "$v", "b": $v}`,
		`#set($s = "x$v")"$s.substring(1)"`,
		`#define($b)"$v"#end[$b, "$b"]`,
		`#evaluate("$v")`,
		`#macro(m $p)"$p"#end{"k": #m("$v")}`,
		`<r a="$v">$v<![CDATA[$v]]></r>`,
		`#foreach($i in [1..3])"$v"#end`,
		`"$v.replace('a', '$')"`,
		`"\\$v"`,
		`{"a": $!nope}`,
	} {
		f.Add(s, `"a\"b]]>"`)
		f.Add(s, `{"k": [1, 2.5, "x"]}`)
	}
	f.Fuzz(func(t *testing.T, src, value string) {
		if !json.Valid([]byte(value)) || len(src) > 2000 {
			t.Skip()
		}
		rc, err := NewContext(Input{Params: []webhook.Param{{Name: "v", Value: json.RawMessage(value)}}})
		if err != nil {
			t.Skip()
		}
		ctx := context.Background()
		for _, format := range []webhook.BodyFormat{webhook.FormatJSON, webhook.FormatXML, webhook.FormatText} {
			c, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: &webhook.Body{Format: format, Template: src}})
			if err != nil {
				continue
			}
			got, err := c.Build(ctx, rc)
			sameAsEngine(t, c, rc, got, err)
			sameWithLazy(t, c, Input{Params: []webhook.Param{{Name: "v", Value: json.RawMessage(value)}}}, rc)
			if err != nil {
				continue
			}
			if !utf8.Valid(got.Body) {
				t.Fatalf("%s body is not UTF-8: %q", format, got.Body)
			}
			if format == webhook.FormatJSON && !json.Valid(got.Body) {
				t.Fatalf("invalid JSON built from %q: %s", src, got.Body)
			}
			if format == webhook.FormatXML {
				if _, msg := wellFormed(got.Body); msg != "" {
					t.Fatalf("ill-formed XML built from %q: %s: %s", src, msg, got.Body)
				}
			}
		}
		c, err := Compile(webhook.Webhook{Method: "GET", URL: "https://x.example/" + src,
			Headers: []webhook.Pair{{Name: "X-H", Value: strings.NewReplacer("\r", "", "\n", "", "\x00", "").Replace(src)}}})
		if err != nil {
			return
		}
		got, err := c.Build(ctx, rc)
		sameAsEngine(t, c, rc, got, err)
		sameWithLazy(t, c, Input{Params: []webhook.Param{{Name: "v", Value: json.RawMessage(value)}}}, rc)
		if err != nil {
			return
		}
		if u, err := url.Parse(got.URL); err != nil || u.Scheme != "https" || u.Hostname() == "" {
			t.Fatalf("bad URL built from %q: %s (%v)", src, got.URL, err)
		}
	})
}

// FuzzEscapeMatchesNetURL checks the allocation-free escapers against net/url's.
func FuzzEscapeMatchesNetURL(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendQueryEscape(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("appendQueryEscape(%q) = %q, want %q", s, got, want)
		}
		if got, want := string(appendPathEscape(nil, s)), url.PathEscape(s); got != want {
			t.Errorf("appendPathEscape(%q) = %q, want %q", s, got, want)
		}
	})
}

// sameAsEngine checks that the shortcuts Build takes for simple templates (rendering
// without the engine, skipping the whole-output check) change nothing: the definition
// built with every template through the engine and fully checked gives the same
// request, or the same error.
func sameAsEngine(t *testing.T, c *Compiled, rc *Context, got Built, err error) {
	t.Helper()
	slow := *c
	slow.url = engineOnly(c.url)
	slow.headers = make([]namedTmpl, len(c.headers))
	for i, h := range c.headers {
		slow.headers[i] = namedTmpl{h.name, engineOnly(h.tmpl)}
	}
	slow.params = make([]namedTmpl, len(c.params))
	for i, p := range c.params {
		slow.params[i] = namedTmpl{p.name, engineOnly(p.tmpl)}
	}
	if c.body != nil {
		b := engineOnly(*c.body)
		slow.body = &b
	}
	want, wantErr := slow.Build(context.Background(), rc)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
		t.Fatalf("shortcut and engine differ:\n got %+v, %v\nwant %+v, %v", got, err, want, wantErr)
	}
}

func engineOnly(t tmpl) tmpl {
	t.segs, t.static, t.direct = nil, false, false
	return t
}

// sameWithLazy builds c with NewLazyContext(in) and checks that it gives the request,
// or the error, that the Context rc from NewContext(in) gives, by the shortcut for
// simple templates and by the engine alike.
func sameWithLazy(t *testing.T, c *Compiled, in Input, rc *Context) {
	t.Helper()
	lc, err := NewLazyContext(in)
	if err != nil {
		t.Fatalf("NewLazyContext: %v; NewContext took the input", err)
	}
	want, wantErr := c.Build(context.Background(), rc)
	got, err := c.Build(context.Background(), lc)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
		t.Fatalf("lazy and eager contexts differ:\n got %+v, %v\nwant %+v, %v", got, err, want, wantErr)
	}
	sameAsEngine(t, c, lc, got, err)
}

// FuzzLazyContext gives NewContext and NewLazyContext the same param, contact field
// and response, each any JSON text or none: both must refuse it with the same error
// or give the same requests, for templates that read the values in every place.
func FuzzLazyContext(f *testing.F) {
	values := []string{
		`"Ann"`, `"a\"b\\c\n"`, `"\u00e9\u2028"`, "\"\u2028\"", "\"\x7f\"", "\"\xff\"", `"a b/c?d#e&f=g"`, `""`, `"."`,
		`0`, `-0`, `17`, `-2147483649`, `12345678901234567890`, `990.0`, `1e3`, `-0.5`,
		`true`, `false`, `null`, ``, ` `,
		`[{"sku":"S1","qty":2}]`, `[{"sku": "S1"}]`, `{"a":1,"a":2}`, `{"a":[],"b":{},"c":null}`, `["\/"]`, `["\n\"x\""]`,
		`[1.5]`, `[-0]`, `{"k":"\u0041"}`, strings.Repeat("[", 64) + strings.Repeat("]", 64), strings.Repeat("[", 66) + strings.Repeat("]", 66),
		`{`, `[1,]`, `"\x"`, `01`, `nul`,
	}
	for _, v := range values {
		f.Add(v, `"Kyiv"`, `{"tier":"vip"}`)
	}
	f.Add(`"x"`, `[1, 2]`, `"\u00e9"`)
	templates := []webhook.Webhook{
		{Method: "POST", URL: "https://x.example/$v/p?q=$v&f=$F#$v", Params: []webhook.Pair{{Name: "p", Value: "$v-$!F"}},
			Headers: []webhook.Pair{{Name: "X-V", Value: "[$v] $!R"}},
			Body:    jsonBody("json", `{"s": "$v", "o": $v, "l": [$v, $F, "$F"], "r": $R, "d": $data, "c": $contact}`)},
		{Method: "POST", URL: "https://x.example/", Body: jsonBody("json", `{"o": $!v, "f": $!F, "r": "$!R"}`)},
		{Method: "POST", URL: "https://x.example/", Body: jsonBody("json", `{"i": #if($v)"yes"#else"no"#end, "s": "$v.toString()", "f": $f}`)},
		{Method: "POST", URL: "https://x.example/", Body: jsonBody("xml", `<r a="$v">$F<![CDATA[$v]]>$R</r>`)},
		{Method: "POST", URL: "https://x.example/", Body: jsonBody("text", `$v|$F|$R|$data|$contact.F|$WH|$!nope`)},
		{Method: "GET", URL: "https://$v.example/"},
	}
	var compiled []*Compiled
	for _, w := range templates {
		c, err := Compile(w)
		if err != nil {
			f.Fatal(err)
		}
		compiled = append(compiled, c)
	}
	f.Fuzz(func(t *testing.T, v, field, resp string) {
		in := Input{
			Contact:   &webhook.Contact{ID: "c_1", Email: "ann@example.com", Fields: map[string]json.RawMessage{"F": json.RawMessage(field)}},
			Params:    []webhook.Param{{Name: "v", Value: json.RawMessage(v)}},
			Responses: []Response{{Name: "WH", Data: json.RawMessage(resp)}},
			RunID:     "r_1",
		}
		rc, err := NewContext(in)
		lc, lerr := NewLazyContext(in)
		if fmt.Sprint(err) != fmt.Sprint(lerr) {
			t.Fatalf("NewContext error %v, NewLazyContext error %v", err, lerr)
		}
		if err != nil {
			return
		}
		for _, c := range compiled {
			sameWithLazy(t, c, in, rc)
		}
		if a, b := show(rc, "v"), show(lc, "v"); a != b {
			t.Fatalf("Resolve(v): eager %s, lazy %s", a, b)
		}
	})
}

// show is the value of name in rc, as the JSON Build writes, for comparisons.
func show(rc *Context, name string) string {
	v, ok := rc.Data[name]
	if !ok {
		v, ok = rc.Resolve(name)
	}
	b, err := MarshalJSON(v)
	return fmt.Sprintf("%v %s %v", ok, b, err)
}

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{`[{"sku":"S1","qty":2}]`, true},
		{`{"a":[],"b":{},"c":null,"d":true,"e":false,"f":-17,"g":"x\"y\\z\n\r\t"}`, true},
		{`[12345678901234567890,0,"é"]`, true},
		{strings.Repeat("[", 65) + strings.Repeat("]", 65), true},
		{strings.Repeat("[", 66) + strings.Repeat("]", 66), false},
		{`[ 1]`, false},
		{`{"a": 1}`, false},
		{`[1.0]`, false},
		{`[1e3]`, false},
		{`[-0]`, false},
		{`{"a":1,"a":2}`, false},
		{`["\/"]`, false},
		{`["\u0041"]`, false},
		{"[\"\u2028\"]", false},
		{"[\"\xff\"]", false},
		{`[1,]`, false},
		{`[01]`, false},
		{`[1`, false},
		{`[nul]`, false},
		{`{0:1}`, false},
		{`{"a"}`, false},
		{`{"a":}`, false},
	}
	for _, tt := range tests {
		if got := canonicalJSON([]byte(tt.raw)); got != tt.want {
			t.Errorf("canonicalJSON(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// FuzzCanonicalJSON checks canonicalJSON's claim: text it accepts is valid JSON that
// decodes to a value appendJSON writes back as the same text.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`[{"sku":"S1","qty":2}]`, `{"a":1,"a":2}`, `["x\"\n"]`, `[1.5,-0,true,null]`, `{"a":{"b":[[]]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !canonicalJSON(b) {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("canonicalJSON(%q) but it is not JSON", b)
		}
		v, err := decode(b)
		if err != nil {
			t.Fatalf("decode(%q): %v", b, err)
		}
		out, err := MarshalJSON(v)
		if err != nil || string(out) != string(b) {
			t.Fatalf("canonicalJSON(%q) but it is written back as %q (%v)", b, out, err)
		}
	})
}
