package tools

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/flowhook/flowhook/shared/velocity"
)

const stringUtilsClass = "org.apache.commons.lang.StringUtils"

// StringUtils is commons-lang 2.6's org.apache.commons.lang.StringUtils, whose static
// methods the reference engine exposes as $stringUtils. The commonly used part is
// here: isEmpty isNotEmpty isBlank isNotBlank trim trimToNull trimToEmpty strip
// stripToNull stripToEmpty stripStart stripEnd equals equalsIgnoreCase indexOf
// lastIndexOf ordinalIndexOf indexOfAny contains containsIgnoreCase containsAny
// containsNone containsOnly substring left right mid substringBefore substringAfter
// substringBeforeLast substringAfterLast substringBetween split
// splitPreserveAllTokens splitByWholeSeparator join repeat leftPad rightPad center
// upperCase lowerCase capitalize uncapitalize swapCase reverse countMatches remove
// removeStart removeEnd replace replaceOnce chomp chop deleteWhitespace
// defaultString defaultIfEmpty defaultIfBlank abbreviate isNumeric isAlpha
// isAlphanumeric isAlphaSpace isWhitespace isAllLowerCase isAllUpperCase startsWith
// endsWith startsWithIgnoreCase endsWithIgnoreCase difference indexOfDifference
// getLevenshteinDistance normalizeSpace length clean capitalise uncapitalise
// deleteSpaces isNumericSpace isAlphanumericSpace isAsciiPrintable
// removeStartIgnoreCase removeEndIgnoreCase indexOfIgnoreCase
// lastIndexOfIgnoreCase replaceChars overlay lastOrdinalIndexOf. join(a, b, ...) of values that are not
// collections is join(Object[]) with the arguments as its array (Velocity 1.7
// passes trailing arguments to any last array parameter), so they are
// concatenated.
//
// Arguments must have the Java parameter types (a String parameter takes a string
// or null, an int an Integer); other calls print the reference's source, as in
// Velocity. Indexes and lengths count UTF-16 units, as Java does. upperCase and
// lowerCase use Go's per-character case mapping plus Java's ß → SS; Java's other
// multi-character and context-dependent mappings (final sigma, dotted I) are not
// reproduced. split returns a list (Java returns a String[], which prints as an
// identity hash).
//
// StringUtils is stateless and safe for concurrent use.
type StringUtils struct{}

// NewStringUtils returns a StringUtils.
func NewStringUtils() *StringUtils { return &StringUtils{} }

// JavaClass returns the class name, for the engine's messages.
func (*StringUtils) JavaClass() string { return stringUtilsClass }

type u16 []uint16

func enc(s string) u16 { return utf16.Encode([]rune(s)) }

// s decodes u; a lone surrogate becomes "?", as Java writes it to UTF-8 output.
func (u u16) s() string {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 0xD800 && c <= 0xDBFF && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] <= 0xDFFF:
			i++
		case c >= 0xD800 && c <= 0xDFFF:
			w := append(u16(nil), u...)
			w[i] = '?'
			return w.s()
		}
	}
	return string(utf16.Decode(u))
}

// javaIsWhitespace is Character.isWhitespace.
func javaIsWhitespace(c rune) bool {
	switch c {
	case '\u00A0', '\u2007', '\u202F':
		return false
	case '\t', '\n', '\u000B', '\f', '\r', '\u001C', '\u001D', '\u001E', '\u001F':
		return true
	}
	return unicode.In(c, unicode.Zs, unicode.Zl, unicode.Zp)
}

func toUpper16(c uint16) rune { return unicode.ToUpper(rune(c)) }
func toLower16(c uint16) rune { return unicode.ToLower(rune(c)) }

// sargs reads String parameters; ok is false if an argument is not a string or null.
func sargs(args []any) (vals []string, nulls []bool, ok bool) {
	vals = make([]string, len(args))
	nulls = make([]bool, len(args))
	for i, a := range args {
		s, isNull, isStr := strArg(a)
		if !isStr {
			return nil, nil, false
		}
		vals[i], nulls[i] = s, isNull
	}
	return vals, nulls, true
}

func indexOf16(s, sub u16, from int) int {
	if from < 0 {
		from = 0
	}
	for i := from; i+len(sub) <= len(s); i++ {
		if equal16(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func lastIndexOf16(s, sub u16, from int) int {
	if from > len(s)-len(sub) {
		from = len(s) - len(sub)
	}
	for i := from; i >= 0; i-- {
		if equal16(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equal16(a, b u16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

func strip(s string, chars string, charsNull bool, start, end bool) string {
	in := func(r rune) bool {
		if charsNull {
			return javaIsWhitespace(r)
		}
		return strings.ContainsRune(chars, r)
	}
	if start {
		s = strings.TrimLeftFunc(s, in)
	}
	if end {
		s = strings.TrimRightFunc(s, in)
	}
	return s
}

func isBlank(s string, isNull bool) bool {
	if isNull {
		return true
	}
	for _, r := range s {
		if !javaIsWhitespace(r) {
			return false
		}
	}
	return true
}

func javaUpper(s string) string {
	s = strings.ToUpper(s)
	if strings.ContainsRune(s, 'ß') {
		s = strings.ReplaceAll(s, "ß", "SS")
	}
	return s
}

// Method implements velocity.Object.
func (u *StringUtils) Method(name string, args []any) (any, error) {
	return call(u.method, name, args)
}

func (u *StringUtils) method(name string, args []any) (any, error) {
	v, ok, err := u.call(name, args)
	if ok {
		return v, err
	}
	if v, ok, err := objectMethod(u, stringUtilsClass, name, args); ok {
		return v, err
	}
	return nil, noMethod(stringUtilsClass, name)
}

func (u *StringUtils) call(name string, args []any) (any, bool, error) {
	// Methods with list or int parameters first.
	switch name {
	case "join":
		return joinCall(args)
	case "repeat", "leftPad", "rightPad", "center", "left", "right", "mid", "substring", "abbreviate", "ordinalIndexOf",
		"indexOf", "lastIndexOf", "replace", "split", "splitPreserveAllTokens", "splitByWholeSeparator",
		"lastOrdinalIndexOf", "overlay":
		if v, ok, err := intCall(name, args); ok {
			return v, true, err
		}
	}
	vals, nulls, ok := sargs(args)
	if !ok {
		return nil, false, nil
	}
	s := func(i int) string { return vals[i] }
	null := func(i int) bool { return nulls[i] }
	switch len(args) {
	case 1:
		a, an := s(0), null(0)
		switch name {
		case "isEmpty":
			return an || a == "", true, nil
		case "isNotEmpty":
			return !(an || a == ""), true, nil
		case "isBlank":
			return isBlank(a, an), true, nil
		case "isNotBlank":
			return !isBlank(a, an), true, nil
		case "defaultString":
			return a, true, nil
		}
		if an {
			switch name {
			case "isNumeric", "isAlpha", "isAlphanumeric", "isAlphaSpace", "isWhitespace", "isAllLowerCase", "isAllUpperCase":
				return false, true, nil
			case "trimToEmpty", "stripToEmpty", "clean":
				return "", true, nil
			case "length":
				return int32(0), true, nil
			case "isNumericSpace", "isAlphanumericSpace", "isAsciiPrintable":
				return false, true, nil
			case "normalizeSpace", "deleteSpaces", "capitalise", "uncapitalise":
				return nil, true, nil
			case "trim", "trimToNull", "strip", "stripToNull", "upperCase", "lowerCase", "capitalize", "uncapitalize",
				"swapCase", "reverse", "chomp", "chop", "deleteWhitespace", "split", "splitPreserveAllTokens":
				return nil, true, nil
			}
			return nil, false, nil
		}
		switch name {
		case "trim", "trimToEmpty", "clean":
			return javaTrim(a), true, nil
		case "length":
			return int32(len(enc(a))), true, nil
		case "normalizeSpace":
			return normalizeSpace(a), true, nil
		case "deleteSpaces":
			return strings.Map(func(r rune) rune {
				if strings.ContainsRune(" \t\r\n\b", r) {
					return -1
				}
				return r
			}, a), true, nil
		case "isNumericSpace", "isAlphanumericSpace", "isAsciiPrintable":
			for _, r := range a {
				var ok bool
				switch name {
				case "isNumericSpace":
					ok = unicode.IsDigit(r) || r == ' '
				case "isAlphanumericSpace":
					ok = unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' '
				default:
					ok = r >= 32 && r < 127
				}
				if !ok {
					return false, true, nil
				}
			}
			return true, true, nil
		case "trimToNull":
			if t := javaTrim(a); t != "" {
				return t, true, nil
			}
			return nil, true, nil
		case "strip", "stripToEmpty":
			return strip(a, "", true, true, true), true, nil
		case "stripToNull":
			if t := strip(a, "", true, true, true); t != "" {
				return t, true, nil
			}
			return nil, true, nil
		case "upperCase":
			return javaUpper(a), true, nil
		case "lowerCase":
			return strings.ToLower(a), true, nil
		case "capitalize", "uncapitalize", "capitalise", "uncapitalise":
			if a == "" {
				return a, true, nil
			}
			w := enc(a)
			if name == "capitalize" || name == "capitalise" {
				w[0] = uint16(unicode.ToTitle(rune(w[0])))
			} else {
				w[0] = uint16(unicode.ToLower(rune(w[0])))
			}
			return w.s(), true, nil
		case "swapCase":
			w := enc(a)
			for i, c := range w {
				r := rune(c)
				switch {
				case unicode.IsUpper(r), unicode.IsTitle(r):
					w[i] = uint16(unicode.ToLower(r))
				case unicode.IsLower(r):
					w[i] = uint16(unicode.ToUpper(r))
				}
			}
			return w.s(), true, nil
		case "reverse":
			// StrBuilder.reverse turns chars around, surrogate pairs too.
			w := enc(a)
			for i, j := 0, len(w)-1; i < j; i, j = i+1, j-1 {
				w[i], w[j] = w[j], w[i]
			}
			return w.s(), true, nil
		case "chomp":
			switch {
			case strings.HasSuffix(a, "\r\n"):
				return a[:len(a)-2], true, nil
			case strings.HasSuffix(a, "\n"), strings.HasSuffix(a, "\r"):
				return a[:len(a)-1], true, nil
			}
			return a, true, nil
		case "chop":
			w := enc(a)
			switch {
			case len(w) < 2:
				return "", true, nil
			case w[len(w)-1] == '\n' && w[len(w)-2] == '\r':
				return w[:len(w)-2].s(), true, nil
			}
			return w[:len(w)-1].s(), true, nil
		case "deleteWhitespace":
			return strings.Map(func(r rune) rune {
				if javaIsWhitespace(r) {
					return -1
				}
				return r
			}, a), true, nil
		case "isNumeric", "isAlpha", "isAlphanumeric", "isAlphaSpace", "isAllLowerCase", "isAllUpperCase":
			if a == "" && (name == "isAllLowerCase" || name == "isAllUpperCase") {
				return false, true, nil
			}
			for _, r := range a {
				var ok bool
				switch name {
				case "isNumeric":
					ok = unicode.IsDigit(r)
				case "isAlpha":
					ok = unicode.IsLetter(r)
				case "isAlphanumeric":
					ok = unicode.IsLetter(r) || unicode.IsDigit(r)
				case "isAlphaSpace":
					ok = unicode.IsLetter(r) || r == ' '
				case "isAllLowerCase":
					ok = unicode.IsLower(r)
				case "isAllUpperCase":
					ok = unicode.IsUpper(r)
				}
				if !ok {
					return false, true, nil
				}
			}
			return true, true, nil
		case "isWhitespace":
			for _, r := range a {
				if !javaIsWhitespace(r) {
					return false, true, nil
				}
			}
			return true, true, nil
		case "split":
			return splitChars(a, "", true, 0, false), true, nil
		case "splitPreserveAllTokens":
			return splitChars(a, "", true, 0, true), true, nil
		}
	case 2:
		a, an, b, bn := s(0), null(0), s(1), null(1)
		switch name {
		case "equals":
			return an == bn && a == b, true, nil
		case "equalsIgnoreCase":
			return an == bn && (an || compareIgnoreCase(a, b) == 0 && len(enc(a)) == len(enc(b))), true, nil
		case "defaultString":
			if an {
				return nullable(b, bn), true, nil
			}
			return a, true, nil
		case "defaultIfEmpty":
			if an || a == "" {
				return nullable(b, bn), true, nil
			}
			return a, true, nil
		case "defaultIfBlank":
			if isBlank(a, an) {
				return nullable(b, bn), true, nil
			}
			return a, true, nil
		case "contains", "containsIgnoreCase":
			if an || bn {
				return false, true, nil
			}
			if name == "containsIgnoreCase" {
				a, b = javaUpper(a), javaUpper(b)
			}
			return strings.Contains(a, b), true, nil
		case "containsAny", "containsNone", "indexOfAny":
			idx := -1
			if !an && !bn && a != "" && b != "" {
				w, set := enc(a), enc(b)
				for i, c := range w {
					if indexOf16(set, u16{c}, 0) >= 0 {
						idx = i
						break
					}
				}
			}
			switch name {
			case "containsAny":
				return idx >= 0, true, nil
			case "containsNone":
				return an || bn || idx < 0, true, nil
			}
			return int32(idx), true, nil
		case "containsOnly":
			if an || bn {
				return false, true, nil
			}
			set := enc(b)
			for _, c := range enc(a) {
				if indexOf16(set, u16{c}, 0) < 0 {
					return false, true, nil
				}
			}
			return true, true, nil
		case "startsWith", "endsWith", "startsWithIgnoreCase", "endsWithIgnoreCase":
			if an || bn {
				return an && bn, true, nil
			}
			wa, wb := enc(a), enc(b)
			if len(wb) > len(wa) {
				return false, true, nil
			}
			var part u16
			if strings.HasPrefix(name, "starts") {
				part = wa[:len(wb)]
			} else {
				part = wa[len(wa)-len(wb):]
			}
			if strings.HasSuffix(name, "IgnoreCase") {
				return compareIgnoreCase(part.s(), b) == 0, true, nil
			}
			return equal16(part, wb), true, nil
		case "strip", "stripStart", "stripEnd":
			if an {
				return nil, true, nil
			}
			return strip(a, b, bn, name != "stripEnd", name != "stripStart"), true, nil
		case "substringBefore", "substringAfter", "substringBeforeLast", "substringAfterLast":
			return substringAround(name, a, an, b, bn), true, nil
		case "substringBetween":
			return substringBetween(a, an, b, bn, b, bn), true, nil
		case "removeStartIgnoreCase", "removeEndIgnoreCase":
			if an || a == "" || bn || b == "" {
				return nullable(a, an), true, nil
			}
			wa, wb := enc(a), enc(b)
			if len(wb) > len(wa) {
				return a, true, nil
			}
			if name == "removeStartIgnoreCase" && compareIgnoreCase(wa[:len(wb)].s(), b) == 0 {
				return wa[len(wb):].s(), true, nil
			}
			if name == "removeEndIgnoreCase" && compareIgnoreCase(wa[len(wa)-len(wb):].s(), b) == 0 {
				return wa[:len(wa)-len(wb)].s(), true, nil
			}
			return a, true, nil
		case "indexOfIgnoreCase", "lastIndexOfIgnoreCase":
			if an || bn {
				return int32(-1), true, nil
			}
			wa, wb := enc(a), enc(b)
			match := func(i int) bool { return compareIgnoreCase(wa[i:i+len(wb)].s(), b) == 0 }
			if name == "indexOfIgnoreCase" {
				for i := 0; i+len(wb) <= len(wa); i++ {
					if match(i) {
						return int32(i), true, nil
					}
				}
				return int32(-1), true, nil
			}
			for i := len(wa) - len(wb); i >= 0; i-- {
				if match(i) {
					return int32(i), true, nil
				}
			}
			return int32(-1), true, nil
		case "remove", "removeStart", "removeEnd":
			if an || a == "" || bn || b == "" {
				return nullable(a, an), true, nil
			}
			switch name {
			case "remove":
				return strings.ReplaceAll(a, b, ""), true, nil
			case "removeStart":
				return strings.TrimPrefix(a, b), true, nil
			}
			return strings.TrimSuffix(a, b), true, nil
		case "countMatches":
			if an || bn || a == "" || b == "" {
				return int32(0), true, nil
			}
			return int32(strings.Count(a, b)), true, nil
		case "indexOf", "lastIndexOf":
			if an || bn {
				return int32(-1), true, nil
			}
			if name == "indexOf" {
				return int32(indexOf16(enc(a), enc(b), 0)), true, nil
			}
			wa := enc(a)
			return int32(lastIndexOf16(wa, enc(b), len(wa))), true, nil
		case "split", "splitPreserveAllTokens":
			if an {
				return nil, true, nil
			}
			return splitChars(a, b, bn, 0, name == "splitPreserveAllTokens"), true, nil
		case "splitByWholeSeparator":
			if an {
				return nil, true, nil
			}
			return splitWhole(a, b, bn), true, nil
		case "difference":
			if an {
				return nullable(b, bn), true, nil
			}
			if bn {
				return a, true, nil
			}
			i := indexOfDifference(a, b)
			if i == -1 {
				return "", true, nil
			}
			return enc(b)[i:].s(), true, nil
		case "indexOfDifference":
			if an || bn {
				if an == bn {
					return int32(-1), true, nil
				}
				return int32(0), true, nil
			}
			return int32(indexOfDifference(a, b)), true, nil
		case "getLevenshteinDistance":
			if an || bn {
				return nil, true, throw("java.lang.IllegalArgumentException", "Strings must not be null")
			}
			return int32(levenshtein(enc(a), enc(b))), true, nil
		}
	case 3:
		a, an, b, bn, c, cn := s(0), null(0), s(1), null(1), s(2), null(2)
		switch name {
		case "substringBetween":
			return substringBetween(a, an, b, bn, c, cn), true, nil
		case "replace", "replaceOnce":
			max := -1
			if name == "replaceOnce" {
				max = 1
			}
			return replace(a, an, b, bn, c, cn, max), true, nil
		case "split", "splitPreserveAllTokens":
			return nil, false, nil
		case "replaceChars":
			if an || a == "" || bn || b == "" {
				return nullable(a, an), true, nil
			}
			set, repl := enc(b), enc(c)
			out := make(u16, 0, len(a))
			for _, ch := range enc(a) {
				switch i := indexOf16(set, u16{ch}, 0); {
				case i < 0:
					out = append(out, ch)
				case i < len(repl):
					out = append(out, repl[i])
				}
			}
			return out.s(), true, nil
		}
	}
	return nil, false, nil
}

// normalizeSpace is StringUtils.normalizeSpace of 2.6: strip, then each run of
// whitespace becomes one space.
func normalizeSpace(a string) string {
	a = strip(a, "", true, true, true)
	if len(enc(a)) <= 2 {
		return a
	}
	var b strings.Builder
	prevSpace := false
	for _, r := range a {
		sp := javaIsWhitespace(r)
		if sp && !prevSpace {
			b.WriteByte(' ')
		} else if !sp {
			b.WriteRune(r)
		}
		prevSpace = sp
	}
	return b.String()
}

func nullable(s string, isNull bool) any {
	if isNull {
		return nil
	}
	return s
}

func replace(text string, tn bool, search string, sn bool, repl string, rn bool, max int) any {
	if tn || text == "" || sn || search == "" || rn || max == 0 {
		return nullable(text, tn)
	}
	if max < 0 {
		return strings.ReplaceAll(text, search, repl)
	}
	return strings.Replace(text, search, repl, max)
}

func substringAround(name, s string, sn bool, sep string, sepn bool) any {
	if sn || s == "" {
		return nullable(s, sn)
	}
	switch name {
	case "substringBefore":
		if sepn {
			return s
		}
		if sep == "" {
			return ""
		}
		if i := strings.Index(s, sep); i >= 0 {
			return s[:i]
		}
		return s
	case "substringAfter":
		if sepn {
			return ""
		}
		if sep == "" {
			return s
		}
		if i := strings.Index(s, sep); i >= 0 {
			return s[i+len(sep):]
		}
		return ""
	case "substringBeforeLast":
		if sepn || sep == "" {
			return s
		}
		if i := strings.LastIndex(s, sep); i >= 0 {
			return s[:i]
		}
		return s
	}
	if sepn || sep == "" {
		return ""
	}
	if i := strings.LastIndex(s, sep); i >= 0 && i+len(sep) != len(s) {
		return s[i+len(sep):]
	}
	return ""
}

func substringBetween(s string, sn bool, open string, on bool, close string, cn bool) any {
	if sn || on || cn {
		return nil
	}
	i := strings.Index(s, open)
	if i < 0 {
		return nil
	}
	j := strings.Index(s[i+len(open):], close)
	if j < 0 {
		return nil
	}
	return s[i+len(open) : i+len(open)+j]
}

// splitChars is StringUtils.splitWorker(str, separatorChars, max, preserveAllTokens):
// separators are any of the characters, or whitespace when they are null.
func splitChars(s, seps string, sepNull bool, max int, preserve bool) any {
	w := enc(s)
	if len(w) == 0 {
		return []any{}
	}
	isSep := func(c uint16) bool {
		if sepNull {
			return javaIsWhitespace(rune(c))
		}
		return strings.ContainsRune(seps, rune(c))
	}
	var list []any
	sizePlus1 := 1
	i, start := 0, 0
	match, lastMatch := false, false
	for i < len(w) {
		if isSep(w[i]) {
			if match || preserve {
				lastMatch = true
				if sizePlus1 == max {
					i = len(w)
					lastMatch = false
				}
				sizePlus1++
				list = append(list, w[start:i].s())
				match = false
			}
			i++
			start = i
			continue
		}
		lastMatch = false
		match = true
		i++
	}
	if match || (preserve && lastMatch) {
		list = append(list, w[start:i].s())
	}
	if list == nil {
		list = []any{}
	}
	return list
}

// splitWhole is StringUtils.splitByWholeSeparator (null or "" splits on whitespace).
func splitWhole(s, sep string, sepNull bool) any {
	if sepNull || sep == "" {
		return splitChars(s, "", true, 0, false)
	}
	var list []any
	for _, p := range strings.Split(s, sep) {
		if p != "" {
			list = append(list, p)
		}
	}
	if list == nil {
		list = []any{}
	}
	return list
}

func indexOfDifference(a, b string) int {
	if a == b {
		return -1
	}
	wa, wb := enc(a), enc(b)
	i := 0
	for i < len(wa) && i < len(wb) && wa[i] == wb[i] {
		i++
	}
	if i < len(wa) || i < len(wb) {
		return i
	}
	return -1
}

func levenshtein(s, t u16) int {
	if len(s) == 0 {
		return len(t)
	}
	if len(t) == 0 {
		return len(s)
	}
	prev := make([]int, len(s)+1)
	cur := make([]int, len(s)+1)
	for i := range prev {
		prev[i] = i
	}
	for j := 1; j <= len(t); j++ {
		cur[0] = j
		for i := 1; i <= len(s); i++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[i] = min(cur[i-1]+1, prev[i]+1, prev[i-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(s)]
}

// joinCall is join(Collection, String), and join(x) of a one-element Object... .
func joinCall(args []any) (any, bool, error) {
	switch len(args) {
	case 1:
		if args[0] == nil {
			return nil, false, nil // Object[], Collection and Iterator all fit: ambiguous
		}
		return javaString(args[0]), true, nil
	case 2:
		items, ok := listItems(args[0])
		sep, sepNull, isStr := strArg(args[1])
		if args[0] == nil && isStr {
			return nil, false, nil // join(Object[] | Iterator | Collection, String): ambiguous
		}
		if !ok || !isStr {
			return joinVarargs(args), true, nil
		}
		if sepNull {
			sep = ""
		}
		var b strings.Builder
		for i, e := range items {
			if i > 0 {
				b.WriteString(sep)
			}
			if e != nil {
				b.WriteString(javaString(e))
			}
			checkBuilt(b.Len())
		}
		return b.String(), true, nil
	}
	return joinVarargs(args), true, nil
}

// joinVarargs is join(Object[]) called with several arguments: Velocity 1.7 treats
// any last array parameter as varargs, so the arguments are joined with no
// separator, nulls as "".
func joinVarargs(args []any) string {
	var b strings.Builder
	for _, e := range args {
		if e != nil {
			b.WriteString(javaString(e))
		}
		checkBuilt(b.Len())
	}
	return b.String()
}

// intCall handles the methods with int parameters.
func intCall(name string, args []any) (any, bool, error) {
	n := len(args)
	if n < 2 {
		return nil, false, nil
	}
	first, firstNull, ok := strArg(args[0])
	if !ok {
		return nil, false, nil
	}
	w := enc(first)
	intAt := func(i int) (int, bool) { return intArg(args[i]) }
	strAt := func(i int) (string, bool, bool) { return strArg(args[i]) }
	switch name {
	case "repeat":
		if n == 2 {
			k, ok := intAt(1)
			if !ok {
				return nil, false, nil
			}
			if firstNull {
				return nil, true, nil
			}
			if k <= 0 {
				return "", true, nil
			}
			if err := repeatOverflow(len(w), k); err != nil {
				return nil, true, err
			}
			if err := checkLength(len(first), k); err != nil {
				return nil, true, err
			}
			return strings.Repeat(first, k), true, nil
		}
		if n == 3 {
			sep, sepNull, ok1 := strAt(1)
			k, ok2 := intAt(2)
			if !ok1 || !ok2 {
				return nil, false, nil
			}
			if firstNull || sepNull {
				if firstNull {
					return nil, true, nil
				}
				sep = ""
			}
			if k <= 0 {
				return "", true, nil
			}
			if err := repeatOverflow(len(w)+len(enc(sep)), k); err != nil {
				return nil, true, err
			}
			if err := checkLength(len(first)+len(sep), k); err != nil {
				return nil, true, err
			}
			return strings.Repeat(first+sep, k-1) + first, true, nil
		}
	case "leftPad", "rightPad", "center":
		size, ok := intAt(1)
		if !ok || n > 3 {
			return nil, false, nil
		}
		pad := " "
		if n == 3 {
			p, pNull, ok := strAt(2)
			if !ok {
				return nil, false, nil
			}
			if !pNull && p != "" {
				pad = p
			}
		}
		if firstNull {
			return nil, true, nil
		}
		if err := checkLength(size, 1); err != nil {
			return nil, true, err
		}
		return padString(name, w, size, enc(pad)), true, nil
	case "left", "right":
		k, ok := intAt(1)
		if !ok || n != 2 {
			return nil, false, nil
		}
		if firstNull {
			return nil, true, nil
		}
		switch {
		case k < 0:
			return "", true, nil
		case len(w) <= k:
			return first, true, nil
		case name == "left":
			return w[:k].s(), true, nil
		}
		return w[len(w)-k:].s(), true, nil
	case "mid":
		pos, ok1 := intAt(1)
		if n != 3 {
			return nil, false, nil
		}
		k, ok2 := intAt(2)
		if !ok1 || !ok2 {
			return nil, false, nil
		}
		if firstNull {
			return nil, true, nil
		}
		if k < 0 || pos > len(w) {
			return "", true, nil
		}
		if pos < 0 {
			pos = 0
		}
		if len(w) <= pos+k {
			return w[pos:].s(), true, nil
		}
		return w[pos : pos+k].s(), true, nil
	case "substring":
		start, ok := intAt(1)
		if !ok {
			return nil, false, nil
		}
		end := len(w)
		if n == 3 {
			e, ok := intAt(2)
			if !ok {
				return nil, false, nil
			}
			end = e
		}
		if firstNull {
			return nil, true, nil
		}
		if end < 0 {
			end += len(w)
		}
		if start < 0 {
			start += len(w)
		}
		end = min(end, len(w))
		if start > end {
			return "", true, nil
		}
		start = max(start, 0)
		end = max(end, 0)
		return w[start:end].s(), true, nil
	case "abbreviate":
		offset, maxWidth := 0, 0
		if n == 2 {
			mw, ok := intAt(1)
			if !ok {
				return nil, false, nil
			}
			maxWidth = mw
		} else if n == 3 {
			o, ok1 := intAt(1)
			mw, ok2 := intAt(2)
			if !ok1 || !ok2 {
				return nil, false, nil
			}
			offset, maxWidth = o, mw
		}
		if firstNull {
			return nil, true, nil
		}
		return abbreviate(w, offset, maxWidth)
	case "overlay":
		over, overNull, ok1 := strAt(1)
		if n != 4 || !ok1 {
			return nil, false, nil
		}
		start, ok2 := intAt(2)
		end, ok3 := intAt(3)
		if !ok2 || !ok3 {
			return nil, false, nil
		}
		if firstNull {
			return nil, true, nil
		}
		if overNull {
			over = ""
		}
		start, end = min(max(start, 0), len(w)), min(max(end, 0), len(w))
		if start > end {
			start, end = end, start
		}
		return w[:start].s() + over + w[end:].s(), true, nil
	case "lastOrdinalIndexOf":
		sub, subNull, ok1 := strAt(1)
		if n != 3 || !ok1 {
			return nil, false, nil
		}
		ord, ok2 := intAt(2)
		if !ok2 {
			return nil, false, nil
		}
		if firstNull || subNull || ord <= 0 {
			return int32(-1), true, nil
		}
		ws := enc(sub)
		if len(ws) == 0 {
			return int32(len(w)), true, nil
		}
		idx := len(w)
		for found := 0; found < ord; found++ {
			if idx = lastIndexOf16(w, ws, idx-1); idx < 0 {
				return int32(-1), true, nil
			}
		}
		return int32(idx), true, nil
	case "ordinalIndexOf":
		sub, subNull, ok1 := strAt(1)
		if n != 3 || !ok1 {
			return nil, false, nil
		}
		ord, ok2 := intAt(2)
		if !ok2 {
			return nil, false, nil
		}
		if firstNull || subNull || ord <= 0 {
			return int32(-1), true, nil
		}
		ws := enc(sub)
		if len(ws) == 0 {
			return int32(0), true, nil
		}
		idx := -1
		for found := 0; found < ord; found++ {
			idx = indexOf16(w, ws, idx+1)
			if idx < 0 {
				return int32(-1), true, nil
			}
		}
		return int32(idx), true, nil
	case "indexOf", "lastIndexOf":
		if n != 3 {
			return nil, false, nil
		}
		sub, subNull, ok1 := strAt(1)
		from, ok2 := intAt(2)
		if !ok1 || !ok2 {
			return nil, false, nil
		}
		if firstNull || subNull {
			return int32(-1), true, nil
		}
		if name == "indexOf" {
			return int32(indexOf16(w, enc(sub), from)), true, nil
		}
		if from < 0 {
			return int32(-1), true, nil
		}
		return int32(lastIndexOf16(w, enc(sub), from)), true, nil
	case "replace":
		if n != 4 {
			return nil, false, nil
		}
		search, sn, ok1 := strAt(1)
		repl, rn, ok2 := strAt(2)
		max, ok3 := intAt(3)
		if !ok1 || !ok2 || !ok3 {
			return nil, false, nil
		}
		return replace(first, firstNull, search, sn, repl, rn, max), true, nil
	case "split", "splitPreserveAllTokens":
		if n != 3 {
			return nil, false, nil
		}
		seps, sepNull, ok1 := strAt(1)
		max, ok2 := intAt(2)
		if !ok1 || !ok2 {
			return nil, false, nil
		}
		if firstNull {
			return nil, true, nil
		}
		return splitChars(first, seps, sepNull, max, name == "splitPreserveAllTokens"), true, nil
	}
	return nil, false, nil
}

// repeatOverflow is how commons-lang's repeat fails before building k copies of a
// string of units chars: a one-char string goes into a char[k], which HotSpot
// refuses past its largest array; a two-char one into a char[2k], whose length
// overflows Java's int into a negative one. Longer strings grow a StrBuilder,
// which fails only when memory runs out.
func repeatOverflow(units, k int) error {
	switch {
	case k == 1:
	case units == 1 && k > math.MaxInt32-2:
		return throw("java.lang.OutOfMemoryError", "Requested array size exceeds VM limit")
	case units == 2:
		if n := int32(uint32(units) * uint32(k)); n < 0 {
			return throw("java.lang.NegativeArraySizeException", strconv.Itoa(int(n)))
		}
	}
	return nil
}

// checkLength refuses a string of n times size units longer than a render may
// produce (velocity.DefaultOutputBytes) before it is built: where Java would
// build it or run out of memory, the render ends with a *velocity.LimitError.
func checkLength(size, n int) error {
	if size > 0 && n > velocity.DefaultOutputBytes/size {
		return &velocity.LimitError{Limit: "output bytes", Max: velocity.DefaultOutputBytes}
	}
	return nil
}

func padString(name string, w u16, size int, pad u16) string {
	pads := size - len(w)
	if pads <= 0 {
		return w.s()
	}
	fill := func(n int) u16 {
		out := make(u16, 0, n)
		for len(out) < n {
			out = append(out, pad[len(out)%len(pad)])
		}
		return out
	}
	switch name {
	case "leftPad":
		return append(fill(pads), w...).s()
	case "rightPad":
		return append(append(u16{}, w...), fill(pads)...).s()
	}
	left := fill(pads / 2)
	out := append(append(left, w...), fill(size-len(w)-pads/2)...)
	return out.s()
}

// abbreviate is StringUtils.abbreviate(str, offset, maxWidth).
func abbreviate(w u16, offset, maxWidth int) (any, bool, error) {
	if maxWidth < 4 {
		return nil, true, throw("java.lang.IllegalArgumentException", "Minimum abbreviation width is 4")
	}
	if len(w) <= maxWidth {
		return w.s(), true, nil
	}
	if offset > len(w) {
		offset = len(w)
	}
	if len(w)-offset < maxWidth-3 {
		offset = len(w) - (maxWidth - 3)
	}
	if offset <= 4 {
		return w[:maxWidth-3].s() + "...", true, nil
	}
	if maxWidth < 7 {
		return nil, true, throw("java.lang.IllegalArgumentException", "Minimum abbreviation width with offset is 7")
	}
	if offset+(maxWidth-3) < len(w) {
		inner, _, _ := abbreviate(w[offset:], 0, maxWidth-3)
		return "..." + inner.(string), true, nil
	}
	return "..." + w[len(w)-(maxWidth-3):].s(), true, nil
}
