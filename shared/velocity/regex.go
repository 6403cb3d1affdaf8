package velocity

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
)

// Java regular expressions (String.matches, replaceAll, replaceFirst, split) run on
// Go's RE2 after translation. RE2 cannot do what needs backtracking: lookahead and
// lookbehind, backreferences, atomic groups and possessive quantifiers; a template
// using them fails with a clear error instead of the reference's result.

type regexCacheEntry struct {
	re  *regexp.Regexp
	err error

	// after matches re right after one character of left context; set up on
	// first use by javaFindAll, nil when re never matches the empty string.
	afterOnce sync.Once
	after     *regexp.Regexp
}

var regexCache sync.Map // Java pattern -> *regexCacheEntry

const regexCacheMax = 512

var regexCacheSize int32
var regexCacheMu sync.Mutex

// compileJava compiles a Java regular expression.
func compileJava(pat string) (*regexp.Regexp, error) {
	ce := compileJavaEntry(pat)
	return ce.re, ce.err
}

func compileJavaEntry(pat string) *regexCacheEntry {
	if e, ok := regexCache.Load(pat); ok {
		return e.(*regexCacheEntry)
	}
	goPat, err := translateJavaRegex(pat)
	var re *regexp.Regexp
	if err == nil {
		re, err = regexp.Compile(goPat)
		if err != nil {
			err = throw("java.util.regex.PatternSyntaxException", err.Error()+" near index 0\n"+pat)
		}
	}
	ce := &regexCacheEntry{re: re, err: err}
	regexCacheMu.Lock()
	if regexCacheSize < regexCacheMax {
		regexCacheSize++
		regexCache.Store(pat, ce)
	}
	regexCacheMu.Unlock()
	return ce
}

// javaFindAll returns the successive matches java.util.regex.Matcher.find reports
// (with submatches). Go's FindAll skips an empty match that begins where the
// previous non-empty match ended; Java reports it, so such matches are put back.
// Both then go on one character later, so the rest of the matches agree.
func javaFindAll(ce *regexCacheEntry, s string) [][]int {
	matches := ce.re.FindAllStringSubmatchIndex(s, -1)
	var out [][]int
	for i, m := range matches {
		if out != nil {
			out = append(out, m)
		}
		e := m[1]
		if e == m[0] || (i+1 < len(matches) && matches[i+1][0] == e) {
			continue
		}
		after := ce.afterRegexp()
		if after == nil {
			return matches
		}
		// Preferred match at e, seen with the character before e as context.
		w := 1
		for w < e && w < 4 && !utf8RuneStart(s[e-w]) {
			w++
		}
		am := after.FindStringSubmatchIndex(s[e-w:])
		if am == nil || am[1] != w {
			continue
		}
		if out == nil {
			out = append(make([][]int, 0, len(matches)+1), matches[:i+1]...)
		}
		em := make([]int, len(m))
		for k := range em {
			em[k] = -1
			if k >= 2 && am[k] >= 0 {
				em[k] = am[k] + e - w
			}
		}
		em[0], em[1] = e, e
		out = append(out, em)
	}
	if out == nil {
		return matches
	}
	return out
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func (ce *regexCacheEntry) afterRegexp() *regexp.Regexp {
	ce.afterOnce.Do(func() {
		src := ce.re.String()
		t, err := syntax.Parse(src, syntax.Perl)
		if err != nil || minRegexLen(t) > 0 {
			return
		}
		ce.after, _ = regexp.Compile(`\A(?s:.)(?:` + src + `)`)
	})
	return ce.after
}

// minRegexLen is the fewest bytes a match of t can span.
func minRegexLen(t *syntax.Regexp) int {
	switch t.Op {
	case syntax.OpLiteral:
		return len(t.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpNoMatch:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minRegexLen(t.Sub[0])
	case syntax.OpRepeat:
		return t.Min * minRegexLen(t.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, sub := range t.Sub {
			n += minRegexLen(sub)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, sub := range t.Sub {
			if l := minRegexLen(sub); n < 0 || l < n {
				n = l
			}
		}
		return max(n, 0)
	}
	return 0 // empty match, assertions, star, quest
}

// errRegexUnsupported reports a Java regex feature RE2 lacks.
type errRegexUnsupported struct{ what, pat string }

func (e *errRegexUnsupported) Error() string {
	return "the regular expression " + strconv.Quote(e.pat) + " uses " + e.what +
		", which Flowhook's regular expressions (RE2) do not support"
}

// translateJavaRegex rewrites the Java syntax RE2 spells differently and rejects
// what RE2 cannot do.
func translateJavaRegex(p string) (string, error) {
	var b strings.Builder
	inClass := 0
	// Java's "." stops at every line terminator, RE2's only at "\n". Patterns that
	// set the s or d flag inline ((?s), (?d:...)) keep RE2's dot.
	javaDot := !dotFlags(p)
	countedClose := -1 // where the last counted repetition's "}" is
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\\':
			if i+1 >= len(p) {
				return "", throw("java.util.regex.PatternSyntaxException", "Unexpected internal error near index "+strconv.Itoa(len(p))+"\n"+p)
			}
			n := p[i+1]
			switch {
			case n >= '1' && n <= '9' && inClass == 0:
				return "", &errRegexUnsupported{"a backreference (\\" + string(n) + ")", p}
			case n == 'Q':
				end := strings.Index(p[i+2:], `\E`)
				lit := p[i+2:]
				if end >= 0 {
					lit = p[i+2 : i+2+end]
					i += 2 + end + 1
				} else {
					i = len(p)
				}
				b.WriteString(regexp.QuoteMeta(lit))
				continue
			case n == 'h':
				b.WriteString(`[ \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]`)
				i++
				continue
			case n == 'R':
				b.WriteString(`(?:\r\n|[\n\x0B\f\r\x{85}\x{2028}\x{2029}])`)
				i++
				continue
			case n == 'Z':
				b.WriteString(`(?:\n?\z)`)
				i++
				continue
			case n == 'u' && i+5 < len(p):
				b.WriteString(`\x{` + p[i+2:i+6] + `}`)
				i += 5
				continue
			}
			b.WriteByte(c)
			b.WriteByte(n)
			i++
			if (n == 'p' || n == 'P' || n == 'x') && i+1 < len(p) && p[i+1] == '{' {
				if end := strings.IndexByte(p[i+1:], '}'); end >= 0 {
					b.WriteString(p[i+1 : i+2+end]) // \p{L}, \x{263A}
					i += 1 + end
				}
			}
			continue
		case '[':
			if inClass > 0 && i+1 < len(p) && p[i+1] == ':' {
				b.WriteString(`\[`)
				continue
			}
			inClass++
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case ']':
			if inClass > 0 {
				inClass--
			}
		case '&':
			if inClass > 0 && i+1 < len(p) && p[i+1] == '&' {
				return "", &errRegexUnsupported{"a character class intersection (&&)", p}
			}
		case '(':
			if inClass == 0 && i+2 < len(p) && p[i+1] == '?' {
				switch p[i+2] {
				case '=', '!':
					return "", &errRegexUnsupported{"a lookahead", p}
				case '>':
					return "", &errRegexUnsupported{"an atomic group", p}
				case '<':
					if i+3 < len(p) && (p[i+3] == '=' || p[i+3] == '!') {
						return "", &errRegexUnsupported{"a lookbehind", p}
					}
				}
			}
		case '{':
			// Java reads "{" outside a class as a counted repetition or fails; RE2
			// takes a malformed one literally.
			if inClass == 0 {
				j := i + 1
				for j < len(p) && p[j] >= '0' && p[j] <= '9' {
					j++
				}
				if j == i+1 {
					return "", throw("java.util.regex.PatternSyntaxException", "Illegal repetition near index "+strconv.Itoa(i+1)+"\n"+p)
				}
				if j < len(p) && p[j] == ',' {
					j++
					for j < len(p) && p[j] >= '0' && p[j] <= '9' {
						j++
					}
				}
				if j >= len(p) || p[j] != '}' {
					return "", throw("java.util.regex.PatternSyntaxException", "Unclosed counted closure near index "+strconv.Itoa(j)+"\n"+p)
				}
				countedClose = j
			}
		case '.':
			if inClass == 0 && javaDot {
				b.WriteString(`[^\n\r\x{85}\x{2028}\x{2029}]`)
				continue
			}
		case '+':
			if inClass == 0 && i > 0 && (p[i-1] == '*' || p[i-1] == '+' || p[i-1] == '?' || countedClose == i-1) && !escapedAt(p, i-1) {
				return "", &errRegexUnsupported{"a possessive quantifier", p}
			}
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// dotFlags reports an inline flag group of p that turns DOTALL or UNIX_LINES on:
// (?s) (?is) (?d:...), not (?-s).
func dotFlags(p string) bool {
	for i := strings.Index(p, "(?"); i >= 0; {
		j := i + 2
		for on := true; j < len(p) && strings.IndexByte("idmsuxU-", p[j]) >= 0; j++ {
			if p[j] == '-' {
				on = false
			}
			if on && (p[j] == 's' || p[j] == 'd') {
				return true
			}
		}
		k := strings.Index(p[j:], "(?")
		if k < 0 {
			break
		}
		i = j + k
	}
	return false
}

func escapedAt(p string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && p[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func (st *state) regexError(err error) error {
	if _, ok := err.(*errRegexUnsupported); ok {
		return st.renderError(posUnknown, "VelocityException", "", err.Error(), err)
	}
	return err
}

func (st *state) regexMatches(s, pat string) (any, error) {
	re, err := compileJava(pat)
	if err != nil {
		return nil, st.regexError(err)
	}
	loc := re.FindStringIndex(s)
	if loc != nil && loc[0] == 0 && loc[1] == len(s) {
		return true, nil
	}
	// The leftmost match may be shorter than a full match; anchor to be sure.
	full, err := compileJava(`\A(?:` + pat + `)\z`)
	if err != nil {
		return false, nil
	}
	return full.MatchString(s), nil
}

func (st *state) regexReplace(s, pat, repl string, all bool) (any, error) {
	ce := compileJavaEntry(pat)
	re, err := ce.re, ce.err
	if err != nil {
		return nil, st.regexError(err)
	}
	var b strings.Builder
	last := 0
	var ferr error
	var matches [][]int
	if all {
		matches = javaFindAll(ce, s)
	} else if m := re.FindStringSubmatchIndex(s); m != nil {
		matches = [][]int{m}
	}
	for _, m := range matches {
		b.WriteString(s[last:m[0]])
		if ferr = expandJava(&b, repl, s, m, re); ferr != nil {
			return nil, ferr
		}
		last = m[1]
		if b.Len() > 1<<24 {
			if err := st.checkBytes(b.Len(), posUnknown); err != nil {
				return nil, err
			}
		}
	}
	b.WriteString(s[last:])
	if err := st.checkBytes(b.Len(), posUnknown); err != nil {
		return nil, err
	}
	return b.String(), nil
}

// expandJava appends the replacement for one match, with Java's syntax: $n and
// ${name} refer to groups, a backslash quotes the next character.
func expandJava(b *strings.Builder, repl, s string, m []int, re *regexp.Regexp) error {
	groups := len(m)/2 - 1
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return throw("java.lang.IllegalArgumentException", "character to be escaped is missing")
			}
			b.WriteByte(repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return throw("java.lang.IllegalArgumentException", "Illegal group reference: group index is missing")
			}
			g := -1
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return throw("java.lang.IllegalArgumentException", "named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				g = re.SubexpIndex(name)
				if g < 0 {
					return throw("java.lang.IllegalArgumentException", "No group with name {"+name+"}")
				}
				i += end
			} else {
				if repl[i] < '0' || repl[i] > '9' {
					return throw("java.lang.IllegalArgumentException", "Illegal group reference")
				}
				g = int(repl[i] - '0')
				if g > groups {
					return throw("java.lang.IndexOutOfBoundsException", "No group "+strconv.Itoa(g))
				}
				for i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
					ng := g*10 + int(repl[i+1]-'0')
					if ng > groups {
						break
					}
					g = ng
					i++
				}
			}
			if m[2*g] >= 0 {
				b.WriteString(s[m[2*g]:m[2*g+1]])
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil
}

// regexSplit is String.split(regex, limit), with java.util.regex.Pattern.split's
// rules: at most limit pieces when limit > 0, trailing empty strings dropped when
// limit is 0, no leading empty string for a zero-width match at the start.
func (st *state) regexSplit(s, pat string, limit int) (any, error) {
	if pat == "" && limit == 0 && strings.IndexFunc(s, func(r rune) bool { return r > 0xFFFF }) >= 0 {
		// Java's empty match falls between every two chars, inside a surrogate
		// pair too: each half is a part of its own.
		u := newJString(s).units()
		items := make([]any, len(u))
		for i := range u {
			items[i] = fromUTF16(u[i : i+1])
		}
		return &javaArray{items: items, cls: clsStringArray}, nil
	}
	var matches [][]int
	if lit, ok := splitLiteral(pat); ok {
		for from := 0; ; {
			i := strings.Index(s[from:], lit)
			if i < 0 {
				break
			}
			matches = append(matches, []int{from + i, from + i + len(lit)})
			from += i + len(lit)
		}
	} else {
		ce := compileJavaEntry(pat)
		if ce.err != nil {
			return nil, st.regexError(ce.err)
		}
		matches = javaFindAll(ce, s)
	}
	var parts []string
	index := 0
	for _, m := range matches {
		if limit > 0 && len(parts) >= limit-1 {
			break
		}
		if index == 0 && m[0] == 0 && m[1] == 0 {
			continue
		}
		parts = append(parts, s[index:m[0]])
		index = m[1]
	}
	if index == 0 && len(parts) == 0 {
		parts = []string{s}
	} else {
		parts = append(parts, s[index:])
		if limit == 0 {
			for len(parts) > 0 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1]
			}
		}
	}
	items := make([]any, len(parts))
	for i, p := range parts {
		items[i] = p
	}
	return &javaArray{items: items, cls: clsStringArray}, nil
}

// splitLiteral reports patterns Java splits without a regex: one character that is
// not a metacharacter, or a backslash and a non-alphanumeric character.
func splitLiteral(pat string) (string, bool) {
	if len(pat) == 1 && !strings.ContainsAny(pat, ".$|()[{^?*+\\") {
		return pat, true
	}
	if len(pat) == 2 && pat[0] == '\\' {
		c := pat[1]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return pat[1:], true
		}
	}
	return "", false
}
