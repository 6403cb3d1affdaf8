package velocity

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
)

// java.lang.String's methods. Indexes are Java's: UTF-16 code units.

// jstring gives UTF-16 access to a string, converting only non-ASCII text.
type jstring struct {
	s     string
	u     []uint16 // nil when s is ASCII
	ascii bool
}

func newJString(s string) jstring {
	if isASCII(s) {
		return jstring{s: s, ascii: true}
	}
	return jstring{s: s, u: utf16.Encode([]rune(s))}
}

func (j jstring) length() int {
	if j.ascii {
		return len(j.s)
	}
	return len(j.u)
}

func (j jstring) at(i int) uint16 {
	if j.ascii {
		return uint16(j.s[i])
	}
	return j.u[i]
}

func (j jstring) slice(a, b int) string {
	if j.ascii {
		return j.s[a:b]
	}
	return fromUTF16(j.u[a:b])
}

// indexOf is String.indexOf(str, from) in code units.
func (j jstring) indexOf(sub string, from int) int {
	if from < 0 {
		from = 0
	}
	if j.ascii && isASCII(sub) {
		if from > len(j.s) {
			if sub == "" {
				return len(j.s)
			}
			return -1
		}
		i := strings.Index(j.s[from:], sub)
		if i < 0 {
			return -1
		}
		return i + from
	}
	su := utf16.Encode([]rune(sub))
	u := j.units()
	if from >= len(u) {
		if len(su) == 0 {
			return len(u)
		}
		return -1
	}
	for i := from; i+len(su) <= len(u); i++ {
		if equalUnits(u[i:i+len(su)], su) {
			return i
		}
	}
	return -1
}

func (j jstring) lastIndexOf(sub string, from int) int {
	su := utf16.Encode([]rune(sub))
	u := j.units()
	if from > len(u)-len(su) {
		from = len(u) - len(su)
	}
	for i := from; i >= 0; i-- {
		if equalUnits(u[i:i+len(su)], su) {
			return i
		}
	}
	return -1
}

func (j jstring) units() []uint16 {
	if j.ascii {
		u := make([]uint16, len(j.s))
		for i := 0; i < len(j.s); i++ {
			u[i] = uint16(j.s[i])
		}
		return u
	}
	return j.u
}

func equalUnits(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func intArg(v any) int {
	switch x := v.(type) {
	case int32:
		return int(x)
	case int16:
		return int(x)
	case int8:
		return int(x)
	case int64:
		return int(x)
	case javaChar:
		return int(x)
	}
	return 0
}

// charCode is an int argument that stands for a character (indexOf(int ch)).
func charCode(v any) int { return intArg(v) }

func strIndexError(i int) error {
	return throw("java.lang.StringIndexOutOfBoundsException", "String index out of range: "+strconv.Itoa(i))
}

func beginEndError(b, e, n int) error {
	return throw("java.lang.StringIndexOutOfBoundsException",
		"begin "+strconv.Itoa(b)+", end "+strconv.Itoa(e)+", length "+strconv.Itoa(n))
}

func runeString(code int) string {
	if code >= 0xD800 && code <= 0xDFFF {
		return "?" // a lone surrogate, as Java writes it (see fromUTF16)
	}
	return string(rune(code))
}

var stringMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	s := func(r any) string { return r.(string) }
	t.add("length", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(utf16Len(s(r))), nil
	})
	t.add("isEmpty", retBool, func(st *state, r any, a []any) (any, error) { return s(r) == "", nil })
	t.add("isBlank", retBool, func(st *state, r any, a []any) (any, error) {
		return strings.TrimFunc(s(r), javaWhitespace) == "", nil
	})
	t.add("charAt", retValue, func(st *state, r any, a []any) (any, error) {
		j := newJString(s(r))
		i := intArg(a[0])
		if i < 0 || i >= j.length() {
			return nil, strIndexError(i)
		}
		return javaChar(j.at(i)), nil
	}, pInt)
	t.add("codePointAt", retValue, func(st *state, r any, a []any) (any, error) {
		j := newJString(s(r))
		i := intArg(a[0])
		if i < 0 || i >= j.length() {
			return nil, throw("java.lang.StringIndexOutOfBoundsException", "index "+strconv.Itoa(i)+", length "+strconv.Itoa(j.length()))
		}
		u := j.units()
		if utf16.IsSurrogate(rune(u[i])) && i+1 < len(u) {
			if c := utf16.DecodeRune(rune(u[i]), rune(u[i+1])); c != unicode.ReplacementChar {
				return int32(c), nil
			}
		}
		return int32(u[i]), nil
	}, pInt)
	substring := func(st *state, str string, b, e int, hasEnd bool) (any, error) {
		j := newJString(str)
		n := j.length()
		if !hasEnd {
			e = n
		}
		if b < 0 || b > e || e > n {
			return nil, beginEndError(b, e, n)
		}
		return j.slice(b, e), nil
	}
	t.add("substring", retValue, func(st *state, r any, a []any) (any, error) {
		return substring(st, s(r), intArg(a[0]), 0, false)
	}, pInt)
	t.add("substring", retValue, func(st *state, r any, a []any) (any, error) {
		return substring(st, s(r), intArg(a[0]), intArg(a[1]), true)
	}, pInt, pInt)
	t.add("subSequence", retValue, func(st *state, r any, a []any) (any, error) {
		return substring(st, s(r), intArg(a[0]), intArg(a[1]), true)
	}, pInt, pInt)
	t.add("indexOf", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return int32(newJString(s(r)).indexOf(a[0].(string), 0)), nil
	}, tString)
	t.add("indexOf", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return int32(newJString(s(r)).indexOf(a[0].(string), intArg(a[1]))), nil
	}, tString, pInt)
	t.add("indexOf", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(newJString(s(r)).indexOf(runeString(charCode(a[0])), 0)), nil
	}, pInt)
	t.add("indexOf", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(newJString(s(r)).indexOf(runeString(charCode(a[0])), intArg(a[1]))), nil
	}, pInt, pInt)
	t.add("lastIndexOf", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		j := newJString(s(r))
		return int32(j.lastIndexOf(a[0].(string), j.length())), nil
	}, tString)
	t.add("lastIndexOf", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return int32(newJString(s(r)).lastIndexOf(a[0].(string), intArg(a[1]))), nil
	}, tString, pInt)
	t.add("lastIndexOf", retValue, func(st *state, r any, a []any) (any, error) {
		j := newJString(s(r))
		return int32(j.lastIndexOf(runeString(charCode(a[0])), j.length())), nil
	}, pInt)
	t.add("lastIndexOf", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(newJString(s(r)).lastIndexOf(runeString(charCode(a[0])), intArg(a[1]))), nil
	}, pInt, pInt)
	t.add("contains", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return strings.Contains(s(r), a[0].(string)), nil
	}, tCharSequence)
	t.add("startsWith", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return strings.HasPrefix(s(r), a[0].(string)), nil
	}, tString)
	t.add("startsWith", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		j := newJString(s(r))
		off := intArg(a[1])
		p := newJString(a[0].(string))
		if off < 0 || off > j.length()-p.length() {
			return false, nil
		}
		return j.slice(off, off+p.length()) == a[0].(string), nil
	}, tString, pInt)
	t.add("regionMatches", retBool, func(st *state, r any, a []any) (any, error) {
		return regionMatches(s(r), false, intArg(a[0]), a[1], intArg(a[2]), intArg(a[3]))
	}, pInt, tString, pInt, pInt)
	t.add("regionMatches", retBool, func(st *state, r any, a []any) (any, error) {
		return regionMatches(s(r), a[0].(bool), intArg(a[1]), a[2], intArg(a[3]), intArg(a[4]))
	}, pBool, pInt, tString, pInt, pInt)
	t.add("endsWith", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return strings.HasSuffix(s(r), a[0].(string)), nil
	}, tString)
	t.add("equalsIgnoreCase", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return false, nil
		}
		return equalsIgnoreCase(s(r), a[0].(string)), nil
	}, tString)
	t.add("contentEquals", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return s(r) == a[0].(string), nil
	}, tCharSequence)
	t.add("contentEquals", retBool, func(st *state, r any, a []any) (any, error) {
		return nil, npe() // only null reaches the StringBuffer overload
	}, tStringBuffer)
	t.add("compareTo", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return int32(compareUTF16(s(r), a[0].(string))), nil
	}, tString)
	t.add("compare", retValue, func(st *state, r any, a []any) (any, error) { // CharSequence.compare, static
		if a[0] == nil || a[1] == nil {
			return nil, npe()
		}
		return int32(compareUTF16(a[0].(string), a[1].(string))), nil
	}, tCharSequence, tCharSequence)
	t.add("compareTo", retValue, func(st *state, r any, a []any) (any, error) { // the bridge method
		if a[0] == nil {
			return nil, npe()
		}
		o, ok := a[0].(string)
		if !ok {
			return nil, classCast(a[0], "java.lang.String")
		}
		return int32(compareUTF16(s(r), o)), nil
	}, tObject)
	t.add("compareToIgnoreCase", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return int32(compareIgnoreCase(s(r), a[0].(string))), nil
	}, tString)
	t.add("concat", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		if err := st.checkBytes(len(s(r))+len(a[0].(string)), posUnknown); err != nil {
			return nil, err
		}
		return s(r) + a[0].(string), nil
	}, tString)
	t.add("repeat", retValue, func(st *state, r any, a []any) (any, error) {
		n := intArg(a[0])
		if n < 0 {
			return nil, throw("java.lang.IllegalArgumentException", "count is negative: "+strconv.Itoa(n))
		}
		// Java's limit is on the string's bytes: one per char when all chars are
		// Latin-1, else two.
		if size := latin1Bytes(s(r)); n > 0 && size > math.MaxInt32/n {
			return nil, throw("java.lang.OutOfMemoryError", "Required length exceeds implementation limit")
		} else if size*n > maxJavaArray {
			return nil, throw("java.lang.OutOfMemoryError", "Requested array size exceeds VM limit")
		}
		if err := st.checkBytes(len(s(r))*n, posUnknown); err != nil {
			return nil, err
		}
		return strings.Repeat(s(r), n), nil
	}, pInt)
	t.add("replace", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, npe()
		}
		old, nw := a[0].(string), a[1].(string)
		res := javaReplace(s(r), old, nw)
		if err := st.checkBytes(len(res), posUnknown); err != nil {
			return nil, err
		}
		return res, nil
	}, tCharSequence, tCharSequence)
	t.add("replace", retValue, func(st *state, r any, a []any) (any, error) {
		old, nw := a[0].(javaChar), a[1].(javaChar)
		j := newJString(s(r))
		u := append([]uint16(nil), j.units()...)
		for i := range u {
			if u[i] == uint16(old) {
				u[i] = uint16(nw)
			}
		}
		return fromUTF16(u), nil
	}, pChar, pChar)
	t.add("replaceAll", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		if a[1] == nil {
			// Matcher.replaceAll reads the replacement only at the first match.
			ce := compileJavaEntry(a[0].(string))
			if ce.err != nil {
				return nil, st.regexError(ce.err)
			}
			if ce.re.MatchString(s(r)) {
				return nil, npe()
			}
			return s(r), nil
		}
		return st.regexReplace(s(r), a[0].(string), a[1].(string), true)
	}, tString, tString)
	t.add("replaceFirst", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, npe()
		}
		return st.regexReplace(s(r), a[0].(string), a[1].(string), false)
	}, tString, tString)
	t.add("matches", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return st.regexMatches(s(r), a[0].(string))
	}, tString)
	t.add("split", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return st.regexSplit(s(r), a[0].(string), 0)
	}, tString)
	t.add("split", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		return st.regexSplit(s(r), a[0].(string), intArg(a[1]))
	}, tString, pInt)
	t.add("toUpperCase", retValue, func(st *state, r any, a []any) (any, error) {
		return javaUpper(s(r)), nil
	})
	t.add("toLowerCase", retValue, func(st *state, r any, a []any) (any, error) {
		return javaLower(s(r)), nil
	})
	t.add("trim", retValue, func(st *state, r any, a []any) (any, error) {
		return strings.TrimFunc(s(r), func(c rune) bool { return c <= ' ' }), nil
	})
	t.add("strip", retValue, func(st *state, r any, a []any) (any, error) {
		return strings.TrimFunc(s(r), javaWhitespace), nil
	})
	t.add("stripLeading", retValue, func(st *state, r any, a []any) (any, error) {
		return strings.TrimLeftFunc(s(r), javaWhitespace), nil
	})
	t.add("stripTrailing", retValue, func(st *state, r any, a []any) (any, error) {
		return strings.TrimRightFunc(s(r), javaWhitespace), nil
	})
	t.add("intern", retValue, func(st *state, r any, a []any) (any, error) { return r, nil })
	t.add("toCharArray", retValue, func(st *state, r any, a []any) (any, error) {
		j := newJString(s(r))
		items := make([]any, j.length())
		for i := range items {
			items[i] = javaChar(j.at(i))
		}
		return &javaArray{items: items, cls: clsObjectArray}, nil
	})
	bytesOf := func(b []byte) any {
		items := make([]any, len(b))
		for i, c := range b {
			items[i] = int8(c)
		}
		return &javaArray{items: items, cls: clsObjectArray}
	}
	t.add("getBytes", retValue, func(st *state, r any, a []any) (any, error) {
		return bytesOf([]byte(s(r))), nil
	})
	t.add("getBytes", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		b, err := encodeCharset(s(r), a[0].(string))
		if err != nil {
			return nil, err
		}
		return bytesOf(b), nil
	}, tString)
	t.add("getBytes", retValue, nil, tOther) // getBytes(Charset): no template value is a Charset
	t.add("join", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, npe()
		}
		var b strings.Builder
		for i, e := range st.iterItems(a[1]) {
			if i > 0 {
				b.WriteString(a[0].(string))
			}
			es, err := st.toString(e)
			if err != nil {
				return nil, err
			}
			b.WriteString(es)
		}
		return b.String(), nil
	}, tCharSequence, tIterable)
	t.add("join", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, npe()
		}
		var b strings.Builder
		for i, e := range a[1].(*javaArray).items {
			if i > 0 {
				b.WriteString(a[0].(string))
			}
			if e == nil {
				b.WriteString("null")
				continue
			}
			es, err := st.toString(e)
			if err != nil {
				return nil, err
			}
			b.WriteString(es)
		}
		return b.String(), nil
	}, tCharSequence, tCharSeqArray)
	// Static methods, callable through an instance.
	t.add("format", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		var args []any
		if arr, ok := a[1].(*javaArray); ok {
			args = arr.items
		}
		return st.javaFormat(a[0].(string), args, a[1] == nil)
	}, tString, tObjectArray)
	t.add("formatted", retValue, func(st *state, r any, a []any) (any, error) {
		var args []any
		if arr, ok := a[0].(*javaArray); ok {
			args = arr.items
		}
		return st.javaFormat(s(r), args, a[0] == nil)
	}, tObjectArray)
	// format(Locale, String, Object...): a template has no Locale, so the locale is
	// null, which formats as en_US does (Formatter's separators for no locale).
	t.add("format", retValue, func(st *state, r any, a []any) (any, error) {
		if a[1] == nil {
			return nil, npe()
		}
		var args []any
		if arr, ok := a[2].(*javaArray); ok {
			args = arr.items
		}
		return st.javaFormat(a[1].(string), args, a[2] == nil)
	}, tOther, tString, tObjectArray)
	charsOf := func(v any, from, n int) (any, error) {
		arr, ok := v.(*javaArray)
		if !ok {
			return nil, npe()
		}
		if from < 0 || n < 0 || from+n > len(arr.items) {
			return nil, throw("java.lang.StringIndexOutOfBoundsException", "offset "+strconv.Itoa(from)+", count "+strconv.Itoa(n)+", length "+strconv.Itoa(len(arr.items)))
		}
		u := make([]uint16, 0, n)
		for _, c := range arr.items[from : from+n] {
			ch, ok := c.(javaChar)
			if !ok {
				return nil, classCast(c, "java.lang.Character")
			}
			u = append(u, uint16(ch))
		}
		return fromUTF16(u), nil
	}
	for _, name := range []string{"valueOf", "copyValueOf"} {
		t.add(name, retValue, func(st *state, r any, a []any) (any, error) {
			arr, _ := a[0].(*javaArray)
			if arr == nil {
				return nil, npe()
			}
			return charsOf(a[0], 0, len(arr.items))
		}, tCharArray)
		t.add(name, retValue, func(st *state, r any, a []any) (any, error) {
			return charsOf(a[0], intArg(a[1]), intArg(a[2]))
		}, tCharArray, pInt, pInt)
	}
	t.add("valueOf", retValue, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return "null", nil
		}
		return st.toString(a[0])
	}, tObject)
	for _, p := range []ptype{pInt, pLong, pDouble, pFloat, pBool, pChar} {
		t.add("valueOf", retValue, func(st *state, r any, a []any) (any, error) {
			return st.toString(a[0])
		}, p)
	}
	return t
}()

// javaWhitespace is Character.isWhitespace.
func javaWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f:
		return true
	case 0xa0, 0x2007, 0x202f:
		return false
	}
	return unicode.Is(unicode.Zs, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

func compareUTF16(a, b string) int {
	if isASCII(a) && isASCII(b) {
		n := len(a)
		if len(b) < n {
			n = len(b)
		}
		for i := 0; i < n; i++ {
			if a[i] != b[i] {
				return int(a[i]) - int(b[i])
			}
		}
		return len(a) - len(b)
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	n := len(ua)
	if len(ub) < n {
		n = len(ub)
	}
	for i := 0; i < n; i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

// regionMatches is String.regionMatches: len code units of s from toff against
// other from ooff, false when either region is out of bounds.
func regionMatches(s string, ignoreCase bool, toff int, other any, ooff, n int) (any, error) {
	if other == nil {
		return nil, npe()
	}
	j, o := newJString(s), newJString(other.(string))
	if ooff < 0 || toff < 0 || toff > j.length()-n || ooff > o.length()-n {
		return false, nil
	}
	for i := 0; i < n; i++ {
		c1, c2 := rune(j.at(toff+i)), rune(o.at(ooff+i))
		if c1 == c2 {
			continue
		}
		if !ignoreCase {
			return false, nil
		}
		c1, c2 = unicode.ToUpper(c1), unicode.ToUpper(c2)
		if c1 != c2 && unicode.ToLower(c1) != unicode.ToLower(c2) {
			return false, nil
		}
	}
	return true, nil
}

// compareIgnoreCase is String.CASE_INSENSITIVE_ORDER.
func compareIgnoreCase(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	n := len(ua)
	if len(ub) < n {
		n = len(ub)
	}
	for i := 0; i < n; i++ {
		c1, c2 := rune(ua[i]), rune(ub[i])
		if c1 != c2 {
			c1, c2 = unicode.ToUpper(c1), unicode.ToUpper(c2)
			if c1 != c2 {
				c1, c2 = unicode.ToLower(c1), unicode.ToLower(c2)
				if c1 != c2 {
					return int(c1) - int(c2)
				}
			}
		}
	}
	return len(ua) - len(ub)
}

// maxJavaArray is HotSpot's largest byte[] (64-bit, compressed class pointers).
const maxJavaArray = math.MaxInt32 - 2

// latin1Bytes is the length of Java's byte array for s: its UTF-16 length, doubled
// unless every char is Latin-1.
func latin1Bytes(s string) int {
	n := 0
	wide := false
	for _, c := range s {
		n++
		if c > 0xFFFF {
			n++
		}
		wide = wide || c > 0xFF
	}
	if wide {
		return 2 * n
	}
	return n
}

func equalsIgnoreCase(a, b string) bool {
	if utf16Len(a) != utf16Len(b) {
		return false
	}
	return compareIgnoreCase(a, b) == 0
}

// javaReplace is String.replace(CharSequence, CharSequence); an empty target
// inserts the replacement around every char.
func javaReplace(s, old, nw string) string {
	if old != "" {
		return strings.ReplaceAll(s, old, nw)
	}
	j := newJString(s)
	var b strings.Builder
	b.WriteString(nw)
	for i := 0; i < j.length(); i++ {
		b.WriteString(j.slice(i, i+1))
		b.WriteString(nw)
	}
	return b.String()
}

// javaUpper and javaLower are String.toUpperCase/toLowerCase in the en_US locale,
// with Java's special cases (ß becomes SS, final sigma).
func javaUpper(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'ß':
			b.WriteString("SS")
			continue
		case 'ŉ':
			b.WriteString("ʼN")
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func javaLower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case 'İ':
			b.WriteString("i̇")
			continue
		case 'Σ':
			if finalSigma(rs, i) {
				b.WriteRune('ς')
				continue
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func finalSigma(rs []rune, i int) bool {
	if i == 0 || !unicode.IsLetter(rs[i-1]) {
		return false
	}
	return i+1 >= len(rs) || !unicode.IsLetter(rs[i+1])
}

// encodeCharset is String.getBytes(charsetName) for the common charsets.
func encodeCharset(s, name string) ([]byte, error) {
	switch strings.ToUpper(strings.ReplaceAll(name, "_", "-")) {
	case "UTF-8", "UTF8":
		return []byte(s), nil
	case "US-ASCII", "ASCII":
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r >= 0x80 {
				r = '?'
			}
			b = append(b, byte(r))
		}
		return b, nil
	case "ISO-8859-1", "ISO8859-1", "LATIN1":
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r >= 0x100 {
				r = '?'
			}
			b = append(b, byte(r))
		}
		return b, nil
	case "UTF-16":
		u := utf16.Encode([]rune(s))
		b := []byte{0xFE, 0xFF}
		for _, c := range u {
			b = append(b, byte(c>>8), byte(c))
		}
		return b, nil
	case "UTF-16BE":
		var b []byte
		for _, c := range utf16.Encode([]rune(s)) {
			b = append(b, byte(c>>8), byte(c))
		}
		return b, nil
	case "UTF-16LE":
		var b []byte
		for _, c := range utf16.Encode([]rune(s)) {
			b = append(b, byte(c), byte(c>>8))
		}
		return b, nil
	}
	return nil, throw("java.io.UnsupportedEncodingException", name)
}
