package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/infra/rie"
	"github.com/flowhook/flowhook/shared/store/dynamo"
)

// baseline is the name the hello-world function is reported under.
const baseline = "hello"

// helloPackage is the baseline's package as rie.Build names packages: a directory under
// functions/, joined and cleaned, so this one climbs out to ./infra/loadbench/hello.
// (rie.BuildAll cannot take it: it names its outputs after the function.)
const helloPackage = "../infra/loadbench/hello"

// coldSamplesDir holds the first-invocation payloads of functions whose events/
// directory has none yet, and of the baseline; a file here wins over events/.
const coldSamplesDir = "infra/loadbench/coldstart"

// coldConfig says what to measure.
type coldConfig struct {
	Root string
	// Runs is how many cold starts of each function are measured.
	Runs int
	// Timeout bounds everything: builds, moto, every start and invocation.
	Timeout time.Duration
}

// coldTarget is one function to start cold.
type coldTarget struct {
	name      string
	bootstrap string
	sample    string // path of the payload, relative to the root
	payload   []byte
	times     []time.Duration
	status    string // what the first invocation answered, for the report
}

// coldStarts builds every function and the baseline for the host architecture, then
// Runs times starts each under the emulator (against moto) and times it from starting
// the emulator to the first invocation's response. The functions take turns in each
// round, in an order rotated every round, so load on the machine weighs on all alike.
func coldStarts(ctx context.Context, cfg coldConfig, logf func(string, ...any)) ([]*coldTarget, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	emulator, err := rie.FindEmulator(ctx, cfg.Root, logf)
	if err != nil {
		return nil, err
	}
	names, err := rie.Functions(cfg.Root)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "flowhook-coldstart-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	logf("cold: building %d functions and the baseline for the host architecture", len(names))
	var targets []*coldTarget
	hello := &coldTarget{name: baseline, bootstrap: filepath.Join(dir, "baseline", "bootstrap")}
	if err := rie.Build(ctx, rie.BuildArgs{Root: cfg.Root, Function: helloPackage, Out: hello.bootstrap}); err != nil {
		return nil, err
	}
	targets = append(targets, hello)
	for _, b := range rie.BuildAll(ctx, rie.BuildAllArgs{Root: cfg.Root, Functions: names, Dir: dir}) {
		if b.Err != nil {
			return nil, b.Err
		}
		targets = append(targets, &coldTarget{name: b.Function, bootstrap: b.Path})
	}
	for _, t := range targets {
		if t.sample, t.payload, err = coldSample(cfg.Root, t.name); err != nil {
			return nil, err
		}
	}

	srv, stop, err := moto.Launch()
	if err != nil {
		return nil, err
	}
	defer stop()
	env, err := coldEnv(ctx, cfg.Root, srv, dir)
	if err != nil {
		return nil, err
	}
	for round := range cfg.Runs {
		for i := range targets {
			t := targets[(i+round)%len(targets)]
			d, status, err := coldStart(ctx, emulator, t, env, fmt.Sprintf("cold-%s-%d", t.name, round))
			if err != nil {
				return nil, err
			}
			t.times, t.status = append(t.times, d), status
		}
		logf("cold: round %d of %d done", round+1, cfg.Runs)
	}
	return targets, nil
}

// coldSample returns the payload a function's cold start is measured with: its file in
// coldSamplesDir, else the first sample its events/ directory lists in expect.json.
func coldSample(root, name string) (string, []byte, error) {
	own := filepath.Join(coldSamplesDir, name+".json")
	if b, err := os.ReadFile(filepath.Join(root, own)); err == nil {
		return own, b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", nil, err
	}
	samples, err := rie.LoadSamples(filepath.Join(root, "events", name))
	if err != nil {
		return "", nil, fmt.Errorf("no cold-start payload for %s: add %s/%s.json or samples in events/%s (%v)", name, coldSamplesDir, name, name, err)
	}
	rel, _ := filepath.Rel(root, samples[0].Path)
	return rel, samples[0].Payload, nil
}

// coldStart starts t under the emulator, invokes it once and stops it; it returns the
// time from starting the emulator to the response, and what the response said.
func coldStart(ctx context.Context, emulator string, t *coldTarget, env []string, reqID string) (time.Duration, string, error) {
	start := time.Now()
	fn, err := rie.Start(ctx, rie.Config{Emulator: emulator, Bootstrap: t.bootstrap, Env: append(env, "AWS_LAMBDA_FUNCTION_NAME="+t.name)})
	if err != nil {
		return 0, "", fmt.Errorf("start %s: %w", t.name, err)
	}
	defer fn.Stop()
	resp, err := fn.Invoke(ctx, reqID, t.payload)
	elapsed := time.Since(start)
	if err != nil {
		return 0, "", fmt.Errorf("%s with %s: %w\n%s", t.name, t.sample, err, fn.Tail(20))
	}
	status, err := invocationStatus(resp)
	if err != nil {
		return 0, "", fmt.Errorf("%s with %s: %w\n%s", t.name, t.sample, err, fn.Tail(20))
	}
	return elapsed, status, nil
}

// invocationStatus tells whether a response is a successful invocation: not a
// function error, and for an HTTP API response a status below 500. It describes it.
func invocationStatus(resp []byte) (string, error) {
	var r struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
		StatusCode   *int    `json:"statusCode"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return "", fmt.Errorf("the response is not JSON: %.200s", resp)
	}
	switch {
	case r.ErrorMessage != nil:
		return "", fmt.Errorf("function error %s: %s", r.ErrorType, *r.ErrorMessage)
	case r.StatusCode != nil && *r.StatusCode >= 500:
		return "", fmt.Errorf("HTTP status %d: %.300s", *r.StatusCode, resp)
	case r.StatusCode != nil:
		return fmt.Sprintf("HTTP %d", *r.StatusCode), nil
	}
	return "ok", nil
}

// coldEnv creates the functions' tables and the API tokens secret in moto and returns
// the environment of a function under the emulator: template.yaml's variables, moto as
// the AWS endpoint with test credentials, and nothing of the caller's environment.
func coldEnv(ctx context.Context, root string, srv *moto.Server, home string) ([]string, error) {
	cfg := srv.AWSConfig()
	suffix := fmt.Sprint(time.Now().UnixNano())
	tables := dynamo.Tables{Definitions: "cold-definitions-" + suffix, Contacts: "cold-contacts-" + suffix,
		Events: "cold-events-" + suffix, Runs: "cold-runs-" + suffix}
	if err := dynamo.CreateTables(ctx, dynamodb.NewFromConfig(cfg), tables); err != nil {
		return nil, fmt.Errorf("create tables: %w", err)
	}
	tokens, err := os.ReadFile(filepath.Join(root, "events", "authorizer", "fixtures", "tokens-secret.json"))
	if err != nil {
		return nil, err
	}
	secretName := "cold/" + suffix + "/api-tokens"
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(secretName), SecretString: aws.String(string(tokens)),
	}); err != nil {
		return nil, fmt.Errorf("create the tokens secret: %w", err)
	}
	return []string{
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL=" + srv.Endpoint(),
		"AWS_REGION=" + moto.Region,
		"AWS_DEFAULT_REGION=" + moto.Region,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=29",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
		dynamo.EnvTableDefinitions + "=" + tables.Definitions,
		dynamo.EnvTableContacts + "=" + tables.Contacts,
		dynamo.EnvTableEvents + "=" + tables.Events,
		dynamo.EnvTableRuns + "=" + tables.Runs,
		"FLOWHOOK_SECRETS_PREFIX=cold/" + suffix + "/connectors/",
		"FLOWHOOK_TOKENS_SECRET=" + secretName,
		"FLOWHOOK_RETENTION_DAYS=30",
	}, nil
}

// median returns the median of d (the mean of the middle two for an even count).
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// printCold writes the cold-start section: each function's median next to the
// baseline's, and their ratio.
func printCold(w io.Writer, targets []*coldTarget, runs int) {
	var base time.Duration
	for _, t := range targets {
		if t.name == baseline {
			base = median(t.times)
		}
	}
	fmt.Fprintf(w, "cold start under aws-lambda-rie: emulator start → first response, median of %d (host arch, built as for Lambda)\n", runs)
	fmt.Fprintf(w, "  %-12s %10s %10s %8s   %s\n", "function", "median ms", "hello ms", "ratio", "first invocation")
	for _, t := range targets {
		m := median(t.times)
		ratio := 0.0
		if base > 0 {
			ratio = float64(m) / float64(base)
		}
		fmt.Fprintf(w, "  %-12s %10.1f %10.1f %8.2f   %s → %s\n", t.name, ms(m), ms(base), ratio, t.sample, t.status)
	}
}
