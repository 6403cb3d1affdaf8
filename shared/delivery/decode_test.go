package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/clbanning/mxj/v2"

	"github.com/flowhook/flowhook/shared/velocity"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// show renders a decoded value with its Go types, so tests see int32 from int64 and
// map key order.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case int32:
		return fmt.Sprintf("int32(%d)", x)
	case int64:
		return fmt.Sprintf("int64(%d)", x)
	case *big.Int:
		return fmt.Sprintf("big(%s)", x)
	case float64:
		return fmt.Sprintf("float64(%v)", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *velocity.Map:
		var parts []string
		x.Range(func(k string, e any) bool {
			parts = append(parts, strconv.Quote(k)+": "+show(e))
			return true
		})
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("?%T(%v)", v, v)
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		ct      string
		body    string
		want    string // show() of the data
		wantErr string
	}{
		{"json exact numbers and order", "application/json",
			`{"b":1,"a":12345678901,"c":123456789012345678901234567890,"d":1.5,"e":"x","f":[true,null],"g":-2147483647,"h":1e2}`,
			`{"b": int32(1), "a": int64(12345678901), "c": big(123456789012345678901234567890), "d": float64(1.5), "e": "x", "f": [true, nil], "g": int32(-2147483647), "h": float64(100)}`, ""},
		{"json nested mix", "application/json", `[1, {"a": 2, "b": [3]}, "x"]`, `[int32(1), {"a": int32(2), "b": [int32(3)]}, "x"]`, ""},
		{"json with charset", "application/json; charset=utf-8", `["ok"]`, `["ok"]`, ""},
		{"json upper case type", "Application/JSON", `1`, `int32(1)`, ""},
		{"json suffix", "application/problem+json", `{"title":"x"}`, `{"title": "x"}`, ""},
		{"json vendor suffix", "application/vnd.api+json; charset=UTF-8", `{"data":null}`, `{"data": nil}`, ""},
		{"json byte order mark", "application/json", "\xef\xbb\xbf{\"a\":\"b\"}", `{"a": "b"}`, ""},
		{"json utf-16", "application/json; charset=utf-16le", "{\x00\"\x00a\x00\"\x00:\x001\x00}\x00", `{"a": int32(1)}`, ""},
		{"json malformed content type", "application/json;;;", `[1]`, `[int32(1)]`, ""},
		{"json string with invalid utf-8", "application/json", "\"a\xffb\"", `"a�b"`, ""},
		{"json invalid", "application/json", `{"a": nul}`, "",
			"the response is declared as application/json but is not valid JSON: invalid character '}' in literal null (expecting 'l') (at byte 10)"},
		{"json trailing data", "application/json", `{"a":1} x`, "",
			"the response is declared as application/json but is not valid JSON: invalid character 'x' after top-level value (at byte 9)"},
		{"json html under json type", "application/json", `<html>oops</html>`, "",
			"the response is declared as application/json but is not valid JSON: invalid character '<' looking for beginning of value (at byte 1)"},
		{"json whitespace only", "application/json", "  ", "",
			"the response is declared as application/json but is not valid JSON: unexpected end of JSON input (at byte 2)"},
		{"empty json", "application/json", ``, `nil`, ""},
		{"empty xml", "application/xml", ``, `nil`, ""},
		{"empty text", "text/plain", ``, `nil`, ""},
		{"text", "text/plain", "hello\nworld", `"hello\nworld"`, ""},
		{"no content type", "", "raw", `"raw"`, ""},
		{"html is text", "text/html; charset=utf-8", "<p>hi</p>", `"<p>hi</p>"`, ""},
		{"latin1", "text/plain; charset=ISO-8859-1", "caf\xe9", `"café"`, ""},
		{"quoted charset", `text/plain; charset="latin1"`, "caf\xe9", `"café"`, ""},
		{"windows-1252", "text/plain; charset=windows-1252", "\x80 \x93q\x94 \x81", `"€ “q” �"`, ""},
		{"us-ascii", "text/plain; charset=us-ascii", "a\xe9b", `"a�b"`, ""},
		{"utf-16 bom without charset", "text/plain", "\xfe\xff\x00h\x00i", `"hi"`, ""},
		{"utf-16 odd length", "text/plain; charset=utf-16be", "\x00h\x00", `"h�"`, ""},
		{"utf-8 bom dropped", "text/plain", "\xef\xbb\xbfhi", `"hi"`, ""},
		{"unknown charset keeps valid bytes", "text/plain; charset=koi8-r", "ok \xc1", `"ok �"`, ""},
		{"invalid utf-8 text", "text/plain", "a\xffb", `"a�b"`, ""},
		{"binary is text", "application/octet-stream", "\x00\x01", `"\x00\x01"`, ""},
		{"xml", "application/xml", `<a x="1"><b>2</b></a>`, `{"a": {"-x": "1", "b": "2"}}`, ""},
		{"text/xml", "text/xml; charset=utf-8", `<a>007</a>`, `{"a": "007"}`, ""},
		{"xml suffix", "application/atom+xml", `<feed><title>t</title></feed>`, `{"feed": {"title": "t"}}`, ""},
		{"xml utf-16 with declaration", "application/xml", utf16LE("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<name lang=\"uk\">Київ 🌻</name>\n"),
			`{"name": {"-lang": "uk", "#text": "Київ 🌻"}}`, ""},
		{"xml utf-16 big endian without declaration", "text/xml", "\xfe\xff" + utf16BE("<a>b</a>"), `{"a": "b"}`, ""},
		{"xml charset without declaration", "application/xml; charset=iso-8859-1", "<a>\xe9</a>", `{"a": "é"}`, ""},
		{"xml invalid", "application/xml", `<a><b></a>`, "",
			"the response is declared as application/xml but is not valid XML: XML syntax error on line 1: element <b> closed by </a>"},
		{"xml not xml", "application/xml", `{"a":1}`, "",
			"the response is declared as application/xml but is not valid XML: text outside the root element"},
		{"xml two roots", "application/xml", `<a/><b/>`, "",
			"the response is declared as application/xml but is not valid XML: content after the root element"},
		{"xml only a comment", "application/xml", `<!-- nothing -->`, "",
			"the response is declared as application/xml but is not valid XML: no root element"},
		{"xml external entity", "application/xml", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`, "",
			"the response is declared as application/xml but is not valid XML: XML syntax error on line 1: invalid character entity &e;"},
		{"xml entity expansion", "application/xml", `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><x>&b;</x>`, "",
			"the response is declared as application/xml but is not valid XML: XML syntax error on line 1: invalid character entity &b;"},
		{"xml unsupported encoding", "application/xml", `<?xml version="1.0" encoding="EBCDIC-US"?><a/>`, "",
			`the response is declared as application/xml but is not valid XML: xml: opening charset "EBCDIC-US": the declared encoding "EBCDIC-US" is not supported (use UTF-8)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.ct, []byte(tt.body))
			if tt.wantErr != "" {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("got %s, %v; want a *DecodeError", show(got), err)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("got error  %s\nwant error %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %s", err, tt.want)
			}
			if s := show(got); s != tt.want {
				t.Errorf("got  %s\nwant %s", s, tt.want)
			}
		})
	}
}

// utf16LE encodes s as UTF-16 little-endian with a byte order mark.
func utf16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// utf16BE encodes s as UTF-16 big-endian without a byte order mark.
func utf16BE(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return string(b)
}

// TestDecodeXMLGolden decodes each testdata/xml/*.xml as application/xml and compares
// the value (types and key order included) with the .golden file beside it.
func TestDecodeXMLGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/xml/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".xml")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			v, err := Decode("application/xml", in)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got := show(v) + "\n"
			golden := strings.TrimSuffix(file, ".xml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// plain turns decoded values into the plain maps mxj returns.
func plain(v any) any {
	switch x := v.(type) {
	case *velocity.Map:
		m := map[string]any{}
		x.Range(func(k string, e any) bool {
			m[k] = plain(e)
			return true
		})
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// genXML builds an XML document from fuzz bytes: elements with attributes and either
// one piece of text or child elements, never both (mxj's limit, see DecodeXML).
func genXML(data []byte) string {
	i := 0
	next := func(n int) int {
		if i >= len(data) {
			return 0
		}
		i++
		return int(data[i-1]) % n
	}
	names := []string{"a", "b", "item", "code"}
	attrs := []string{"id", "k", "xml:lang"}
	values := []string{"", "007", " sp ", "a&amp;b", "12345678901234567890", "&lt;x&gt;"}
	texts := []string{"", "  ", "007", "x y", "  padded\n", "a&amp;b", "<![CDATA[<c>]]>", "&#x263A;", "true"}
	var b strings.Builder
	var elem func(depth int)
	elem = func(depth int) {
		name := names[next(len(names))]
		b.WriteString("<" + name)
		used := map[string]bool{}
		for n := next(3); n > 0; n-- {
			a := attrs[next(len(attrs))]
			if used[a] {
				continue
			}
			used[a] = true
			b.WriteString(" " + a + `="` + values[next(len(values))] + `"`)
		}
		b.WriteString(">")
		if depth < 4 && next(2) == 1 {
			for n := next(4); n > 0; n-- {
				b.WriteString(" \n")
				elem(depth + 1)
			}
		} else {
			b.WriteString(texts[next(len(texts))])
		}
		b.WriteString("</" + name + ">")
	}
	elem(0)
	return b.String()
}

// FuzzDecodeXMLMatchesMxj checks DecodeXML against mxj.NewMapXml on the documents both
// read the same way (no text split by children, comments or CDATA).
func FuzzDecodeXMLMatchesMxj(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5})
	f.Add([]byte{1, 2, 1, 3, 0, 1, 1, 2, 2, 0, 3, 1})
	f.Add([]byte{2, 0, 1, 3, 1, 1, 0, 2, 3, 1, 2, 2, 1, 0, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := genXML(data)
		mine, err := DecodeXML([]byte(doc), "")
		if err != nil {
			t.Fatalf("DecodeXML(%s): %v", doc, err)
		}
		theirs, err := mxj.NewMapXml([]byte(doc))
		if err != nil {
			t.Fatalf("mxj.NewMapXml(%s): %v", doc, err)
		}
		if got, want := plain(mine), map[string]any(theirs); !reflect.DeepEqual(got, want) {
			t.Fatalf("document %s\ngot  %#v\nwant %#v", doc, got, want)
		}
	})
}

// FuzzDecode checks that any body under any content type decodes or fails with a
// *DecodeError, deterministically, into values JSON can encode.
func FuzzDecode(f *testing.F) {
	f.Add("application/json", []byte(`{"a":[1,2.5,"x"]}`))
	f.Add("application/xml", []byte(`<a x="1"><b>2</b><b/></a>`))
	f.Add("text/plain; charset=windows-1252", []byte("\x80\x81"))
	f.Add("text/xml; charset=utf-16", []byte("\xff\xfe<\x00a\x00/\x00>\x00"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		v, err := Decode(ct, body)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode(%q, %q) error %v is not a *DecodeError", ct, body, err)
			}
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("Decode(%q, %q) = %s, which JSON cannot encode: %v", ct, body, show(v), err)
		}
		again, _ := Decode(ct, bytes.Clone(body))
		if show(again) != show(v) {
			t.Fatalf("Decode(%q, %q) is not deterministic: %s then %s", ct, body, show(v), show(again))
		}
	})
}

// FuzzDecodeJSONMatchesVelocity checks the fast decoder against velocity.DecodeJSON:
// the same documents accepted, the same values (types and key order included).
func FuzzDecodeJSONMatchesVelocity(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"e"},"a":2}`,
		`[12345678901234567890, -0, 0.5, 1e400, -1E-5, 2147483648, -9223372036854775809]`,
		`"\u00e9\ud83c\udf3b\ud800x\udc00\"\\\/\b\f\n\r\t"`,
		"\"\xff\xe2\x82 \xed\xa0\x80\"",
		`{"a" : [ ] , "b" : { } }`,
		`[1, {"a": 2, "b": [3, {"c": 4}], "d": 5}, 6]`,
		`[-2147483648, 2147483647, -2147483647, 999999999999999999, -999999999999999999, 1000000000000000000, -0]`,
		`[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `tru`, `"\x"`, `[1 2]`, `{} {}`, "\"a\tb\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		mine, err1 := decodeJSON(string(b))
		ref, err2 := velocity.DecodeJSON(bytes.NewReader(b))
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("decodeJSON(%q) error %v, velocity.DecodeJSON error %v", b, err1, err2)
		}
		if err1 == nil && show(mine) != show(ref) {
			t.Fatalf("decodeJSON(%q)\ngot  %s\nwant %s", b, show(mine), show(ref))
		}
	})
}

func TestDecodeJSONDepth(t *testing.T) {
	tests := []struct {
		depth int
		ok    bool
	}{{10000, true}, {10001, false}}
	for _, tt := range tests {
		doc := strings.Repeat("[", tt.depth) + strings.Repeat("]", tt.depth)
		_, err := decodeJSON(doc)
		_, stdErr := json.Marshal(json.RawMessage(doc))
		if (err == nil) != tt.ok || (stdErr == nil) != tt.ok {
			t.Errorf("depth %d: got error %v (encoding/json: %v), want ok=%v", tt.depth, err, stdErr, tt.ok)
		}
	}
}

func TestValidJSON(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want bool
	}{
		{"object", `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`, true},
		{"white space everywhere", " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n", true},
		{"empty containers", `[{},[],""]`, true},
		{"scalars", `-0.5e+10`, true},
		{"escapes", `"\"\\\/\b\f\n\r\t\u00e9\uD83C\uDF3B"`, true},
		{"invalid UTF-8 passes as in encoding/json", "\"\xff\xfe\"", true},
		{"empty", ``, false},
		{"only space", ` `, false},
		{"trailing comma in array", `[1,]`, false},
		{"trailing comma in object", `{"a":1,}`, false},
		{"leading zero", `01`, false},
		{"bare point", `1.`, false},
		{"missing integer part", `.5`, false},
		{"lone minus", `-`, false},
		{"exponent without digits", `1e+`, false},
		{"short literal", `tru`, false},
		{"bad escape", `"\x"`, false},
		{"short unicode escape", `"\u12"`, false},
		{"control character", "\"a\tb\"", false},
		{"unterminated string", `"abc`, false},
		{"missing comma", `[1 2]`, false},
		{"two values", `{} {}`, false},
		{"key not a string", `{a:1}`, false},
		{"missing colon", `{"a" 1}`, false},
		{"mismatched close", `[1}`, false},
		{"unclosed", `[[1]`, false},
		{"close without open", `]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validJSON(tt.doc); got != tt.want {
				t.Errorf("validJSON(%q) = %v, want %v", tt.doc, got, tt.want)
			}
			if std := json.Valid([]byte(tt.doc)); std != tt.want {
				t.Errorf("the case is wrong: json.Valid(%q) = %v", tt.doc, std)
			}
		})
	}
}

func TestValidJSONDepth(t *testing.T) {
	tests := []struct {
		depth int
		ok    bool
	}{{64, true}, {65, true}, {10000, true}, {10001, false}}
	for _, tt := range tests {
		for _, open := range []string{"[", `{"a":`} {
			close := map[string]string{"[": "]", `{"a":`: "}"}[open]
			doc := strings.Repeat(open, tt.depth) + "1" + strings.Repeat(close, tt.depth)
			if got, std := validJSON(doc), json.Valid([]byte(doc)); got != tt.ok || std != tt.ok {
				t.Errorf("depth %d of %s: got %v (json.Valid %v), want %v", tt.depth, open, got, std, tt.ok)
			}
		}
	}
}

// FuzzValidJSONMatchesEncodingJSON checks validJSON, on strings and bytes, against
// json.Valid.
func FuzzValidJSONMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"e"},"a":2}`,
		`[12345678901234567890, -0, 0.5, 1e400, -1E-5]`,
		`"\u00e9\ud83c\udf3b\ud800x\udc00\"\\\/\b\f\n\r\t"`,
		"\"\xff\xe2\x82 \xed\xa0\x80\"",
		`{"a" : [ ] , "b" : { } }`,
		`[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `tru`, `"\x"`, `[1 2]`, `{} {}`, "\"a\tb\"", `"\u12"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := json.Valid(b)
		if got := validJSON(string(b)); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid %v", b, got, want)
		}
		if got := ValidJSON(b); got != want {
			t.Fatalf("ValidJSON(%q) = %v, json.Valid %v", b, got, want)
		}
	})
}

func TestIsJSON(t *testing.T) {
	tests := []struct {
		ct   string
		want bool
	}{
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"Application/JSON; Charset=\"UTF-8\"", true},
		{"application/problem+json", true},
		{"application/json; charset=utf8", true},
		{"application/json; charset=iso-8859-1", false},
		{"text/plain", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isJSON(tt.ct); got != tt.want {
			t.Errorf("isJSON(%q) = %v, want %v", tt.ct, got, tt.want)
		}
	}
}
