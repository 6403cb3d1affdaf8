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

// ValidJSON reports whether b is one JSON value with optional white space around it,
// accepting exactly what encoding/json.Valid accepts (and so what Decode reads as
// JSON), several times faster.
func ValidJSON(b []byte) bool { return validJSON(b) }

// validJSON reports whether s is one JSON value with optional white space around it,
// accepting exactly what encoding/json.Valid accepts (strings are not checked for
// UTF-8; nesting deeper than encoding/json's 10000 levels is refused) in one pass
// without allocating for nesting up to 64 levels. json.Valid's scanner calls a state
// function per byte, several times this cost on a response;
// FuzzValidJSONMatchesEncodingJSON checks that both agree.
func validJSON[S string | []byte](s S) bool {
	var buf [64]byte
	stack := buf[:0] // '{' or '[' per open container
	i := skipSpace(s, 0)
	for {
		// A value starts at i.
		if i >= len(s) {
			return false
		}
		switch c := s[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxJSONDepth {
				return false
			}
			stack = append(stack, c)
			i = skipSpace(s, i+1)
			if i < len(s) && s[i] == c+2 { // '}' is '{'+2, ']' is '['+2
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				if i = scanKey(s, i); i < 0 {
					return false
				}
			}
			continue
		case c == '"':
			if i = scanString(s, i); i < 0 {
				return false
			}
		case c == 't':
			if i = scanWord(s, i, "true"); i < 0 {
				return false
			}
		case c == 'f':
			if i = scanWord(s, i, "false"); i < 0 {
				return false
			}
		case c == 'n':
			if i = scanWord(s, i, "null"); i < 0 {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			if i = scanNumber(s, i); i < 0 {
				return false
			}
		default:
			return false
		}
		// A value ended before i: close containers or go on to the next member.
		for {
			i = skipSpace(s, i)
			if len(stack) == 0 {
				return i == len(s)
			}
			if i >= len(s) {
				return false
			}
			top := stack[len(stack)-1]
			if s[i] == top+2 {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if s[i] != ',' {
				return false
			}
			i = skipSpace(s, i+1)
			if top == '{' {
				if i = scanKey(s, i); i < 0 {
					return false
				}
			}
			break
		}
	}
}

func skipSpace[S string | []byte](s S, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// scanWord reads the literal word at i and returns the index after it, or -1.
func scanWord[S string | []byte](s S, i int, word string) int {
	if len(s)-i < len(word) || string(s[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// scanKey reads an object key and its colon at i and returns where the value may
// start (white space skipped), or -1.
func scanKey[S string | []byte](s S, i int) int {
	if i >= len(s) || s[i] != '"' {
		return -1
	}
	if i = scanString(s, i); i < 0 {
		return -1
	}
	i = skipSpace(s, i)
	if i >= len(s) || s[i] != ':' {
		return -1
	}
	return skipSpace(s, i+1)
}

// scanString reads a string at i (on its opening quote) and returns the index after
// its closing quote, or -1.
func scanString[S string | []byte](s S, i int) int {
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(s) {
				return -1
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) {
					return -1
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// scanNumber reads a number at i and returns the index after it, or -1.
func scanNumber[S string | []byte](s S, i int) int {
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return -1
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return -1
		}
	}
	return i
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
