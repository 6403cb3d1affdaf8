package tools

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const escapeClass = "org.apache.velocity.tools.generic.EscapeTool"

// EscapeTool is Velocity Tools 2.0's org.apache.velocity.tools.generic.EscapeTool as
// the reference engine registers it ($esc), with commons-lang 2.6 StringEscapeUtils:
//
//	html        HTML 4.0 named entities (&eacute;), other non-ASCII as &#decimal;
//	xml         &quot; &amp; &lt; &gt; &apos;, non-ASCII as &#decimal;
//	javascript  Java-style escapes plus \' and \/
//	java        \" \\ \n..., non-ASCII as \uXXXX
//	sql         ' doubled
//	url         URLEncoder.encode(s, "UTF-8"): form encoding, space as +
//	velocity    $ and # as ${esc.d} and ${esc.h}
//	unicode     "\u00e9" or "e9" to the character
//	propertyKey, propertyValue  java.util.Properties escaping
//	d dollar h hash b backslash q quote s singleQuote n newline e exclamation
//
// Characters outside the Basic Multilingual Plane are escaped as two UTF-16 units,
// as Java does (&#55357;&#56832;). Tools 2.0 has no unurl; it is not provided.
//
// json is Flowhook's own addition, absent from the reference: see (*EscapeTool).JSON.
//
// An EscapeTool is stateless and safe for concurrent use.
type EscapeTool struct {
	noJSON bool // the reference's EscapeTool, without json
}

// NewEscapeTool returns an EscapeTool.
func NewEscapeTool() *EscapeTool { return &EscapeTool{} }

// JavaClass returns the tool's Java class name, for the engine's messages.
func (*EscapeTool) JavaClass() string { return escapeClass }

// Method implements velocity.Object.
func (e *EscapeTool) Method(name string, args []any) (any, error) {
	return call(e.method, name, args)
}

func (e *EscapeTool) method(name string, args []any) (any, error) {
	switch len(args) {
	case 0:
		switch name {
		case "getDollar", "getD":
			return "$", nil
		case "getHash", "getH":
			return "#", nil
		case "getBackslash", "getB":
			return `\`, nil
		case "getQuote", "getQ":
			return `"`, nil
		case "getSingleQuote", "getS":
			return "'", nil
		case "getNewline", "getN":
			return "\n", nil
		case "getExclamation", "getE":
			return "!", nil
		case "getKey":
			return "esc", nil
		case "isConfigLocked", "isSafeMode":
			return true, nil
		}
	case 1:
		a := args[0]
		switch name {
		case "html", "xml", "javascript", "java", "sql", "url", "velocity", "unicode", "propertyKey", "propertyValue":
			if a == nil {
				return nil, nil
			}
			s := javaString(a)
			if name == "unicode" {
				return unicodeChar(s)
			}
			r := escapeString(name, s)
			if in, ok := a.(string); ok && r == in {
				// Nothing to escape (the usual case): the argument as it came, which
				// spares boxing the same string again on every call.
				return a, nil
			}
			return r, nil
		case "json":
			if !e.noJSON {
				return JSON(a), nil
			}
		}
	}
	if v, ok, err := objectMethod(e, escapeClass, name, args); ok {
		return v, err
	}
	return nil, noMethod(escapeClass, name)
}

// escapeString applies the one-argument string escape called name to s; it returns s
// itself when nothing needed escaping.
func escapeString(name, s string) string {
	switch name {
	case "html":
		return EscapeHTML(s)
	case "xml":
		return EscapeXML(s)
	case "javascript":
		return escapeJavaStyle(s, true)
	case "java":
		return escapeJavaStyle(s, false)
	case "sql":
		return strings.ReplaceAll(s, "'", "''")
	case "url":
		return EscapeURL(s)
	case "velocity":
		return strings.ReplaceAll(strings.ReplaceAll(s, "$", "${esc.d}"), "#", "${esc.h}")
	case "propertyKey":
		return escapeProperty(s, true)
	}
	return escapeProperty(s, false)
}

// EscapeHTML is commons-lang 2.6 StringEscapeUtils.escapeHtml.
func EscapeHTML(s string) string { return escapeEntities(s, true) }

// EscapeXML is commons-lang 2.6 StringEscapeUtils.escapeXml.
func EscapeXML(s string) string { return escapeEntities(s, false) }

func escapeEntities(s string, html bool) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x80 || c == '"' || c == '&' || c == '<' || c == '>' || (!html && c == '\'') {
			break
		}
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch r {
		case '"':
			b.WriteString("&quot;")
			continue
		case '&':
			b.WriteString("&amp;")
			continue
		case '<':
			b.WriteString("&lt;")
			continue
		case '>':
			b.WriteString("&gt;")
			continue
		case '\'':
			if !html {
				b.WriteString("&apos;")
				continue
			}
		}
		if r < 0x80 {
			b.WriteByte(byte(r))
			continue
		}
		if html {
			if name, ok := html40Entities[r]; ok {
				b.WriteByte('&')
				b.WriteString(name)
				b.WriteByte(';')
				continue
			}
		}
		if r >= 0x10000 { // two UTF-16 units, each escaped
			r1, r2 := utf16.EncodeRune(r)
			writeNumericEntity(&b, r1)
			writeNumericEntity(&b, r2)
			continue
		}
		writeNumericEntity(&b, r)
	}
	return b.String()
}

func writeNumericEntity(b *strings.Builder, r rune) {
	b.WriteString("&#")
	b.WriteString(strconv.Itoa(int(r)))
	b.WriteByte(';')
}

// escapeJavaStyle is StringEscapeUtils.escapeJavaStyleString: escapeJava, or
// escapeJavaScript (which also escapes ' and /).
func escapeJavaStyle(s string, js bool) string {
	if !strings.ContainsFunc(s, func(r rune) bool {
		return r < 32 || r > 0x7f || r == '"' || r == '\\' || (js && (r == '\'' || r == '/'))
	}) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			writeUnicodeEscape(&b, r1)
			writeUnicodeEscape(&b, r2)
			continue
		}
		switch {
		case r > 0x7f:
			writeUnicodeEscape(&b, r)
		case r < 32:
			switch r {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				writeUnicodeEscape(&b, r)
			}
		case r == '\'':
			if js {
				b.WriteByte('\\')
			}
			b.WriteByte('\'')
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '/':
			if js {
				b.WriteByte('\\')
			}
			b.WriteByte('/')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func writeUnicodeEscape(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	b.WriteByte(upperHex[r>>12&0xF])
	b.WriteByte(upperHex[r>>8&0xF])
	b.WriteByte(upperHex[r>>4&0xF])
	b.WriteByte(upperHex[r&0xF])
}

// EscapeURL is java.net.URLEncoder.encode(s, "UTF-8"): letters, digits and .-*_
// stay, a space becomes +, every other byte of the UTF-8 encoding becomes %XX.
func EscapeURL(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '*' || r == '_')
	}) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xF])
		}
	}
	return b.String()
}

// unicodeChar is EscapeTool.unicode: the character of a hexadecimal code point,
// optionally written "\uXXXX".
func unicodeChar(s string) (any, error) {
	h := strings.TrimPrefix(s, `\u`)
	n, err := strconv.ParseInt(h, 16, 32)
	if err != nil || h == "" || strings.HasPrefix(h, "+-") || strings.HasPrefix(h, "-+") {
		return nil, throw("java.lang.NumberFormatException", `For input string: "`+h+`" under radix 16`)
	}
	if n < 0 || n > utf8.MaxRune {
		return nil, throw("java.lang.IllegalArgumentException",
			"Not a valid Unicode code point: 0x"+strings.ToUpper(strconv.FormatUint(uint64(uint32(n)), 16)))
	}
	if n >= 0xD800 && n <= 0xDFFF {
		return string(utf8.RuneError), nil // a lone surrogate; Go strings cannot hold one
	}
	return string(rune(n)), nil
}

// escapeProperty is EscapeTool.dumpString: java.util.Properties escaping for a key
// (every space escaped) or a value (only a leading space).
func escapeProperty(s string, key bool) string {
	var b strings.Builder
	u := utf16.Encode([]rune(s))
	i := 0
	if !key && len(u) > 0 && u[0] == ' ' {
		b.WriteString(`\ `)
		i++
	}
	for ; i < len(u); i++ {
		c := u[i]
		switch c {
		case '\t':
			b.WriteString(`\t`)
			continue
		case '\n':
			b.WriteString(`\n`)
			continue
		case '\f':
			b.WriteString(`\f`)
			continue
		case '\r':
			b.WriteString(`\r`)
			continue
		}
		if strings.ContainsRune(`\#!=:`, rune(c)) || (key && c == ' ') {
			b.WriteByte('\\')
		}
		if c >= 32 && c <= 126 {
			b.WriteByte(byte(c))
			continue
		}
		h := strconv.FormatUint(uint64(c), 16)
		b.WriteString(`\u`)
		for j := len(h); j < 4; j++ {
			b.WriteByte('0')
		}
		b.WriteString(h)
	}
	return b.String()
}
