package delivery

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity"
)

// decodeJSON reads one JSON document into the values velocity.DecodeJSON gives —
// objects as *velocity.Map in document order (a repeated key keeps its first place and
// its last value), arrays as []any, numbers through velocity.Number (exact integers),
// strings unquoted as encoding/json does — in a single pass over the text. Strings
// without escapes are slices of the document, so the values keep it in memory.
// velocity.DecodeJSON walks json.Decoder's Token API, which allocates for every token
// and costs about three times the rest of a delivery for a small response;
// FuzzDecodeJSONMatchesVelocity checks that both give the same values and accept the
// same documents. Errors only say that the document is invalid; Decode asks
// encoding/json where.
func decodeJSON(b string) (any, error) {
	d := decoderPool.Get().(*jsonDecoder)
	defer func() {
		clear(d.vals[:cap(d.vals)])
		clear(d.keys[:cap(d.keys)])
		d.b, d.i, d.keys, d.vals = "", 0, d.keys[:0], d.vals[:0]
		if cap(d.vals) <= 1024 && cap(d.keys) <= 1024 {
			decoderPool.Put(d)
		}
	}()
	d.b = b
	d.skip()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skip()
	if d.i != len(d.b) {
		return nil, d.fail("data after the top-level value")
	}
	return v, nil
}

var decoderPool = sync.Pool{New: func() any {
	return &jsonDecoder{keys: make([]string, 0, 32), vals: make([]any, 0, 32)}
}}

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

type jsonDecoder struct {
	b string
	i int
	// keys and vals are stacks that collect the members of the objects and arrays
	// being read, so each map and slice is made once at its final size.
	keys []string
	vals []any
}

func (d *jsonDecoder) fail(what string) error {
	return fmt.Errorf("json: %s at byte %d", what, d.i+1)
}

func (d *jsonDecoder) skip() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	if d.i >= len(d.b) {
		return nil, d.fail("unexpected end")
	}
	switch c := d.b[d.i]; {
	case c == '{':
		if depth >= maxJSONDepth {
			return nil, d.fail("exceeded max depth")
		}
		return d.object(depth + 1)
	case c == '[':
		if depth >= maxJSONDepth {
			return nil, d.fail("exceeded max depth")
		}
		return d.array(depth + 1)
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, d.fail("unexpected character")
}

func (d *jsonDecoder) literal(word string) error {
	if !strings.HasPrefix(d.b[d.i:], word) {
		return d.fail("invalid literal")
	}
	d.i += len(word)
	return nil
}

func (d *jsonDecoder) object(depth int) (any, error) {
	d.i++ // {
	d.skip()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return velocity.NewMap(0), nil
	}
	kb, vb := len(d.keys), len(d.vals) // arrays inside push only values
	for {
		d.skip()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, d.fail("object key expected")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.skip()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, d.fail("':' expected")
		}
		d.i++
		d.skip()
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
		d.skip()
		if d.i >= len(d.b) {
			return nil, d.fail("unexpected end")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			n := len(d.keys) - kb
			m := velocity.NewMap(n)
			for j := 0; j < n; j++ {
				m.Put(d.keys[kb+j], d.vals[vb+j])
			}
			clear(d.vals[vb:])
			d.keys, d.vals = d.keys[:kb], d.vals[:vb]
			return m, nil
		default:
			return nil, d.fail("',' or '}' expected")
		}
	}
}

func (d *jsonDecoder) array(depth int) (any, error) {
	d.i++ // [
	d.skip()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return []any{}, nil
	}
	base := len(d.vals)
	for {
		d.skip()
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		d.vals = append(d.vals, v)
		d.skip()
		if d.i >= len(d.b) {
			return nil, d.fail("unexpected end")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			l := append([]any(nil), d.vals[base:]...)
			clear(d.vals[base:])
			d.vals = d.vals[:base]
			return l, nil
		default:
			return nil, d.fail("',' or ']' expected")
		}
	}
}

func (d *jsonDecoder) number() (any, error) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case digits() == 0:
		return nil, d.fail("invalid number")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, d.fail("invalid number")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, d.fail("invalid number")
		}
	}
	text := d.b[start:d.i]
	if d.i-start <= 18 && !strings.ContainsAny(text, ".eE") {
		// At most 18 characters: an integer below 10^18 in magnitude, which int64
		// holds; int32 when below 2^31, as velocity.Number decides.
		var n int64
		neg := text[0] == '-'
		for _, c := range text[btoi(neg):] {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		if n >= -1<<31 && n < 1<<31 {
			return int32(n), nil
		}
		return n, nil
	}
	return velocity.Number(text)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

var errBadString = errors.New("json: invalid string")

// str reads a string at d.i (on its opening quote), unquoting as encoding/json does:
// invalid UTF-8 and unpaired surrogate escapes become U+FFFD.
func (d *jsonDecoder) str() (string, error) {
	d.i++ // "
	start := d.i
	// Fast path: no escapes, valid UTF-8.
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c == '"' {
			s := d.b[start:d.i]
			d.i++
			if utf8.ValidString(s) {
				return s, nil // shares the document's memory
			}
			return validUTF8([]byte(s)), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", d.fail("control character in string")
		}
		d.i++
	}
	if d.i >= len(d.b) {
		return "", d.fail("unterminated string")
	}
	var out []byte
	out = append(out, d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return validUTF8(out), nil
		case c < 0x20:
			return "", d.fail("control character in string")
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		d.i++ // backslash
		if d.i >= len(d.b) {
			return "", errBadString
		}
		e := d.b[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				save := d.i
				if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
					d.i += 2
					if r2, ok := d.hex4(); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							continue
						}
					}
				}
				d.i = save
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", d.fail("invalid escape")
		}
	}
	return "", d.fail("unterminated string")
}

// validUTF8 returns b as a string with each byte that does not start a valid UTF-8
// sequence replaced by U+FFFD, as encoding/json does.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, r)
		b = b[n:]
	}
	return string(out)
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}
