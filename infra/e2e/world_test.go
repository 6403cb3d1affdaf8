package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/infra/stack"
	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/auth"
	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/httpapi"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/send"
	"github.com/flowhook/flowhook/shared/store/dynamo"
	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/workflow"
)

// runTimeout bounds the wait for queued runs to finish; far above what a run takes,
// for a starved machine.
const runTimeout = 60 * time.Second

// world is a running Flowhook on one of the stores, reached over HTTP.
type world interface {
	// client returns an API client holding the world's tokens.
	client() *client
	// deliver makes the runs execute as the runs stream makes them (the dispatcher, or
	// stream records handed to the execute handler) and returns once they finished.
	deliver(t *testing.T, runIDs []string)
	// redeliver hands the runs of the last delivery to execution once more, as a
	// redelivered stream record does.
	redeliver(t *testing.T)
	// output is everything the functions logged (log lines and metrics).
	output() string
}

// setups are the two ways Flowhook runs; every scenario runs on each.
var setups = []struct {
	name string
	open func(t *testing.T, eg egress.Config) world
}{
	{"embedded", openEmbedded},
	{"moto", openMoto},
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// embeddedWorld is the local stack (infra/stack, as `make run` runs it) behind a real
// loopback HTTP server.
type embeddedWorld struct {
	s    *stack.Stack
	c    *client
	logs *syncBuffer
	last []string
}

func openEmbedded(t *testing.T, eg egress.Config) world {
	logs := &syncBuffer{}
	s, err := stack.New(stack.Config{DataDir: t.TempDir(), Egress: eg, Log: slog.New(slog.NewJSONHandler(logs, nil)),
		Metrics: logs, NoSync: true})
	if err != nil {
		t.Fatalf("open the stack: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close the stack: %v", err)
		}
	})
	s.Start()
	srv := httptest.NewServer(s.Handler)
	t.Cleanup(srv.Close)
	return &embeddedWorld{s: s, logs: logs,
		c: &client{base: srv.URL, admin: s.Tokens.Admin, ingest: s.Tokens.Ingest, http: srv.Client()}}
}

func (w *embeddedWorld) client() *client { return w.c }
func (w *embeddedWorld) output() string  { return w.logs.String() }

func (w *embeddedWorld) deliver(t *testing.T, runIDs []string) {
	t.Helper()
	w.last = runIDs
	waitFinished(t, w.c, runIDs)
}

// waitFinished polls GET /runs/{id} until every run is final, or fails t after
// runTimeout.
func waitFinished(t *testing.T, c *client, runIDs []string) {
	t.Helper()
	deadline := time.Now().Add(runTimeout)
	for _, id := range runIDs {
		for {
			run, _ := c.run(t, id)
			if finished(run.Status) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %s is still %s after %s", id, run.Status, runTimeout)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func (w *embeddedWorld) redeliver(t *testing.T) {
	t.Helper()
	for _, id := range w.last {
		if err := w.s.Executor.Execute(t.Context(), id); err != nil {
			t.Fatalf("execute run %s again: %v", id, err)
		}
	}
}

// motoWorld is the AWS wiring: the functions' handler trees on DynamoDB and Secrets
// Manager in moto_server, behind the API Gateway stand-in, and the execute handler fed
// from the runs table's stream.
type motoWorld struct {
	c       *client
	logs    *syncBuffer
	stream  *streamReader
	filter  eventFilter
	execute *apigw.StreamHandler
	last    events.DynamoDBEvent
}

// motoFunctionDeadline is the Lambda timeout the stream handler runs under.
const motoFunctionDeadline = 60 * time.Second

func openMoto(t *testing.T, eg egress.Config) world {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cfg := moto.Start(t).AWSConfig()
	tables := dynamo.Tables{
		Definitions: moto.Name(t, "fh-definitions"), Contacts: moto.Name(t, "fh-contacts"),
		Events: moto.Name(t, "fh-events"), Runs: moto.Name(t, "fh-runs"),
	}
	db := dynamodb.NewFromConfig(cfg)
	if err := dynamo.CreateTables(ctx, db, tables); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	prefix := moto.Name(t, "flowhook") + "/connectors/"
	tokensSecret := moto.Name(t, "flowhook") + "/api-tokens"
	var tokens auth.Tokens
	var err error
	if tokens.Admin, err = auth.NewToken(auth.ScopeAdmin); err != nil {
		t.Fatal(err)
	}
	if tokens.Ingest, err = auth.NewToken(auth.ScopeIngest); err != nil {
		t.Fatal(err)
	}
	hashes, err := auth.HashesJSON(tokens)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(tokensSecret), SecretString: aws.String(string(hashes))}); err != nil {
		t.Fatalf("create the tokens secret: %v", err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	em := metrics.New(logs, nil)
	// Each function builds its own clients and caches, as separate Lambda functions do.
	newStore := func() *dynamo.Store {
		st, err := dynamo.New(dynamodb.NewFromConfig(cfg), tables, dynamo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	newSecrets := func() *secrets.Manager {
		m, err := secrets.NewManager(secretsmanager.NewFromConfig(cfg), prefix, secrets.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cache, err := secrets.NewCache(secretsmanager.NewFromConfig(cfg), secrets.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	authz, err := auth.NewAuthorizer(cache, tokensSecret)
	if err != nil {
		t.Fatal(err)
	}
	gw := newGateway(authz)
	// functions/api
	apiRoutes := [][]httpapi.Route{{httpapi.Health()}, httpapi.Management(httpapi.Config{Store: newStore(), Secrets: newSecrets(), Log: log})}
	gw.add("api", apigw.NewHandler(httpapi.Handler(log, apigw.Authenticator{}, apiRoutes...)), apiRoutes...)
	// functions/intake (its API Gateway trigger)
	intakeRoutes := httpapi.Intake(httpapi.IntakeConfig{Intake: intake.NewService(newStore(), 0, nil), Metrics: em, Log: log})
	gw.add("intake", apigw.NewHandler(httpapi.Handler(log, apigw.Authenticator{}, intakeRoutes)), intakeRoutes)
	// functions/render
	renderRoutes := httpapi.Render(httpapi.RenderConfig{Store: newStore(), Renderer: render.NewRenderer(render.Tools(nil, nil), velocity.Limits{}), Log: log})
	gw.add("render", apigw.NewHandler(httpapi.Handler(log, apigw.Authenticator{}, renderRoutes)), renderRoutes)
	// functions/execute
	hc, err := egress.NewClient(eg)
	if err != nil {
		t.Fatal(err)
	}
	st := newStore()
	snd := send.New(send.Config{Store: st, Secrets: newSecrets(), Delivery: delivery.New(hc, delivery.Options{}),
		Tools: render.Tools(nil, nil), Metrics: em, Log: log})
	exec := workflow.NewExecutor(workflow.ExecutorConfig{Store: st, Caller: snd,
		Renderer: render.NewRenderer(render.Tools(nil, nil), velocity.Limits{}), Metrics: em, Log: log})

	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tables.Runs)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(desc.Table.LatestStreamArn)
	if arn == "" {
		t.Fatalf("the runs table %s has no stream", tables.Runs)
	}
	filter, err := parseFilter(dynamo.RunStreamFilter)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return &motoWorld{
		c:       &client{base: srv.URL, admin: tokens.Admin, ingest: tokens.Ingest, http: srv.Client()},
		logs:    logs,
		stream:  &streamReader{c: dynamodbstreams.NewFromConfig(cfg), arn: arn, last: map[string]string{}},
		filter:  filter,
		execute: apigw.NewStreamHandler(exec, log, 4),
	}
}

func (w *motoWorld) client() *client { return w.c }
func (w *motoWorld) output() string  { return w.logs.String() }

// deliver reads the runs table's stream, keeps what the event filter lets through —
// which must be exactly the INSERTs of runIDs, each once — and invokes the execute
// handler with it. The writes of the execution (steps, status changes) must then start
// nothing more.
func (w *motoWorld) deliver(t *testing.T, runIDs []string) {
	t.Helper()
	w.last = w.batch(t)
	var got []string
	for _, r := range w.last.Records {
		got = append(got, apigw.RunID(r))
	}
	want := append([]string(nil), runIDs...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("the stream records passing the filter start runs %q, want %q", got, want)
	}
	w.invoke(t, w.last)
	if again := w.batch(t); len(again.Records) > 0 {
		t.Errorf("the execution's own writes passed the stream filter: %d records, the first for run %s",
			len(again.Records), apigw.RunID(again.Records[0]))
	}
}

func (w *motoWorld) redeliver(t *testing.T) {
	t.Helper()
	w.invoke(t, w.last)
}

// batch is the Lambda event of the records written since the last read that pass the
// filter.
func (w *motoWorld) batch(t *testing.T) events.DynamoDBEvent {
	t.Helper()
	recs, err := w.stream.read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return lambdaEvent(t, recs, w.stream.arn, w.filter)
}

// invoke runs the execute handler on e as Lambda does (the Lambda context, the
// function's deadline) and fails t on any batch item failure.
func (w *motoWorld) invoke(t *testing.T, e events.DynamoDBEvent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), motoFunctionDeadline)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "stream-" + e.Records[0].EventID})
	resp, err := w.execute.Handle(ctx, e)
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	if len(resp.BatchItemFailures) > 0 {
		t.Fatalf("execute reported batch item failures %v; output:\n%s", resp.BatchItemFailures, tail(w.output(), 20))
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
