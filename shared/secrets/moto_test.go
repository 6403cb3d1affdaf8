package secrets_test

// A local moto_server helper, until the shared infra/moto helper exists.

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func TestMain(m *testing.M) {
	code := m.Run()
	moto.stop()
	os.Exit(code)
}

type motoServer struct {
	once     sync.Once
	cmd      *exec.Cmd
	log      *os.File
	endpoint string
	err      error
}

var moto motoServer

// motoClient returns a Secrets Manager client talking to a moto_server shared by the
// package's tests (started on first use). Tests isolate themselves by secret name.
func motoClient(t testing.TB) *secretsmanager.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("needs moto_server; skipped with -short")
	}
	moto.once.Do(moto.start)
	if moto.err != nil {
		t.Fatalf("start moto_server: %v", moto.err)
	}
	return secretsmanager.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(moto.endpoint),
	})
}

func (m *motoServer) start() {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		m.err = err
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		m.err = err
		return
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	m.cmd = exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if m.log, m.err = os.CreateTemp("", "moto-*.log"); m.err != nil {
		return
	}
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	if m.err = m.cmd.Start(); m.err != nil {
		return
	}
	m.endpoint = fmt.Sprintf("http://127.0.0.1:%d", port)
	// Wait until it answers; moto needs a few seconds to import its backends.
	for range 300 {
		resp, err := http.Get(m.endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.err = fmt.Errorf("moto_server on %s did not answer within 30 s; its output is in %s", m.endpoint, m.log.Name())
}

func (m *motoServer) stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		m.cmd.Process.Kill()
		m.cmd.Wait()
	}
	if m.log != nil {
		m.log.Close()
		if m.err == nil {
			os.Remove(m.log.Name())
		}
	}
}

// testPrefix is a secret name prefix unique to the test.
func testPrefix(t testing.TB) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, t.Name())
	return "flowhook-test/" + name + "/"
}
