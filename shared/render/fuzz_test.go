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
		case len(want) > 1000:
			// Three escaped copies may pass the URL limit; the JSON checks cover long values.
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
	t.segs, t.static = nil, false
	return t
}
