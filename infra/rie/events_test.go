package rie_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"go.yaml.in/yaml/v4"

	"github.com/flowhook/flowhook/infra/rie"
	"github.com/flowhook/flowhook/shared/httpapi"
)

// apiRoutes returns the route patterns the api function serves ("GET /webhooks/{id}"),
// from the router itself.
func apiRoutes() []string {
	routes := append([]httpapi.Route{httpapi.Health()}, httpapi.Management(httpapi.Config{})...)
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.Pattern
	}
	return out
}

// publicRoutes need no authorizer (template.yaml: Auth: {Authorizer: NONE}).
var publicRoutes = map[string]bool{"GET /healthz": true}

// TestAPISamplesCoverEveryRoute: every route of the api function has a sample, and every
// sample names a route the api function serves.
func TestAPISamplesCoverEveryRoute(t *testing.T) {
	samples, err := rie.LoadSamples(filepath.Join(repoRoot(t), "events", "api"))
	if err != nil {
		t.Fatal(err)
	}
	routes := apiRoutes()
	covered := map[string][]string{}
	for _, s := range samples {
		var ev struct {
			RouteKey string `json:"routeKey"`
		}
		if err := json.Unmarshal(s.Payload, &ev); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if !slices.Contains(routes, ev.RouteKey) {
			t.Errorf("events/api/%s.json: routeKey %q is not a route of the api function (%s)", s.Name, ev.RouteKey, strings.Join(routes, ", "))
		}
		covered[ev.RouteKey] = append(covered[ev.RouteKey], s.Name)
	}
	for _, r := range routes {
		if len(covered[r]) == 0 {
			t.Errorf("route %q has no sample: add events/api/<case>.json for it and list it in events/api/expect.json", r)
		}
	}
}

// TestHTTPSamplesArePayload2 checks every sample expected to answer an HTTP status, of
// every function, is an API Gateway HTTP API payload 2.0 event that `sam local invoke`
// and the API Gateway adapter read as the sample means it.
func TestHTTPSamplesArePayload2(t *testing.T) {
	root := repoRoot(t)
	names, err := rie.Functions(root)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range names {
		samples, err := rie.LoadSamples(filepath.Join(root, "events", name))
		if err != nil {
			continue // TestFunctions reports it
		}
		ids := map[string]string{}
		for _, s := range samples {
			if s.Expect.Status == 0 {
				continue
			}
			checked++
			id, err := checkHTTPEvent(s.Payload)
			if err != nil {
				t.Errorf("events/%s/%s.json is not a valid payload 2.0 event: %v", name, s.Name, err)
				continue
			}
			if prev, ok := ids[id]; ok {
				t.Errorf("events/%s/%s.json: requestContext.requestId %q is also %s's; API Gateway gives each request its own", name, s.Name, id, prev)
			}
			ids[id] = s.Name
		}
	}
	if checked == 0 {
		t.Fatal("no HTTP samples found (events/api has some)")
	}
}

// requiredEventKeys are the top-level members API Gateway always sends in payload 2.0.
var requiredEventKeys = []string{"version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext", "isBase64Encoded"}

var routeKeyRE = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[^ ]*)$`)

// checkHTTPEvent reports how raw differs from an HTTP API payload 2.0 event and returns
// its request id.
func checkHTTPEvent(raw []byte) (string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return "", err
	}
	for _, k := range requiredEventKeys {
		if _, ok := top[k]; !ok {
			return "", fmt.Errorf("%q is missing", k)
		}
	}
	var ev events.APIGatewayV2HTTPRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return "", fmt.Errorf("not an events.APIGatewayV2HTTPRequest: %w", err)
	}
	// encoding/json matches member names ignoring case; API Gateway and SAM do not.
	if err := sameMemberNames(raw, ev); err != nil {
		return "", err
	}
	rc := ev.RequestContext
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if ev.Version != "2.0" {
		add("version = %q, want \"2.0\"", ev.Version)
	}
	m := routeKeyRE.FindStringSubmatch(ev.RouteKey)
	if m == nil {
		add("routeKey %q is not \"METHOD /path\"", ev.RouteKey)
		return "", errors.Join(errs...)
	}
	method, pattern := m[1], m[2]
	if rc.RouteKey != ev.RouteKey {
		add("requestContext.routeKey = %q, want the routeKey %q", rc.RouteKey, ev.RouteKey)
	}
	if rc.HTTP.Method != method {
		add("requestContext.http.method = %q, want %q (from the routeKey)", rc.HTTP.Method, method)
	}
	if rc.HTTP.Path != ev.RawPath {
		add("requestContext.http.path = %q, want the rawPath %q", rc.HTTP.Path, ev.RawPath)
	}
	if err := checkPathParameters(ev.RouteKey, pattern, ev.RawPath, ev.PathParameters); err != nil {
		errs = append(errs, err)
	}
	if err := checkQuery(ev.RawQueryString, ev.QueryStringParameters); err != nil {
		errs = append(errs, err)
	}
	for k := range ev.Headers {
		if k != strings.ToLower(k) {
			add("header %q is not lower case (API Gateway lower-cases header names in payload 2.0)", k)
		}
	}
	if ev.Body != "" {
		if ev.Headers["content-type"] == "" {
			add("the event has a body but no content-type header")
		}
		if ev.Headers["content-length"] != "" && ev.Headers["content-length"] != fmt.Sprint(len(ev.Body)) {
			add("content-length %s, but the body has %d bytes", ev.Headers["content-length"], len(ev.Body))
		}
	}
	if ev.IsBase64Encoded {
		add("isBase64Encoded is true; samples carry their body as text")
	}
	if rc.RequestID == "" {
		add("requestContext.requestId is empty")
	}
	for field, v := range map[string]string{"accountId": rc.AccountID, "apiId": rc.APIID, "domainName": rc.DomainName,
		"stage": rc.Stage, "time": rc.Time, "http.protocol": rc.HTTP.Protocol, "http.sourceIp": rc.HTTP.SourceIP} {
		if v == "" {
			add("requestContext.%s is empty", field)
		}
	}
	if rc.TimeEpoch == 0 {
		add("requestContext.timeEpoch is 0")
	}
	if publicRoutes[ev.RouteKey] {
		if rc.Authorizer != nil {
			add("%s needs no authorizer, but requestContext.authorizer is set", ev.RouteKey)
		}
	} else if rc.Authorizer == nil || rc.Authorizer.Lambda == nil {
		add("requestContext.authorizer.lambda is missing: the Lambda authorizer puts the token's scope there")
	} else if s, _ := rc.Authorizer.Lambda["scope"].(string); s != "admin" && s != "ingest" {
		add("requestContext.authorizer.lambda.scope = %v, want \"admin\" or \"ingest\"", rc.Authorizer.Lambda["scope"])
	}
	return rc.RequestID, errors.Join(errs...)
}

// sameMemberNames reports a member of raw that decoding into v matched only by ignoring
// case (or dropped), by encoding v again and comparing member paths.
func sameMemberNames(raw []byte, v any) error {
	again, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var a, b any
	if err := json.Unmarshal(raw, &a); err != nil {
		return err
	}
	if err := json.Unmarshal(again, &b); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range memberPaths(b, "") {
		have[p] = true
	}
	for _, p := range memberPaths(a, "") {
		if !have[p] {
			return fmt.Errorf("member %s is not a payload 2.0 field (names are case-sensitive)", p)
		}
	}
	return nil
}

// memberPaths lists the JSON pointers of every object member in v, array indexes
// elided.
func memberPaths(v any, ptr string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := ptr + "/" + k
			out = append(out, p)
			out = append(out, memberPaths(e, p)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, memberPaths(e, ptr+"/*")...)
		}
	}
	return out
}

// checkPathParameters routes rawPath with a ServeMux holding only routeKey and checks
// that it matches and that pathParameters are exactly the wildcards' values.
func checkPathParameters(routeKey, pattern, rawPath string, params map[string]string) error {
	mux := http.NewServeMux()
	got := map[string]string{}
	matched := false
	mux.HandleFunc(routeKey, func(w http.ResponseWriter, r *http.Request) {
		matched = true
		for _, name := range regexp.MustCompile(`\{([^}.]+)(?:\.\.\.)?\}`).FindAllStringSubmatch(pattern, -1) {
			got[name[1]] = r.PathValue(name[1])
		}
	})
	method, _, _ := strings.Cut(routeKey, " ")
	req, err := http.NewRequest(method, "https://example.com"+rawPath, nil)
	if err != nil {
		return fmt.Errorf("rawPath %q: %w", rawPath, err)
	}
	_, p := mux.Handler(req)
	if p == "" {
		return fmt.Errorf("rawPath %q does not match routeKey %q", rawPath, routeKey)
	}
	mux.ServeHTTP(discard{}, req)
	if !matched {
		return fmt.Errorf("rawPath %q does not reach routeKey %q", rawPath, routeKey)
	}
	if len(got) == 0 && len(params) == 0 {
		return nil
	}
	if fmt.Sprint(got) != fmt.Sprint(params) {
		return fmt.Errorf("pathParameters = %v, want %v (from rawPath %q and routeKey %q)", params, got, rawPath, routeKey)
	}
	return nil
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// checkQuery checks queryStringParameters against rawQueryString as API Gateway derives
// them: decoded, repeated names joined with commas, absent when there is no query.
func checkQuery(raw string, params map[string]string) error {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return fmt.Errorf("rawQueryString %q: %w", raw, err)
	}
	want := map[string]string{}
	for k, v := range q {
		want[k] = strings.Join(v, ",")
	}
	if len(want) == 0 && len(params) == 0 {
		return nil
	}
	if fmt.Sprint(want) != fmt.Sprint(params) {
		return fmt.Errorf("queryStringParameters = %v, want %v (from rawQueryString %q)", params, want, raw)
	}
	return nil
}

// TestCheckHTTPEvent shows the payload check refuses each way a sample can be wrong.
func TestCheckHTTPEvent(t *testing.T) {
	good := map[string]any{
		"version": "2.0", "routeKey": "PUT /webhooks/{id}", "rawPath": "/webhooks/w_1", "rawQueryString": "a=1&a=2&b=x%20y",
		"headers":               map[string]any{"content-type": "application/json", "authorization": "Bearer t"},
		"queryStringParameters": map[string]any{"a": "1,2", "b": "x y"},
		"pathParameters":        map[string]any{"id": "w_1"},
		"requestContext": map[string]any{
			"accountId": "123456789012", "apiId": "abc", "domainName": "abc.example.com", "domainPrefix": "abc",
			"stage": "$default", "requestId": "r1", "routeKey": "PUT /webhooks/{id}", "time": "27/Nov/2026:10:00:00 +0000", "timeEpoch": 1,
			"http":       map[string]any{"method": "PUT", "path": "/webhooks/w_1", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "curl"},
			"authorizer": map[string]any{"lambda": map[string]any{"scope": "admin"}},
		},
		"body": `{"name": "x"}`, "isBase64Encoded": false,
	}
	cases := []struct {
		name   string
		mutate func(ev map[string]any)
		want   string // part of the error; "" for none
	}{
		{"valid", func(map[string]any) {}, ""},
		{"missing rawQueryString", func(ev map[string]any) { delete(ev, "rawQueryString") }, `"rawQueryString" is missing`},
		{"unknown field", func(ev map[string]any) { ev["rawPathh"] = "/x" }, "unknown field"},
		{"field in the wrong case", func(ev map[string]any) { rc(ev)["requestID"] = rc(ev)["requestId"]; delete(rc(ev), "requestId") }, "requestContext/requestID"},
		{"version 1.0", func(ev map[string]any) { ev["version"] = "1.0" }, "version"},
		{"routeKey not a route", func(ev map[string]any) { ev["routeKey"] = "$default" }, "routeKey"},
		{"method differs", func(ev map[string]any) { rc(ev)["http"].(map[string]any)["method"] = "POST" }, "http.method"},
		{"path differs", func(ev map[string]any) { rc(ev)["http"].(map[string]any)["path"] = "/webhooks/w_2" }, "http.path"},
		{"context routeKey differs", func(ev map[string]any) { rc(ev)["routeKey"] = "GET /webhooks" }, "requestContext.routeKey"},
		{"rawPath off the route", func(ev map[string]any) {
			ev["rawPath"] = "/connectors/w_1"
			rc(ev)["http"].(map[string]any)["path"] = "/connectors/w_1"
		}, "does not match"},
		{"path parameter differs", func(ev map[string]any) { ev["pathParameters"] = map[string]any{"id": "w_2"} }, "pathParameters"},
		{"path parameters missing", func(ev map[string]any) { delete(ev, "pathParameters") }, "pathParameters"},
		{"query parameters differ", func(ev map[string]any) { ev["queryStringParameters"] = map[string]any{"a": "1"} }, "queryStringParameters"},
		{"upper-case header", func(ev map[string]any) { ev["headers"].(map[string]any)["If-Match"] = `"1"` }, "lower case"},
		{"body without content-type", func(ev map[string]any) { delete(ev["headers"].(map[string]any), "content-type") }, "content-type"},
		{"base64", func(ev map[string]any) { ev["isBase64Encoded"] = true }, "isBase64Encoded"},
		{"no request id", func(ev map[string]any) { delete(rc(ev), "requestId") }, "requestId"},
		{"no authorizer", func(ev map[string]any) { delete(rc(ev), "authorizer") }, "authorizer.lambda"},
		{"unknown scope", func(ev map[string]any) {
			rc(ev)["authorizer"] = map[string]any{"lambda": map[string]any{"scope": "root"}}
		}, "scope"},
		{"authorizer on healthz", func(ev map[string]any) {
			ev["routeKey"], ev["rawPath"], ev["rawQueryString"] = "GET /healthz", "/healthz", ""
			delete(ev, "pathParameters")
			delete(ev, "queryStringParameters")
			delete(ev, "body")
			rc(ev)["routeKey"] = "GET /healthz"
			rc(ev)["http"].(map[string]any)["method"] = "GET"
			rc(ev)["http"].(map[string]any)["path"] = "/healthz"
		}, "needs no authorizer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := deepCopy(t, good)
			tc.mutate(ev)
			raw, _ := json.Marshal(ev)
			_, err := checkHTTPEvent(raw)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("checkHTTPEvent = %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("checkHTTPEvent = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func rc(ev map[string]any) map[string]any { return ev["requestContext"].(map[string]any) }

func deepCopy(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// samTemplate is the part of template.yaml that says what environment functions get.
type samTemplate struct {
	Globals struct {
		Function struct {
			Environment struct {
				Variables map[string]yaml.Node `yaml:"Variables"`
			} `yaml:"Environment"`
		} `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Environment struct {
				Variables map[string]yaml.Node `yaml:"Variables"`
			} `yaml:"Environment"`
		} `yaml:"Properties"`
	} `yaml:"Resources"`
}

// TestTemplateEnvironment: every environment variable template.yaml gives a function
// (in Globals or on the function) is one the harness sets under the emulator, so a
// function that reads a new variable is not tested without it.
func TestTemplateEnvironment(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	var tpl samTemplate
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	known := (&world{}).vars()
	check := func(where string, vars map[string]yaml.Node) {
		for _, name := range sortedMapKeys(vars) {
			if _, ok := known[name]; !ok {
				t.Errorf("template.yaml gives %s the variable %s, which the emulator harness does not set: add it to world.vars in infra/rie/seed_test.go", where, name)
			}
		}
	}
	if len(tpl.Globals.Function.Environment.Variables) == 0 {
		t.Error("template.yaml has no Globals.Function.Environment.Variables; the functions need their table names from there")
	}
	check("every function (Globals)", tpl.Globals.Function.Environment.Variables)
	for _, name := range sortedMapKeys(tpl.Resources) {
		if r := tpl.Resources[name]; r.Type == "AWS::Serverless::Function" {
			check(name, r.Properties.Environment.Variables)
		}
	}
}

// TestSeedsDocumented: events/api/README.md names every seeded record, so someone running
// the samples elsewhere knows what they expect.
func TestSeedsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "events", "api", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range seedIDs {
		if !bytes.Contains(b, []byte("`"+id+"`")) {
			t.Errorf("events/api/README.md does not list the seeded record `%s`", id)
		}
	}
}
