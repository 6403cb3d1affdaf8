package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/shared/secrets"
)

const (
	samplesDir    = "../../events/authorizer"
	secretFixture = samplesDir + "/fixtures/tokens-secret.json"
	// logChildEnv makes the test binary run runLogChild instead of the tests.
	logChildEnv = "FLOWHOOK_AUTHORIZER_LOG_CHILD"
)

func TestMain(m *testing.M) {
	if os.Getenv(logChildEnv) == "1" {
		if err := runLogChild(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(moto.Main(m))
}

type sample struct {
	name     string
	raw      []byte
	event    events.APIGatewayV2CustomAuthorizerV2Request
	expected []byte
}

// loadSamples reads every events/authorizer/*.json with its expected/ response.
func loadSamples(t testing.TB) []sample {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(samplesDir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no samples in %s: %v", samplesDir, err)
	}
	sort.Strings(paths)
	var out []sample
	for _, p := range paths {
		if filepath.Base(p) == "expect.json" {
			continue // infra/rie's expectations, not a sample
		}
		s := sample{name: strings.TrimSuffix(filepath.Base(p), ".json")}
		if s.raw, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(s.raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s.event); err != nil {
			t.Fatalf("sample %s: %v", s.name, err)
		}
		if s.expected, err = os.ReadFile(filepath.Join(samplesDir, "expected", s.name+".json")); err != nil {
			t.Fatalf("sample %s has no expected response: %v", s.name, err)
		}
		out = append(out, s)
	}
	return out
}

func jsonEqual(t testing.TB, got, want []byte) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want invalid JSON %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

// TestSamplesRoundTrip: each sample decodes into the SDK's event type and encodes back
// to the same JSON, so no field in it is misspelt or ignored.
func TestSamplesRoundTrip(t *testing.T) {
	for _, s := range loadSamples(t) {
		t.Run(s.name, func(t *testing.T) {
			again, err := json.Marshal(s.event)
			if err != nil {
				t.Fatal(err)
			}
			var sparse any
			json.Unmarshal(again, &sparse)
			again, _ = json.Marshal(dropEmpty(sparse))
			if !jsonEqual(t, again, s.raw) {
				t.Errorf("round trip:\n got %s\nwant %s", again, s.raw)
			}
		})
	}
}

// dropEmpty removes the zero values encoding/json writes for fields the SDK's types do
// not mark omitempty, so a round trip compares what a sample states.
func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			e = dropEmpty(e)
			switch e := e.(type) {
			case nil:
				continue
			case map[string]any:
				if len(e) == 0 {
					continue
				}
			case []any:
				if len(e) == 0 {
					continue
				}
			case string:
				if e == "" && k != "rawQueryString" {
					continue
				}
			case float64:
				if e == 0 {
					continue
				}
			}
			out[k] = e
		}
		return out
	case []any:
		for i := range v {
			v[i] = dropEmpty(v[i])
		}
	}
	return v
}

// countingClient passes calls through to moto and counts the reads.
type countingClient struct {
	secrets.ReadClient
	describe, get atomic.Int64
}

func (c *countingClient) DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	c.describe.Add(1)
	return c.ReadClient.DescribeSecret(ctx, in, optFns...)
}

func (c *countingClient) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.get.Add(1)
	return c.ReadClient.GetSecretValue(ctx, in, optFns...)
}

func (c *countingClient) counts() [2]int64 { return [2]int64{c.describe.Load(), c.get.Load()} }

// createTokensSecret stores the fixture in moto under a name unique to the test.
func createTokensSecret(t *testing.T, client *secretsmanager.Client) string {
	t.Helper()
	value, err := os.ReadFile(secretFixture)
	if err != nil {
		t.Fatal(err)
	}
	name := moto.Name(t, "flowhook-test") + "/api-tokens"
	if _, err := client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(string(value)),
	}); err != nil {
		t.Fatalf("create tokens secret: %v", err)
	}
	return name
}

type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) take(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(&l.buf)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	l.buf.Reset()
	return out
}

// TestSamplesAgainstMoto runs every sample through the handler with the fixture secret
// in moto, checks each response against expected/, and checks the secret was read once.
func TestSamplesAgainstMoto(t *testing.T) {
	client := motoClient(t)
	name := createTokensSecret(t, client)
	counting := &countingClient{ReadClient: client}
	cache, err := secrets.NewCache(counting, secrets.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &logLines{}
	h, err := newHandler(cache, name, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	samples := loadSamples(t)
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			resp, err := h.handle(context.Background(), s.event)
			if err != nil {
				t.Fatalf("handle: %v", err)
			}
			got, _ := json.Marshal(resp)
			if !jsonEqual(t, got, s.expected) {
				t.Errorf("response:\n got %s\nwant %s", got, s.expected)
			}
			lines := logs.take(t)
			if len(lines) != 1 {
				t.Fatalf("logged %d lines, want 1", len(lines))
			}
			line := lines[0]
			wantDecision := "deny"
			if resp.IsAuthorized {
				wantDecision = "allow"
			}
			if line["decision"] != wantDecision || line["routeKey"] != s.event.RouteKey || line["msg"] != "authorize" {
				t.Errorf("log line %v: want decision %q, routeKey %q, msg authorize", line, wantDecision, s.event.RouteKey)
			}
			if _, ok := line["durationMs"]; !ok {
				t.Errorf("log line %v has no durationMs", line)
			}
			assertNoToken(t, line, s.event)
		})
	}
	// Every sample but the malformed one needed the secret; the cache made it one read.
	if got, want := counting.counts(), [2]int64{1, 1}; got != want {
		t.Errorf("[DescribeSecret GetSecretValue] calls for %d requests = %v, want %v", len(samples), got, want)
	}
}

// assertNoToken fails if a log line holds the token the event carried, or any part of it.
func assertNoToken(t *testing.T, line map[string]any, ev events.APIGatewayV2CustomAuthorizerV2Request) {
	t.Helper()
	b, _ := json.Marshal(line)
	hdr := header(ev.Headers, "authorization")
	_, tok, _ := strings.Cut(hdr, " ")
	if i := strings.LastIndexByte(tok, '_'); i >= 0 && len(tok)-i > 16 {
		if digits := tok[i+1:]; strings.Contains(string(b), digits[:16]) {
			t.Errorf("log line holds the token: %s", b)
		}
	}
}

func TestCacheHitMakesNoCall(t *testing.T) {
	client := motoClient(t)
	name := createTokensSecret(t, client)
	counting := &countingClient{ReadClient: client}
	cache, err := secrets.NewCache(counting, secrets.CacheOptions{TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	h, err := newHandler(cache, name, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var admin events.APIGatewayV2CustomAuthorizerV2Request
	for _, s := range loadSamples(t) {
		if s.name == "admin-token-admin-route" {
			admin = s.event
		}
	}
	for i, want := range [][2]int64{{1, 1}, {1, 1}, {1, 1}} {
		resp, err := h.handle(context.Background(), admin)
		if err != nil || !resp.IsAuthorized {
			t.Fatalf("invocation %d: %+v, %v; want authorized", i, resp, err)
		}
		if got := counting.counts(); got != want {
			t.Errorf("after invocation %d: [DescribeSecret GetSecretValue] calls = %v, want %v", i, got, want)
		}
	}
}

func TestMissingSecretFailsClosed(t *testing.T) {
	client := motoClient(t)
	cache, err := secrets.NewCache(client, secrets.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &logLines{}
	h, err := newHandler(cache, "flowhook-test/no-such-secret", slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range loadSamples(t) {
		if s.name != "ingest-token-post-events" {
			continue
		}
		resp, err := h.handle(context.Background(), s.event)
		if !errors.Is(err, errUnavailable) || resp.IsAuthorized {
			t.Errorf("handle = %+v, %v; want errUnavailable and not authorized", resp, err)
		}
		lines := logs.take(t)
		if len(lines) != 1 || lines[0]["decision"] != "error" || lines[0]["level"] != "ERROR" {
			t.Fatalf("log lines %v: want one ERROR line with decision error", lines)
		}
		if e, _ := lines[0]["error"].(string); !strings.Contains(e, "not found") {
			t.Errorf("logged error %q, want it to say the secret was not found", e)
		}
		assertNoToken(t, lines[0], s.event)
	}
}

// runLogChild invokes the handler on every sample with the production logger
// (lambdacontext.NewLogger, as main builds it) and a Lambda context, writing the log
// lines to stdout for TestLogLineFromLambdaLogger.
func runLogChild() error {
	value, err := os.ReadFile(secretFixture)
	if err != nil {
		return err
	}
	h, err := newHandler(staticSource(value), "tokens", lambdacontext.NewLogger())
	if err != nil {
		return err
	}
	paths, _ := filepath.Glob(filepath.Join(samplesDir, "*.json"))
	sort.Strings(paths)
	for _, p := range paths {
		if filepath.Base(p) == "expect.json" {
			continue
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-" + name})
		if _, err := h.handle(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

type staticSource []byte

func (s staticSource) SecretString(context.Context, string) (string, error) { return string(s), nil }

// TestLogLineFromLambdaLogger runs the test binary again with AWS_LAMBDA_LOG_FORMAT=JSON
// (read by lambdacontext when the process starts, as Lambda sets it) and checks that
// each invocation writes exactly one JSON line with the request id, route and decision.
func TestLogLineFromLambdaLogger(t *testing.T) {
	samples := loadSamples(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), logChildEnv+"=1", "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	var lines []map[string]any
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != len(samples) {
		t.Fatalf("%d log lines for %d invocations, want one each:\n%s", len(lines), len(samples), stdout.String())
	}
	for i, s := range samples {
		line := lines[i]
		var want map[string]any
		json.Unmarshal(s.expected, &want)
		decision := "deny"
		if want["isAuthorized"] == true {
			decision = "allow"
		}
		for k, v := range map[string]any{
			"requestId": "req-" + s.name,
			"message":   "authorize",
			"level":     "INFO",
			"routeKey":  s.event.RouteKey,
			"decision":  decision,
		} {
			if line[k] != v {
				t.Errorf("%s: log %s = %v, want %v (line %v)", s.name, k, line[k], v, line)
			}
		}
		if _, ok := line["timestamp"]; !ok {
			t.Errorf("%s: log line has no timestamp: %v", s.name, line)
		}
		assertNoToken(t, line, s.event)
	}
}

func TestLoadEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    environment
		wantErr string
	}{
		{"defaults", map[string]string{"FLOWHOOK_TOKENS_SECRET": "flowhook/api-tokens"},
			environment{tokensSecret: "flowhook/api-tokens", cacheTTL: secrets.DefaultTTL}, ""},
		{"TTL", map[string]string{"FLOWHOOK_TOKENS_SECRET": "s", "FLOWHOOK_TOKENS_CACHE_TTL": "90s"},
			environment{tokensSecret: "s", cacheTTL: 90 * time.Second}, ""},
		{"no secret", map[string]string{}, environment{}, "FLOWHOOK_TOKENS_SECRET"},
		{"bad TTL", map[string]string{"FLOWHOOK_TOKENS_SECRET": "s", "FLOWHOOK_TOKENS_CACHE_TTL": "5"}, environment{}, "FLOWHOOK_TOKENS_CACHE_TTL"},
		{"zero TTL", map[string]string{"FLOWHOOK_TOKENS_SECRET": "s", "FLOWHOOK_TOKENS_CACHE_TTL": "0s"}, environment{}, "positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("loadEnv = %+v, %v; want an error mentioning %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("loadEnv = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	cases := []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"payload 2.0 lower case", map[string]string{"authorization": "Bearer a"}, "Bearer a"},
		{"hand-written", map[string]string{"Authorization": "Bearer b"}, "Bearer b"},
		{"absent", map[string]string{"content-type": "x"}, ""},
		{"nil", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := header(tc.headers, "authorization"); got != tc.want {
				t.Errorf("header = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStripStage(t *testing.T) {
	cases := []struct{ path, stage, want string }{
		{"/events", "$default", "/events"},
		{"/events", "", "/events"},
		{"/prod/events", "prod", "/events"},
		{"/production/events", "prod", "/production/events"},
		{"/prod", "prod", "/prod"},
		{"/events", "prod", "/events"},
	}
	for _, tc := range cases {
		if got := stripStage(tc.path, tc.stage); got != tc.want {
			t.Errorf("stripStage(%q, %q) = %q, want %q", tc.path, tc.stage, got, tc.want)
		}
	}
}

func motoClient(t testing.TB) *secretsmanager.Client {
	t.Helper()
	return secretsmanager.NewFromConfig(moto.Start(t).AWSConfig())
}
