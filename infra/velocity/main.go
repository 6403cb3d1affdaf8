// Command velocity renders Velocity templates with Flowhook's engine, the way the
// reference oracle (/work/shared/velocity-oracle/render.sh) renders them with Apache
// Velocity 1.7, so the two can be compared.
//
//	velocity [--flowhook] TEMPLATE.vm [CONTEXT.json]   render to stdout; errors to stderr, exit 1
//	velocity [--flowhook] --batch DIR                  DIR/NAME.vm (+ NAME.json) -> NAME.out or NAME.err
//
// Templates are parsed as Velocity 1.7 parses them and the tools are Velocity
// Tools 2.0's, like the oracle's; --flowhook turns on Flowhook's additions: the
// ${a|'default'} syntax, Reteno's $dateTool methods and contact fields.
//
// The context is the JSON object's top-level keys, with the tools the oracle
// registers ($mathTool, $numberTool, $dateTool, $esc, ...) under them. With
// --flowhook a top-level "contact" object is the contact: its fields are also
// visible as top-level variables, looked up without regard to case, and its
// timeZone is the contact's time zone for the date tool; without it "contact" is
// an ordinary variable, as for the oracle. In batch mode NAME.err holds one line,
// "Kind: message [line L, column C]", Kind being the reference engine's exception
// class.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	parseOpts, flowhook = []velocity.Option{velocity.Velocity17Syntax()}, false
	if len(args) > 0 && args[0] == "--flowhook" {
		parseOpts, flowhook = nil, true
		args = args[1:]
	}
	if len(args) == 2 && args[0] == "--batch" {
		if err := batch(args[1], stderr); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	if len(args) < 1 || len(args) > 2 || strings.HasPrefix(args[0], "--") {
		fmt.Fprintln(stderr, "usage: velocity [--flowhook] TEMPLATE.vm [CONTEXT.json] | [--flowhook] --batch DIR")
		return 2
	}
	jsonPath := ""
	if len(args) == 2 {
		jsonPath = args[1]
	}
	src, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	out, err := renderCase(filepath.Base(args[0]), javaUTF8(src), jsonPath)
	if err != nil {
		fmt.Fprintln(stderr, describe(err))
		return 1
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// parseOpts are the options templates are parsed with; flowhook adds Reteno's
// date methods to the tools.
var (
	parseOpts []velocity.Option
	flowhook  bool
)

// inputError is a context file that cannot be used.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }

// renderCase renders one template with the context in jsonPath ("" or a missing
// file: an empty context).
func renderCase(name, src, jsonPath string) (string, error) {
	data, opts, err := loadContext(jsonPath)
	if err != nil {
		return "", &inputError{err}
	}
	t, err := velocity.Parse(name, src, parseOpts...)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.Execute(context.Background(), &b, data, opts...)
	return b.String(), err
}

// loadContext reads a context file as the oracle does.
func loadContext(path string) (map[string]any, []velocity.Option, error) {
	contact := ""
	var fields *velocity.Map
	var jsonData *velocity.Map
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, nil, err
		}
		if strings.TrimSpace(string(b)) != "" {
			v, err := velocity.DecodeJSON(strings.NewReader(loneSurrogateEscapes(javaUTF8(b))))
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			m, ok := v.(*velocity.Map)
			if !ok {
				return nil, nil, fmt.Errorf("%s: top level must be a JSON object", path)
			}
			jsonData = m
			if c, ok := m.Get("contact"); ok && flowhook {
				if cm, ok := c.(*velocity.Map); ok {
					fields = cm
					if tz, ok := cm.Get("timeZone"); ok {
						contact, _ = tz.(string)
					}
				}
			}
		}
	}
	data := toolsFor(contact, flowhook)
	if jsonData != nil {
		jsonData.Range(func(k string, v any) bool {
			data[k] = v
			return true
		})
	}
	var opts []velocity.Option
	if fields != nil {
		opts = append(opts, velocity.WithResolver(velocity.NewFieldResolver(fields)))
	}
	return data, opts, nil
}

// describe formats an error as the oracle's batch mode does:
// "Kind: message [line L, column C]", on one line.
func describe(err error) string {
	kind, msg, line, col := "VelocityException", err.Error(), 0, 0
	var pe *velocity.ParseError
	var re *velocity.RenderError
	var le *velocity.LimitError
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		kind, msg = "OracleInputError", ie.Error()
	case errors.As(err, &pe):
		kind, msg, line, col = pe.Kind, pe.Msg, pe.Line, pe.Col
	case errors.As(err, &re):
		kind, msg, line, col = re.Kind, re.Msg, re.Line, re.Col
	case errors.As(err, &le):
		kind, line, col = "LimitExceededException", le.Line, le.Col
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if line > 0 {
		return fmt.Sprintf("%s: %s [line %d, column %d]", kind, msg, line, col)
	}
	return fmt.Sprintf("%s: %s", kind, msg)
}

// batch renders every DIR/NAME.vm into DIR/NAME.out, or DIR/NAME.err on error,
// removing the other file of the pair.
func batch(dir string, stderr io.Writer) error {
	vms, err := filepath.Glob(filepath.Join(dir, "*.vm"))
	if err != nil {
		return err
	}
	sort.Strings(vms)
	start := time.Now()
	ok, failed := 0, 0
	for _, vm := range vms {
		base := strings.TrimSuffix(vm, ".vm")
		src, err := os.ReadFile(vm)
		var out string
		if err == nil {
			out, err = renderCase(filepath.Base(vm), javaUTF8(src), base+".json")
		} else {
			err = &inputError{err}
		}
		if err == nil {
			if werr := os.WriteFile(base+".out", []byte(out), 0o644); werr != nil {
				return werr
			}
			if rerr := os.Remove(base + ".err"); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				return rerr
			}
			ok++
			continue
		}
		var ie *inputError
		if errors.As(err, &ie) {
			fmt.Fprintf(stderr, "%s: cannot read case: %v\n", filepath.Base(vm), ie.err)
		}
		if werr := os.WriteFile(base+".err", []byte(describe(err)+"\n"), 0o644); werr != nil {
			return werr
		}
		if rerr := os.Remove(base + ".out"); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return rerr
		}
		failed++
	}
	fmt.Fprintf(stderr, "batch %s: %d templates, %d rendered, %d errors, %d ms\n",
		dir, len(vms), ok, failed, time.Since(start).Milliseconds())
	return nil
}

// javaUTF8 decodes b as the oracle's UTF-8 reader does: each malformed sequence
// (an invalid lead byte, or a lead byte and the continuation bytes that were
// valid before the first one that is not) becomes one U+FFFD.
func javaUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var out strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			out.WriteRune(r)
			b = b[n:]
			continue
		}
		out.WriteRune(utf8.RuneError)
		b = b[malformedLen(b):]
	}
	return out.String()
}

// malformedLen is how many bytes Java's decoder takes as one malformed input at
// the start of b: the lead byte and the continuation bytes valid after it (an
// encoded surrogate, ED A0 80, is one malformed input of three bytes).
func malformedLen(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF) // the second byte's range
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c >= 0xE0 && c <= 0xEF:
		need = 2
		if c == 0xE0 {
			lo = 0xA0
		}
	case c >= 0xF0 && c <= 0xF4:
		need = 3
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(b) {
		x := b[n]
		if n == 1 && (x < lo || x > hi) || n > 1 && (x < 0x80 || x > 0xBF) {
			break
		}
		n++
	}
	return n
}

// loneSurrogateEscapes replaces each \uXXXX escape of half a surrogate pair in
// JSON text with "?": Gson keeps the half in the Java String, which prints as
// "?", where Go's decoder would make it U+FFFD.
func loneSurrogateEscapes(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	surrogate := func(i int) (rune, bool) {
		if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
		return rune(v), err == nil && v >= 0xD800 && v <= 0xDFFF
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		hi, ok := surrogate(i)
		switch {
		case !ok:
			i++ // skip the escaped character, a backslash too
		case hi <= 0xDBFF:
			if lo, ok := surrogate(i + 6); ok && lo >= 0xDC00 {
				i += 11 // a pair
				continue
			}
			fallthrough
		default:
			b.WriteString(s[last:i])
			b.WriteByte('?')
			last = i + 6
			i += 5
		}
	}
	b.WriteString(s[last:])
	return b.String()
}
