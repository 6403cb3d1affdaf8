package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/parse"
	"github.com/flowhook/flowhook/shared/webhook"
)

// RenderTimeout bounds the wall time the engine may take for one Build, counted from
// the first template that needs it, on top of the engine's loop, output and depth
// limits. (Text and simple references, rendered without the engine, cannot loop.)
const RenderTimeout = 2 * time.Second

// Built is a request built from a definition: ready for authentication and sending.
type Built struct {
	Method string
	// URL is the rendered URL with the query params appended.
	URL string
	// Header lists the headers in order: User-Agent and Accept (unless the definition
	// sets them), the definition's headers, then params sent as headers.
	Header []webhook.Header
	// Body is nil without a body.
	Body []byte
	// ContentType is the body format's media type; empty without a body.
	ContentType string
}

// Build renders every template of c with the variables of rc, escaping each value for
// where it lands (see Compile), and checks the result: an https URL that parses, a
// JSON body that parses, a well-formed XML body. References are strict: one without a
// value fails the build, naming it; $!name renders nothing instead. A nil rc renders
// with no variables. Errors are *Error.
func (c *Compiled) Build(ctx context.Context, rc *Context) (Built, error) {
	if rc == nil {
		rc = &Context{}
	}
	b := builderPool.Get().(*builder)
	defer b.release()
	b.ctx = pollDeadline{Context: ctx} // the deadline is set when the engine is first needed
	ctx = &b.ctx

	out := Built{Method: c.method, ContentType: c.contentType}
	if err := b.render(ctx, &c.url, rc); err != nil {
		return Built{}, err
	}
	b.url = append(b.url[:0], b.out...)

	// Room for the two headers a sender adds: authentication and the idempotency key.
	n := len(c.fixed) + len(c.headers) + 2
	if c.paramsInHeaders {
		n += len(c.params)
	}
	out.Header = make([]webhook.Header, 0, n)
	out.Header = append(out.Header, c.fixed...)
	for i := range c.headers {
		h := &c.headers[i]
		if err := b.render(ctx, &h.tmpl, rc); err != nil {
			return Built{}, err
		}
		out.Header = append(out.Header, webhook.Header{Name: h.name, Value: b.text(&h.tmpl)})
	}
	b.query = b.query[:0]
	for i := range c.params {
		p := &c.params[i]
		if err := b.render(ctx, &p.tmpl, rc); err != nil {
			return Built{}, err
		}
		if c.paramsInHeaders {
			out.Header = append(out.Header, webhook.Header{Name: p.name, Value: b.text(&p.tmpl)})
			continue
		}
		if len(b.query) > 0 {
			b.query = append(b.query, '&')
		}
		b.query = appendQueryEscape(b.query, p.name)
		b.query = append(b.query, '=')
		b.query = appendQueryEscape(b.query, b.out)
	}
	if len(b.query) > 0 {
		b.url = appendQuery(b.url, b.query)
		if len(b.url) > MaxURLBytes {
			return Built{}, c.url.errorf("the URL with its params is %d bytes long; the limit is %d", len(b.url), MaxURLBytes)
		}
	}
	if string(b.url) == c.url.src {
		out.URL = c.url.src
	} else {
		out.URL = string(b.url)
	}

	if c.body != nil {
		if err := b.render(ctx, c.body, rc); err != nil {
			return Built{}, err
		}
		out.Body = bytes.Clone(b.out)
	}
	return out, nil
}

// appendQuery adds params to the query of the URL u, before any fragment, in place.
func appendQuery(u, params []byte) []byte {
	base, frag, hasFrag := bytes.Cut(u, []byte("#"))
	sep := ""
	switch {
	case bytes.IndexByte(base, '?') < 0:
		sep = "?"
	case !bytes.HasSuffix(base, []byte("?")) && !bytes.HasSuffix(base, []byte("&")):
		sep = "&"
	}
	if !hasFrag {
		u = append(u, sep...)
		return append(u, params...)
	}
	// Move the fragment to make room: u = base + sep + params + "#" + frag.
	n := len(base) + len(sep) + len(params) + 1 + len(frag)
	u = slices.Grow(u, n-len(u))[:n]
	copy(u[n-len(frag):], u[len(base)+1:len(base)+1+len(frag)])
	u[n-len(frag)-1] = '#'
	copy(u[len(base):], sep)
	copy(u[len(base)+len(sep):], params)
	return u
}

// text returns b.out, the output of t, as a string: t's source itself when the
// output is that text, as it is for a template without references, else a copy.
func (b *builder) text(t *tmpl) string {
	if string(b.out) == t.src {
		return t.src
	}
	return string(b.out)
}

// insertion is a value a reference wrote to the output, replaced there by a marker.
type insertion struct {
	ref velocity.Reference
	v   any
	// txt caches the value's text once computed.
	txt  string
	done bool
}

// span is where an insertion's escaped text sits in the output.
type span struct {
	start, end int
	ins        int
	// part is the URL part the value landed in (URL templates only).
	part urlPart
}

// pollDeadline is a context that expires at a time without a timer: the engine polls
// Err between loop iterations and macro calls, and never waits on Done, so a timer
// (and its allocation and lock per build) would buy nothing. Done is the parent's.
type pollDeadline struct {
	context.Context
	at time.Time
}

func (d *pollDeadline) Deadline() (time.Time, bool) {
	if p, ok := d.Context.Deadline(); ok && p.Before(d.at) {
		return p, true
	}
	return d.at, true
}

func (d *pollDeadline) Err() error {
	if err := d.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(d.at) {
		return context.DeadlineExceeded
	}
	return nil
}

// builder is the state of one Build: the engine's raw output with markers, the
// escaped output, and the values. Builders are pooled.
type builder struct {
	raw []byte
	out []byte
	// url and query collect the URL and its params.
	url   []byte
	query []byte
	ins   []insertion
	spans []span
	cur   *tmpl
	ctx   pollDeadline
	// hook is velocity.WithInsert(b.insert), made once per builder.
	hook velocity.Option
}

var builderPool = sync.Pool{New: func() any {
	b := &builder{}
	b.hook = velocity.WithInsert(b.insert)
	return b
}}

// maxPooled is the largest buffer a pooled builder keeps.
const maxPooled = 64 << 10

func (b *builder) release() {
	if cap(b.raw) > maxPooled || cap(b.out) > maxPooled || cap(b.url) > maxPooled || cap(b.query) > maxPooled || cap(b.ins) > 1024 {
		return // let a builder that grew large go
	}
	clear(b.ins) // drop references to values
	b.raw, b.out, b.ins, b.spans, b.cur, b.ctx = b.raw[:0], b.out[:0], b.ins[:0], b.spans[:0], nil, pollDeadline{}
	b.url, b.query = b.url[:0], b.query[:0]
	builderPool.Put(b)
}

// Write collects the engine's output.
func (b *builder) Write(p []byte) (int, error) {
	b.raw = append(b.raw, p...)
	return len(p), nil
}

// insert is the engine's insertion hook: it records the value and writes a marker,
// or, inside a string literal of the template, the value's plain text.
func (b *builder) insert(ref velocity.Reference, v any) (string, error) {
	if len(b.cur.strs) > 0 && !b.cur.markAll && b.cur.inString(parse.Pos{Line: ref.Line, Col: ref.Col}) {
		return text(resolved(v), b), nil
	}
	b.ins = append(b.ins, insertion{ref: ref, v: v})
	return marker(len(b.ins) - 1), nil
}

// textOf returns the text of insertion i.
func (b *builder) textOf(i int) string {
	in := &b.ins[i]
	if !in.done {
		in.txt, in.done = text(resolved(in.v), b), true
	}
	return in.txt
}

// clean replaces the markers in a string the template built (say with #set and a
// #define block) by the text of their values, so a value is escaped once, where the
// string lands; any other byte that is not UTF-8 becomes U+FFFD. b may be nil.
func (b *builder) clean(s string) string {
	if strings.IndexByte(s, markerStart) < 0 && strings.IndexByte(s, markerEnd) < 0 {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == markerStart && b != nil {
			if idx, n, ok := readMarker([]byte(s[i:])); ok && idx < len(b.ins) {
				out.WriteString(b.textOf(idx))
				i += n
				continue
			}
		}
		if c == markerStart || c == markerEnd {
			out.WriteString("\uFFFD")
			i++
			continue
		}
		out.WriteByte(c)
		i++
	}
	return strings.ToValidUTF8(out.String(), "\uFFFD")
}

// render renders t into b.out, escaped for its destination and checked.
func (b *builder) render(ctx context.Context, t *tmpl, rc *Context) error {
	b.raw, b.ins, b.cur = b.raw[:0], b.ins[:0], t
	switch {
	case t.t == nil:
		// Text alone: the output is the text, checked at compile time when it passes
		// (t.static).
		b.out, b.spans = append(b.out[:0], t.src...), b.spans[:0]
		if t.static {
			return nil
		}
		if len(b.out) > t.limit {
			return b.tooLong(t)
		}
		return b.check(t)
	case t.direct:
		if err := b.renderDirect(t, rc); err != nil {
			return err
		}
		return b.check(t)
	case t.segs != nil:
		if err := b.renderSimple(t, rc); err != nil {
			return err
		}
	default:
		if b.ctx.at.IsZero() {
			b.ctx.at = time.Now().Add(RenderTimeout)
		}
		if err := t.t.Execute(ctx, b, rc.Data, b.hook, rc.resolver()); err != nil {
			return t.engineError(err)
		}
	}
	if err := b.expand(t); err != nil {
		return err
	}
	return b.check(t)
}

// renderSimple renders a template of text and simple references as the engine would
// (see simpleSegments): a name is looked up in the data, then through the resolver; a
// value goes through the insertion hook; a missing or null value is a strict-mode
// reference error unless the reference is silent.
func (b *builder) renderSimple(t *tmpl, rc *Context) error {
	for i := range t.segs {
		s := &t.segs[i]
		if s.ref == nil {
			b.raw = append(b.raw, s.lit...)
			continue
		}
		v := rc.lookup(s.ref.name)
		if isNull(v) {
			if s.ref.quiet {
				continue
			}
			r := s.ref.ref
			return t.engineError(&velocity.ReferenceError{Name: t.name, Line: r.Line, Col: r.Col, Ref: r.Text})
		}
		m, _ := b.insert(s.ref.ref, v)
		b.raw = append(b.raw, m...)
	}
	return nil
}

// renderDirect renders a direct template (see tmpl.direct) into b.out: what
// renderSimple and expand together write, without markers. As there, every reference
// is looked up first (a missing one fails before any value is written), then text and
// values are written in order, each value escaped for the state its reference
// recorded at compile time, its span recorded for the checks.
func (b *builder) renderDirect(t *tmpl, rc *Context) error {
	for i := range t.segs {
		s := &t.segs[i]
		if s.ref == nil {
			continue
		}
		v := rc.lookup(s.ref.name)
		if isNull(v) {
			if !s.ref.quiet {
				r := s.ref.ref
				return t.engineError(&velocity.ReferenceError{Name: t.name, Line: r.Line, Col: r.Col, Ref: r.Text})
			}
			v = nil // writes nothing
		}
		b.ins = append(b.ins, insertion{ref: s.ref.ref, v: v})
	}
	b.out, b.spans = b.out[:0], b.spans[:0]
	idx := 0
	for i := range t.segs {
		s := &t.segs[i]
		if s.ref == nil {
			b.out = append(b.out, s.lit...)
			continue
		}
		idx++
		if b.ins[idx-1].v == nil {
			continue
		}
		st := s.ref.st
		start := len(b.out)
		if err := b.value(t, idx-1, &st); err != nil {
			return err
		}
		b.spans = append(b.spans, span{start: start, end: len(b.out), ins: idx - 1, part: st.url})
		if len(b.out) > t.limit {
			return b.tooLong(t)
		}
	}
	if len(b.out) > t.limit {
		return b.tooLong(t)
	}
	// Text and the values written from JSON or escaped are UTF-8; a plain value's
	// text in a text, query or header template may not be.
	if (t.dest == destText || t.dest == destQuery || t.dest == destHeader) && !utf8.Valid(b.out) {
		b.out = bytes.ToValidUTF8(b.out, []byte("\uFFFD"))
	}
	return nil
}

// engineError turns an error of the engine into an *Error.
func (t *tmpl) engineError(err error) *Error {
	e := &Error{Field: t.name, Pointer: t.pointer, Err: err}
	var re *velocity.ReferenceError
	var le *velocity.LimitError
	var rn *velocity.RenderError
	var pe *velocity.ParseError
	switch {
	case errors.As(err, &re):
		e.Ref, e.Line, e.Col = re.Ref, re.Line, re.Col
		e.Msg = re.Ref + at(re.Line, re.Col) + " has no value; give it one, or write " + quiet(re.Ref) + " to send nothing when it is unset"
	case errors.As(err, &le):
		e.Line, e.Col = le.Line, le.Col
		e.Msg = fmt.Sprintf("the template exceeds its %s limit (%d)%s", le.Limit, le.Max, at(le.Line, le.Col))
	case errors.As(err, &rn) && (errors.Is(rn.Err, context.DeadlineExceeded) || errors.Is(rn.Err, context.Canceled)):
		e.Line, e.Col = rn.Line, rn.Col
		e.Msg = fmt.Sprintf("rendering stopped%s: it took longer than %s or was cancelled", at(rn.Line, rn.Col), RenderTimeout)
	case errors.As(err, &rn):
		e.Line, e.Col = rn.Line, rn.Col
		e.Msg = "the template fails" + at(rn.Line, rn.Col) + ": " + strings.TrimSuffix(rn.Msg, ".")
	case errors.As(err, &pe):
		e.Line, e.Col = pe.Line, pe.Col
		e.Msg = "the template does not parse" + at(pe.Line, pe.Col) + ": " + strings.TrimSuffix(pe.Msg, ".")
	default:
		e.Msg = "the template fails: " + err.Error()
	}
	return e
}

// quiet returns the silent form of a reference: $TOWN → $!TOWN, ${a.b} → $!{a.b}.
func quiet(ref string) string {
	if strings.HasPrefix(ref, "$!") || !strings.HasPrefix(ref, "$") {
		return ref
	}
	return "$!" + ref[1:]
}

// urlPart is the part of a URL the output has reached.
type urlPart uint8

const (
	partScheme urlPart = iota
	partHost
	partPath
	partQuery
	partFragment
)

func (p urlPart) String() string {
	return [...]string{"scheme", "host", "path", "query", "fragment"}[p]
}

// jsonState is the JSON lexical state of the output so far.
type jsonState uint8

const (
	jsonOutside jsonState = iota
	jsonString
	jsonEscape  // right after a backslash in a string
	jsonUnicode // inside the four hex digits of a \uXXXX escape
)

// lexState is the state of the output so far that decides how a value is escaped.
type lexState struct {
	url  urlPart
	json jsonState
	// hex counts the digits of a \uXXXX escape still to come.
	hex int8
	// cdata is set inside an XML CDATA section; scanned is how far out has been read.
	cdata   bool
	scanned int
}

// follow updates the state over the last n bytes of out, which the template wrote
// itself (values never change the state: they are escaped so that they cannot).
func (st *lexState) follow(d dest, out []byte, n int) {
	base := len(out) - n
	switch d {
	case destURL:
		for j, c := range out[base:] {
			switch st.url {
			case partScheme:
				if c == '/' && bytes.HasSuffix(out[:base+j+1], []byte("://")) {
					st.url = partHost
				}
			case partHost:
				switch c {
				case '/':
					st.url = partPath
				case '?':
					st.url = partQuery
				case '#':
					st.url = partFragment
				}
			case partPath:
				switch c {
				case '?':
					st.url = partQuery
				case '#':
					st.url = partFragment
				}
			case partQuery:
				if c == '#' {
					st.url = partFragment
				}
			}
		}
	case destJSON:
		for _, c := range out[base:] {
			switch st.json {
			case jsonOutside:
				if c == '"' {
					st.json = jsonString
				}
			case jsonString:
				switch c {
				case '"':
					st.json = jsonOutside
				case '\\':
					st.json = jsonEscape
				}
			case jsonEscape:
				st.json = jsonString
				if c == 'u' {
					st.json, st.hex = jsonUnicode, 4
				}
			case jsonUnicode:
				if st.hex--; st.hex == 0 {
					st.json = jsonString
				}
			}
		}
	case destXML:
		st.scanXML(out)
	}
}

// expand writes b.raw to b.out with every marker replaced by its value escaped for
// the place it lands, and records the spans.
func (b *builder) expand(t *tmpl) error {
	b.out, b.spans = b.out[:0], b.spans[:0]
	var st lexState
	raw := b.raw
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, markerStart)
		lit := raw
		if i >= 0 {
			lit = raw[:i]
		}
		if len(lit) > 0 {
			b.literal(t, lit, &st)
			raw = raw[len(lit):]
		}
		if i < 0 {
			break
		}
		idx, n, ok := readMarker(raw)
		if !ok || idx >= len(b.ins) {
			// Part of a marker cut by a string method: not a value to trust.
			b.out = append(b.out, "\uFFFD"...)
			raw = raw[1:]
			continue
		}
		raw = raw[n:]
		start := len(b.out)
		if err := b.value(t, idx, &st); err != nil {
			return err
		}
		b.spans = append(b.spans, span{start: start, end: len(b.out), ins: idx, part: st.url})
		if len(b.out) > t.limit {
			return b.tooLong(t)
		}
	}
	if len(b.out) > t.limit {
		return b.tooLong(t)
	}
	if !utf8.Valid(b.out) {
		// Only a string method cutting a value's text apart can do this.
		b.out = bytes.ToValidUTF8(b.out, []byte("\uFFFD"))
	}
	return nil
}

func (b *builder) tooLong(t *tmpl) *Error {
	return t.errorf("the rendered %s is longer than the limit of %d bytes", t.dest, t.limit)
}

// literal appends literal output and follows the lexical state.
func (b *builder) literal(t *tmpl, lit []byte, st *lexState) {
	b.out = append(b.out, lit...)
	st.follow(t.dest, b.out, len(lit))
}

var (
	cdataOpen  = []byte("<![CDATA[")
	cdataClose = []byte("]]>")
)

// scanXML follows CDATA sections over the output written since the last scan.
func (st *lexState) scanXML(out []byte) {
	for {
		from := max(0, st.scanned-len(cdataOpen)+1)
		if st.cdata {
			i := bytes.Index(out[from:], cdataClose)
			if i < 0 {
				break
			}
			st.cdata, st.scanned = false, from+i+len(cdataClose)
			continue
		}
		i := bytes.Index(out[from:], cdataOpen)
		if i < 0 {
			break
		}
		st.cdata, st.scanned = true, from+i+len(cdataOpen)
	}
	st.scanned = max(st.scanned, len(out))
}
