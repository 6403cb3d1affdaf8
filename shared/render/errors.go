package render

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a webhook definition that does not compile, or a request that could not be
// built from it. Its message is a sentence a marketer can act on: the field, then what
// is wrong there and, when a value is at fault, the reference that brought it:
//
//	body: the value of $TOWN (line 1, col 10) made the JSON invalid: …
//
// Find it with errors.As; Compile returns every bad field as Errors.
type Error struct {
	// Field names the part of the definition: "url", "params[0].value",
	// "headers[1].value", "body", "method"…
	Field string
	// Pointer is the JSON pointer of the field in the webhook's wire format
	// ("/params/0/value", "/body/template"), for an API's errors[].
	Pointer string
	// Ref is the reference at fault as written ("$TOWN", "${data.city}"); empty when
	// the template itself is.
	Ref string
	// Line and Col locate the problem in the field's template (1-based, counted as
	// the template engine counts them); zero when no position applies.
	Line, Col int
	// Msg is the sentence after "field: ".
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errors is every problem Compile found, in field order.
type Errors []*Error

func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "no errors"
	case 1:
		return es[0].Error()
	}
	return es[0].Error() + " (and " + strconv.Itoa(len(es)-1) + " more)"
}

// Unwrap lets errors.As find each *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// field names a templated part of a definition.
type field struct {
	name    string // "url", "params[0].value"
	pointer string // "/url", "/params/0/value"
}

func (f field) errorf(format string, args ...any) *Error {
	return &Error{Field: f.name, Pointer: f.pointer, Msg: fmt.Sprintf(format, args...)}
}

// at is a position in words, " (line 1, col 10)".
func at(line, col int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d, col %d)", line, col)
}

// valueError blames the value a reference inserted.
func (f field) valueError(in *insertion, format string, args ...any) *Error {
	return &Error{Field: f.name, Pointer: f.pointer, Ref: in.ref.Text, Line: in.ref.Line, Col: in.ref.Col,
		Msg: "the value of " + in.ref.Text + at(in.ref.Line, in.ref.Col) + " " + fmt.Sprintf(format, args...)}
}

// tabSize is the engine's tab width when counting columns.
const tabSize = 8

// posAt returns the line and column of the byte at off in src, counted as the template
// engine (Apache Velocity's character stream) counts them: \n, \r and \r\n end lines,
// a tab moves to the next multiple of 8, a character outside the Basic Multilingual
// Plane takes two columns (two UTF-16 units).
func posAt(src string, off int) (line, col int) {
	line, col = 1, 0
	prevCR, prevLF := false, false
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		col++
		switch {
		case prevLF:
			prevLF = false
			line, col = line+1, 1
		case prevCR:
			prevCR = false
			if r == '\n' {
				prevLF = true
			} else {
				line, col = line+1, 1
			}
		}
		switch r {
		case '\r':
			prevCR = true
		case '\n':
			prevLF = true
		case '\t':
			col--
			col += tabSize - col%tabSize
		}
		if i >= off {
			return line, col
		}
		if r >= 0x10000 {
			col++
		}
		i += size
	}
	// Past the end: the position after the last character.
	col++
	if prevLF || prevCR {
		line, col = line+1, 1
	}
	return line, col
}

// plainPos returns the line and column of off in text as an editor shows them
// (1-based, one column per character), for positions in rendered output.
func plainPos(text []byte, off int) (line, col int) {
	off = min(off, len(text))
	line = 1 + strings.Count(string(text[:off]), "\n")
	start := strings.LastIndexByte(string(text[:off]), '\n') + 1
	return line, 1 + utf8.RuneCount(text[start:off])
}

// quoteShort quotes a value for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}
