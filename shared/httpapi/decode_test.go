package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// refusal is a request the API must refuse, and how: the status, the first field
// error's pointer ("" when the problem names no field) and words its detail must hold.
// Nothing in the answer may contain any of hidden (input that must not be echoed).
type refusal struct {
	name    string
	method  string
	path    string
	body    string
	headers []string
	token   string // "" for the admin token
	status  int
	pointer string
	detail  string
	hidden  []string
}

// checkRefusals sends each request with its token and checks the problem document it
// answers.
func checkRefusals(t *testing.T, e *env, tests []refusal) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			token := tt.token
			if token == "" {
				token = e.tokens.Admin
			}
			r := e.do(tt.method, tt.path, token, body, tt.headers...)
			checkProblem(t, r, tt.status, tt.pointer, tt.detail)
			for _, h := range tt.hidden {
				if strings.Contains(string(r.Body), h) {
					t.Errorf("the answer echoes %q: %s", h, r.Body)
				}
			}
		})
	}
}

// checkProblem checks that r is a problem document of status whose first field error
// points at pointer (or, with pointer "", whose detail) and contains detail.
func checkProblem(t *testing.T, r response, status int, pointer, detail string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != ProblemContentType {
		t.Errorf("Content-Type = %q, want %q", ct, ProblemContentType)
	}
	p := r.json(t)
	if p["status"] != float64(status) || p["code"] == nil || p["type"] == nil {
		t.Errorf("not a complete problem document: %s", r.Body)
	}
	if pointer == "" {
		if d, _ := p["detail"].(string); !strings.Contains(d, detail) {
			t.Errorf("detail = %q, want it to contain %q", d, detail)
		}
		return
	}
	errs, _ := p["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("no errors[] in %s, want pointer %q", r.Body, pointer)
	}
	first, _ := errs[0].(map[string]any)
	if first["pointer"] != pointer {
		t.Errorf("errors[0].pointer = %v, want %q (%s)", first["pointer"], pointer, r.Body)
	}
	if d, _ := first["detail"].(string); !strings.Contains(d, detail) {
		t.Errorf("errors[0].detail = %q, want it to contain %q", d, detail)
	}
}

// TestStrictDecoding: every body is UTF-8 JSON whose members are known, given once and of
// the declared type; each refusal names the member by a pointer that includes array
// indices, and never quotes the value (it may be a secret).
func TestStrictDecoding(t *testing.T) {
	e := newEnv(t)
	wh := `"name": "WH5", "method": "GET", "url": "https://a.example/x"`
	checkRefusals(t, e, []refusal{
		{name: "invalid UTF-8 in a string", method: "POST", path: "/webhooks",
			body:   "{\"name\": \"\xff\xfe\", \"method\": \"GET\", \"url\": \"https://a.example/x\"}",
			status: 400, detail: "not valid UTF-8 at line 1, column 11"},
		{name: "invalid UTF-8 on line 2", method: "POST", path: "/contacts",
			body: "{\"email\": \"a@example.com\",\n \"fields\": {\"A\": \"\xc3\"}}", status: 400, detail: "line 2, column 19"},
		{name: "duplicate member", method: "POST", path: "/webhooks", body: `{` + wh + `, "name": "other"}`,
			status: 400, pointer: "/name", detail: "more than once"},
		{name: "duplicate nested member", method: "POST", path: "/webhooks",
			body: `{` + wh + `, "params": [{"name": "a", "value": "1", "value": "2"}]}`, status: 400, pointer: "/params/0/value", detail: "more than once"},
		{name: "duplicate member in free-form JSON", method: "POST", path: "/contacts",
			body: `{"email": "a@example.com", "fields": {"A": {"x": 1, "x": 2}}}`, status: 400, pointer: "/fields/A/x", detail: "more than once"},
		{name: "wrong type inside an array names the index", method: "POST", path: "/webhooks",
			body:   `{` + wh + `, "params": [{"name": "a", "value": "1"}, {"name": "b", "value": 5}]}`,
			status: 400, pointer: "/params/1/value", detail: "Must be a string, not a number"},
		{name: "wrong type in a nested step names every index", method: "POST", path: "/workflows",
			body: `{"name": "w", "trigger": {"eventType": "x"}, "steps": [{"id": "c", "type": "condition", "variable": "V", "pattern": "x",
				"then": [{"id": "m", "type": "message", "channel": 5, "body": "b"}]}]}`,
			status: 400, pointer: "/steps/0/then/0/channel", detail: "Must be a string"},
		{name: "secret of the wrong type is not echoed", method: "POST", path: "/connectors",
			body: `{"name": "c", "type": "bearer", "token": 1234567.25}`, status: 400, pointer: "/token",
			detail: "Must be a string, not a number", hidden: []string{"1234567"}},
		{name: "fraction for a whole number", method: "POST", path: "/webhooks", body: `{` + wh + `, "timeoutMs": 5.5}`,
			status: 400, pointer: "/timeoutMs", detail: "whole number, not a fraction"},
		{name: "number too large", method: "POST", path: "/webhooks", body: `{` + wh + `, "timeoutMs": 99999999999999999999}`,
			status: 400, pointer: "/timeoutMs", detail: "whole number, not a number this large"},
		{name: "array for an object", method: "POST", path: "/webhooks", body: `{` + wh + `, "auth": []}`,
			status: 400, pointer: "/auth", detail: "Must be an object, not an array"},
		{name: "object for a string", method: "POST", path: "/contacts", body: `{"email": {"a": 1}}`,
			status: 400, pointer: "/email", detail: "Must be a string, not an object"},
		{name: "unknown member in an array element", method: "POST", path: "/segments",
			body:   `{"name": "s", "rules": [{"field": "A", "op": "isSet"}, {"field": "B", "op": "isSet", "x": 1}]}`,
			status: 400, pointer: "/rules/1/x", detail: "not known"},
		{name: "member named in another case", method: "POST", path: "/webhooks", body: `{` + wh + `, "NAME": "x"}`,
			status: 400, pointer: "/NAME", detail: "not known"},
		{name: "nested too deep", method: "POST", path: "/contacts",
			body:   `{"email": "a@example.com", "fields": {"A": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`,
			status: 400, detail: "nested more than 64 levels"},
		{name: "trailing garbage", method: "POST", path: "/webhooks", body: `{` + wh + `} x`, status: 400, detail: "exactly one object"},
	})
	if r := e.admin("GET", "/webhooks", nil); !strings.Contains(string(r.Body), `"items":[]`) {
		t.Errorf("refused webhooks were stored: %s", r.Body)
	}
	if r := e.admin("GET", "/contacts", nil); !strings.Contains(string(r.Body), `"items":[]`) {
		t.Errorf("refused contacts were stored: %s", r.Body)
	}
}

// TestStrictDecodingAccepts: null members, free-form values and deep-enough nesting are
// still accepted.
func TestStrictDecodingAccepts(t *testing.T) {
	e := newEnv(t)
	r := e.admin("POST", "/webhooks", `{"name": "WH5", "method": "GET", "url": "https://a.example/x", "auth": null, "body": null, "timeoutMs": null, "params": null}`)
	mustStatus(t, r, http.StatusCreated)
	r = e.admin("POST", "/contacts", `{"email": "a@example.com", "fields": {"A": {"b": [1, 2.5, "x", true, null, {"c": {}}]}, "B": `+
		strings.Repeat("[", 60)+strings.Repeat("]", 60)+`}}`)
	mustStatus(t, r, http.StatusCreated)
}

// FuzzDecodeJSON: decodeJSON never panics, and whatever it accepts, encoding/json with
// unknown fields disallowed decodes to the same value.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name": "WH5", "method": "GET", "url": "https://a.example/x", "params": [{"name": "a", "value": "b"}]}`,
		`{"name": "a", "name": "b"}`, `{"timeoutMs": 1e3}`, `{"auth": {"connectorId": "c"}, "body": null}`,
		"{\"name\": \"\xff\"}", `[]`, `{"retry": {"maxAttempts": -1}}`, `{"headers": [{"name": 1}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got webhookInput
		if p := decodeJSON(body, &got); p != nil {
			if p.Status != 400 || p.Code == "" {
				t.Fatalf("problem %+v", p)
			}
			return
		}
		var want webhookInput
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("decodeJSON accepted %q, encoding/json refuses it: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeJSON(%q) = %+v, encoding/json = %+v", body, got, want)
		}
	})
}
