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
)

// MaxBodyBytes bounds every request body; larger bodies are refused before decoding.
const MaxBodyBytes = 256 << 10

// decodeBody reads r's JSON body into dst (a pointer to a wire struct). It refuses bodies
// over limit, non-JSON content types, syntax errors, unknown fields and wrong types, each
// as a problem naming the field by JSON pointer.
func decodeBody(r *http.Request, dst any, limit int64) *Problem {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return problem(http.StatusUnsupportedMediaType, "unsupported_media_type",
				fmt.Sprintf("The request body must be JSON (Content-Type: application/json), not %q.", ct))
		}
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

func tooLarge(limit int64) *Problem {
	return problem(http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("The request body is larger than %d KB; send a smaller body.", limit>>10))
}

// decodeJSON decodes body strictly into dst.
func decodeJSON(body []byte, dst any) *Problem {
	if len(bytes.TrimSpace(body)) == 0 {
		return problem(http.StatusBadRequest, "bad_body", "The request body is empty; send a JSON object.")
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
	if ptr, allowed, ok := unknownField(reflect.TypeOf(dst).Elem(), generic, ""); ok {
		return problem(http.StatusBadRequest, "unknown_field",
			fmt.Sprintf("The field %s is not known; remove it (allowed here: %s).", ptr, strings.Join(allowed, ", ")),
			FieldError{Pointer: ptr, Detail: fmt.Sprintf("This field is not known; remove it (allowed here: %s).", strings.Join(allowed, ", "))})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			ptr := "/" + strings.ReplaceAll(te.Field, ".", "/")
			return problem(http.StatusBadRequest, "validation_failed",
				fmt.Sprintf("The field %s must be %s, not %s.", ptr, jsonKind(te.Type), te.Value),
				FieldError{Pointer: ptr, Detail: fmt.Sprintf("Must be %s, not %s.", jsonKind(te.Type), te.Value)})
		}
		return syntaxProblem(body, err)
	}
	return nil
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
	return problem(http.StatusBadRequest, "bad_json", "The request body is not valid JSON: "+err.Error()+".")
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

// unknownField finds the first object member of v (in sorted order, so the answer is
// stable) that the wire type t does not declare, and returns its JSON pointer and the
// names t allows there.
func unknownField(t reflect.Type, v any, ptr string) (string, []string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", nil, false
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				allowed := make([]string, 0, len(fields))
				for name := range fields {
					allowed = append(allowed, name)
				}
				sort.Strings(allowed)
				return ptr + "/" + escapePointer(k), allowed, true
			}
			if p, a, bad := unknownField(ft, obj[k], ptr+"/"+escapePointer(k)); bad {
				return p, a, true
			}
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return "", nil, false
		}
		for i, e := range arr {
			if p, a, bad := unknownField(t.Elem(), e, ptr+"/"+strconv.Itoa(i)); bad {
				return p, a, true
			}
		}
	}
	return "", nil, false
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
