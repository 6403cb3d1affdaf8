// Package rie runs Flowhook's Lambda functions as Lambda runs them, for tests: it builds
// a function's bootstrap as `sam build` does for provided.al2023 (CGO_ENABLED=0,
// GOOS=linux, -tags lambda.norpc), starts it under the AWS Lambda runtime interface
// emulator (aws-lambda-rie), which serves it the real Runtime API, and invokes it over
// the emulator's HTTP endpoint. The emulator runs only on Linux.
//
// The emulator binds 0.0.0.0:8080 by default; Start always binds both of its addresses to
// free loopback ports. The function inherits the emulator's environment, which Start
// builds from Config.Env alone: nothing of the caller's environment (AWS credentials,
// profiles) reaches a function under test.
//
// Each function's sample events live in events/<function>/ with an expect.json saying
// in which order to invoke them and what each must answer: LoadSamples reads them,
// Sample.Check judges a response (ExpectFile documents the format). The package's test
// invokes every function with all its samples against moto_server.
package rie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowhook/flowhook/infra/proc"
)

// Emulator pin: the version infra/tools/check.sh installs into bin/ (v1.23.0 is not
// served by the module proxy; /work/shared/research/libraries.md §9).
const (
	EmulatorModule  = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
	EmulatorVersion = "v0.0.0-20261030222936-bef5c4ba774d"
)

// EnvEmulator names the environment variable that may point at an aws-lambda-rie binary.
const EnvEmulator = "FLOWHOOK_RIE"

// emulatorName is the binary's name in bin/ and on PATH; versionFile records the version
// check.sh installed next to it.
const (
	emulatorName = "aws-lambda-rie"
	versionFile  = ".rie-version"
)

// InvokePath is the emulator's invocation endpoint (the Lambda Invoke API's path).
const InvokePath = "/2015-03-31/functions/function/invocations"

// readyTimeout bounds the wait for a fresh emulator to accept connections; it answers
// within milliseconds on an idle machine, so this only matters on a starved one.
const readyTimeout = 30 * time.Second

// FindEmulator returns the path of aws-lambda-rie: $FLOWHOOK_RIE when set, else
// <root>/bin/aws-lambda-rie when bin/.rie-version names EmulatorVersion (as check.sh
// leaves it), else one on PATH. When there is none it installs EmulatorVersion into
// <root>/bin with `go install` (about a minute on a cold module cache) and says so
// through logf.
func FindEmulator(ctx context.Context, root string, logf func(format string, args ...any)) (string, error) {
	if p := os.Getenv(EnvEmulator); p != "" {
		if err := executable(p); err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvEmulator, p, err)
		}
		return p, nil
	}
	bin := filepath.Join(root, "bin")
	local := filepath.Join(bin, emulatorName)
	if executable(local) == nil && pinned(bin) {
		return local, nil
	}
	if p, err := exec.LookPath(emulatorName); err == nil {
		return p, nil
	}
	logf("rie: installing %s@%s into %s", EmulatorModule, EmulatorVersion, bin)
	cmd := exec.CommandContext(ctx, "go", "install", EmulatorModule+"@"+EmulatorVersion)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("install %s@%s: %w\n%s", EmulatorModule, EmulatorVersion, err, out)
	}
	if err := os.WriteFile(filepath.Join(bin, versionFile), []byte(EmulatorVersion+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("record emulator version: %w", err)
	}
	return local, nil
}

func executable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", p)
	}
	return nil
}

// pinned reports whether bin/.rie-version names EmulatorVersion.
func pinned(bin string) bool {
	b, err := os.ReadFile(filepath.Join(bin, versionFile))
	return err == nil && strings.TrimSpace(string(b)) == EmulatorVersion
}

// ModuleRoot returns the directory of the go.mod that holds dir, walking up.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or above", dir)
		}
	}
}

// Functions lists the Lambda functions of the module at root: the directories
// functions/<name> that hold a main.go, sorted, without functions/internal.
func Functions(root string) ([]string, error) {
	mains, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var names []string
	for _, m := range mains {
		if name := filepath.Base(filepath.Dir(m)); name != "internal" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// BuildArgs say what Build compiles.
type BuildArgs struct {
	// Root is the module root (the directory of go.mod).
	Root string
	// Function is the name of a directory under functions/.
	Function string
	// Out is the path of the bootstrap to write; its directory is created.
	Out string
	// GOARCH is the target architecture; empty means the host's, so the emulator can run
	// the result (template.yaml deploys arm64; the code does not depend on it).
	GOARCH string
}

// Build compiles functions/<Function> into a bootstrap for provided.al2023 as the
// Makefile's build target does: CGO_ENABLED=0, GOOS=linux, -tags lambda.norpc (no RPC
// mode: the bootstrap speaks the Runtime API), -trimpath. A failure carries the
// compiler's output.
func Build(ctx context.Context, a BuildArgs) error {
	if err := os.MkdirAll(filepath.Dir(a.Out), 0o755); err != nil {
		return fmt.Errorf("build %s: %w", a.Function, err)
	}
	err := goCommand(ctx, a.Root, a.GOARCH, "build", "-tags", "lambda.norpc", "-trimpath",
		"-o", a.Out, "./"+filepath.ToSlash(filepath.Join("functions", a.Function)))
	if err != nil {
		return fmt.Errorf("build %s: %w", a.Function, err)
	}
	return nil
}

// BuildAllArgs say what BuildAll compiles.
type BuildAllArgs struct {
	// Root is the module root (the directory of go.mod).
	Root string
	// Functions are names of directories under functions/.
	Functions []string
	// Dir receives <function>/bootstrap for each function.
	Dir string
	// GOARCH is as in BuildArgs.
	GOARCH string
}

// Bootstrap is the outcome of building one function.
type Bootstrap struct {
	Function string
	// Path is Dir/<function>/bootstrap; it exists when Err is nil.
	Path string
	Err  error
}

// BuildAll builds several functions as Build does, with one go build: the packages they
// share (the AWS SDK, most of shared/) are compiled once, and the go command runs at
// most GOMAXPROCS compilers at a time. On a cold build cache this takes about half the
// CPU of building them side by side. If that build fails, each function is built on its
// own, GOMAXPROCS at a time and mostly from the cache, so every error names its function
// and a broken function does not keep the others from being tested. The result is in
// the order of a.Functions.
func BuildAll(ctx context.Context, a BuildAllArgs) []Bootstrap {
	out := make([]Bootstrap, len(a.Functions))
	for i, f := range a.Functions {
		out[i] = Bootstrap{Function: f, Path: filepath.Join(a.Dir, f, "bootstrap")}
	}
	if len(out) == 0 {
		return out
	}
	if err := buildTogether(ctx, a, out); err == nil {
		return out
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i].Err = Build(ctx, BuildArgs{Root: a.Root, Function: out[i].Function, Out: out[i].Path, GOARCH: a.GOARCH})
		}()
	}
	wg.Wait()
	return out
}

// buildTogether compiles every function with one go build into a staging directory
// (go build -o DIR/ names each binary after its package directory) and moves each
// binary to its bootstrap path.
func buildTogether(ctx context.Context, a BuildAllArgs, out []Bootstrap) error {
	stage, err := os.MkdirTemp(a.Dir, ".stage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-o", stage + string(filepath.Separator)}
	for _, b := range out {
		args = append(args, "./"+filepath.ToSlash(filepath.Join("functions", b.Function)))
	}
	if err := goCommand(ctx, a.Root, a.GOARCH, args...); err != nil {
		return err
	}
	for _, b := range out {
		if err := os.MkdirAll(filepath.Dir(b.Path), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(stage, b.Function), b.Path); err != nil {
			return err
		}
	}
	return nil
}

// goCommand runs the go command in root for linux/arch without cgo; an error carries
// its output.
func goCommand(ctx context.Context, root, arch string, args ...string) error {
	if arch == "" {
		arch = runtime.GOARCH
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, bytes.TrimSpace(out))
	}
	return nil
}

// Config says what Start runs.
type Config struct {
	// Emulator is the path of aws-lambda-rie (FindEmulator).
	Emulator string
	// Bootstrap is the path of the function's bootstrap (Build); the function runs in its
	// directory, as in /var/task.
	Bootstrap string
	// Env is the whole environment of the emulator, which hands it to the function, as
	// KEY=VALUE; nothing else is inherited.
	Env []string
}

// Function is a bootstrap running under the emulator. Invoke may be called from one
// goroutine at a time: like a Lambda execution environment, the emulator serves one
// invocation at a time.
type Function struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
	out    *output
	client *http.Client

	stopOnce sync.Once
}

// Start starts the emulator on two free loopback ports with c.Bootstrap as its handler
// command and waits until it accepts connections. The function itself starts (its init
// phase) on the first invocation, as in Lambda. A port taken between choosing and
// binding it is retried.
func Start(ctx context.Context, c Config) (*Function, error) {
	if err := executable(c.Emulator); err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	if err := executable(c.Bootstrap); err != nil {
		return nil, fmt.Errorf("start emulator: bootstrap: %w", err)
	}
	var lastErr error
	for range 3 {
		f, err := start(ctx, c)
		if err == nil {
			return f, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func start(ctx context.Context, c Config) (*Function, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, fmt.Errorf("start emulator: find free ports: %w", err)
	}
	addr := "127.0.0.1:" + ports[0]
	cmd := exec.Command(c.Emulator,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+ports[1],
		c.Bootstrap)
	cmd.Dir = filepath.Dir(c.Bootstrap)
	cmd.Env = append([]string{}, c.Env...)
	out := &output{}
	cmd.Stdout, cmd.Stderr = out, out
	proc.OwnGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	f := &Function{
		url:    "http://" + addr + InvokePath,
		cmd:    cmd,
		exited: make(chan struct{}),
		out:    out,
		// No client timeout: each Invoke is bounded by its context.
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
	}
	go func() {
		_ = cmd.Wait()
		close(f.exited)
	}()
	if err := f.waitReady(ctx, addr); err != nil {
		_ = f.Stop()
		return nil, fmt.Errorf("%w; emulator output:\n%s", err, f.Tail(20))
	}
	return f, nil
}

// waitReady polls the emulator's address until it accepts a connection.
func (f *Function) waitReady(ctx context.Context, addr string) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-f.exited:
			return fmt.Errorf("emulator on %s exited before answering: %v", addr, f.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("emulator on %s: %w", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("emulator on %s did not accept connections within %s: %v", addr, readyTimeout, err)
		}
	}
}

// URL returns the invocation URL.
func (f *Function) URL() string { return f.url }

// Invoke sends payload to the function with requestID as the Lambda request id (the
// emulator takes it from X-Amzn-RequestId, so log lines can be matched to it) and returns
// the function's response payload. A function error (the runtime's /error call, or a
// failed init) also comes back as a payload, {"errorMessage": …, "errorType": …}, as the
// Invoke API returns it; see FunctionError.
func (f *Function) Invoke(ctx context.Context, requestID string, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", requestID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if requestID != "" {
		req.Header.Set("X-Amzn-RequestId", requestID)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", requestID, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: read response: %w", requestID, err)
	}
	if resp.StatusCode != http.StatusOK {
		why := string(bytes.TrimSpace(body))
		if resp.StatusCode == http.StatusBadGateway && why == "" {
			// What the emulator answers when the bootstrap exits or its init fails.
			why = "the function exited or failed during init; its output says why"
		}
		return body, fmt.Errorf("invoke %s: emulator answered %s: %s", requestID, resp.Status, why)
	}
	return body, nil
}

// Output returns a copy of everything the emulator and the function wrote so far
// (stdout and stderr, interleaved as written).
func (f *Function) Output() []byte { return f.out.bytes() }

// Tail returns the last n lines of the output.
func (f *Function) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(string(f.Output()), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// WaitOutput returns the output as soon as done(output) holds, or the last output with
// an error when ctx ends or the emulator exits first. The function's stdout reaches the
// emulator's through a pipe, so a line logged during an invocation may arrive just after
// the invocation's response.
func (f *Function) WaitOutput(ctx context.Context, done func(out []byte) bool) ([]byte, error) {
	for {
		changed := f.out.changed() // before reading, so no write is missed
		out := f.Output()
		if done(out) {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return f.Output(), ctx.Err()
		case <-f.exited:
			out := f.Output()
			if done(out) {
				return out, nil
			}
			return out, errors.New("the emulator exited")
		case <-changed:
		}
	}
}

// Stop ends the emulator and the function (their process group), and waits for them.
// It is safe to call more than once.
func (f *Function) Stop() error {
	f.stopOnce.Do(func() { proc.Terminate(f.cmd, f.exited) })
	return nil
}

// output collects a process's output and signals each write.
type output struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if o.notify != nil {
		close(o.notify)
		o.notify = nil
	}
	return len(p), nil
}

func (o *output) bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Clone(o.buf.Bytes())
}

// changed returns a channel closed by the next write.
func (o *output) changed() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.notify == nil {
		o.notify = make(chan struct{})
	}
	return o.notify
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]string, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		_, port, err := net.SplitHostPort(l.Addr().String())
		if err != nil {
			return nil, err
		}
		ports = append(ports, port)
	}
	return ports, nil
}
