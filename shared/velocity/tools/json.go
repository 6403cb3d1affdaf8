package tools

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// JSON is $esc.json(value), which Velocity Tools lacks. The rule:
//
//   - A string, or any other value that is not a number, boolean, null, map or list
//     (a Date prints as Date.toString()), is escaped for the inside of a JSON string
//     literal, without the surrounding quotes, so templates write "$esc.json($v)".
//   - null, booleans and numbers become JSON literals: integers in full, doubles as
//     Java prints them (1.5, 1.0E10), NaN and infinities as null.
//   - Maps become objects (in their iteration order) and lists arrays, with nested
//     strings quoted and escaped the same way.
//
// Escaping follows RFC 8259 and is also safe inside an HTML <script> element: " and
// \ are escaped, control characters become \b \f \n \r \t or \u00XX, and <, >, &,
// U+2028 and U+2029 become \u003c, \u003e, \u0026, \u2028 and \u2029. Invalid UTF-8
// becomes \ufffd.
func JSON(v any) string {
	switch v.(type) {
	case nil, bool, int32, int64, float64, float32, *big.Int, int8, int16, []any, *velocity.List, *velocity.Map, map[string]any:
		var b strings.Builder
		appendJSON(&b, v, 0)
		return b.String()
	}
	var b strings.Builder
	writeJSONString(&b, javaString(v))
	return b.String()
}

// maxJSONDepth bounds nesting, so a map that contains itself cannot loop forever.
const maxJSONDepth = 64

func appendJSON(b *strings.Builder, v any, depth int) {
	if depth > maxJSONDepth {
		b.WriteString("null")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(javafmt.FormatDouble(x))
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(javafmt.FormatFloat(x))
	case int32, int64, *big.Int, int8, int16:
		b.WriteString(numberString(v))
	case []any:
		appendJSONList(b, x, depth)
	case *velocity.List:
		appendJSONList(b, x.Items, depth)
	case *velocity.Map:
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			writeJSONString(b, k)
			b.WriteString(`":`)
			e, _ := x.Get(k)
			appendJSON(b, e, depth+1)
		}
		b.WriteByte('}')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			writeJSONString(b, k)
			b.WriteString(`":`)
			appendJSON(b, x[k], depth+1)
		}
		b.WriteByte('}')
	default:
		b.WriteByte('"')
		writeJSONString(b, javaString(v))
		b.WriteByte('"')
	}
}

func appendJSONList(b *strings.Builder, items []any, depth int) {
	b.WriteByte('[')
	for i, e := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		appendJSON(b, e, depth+1)
	}
	b.WriteByte(']')
}

const lowerHex = "0123456789abcdef"

// writeJSONString writes s escaped for the inside of a JSON string literal.
func writeJSONString(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(lowerHex[c>>4])
				b.WriteByte(lowerHex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			if r == '\u2028' {
				b.WriteString(`\u2028`)
			} else {
				b.WriteString(`\u2029`)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
}
