package delivery

import (
	"encoding/base64"
	"html"
	"math/big"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Mask replaces every redacted secret.
const Mask = "********"

// MinSecretLen is the shortest secret redacted wherever it appears. A shorter secret
// (a 3-character password) would turn every body into asterisks if masked everywhere,
// so it is masked only where secrets are placed: a request or response header whose
// value (or credential after the scheme word) is exactly the secret, and a URL query
// parameter whose value is exactly the secret. Connectors should refuse such secrets.
const MinSecretLen = 4

// redactor masks secret values by value. For each secret it precomputes the forms in
// which the secret can echo — raw, percent-encoded (query and path styles, both hex
// cases), JSON-escaped (with and without HTML escaping, with \/ and with \u escapes for
// non-ASCII), HTML/XML-escaped and base64 (four alphabets) — plus every Basic
// credential sent whose decoded "login:password" contains a secret. Redaction masks the
// union of all matches in one pass per pattern (no regexp), so overlapping secrets
// leave no fragment behind, and allocates nothing when nothing matches. Each pass
// looks for the pattern's rarest byte (rare) with IndexByte and compares the pattern
// around it: a pattern's first byte is often a common letter that strings.Index
// would stop at again and again.
type redactor struct {
	patterns []string // longest first
	rare     []int    // per pattern, the offset of its rarest byte
	minLen   int
	numeric  bool     // some pattern is all digits, so it can hide in a number
	short    []string // secrets shorter than MinSecretLen
}

func newRedactor(secrets []string, header []webhook.Header) *redactor {
	r := &redactor{}
	add := func(p string) {
		if len(p) >= MinSecretLen && !slices.Contains(r.patterns, p) {
			r.patterns = append(r.patterns, p)
		}
	}
	for _, s := range secrets {
		switch {
		case s == "":
		case len(s) < MinSecretLen:
			r.short = append(r.short, s)
		default:
			for _, f := range secretForms(s) {
				add(f)
			}
		}
	}
	// A Basic credential is base64("login:password"): no fixed form of the password
	// alone appears in it, so the whole token is a pattern when it hides a secret.
	for _, h := range header {
		if !isAuthorization(h.Name) {
			continue
		}
		scheme, token, ok := strings.Cut(strings.TrimSpace(h.Value), " ")
		if !ok || !strings.EqualFold(scheme, "Basic") {
			continue
		}
		token = strings.TrimSpace(token)
		plain, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(string(plain), s) {
				add(token)
				add(url.QueryEscape(token))
				break
			}
		}
	}
	slices.SortFunc(r.patterns, func(a, b string) int { return len(b) - len(a) })
	r.rare = make([]int, len(r.patterns))
	for k, p := range r.patterns {
		for i := 1; i < len(p); i++ {
			if byteRank(p[i]) < byteRank(p[r.rare[k]]) {
				r.rare[k] = i
			}
		}
	}
	for _, p := range r.patterns {
		if strings.Trim(p, "0123456789") == "" {
			r.numeric = true
		}
	}
	if len(r.patterns) > 0 {
		r.minLen = len(r.patterns[len(r.patterns)-1])
	}
	return r
}

// secretForms lists the encodings in which s may come back.
func secretForms(s string) []string {
	if plainSecret(s) {
		// Escaping leaves s as it is; only base64 differs.
		return []string{
			s,
			base64.StdEncoding.EncodeToString([]byte(s)),
			base64.URLEncoding.EncodeToString([]byte(s)),
			base64.RawStdEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)),
		}
	}
	forms := []string{
		s,
		url.QueryEscape(s),
		url.PathEscape(s),
		lowerHex(url.QueryEscape(s)),
		lowerHex(url.PathEscape(s)),
		jsonEscape(s, true, false, false),
		jsonEscape(s, false, false, false),
		jsonEscape(s, false, true, false),
		jsonEscape(s, false, false, true),
		jsonEscape(s, true, true, true),
		html.EscapeString(s),
		xmlEscape(s),
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.URLEncoding.EncodeToString([]byte(s)),
		base64.RawStdEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s)),
	}
	return forms
}

// plainSecret reports whether s has only characters that no escaping changes: ASCII
// letters, digits, '-', '.', '_' and '~' (unreserved in URLs, plain in JSON and XML).
func plainSecret(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// lowerHex lower-cases the hex digits of percent escapes.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = toLowerASCII(b[i+1])
			b[i+2] = toLowerASCII(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func toLowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// jsonEscape writes s as the inside of a JSON string: escapeHTML as encoding/json does
// (<, >, & as \u003c…), slash as PHP does (\/), ascii as encoders that escape every
// non-ASCII character (\u00e9, surrogate pairs above the BMP).
func jsonEscape(s string, escapeHTML, slash, ascii bool) string {
	var b strings.Builder
	const hex = "0123456789abcdef"
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '/' && slash:
			b.WriteString(`\/`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20, escapeHTML && (r == '<' || r == '>' || r == '&'), r == 0x2028, r == 0x2029,
			ascii && r >= 0x7f && r < 0x10000, r == utf8.RuneError:
			b.WriteString(`\u`)
			b.WriteByte(hex[r>>12&0xf])
			b.WriteByte(hex[r>>8&0xf])
			b.WriteByte(hex[r>>4&0xf])
			b.WriteByte(hex[r&0xf])
		case ascii && r >= 0x10000:
			r -= 0x10000
			for _, u := range []rune{0xd800 + r>>10, 0xdc00 + r&0x3ff} {
				b.WriteString(`\u`)
				b.WriteByte(hex[u>>12&0xf])
				b.WriteByte(hex[u>>8&0xf])
				b.WriteByte(hex[u>>4&0xf])
				b.WriteByte(hex[u&0xf])
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlEscape escapes as encoding/xml.EscapeText does.
func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

var xmlEscaper = strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `"`, "&#34;", `<`, "&lt;", `>`, "&gt;",
	"\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

// active reports whether r has anything to redact.
func (r *redactor) active() bool { return len(r.patterns) > 0 || len(r.short) > 0 }

// String masks every occurrence of every pattern in s.
func (r *redactor) String(s string) string {
	if len(r.patterns) == 0 || len(s) < r.minLen {
		return s
	}
	var buf [8][2]int
	spans := buf[:0]
	for k, p := range r.patterns {
		for i := 0; ; i++ {
			if i = r.index(s, k, i); i < 0 {
				break
			}
			spans = append(spans, [2]int{i, i + len(p)})
		}
	}
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for k := 0; k < len(spans); {
		start, end := spans[k][0], spans[k][1]
		for k++; k < len(spans) && spans[k][0] <= end; k++ {
			end = max(end, spans[k][1])
		}
		b.WriteString(s[last:start])
		b.WriteString(Mask)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// index returns the first position at or after from where pattern k starts in s, or
// -1: every match has the pattern's rarest byte at the same offset, so only the
// positions of that byte are compared.
func (r *redactor) index(s string, k, from int) int {
	p, off := r.patterns[k], r.rare[k]
	c := p[off]
	for i := from + off; i <= len(s)-len(p)+off; i++ {
		j := strings.IndexByte(s[i:len(s)-len(p)+off+1], c)
		if j < 0 {
			return -1
		}
		i += j
		if s[i-off:i-off+len(p)] == p {
			return i - off
		}
	}
	return -1
}

// byteRank orders bytes by how often they occur in HTTP and JSON text, rarest first,
// roughly: what a pattern is best searched by.
func byteRank(c byte) int {
	switch {
	case c == ' ' || c == '"' || c == ':' || c == ',' || strings.IndexByte("etaoinsrhldcu", c) >= 0:
		return 6
	case c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || strings.IndexByte("-./{}[]=&\n", c) >= 0:
		return 5
	case strings.IndexByte("AETSCIONRDLMPBFGH", c) >= 0:
		return 4
	case c >= 'A' && c <= 'Z':
		return 3
	case strings.IndexByte("_+%@?#;", c) >= 0:
		return 2
	}
	return 1
}

// capped redacts s and cuts the result to at most limit bytes on a rune boundary,
// reporting whether anything was cut. Only the first limit bytes plus the longest
// pattern are redacted: a secret starting inside the kept part lies wholly in that
// window, and nothing past the window is kept.
func (r *redactor) capped(s string, limit int) (string, bool) {
	cut := false
	if window := limit + r.longest(); len(s) > window {
		s, cut = s[:window], true
	}
	s = r.String(s)
	if len(s) > limit {
		i := limit
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s, cut = s[:i], true
	}
	return s, cut
}

func (r *redactor) longest() int {
	if len(r.patterns) == 0 {
		return 0
	}
	return len(r.patterns[0])
}

// requestHeader redacts a request header value. Authorization credentials are always
// masked after the scheme word ("Bearer ********"), whatever the secrets.
func (r *redactor) requestHeader(name, value string) string {
	if isAuthorization(name) {
		v := strings.TrimSpace(value)
		if scheme, _, ok := strings.Cut(v, " "); ok {
			switch scheme {
			case "Bearer":
				return "Bearer " + Mask
			case "Basic":
				return "Basic " + Mask
			}
			return scheme + " " + Mask
		}
		if v == "" {
			return value
		}
		return Mask
	}
	return r.headerValue(value)
}

// headerValue redacts a header value, masking a short secret when it is the whole
// value or the credential after a scheme word.
func (r *redactor) headerValue(value string) string {
	for _, s := range r.short {
		if value == s {
			return Mask
		}
		if scheme, cred, ok := strings.Cut(value, " "); ok && cred == s {
			return scheme + " " + Mask
		}
	}
	return r.String(value)
}

// URL redacts a URL, masking a short secret when it is a whole query parameter value.
func (r *redactor) URL(raw string) string {
	if len(r.short) > 0 {
		if base, query, ok := strings.Cut(raw, "?"); ok {
			frag := ""
			if q, f, ok := strings.Cut(query, "#"); ok {
				query, frag = q, "#"+f
			}
			parts := strings.Split(query, "&")
			for i, p := range parts {
				k, v, ok := strings.Cut(p, "=")
				if !ok {
					continue
				}
				dv, err := url.QueryUnescape(v)
				if err == nil && slices.Contains(r.short, dv) {
					parts[i] = k + "=" + Mask
				}
			}
			raw = base + "?" + strings.Join(parts, "&") + frag
		}
	}
	return r.String(raw)
}

// Data redacts decoded response data in place where it can, returning the result:
// strings and map keys are masked, and an integer whose digits contain a secret becomes
// the masked string.
func (r *redactor) Data(v any) any {
	if len(r.patterns) == 0 {
		return v
	}
	out, _ := r.data(v)
	return out
}

// data redacts v, reporting whether anything changed, so that unchanged values are not
// boxed into interfaces again.
func (r *redactor) data(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		if red := r.String(x); red != x {
			return red, true
		}
	case []any:
		changed := false
		for i := range x {
			if nv, ok := r.data(x[i]); ok {
				x[i], changed = nv, true
			}
		}
		return x, changed
	case *velocity.Map:
		rekey := false
		for _, k := range x.Keys() {
			if r.String(k) != k {
				rekey = true
				break
			}
		}
		if !rekey {
			changed := false
			for _, k := range x.Keys() {
				old, _ := x.Get(k)
				if nv, ok := r.data(old); ok {
					x.Put(k, nv)
					changed = true
				}
			}
			return x, changed
		}
		m := velocity.NewMap(x.Len())
		x.Range(func(k string, val any) bool {
			nv, _ := r.data(val)
			m.Put(r.String(k), nv)
			return true
		})
		return m, true
	case int32:
		return r.number(v, strconv.FormatInt(int64(x), 10))
	case int64:
		return r.number(v, strconv.FormatInt(x, 10))
	case *big.Int:
		return r.number(v, x.String())
	}
	return v, false
}

func (r *redactor) number(v any, text string) (any, bool) {
	if !r.numeric {
		return v, false
	}
	if red := r.String(text); red != text {
		return red, true
	}
	return v, false
}
