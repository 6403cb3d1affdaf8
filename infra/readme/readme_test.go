// Package readme runs the README's walkthrough as a new user would, against the local
// stack, so the documented commands keep working.
package readme

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/infra/stack"
	"github.com/flowhook/flowhook/shared/egress"
)

// walkthrough extracts the README's shell blocks of the "Try it" section, leaving out
// the commands that start servers (the test starts them) and pointing the addresses at
// the test's servers. Everything else runs verbatim.
func walkthrough(t *testing.T, api, endpoint string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start, end := strings.Index(text, "## Try it"), strings.Index(text, "## Templates")
	if start < 0 || end < start {
		t.Fatal("README has no Try it section before Templates")
	}
	var script strings.Builder
	script.WriteString("set -u\n")
	inBlock := false
	for _, l := range strings.Split(text[start:end], "\n") {
		switch {
		case strings.HasPrefix(l, "```sh"):
			inBlock = true
			continue
		case strings.HasPrefix(l, "```"):
			inBlock = false
			continue
		case !inBlock:
			continue
		case strings.Contains(l, "make run") || strings.Contains(l, "go run ./infra/testserver"):
			continue // the test runs these servers itself
		}
		l = strings.ReplaceAll(l, "http://127.0.0.1:3000", api)
		l = strings.ReplaceAll(l, "127.0.0.1:8443", endpoint)
		script.WriteString(l + "\n")
	}
	return script.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestREADMEWalkthrough runs the README's curl tour against make run's stack and the
// bundled test endpoint, and checks what the README promises: the test request shows the
// request with the token redacted and the endpoint's answer, and the run's history holds
// the message with the promo code.
func TestREADMEWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed to run the README's examples: apt-get install curl")
	}
	dir := t.TempDir()
	ca := filepath.Join(dir, ".flowhook", "testserver-ca.pem")
	endpoint := freeAddr(t)
	bin := filepath.Join(dir, "testserver")
	build := exec.Command("go", "build", "-o", bin, "./infra/testserver")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the test endpoint: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ts := exec.CommandContext(ctx, bin, "-addr", endpoint, "-token", "s3cr3t-token", "-ca", ca)
	var tsOut bytes.Buffer
	ts.Stdout, ts.Stderr = &tsOut, &tsOut
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = ts.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial("tcp", endpoint); err == nil {
			c.Close()
			if _, err := os.Stat(ca); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test endpoint did not start: %s", tsOut.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	ecfg, err := egress.ConfigFromEnv(func(k string) string {
		return map[string]string{egress.EnvAllowCIDRs: "127.0.0.0/8", egress.EnvExtraCAFile: ca}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := stack.New(stack.Config{DataDir: filepath.Join(dir, ".flowhook"), Egress: ecfg, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	sh := exec.Command("bash", "-c", walkthrough(t, "http://"+ln.Addr().String(), endpoint))
	sh.Dir = dir
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("the README walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		`"code":"validation_failed"`,                 // none expected: fails below if an example was refused
		`"request":{"method":"POST","url":"https://`, // the test request shows what was sent
		`Bearer ********`,                            // with the token redacted
		`"promocode":"SPRING-`,                       // and the decoded answer
		`"status":"succeeded"`,                       // the run succeeded
		`your code: SPRING-`,                         // and its message holds the code
		`"deletedAt":`,                               // the deleted list
	} {
		if want == `"code":"validation_failed"` {
			if strings.Contains(string(out), want) {
				t.Errorf("an example was refused:\n%s", out)
			}
			continue
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("the walkthrough's output lacks %s:\n%s", want, out)
		}
	}
	if regexp.MustCompile(`s3cr3t-token`).Match(bytes.ReplaceAll(out, []byte(`"token": "s3cr3t-token"`), nil)) {
		t.Errorf("the connector token appears in an API response:\n%s", out)
	}
}
