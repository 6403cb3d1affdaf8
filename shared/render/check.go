package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// check validates b.out, the escaped output of t, for its destination.
func (b *builder) check(t *tmpl) error {
	if t.static {
		if t.dest == destURL {
			return b.checkDotSegments(t)
		}
		return nil
	}
	switch t.dest {
	case destURL:
		return b.checkURL(t)
	case destHeader:
		for i, c := range b.out {
			if isControl(rune(c)) && b.spanAt(i) < 0 {
				return b.literalError(t, i, "contains "+describeControl(c), "a header value cannot hold it")
			}
		}
	case destJSON:
		return b.checkJSON(t)
	case destXML:
		return b.checkXML(t)
	}
	return nil
}

func (b *builder) checkURL(t *tmpl) error {
	s := b.out
	if len(s) < len("https://") || !strings.EqualFold(string(s[:len("https://")]), "https://") {
		return t.errorf("the URL must start with https://, but it renders as %s", quoteShort(string(s)))
	}
	for i, c := range s {
		if c <= ' ' || c == 0x7f {
			what := "a space"
			if c != ' ' {
				what = describeControl(c)
			}
			return b.literalError(t, i, "contains "+what, "percent-encode it (a space is %20)")
		}
	}
	u, err := url.Parse(string(s))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return t.errorf("the rendered URL does not parse (%v): %s", err, quoteShort(string(s)))
	}
	if u.Hostname() == "" {
		return t.errorf("the rendered URL has no host: %s", quoteShort(string(s)))
	}
	return b.checkDotSegments(t)
}

// checkDotSegments refuses a value that makes a whole path segment "." or "..".
func (b *builder) checkDotSegments(t *tmpl) error {
	s := b.out
	for _, sp := range b.spans {
		if sp.part != partPath {
			continue
		}
		seg := string(s[sp.start:sp.end])
		whole := sp.start > 0 && s[sp.start-1] == '/' && (sp.end == len(s) || strings.IndexByte("/?#", s[sp.end]) >= 0)
		if (seg == "." || seg == "..") && whole {
			return t.valueError(&b.ins[sp.ins], "would make the path segment %q, which changes the URL's path; a value cannot walk the path", seg)
		}
	}
	return nil
}

func (b *builder) checkJSON(t *tmpl) error {
	if json.Valid(b.out) {
		return nil
	}
	var raw json.RawMessage
	err := json.Unmarshal(b.out, &raw)
	off, msg := len(b.out), "it is empty"
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = se.Error()
		if se.Offset > 0 && int(se.Offset) <= len(b.out) && !strings.HasPrefix(msg, "unexpected end") {
			off = int(se.Offset) - 1
		}
		if strings.HasPrefix(msg, "unexpected end") {
			msg = "it ends too early (is a closing bracket or quote missing?)"
		}
	} else if err != nil {
		msg = err.Error()
	}
	if i := b.spanAt(off); i >= 0 {
		return t.valueError(&b.ins[b.spans[i].ins], "made the JSON invalid: %s", msg)
	}
	return b.literalError(t, off, "makes invalid JSON", msg)
}

func (b *builder) checkXML(t *tmpl) error {
	off, msg := wellFormed(b.out)
	if msg == "" {
		return nil
	}
	if i := b.spanAt(off); i >= 0 {
		return t.valueError(&b.ins[b.spans[i].ins], "made the XML invalid: %s", msg)
	}
	// The parser stops after the markup it could not read: blame a value written in
	// that same markup (an element name, a comment), if any.
	for i := len(b.spans) - 1; i >= 0; i-- {
		sp := b.spans[i]
		if sp.start >= off {
			continue
		}
		if bytes.ContainsAny(b.out[sp.end:off], "<>") {
			break
		}
		return t.valueError(&b.ins[sp.ins], "made the XML invalid: %s", msg)
	}
	return b.literalError(t, off, "makes XML that is not well-formed", msg)
}

// wellFormed checks that doc is one well-formed XML document and returns the offset
// and message of the first problem ("" when there is none).
func wellFormed(doc []byte) (int, string) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var declared string
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		declared = label
		return nil, errors.New("unsupported encoding")
	}
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		off := min(int(d.InputOffset()), len(doc))
		if err != nil {
			if declared != "" {
				return off, fmt.Sprintf("it declares the encoding %q, but the body is sent as UTF-8; declare UTF-8 or leave the encoding out", declared)
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return max(off-1, 0), se.Msg
			}
			return max(off-1, 0), err.Error()
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return off - 1, "it has more than one root element"
				}
			}
			depth++
			for i, a := range x.Attr {
				for _, prev := range x.Attr[:i] {
					if prev.Name == a.Name {
						return off - 1, fmt.Sprintf("the attribute %q appears twice in <%s>", a.Name.Local, x.Name.Local)
					}
				}
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(x)) > 0 {
				return off - 1, "it has text outside the root element"
			}
		}
	}
	if roots == 0 {
		return len(doc), "it has no root element"
	}
	return 0, ""
}

// spanAt returns the index of the span that holds output offset off, or -1.
func (b *builder) spanAt(off int) int {
	for i, sp := range b.spans {
		if sp.start <= off && off < sp.end {
			return i
		}
	}
	return -1
}

// literalError reports a problem at output offset off, in text the template wrote
// itself: "the template <what> at line L, col C[: detail]". The position is the
// template's when the output from the last value before off up to off is the
// template's own text (no directive in between); else it is the position in the
// rendered output.
func (b *builder) literalError(t *tmpl, off int, what, detail string) *Error {
	e := &Error{Field: t.name, Pointer: t.pointer}
	if detail != "" {
		detail = ": " + detail
	}
	if line, col, ok := b.templatePos(t, off); ok {
		e.Line, e.Col = line, col
		e.Msg = fmt.Sprintf("the template %s at line %d, col %d%s", what, line, col, detail)
		return e
	}
	line, col := plainPos(b.out, off)
	e.Msg = fmt.Sprintf("the rendered output %s at line %d, col %d of the output%s", what, line, col, detail)
	return e
}

// templatePos maps output offset off back to the template, when that is certain: the
// output from the last value before off up to off (inclusive) must be the template's
// own text, where a reference that wrote nothing ($!unset) may be skipped.
func (b *builder) templatePos(t *tmpl, off int) (line, col int, ok bool) {
	i, j := 0, 0
	for k := len(b.spans) - 1; k >= 0; k-- {
		sp := b.spans[k]
		if sp.end > off {
			continue
		}
		ref := b.ins[sp.ins].ref
		end, found := t.refEnds[parse.Pos{Line: ref.Line, Col: ref.Col}]
		if !found {
			return 0, 0, false
		}
		i, j = sp.end, end
		break
	}
	limit := off
	if off < len(b.out) {
		limit++ // the offending character must be the template's too
	}
	for i < limit {
		if j < len(t.src) && b.out[i] == t.src[j] {
			i, j = i+1, j+1
			continue
		}
		end, isRef := t.refSpans[j]
		if !isRef {
			return 0, 0, false
		}
		j = end
	}
	if off < len(b.out) {
		j--
	} else {
		for end, isRef := t.refSpans[j]; isRef; end, isRef = t.refSpans[j] {
			j = end
		}
	}
	line, col = posAt(t.src, j)
	return line, col, true
}
