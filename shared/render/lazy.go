package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync/atomic"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/delivery"
)

// lazyValue is a param, response or contact field of a Context from NewLazyContext:
// its JSON text, decoded on first use. A webhook's templates read a few of a run's
// values, and most of those are simple; Build writes the simple ones from the text
// (see lazyText) and decodes only the others.
type lazyValue struct {
	raw  []byte // the JSON text, white space trimmed
	kind lazyKind
	// v is the decoded value once a template asked for it. Two renders asking at once
	// both decode, and one's value is kept: decoding gives equal values, and the
	// engine does not change values it did not make.
	v atomic.Pointer[any]
}

// lazyKind says what a lazy value's text is.
type lazyKind uint8

const (
	// lazyOther is any other valid JSON: decoded to be written.
	lazyOther lazyKind = iota
	// lazyNull is null or empty text: no value.
	lazyNull
	// lazyString is a string needing no decoding (see simpleString) and holding no
	// U+2028 or U+2029: the text between the quotes is the value.
	lazyString
	// lazyInteger is an integer other than -0: the text is its digits.
	lazyInteger
	// lazyBool is true or false.
	lazyBool
	// lazyCanonical is an array or object written exactly as appendJSON writes its
	// decoded value (canonicalJSON).
	lazyCanonical
)

// init keeps raw as l, checked as decode checks it: an error is decode's.
func (l *lazyValue) init(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	l.raw = raw
	switch {
	case len(raw) == 0 || string(raw) == "null":
		l.kind = lazyNull
		return nil
	case string(raw) == "true" || string(raw) == "false":
		l.kind = lazyBool
		return nil
	case raw[0] == '"' && len(raw) >= 2 && raw[len(raw)-1] == '"' && simpleString(raw[1:len(raw)-1]):
		if !nonASCII(raw) || !hasLineSeparator(raw) {
			l.kind = lazyString
		}
		return nil
	case (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') && isJSONNumber(string(raw)) && !bytes.ContainsAny(raw, ".eE"):
		if string(raw) != "-0" {
			l.kind = lazyInteger
		}
		return nil
	case (raw[0] == '[' || raw[0] == '{') && canonicalJSON(raw):
		l.kind = lazyCanonical
		return nil
	}
	if !delivery.ValidJSON(raw) {
		_, err := decode(raw) // its message says what is wrong
		if err == nil {
			err = errors.New("json: invalid value")
		}
		return err
	}
	return nil
}

// nonASCII reports whether b has a byte outside ASCII.
func nonASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// hasLineSeparator reports whether b holds U+2028 or U+2029, which appendJSONString
// escapes.
func hasLineSeparator(b []byte) bool {
	for {
		i := bytes.IndexByte(b, 0xe2)
		if i < 0 || i+2 >= len(b) {
			return false
		}
		if b[i+1] == 0x80 && (b[i+2] == 0xa8 || b[i+2] == 0xa9) {
			return true
		}
		b = b[i+1:]
	}
}

// value returns l decoded.
func (l *lazyValue) value() any {
	if l.kind == lazyNull {
		return nil
	}
	if p := l.v.Load(); p != nil {
		return *p
	}
	v, _ := decode(l.raw) // init checked that it decodes
	if !l.v.CompareAndSwap(nil, &v) {
		return *l.v.Load()
	}
	return v
}

// resolved returns v decoded when it is a *lazyValue.
func resolved(v any) any {
	if l, ok := v.(*lazyValue); ok {
		return l.value()
	}
	return v
}

// isNull reports whether v is no value: nil, or a lazy null.
func isNull(v any) bool {
	if l, ok := v.(*lazyValue); ok {
		return l.kind == lazyNull
	}
	return v == nil
}

// lazyText writes the lazy value l where the output stands when its JSON text, or the
// text of the string it holds, is exactly what the decoded value is written as there,
// and reports whether it did; else the caller decodes it and escapes it as any value.
func (b *builder) lazyText(t *tmpl, l *lazyValue, st *lexState) bool {
	var txt []byte // the text the engine prints for the value
	switch l.kind {
	case lazyString:
		txt = l.raw[1 : len(l.raw)-1]
	case lazyInteger, lazyBool:
		txt = l.raw
	case lazyCanonical:
		if t.dest != destJSON || st.json != jsonOutside {
			return false
		}
		b.out = append(b.out, l.raw...)
		return true
	default:
		return false
	}
	switch t.dest {
	case destText, destQuery:
		b.out = append(b.out, txt...)
	case destHeader:
		if bytes.IndexByte(txt, 0x7f) >= 0 {
			return false // refused: the decoded path says so
		}
		b.out = append(b.out, txt...)
	case destURL:
		switch st.url {
		case partScheme, partHost:
			if !hostSafe(txt) {
				return false
			}
			b.out = append(b.out, txt...)
		case partQuery:
			b.out = appendQueryEscape(b.out, txt)
		default:
			b.out = appendPathEscape(b.out, txt)
		}
	case destJSON:
		switch st.json {
		case jsonString:
			b.out = append(b.out, txt...) // nothing in it needs escaping
		case jsonOutside:
			b.out = append(b.out, l.raw...) // the quoted string, the integer, the boolean
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// canonicalJSON reports whether raw, valid or not, is a JSON value written exactly as
// appendJSON writes its decoded value: no white space; strings without escapes but \"
// \\ \n \r \t, in valid UTF-8 without U+2028 or U+2029; integers other than -0 and no
// other numbers; no key twice in an object (decoding keeps the first place and the last
// value); at most maxDepth levels deep. FuzzCanonicalJSON checks the claim.
func canonicalJSON(raw []byte) bool {
	i, ok := canonicalValue(raw, 0, 0)
	return ok && i == len(raw)
}

// maxCanonicalKeys is the most keys an object may have for its keys to be compared
// pairwise; a larger object is decoded instead.
const maxCanonicalKeys = 32

// canonicalValue reads a canonical value at i and returns the index after it.
func canonicalValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) || depth > maxDepth {
		return i, false
	}
	switch c := b[i]; {
	case c == '{':
		return canonicalObject(b, i, depth)
	case c == '[':
		i++
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = canonicalValue(b, i, depth+1); !ok || i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ',':
				i++
			case ']':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '"':
		return canonicalString(b, i)
	case c == 't':
		return i + 4, bytes.HasPrefix(b[i:], []byte("true"))
	case c == 'f':
		return i + 5, bytes.HasPrefix(b[i:], []byte("false"))
	case c == 'n':
		return i + 4, bytes.HasPrefix(b[i:], []byte("null"))
	case c == '-' || c >= '0' && c <= '9':
		start := i
		if c == '-' {
			i++
		}
		switch {
		case i < len(b) && b[i] == '0':
			i++
		case i < len(b) && b[i] >= '1' && b[i] <= '9':
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				i++
			}
		default:
			return i, false
		}
		if i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') || string(b[start:i]) == "-0" {
			return i, false
		}
		return i, true
	}
	return i, false
}

// canonicalObject reads a canonical object at i (on its brace).
func canonicalObject(b []byte, i, depth int) (int, bool) {
	i++
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	var keys [maxCanonicalKeys][2]int // where each key's text starts and ends
	n := 0
	for {
		start := i + 1
		var ok bool
		if i, ok = canonicalString(b, i); !ok || n == maxCanonicalKeys {
			return i, false
		}
		key := b[start : i-1]
		for _, k := range keys[:n] {
			if bytes.Equal(b[k[0]:k[1]], key) {
				return i, false
			}
		}
		keys[n] = [2]int{start, i - 1}
		n++
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		if i, ok = canonicalValue(b, i+1, depth+1); !ok || i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// canonicalString reads a string at i (on its opening quote) that appendJSONString
// writes back as it is, and returns the index after its closing quote.
func canonicalString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	start := i + 1
	ascii := true
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			s := b[start:i]
			return i + 1, ascii || utf8.Valid(s) && !hasLineSeparator(s)
		case c >= utf8.RuneSelf:
			ascii = false
		case c < 0x20:
			return i, false
		case c == '\\':
			i++
			if i >= len(b) || bytes.IndexByte([]byte(`"\nrt`), b[i]) < 0 {
				return i, false
			}
		}
	}
	return i, false
}
