package render

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity"
)

// Values are written in two forms:
//
//   - text: what the template engine prints for the value, as Apache Velocity does
//     (Java's toString: 990.0 for a double, {a=1, b=2} for a map, [1, 2] for a list);
//   - JSON: the value as a JSON value that decodes back to the same template value
//     (maps in order, integers exact, a double keeps its point: 990.0).

// maxDepth bounds the nesting of a value written as JSON, so a map that contains
// itself cannot loop forever.
const maxDepth = 64

// errNotJSON is a number JSON cannot carry (NaN, infinities).
var errNotJSON = errors.New("is not a number JSON can carry")

// errTooDeep is a value nested more than maxDepth levels.
var errTooDeep = fmt.Errorf("is nested more than %d levels deep", maxDepth)

// MarshalJSON encodes a template value (such as a decoded webhook response) as JSON
// text that decodes back to the same value with velocity.DecodeJSON: *velocity.Map keys
// in order, integers with their exact digits, doubles as Java prints them (990.0, 1.0E10)
// so that they stay doubles, other objects as the string the engine prints for them.
func MarshalJSON(v any) ([]byte, error) {
	return appendJSON(nil, v, nil, 0)
}

// AppendJSON is MarshalJSON appending to dst.
func AppendJSON(dst []byte, v any) ([]byte, error) {
	return appendJSON(dst, v, nil, 0)
}

// valueTemplate prints one value as the engine does.
var valueTemplate = sync.OnceValue(func() *velocity.Template {
	t, err := velocity.Parse("value", "$v")
	if err != nil {
		panic("render: parse value template: " + err.Error())
	}
	return t
})

// engineText is what the engine prints for v.
func engineText(v any) string {
	var b strings.Builder
	if err := valueTemplate().Execute(context.Background(), &b, map[string]any{"v": v}); err != nil {
		return fmt.Sprint(v)
	}
	return b.String()
}

// text returns what the engine prints for v, with the strings of b's render cleaned
// (see clean). b may be nil.
func text(v any, b *builder) string {
	switch x := v.(type) {
	case string:
		return b.clean(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case *big.Int:
		return x.String()
	}
	return b.clean(engineText(v))
}

// appendJSON appends v as a JSON value. b, when not nil, cleans strings of markers.
func appendJSON(dst []byte, v any, b *builder, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, errTooDeep
	}
	var err error
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		dst = append(dst, '"')
		dst = appendJSONString(dst, b.clean(x))
		return append(dst, '"'), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case *big.Int:
		return x.Append(dst, 10), nil
	case float64:
		return appendFloat(dst, x)
	case float32:
		return appendFloat(dst, float64(x))
	case *velocity.Map:
		dst = append(dst, '{')
		first := true
		x.Range(func(k string, e any) bool {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, '"')
			dst = appendJSONString(dst, b.clean(k))
			dst = append(dst, '"', ':')
			dst, err = appendJSON(dst, e, b, depth+1)
			return err == nil
		})
		return append(dst, '}'), err
	case []any:
		return appendJSONList(dst, x, b, depth)
	case *velocity.List:
		return appendJSONList(dst, x.Items, b, depth)
	case map[string]any:
		// Not a value the engine makes, but tools might; keys have no order to keep.
		m := velocity.NewMap(len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			m.Put(k, x[k])
		}
		return appendJSON(dst, m, b, depth)
	}
	// Another object (a tool, a date): the text the engine prints, as a number when
	// it reads as one, else as a string.
	s := text(v, b)
	if isJSONNumber(s) {
		return append(dst, s...), nil
	}
	dst = append(dst, '"')
	dst = appendJSONString(dst, s)
	return append(dst, '"'), nil
}

func appendJSONList(dst []byte, items []any, b *builder, depth int) ([]byte, error) {
	dst = append(dst, '[')
	for i, e := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendJSON(dst, e, b, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// appendFloat writes a double as Java prints it (0.1, 990.0, 1.0E10), which is valid
// JSON and decodes back to a double.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, errNotJSON
	}
	s := engineText(f)
	if !isJSONNumber(s) {
		s = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return append(dst, s...), nil
}

// isJSONNumber reports whether s is a JSON number.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s escaped for the inside of a JSON string (no quotes):
// quotation mark, backslash and control characters escaped, U+2028 and U+2029 as
// \u2028 and \u2029 (JavaScript line terminators), invalid UTF-8 as U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// Markers. While a template renders, every value a reference writes to the output is
// replaced by a marker, "\xff" + decimal index + "\xfe", and escaped after the render
// for the place its marker landed (see builder). Bytes 0xFE and 0xFF never occur in
// UTF-8, and templates are checked to be UTF-8, so literal text cannot fake a marker.
const (
	markerStart = 0xff
	markerEnd   = 0xfe
)

// markers holds the first markers ready-made.
var markers = func() []string {
	m := make([]string, 256)
	for i := range m {
		m[i] = makeMarker(i)
	}
	return m
}()

func marker(i int) string {
	if i < len(markers) {
		return markers[i]
	}
	return makeMarker(i)
}

func makeMarker(i int) string { return "\xff" + strconv.Itoa(i) + "\xfe" }

// readMarker reads the marker at the start of p and returns its index and length;
// ok is false when p does not start with a whole marker.
func readMarker(p []byte) (idx, n int, ok bool) {
	if len(p) < 3 || p[0] != markerStart {
		return 0, 0, false
	}
	for i := 1; i < len(p) && i < 12; i++ {
		c := p[i]
		switch {
		case c >= '0' && c <= '9':
			idx = idx*10 + int(c-'0')
		case c == markerEnd && i > 1:
			return idx, i + 1, true
		default:
			return 0, 0, false
		}
	}
	return 0, 0, false
}
