package rie_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/infra/rie"
)

// writeFiles creates files (path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFunctionsAndModuleRoot(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":                       "module example.com/m\n",
		"functions/b/main.go":          "package main\n",
		"functions/a/main.go":          "package main\n",
		"functions/a/handler.go":       "package main\n",
		"functions/nomain/handler.go":  "package nomain\n",
		"functions/internal/main.go":   "package main\n",
		"functions/internal/wire/x.go": "package wire\n",
	})
	got, err := rie.Functions(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Functions = %v, want %v", got, want)
	}
	r, err := rie.ModuleRoot(filepath.Join(root, "functions", "a"))
	if err != nil || r != root {
		t.Errorf("ModuleRoot = %q, %v; want %q", r, err, root)
	}
	if r, err := rie.ModuleRoot(t.TempDir()); err == nil {
		t.Errorf("ModuleRoot of a directory outside any module = %q, want an error", r)
	}
}

// fakeEmulator writes an executable file and returns its path.
func fakeEmulator(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "aws-lambda-rie")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFindEmulator covers the order of the lookup: $FLOWHOOK_RIE, then bin/ of the
// pinned version, then PATH. (The install fallback needs the module proxy; TestFunctions
// exercises it on a machine without the emulator.)
func TestFindEmulator(t *testing.T) {
	root := t.TempDir()
	explicit := fakeEmulator(t, filepath.Join(t.TempDir(), "explicit"))
	onPath := fakeEmulator(t, filepath.Join(t.TempDir(), "path"))
	local := fakeEmulator(t, filepath.Join(root, "bin"))
	notExec := filepath.Join(t.TempDir(), "plain")
	writeFiles(t, filepath.Dir(notExec), map[string]string{"plain": "x"})
	cases := []struct {
		name    string
		env     string
		version string // content of bin/.rie-version; "" for none
		want    string
		wantErr string
	}{
		{"explicit wins", explicit, rie.EmulatorVersion, explicit, ""},
		{"explicit not executable", notExec, rie.EmulatorVersion, "", "not an executable"},
		{"explicit missing", filepath.Join(root, "nope"), rie.EmulatorVersion, "", "no such file"},
		{"bin of the pinned version", "", rie.EmulatorVersion + "\n", local, ""},
		{"bin of another version falls back to PATH", "", "v0.0.1", onPath, ""},
		{"bin without a version falls back to PATH", "", "", onPath, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(rie.EnvEmulator, tc.env)
			t.Setenv("PATH", filepath.Dir(onPath))
			vf := filepath.Join(root, "bin", ".rie-version")
			os.Remove(vf)
			if tc.version != "" {
				writeFiles(t, filepath.Join(root, "bin"), map[string]string{".rie-version": tc.version})
			}
			got, err := rie.FindEmulator(t.Context(), root, t.Logf)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FindEmulator = %q, %v; want an error mentioning %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("FindEmulator = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// echoModule lays out a module whose functions/echo is testdata/echo and returns its root.
func echoModule(t *testing.T, extra map[string]string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "echo", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	files := map[string]string{"go.mod": "module example.com/echo\n\ngo 1.26\n", "functions/echo/main.go": string(src)}
	for k, v := range extra {
		files[k] = v
	}
	writeFiles(t, root, files)
	return root
}

func TestBuild(t *testing.T) {
	root := echoModule(t, map[string]string{"functions/broken/main.go": "package main\n\nfunc main() { undefinedThing() }\n"})
	out := filepath.Join(t.TempDir(), "echo", "bootstrap")
	if err := rie.Build(t.Context(), rie.BuildArgs{Root: root, Function: "echo", Out: out}); err != nil {
		t.Fatalf("Build: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x7fELF")) {
		t.Errorf("the bootstrap is not a Linux (ELF) executable: starts %q", b[:min(4, len(b))])
	}
	err = rie.Build(t.Context(), rie.BuildArgs{Root: root, Function: "broken", Out: filepath.Join(t.TempDir(), "bootstrap")})
	if err == nil || !strings.Contains(err.Error(), "build broken") || !strings.Contains(err.Error(), "undefinedThing") {
		t.Errorf("Build of a broken function = %v, want an error naming it and carrying the compiler's message", err)
	}
}

func TestBuildAll(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "echo", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	root := echoModule(t, map[string]string{
		"functions/echo2/main.go":  string(src),
		"functions/broken/main.go": "package main\n\nfunc main() { undefinedThing() }\n",
	})
	cases := []struct {
		name      string
		functions []string
		broken    string // the function expected to fail; "" for none
	}{
		{"together", []string{"echo", "echo2"}, ""},
		{"one broken", []string{"echo", "broken", "echo2"}, "broken"},
		{"none", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			got := rie.BuildAll(t.Context(), rie.BuildAllArgs{Root: root, Functions: tc.functions, Dir: dir})
			if len(got) != len(tc.functions) {
				t.Fatalf("BuildAll returned %d results for %d functions", len(got), len(tc.functions))
			}
			for i, b := range got {
				if b.Function != tc.functions[i] || b.Path != filepath.Join(dir, tc.functions[i], "bootstrap") {
					t.Errorf("result %d = %+v, want function %s at %s/bootstrap", i, b, tc.functions[i], tc.functions[i])
				}
				if b.Function == tc.broken {
					if b.Err == nil || !strings.Contains(b.Err.Error(), "build broken") || !strings.Contains(b.Err.Error(), "undefinedThing") {
						t.Errorf("%s: Err = %v, want the compiler's error naming the function", b.Function, b.Err)
					}
					continue
				}
				if b.Err != nil {
					t.Errorf("%s: %v", b.Function, b.Err)
				} else if fi, err := os.Stat(b.Path); err != nil || fi.Mode()&0o111 == 0 {
					t.Errorf("%s: bootstrap %s: %v, want an executable", b.Function, b.Path, err)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".stage-*")); len(left) > 0 {
				t.Errorf("staging directories left behind: %v", left)
			}
		})
	}
}

// startEcho builds testdata/echo and starts it under the emulator with env.
func startEcho(t *testing.T, env ...string) *rie.Function {
	t.Helper()
	bin, err := emulator()
	if err != nil {
		t.Fatalf("the Lambda runtime interface emulator is needed: %v", err)
	}
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	if err := rie.Build(t.Context(), rie.BuildArgs{Root: echoModule(t, nil), Function: "echo", Out: bootstrap}); err != nil {
		t.Fatal(err)
	}
	fn, err := rie.Start(t.Context(), rie.Config{Emulator: bin, Bootstrap: bootstrap, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fn.Stop() })
	return fn
}

// TestStartInvokeStop runs a plain-Go function under the real emulator: the payload and
// the request id reach it, its environment is exactly Config.Env, its log lines reach
// Output, an error comes back as the Invoke API reports it, and Stop ends it.
func TestStartInvokeStop(t *testing.T) {
	fn := startEcho(t, "ECHO_PROBE=probe-value")
	if !strings.HasPrefix(fn.URL(), "http://127.0.0.1:") || !strings.HasSuffix(fn.URL(), rie.InvokePath) {
		t.Errorf("URL = %q, want a loopback address and %s", fn.URL(), rie.InvokePath)
	}
	cases := []struct {
		name, id, payload string
		want              map[string]any
	}{
		{"object", "req-1", `{"a": [1, "x"]}`,
			map[string]any{"payload": map[string]any{"a": []any{1.0, "x"}}, "requestId": "req-1", "probe": "probe-value", "home": ""}},
		{"string", "req-2", `"hello"`,
			map[string]any{"payload": "hello", "requestId": "req-2", "probe": "probe-value", "home": ""}},
		{"function error", "req-3", `"fail"`,
			map[string]any{"errorMessage": "asked to fail", "errorType": "EchoError"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			resp, err := fn.Invoke(ctx, tc.id, []byte(tc.payload))
			if err != nil {
				t.Fatalf("Invoke: %v\n%s", err, fn.Tail(20))
			}
			var got map[string]any
			if err := json.Unmarshal(resp, &got); err != nil {
				t.Fatalf("response %s: %v", resp, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("response:\n got %s\nwant %v", resp, tc.want)
			}
			_, isErr := rie.FunctionError(resp)
			if wantErr := tc.want["errorType"] != nil; isErr != wantErr {
				t.Errorf("FunctionError(%s) = %v, want %v", resp, isErr, wantErr)
			}
			line := `"requestId":"` + tc.id + `"`
			if _, err := fn.WaitOutput(ctx, func(out []byte) bool { return bytes.Contains(out, []byte(line)) }); err != nil {
				t.Errorf("no log line with %s: %v\n%s", line, err, fn.Tail(20))
			}
		})
	}
	if err := fn.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := fn.Invoke(ctx, "after-stop", []byte(`{}`)); err == nil {
		t.Error("Invoke after Stop succeeded, want an error")
	}
	if err := fn.Stop(); err != nil {
		t.Errorf("a second Stop: %v", err)
	}
}

// TestInitFailure: a function that exits during init fails the invocation with the
// Invoke API's error, and what it printed is in Output.
func TestInitFailure(t *testing.T) {
	fn := startEcho(t, "ECHO_EXIT=1")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	resp, err := fn.Invoke(ctx, "req-init", []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "during init") {
		t.Fatalf("Invoke of a function that exits during init = %s, %v; want an error saying it failed during init", resp, err)
	}
	if _, err := fn.WaitOutput(ctx, func(out []byte) bool { return bytes.Contains(out, []byte("exiting during init")) }); err != nil {
		t.Errorf("the function's output is not in Output: %v\n%s", err, fn.Output())
	}
}

func TestStartRefusesMissingFiles(t *testing.T) {
	exe := fakeEmulator(t, t.TempDir())
	cases := []struct {
		name string
		cfg  rie.Config
		want string
	}{
		{"no emulator", rie.Config{Emulator: filepath.Join(t.TempDir(), "none"), Bootstrap: exe}, "start emulator"},
		{"no bootstrap", rie.Config{Emulator: exe, Bootstrap: filepath.Join(t.TempDir(), "none")}, "bootstrap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fn, err := rie.Start(t.Context(), tc.cfg)
			if err == nil {
				fn.Stop()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Start = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// TestStartReportsAnEmulatorThatExits: an emulator that exits at once is reported with
// its output, not waited on.
func TestStartReportsAnEmulatorThatExits(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "aws-lambda-rie")
	if err := os.WriteFile(bad, []byte("#!/bin/sh\necho cannot bind >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fn, err := rie.Start(t.Context(), rie.Config{Emulator: bad, Bootstrap: bad})
	if err == nil {
		fn.Stop()
		t.Fatal("Start succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "exited before answering") || !strings.Contains(err.Error(), "cannot bind") {
		t.Errorf("Start = %v, want it to say the emulator exited and show its output", err)
	}
}

// TestEmulatorVersionMatchesCheckScript: make test installs the emulator with
// infra/tools/check.sh and go test with FindEmulator; both must pin the same version, or
// FindEmulator would not take the one in bin/.
func TestEmulatorVersionMatchesCheckScript(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "infra", "tools", "check.sh"))
	if err != nil {
		t.Fatal(err)
	}
	want := "RIE_VERSION=" + rie.EmulatorVersion + "\n"
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("infra/tools/check.sh does not set %q; pin the same emulator version there and in rie.EmulatorVersion", strings.TrimSpace(want))
	}
}
