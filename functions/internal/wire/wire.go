// Package wire builds what the Lambda functions share from their environment: the AWS
// configuration (honouring AWS_ENDPOINT_URL, which is how tests point a function under
// the runtime emulator at moto_server), the DynamoDB store, the connector secret store,
// the logger, and retention. Only functions/* import it; it keeps their mains to wiring.
package wire

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/send"
	"github.com/flowhook/flowhook/shared/store/dynamo"
	"github.com/flowhook/flowhook/shared/velocity"
)

// Environment variables the functions read (template.yaml sets them).
const (
	EnvSecretsPrefix = "FLOWHOOK_SECRETS_PREFIX"
	EnvRetentionDays = "FLOWHOOK_RETENTION_DAYS"
)

// AWS loads the SDK configuration once per cold start.
func AWS(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}

// Store returns the DynamoDB store on the tables named by FLOWHOOK_TABLE_*.
func Store(cfg aws.Config) (*dynamo.Store, error) {
	tables, err := dynamo.TablesFromEnv()
	if err != nil {
		return nil, err
	}
	ret, err := Retention()
	if err != nil {
		return nil, err
	}
	return dynamo.New(dynamodb.NewFromConfig(cfg), tables, dynamo.Options{EventRetention: ret})
}

// Secrets returns the connector secret store under FLOWHOOK_SECRETS_PREFIX.
func Secrets(cfg aws.Config) (*secrets.Manager, error) {
	prefix := os.Getenv(EnvSecretsPrefix)
	if prefix == "" {
		return nil, fmt.Errorf("%s is not set: name the prefix of the connector secrets, e.g. flowhook/connectors/", EnvSecretsPrefix)
	}
	return secrets.NewManager(secretsmanager.NewFromConfig(cfg), prefix, secrets.Options{})
}

// Retention is how long events and runs are kept (FLOWHOOK_RETENTION_DAYS, default 30).
func Retention() (time.Duration, error) {
	v := os.Getenv(EnvRetentionDays)
	if v == "" {
		return 30 * 24 * time.Hour, nil
	}
	d, err := strconv.Atoi(v)
	if err != nil || d < 1 {
		return 0, fmt.Errorf("%s=%q: want a whole number of days, at least 1", EnvRetentionDays, v)
	}
	return time.Duration(d) * 24 * time.Hour, nil
}

// Logger is the JSON logger every function uses: it adds the Lambda request id to each
// line logged with a request's context.
func Logger() *slog.Logger { return lambdacontext.NewLogger() }

// Sender returns the webhook sender: the egress client from the environment
// (FLOWHOOK_EGRESS_ALLOW_CIDRS and FLOWHOOK_EXTRA_CA_FILE, which let the local runner and
// the tests reach a local TLS server; nothing sets them in AWS), delivery with its
// production policy, and the standard tools.
func Sender(st send.Store, sec send.Secrets, em *metrics.Writer, log *slog.Logger) (*send.Sender, error) {
	ecfg, err := egress.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	client, err := egress.NewClient(ecfg)
	if err != nil {
		return nil, err
	}
	return send.New(send.Config{Store: st, Secrets: sec, Delivery: delivery.New(client, delivery.Options{}),
		Tools: render.Tools(nil, nil), Metrics: em, Log: log}), nil
}

// Renderer returns the message renderer with the standard tools (in UTC, the contact's
// TIMEZONE for formatInContactTimezone) and the engine's default limits.
func Renderer() *render.Renderer {
	return render.NewRenderer(render.Tools(nil, nil), velocity.Limits{})
}
