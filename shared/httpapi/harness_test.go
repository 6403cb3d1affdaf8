package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/send"
	"github.com/flowhook/flowhook/shared/store/dynamo"
	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/store/storetest"
	"github.com/flowhook/flowhook/shared/velocity"
)

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a running API on real stores (bbolt file and encrypted secret file in a temp
// dir) with real tokens, as the local runner wires it.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	dir     string
	tokens  auth.Tokens
	logs    *syncBuffer
	store   storetest.Store
	secrets secretStore
	// persisted returns every byte the stores keep (files, or table items), for leak checks.
	persisted func() [][]byte
}

// secretStore is both secret stores' contract.
type secretStore interface {
	SecretWriter
	Get(ctx context.Context, ref string) (string, error)
}

// backend makes the stores of a test environment.
type backend struct {
	name string
	open func(t *testing.T, dir string) (storetest.Store, secretStore, func() [][]byte)
}

// embeddedBackend is make run's storage: a bbolt file and an encrypted secrets file.
var embeddedBackend = backend{"embedded", func(t *testing.T, dir string) (storetest.Store, secretStore, func() [][]byte) {
	st, err := embedded.Open(filepath.Join(dir, "flowhook.db"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sec, err := secrets.OpenFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st, sec, func() [][]byte {
		if err := st.Close(); err != nil { // flush before reading the file
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		var out [][]byte
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
		return out
	}
}}

// dynamoBackend is AWS's storage, in moto_server: the four tables and Secrets Manager.
var dynamoBackend = backend{"dynamo", func(t *testing.T, dir string) (storetest.Store, secretStore, func() [][]byte) {
	srv := moto.Start(t)
	cfg := srv.AWSConfig()
	tables := dynamo.Tables{Definitions: moto.Name(t, "defs"), Contacts: moto.Name(t, "contacts"), Events: moto.Name(t, "events"), Runs: moto.Name(t, "runs")}
	db := dynamodb.NewFromConfig(cfg)
	if err := dynamo.CreateTables(t.Context(), db, tables); err != nil {
		t.Fatal(err)
	}
	st, err := dynamo.New(db, tables, dynamo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := secrets.NewManager(secretsmanager.NewFromConfig(cfg), moto.Name(t, "conn")+"/", secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st, sec, func() [][]byte {
		var out [][]byte
		for _, name := range []string{tables.Definitions, tables.Contacts, tables.Events, tables.Runs} {
			p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &name})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range page.Items {
					b, err := json.Marshal(it)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, b)
				}
			}
		}
		if len(out) == 0 {
			t.Fatal("the DynamoDB tables are empty: the leak check would prove nothing")
		}
		return out
	}
}}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, egress.Config{})
}

// newEnvWith is newEnv whose webhooks go out through an egress guard configured by ecfg.
func newEnvWith(t *testing.T, ecfg egress.Config) *env {
	t.Helper()
	return newEnvOn(t, ecfg, embeddedBackend)
}

// newEnvOn is newEnvWith on the stores of b.
func newEnvOn(t *testing.T, ecfg egress.Config, b backend) *env {
	t.Helper()
	dir := t.TempDir()
	st, sec, persisted := b.open(t, dir)
	tokens, err := auth.LoadOrCreateTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	checker, err := auth.NewChecker(tokens.Hashes())
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	client, err := egress.NewClient(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	tools := render.Tools(nil, nil)
	sender := send.New(send.Config{Store: st, Secrets: sec, Delivery: delivery.New(client, delivery.Options{}), Tools: tools, Log: log})
	h := Handler(log, checker,
		[]Route{Health()},
		Management(Config{Store: st, Secrets: sec, Log: log}),
		Intake(IntakeConfig{Intake: intake.NewService(st, 0, nil), Log: log}),
		Render(RenderConfig{Store: st, Renderer: render.NewRenderer(tools, velocity.Limits{}), Log: log}),
		TestRequests(TestRequestConfig{Store: st, Sender: sender, Log: log}),
	)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, dir: dir, tokens: tokens, logs: logs, store: st, secrets: sec, persisted: persisted}
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// do sends a request with the given token ("" for none) and extra headers as
// name, value pairs.
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// admin sends a request with the admin token.
func (e *env) admin(method, path string, body any, headers ...string) response {
	e.t.Helper()
	return e.do(method, path, e.tokens.Admin, body, headers...)
}

// mustStatus fails the test unless r has status want.
func mustStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, want, r.Body)
	}
}

// id returns the "id" of a JSON object response.
func (r response) id(t *testing.T) string {
	t.Helper()
	id, _ := r.json(t)["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", r.Body)
	}
	return id
}
