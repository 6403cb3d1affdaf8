package velocity

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Java regular expressions (String.matches, replaceAll, replaceFirst, split) run on
// Go's RE2 after translation. RE2 cannot do what needs backtracking: lookahead and
// lookbehind, backreferences, atomic groups and possessive quantifiers; a template
// using them fails with a clear error instead of the reference's result.

type regexCacheEntry struct {
	re  *regexp.Regexp
	err error
}

var regexCache sync.Map // Java pattern -> *regexCacheEntry

const regexCacheMax = 512

var regexCacheSize int32
var regexCacheMu sync.Mutex

// compileJava compiles a Java regular expression.
func compileJava(pat string) (*regexp.Regexp, error) {
	if e, ok := regexCache.Load(pat); ok {
		ce := e.(*regexCacheEntry)
		return ce.re, ce.err
	}
	goPat, err := translateJavaRegex(pat)
	var re *regexp.Regexp
	if err == nil {
		re, err = regexp.Compile(goPat)
		if err != nil {
			err = throw("java.util.regex.PatternSyntaxException", err.Error()+" near index 0\n"+pat)
		}
	}
	regexCacheMu.Lock()
	if regexCacheSize < regexCacheMax {
		regexCacheSize++
		regexCache.Store(pat, &regexCacheEntry{re, err})
	}
	regexCacheMu.Unlock()
	return re, err
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
		case '+':
			if inClass == 0 && i > 0 && (p[i-1] == '*' || p[i-1] == '+' || p[i-1] == '?' || p[i-1] == '}') && !escapedAt(p, i-1) {
				return "", &errRegexUnsupported{"a possessive quantifier", p}
			}
		}
		b.WriteByte(c)
	}
	return b.String(), nil
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
	re, err := compileJava(pat)
	if err != nil {
		return nil, st.regexError(err)
	}
	var b strings.Builder
	last := 0
	var ferr error
	matches := re.FindAllStringSubmatchIndex(s, -1)
	if !all && len(matches) > 1 {
		matches = matches[:1]
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

// regexSplit is String.split(regex, limit).
func (st *state) regexSplit(s, pat string, limit int) (any, error) {
	var parts []string
	if lit, ok := splitLiteral(pat); ok {
		parts = splitPieces(s, limit, func(from int) (int, int) {
			i := strings.Index(s[from:], lit)
			if i < 0 {
				return -1, -1
			}
			return from + i, from + i + len(lit)
		})
	} else {
		re, err := compileJava(pat)
		if err != nil {
			return nil, st.regexError(err)
		}
		parts = splitPieces(s, limit, func(from int) (int, int) {
			loc := re.FindStringIndex(s[from:])
			if loc == nil {
				return -1, -1
			}
			a, b := from+loc[0], from+loc[1]
			if a == b && a < len(s) && a == from && from > 0 {
				// an empty match where the last one ended: look one character on
				_, size := utf8.DecodeRuneInString(s[from:])
				loc = re.FindStringIndex(s[from+size:])
				if loc == nil {
					return -1, -1
				}
				return from + size + loc[0], from + size + loc[1]
			}
			return a, b
		})
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

// splitPieces implements String.split's rules over a matcher: at most limit
// pieces when limit > 0; with limit 0, trailing empty strings are dropped; a
// zero-width match at the start gives no leading empty string.
func splitPieces(s string, limit int, find func(from int) (int, int)) []string {
	var out []string
	from := 0
	for limit <= 0 || len(out) < limit-1 {
		a, b := find(from)
		if a < 0 {
			break
		}
		if a == 0 && b == 0 {
			// a zero-width match at the beginning: no leading empty string
			if from == 0 {
				_, size := utf8.DecodeRuneInString(s)
				if size == 0 {
					break
				}
				na, nb := find(size)
				if na < 0 {
					break
				}
				if na == size && nb == size {
					out = append(out, s[:size])
					from = size
					continue
				}
				a, b = na, nb
			}
		}
		out = append(out, s[from:a])
		if b == a && b >= len(s) {
			from = b
			break
		}
		from = b
	}
	out = append(out, s[from:])
	if limit == 0 {
		for len(out) > 0 && out[len(out)-1] == "" {
			out = out[:len(out)-1]
		}
		if len(out) == 0 && s == "" {
			out = []string{""}
		}
	}
	return out
}
