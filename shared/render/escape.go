package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// value appends insertion idx escaped for where the output stands.
func (b *builder) value(t *tmpl, idx int, st *lexState) error {
	in := &b.ins[idx]
	if l, ok := in.v.(*lazyValue); ok {
		if b.lazyText(t, l, st) {
			return nil
		}
		in.v = l.value()
	}
	switch t.dest {
	case destText, destQuery:
		b.out = append(b.out, b.textOf(idx)...)
	case destHeader:
		s := b.textOf(idx)
		if i := strings.IndexFunc(s, isControl); i >= 0 {
			return t.valueError(in, "contains %s, which a header value cannot hold", describeControl(s[i]))
		}
		b.out = append(b.out, s...)
	case destURL:
		return b.urlValue(t, in, idx, st)
	case destJSON:
		return b.jsonValue(t, in, idx, st)
	case destXML:
		s := b.textOf(idx)
		if r, ok := xmlForbidden(s); ok {
			return t.valueError(in, "contains the character U+%04X, which XML cannot carry", r)
		}
		switch {
		case st.cdata:
			b.out = appendCDATA(b.out, s)
		case escapeCall(in.ref.Text) == "xml" && xmlSafe(s):
			b.out = append(b.out, s...)
		default:
			b.out = appendXML(b.out, s)
		}
		st.scanXML(b.out)
	}
	return nil
}

func (b *builder) urlValue(t *tmpl, in *insertion, idx int, st *lexState) error {
	s := b.textOf(idx)
	escaped := escapeCall(in.ref.Text) == "url" && urlSafe(s)
	switch st.url {
	case partScheme, partHost:
		if !hostSafe(s) {
			return t.valueError(in, "lands in the URL's %s, where a value may hold only letters, digits, '-' and '.', not %s; put the rest in the template", st.url, quoteShort(s))
		}
		b.out = append(b.out, s...)
	case partQuery:
		if escaped {
			b.out = append(b.out, s...)
		} else {
			b.out = appendQueryEscape(b.out, s)
		}
	default: // path and fragment
		if escaped {
			b.out = append(b.out, s...)
		} else {
			b.out = appendPathEscape(b.out, s)
		}
	}
	return nil
}

func (b *builder) jsonValue(t *tmpl, in *insertion, idx int, st *lexState) error {
	switch st.json {
	case jsonString:
		b.out = appendJSONString(b.out, b.textOf(idx))
		return nil
	case jsonEscape:
		return t.valueError(in, "comes right after a backslash inside a JSON string; remove the backslash")
	case jsonUnicode:
		return t.valueError(in, "comes inside a \\uXXXX escape of a JSON string; write the escape whole")
	}
	if escapeCall(in.ref.Text) == "json" {
		if s := b.textOf(idx); json.Valid([]byte(s)) {
			b.out = append(b.out, s...)
			return nil
		}
	}
	var err error
	if b.out, err = appendJSON(b.out, in.v, b, 0); err != nil {
		switch {
		case errors.Is(err, errNotJSON):
			return t.valueError(in, "is %s, which is not a number JSON can carry", b.textOf(idx))
		case errors.Is(err, errTooDeep):
			return t.valueError(in, "is nested more than %d levels deep (a map that contains itself?)", maxDepth)
		}
		return t.valueError(in, "cannot be written as JSON: %v", err)
	}
	return nil
}

// escapeCall returns the method of a reference written as a call of the escape tool,
// $esc.url(…) or ${esc.url(…)} → "url"; "" for any other reference.
func escapeCall(ref string) string {
	s := strings.TrimPrefix(ref, "$")
	s = strings.TrimPrefix(s, "!")
	s = strings.TrimPrefix(s, "{")
	rest, ok := strings.CutPrefix(s, "esc.")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, "(")
	if !ok {
		return ""
	}
	return name
}

// hostSafe reports whether s may go into a URL's scheme or host.
func hostSafe[S string | []byte](s S) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// urlSafe reports whether s is already percent-encoded text that cannot change a
// URL's structure: unreserved characters, "+", "*" and %XX escapes.
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '*':
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isControl reports a character a header value cannot hold: C0 controls but tab, and DEL.
func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

func describeControl(c byte) string {
	switch c {
	case '\r', '\n':
		return "a line break"
	case 0:
		return "a NUL character"
	}
	return fmt.Sprintf("the control character U+%04X", c)
}

// xmlForbidden returns the first character of s that XML 1.0 cannot carry at all,
// even as a character reference.
func xmlForbidden(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return r, true
		}
	}
	return 0, false
}

// appendXML appends s escaped for XML text and attribute values. Tab, LF and CR are
// written as character references so an attribute value keeps them.
func appendXML(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&apos;"
		case '\t':
			esc = "&#9;"
		case '\n':
			esc = "&#10;"
		case '\r':
			esc = "&#13;"
		default:
			if c >= utf8.RuneSelf {
				if r, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
					esc = "\uFFFD"
				} else {
					i += size
					continue
				}
			} else {
				i++
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, esc...)
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// appendCDATA appends s inside a CDATA section, splitting any "]]>" across two sections.
func appendCDATA(dst []byte, s string) []byte {
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i+2]...)
		dst = append(dst, "]]><![CDATA["...)
		s = s[i+2:]
	}
}

// xmlSafe reports whether s, the output of an XML escaper, holds no markup: no < > " '
// and & only in entity or character references.
func xmlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '>', '"', '\'':
			return false
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 2 || !isReference(s[i+1:i+end]) {
				return false
			}
			i += end
		}
	}
	return true
}

// isReference reports whether s (between & and ;) is a predefined entity or a
// character reference.
func isReference(s string) bool {
	switch s {
	case "amp", "lt", "gt", "quot", "apos":
		return true
	}
	if len(s) < 2 || s[0] != '#' {
		return false
	}
	digits := s[1:]
	hex := digits[0] == 'x'
	if hex {
		digits = digits[1:]
	}
	if digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if !(digits[i] >= '0' && digits[i] <= '9' || hex && isHex(digits[i])) {
			return false
		}
	}
	return true
}

const upperHex = "0123456789ABCDEF"

// appendQueryEscape appends s escaped as url.QueryEscape does: unreserved characters
// as they are, space as "+", every other byte as %XX.
func appendQueryEscape[S string | []byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case unreserved(c):
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
		}
	}
	return dst
}

// appendPathEscape appends s escaped as url.PathEscape does: unreserved characters and
// $ & + : = @ as they are, every other byte (/ ; , ? # space…) as %XX.
func appendPathEscape[S string | []byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case unreserved(c), c == '$', c == '&', c == '+', c == ':', c == '=', c == '@':
			dst = append(dst, c)
		default:
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
		}
	}
	return dst
}

// unreserved reports RFC 3986's unreserved characters: letters, digits, - . _ ~.
func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
