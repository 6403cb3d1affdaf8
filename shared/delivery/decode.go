package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DecodeError is a body that does not parse as the format its Content-Type declares.
type DecodeError struct {
	// MediaType is the declared media type, such as "application/json".
	MediaType string
	// Format is "JSON" or "XML".
	Format string
	Err    error
}

func (e *DecodeError) Error() string {
	msg := e.Err.Error()
	var se *json.SyntaxError
	if errors.As(e.Err, &se) {
		msg = fmt.Sprintf("%s (at byte %d)", msg, se.Offset)
	}
	return fmt.Sprintf("the response is declared as %s but is not valid %s: %s", e.MediaType, e.Format, msg)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Format is how Decode reads a body.
type Format uint8

// Body formats by Content-Type.
const (
	// FormatText is any body that is neither JSON nor XML.
	FormatText Format = iota
	// FormatJSON is application/json and any +json type.
	FormatJSON
	// FormatXML is application/xml, text/xml and any +xml type.
	FormatXML
)

// FormatOf returns the format of a Content-Type value and its media type and charset
// (lower-cased; empty when absent): application/json and any +json type are JSON,
// application/xml, text/xml and any +xml type are XML, everything else (including a
// missing or malformed Content-Type) is text.
func FormatOf(contentType string) (f Format, mediaType, charset string) {
	mt, params, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "charset") {
			charset = strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
			break
		}
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return FormatJSON, mt, charset
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return FormatXML, mt, charset
	}
	return FormatText, mt, charset
}

// Decode turns a response body into template data by its Content-Type:
//
//   - JSON: objects become *velocity.Map in document order, arrays []any, numbers exact
//     (int32, int64 or *big.Int for integers, float64 otherwise): the values of
//     velocity.DecodeJSON, by a faster decoder (see decodeJSON).
//   - XML: see DecodeXML.
//   - Anything else: the body as a string, converted to UTF-8 from the declared charset
//     when it is UTF-8, US-ASCII, ISO-8859-1, Windows-1252 or UTF-16; bytes of any other
//     charset, and invalid sequences, become U+FFFD.
//
// An empty body is nil data. A body that does not parse as its declared JSON or XML is
// a *DecodeError.
func Decode(contentType string, body []byte) (any, error) {
	return decode(contentType, string(body))
}

// decode is Decode on a body already held as a string, which JSON strings and text
// data share rather than copy.
func decode(contentType, body string) (any, error) {
	if len(body) == 0 {
		return nil, nil
	}
	format, mt, charset := FormatOf(contentType)
	utf8Declared := charset == "" || charset == "utf-8" || charset == "utf8"
	switch format {
	case FormatJSON:
		in := body // invalid UTF-8 in strings becomes U+FFFD
		if !utf8Declared || strings.HasPrefix(body, bomUTF8) {
			in, _ = toUTF8([]byte(body), charset)
		}
		v, err := decodeJSON(in)
		if err != nil {
			// encoding/json's validating scanner says exactly where the body breaks.
			var se *json.SyntaxError
			if verr := json.Unmarshal([]byte(in), new(json.RawMessage)); errors.As(verr, &se) {
				err = se
			}
			return nil, &DecodeError{MediaType: mt, Format: "JSON", Err: err}
		}
		return v, nil
	case FormatXML:
		v, err := DecodeXML([]byte(body), charset)
		if err != nil {
			return nil, &DecodeError{MediaType: mt, Format: "XML", Err: err}
		}
		return v, nil
	}
	if utf8Declared && !strings.HasPrefix(body, bomUTF8) && utf8.ValidString(body) &&
		!(len(body) >= 2 && (body[0] == 0xfe && body[1] == 0xff || body[0] == 0xff && body[1] == 0xfe)) {
		return body, nil
	}
	text, _ := toUTF8([]byte(body), charset)
	return text, nil
}

// toUTF8 converts b from charset to UTF-8 and drops a leading byte order mark,
// reporting whether the charset was one it knows. Unknown charsets and invalid
// sequences give U+FFFD.
func toUTF8(b []byte, charset string) (string, bool) {
	charset = strings.Trim(charset, `"' `)
	if charset == "" && len(b) >= 2 && (b[0] == 0xfe && b[1] == 0xff || b[0] == 0xff && b[1] == 0xfe) {
		charset = "utf-16"
	}
	switch charset {
	case "", "utf-8", "utf8":
		b = bytes.TrimPrefix(b, utf8BOM)
		if utf8.Valid(b) {
			return string(b), true
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), true
	case "us-ascii", "ascii", "ansi_x3.4-1968":
		return singleByte(b, func(c byte) rune {
			if c < 0x80 {
				return rune(c)
			}
			return utf8.RuneError
		}), true
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819":
		return singleByte(b, func(c byte) rune { return rune(c) }), true
	case "windows-1252", "cp1252", "x-cp1252":
		return singleByte(b, func(c byte) rune {
			if c >= 0x80 && c < 0xa0 {
				return cp1252[c-0x80]
			}
			return rune(c)
		}), true
	case "utf-16", "utf16", "utf-16be", "utf-16le":
		bigEndian := charset != "utf-16le"
		switch {
		case len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff:
			b, bigEndian = b[2:], true
		case len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe:
			b, bigEndian = b[2:], false
		}
		units := make([]uint16, len(b)/2)
		for i := range units {
			if bigEndian {
				units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			} else {
				units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
			}
		}
		s := string(utf16.Decode(units))
		if len(b)%2 == 1 {
			s += "\uFFFD"
		}
		return s, true
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), false
}

const bomUTF8 = "\xef\xbb\xbf"

var utf8BOM = []byte(bomUTF8)

func singleByte(b []byte, decode func(byte) rune) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(decode(c))
	}
	return sb.String()
}

// cp1252 maps Windows-1252 bytes 0x80–0x9F; undefined ones are U+FFFD.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

// charsetReader lets encoding/xml read the encodings toUTF8 knows. When the body was
// converted to UTF-8 beforehand (a UTF-16 byte order mark), every declared encoding
// reads as UTF-8.
func charsetReader(converted bool) func(string, io.Reader) (io.Reader, error) {
	return func(label string, in io.Reader) (io.Reader, error) {
		if converted {
			return in, nil
		}
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		s, known := toUTF8(b, strings.ToLower(label))
		if !known {
			return nil, fmt.Errorf("the declared encoding %q is not supported (use UTF-8)", label)
		}
		return strings.NewReader(s), nil
	}
}
