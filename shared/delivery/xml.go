package delivery

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity"
)

// DecodeXML converts an XML document into template values, in the shape of
// github.com/clbanning/mxj/v2's NewMapXml with casting off, with keys in document order:
//
//   - The document is a *velocity.Map with one key, the root element's name.
//   - An element with neither attributes nor child elements is its text, a string
//     ("" when empty).
//   - Any other element is a *velocity.Map: its attributes as "-name" in document order,
//     then its child elements by name in order of first appearance, then its own text,
//     when not blank, as "#text".
//   - A name repeated among siblings is a []any of their values in document order.
//   - Names lose their namespace prefix (ns:item is "item"; xmlns:ns="…" is "-ns").
//   - Text is trimmed of surrounding white space; CDATA is text; comments, processing
//     instructions and the DOCTYPE are skipped.
//   - Every value is a string: numbers are never cast ("007" stays "007").
//
// It reads only XML's predefined entities and character references and never a DTD,
// so external entities (XXE) and entity expansion cannot reach files or blow up memory.
//
// It is written on encoding/xml rather than calling mxj because mxj keeps no order, and
// keeps only the last piece of text split by a child element, a comment or a CDATA
// section, dropping the rest; the tests check that both agree on documents without
// such text. Unlike mxj, content after the root element is an error, as trailing data
// after a JSON value is.
//
// charset is the Content-Type's charset parameter; it applies when the document does
// not declare its own encoding.
func DecodeXML(body []byte, charset string) (any, error) {
	converted := false
	if len(body) >= 2 && (body[0] == 0xfe && body[1] == 0xff || body[0] == 0xff && body[1] == 0xfe) {
		s, _ := toUTF8(body, "utf-16")
		body, converted = []byte(s), true
	} else if charset != "" && charset != "utf-8" && charset != "utf8" && !declaresEncoding(body) {
		if s, known := toUTF8(body, charset); known {
			body, converted = []byte(s), true
		}
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = charsetReader(converted)

	type frame struct {
		name string
		m    *velocity.Map
		text strings.Builder
	}
	var stack []*frame
	var root *velocity.Map
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if root == nil {
				return nil, errors.New("no root element")
			}
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil {
				return nil, errors.New("content after the root element")
			}
			f := &frame{name: t.Name.Local}
			if len(t.Attr) > 0 {
				f.m = velocity.NewMap(len(t.Attr) + 2)
				for _, a := range t.Attr {
					f.m.Put("-"+a.Name.Local, a.Value)
				}
			}
			stack = append(stack, f)
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			text := strings.Trim(f.text.String(), " \t\r\n")
			var v any = text
			if f.m != nil {
				if text != "" {
					f.m.Put("#text", text)
				}
				v = f.m
			}
			if len(stack) == 0 {
				root = velocity.NewMap(1)
				root.Put(f.name, v)
				continue
			}
			p := stack[len(stack)-1]
			if p.m == nil {
				p.m = velocity.NewMap(4)
			}
			switch old, ok := p.m.Get(f.name); {
			case !ok:
				p.m.Put(f.name, v)
			case isList(old):
				p.m.Put(f.name, append(old.([]any), v))
			default:
				p.m.Put(f.name, []any{old, v})
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.Trim(t, " \t\r\n")) > 0 {
					return nil, errors.New("text outside the root element")
				}
				continue
			}
			stack[len(stack)-1].text.Write(t)
		}
	}
}

// isList reports whether a child value is the list of a repeated name: element values
// are only strings and maps, so a slice is always such a list.
func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

// declaresEncoding reports whether the document starts with an XML declaration that
// names its encoding.
func declaresEncoding(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return false
	}
	end := bytes.Index(b, []byte("?>"))
	return end > 0 && bytes.Contains(b[:end], []byte("encoding"))
}
