package rie

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// ExpectFile is the name of the expectation file in each events/<function>/ directory.
//
// It is a JSON array, one entry per sample file of the directory, in the order the
// samples are invoked (samples build on each other: create, then get; delete, then
// restore). Each entry names its sample in "file" and says what the response must be
// with exactly one of these:
//
//   - status: the sample is an API Gateway HTTP API (payload 2.0) event and the
//     response an HTTP API response with this statusCode. Its Content-Type must be
//     application/json for a 2xx with a body (a 204 has none), and
//     application/problem+json for 4xx and 5xx, with a problem document whose status
//     matches and whose code and detail are set. With status, "headers" may name
//     headers that must have exactly the given values (names ignore case) and
//     "bodyIncludes" a value the JSON body must include (see Includes).
//   - response: the whole response, compared as parsed JSON.
//   - responseFile: a file, relative to the directory, holding the whole response.
//   - responseIncludes: a value the response must include (see Includes), for
//     responses that carry generated ids or times.
//
// "note" is free text for readers. Unknown fields are refused, so a misspelt check
// cannot pass silently. A response that is a function error ({"errorMessage",
// "errorType"}) fails every expectation but one that asks for that error with response
// or responseIncludes. For example:
//
//	[
//	  {"file": "webhooks-get.json", "status": 200, "headers": {"ETag": "\"1\""}},
//	  {"file": "webhooks-update-no-if-match.json", "status": 428,
//	   "bodyIncludes": {"code": "if_match_required"}},
//	  {"file": "admin-token-admin-route.json", "responseFile": "expected/admin-token-admin-route.json"},
//	  {"file": "stream-batch.json", "response": {"batchItemFailures": []}}
//	]
const ExpectFile = "expect.json"

// Expectation is one entry of an ExpectFile.
type Expectation struct {
	File             string            `json:"file"`
	Note             string            `json:"note,omitempty"`
	Status           int               `json:"status,omitempty"`
	Headers          map[string]string `json:"headers,omitempty"`
	BodyIncludes     json.RawMessage   `json:"bodyIncludes,omitempty"`
	Response         json.RawMessage   `json:"response,omitempty"`
	ResponseFile     string            `json:"responseFile,omitempty"`
	ResponseIncludes json.RawMessage   `json:"responseIncludes,omitempty"`
}

// ParseExpectations decodes and checks an ExpectFile: a JSON array of entries, each
// with a file name (a plain *.json name, listed once) and exactly one kind of check.
func ParseExpectations(data []byte) ([]Expectation, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var list []Expectation
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("%s: %w", ExpectFile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", ExpectFile)
	}
	if list == nil {
		return nil, fmt.Errorf("%s: want a JSON array of expectations", ExpectFile)
	}
	seen := map[string]bool{}
	for i, e := range list {
		where := fmt.Sprintf("%s entry %d (%q)", ExpectFile, i, e.File)
		switch {
		case e.File == "":
			return nil, fmt.Errorf("%s entry %d: file is required", ExpectFile, i)
		case filepath.Base(e.File) != e.File || !strings.HasSuffix(e.File, ".json") || e.File == ExpectFile:
			return nil, fmt.Errorf("%s: file must name a *.json sample in the same directory", where)
		case seen[e.File]:
			return nil, fmt.Errorf("%s: the sample is listed twice", where)
		}
		seen[e.File] = true
		kinds := 0
		for _, set := range []bool{e.Status != 0, len(e.Response) > 0, e.ResponseFile != "", len(e.ResponseIncludes) > 0} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			return nil, fmt.Errorf("%s: give exactly one of status, response, responseFile, responseIncludes", where)
		}
		if e.Status != 0 && (e.Status < 100 || e.Status > 599) {
			return nil, fmt.Errorf("%s: status %d is not an HTTP status", where, e.Status)
		}
		if e.Status == 0 && (e.Headers != nil || len(e.BodyIncludes) > 0) {
			return nil, fmt.Errorf("%s: headers and bodyIncludes check HTTP responses and need status", where)
		}
		if e.ResponseFile != "" && (filepath.IsAbs(e.ResponseFile) || strings.HasPrefix(filepath.Clean(e.ResponseFile), "..")) {
			return nil, fmt.Errorf("%s: responseFile must be a path inside the directory", where)
		}
		for _, raw := range []json.RawMessage{e.Response, e.ResponseIncludes, e.BodyIncludes} {
			if len(raw) > 0 && bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
				return nil, fmt.Errorf("%s: a null expectation checks nothing; write the value expected", where)
			}
		}
	}
	return list, nil
}

// Sample is one event file of a function with its expectation.
type Sample struct {
	// Name is the file name without .json.
	Name    string
	Path    string
	Payload []byte
	Expect  Expectation
	// Want is the expected whole response (from response or responseFile), or nil.
	Want json.RawMessage
}

// LoadSamples reads dir's ExpectFile and returns its samples in its order. Every *.json
// file directly in dir (subdirectories hold fixtures and expected responses) must be
// listed and every listed file must exist; the error says what to add or fix.
func LoadSamples(dir string) ([]Sample, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	present := map[string]bool{}
	for _, f := range files {
		if b := filepath.Base(f); b != ExpectFile {
			present[b] = true
		}
	}
	if len(present) == 0 {
		return nil, fmt.Errorf("%s has no samples: add one event per case as %s/<case>.json and list them in %s",
			dir, dir, filepath.Join(dir, ExpectFile))
	}
	data, err := os.ReadFile(filepath.Join(dir, ExpectFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s has samples but no %s: add it, listing every sample in invocation order with its expected result, e.g. [{\"file\": %q, \"status\": 200}]",
			dir, ExpectFile, sortedKeys(present)[0])
	}
	if err != nil {
		return nil, err
	}
	list, err := ParseExpectations(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var missing []string
	out := make([]Sample, 0, len(list))
	for _, e := range list {
		if !present[e.File] {
			missing = append(missing, e.File)
			continue
		}
		delete(present, e.File)
		s := Sample{Name: strings.TrimSuffix(e.File, ".json"), Path: filepath.Join(dir, e.File), Expect: e}
		if s.Payload, err = os.ReadFile(s.Path); err != nil {
			return nil, err
		}
		if !json.Valid(s.Payload) {
			return nil, fmt.Errorf("%s is not valid JSON", s.Path)
		}
		switch {
		case len(e.Response) > 0:
			s.Want = e.Response
		case e.ResponseFile != "":
			p := filepath.Join(dir, e.ResponseFile)
			if s.Want, err = os.ReadFile(p); err != nil {
				return nil, fmt.Errorf("%s: responseFile of %s: %w", filepath.Join(dir, ExpectFile), e.File, err)
			}
			if !json.Valid(s.Want) {
				return nil, fmt.Errorf("%s (the expected response of %s) is not valid JSON", p, e.File)
			}
		}
		out = append(out, s)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s lists samples that do not exist in %s: %s", filepath.Join(dir, ExpectFile), dir, strings.Join(missing, ", "))
	}
	if len(present) > 0 {
		return nil, fmt.Errorf("%s does not list %s: add an entry for each, in invocation order, with its expected result",
			filepath.Join(dir, ExpectFile), strings.Join(sortedKeys(present), ", "))
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// HTTPResponse is an API Gateway HTTP API (payload 2.0) response as a function returns it.
type HTTPResponse struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	Cookies           []string            `json:"cookies"`
}

// Header returns the named header's value, ignoring the name's case.
func (r HTTPResponse) Header(name string) (string, bool) {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	for k, v := range r.MultiValueHeaders {
		if strings.EqualFold(k, name) {
			return strings.Join(v, ","), true
		}
	}
	return "", false
}

// BodyBytes returns the body, decoded when it is base64.
func (r HTTPResponse) BodyBytes() ([]byte, error) {
	if !r.IsBase64Encoded {
		return []byte(r.Body), nil
	}
	return base64.StdEncoding.DecodeString(r.Body)
}

// FunctionError returns the error a response payload reports ("errorType: errorMessage")
// and true when the payload is a Lambda function error.
func FunctionError(payload []byte) (string, bool) {
	var e struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(payload, &e) != nil || e.ErrorMessage == nil {
		return "", false
	}
	return e.ErrorType + ": " + *e.ErrorMessage, true
}

// Check reports how response, the payload the function returned for s, differs from s's
// expectation, or nil when it meets it.
func (s Sample) Check(response []byte) error {
	var got any
	if err := json.Unmarshal(response, &got); err != nil {
		return fmt.Errorf("the response is not JSON (%v): %s", err, response)
	}
	fnErr, isErr := FunctionError(response)
	switch {
	case s.Want != nil:
		var want any
		if err := json.Unmarshal(s.Want, &want); err != nil {
			return fmt.Errorf("the expected response is not JSON: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("response differs:\n got %s\nwant %s", compact(response), compact(s.Want))
		}
		return nil
	case len(s.Expect.ResponseIncludes) > 0:
		var want any
		if err := json.Unmarshal(s.Expect.ResponseIncludes, &want); err != nil {
			return fmt.Errorf("responseIncludes is not JSON: %v", err)
		}
		if err := Includes(got, want); err != nil {
			return fmt.Errorf("response %s: %w", compact(response), err)
		}
		return nil
	}
	if isErr {
		return fmt.Errorf("the function failed instead of answering %d: %s", s.Expect.Status, fnErr)
	}
	return s.checkHTTP(response)
}

// checkHTTP checks an HTTP API response against status, headers and bodyIncludes.
func (s Sample) checkHTTP(response []byte) error {
	var r HTTPResponse
	dec := json.NewDecoder(bytes.NewReader(response))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || r.StatusCode == 0 {
		return fmt.Errorf("the response is not an HTTP API response with a statusCode (%v): %s", err, response)
	}
	body, err := r.BodyBytes()
	if err != nil {
		return fmt.Errorf("the body is marked base64 but does not decode: %v", err)
	}
	if r.StatusCode != s.Expect.Status {
		return fmt.Errorf("statusCode = %d, want %d; body: %s", r.StatusCode, s.Expect.Status, body)
	}
	ct, _ := r.Header("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case r.StatusCode >= 400:
		if mt != "application/problem+json" {
			return fmt.Errorf("status %d with Content-Type %q, want application/problem+json; body: %s", r.StatusCode, ct, body)
		}
		var p struct {
			Status int    `json:"status"`
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(body, &p); err != nil || p.Status != r.StatusCode || p.Code == "" || p.Detail == "" {
			return fmt.Errorf("status %d: the body is not a problem document with this status, a code and a detail: %s", r.StatusCode, body)
		}
	case r.StatusCode == 204 || r.StatusCode == 304:
		if len(body) != 0 {
			return fmt.Errorf("status %d has a body: %s", r.StatusCode, body)
		}
	case r.StatusCode >= 200 && r.StatusCode < 300:
		if mt != "application/json" {
			return fmt.Errorf("status %d with Content-Type %q, want application/json; body: %s", r.StatusCode, ct, body)
		}
		if !json.Valid(body) {
			return fmt.Errorf("status %d: the body is not JSON: %s", r.StatusCode, body)
		}
	}
	for _, name := range sortedHeaderNames(s.Expect.Headers) {
		want := s.Expect.Headers[name]
		if got, ok := r.Header(name); !ok || got != want {
			return fmt.Errorf("header %s = %q (present: %v), want %q", name, got, ok, want)
		}
	}
	if len(s.Expect.BodyIncludes) > 0 {
		var got, want any
		if err := json.Unmarshal(s.Expect.BodyIncludes, &want); err != nil {
			return fmt.Errorf("bodyIncludes is not JSON: %v", err)
		}
		if err := json.Unmarshal(body, &got); err != nil {
			return fmt.Errorf("bodyIncludes needs a JSON body, got %s", body)
		}
		if err := Includes(got, want); err != nil {
			return fmt.Errorf("body %s: %w", body, err)
		}
	}
	return nil
}

func sortedHeaderNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Includes reports where got (a decoded JSON value) does not include want: an object
// includes another when it has each of its members and each member's value includes
// the wanted one; an array includes another of the same length element by element;
// any other value only itself.
func Includes(got, want any) error {
	return includes(got, want, "")
}

func includes(got, want any, ptr string) error {
	at := ptr
	if at == "" {
		at = "/"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("at %s: got %s, want an object including %s", at, compactValue(got), compactValue(want))
		}
		for _, k := range sortedAnyKeys(w) {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("at %s: member %q is missing, want %s", at, k, compactValue(w[k]))
			}
			if err := includes(gv, w[k], ptr+"/"+escape(k)); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("at %s: got %s, want an array of %d elements including %s", at, compactValue(got), len(w), compactValue(want))
		}
		for i := range w {
			if err := includes(g[i], w[i], ptr+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("at %s: got %s, want %s", at, compactValue(got), compactValue(want))
	}
	return nil
}

func sortedAnyKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

func compactValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
