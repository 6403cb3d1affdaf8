package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/parse"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Version is Flowhook's version; requests carry it as User-Agent: Flowhook/<Version>.
const Version = "0.1.0"

// Headers every request carries unless the definition sets its own.
const (
	UserAgent = "Flowhook/" + Version
	Accept    = "application/json, application/xml;q=0.9, */*;q=0.8"
)

// Content types by body format.
const (
	ContentTypeJSON = "application/json"
	ContentTypeXML  = "application/xml"
	ContentTypeText = "text/plain; charset=utf-8"
)

// Limits of a built request. A template whose output passes one fails to build.
const (
	MaxURLBytes    = 8 << 10
	MaxHeaderBytes = 8 << 10
	MaxBodyBytes   = 1 << 20
)

// forbiddenHeaders are set by the HTTP stack or change how the request travels.
var forbiddenHeaders = map[string]bool{"host": true, "content-length": true, "transfer-encoding": true, "connection": true}

// dest is where a template's output goes, which decides how values are escaped.
type dest uint8

const (
	destURL    dest = iota // the webhook URL: by URL part
	destQuery              // a query param value: raw, then the whole value encoded
	destHeader             // a header value: raw, no control characters
	destJSON               // a JSON body: by JSON lexical state
	destXML                // an XML body: XML-escaped, raw in CDATA sections
	destText               // a text body: raw
)

// tmpl is one compiled template of a definition.
type tmpl struct {
	field
	src   string
	dest  dest
	limit int
	// t is nil for a template without references or directives: its output is src.
	t *velocity.Template
	// strs are the spans of the template's interpolated string literals: values
	// written inside them are captured into strings, not the output, and are written
	// as plain text (they are escaped when the string itself reaches the output).
	strs []posRange
	// markAll marks every value, even inside string literals: set when the template
	// may #evaluate text, whose references the spans cannot locate.
	markAll bool
	// refEnds maps each reference's position to the byte offset after it in src, and
	// refSpans each reference's first byte offset to that end, to map output positions
	// back to the template.
	refEnds  map[parse.Pos]int
	refSpans map[int]int
	// segs is the template as pieces when it is only text and simple references
	// ($name, ${name}, $!name, $!{name}), which Build renders without the engine;
	// nil otherwise.
	segs []segment
	// static marks a simple template whose output is valid for its destination
	// whatever the values (see staticValid), or a template without references whose
	// text is (literalValid): Build skips the whole-output check.
	static bool
	// direct marks a simple template Build writes straight to the output, each value
	// escaped for the lexical state its reference has in the template (see
	// directStates), without markers: any but XML, whose state a CDATA value's split
	// sections pass through.
	direct bool
}

// segment is literal text, or a simple reference when ref is set.
type segment struct {
	lit string
	ref *simpleRef
}

// simpleRef is a reference to a top-level name without properties, methods, indexes
// or an alternate value.
type simpleRef struct {
	name  string
	quiet bool
	ref   velocity.Reference
	// st is the lexical state of the output where the value lands (see direct).
	st lexState
}

// posRange is a half-open range of template positions [from, to).
type posRange struct{ from, to parse.Pos }

func less(a, b parse.Pos) bool { return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col }

// inString reports whether a reference at p sits inside one of t's string literals.
func (t *tmpl) inString(p parse.Pos) bool {
	for _, r := range t.strs {
		if less(r.from, p) && less(p, r.to) {
			return true
		}
	}
	return false
}

// namedTmpl is a param or header: a literal name and a templated value.
type namedTmpl struct {
	name string
	tmpl
}

// Compiled is a webhook definition with every template parsed, ready to build
// requests. It is immutable and safe for concurrent use.
type Compiled struct {
	method          string
	url             tmpl
	params          []namedTmpl
	paramsInHeaders bool
	headers         []namedTmpl
	body            *tmpl
	contentType     string
	// fixed are the User-Agent and Accept headers the definition does not override.
	fixed []webhook.Header
	// names are the top-level names the templates refer to; anyName is set when a
	// template may build references at render time (#evaluate).
	names   map[string]bool
	anyName bool
}

// MayRefer reports whether a template of the definition may read the top-level
// variable name (case-sensitive; contact fields match any case, so ask for the case
// used): it is written as a reference ($name, $!{name}…) somewhere in the templates'
// text, string literals included, or a template uses #evaluate. Callers use it to skip
// preparing variables no template reads, such as the tools.
func (c *Compiled) MayRefer(name string) bool {
	return c.anyName || c.names[name]
}

// collectNames adds the names src refers to.
func (c *Compiled) collectNames(src string) {
	if strings.Contains(src, "evaluate") {
		c.anyName = true
	}
	for i := strings.IndexByte(src, '$'); i >= 0; {
		j := i + 1
		if j < len(src) && src[j] == '!' {
			j++
		}
		if j < len(src) && src[j] == '{' {
			j++
		}
		k := j
		for k < len(src) && (src[k] >= 'a' && src[k] <= 'z' || src[k] >= 'A' && src[k] <= 'Z' ||
			k > j && (src[k] >= '0' && src[k] <= '9' || src[k] == '_' || src[k] == '-')) {
			k++
		}
		if k > j {
			if c.names == nil {
				c.names = map[string]bool{}
			}
			c.names[src[j:k]] = true
		}
		next := strings.IndexByte(src[k:], '$')
		if next < 0 {
			break
		}
		i = k + next
	}
}

// Compile parses every template of w — the URL, each param value, each header value
// and the body — and checks what can be checked before a render: the method, an
// https:// URL, param and header names, the body format. It reports every problem
// as Errors (each an *Error naming the field and, for a syntax error, its line and
// column); the management API's save-time check uses it too.
//
// # Escaping by destination
//
// Literal template text is never altered. Every value a reference writes is escaped
// for the place in the output where it lands:
//
//   - URL: in the query, percent-encoded as a query component (url.QueryEscape: & = # +
//     and spaces cannot change the query's structure); in the path, as a path segment
//     (/ ? # escaped; a value that would be the whole segment "." or ".." is refused);
//     in the fragment, escaped likewise; in the scheme or host, refused unless it is
//     only letters, digits, '-' and '.'. A value cannot supply the scheme or the host's
//     structure: the template must spell "https://" itself. The rendered URL must start
//     with https://, parse, have a host and hold no spaces or control characters.
//   - Params: each value renders as plain text and is then encoded whole as a query
//     component, name=value, appended to the URL's query with & (before any
//     #fragment); with paramsInHeaders each is a header instead (see headers).
//   - Headers: values as plain text; a control character (CR, LF, NUL…, tab
//     excepted) is refused, naming the reference that brought it.
//   - JSON body: inside a string literal, a value is JSON-string-escaped (no quotes
//     added); outside, it is written as JSON: strings quoted, numbers with their exact
//     digits, booleans, maps and lists as objects and arrays in order. A value right
//     after a backslash inside a string, or inside a \uXXXX escape, is refused. The
//     body must then be valid JSON.
//   - XML body: values XML-escaped (& < > " ' and tab, CR, LF as character
//     references, so they survive in attribute values), valid in text and attribute
//     values; maps and lists as the text the engine prints for them ({a=1}, [1, 2]),
//     escaped. Inside a CDATA section a value is written raw, any "]]>" split across
//     two sections. A character XML cannot carry (most C0 controls) is refused. The
//     body must then be a well-formed document.
//   - Text body: raw. A template that needs a value unescaped uses the text format
//     (and may set its own Content-Type header).
//
// A value already escaped for its destination with the escape tool is not escaped
// again: $esc.url(...) in the URL, $esc.xml(...) in an XML body and $esc.json(...)
// outside a string in a JSON body are written as they are, provided they are safe
// there (URL-safe characters; no markup but character references; one JSON value).
//
// Values written inside a template's own string literals ("Hi $name" in a #set or a
// method argument) are plain text there: the string is escaped once, when it reaches
// the output. (A template that uses #evaluate is the exception: its literals' values
// are escaped in place, because the text it evaluates cannot be located.)
func Compile(w webhook.Webhook) (*Compiled, error) {
	var errs Errors
	c := &Compiled{method: string(w.Method), paramsInHeaders: w.ParamsInHeaders}
	switch w.Method {
	case webhook.MethodGet, webhook.MethodPost:
	default:
		errs = append(errs, field{"method", "/method"}.errorf(`the method must be GET or POST, not %q`, w.Method))
	}

	uf := field{"url", "/url"}
	switch lower := strings.ToLower(w.URL); {
	case w.URL == "":
		errs = append(errs, uf.errorf("a URL is required, e.g. https://api.example.com/codes?email=${email}"))
	case !strings.HasPrefix(lower, "https://"):
		errs = append(errs, uf.errorf("the URL must start with https:// (HTTPS is required, and the scheme and host cannot come from a value)"))
	}
	if t, err := compileTemplate(uf, w.URL, destURL, MaxURLBytes); err != nil {
		errs = append(errs, err)
	} else {
		c.url = t
	}

	for i, p := range w.Params {
		f := field{fmt.Sprintf("params[%d].value", i), fmt.Sprintf("/params/%d/value", i)}
		nf := field{fmt.Sprintf("params[%d].name", i), fmt.Sprintf("/params/%d/name", i)}
		d, limit := destQuery, MaxURLBytes
		if w.ParamsInHeaders {
			d, limit = destHeader, MaxHeaderBytes
			if err := checkHeaderName(nf, p.Name); err != nil {
				errs = append(errs, err)
			}
			if err := checkHeaderTemplate(f, p.Value); err != nil {
				errs = append(errs, err)
			}
		} else if p.Name == "" {
			errs = append(errs, nf.errorf("a param needs a name"))
		}
		t, err := compileTemplate(f, p.Value, d, limit)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.params = append(c.params, namedTmpl{p.Name, t})
	}

	for i, h := range w.Headers {
		f := field{fmt.Sprintf("headers[%d].value", i), fmt.Sprintf("/headers/%d/value", i)}
		if err := checkHeaderName(field{fmt.Sprintf("headers[%d].name", i), fmt.Sprintf("/headers/%d/name", i)}, h.Name); err != nil {
			errs = append(errs, err)
		}
		if err := checkHeaderTemplate(f, h.Value); err != nil {
			errs = append(errs, err)
		}
		t, err := compileTemplate(f, h.Value, destHeader, MaxHeaderBytes)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.headers = append(c.headers, namedTmpl{h.Name, t})
	}

	if w.Body != nil {
		bf := field{"body", "/body/template"}
		var d dest
		switch w.Body.Format {
		case webhook.FormatJSON:
			d, c.contentType = destJSON, ContentTypeJSON
		case webhook.FormatXML:
			d, c.contentType = destXML, ContentTypeXML
		case webhook.FormatText:
			d, c.contentType = destText, ContentTypeText
		default:
			errs = append(errs, field{"body.format", "/body/format"}.errorf(`the body format must be json, xml or text, not %q`, w.Body.Format))
		}
		if w.Method == webhook.MethodGet {
			errs = append(errs, bf.errorf("a GET request has no body; remove the body or use POST"))
		}
		if strings.TrimSpace(w.Body.Template) == "" {
			errs = append(errs, bf.errorf("the body template is empty; write the body, or remove it"))
		} else if t, err := compileTemplate(bf, w.Body.Template, d, MaxBodyBytes); err != nil {
			errs = append(errs, err)
		} else {
			c.body = &t
		}
	}

	c.collectNames(w.URL)
	for _, p := range w.Params {
		c.collectNames(p.Value)
	}
	for _, h := range w.Headers {
		c.collectNames(h.Value)
	}
	if w.Body != nil {
		c.collectNames(w.Body.Template)
	}
	for _, h := range []webhook.Header{{Name: "User-Agent", Value: UserAgent}, {Name: "Accept", Value: Accept}} {
		if !c.sets(h.Name) {
			c.fixed = append(c.fixed, h)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// sets reports whether the definition sends a header of that name itself.
func (c *Compiled) sets(name string) bool {
	for _, h := range c.headers {
		if strings.EqualFold(h.name, name) {
			return true
		}
	}
	if c.paramsInHeaders {
		for _, p := range c.params {
			if strings.EqualFold(p.name, name) {
				return true
			}
		}
	}
	return false
}

func checkHeaderName(f field, name string) *Error {
	switch {
	case name == "":
		return f.errorf("a header needs a name")
	case !isToken(name):
		return f.errorf("%q is not a valid header name; use letters, digits and !#$%%&'*+-.^_`|~ only", name)
	case forbiddenHeaders[strings.ToLower(name)]:
		return f.errorf("the %s header is set by the HTTP client and cannot be set", name)
	}
	return nil
}

// checkHeaderTemplate refuses line breaks and NUL in a header value's template text.
func checkHeaderTemplate(f field, src string) *Error {
	if i := strings.IndexAny(src, "\r\n\x00"); i >= 0 {
		e := f.errorf("a header value cannot contain a line break or NUL; put it on one line")
		e.Line, e.Col = posAt(src, i)
		e.Msg = "the template" + at(e.Line, e.Col) + " contains a line break or NUL; a header value must be one line"
		return e
	}
	return nil
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

// compileTemplate parses src for d.
func compileTemplate(f field, src string, d dest, limit int) (tmpl, *Error) {
	t := tmpl{field: f, src: src, dest: d, limit: limit}
	if !utf8.ValidString(src) {
		return t, f.errorf("the template is not valid UTF-8")
	}
	if !strings.ContainsAny(src, "$#") {
		t.static = literalValid(t)
		return t, nil
	}
	// Markers are longer than short values, so the engine's own output limit leaves
	// room; the limit that counts is checked on the escaped output.
	vt, err := velocity.Parse(f.name, src, velocity.StrictReferences(true),
		velocity.WithLimits(velocity.Limits{OutputBytes: int64(4*limit + 4096)}))
	if err != nil {
		var pe *velocity.ParseError
		if errors.As(err, &pe) {
			return t, &Error{Field: f.name, Pointer: f.pointer, Line: pe.Line, Col: pe.Col, Err: err,
				Msg: "the template does not parse" + at(pe.Line, pe.Col) + ": " + strings.TrimSuffix(pe.Msg, ".")}
		}
		return t, &Error{Field: f.name, Pointer: f.pointer, Err: err, Msg: "the template does not parse: " + err.Error()}
	}
	t.t = vt
	t.markAll = strings.Contains(src, "evaluate")
	tree, err := parse.Parse(f.name, src, &parse.Options{Alternates: true})
	if err != nil {
		t.markAll = true
		return t, nil
	}
	t.segs = simpleSegments(tree)
	t.static = staticValid(t)
	t.direct = directStates(t)
	t.refEnds, t.refSpans = map[parse.Pos]int{}, map[int]int{}
	walk(tree.Root, func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ReferenceNode:
			first, last := x.FirstToken(), x.LastToken()
			if first != nil && last != nil {
				t.refEnds[x.Position()] = last.EndOff
				if _, outer := t.refSpans[first.Off]; !outer {
					t.refSpans[first.Off] = last.EndOff
				}
			}
		case *parse.StringNode:
			if x.Quote() != '"' {
				return
			}
			tok := x.LastToken()
			r := posRange{from: x.Position(), to: parse.Pos{Line: int(^uint(0) >> 1)}}
			if tok != nil && tok.Next != nil {
				r.to = parse.Pos{Line: tok.Next.Line, Col: tok.Next.Col}
			}
			t.strs = append(t.strs, r)
		}
	})
	return t, nil
}

// simpleSegments returns the pieces of a template made only of text and simple
// references, or nil. The engine renders such a template by writing each text node's
// literal and passing each reference's value (looked up in the data, then the
// resolver) to the insertion hook; Build does the same without it, which saves the
// engine's per-execution setup on the hot path. FuzzBuildTemplates checks that both
// give the same requests and errors.
func simpleSegments(tree *parse.Tree) []segment {
	segs := make([]segment, 0, len(tree.Root.Nodes))
	for _, n := range tree.Root.Nodes {
		switch x := n.(type) {
		case *parse.TextNode:
			segs = append(segs, segment{lit: parse.Literal(x)})
		case *parse.ReferenceNode:
			lit := parse.Literal(x)
			name, quiet, ok := simpleName(lit)
			if !ok || len(x.Parts) > 0 || x.Alternate != nil {
				return nil
			}
			p := x.Position()
			segs = append(segs, segment{ref: &simpleRef{name: name, quiet: quiet,
				ref: velocity.Reference{Text: lit, Line: p.Line, Col: p.Col}}})
		default:
			return nil
		}
	}
	return segs
}

// staticValid reports whether every output of a simple template is valid for its
// destination, so that Build need not check it: the template's text puts no value
// where it could break the structure, and the text with a stand-in for each value is
// valid. Values are escaped for where they land and never change the lexical state,
// and a stand-in is as good as any value there:
//
//   - JSON: outside a string, null — any JSON value is valid where null is (null
//     must be set off by structural characters or white space, as every value is),
//     but a silent reference that may write nothing is not, so then there is no
//     shortcut; inside a string, nothing — escaped text is valid where "" is.
//   - URL: no value in the scheme or host, where one could change the structure;
//     values elsewhere are percent-encoded and cannot. The text with values left out
//     must be an https URL with a host and without spaces or control characters.
//   - Header: the text holds no control character (values are checked as written).
//
// XML is always checked: a value in an element name passes any stand-in test.
func staticValid(t tmpl) bool {
	out, ok := followText(t, func(r *simpleRef, st lexState, out []byte) ([]byte, bool) {
		switch t.dest {
		case destJSON:
			switch {
			case st.json == jsonString:
			case st.json == jsonOutside && !r.quiet:
				out = append(out, "null"...)
			default:
				return out, false
			}
		case destURL:
			if st.url == partScheme || st.url == partHost {
				return out, false
			}
		case destHeader, destQuery, destText:
		default:
			return out, false
		}
		return out, true
	})
	if !ok {
		return false
	}
	switch t.dest {
	case destJSON:
		return json.Valid(out)
	case destURL:
		return validURLText(out)
	case destHeader:
		return bytes.IndexFunc(out, isControl) < 0
	case destXML:
		return false
	}
	return true
}

// literalValid reports whether a template without references or directives, whose
// output is its text, builds: the text is within the limit and passes the check for
// its destination. Build then skips both.
func literalValid(t tmpl) bool {
	if len(t.src) > t.limit {
		return false
	}
	b := &builder{out: []byte(t.src)}
	return b.check(&t) == nil
}

// directStates records in each reference of a simple template the lexical state of
// the output where its value lands, and reports whether Build may write the template
// directly (t.direct). The state follows the template's text alone: values are
// escaped so that they never change it.
func directStates(t tmpl) bool {
	if t.dest == destXML {
		return false
	}
	_, ok := followText(t, func(r *simpleRef, st lexState, out []byte) ([]byte, bool) {
		r.st = st
		return out, true
	})
	return ok
}

// followText walks a simple template's pieces, following the lexical state of its
// output through the literal text, and calls ref for each reference with the state
// where its value lands; ref may append a stand-in for the value to out, or return
// false to stop the walk. It returns the output so built, and false when the template
// is not simple or ref stopped the walk.
func followText(t tmpl, ref func(r *simpleRef, st lexState, out []byte) ([]byte, bool)) ([]byte, bool) {
	if t.segs == nil {
		return nil, false
	}
	var st lexState
	var out []byte
	for _, sg := range t.segs {
		if sg.ref == nil {
			out = append(out, sg.lit...)
			st.follow(t.dest, out, len(sg.lit))
			continue
		}
		var ok bool
		if out, ok = ref(sg.ref, st, out); !ok {
			return out, false
		}
	}
	return out, true
}

// validURLText reports whether s passes the checks of a rendered URL: https, no space
// or control character, parses with a host.
func validURLText(s []byte) bool {
	if len(s) < len("https://") || !strings.EqualFold(string(s[:len("https://")]), "https://") {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(string(s))
	return err == nil && u.Hostname() != ""
}

// simpleName reads $name, ${name}, $!name or $!{name}.
func simpleName(lit string) (name string, quiet, ok bool) {
	s, ok := strings.CutPrefix(lit, "$")
	if !ok {
		return "", false, false
	}
	s, quiet = strings.CutPrefix(s, "!")
	if inner, braced := strings.CutPrefix(s, "{"); braced {
		if s, ok = strings.CutSuffix(inner, "}"); !ok {
			return "", false, false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_' || c == '-')) {
			return "", false, false
		}
	}
	return s, quiet, s != ""
}

// walk calls fn for n and every node below it, alternates of ${a|b} included.
func walk(n parse.Node, fn func(parse.Node)) {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return
	}
	fn(n)
	for _, c := range n.Children() {
		walk(c, fn)
	}
	if r, ok := n.(*parse.ReferenceNode); ok && r.Alternate != nil {
		walk(r.Alternate, fn)
	}
}

// describe names a dest in messages.
func (d dest) String() string {
	switch d {
	case destURL:
		return "URL"
	case destQuery:
		return "query param"
	case destHeader:
		return "header"
	case destJSON:
		return "JSON"
	case destXML:
		return "XML"
	}
	return "text"
}
