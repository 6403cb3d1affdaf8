package rie_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/infra/rie"
)

// TestMain starts one moto_server for the package's tests, except when fuzzing: the
// fuzz targets need no AWS.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run())
	}
	os.Exit(moto.Main(m))
}

// Bounds of the waits of one function's run; generous, for a starved machine.
const (
	invokeTimeout  = 60 * time.Second
	logLineTimeout = 10 * time.Second
	buildTimeout   = 10 * time.Minute
)

// repoRoot returns the module root.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := rie.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var emulator = sync.OnceValues(func() (string, error) {
	root, err := rie.ModuleRoot(".")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return rie.FindEmulator(ctx, root, func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) })
})

// builds are the functions' bootstraps, being built in the background.
type builds struct {
	done chan struct{}
	byFn map[string]rie.Bootstrap
}

// startBuilds builds every function's bootstrap into dir without waiting (rie.BuildAll:
// one go build, at most GOMAXPROCS compilers); each function's test waits for it.
func startBuilds(ctx context.Context, root, dir string, names []string) *builds {
	b := &builds{done: make(chan struct{}), byFn: map[string]rie.Bootstrap{}}
	go func() {
		defer close(b.done)
		for _, r := range rie.BuildAll(ctx, rie.BuildAllArgs{Root: root, Functions: names, Dir: dir}) {
			b.byFn[r.Function] = r
		}
	}()
	return b
}

// TestFunctions invokes every function under the Lambda runtime interface emulator with
// each sample in events/<function>/, in the order of its expect.json, against moto with
// the sample records seeded, and checks each response against its expectation, that
// each invocation logged a JSON line with its request id, and that no output holds a
// secret. Run it with -count=1 (make test does): the go command's test cache does not
// see the function sources the bootstraps are built from.
func TestFunctions(t *testing.T) {
	root := repoRoot(t)
	names, err := rie.Functions(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("no functions/*/main.go under %s", root)
	}
	rieBin, err := emulator()
	if err != nil {
		t.Fatalf("the Lambda runtime interface emulator is needed: %v", err)
	}
	samples := map[string][]rie.Sample{}
	loadErrs := map[string]error{}
	var ready []string
	for _, name := range names {
		s, err := rie.LoadSamples(filepath.Join(root, "events", name))
		if err != nil {
			loadErrs[name] = errors.New(strings.ReplaceAll(err.Error(), root+string(filepath.Separator), ""))
			continue
		}
		samples[name] = s
		ready = append(ready, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	t.Cleanup(cancel)
	builds := startBuilds(ctx, root, t.TempDir(), ready)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := loadErrs[name]; err != nil {
				t.Fatalf("functions/%s: %v", name, err)
			}
			<-builds.done
			b := builds.byFn[name]
			if b.Err != nil {
				t.Fatal(b.Err)
			}
			runFunction(t, root, rieBin, name, b.Path, samples[name])
		})
	}
}

// runFunction seeds a world for one function, starts it under the emulator and invokes
// its samples in order.
func runFunction(t *testing.T, root, rieBin, name, bootstrap string, samples []rie.Sample) {
	w := newWorld(t, root)
	forbidden := append(append([]string{}, w.secrets...), sampleSecrets(samples)...)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	fn, err := rie.Start(ctx, rie.Config{Emulator: rieBin, Bootstrap: bootstrap, Env: w.env(name, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = fn.Stop()
		if leak := findSecret(fn.Output(), forbidden); leak != "" {
			t.Errorf("the output of %s holds a secret, in this line:\n%s", name, leak)
		}
	}()
	for _, s := range samples {
		t.Run(s.Name, func(t *testing.T) { invokeSample(t, fn, name, s, forbidden) })
	}
}

// invokeSample invokes one sample and checks its response and log lines. Failures show
// the invocation's own output: the function's log lines and the emulator's report.
func invokeSample(t *testing.T, fn *rie.Function, name string, s rie.Sample, forbidden []string) {
	id := requestID(name, s.Name)
	where := fmt.Sprintf("events/%s/%s.json", name, s.Name)
	ctx, cancel := context.WithTimeout(t.Context(), invokeTimeout)
	defer cancel()
	before := len(fn.Output())
	resp, err := fn.Invoke(ctx, id, s.Payload)
	if err != nil {
		t.Fatalf("%s: %v\nlast output of the function:\n%s", where, err, fn.Tail(20))
	}
	lctx, lcancel := context.WithTimeout(t.Context(), logLineTimeout)
	defer lcancel()
	out, logErr := fn.WaitOutput(lctx, func(out []byte) bool { return hasLogLine(out[before:], id) })
	own := out[min(before, len(out)):]
	if err := s.Check(resp); err != nil {
		t.Errorf("%s (%s): %v\noutput of the invocation:\n%s", where, describe(s.Expect), err, readable(own))
	}
	if logErr != nil {
		t.Errorf("%s: no JSON log line with \"requestId\": %q (%v); every invocation must log one (AWS_LAMBDA_LOG_FORMAT=JSON, lambdacontext logger). Output of the invocation:\n%s",
			where, id, logErr, readable(own))
	}
	if leak := findSecret(own, forbidden); leak != "" {
		t.Errorf("%s: the output holds a secret, in this line:\n%s", where, leak)
	}
}

// readable returns the last lines of an invocation's output without the emulator's
// routine INFO lines.
func readable(out []byte) string {
	var keep []string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if !strings.Contains(line, "[INFO] (rapid)") {
			keep = append(keep, "\t"+line)
		}
	}
	if len(keep) > 30 {
		keep = append([]string{"\t…"}, keep[len(keep)-30:]...)
	}
	return strings.Join(keep, "\n")
}

func describe(e rie.Expectation) string {
	switch {
	case e.Status != 0:
		return fmt.Sprintf("want status %d", e.Status)
	case e.ResponseFile != "":
		return "want the response in " + e.ResponseFile
	case len(e.ResponseIncludes) > 0:
		return "want a response including " + string(e.ResponseIncludes)
	}
	return "want response " + string(e.Response)
}

// requestID returns a request id unique to this invocation that says which it is.
func requestID(function, sample string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return function + "-" + sample + "-" + hex.EncodeToString(b[:])
}

// hasLogLine reports whether out has a JSON line whose requestId is id (the field
// lambdacontext's logger adds with AWS_LAMBDA_LOG_FORMAT=JSON).
func hasLogLine(out []byte, id string) bool {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var m map[string]any
		if json.Unmarshal(line, &m) == nil && m["requestId"] == id {
			return true
		}
	}
	return false
}

// findSecret returns the first line of out that contains one of secrets, with the
// secret replaced so the report does not repeat it, or "".
func findSecret(out []byte, secrets []string) string {
	for _, line := range strings.Split(string(out), "\n") {
		for _, s := range secrets {
			if s != "" && strings.Contains(line, s) {
				return strings.ReplaceAll(line, s, "<secret>")
			}
		}
	}
	return ""
}

// sampleSecrets returns the secret values samples send: connector passwords, tokens and
// keys in request bodies, and bearer tokens in Authorization headers.
func sampleSecrets(samples []rie.Sample) []string {
	var out []string
	for _, s := range samples {
		var ev struct {
			Headers map[string]string `json:"headers"`
			Body    string            `json:"body"`
		}
		if json.Unmarshal(s.Payload, &ev) != nil {
			continue
		}
		for k, v := range ev.Headers {
			if strings.EqualFold(k, "authorization") {
				if _, tok, ok := strings.Cut(v, " "); ok && len(tok) >= 8 {
					out = append(out, tok)
				}
			}
		}
		var body map[string]any
		if json.Unmarshal([]byte(ev.Body), &body) != nil {
			continue
		}
		for _, k := range []string{"password", "token", "key"} {
			if v, ok := body[k].(string); ok && v != "" && v != "********" {
				out = append(out, v)
			}
		}
	}
	return out
}

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestLogAndSecretHelpers(t *testing.T) {
	out := []byte("START RequestId: r1 Version: $LATEST\n" +
		`{"level":"INFO","message":"request","requestId":"r1"}` + "\n" +
		`{"level":"INFO","message":"other","requestId":"r10"}` + "\n" +
		"2026/11/27 10:00:00 requestId r2 in plain text\n" +
		`{"broken json "requestId":"r3"` + "\n")
	for _, tc := range []struct {
		id   string
		want bool
	}{{"r1", true}, {"r10", true}, {"r2", false}, {"r3", false}, {"r", false}} {
		if got := hasLogLine(out, tc.id); got != tc.want {
			t.Errorf("hasLogLine(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
	if got := findSecret(out, []string{"", "nothing-like-it"}); got != "" {
		t.Errorf("findSecret found %q, want none", got)
	}
	if got, want := findSecret(out, []string{"plain"}), "2026/11/27 10:00:00 requestId r2 in <secret> text"; got != want {
		t.Errorf("findSecret = %q, want %q", got, want)
	}
	samples := []rie.Sample{
		{Payload: []byte(`{"headers": {"authorization": "Bearer fh_admin_0123456789"}, "body": "{\"name\": \"x\", \"type\": \"basic\", \"password\": \"pw-1\"}"}`)},
		{Payload: []byte(`{"headers": {"Authorization": "Basic dXNlcjpwYXNz"}, "body": "{\"token\": \"********\", \"key\": \"k-2\"}"}`)},
		{Payload: []byte(`{"headers": {"authorization": "Bearer short"}, "body": "not json"}`)},
		{Payload: []byte(`[1, 2]`)},
	}
	got := sampleSecrets(samples)
	sort.Strings(got)
	if want := []string{"dXNlcjpwYXNz", "fh_admin_0123456789", "k-2", "pw-1"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sampleSecrets = %v, want %v", got, want)
	}
}
