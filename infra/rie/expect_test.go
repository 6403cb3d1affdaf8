package rie_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/infra/rie"
)

func TestParseExpectations(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    int    // entries, when valid
		wantErr string // part of the error
	}{
		{"status", `[{"file": "a.json", "status": 200}]`, 1, ""},
		{"every kind, with note, headers and bodyIncludes", `[
			{"file": "a.json", "note": "n", "status": 201, "headers": {"ETag": "\"1\""}, "bodyIncludes": {"id": "x"}},
			{"file": "b.json", "response": {"batchItemFailures": []}},
			{"file": "c.json", "responseFile": "expected/c.json"},
			{"file": "d.json", "responseIncludes": {"runIds": []}}]`, 4, ""},
		{"empty list", `[]`, 0, ""},
		{"not a list", `{"file": "a.json", "status": 200}`, 0, "cannot unmarshal"},
		{"null", `null`, 0, "want a JSON array"},
		{"two values", `[] []`, 0, "more than one"},
		{"misspelt field", `[{"file": "a.json", "satus": 200}]`, 0, "unknown field"},
		{"no file", `[{"status": 200}]`, 0, "file is required"},
		{"file in a subdirectory", `[{"file": "x/a.json", "status": 200}]`, 0, "same directory"},
		{"file not json", `[{"file": "a.txt", "status": 200}]`, 0, "same directory"},
		{"the expectation file itself", `[{"file": "expect.json", "status": 200}]`, 0, "same directory"},
		{"listed twice", `[{"file": "a.json", "status": 200}, {"file": "a.json", "status": 404}]`, 0, "listed twice"},
		{"no check", `[{"file": "a.json"}]`, 0, "exactly one"},
		{"two checks", `[{"file": "a.json", "status": 200, "response": {}}]`, 0, "exactly one"},
		{"status out of range", `[{"file": "a.json", "status": 42}]`, 0, "not an HTTP status"},
		{"headers without status", `[{"file": "a.json", "response": {}, "headers": {"a": "b"}}]`, 0, "need status"},
		{"bodyIncludes without status", `[{"file": "a.json", "response": {}, "bodyIncludes": {}}]`, 0, "need status"},
		{"responseFile outside", `[{"file": "a.json", "responseFile": "../x.json"}]`, 0, "inside the directory"},
		{"responseFile absolute", `[{"file": "a.json", "responseFile": "/etc/x.json"}]`, 0, "inside the directory"},
		{"null response", `[{"file": "a.json", "response": null}]`, 0, "checks nothing"},
		{"null bodyIncludes", `[{"file": "a.json", "status": 200, "bodyIncludes": null}]`, 0, "checks nothing"},
		{"null responseIncludes", `[{"file": "a.json", "responseIncludes": null}]`, 0, "checks nothing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rie.ParseExpectations([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseExpectations = %+v, %v; want an error mentioning %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != tc.want {
				t.Fatalf("ParseExpectations = %d entries, %v; want %d", len(got), err, tc.want)
			}
		})
	}
}

// FuzzParseExpectations: any input is refused or yields entries that each name a
// distinct sample and carry exactly one kind of check.
func FuzzParseExpectations(f *testing.F) {
	for _, s := range []string{
		`[{"file": "a.json", "status": 200, "headers": {"ETag": "\"1\""}, "bodyIncludes": {"code": "x"}}]`,
		`[{"file": "b.json", "response": {"batchItemFailures": []}}, {"file": "c.json", "responseFile": "expected/c.json"}]`,
		`[{"file": "d.json", "responseIncludes": [1, {"a": null}], "note": "n"}]`,
		`[]`, `null`, `[{"file": ""}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := rie.ParseExpectations(data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, e := range list {
			if e.File == "" || seen[e.File] || filepath.Base(e.File) != e.File {
				t.Fatalf("accepted entry with file %q (seen %v)", e.File, seen[e.File])
			}
			seen[e.File] = true
			n := 0
			for _, set := range []bool{e.Status != 0, len(e.Response) > 0, e.ResponseFile != "", len(e.ResponseIncludes) > 0} {
				if set {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("accepted entry %+v with %d kinds of check", e, n)
			}
		}
	})
}

func TestLoadSamples(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		want    []string // sample names in order
		wantErr string
	}{
		{"ordered by expect.json, fixtures and expected files ignored", map[string]string{
			"b.json": `{}`, "a.json": `{}`, "expected/a.json": `{"ok": true}`, "fixtures/f.json": `{}`,
			"expect.json": `[{"file": "b.json", "status": 200}, {"file": "a.json", "responseFile": "expected/a.json"}]`,
		}, []string{"b", "a"}, ""},
		{"no samples", map[string]string{"README.md": "x"}, nil, "has no samples"},
		{"no expect.json", map[string]string{"a.json": `{}`}, nil, "no expect.json"},
		{"unlisted sample", map[string]string{"a.json": `{}`, "b.json": `{}`, "expect.json": `[{"file": "a.json", "status": 200}]`}, nil, "does not list b.json"},
		{"listed but missing", map[string]string{"a.json": `{}`, "expect.json": `[{"file": "a.json", "status": 200}, {"file": "c.json", "status": 200}]`}, nil, "do not exist"},
		{"sample not JSON", map[string]string{"a.json": `{`, "expect.json": `[{"file": "a.json", "status": 200}]`}, nil, "not valid JSON"},
		{"responseFile missing", map[string]string{"a.json": `{}`, "expect.json": `[{"file": "a.json", "responseFile": "expected/a.json"}]`}, nil, "responseFile"},
		{"responseFile not JSON", map[string]string{"a.json": `{}`, "expected/a.json": `nope`, "expect.json": `[{"file": "a.json", "responseFile": "expected/a.json"}]`}, nil, "not valid JSON"},
		{"bad expect.json", map[string]string{"a.json": `{}`, "expect.json": `[{"file": "a.json"}]`}, nil, "exactly one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			got, err := rie.LoadSamples(dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("LoadSamples = %d samples, %v; want an error mentioning %q", len(got), err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.want, ",") {
				t.Errorf("samples = %v, want %v", names, tc.want)
			}
			if got[1].Want == nil || string(got[1].Want) != `{"ok": true}` {
				t.Errorf("Want of a = %s, want the responseFile's content", got[1].Want)
			}
		})
	}
}

func TestIncludes(t *testing.T) {
	cases := []struct {
		name, got, want string
		wantErr         string // part of the error; "" when got includes want
	}{
		{"equal scalars", `1`, `1`, ""},
		{"different scalars", `1`, `2`, "at /: got 1, want 2"},
		{"type differs", `"1"`, `1`, "got \"1\""},
		{"subset of members", `{"a": 1, "b": {"c": 2, "d": 3}}`, `{"b": {"c": 2}}`, ""},
		{"member missing", `{"a": 1}`, `{"b": 1}`, `member "b" is missing`},
		{"nested value differs", `{"a": {"b": [1, {"c": "x"}]}}`, `{"a": {"b": [1, {"c": "y"}]}}`, "at /a/b/1/c"},
		{"null wanted", `{"a": null}`, `{"a": null}`, ""},
		{"null wanted, value present", `{"a": 1}`, `{"a": null}`, "at /a"},
		{"array length differs", `[1, 2]`, `[1]`, "array of 1 elements"},
		{"arrays element-wise", `[{"a": 1, "b": 2}]`, `[{"a": 1}]`, ""},
		{"object wanted, array got", `[1]`, `{"a": 1}`, "want an object"},
		{"pointer escapes", `{"a/b": {"c~d": 1}}`, `{"a/b": {"c~d": 2}}`, "at /a~1b/c~0d"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got, want any
			if err := json.Unmarshal([]byte(tc.got), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			err := rie.Includes(got, want)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Includes = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Includes = %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

// httpResp builds an HTTP API response payload.
func httpResp(status int, headers map[string]string, body string) string {
	b, _ := json.Marshal(map[string]any{"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": false, "cookies": []string{}})
	return string(b)
}

func TestSampleCheck(t *testing.T) {
	jsonCT := map[string]string{"Content-Type": "application/json"}
	problemCT := map[string]string{"Content-Type": "application/problem+json"}
	problem := `{"type": "t", "title": "Not Found", "status": 404, "code": "not_found", "detail": "No webhook."}`
	cases := []struct {
		name     string
		expect   string // one expect.json entry
		want     string // Sample.Want (from response or responseFile)
		response string
		wantErr  string // part of the error; "" for none
	}{
		{"status ok", `{"file": "a.json", "status": 200}`, "", httpResp(200, jsonCT, `{"items": []}`), ""},
		{"status differs", `{"file": "a.json", "status": 201}`, "", httpResp(200, jsonCT, `{}`), "statusCode = 200, want 201"},
		{"2xx not JSON", `{"file": "a.json", "status": 200}`, "", httpResp(200, map[string]string{"Content-Type": "text/plain"}, `hi`), "want application/json"},
		{"2xx body not JSON", `{"file": "a.json", "status": 200}`, "", httpResp(200, jsonCT, `hi`), "not JSON"},
		{"204 empty", `{"file": "a.json", "status": 204}`, "", httpResp(204, map[string]string{}, ``), ""},
		{"204 with a body", `{"file": "a.json", "status": 204}`, "", httpResp(204, jsonCT, `{}`), "has a body"},
		{"problem", `{"file": "a.json", "status": 404, "bodyIncludes": {"code": "not_found"}}`, "", httpResp(404, problemCT, problem), ""},
		{"4xx as plain JSON", `{"file": "a.json", "status": 404}`, "", httpResp(404, jsonCT, problem), "want application/problem+json"},
		{"problem without code", `{"file": "a.json", "status": 404}`, "", httpResp(404, problemCT, `{"status": 404, "detail": "x"}`), "not a problem document"},
		{"problem status differs", `{"file": "a.json", "status": 404}`, "", httpResp(404, problemCT, strings.Replace(problem, "404", "400", 1)), "not a problem document"},
		{"bodyIncludes differs", `{"file": "a.json", "status": 404, "bodyIncludes": {"code": "conflict"}}`, "", httpResp(404, problemCT, problem), `at /code: got "not_found", want "conflict"`},
		{"header matches ignoring name case", `{"file": "a.json", "status": 200, "headers": {"etag": "\"2\""}}`, "", httpResp(200, map[string]string{"Content-Type": "application/json", "ETag": `"2"`}, `{}`), ""},
		{"header differs", `{"file": "a.json", "status": 200, "headers": {"ETag": "\"2\""}}`, "", httpResp(200, map[string]string{"Content-Type": "application/json", "ETag": `"1"`}, `{}`), `header ETag = "\"1\""`},
		{"header missing", `{"file": "a.json", "status": 200, "headers": {"Location": "/x"}}`, "", httpResp(200, jsonCT, `{}`), "present: false"},
		{"base64 body", `{"file": "a.json", "status": 200, "bodyIncludes": {"a": 1}}`, "",
			`{"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "eyJhIjogMX0=", "isBase64Encoded": true}`, ""},
		{"function error for a status", `{"file": "a.json", "status": 200}`, "", `{"errorMessage": "boom", "errorType": "Runtime.ExitError"}`, "the function failed instead of answering 200: Runtime.ExitError: boom"},
		{"not an HTTP response", `{"file": "a.json", "status": 200}`, "", `{"isAuthorized": true}`, "not an HTTP API response"},
		{"not JSON", `{"file": "a.json", "status": 200}`, "", `Task timed out after 29.00 seconds`, "not JSON"},
		{"whole response, members reordered", `{"file": "a.json", "response": {"a": 1, "b": [true]}}`, `{"a": 1, "b": [true]}`, `{"b": [true], "a": 1}`, ""},
		{"whole response differs", `{"file": "a.json", "responseFile": "x.json"}`, `{"isAuthorized": true, "context": {"scope": "admin"}}`, `{"isAuthorized": true}`, "response differs"},
		{"whole response, an error asked for", `{"file": "a.json", "response": {"errorMessage": "x", "errorType": "T"}}`, `{"errorMessage": "x", "errorType": "T"}`, `{"errorType": "T", "errorMessage": "x"}`, ""},
		{"responseIncludes", `{"file": "a.json", "responseIncludes": {"batchItemFailures": []}}`, "", `{"batchItemFailures": [], "extra": 1}`, ""},
		{"responseIncludes differs", `{"file": "a.json", "responseIncludes": {"batchItemFailures": []}}`, "", `{"batchItemFailures": [{"itemIdentifier": "1"}]}`, "array of 0 elements"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list, err := rie.ParseExpectations([]byte("[" + tc.expect + "]"))
			if err != nil {
				t.Fatal(err)
			}
			s := rie.Sample{Name: "a", Expect: list[0]}
			if tc.want != "" {
				s.Want = json.RawMessage(tc.want)
			}
			err = s.Check([]byte(tc.response))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Check = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Check = %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

// FuzzSampleCheck: Check reads any response payload without panicking, and accepts one
// only when it is an HTTP response with the expected status.
func FuzzSampleCheck(f *testing.F) {
	f.Add([]byte(httpResp(200, map[string]string{"Content-Type": "application/json"}, `{"a": 1}`)))
	f.Add([]byte(httpResp(404, map[string]string{"Content-Type": "application/problem+json"}, `{"status": 404, "code": "x", "detail": "y"}`)))
	f.Add([]byte(`{"statusCode": 200, "body": "e30=", "isBase64Encoded": true}`))
	f.Add([]byte(`{"errorMessage": "x", "errorType": "y"}`))
	f.Add([]byte(`[1, 2]`))
	list, err := rie.ParseExpectations([]byte(`[{"file": "a.json", "status": 200, "bodyIncludes": {"a": 1}}]`))
	if err != nil {
		f.Fatal(err)
	}
	s := rie.Sample{Name: "a", Expect: list[0]}
	f.Fuzz(func(t *testing.T, response []byte) {
		if s.Check(response) != nil {
			return
		}
		var r rie.HTTPResponse
		if err := json.Unmarshal(response, &r); err != nil || r.StatusCode != 200 {
			t.Fatalf("Check accepted %s (status %d, %v)", response, r.StatusCode, err)
		}
	})
}

func TestFunctionError(t *testing.T) {
	cases := []struct {
		payload string
		want    string
		isErr   bool
	}{
		{`{"errorMessage": "boom", "errorType": "T"}`, "T: boom", true},
		{`{"errorMessage": "", "errorType": "T"}`, "T: ", true},
		{`{"errorType": "T"}`, "", false},
		{`{"statusCode": 500}`, "", false},
		{`"errorMessage"`, "", false},
	}
	for _, tc := range cases {
		got, isErr := rie.FunctionError([]byte(tc.payload))
		if got != tc.want || isErr != tc.isErr {
			t.Errorf("FunctionError(%s) = %q, %v; want %q, %v", tc.payload, got, isErr, tc.want, tc.isErr)
		}
	}
}
