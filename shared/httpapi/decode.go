package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxBodyBytes bounds every request body; larger bodies are refused before decoding.
const MaxBodyBytes = 256 << 10

// decodeBody reads r's JSON body into dst (a pointer to a wire struct). It refuses bodies
// over limit, non-JSON content types, syntax errors, unknown fields and wrong types, each
// as a problem naming the field by JSON pointer.
func decodeBody(r *http.Request, dst any, limit int64) *Problem {
	if p := checkContentType(r); p != nil {
		return p
	}
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return problem(http.StatusBadRequest, "bad_body", "The request body could not be read.")
	}
	if int64(len(body)) > limit {
		return tooLarge(limit)
	}
	return decodeJSON(body, dst)
}

// checkContentType refuses a body declared as anything but JSON (415); a body without
// a Content-Type is read as JSON.
func checkContentType(r *http.Request) *Problem {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return problem(http.StatusUnsupportedMediaType, "unsupported_media_type",
				fmt.Sprintf("The request body must be JSON (Content-Type: application/json), not %q.", ct))
		}
	}
	return nil
}

func tooLarge(limit int64) *Problem {
	return problem(http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("The request body is larger than %d KB; send a smaller body.", limit>>10))
}

// decodeJSON decodes body strictly into dst. Before anything is decoded the body must be
// UTF-8 (the decoder would silently turn bad bytes into U+FFFD) and one JSON object whose
// every member, at every depth, is declared by dst's wire type, appears once, and has
// the declared JSON type; the first problem answers, naming its member by JSON pointer.
// Problems never quote a member's value: it may be a secret.
func decodeJSON(body []byte, dst any) *Problem {
	if len(bytes.TrimSpace(body)) == 0 {
		return problem(http.StatusBadRequest, "bad_body", "The request body is empty; send a JSON object.")
	}
	if !utf8.Valid(body) {
		line, col := lineCol(body, invalidUTF8At(body))
		return problem(http.StatusBadRequest, "bad_json",
			fmt.Sprintf("The request body is not valid UTF-8 at line %d, column %d; send JSON text encoded as UTF-8.", line, col))
	}
	var generic any
	gd := json.NewDecoder(bytes.NewReader(body))
	gd.UseNumber()
	if err := gd.Decode(&generic); err != nil {
		return syntaxProblem(body, err)
	}
	if gd.More() {
		return problem(http.StatusBadRequest, "bad_json", "The request body holds more than one JSON value; send exactly one object.")
	}
	if _, ok := generic.(map[string]any); !ok {
		return problem(http.StatusBadRequest, "bad_json", "The request body must be a JSON object.")
	}
	if p := checkShape(body, reflect.TypeOf(dst).Elem(), ""); p != nil {
		return p
	}
	if err := json.Unmarshal(body, dst); err != nil {
		// checkShape admits only what decodes; this is a bug, and its text stays internal.
		return problem(http.StatusBadRequest, "bad_json", "The request body could not be decoded; check it against the API description (GET /openapi.yaml).")
	}
	return nil
}

// maxJSONDepth bounds the nesting of a request body.
const maxJSONDepth = 64

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// checkShape checks syntactically valid JSON text against the wire type t: members
// unknown to t, members given twice, values of the wrong JSON type, and nesting deeper
// than maxJSONDepth. ptr prefixes the pointers it reports.
func checkShape(body []byte, t reflect.Type, ptr string) *Problem {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := shapeWalker{dec: dec}
	tok, err := dec.Token()
	if err != nil {
		return syntaxProblem(body, err)
	}
	if p := w.value(tok, t, ptr, 0); p != nil {
		return p
	}
	if w.err != nil {
		return syntaxProblem(body, w.err)
	}
	return nil
}

// shapeWalker walks a token stream alongside a Go wire type.
type shapeWalker struct {
	dec *json.Decoder
	err error // a token error; the body was valid JSON, so it is not expected
}

func (w *shapeWalker) token() (json.Token, bool) {
	tok, err := w.dec.Token()
	if err != nil {
		w.err = err
		return nil, false
	}
	return tok, true
}

// value checks the value that starts with tok against t.
func (w *shapeWalker) value(tok json.Token, t reflect.Type, ptr string, depth int) *Problem {
	if depth > maxJSONDepth {
		return depthProblem(ptr)
	}
	if tok == nil {
		return nil // null leaves a field unset, as encoding/json does
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshalerType) {
		return w.any(tok, ptr, depth)
	}
	switch t.Kind() {
	case reflect.Struct:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return typeProblem(ptr, t, tok)
		}
		fields := jsonFields(t)
		return w.members(ptr, depth, func(name string) (reflect.Type, *Problem) {
			ft, ok := fields[name]
			if !ok {
				return nil, unknownFieldProblem(ptr+"/"+escapePointer(name), fields)
			}
			return ft, nil
		})
	case reflect.Map:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return typeProblem(ptr, t, tok)
		}
		return w.members(ptr, depth, func(string) (reflect.Type, *Problem) { return t.Elem(), nil })
	case reflect.Slice, reflect.Array:
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return typeProblem(ptr, t, tok)
		}
		for i := 0; w.dec.More(); i++ {
			el, ok := w.token()
			if !ok {
				return nil
			}
			if p := w.value(el, t.Elem(), ptr+"/"+strconv.Itoa(i), depth+1); p != nil {
				return p
			}
		}
		w.token() // ]
		return nil
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return typeProblem(ptr, t, tok)
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return typeProblem(ptr, t, tok)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return typeProblem(ptr, t, tok)
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			return numberProblem(ptr, n)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := tok.(json.Number)
		if !ok {
			return typeProblem(ptr, t, tok)
		}
		if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
			return numberProblem(ptr, n)
		}
	case reflect.Float32, reflect.Float64:
		n, ok := tok.(json.Number)
		if !ok {
			return typeProblem(ptr, t, tok)
		}
		if _, err := strconv.ParseFloat(string(n), t.Bits()); err != nil {
			return problem(http.StatusBadRequest, "validation_failed",
				fmt.Sprintf("The field %s is a number too large to use.", ptr),
				FieldError{Pointer: ptr, Detail: "This number is too large."})
		}
	}
	return nil
}

// members walks the members of an object whose '{' was read, refusing a name given
// twice; member says what type a member's value must have.
func (w *shapeWalker) members(ptr string, depth int, member func(name string) (reflect.Type, *Problem)) *Problem {
	seen := map[string]bool{}
	for w.dec.More() {
		kt, ok := w.token()
		if !ok {
			return nil
		}
		name, _ := kt.(string)
		mp := ptr + "/" + escapePointer(name)
		if seen[name] {
			return problem(http.StatusBadRequest, "duplicate_field",
				fmt.Sprintf("The field %s appears more than once; send it once.", mp),
				FieldError{Pointer: mp, Detail: "This field appears more than once; send it once."})
		}
		seen[name] = true
		var ft reflect.Type
		if member != nil {
			var p *Problem
			if ft, p = member(name); p != nil {
				return p
			}
		}
		vt, ok := w.token()
		if !ok {
			return nil
		}
		var p *Problem
		if ft == nil {
			p = w.any(vt, mp, depth+1)
		} else {
			p = w.value(vt, ft, mp, depth+1)
		}
		if p != nil {
			return p
		}
	}
	w.token() // }
	return nil
}

// any walks a value of any JSON type, still refusing duplicate names and deep nesting.
func (w *shapeWalker) any(tok json.Token, ptr string, depth int) *Problem {
	if depth > maxJSONDepth {
		return depthProblem(ptr)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if d == '{' {
		return w.members(ptr, depth, nil)
	}
	for i := 0; w.dec.More(); i++ {
		el, ok := w.token()
		if !ok {
			return nil
		}
		if p := w.any(el, ptr+"/"+strconv.Itoa(i), depth+1); p != nil {
			return p
		}
	}
	w.token() // ]
	return nil
}

func depthProblem(ptr string) *Problem {
	return problem(http.StatusBadRequest, "bad_json",
		fmt.Sprintf("The request body is nested more than %d levels deep at %s; flatten it.", maxJSONDepth, ptr),
		FieldError{Pointer: ptr, Detail: fmt.Sprintf("Nest at most %d levels deep.", maxJSONDepth)})
}

func typeProblem(ptr string, t reflect.Type, tok json.Token) *Problem {
	want, got := jsonKind(t), tokenKind(tok)
	return problem(http.StatusBadRequest, "validation_failed",
		fmt.Sprintf("The field %s must be %s, not %s.", ptr, want, got),
		FieldError{Pointer: ptr, Detail: fmt.Sprintf("Must be %s, not %s.", want, got)})
}

func numberProblem(ptr string, n json.Number) *Problem {
	what := "a number this large"
	if strings.ContainsAny(string(n), ".eE") {
		what = "a fraction or an exponent"
	}
	return problem(http.StatusBadRequest, "validation_failed",
		fmt.Sprintf("The field %s must be a whole number, not %s.", ptr, what),
		FieldError{Pointer: ptr, Detail: fmt.Sprintf("Must be a whole number, not %s.", what)})
}

func unknownFieldProblem(ptr string, fields map[string]reflect.Type) *Problem {
	allowed := make([]string, 0, len(fields))
	for name := range fields {
		allowed = append(allowed, name)
	}
	sort.Strings(allowed)
	list := strings.Join(allowed, ", ")
	return problem(http.StatusBadRequest, "unknown_field",
		fmt.Sprintf("The field %s is not known; remove it (allowed here: %s).", ptr, list),
		FieldError{Pointer: ptr, Detail: fmt.Sprintf("This field is not known; remove it (allowed here: %s).", list)})
}

// tokenKind names the JSON type of the value that starts with tok.
func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	}
	return "null"
}

// invalidUTF8At returns the offset of the first byte of b that is not valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func syntaxProblem(body []byte, err error) *Problem {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(body, int(se.Offset))
		return problem(http.StatusBadRequest, "bad_json",
			fmt.Sprintf("The request body is not valid JSON at line %d, column %d: %s.", line, col, se.Error()))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return problem(http.StatusBadRequest, "bad_json", "The request body is not valid JSON: it ends too early.")
	}
	return problem(http.StatusBadRequest, "bad_json", "The request body is not valid JSON.")
}

func lineCol(b []byte, off int) (int, int) {
	if off > len(b) {
		off = len(b)
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem()) + " or null"
	}
	return "a JSON value"
}

// jsonFields maps the JSON names of t's exported fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		m[name] = f.Type
	}
	return m
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
