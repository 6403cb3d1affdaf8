package render

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/velocity/tools"
	"github.com/flowhook/flowhook/shared/webhook"
)

// long is a 10 KB value.
var long = strings.Repeat("0123456789", 1024)

// hostile are values that break naive splicing into URLs, headers, JSON and XML.
var hostile = map[string]string{
	"quotes":    `say "hi" and 'bye'`,
	"backslash": `C:\path\to\x \" \\ \u0041`,
	"newlines":  "line1\nline2\r\nline3\ttab",
	"markup":    `</x><y a="1">&amp;&lt;`,
	"cdata":     `"]]><![CDATA[x`,
	"amp":       `a&b=c#d`,
	"emoji":     "Київ 🎉 中文 \U0001F600",
	"long":      long,
	"urlish":    `https://evil.example/?x=1&y=2#z`,
	"dots":      `../x`,
	"query":     `?q=1`,
	"plus":      `a+b c%20d`,
	"separator": "a\u2028b\u2029c",
	"controls":  "nul\x00bell\x07esc\x1bdel\x7f",
	"empty":     ``,
}

// in makes a render input whose event params are the given JSON texts, and whose
// contact has TOWN = Kyiv "Center"\n.
func in(t testing.TB, params map[string]string) *Context {
	t.Helper()
	var ps []webhook.Param
	for _, k := range slices.Sorted(mapsKeys(params)) {
		ps = append(ps, webhook.Param{Name: k, Value: json.RawMessage(params[k])})
	}
	c, err := NewContext(Input{
		Contact: &webhook.Contact{ID: "c_1", Email: "ann@example.com", Phone: "+380501234567",
			Fields: map[string]json.RawMessage{"TOWN": json.RawMessage(`"Kyiv \"Center\"\n"`), "FIRSTNAME": json.RawMessage(`"Ann"`)}},
		Params: ps,
		Tools:  map[string]any{"esc": tools.NewEscapeTool()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// str is a JSON string text.
func str(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func build(t testing.TB, w webhook.Webhook, c *Context) (Built, error) {
	t.Helper()
	if w.Method == "" {
		w.Method = webhook.MethodPost
	}
	if w.URL == "" {
		w.URL = "https://api.example.com/hook"
	}
	cw, err := Compile(w)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return cw.Build(context.Background(), c)
}

func jsonBody(format, tmpl string) *webhook.Body {
	return &webhook.Body{Format: webhook.BodyFormat(format), Template: tmpl}
}

// parseJSON decodes JSON keeping numbers' digits.
func parseJSON(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, b)
	}
	return v
}

func TestJSONBodyEscapesEveryValue(t *testing.T) {
	for name, v := range hostile {
		t.Run(name, func(t *testing.T) {
			c := in(t, map[string]string{"v": str(v)})
			got, err := build(t, webhook.Webhook{Body: jsonBody("json",
				`{"inString": "$v", "prefixed": "<${v}>", "outside": $v, "list": [$v, "$v"], "town": "$TOWN"}`)}, c)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			want := map[string]any{"inString": v, "prefixed": "<" + v + ">", "outside": v, "list": []any{v, v}, "town": "Kyiv \"Center\"\n"}
			if g := parseJSON(t, got.Body); !reflect.DeepEqual(g, toAny(t, want)) {
				t.Errorf("body = %s\nwant values %q", got.Body, v)
			}
			if got.ContentType != ContentTypeJSON {
				t.Errorf("content type = %q, want %q", got.ContentType, ContentTypeJSON)
			}
		})
	}
}

// toAny round-trips v through JSON so it compares with parseJSON's output.
func toAny(t testing.TB, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return parseJSON(t, b)
}

func TestJSONBodyTypedValues(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		tmpl   string
		want   string // JSON text, compared parsed with exact numbers
	}{
		{"big integer keeps its digits", map[string]string{"n": `12345678901234567890`}, `{"n": $n, "s": "$n"}`, `{"n": 12345678901234567890, "s": "12345678901234567890"}`},
		{"small integer", map[string]string{"n": `-42`}, `[$n]`, `[-42]`},
		{"double as Java prints it", map[string]string{"f": `0.1`, "g": `1.0E10`, "h": `990.0`}, `[$f, $g, $h, "$h"]`, `[0.1, 1.0E10, 990.0, "990.0"]`},
		{"booleans", map[string]string{"t": `true`, "f": `false`}, `{"t": $t, "f": $f}`, `{"t": true, "f": false}`},
		{"map in order", map[string]string{"m": `{"z": 1, "a": [true, null, "x\"y"], "m": {"k": 2.5}}`}, `{"m": $m}`, `{"m": {"z": 1, "a": [true, null, "x\"y"], "m": {"k": 2.5}}}`},
		{"list", map[string]string{"l": `[1, "two", {"three": 3}]`}, `$l`, `[1, "two", {"three": 3}]`},
		{"map inside a string is its text", map[string]string{"m": `{"a": 1, "b": "x"}`}, `{"s": "$m"}`, `{"s": "{a=1, b=x}"}`},
		{"object key from a value", map[string]string{"k": `"na\"me"`}, `{$k: 1, "$k": 2}`, `{"na\"me": 2}`},
		{"contact field case-insensitive", nil, `{"town": "$town", "name": "$firstName", "email": "$EMAIL"}`, `{"town": "Kyiv \"Center\"\n", "name": "Ann", "email": "ann@example.com"}`},
		{"silent unset is empty", nil, `{"a": "$!nope"}`, `{"a": ""}`},
		{"string built by #set is escaped once", map[string]string{"q": `"a\"b"`}, `#set($s = "<$q> $TOWN")"$s"`, `"<a\"b> Kyiv \"Center\"\n"`},
		{"comparison sees the plain value", map[string]string{"q": `"a\"b"`}, `#if("$q" == 'a"b')"same"#{else}"different"#end`, `"same"`},
		{"lookup by an interpolated key", map[string]string{"k": `"city"`, "m": `{"city": "Lviv"}`}, `["$m.get("$k")", #set($key = "$k")"$m.get($key)"]`, `["Lviv", "Lviv"]`},
		{"#define block escaped where it lands", map[string]string{"q": `"x\"y"`}, `#define($b)<$q>#end{"a": "$b"}`, `{"a": "<x\"y>"}`},
		{"macro argument", map[string]string{"q": `"x\"y"`}, `#macro(m $p)"$p"#end[#m("pre $q")]`, `["pre x\"y"]`},
		{"alternate value", map[string]string{"q": `"x\"y"`}, `["${nope|$q}", ${nope|'lit"'}]`, `["x\"y", "lit\""]`},
		{"escape tool json outside a string is not escaped again", map[string]string{"m": `{"a": [1, "b"]}`}, `{"m": $esc.json($m)}`, `{"m": {"a": [1, "b"]}}`},
		{"foreach over a list", map[string]string{"l": `["a\"", "b"]`}, `[#foreach($x in $l)#if($foreach.count > 1),#end"$x"#end]`, `["a\"", "b"]`},
		{"value after escaped backslash pair", map[string]string{"q": `"x"`}, `"a\\\\$q"`, `"a\\x"`},
		{"separators", map[string]string{"q": str("a\u2028b")}, `"$q"`, `"a\u2028b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(t, webhook.Webhook{Body: jsonBody("json", tt.tmpl)}, in(t, tt.params))
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if g, w := parseJSON(t, got.Body), parseJSON(t, []byte(tt.want)); !reflect.DeepEqual(g, w) {
				t.Errorf("body = %s\nwant   %s", got.Body, tt.want)
			}
		})
	}
}

func TestJSONBodyKeepsSeparatorsEscaped(t *testing.T) {
	got, err := build(t, webhook.Webhook{Body: jsonBody("json", `"$q"`)}, in(t, map[string]string{"q": str("a\u2028b\u2029")}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"a\u2028b\u2029"`; string(got.Body) != want {
		t.Errorf("body = %s, want %s", got.Body, want)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name      string
		w         webhook.Webhook
		params    map[string]string
		wantField string
		wantRef   string
		wantLine  int
		wantCol   int
		wantMsg   string // substring of Error()
	}{
		{name: "unset reference names itself", w: webhook.Webhook{Body: jsonBody("json", `{"a": "$TOWN", "b": "$nope"}`)},
			wantField: "body", wantRef: "$nope", wantLine: 1, wantCol: 22, wantMsg: "$nope (line 1, col 22) has no value; give it one, or write $!nope"},
		{name: "unset reference in the URL", w: webhook.Webhook{URL: "https://x.example/${id}"},
			wantField: "url", wantRef: "${id}", wantLine: 1, wantCol: 19, wantMsg: "write $!{id}"},
		{name: "unset reference in a header", w: webhook.Webhook{Headers: []webhook.Pair{{Name: "X-A", Value: "ok"}, {Name: "X-B", Value: "v=$nope"}}},
			wantField: "headers[1].value", wantRef: "$nope", wantLine: 1, wantCol: 3},
		{name: "two values without a comma", w: webhook.Webhook{Body: jsonBody("json", `{"a": $q $q}`)}, params: map[string]string{"q": `"x"`},
			wantField: "body", wantRef: "$q", wantLine: 1, wantCol: 10, wantMsg: "body: the value of $q (line 1, col 10) made the JSON invalid: invalid character"},
		{name: "template's own JSON error", w: webhook.Webhook{Body: jsonBody("json", "{\"a\": $q,\n \"b\": }")}, params: map[string]string{"q": `1`},
			wantField: "body", wantLine: 2, wantCol: 7, wantMsg: "the template makes invalid JSON at line 2, col 7: invalid character '}'"},
		{name: "unclosed JSON", w: webhook.Webhook{Body: jsonBody("json", `{"a": "$q"`)}, params: map[string]string{"q": `1`},
			wantField: "body", wantMsg: "ends too early"},
		{name: "silent unset leaves a hole", w: webhook.Webhook{Body: jsonBody("json", `{"a": $!nope}`)},
			wantField: "body", wantLine: 1, wantCol: 13, wantMsg: "the template makes invalid JSON at line 1, col 13"},
		{name: "error after a directive is located in the output", w: webhook.Webhook{Body: jsonBody("json", `#if(true){"a": #end}`)},
			wantField: "body", wantMsg: "the rendered output makes invalid JSON at line 1, col 7 of the output"},
		{name: "value after a backslash", w: webhook.Webhook{Body: jsonBody("json", `"a\\$q"`)}, params: map[string]string{"q": `"x"`},
			wantField: "body", wantRef: "$q", wantMsg: "comes right after a backslash"},
		{name: "value inside a unicode escape", w: webhook.Webhook{Body: jsonBody("json", `"\u00$q"`)}, params: map[string]string{"q": `"41"`},
			wantField: "body", wantRef: "$q", wantMsg: `comes inside a \uXXXX escape`},
		{name: "value in an XML element name", w: webhook.Webhook{Body: jsonBody("xml", `<a><$q/></a>`)}, params: map[string]string{"q": `"b c=d"`},
			wantField: "body", wantRef: "$q", wantMsg: "the value of $q (line 1, col 5) made the XML invalid"},
		{name: "value breaking an XML comment", w: webhook.Webhook{Body: jsonBody("xml", `<a><!-- $q --></a>`)}, params: map[string]string{"q": `"x--y"`},
			wantField: "body", wantRef: "$q", wantMsg: "made the XML invalid"},
		{name: "control character in XML", w: webhook.Webhook{Body: jsonBody("xml", `<a>$q</a>`)}, params: map[string]string{"q": `"a\u0001b"`},
			wantField: "body", wantRef: "$q", wantMsg: "contains the character U+0001, which XML cannot carry"},
		{name: "template's own XML error", w: webhook.Webhook{Body: jsonBody("xml", "<a>$q</b>")}, params: map[string]string{"q": `"x"`},
			wantField: "body", wantMsg: "makes XML that is not well-formed"},
		{name: "two XML roots", w: webhook.Webhook{Body: jsonBody("xml", "<a/><b/>")},
			wantField: "body", wantMsg: "more than one root element"},
		{name: "XML in another encoding", w: webhook.Webhook{Body: jsonBody("xml", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`)},
			wantField: "body", wantMsg: `declares the encoding "ISO-8859-1"`},
		{name: "line break in a header value", w: webhook.Webhook{Headers: []webhook.Pair{{Name: "X-A", Value: "v=$q"}}}, params: map[string]string{"q": `"a\r\nX-Evil: 1"`},
			wantField: "headers[0].value", wantRef: "$q", wantLine: 1, wantCol: 3, wantMsg: "the value of $q (line 1, col 3) contains a line break, which a header value cannot hold"},
		{name: "NUL in a param sent as header", w: webhook.Webhook{ParamsInHeaders: true, Params: []webhook.Pair{{Name: "X-P", Value: "$q"}}}, params: map[string]string{"q": `"a\u0000"`},
			wantField: "params[0].value", wantRef: "$q", wantMsg: "contains a NUL character"},
		{name: "value in the host", w: webhook.Webhook{URL: "https://${q}.example.com/"}, params: map[string]string{"q": `"evil.com/"`},
			wantField: "url", wantRef: "${q}", wantMsg: "lands in the URL's host, where a value may hold only letters, digits, '-' and '.'"},
		{name: "value with a userinfo", w: webhook.Webhook{URL: "https://${q}/"}, params: map[string]string{"q": `"a@evil.com"`},
			wantField: "url", wantRef: "${q}", wantMsg: "URL's host"},
		{name: "dot-dot path segment", w: webhook.Webhook{URL: "https://x.example/a/$q/b"}, params: map[string]string{"q": `".."`},
			wantField: "url", wantRef: "$q", wantMsg: `would make the path segment ".."`},
		{name: "URL without a host", w: webhook.Webhook{URL: "https://${q}"}, params: map[string]string{"q": `""`},
			wantField: "url", wantMsg: "the rendered URL has no host"},
		{name: "space in the URL template", w: webhook.Webhook{URL: "https://x.example/a b?c=$q"}, params: map[string]string{"q": `"x"`},
			wantField: "url", wantLine: 1, wantCol: 20, wantMsg: "contains a space at line 1, col 20"},
		{name: "method exception", w: webhook.Webhook{Body: jsonBody("text", `$q.substring(5)`)}, params: map[string]string{"q": `"ab"`},
			wantField: "body", wantLine: 1, wantCol: 4, wantMsg: "the template fails (line 1, col 4): Invocation of method 'substring'"},
		{name: "output limit", w: webhook.Webhook{Body: jsonBody("text", `#foreach($i in [1..200])$q#end`)}, params: map[string]string{"q": str(long)},
			wantField: "body", wantMsg: "longer than the limit of 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.w, in(t, tt.params))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Build error = %v, want an *Error", err)
			}
			if e.Field != tt.wantField || e.Ref != tt.wantRef {
				t.Errorf("field, ref = %q, %q; want %q, %q (%v)", e.Field, e.Ref, tt.wantField, tt.wantRef, err)
			}
			if tt.wantLine != 0 && (e.Line != tt.wantLine || e.Col != tt.wantCol) {
				t.Errorf("position = %d:%d, want %d:%d (%v)", e.Line, e.Col, tt.wantLine, tt.wantCol, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestURL(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		params    []webhook.Pair
		values    map[string]string
		want      string
		wantQuery map[string]string // decoded query values
		wantPath  []string          // decoded path segments
	}{
		{name: "literal URL untouched", url: "https://api.example.com/v1/codes?a=1&b=%20x#frag", want: "https://api.example.com/v1/codes?a=1&b=%20x#frag"},
		{name: "query value that looks like a query", url: "https://x.example/p?q=$v&k=1", values: map[string]string{"v": str("a&b=c#d")},
			want: "https://x.example/p?q=a%26b%3Dc%23d&k=1", wantQuery: map[string]string{"q": "a&b=c#d", "k": "1"}},
		{name: "query value with plus and space", url: "https://x.example/?q=$v", values: map[string]string{"v": str("a+b c")},
			want: "https://x.example/?q=a%2Bb+c", wantQuery: map[string]string{"q": "a+b c"}},
		{name: "URL as a query value", url: "https://x.example/?next=$v", values: map[string]string{"v": str("https://evil.example/?x=1#y")},
			wantQuery: map[string]string{"next": "https://evil.example/?x=1#y"}},
		{name: "path segment", url: "https://x.example/users/$v/orders", values: map[string]string{"v": str("../x?q#f")},
			want: "https://x.example/users/..%2Fx%3Fq%23f/orders", wantPath: []string{"", "users", "../x?q#f", "orders"}},
		{name: "path segment with unicode", url: "https://x.example/c/$v", values: map[string]string{"v": str("Київ 1")},
			wantPath: []string{"", "c", "Київ 1"}},
		{name: "dots inside a segment are fine", url: "https://x.example/f/name$v", values: map[string]string{"v": str("..")},
			want: "https://x.example/f/name.."},
		{name: "host label", url: "https://${v}.example.com/", values: map[string]string{"v": str("eu-1")}, want: "https://eu-1.example.com/"},
		{name: "port", url: "https://x.example:${v}/", values: map[string]string{"v": `8443`}, want: "https://x.example:8443/"},
		{name: "fragment", url: "https://x.example/#$v", values: map[string]string{"v": str("a b#c")}, want: "https://x.example/#a%20b%23c"},
		{name: "email in the query", url: "https://promo.example.com/codes?email=${email}", values: map[string]string{"email": str("ann+1@example.com")},
			want: "https://promo.example.com/codes?email=ann%2B1%40example.com", wantQuery: map[string]string{"email": "ann+1@example.com"}},
		{name: "params appended", url: "https://x.example/p?a=1", params: []webhook.Pair{{Name: "city", Value: "${TOWN}"}, {Name: "q x", Value: "lit&$v"}},
			values: map[string]string{"v": str("=#")},
			want:   "https://x.example/p?a=1&city=Kyiv+%22Center%22%0A&q+x=lit%26%3D%23", wantQuery: map[string]string{"a": "1", "city": "Kyiv \"Center\"\n", "q x": "lit&=#"}},
		{name: "params start the query", url: "https://x.example/p", params: []webhook.Pair{{Name: "a", Value: "1"}}, want: "https://x.example/p?a=1"},
		{name: "params after a bare question mark", url: "https://x.example/p?", params: []webhook.Pair{{Name: "a", Value: "1"}}, want: "https://x.example/p?a=1"},
		{name: "params before the fragment", url: "https://x.example/p#f", params: []webhook.Pair{{Name: "a", Value: ""}}, want: "https://x.example/p?a=#f"},
		{name: "params before a long fragment", url: "https://x.example/p?q=$v#section-$v", values: map[string]string{"v": str("2")},
			params: []webhook.Pair{{Name: "a", Value: "1"}, {Name: "b", Value: "x y"}}, want: "https://x.example/p?q=2&a=1&b=x+y#section-2"},
		{name: "escape tool is not escaped again", url: "https://x.example/?q=$esc.url($v)", values: map[string]string{"v": str("a b&c")},
			want: "https://x.example/?q=a+b%26c", wantQuery: map[string]string{"q": "a b&c"}},
		{name: "escape tool output that is not URL-safe is escaped", url: "https://x.example/?q=$esc.html($v)", values: map[string]string{"v": str("a&b")},
			want: "https://x.example/?q=a%26amp%3Bb", wantQuery: map[string]string{"q": "a&amp;b"}},
		{name: "long value", url: "https://x.example/?q=$v", values: map[string]string{"v": str(long[:4000])}, wantQuery: map[string]string{"q": long[:4000]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(t, webhook.Webhook{Method: webhook.MethodGet, URL: tt.url, Params: tt.params}, in(t, tt.values))
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if tt.want != "" && got.URL != tt.want {
				t.Errorf("URL = %s\nwant  %s", got.URL, tt.want)
			}
			u, err := url.Parse(got.URL)
			if err != nil || u.Scheme != "https" {
				t.Fatalf("URL %s does not parse as https: %v", got.URL, err)
			}
			q := u.Query()
			for k, want := range tt.wantQuery {
				if q.Get(k) != want {
					t.Errorf("query %q = %q, want %q", k, q.Get(k), want)
				}
			}
			if tt.wantPath != nil {
				var segs []string
				for _, s := range strings.Split(u.EscapedPath(), "/") {
					d, err := url.PathUnescape(s)
					if err != nil {
						t.Fatal(err)
					}
					segs = append(segs, d)
				}
				if !slices.Equal(segs, tt.wantPath) {
					t.Errorf("path segments = %q, want %q", segs, tt.wantPath)
				}
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	tests := []struct {
		name     string
		w        webhook.Webhook
		values   map[string]string
		want     []webhook.Header
		wantURL  string
		wantBody string
	}{
		{name: "defaults", w: webhook.Webhook{Method: "GET"}, want: []webhook.Header{{Name: "User-Agent", Value: UserAgent}, {Name: "Accept", Value: Accept}}},
		{name: "values are raw", w: webhook.Webhook{Method: "GET", Headers: []webhook.Pair{{Name: "X-Name", Value: "${FIRSTNAME}x"}, {Name: "X-Q", Value: `$q`}}},
			values: map[string]string{"q": str(`a"b&c=d;e</x>`)},
			want: []webhook.Header{{Name: "User-Agent", Value: UserAgent}, {Name: "Accept", Value: Accept},
				{Name: "X-Name", Value: "Annx"}, {Name: "X-Q", Value: `a"b&c=d;e</x>`}}},
		{name: "user agent and accept overridden", w: webhook.Webhook{Method: "GET", Headers: []webhook.Pair{{Name: "user-agent", Value: "Mine/1"}, {Name: "ACCEPT", Value: "text/csv"}}},
			want: []webhook.Header{{Name: "user-agent", Value: "Mine/1"}, {Name: "ACCEPT", Value: "text/csv"}}},
		{name: "params as headers", w: webhook.Webhook{Method: "GET", ParamsInHeaders: true, Params: []webhook.Pair{{Name: "X-Email", Value: "$email"}, {Name: "X-Tab", Value: "a\t$q"}}},
			values: map[string]string{"q": str("b\tc")}, wantURL: "https://api.example.com/hook",
			want: []webhook.Header{{Name: "User-Agent", Value: UserAgent}, {Name: "Accept", Value: Accept}, {Name: "X-Email", Value: "ann@example.com"}, {Name: "X-Tab", Value: "a\tb\tc"}}},
		{name: "text body is raw", w: webhook.Webhook{Body: jsonBody("text", `Hi $FIRSTNAME, "$q" & <$q>`)}, values: map[string]string{"q": str(`"}`)},
			want: []webhook.Header{{Name: "User-Agent", Value: UserAgent}, {Name: "Accept", Value: Accept}}, wantBody: `Hi Ann, ""}" & <"}>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(t, tt.w, in(t, tt.values))
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if len(tt.want) > 0 && !slices.Equal(got.Header, tt.want) {
				t.Errorf("headers = %q\nwant      %q", got.Header, tt.want)
			}
			if tt.wantURL != "" && got.URL != tt.wantURL {
				t.Errorf("URL = %s, want %s", got.URL, tt.wantURL)
			}
			if tt.wantBody != "" && string(got.Body) != tt.wantBody {
				t.Errorf("body = %s, want %s", got.Body, tt.wantBody)
			}
		})
	}
}

// xmlValues decodes <r a="…"><t>…</t><c>…</c></r> into its attribute and texts.
func xmlValues(t *testing.T, doc []byte) (attr, text, cdata string) {
	t.Helper()
	var r struct {
		A     string `xml:"a,attr"`
		T     string `xml:"t"`
		C     string `xml:"c"`
		Inner string `xml:",innerxml"`
	}
	if err := xml.Unmarshal(doc, &r); err != nil {
		t.Fatalf("body is not XML: %v\n%s", err, doc)
	}
	return r.A, r.T, r.C
}

func TestXMLBody(t *testing.T) {
	for name, v := range hostile {
		t.Run(name, func(t *testing.T) {
			got, err := build(t, webhook.Webhook{Body: jsonBody("xml", `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<r a="$v"><t>$v</t><c><![CDATA[$v]]></c></r>`)},
				in(t, map[string]string{"v": str(v)}))
			if name == "controls" {
				if err == nil || !strings.Contains(err.Error(), "XML cannot carry") {
					t.Fatalf("Build error = %v, want a refusal of the control characters", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if got.ContentType != ContentTypeXML {
				t.Errorf("content type = %q", got.ContentType)
			}
			a, text, cdata := xmlValues(t, got.Body)
			// Parsers turn a raw CR (as in a CDATA section) into LF.
			wantC := strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
			if a != v || text != v || cdata != wantC {
				t.Errorf("attribute, text, cdata = %q, %q, %q\nwant %q\nbody %s", a, text, cdata, v, got.Body)
			}
		})
	}
}

func TestXMLBodyValues(t *testing.T) {
	tests := []struct {
		name   string
		tmpl   string
		values map[string]string
		want   string
	}{
		{"map as its text", `<r>$m</r>`, map[string]string{"m": `{"a": 1, "b": "<x>"}`}, `<r>{a=1, b=&lt;x&gt;}</r>`},
		{"list as its text", `<r>$l</r>`, map[string]string{"l": `[1, "a&b"]`}, `<r>[1, a&amp;b]</r>`},
		{"escape tool not escaped again", `<r>$esc.xml($v)</r>`, map[string]string{"v": str(`a<b & "c"`)}, `<r>a&lt;b &amp; &quot;c&quot;</r>`},
		{"number", `<r n="$n"/>`, map[string]string{"n": `12345678901234567890`}, `<r n="12345678901234567890"/>`},
		{"cdata split", `<r><![CDATA[$v]]></r>`, map[string]string{"v": str("a]]>b")}, `<r><![CDATA[a]]]]><![CDATA[>b]]></r>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(t, webhook.Webhook{Body: jsonBody("xml", tt.tmpl)}, in(t, tt.values))
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if string(got.Body) != tt.want {
				t.Errorf("body = %s\nwant   %s", got.Body, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		w       webhook.Webhook
		want    []string // pointers of the errors, in order
		wantMsg string
	}{
		{"valid", webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: jsonBody("json", `{}`)}, nil, ""},
		{"bad method", webhook.Webhook{Method: "PUT", URL: "https://x.example/"}, []string{"/method"}, `the method must be GET or POST, not "PUT"`},
		{"http", webhook.Webhook{Method: "GET", URL: "http://x.example/"}, []string{"/url"}, "must start with https://"},
		{"templated scheme", webhook.Webhook{Method: "GET", URL: "${base}/x"}, []string{"/url"}, "must start with https://"},
		{"no URL", webhook.Webhook{Method: "GET"}, []string{"/url"}, "a URL is required"},
		{"URL syntax error", webhook.Webhook{Method: "GET", URL: "https://x.example/#if($a"}, []string{"/url"}, "url: the template does not parse (line 1, col"},
		{"body syntax error with position", webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: jsonBody("json", "{\n  \"a\": #foreach($x in)\n}")},
			[]string{"/body/template"}, "body: the template does not parse (line 3, col 1): unclosed #foreach"},
		{"GET with a body", webhook.Webhook{Method: "GET", URL: "https://x.example/", Body: jsonBody("json", `{}`)}, []string{"/body/template"}, "a GET request has no body"},
		{"bad format", webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: jsonBody("yaml", `a: 1`)}, []string{"/body/format"}, `json, xml or text, not "yaml"`},
		{"empty body", webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: jsonBody("json", ` `)}, []string{"/body/template"}, "body template is empty"},
		{"param without a name", webhook.Webhook{Method: "GET", URL: "https://x.example/", Params: []webhook.Pair{{Name: "", Value: "x"}}}, []string{"/params/0/name"}, "a param needs a name"},
		{"forbidden header", webhook.Webhook{Method: "GET", URL: "https://x.example/", Headers: []webhook.Pair{{Name: "Content-Length", Value: "1"}}}, []string{"/headers/0/name"}, "cannot be set"},
		{"bad header name", webhook.Webhook{Method: "GET", URL: "https://x.example/", Headers: []webhook.Pair{{Name: "X A", Value: "1"}}}, []string{"/headers/0/name"}, "not a valid header name"},
		{"line break in a header template", webhook.Webhook{Method: "GET", URL: "https://x.example/", Headers: []webhook.Pair{{Name: "X-A", Value: "a\nb"}}},
			[]string{"/headers/0/value"}, "(line 1, col 2) contains a line break"},
		{"param header name", webhook.Webhook{Method: "GET", URL: "https://x.example/", ParamsInHeaders: true, Params: []webhook.Pair{{Name: "Host", Value: "x"}}}, []string{"/params/0/name"}, "cannot be set"},
		{"several problems", webhook.Webhook{Method: "GET", URL: "http://x", Headers: []webhook.Pair{{Name: "", Value: "#end"}}},
			[]string{"/url", "/headers/0/name", "/headers/0/value"}, "(and 2 more)"},
		{"invalid UTF-8", webhook.Webhook{Method: "GET", URL: "https://x.example/\xff"}, []string{"/url"}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compile(tt.w)
			if tt.want == nil {
				if err != nil || c == nil {
					t.Fatalf("Compile = %v, want success", err)
				}
				return
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Compile error = %v, want Errors", err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Pointer)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pointers = %q, want %q (%v)", got, tt.want, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.wantMsg)
			}
			var e *Error
			if !errors.As(err, &e) || e != es[0] {
				t.Errorf("errors.As does not find the first *Error")
			}
		})
	}
}

func TestBuildIsSafeForConcurrentUse(t *testing.T) {
	c, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/p/$id?q=$q",
		Params:  []webhook.Pair{{Name: "city", Value: "$TOWN"}},
		Headers: []webhook.Pair{{Name: "X-Q", Value: "$q"}},
		Body:    jsonBody("json", `{"q": "$q", "n": $n, "m": $m, "s": "#foreach($i in [1..3])$q#end"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				v := strings.Repeat(`"\`, g) + string(rune('a'+i%26))
				rc := in(t, map[string]string{"id": str(v), "q": str(v), "n": `1`, "m": `{"v": ` + str(v) + `}`})
				got, err := c.Build(context.Background(), rc)
				if err != nil {
					t.Error(err)
					return
				}
				var body struct {
					Q string
					M struct{ V string }
					S string
				}
				if err := json.Unmarshal(got.Body, &body); err != nil || body.Q != v || body.M.V != v || body.S != v+v+v {
					t.Errorf("got %s for %q: %v", got.Body, v, err)
					return
				}
				u, _ := url.Parse(got.URL)
				if u.Query().Get("q") != v {
					t.Errorf("query q = %q, want %q", u.Query().Get("q"), v)
				}
			}
		}()
	}
	wg.Wait()
}

func TestMarshalJSON(t *testing.T) {
	tests := []struct{ name, in string }{
		{"object in order", `{"z":1,"a":{"y":[1,2.5,"x"],"b":null}}`},
		{"exact integers", `[12345678901234567890,-9223372036854775809,2147483648]`},
		{"doubles stay doubles", `[990.0,0.1,1.0E10,-2.5E-7]`},
		{"strings", `["a\"b\\c\n\u2028","Київ 🎉"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := parseVelocityJSON(t, tt.in)
			got, err := MarshalJSON(v)
			if err != nil {
				t.Fatal(err)
			}
			back := parseVelocityJSON(t, string(got))
			if !reflect.DeepEqual(back, v) {
				t.Errorf("round trip of %s gave %s", tt.in, got)
			}
		})
	}
}

func parseVelocityJSON(t *testing.T, s string) any {
	t.Helper()
	c, err := NewContext(Input{Params: []webhook.Param{{Name: "v", Value: json.RawMessage(s)}}})
	if err != nil {
		t.Fatal(err)
	}
	return c.Data["v"]
}

func TestMayRefer(t *testing.T) {
	c, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/${a}?b=$!b&c=$!{c}",
		Params:  []webhook.Pair{{Name: "p", Value: "$esc.url($d)"}},
		Headers: []webhook.Pair{{Name: "X-H", Value: "$e-f"}},
		Body:    jsonBody("json", `#set($x = "$g.h()")"$x $5 $"`)})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"a": true, "b": true, "c": true, "esc": true, "d": true, "e-f": true, "g": true, "x": true,
		"h": false, "url": false, "e": false, "mathTool": false, "5": false} {
		if got := c.MayRefer(name); got != want {
			t.Errorf("MayRefer(%q) = %v, want %v", name, got, want)
		}
	}
	ev, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: jsonBody("text", `#evaluate("$a")`)})
	if err != nil {
		t.Fatal(err)
	}
	if !ev.MayRefer("mathTool") {
		t.Error("a template with #evaluate may refer to any name")
	}
}
