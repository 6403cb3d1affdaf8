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

// Deps are what the functions share, built once per cold start.
type Deps struct {
	// Store is the DynamoDB store on the tables named by FLOWHOOK_TABLE_*.
	Store *dynamo.Store
	// Secrets is the connector secret store under FLOWHOOK_SECRETS_PREFIX.
	Secrets *secrets.Manager
	// Log is the JSON logger that adds the Lambda request id to each line logged with
	// a request's context.
	Log *slog.Logger
	// Metrics writes EMF lines to stdout, which CloudWatch Logs turns into metrics.
	Metrics *metrics.Writer
	// Retention is how long events and runs are kept (FLOWHOOK_RETENTION_DAYS, default 30).
	Retention time.Duration
}

// Load reads the environment and builds Deps: the AWS configuration (the SDK's
// defaults, so AWS_ENDPOINT_URL is honoured), the store, the secret store, the logger and
// the metrics writer. Its errors name the variable to set.
func Load(ctx context.Context) (*Deps, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	ret, err := retention()
	if err != nil {
		return nil, err
	}
	tables, err := dynamo.TablesFromEnv()
	if err != nil {
		return nil, err
	}
	st, err := dynamo.New(dynamodb.NewFromConfig(cfg), tables, dynamo.Options{EventRetention: ret})
	if err != nil {
		return nil, err
	}
	prefix := os.Getenv(EnvSecretsPrefix)
	if prefix == "" {
		return nil, fmt.Errorf("%s is not set: name the prefix of the connector secrets, e.g. flowhook/connectors/", EnvSecretsPrefix)
	}
	sec, err := secrets.NewManager(secretsmanager.NewFromConfig(cfg), prefix, secrets.Options{})
	if err != nil {
		return nil, err
	}
	return &Deps{Store: st, Secrets: sec, Log: lambdacontext.NewLogger(), Metrics: metrics.New(os.Stdout, nil), Retention: ret}, nil
}

// retention reads FLOWHOOK_RETENTION_DAYS (default 30).
func retention() (time.Duration, error) {
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

// Sender returns the webhook sender: the egress guard (FLOWHOOK_EGRESS_ALLOW_CIDRS and
// FLOWHOOK_EXTRA_CA_FILE are never set in AWS), delivery, the standard tools.
func (d *Deps) Sender() (*send.Sender, error) {
	ecfg, err := egress.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	client, err := egress.NewClient(ecfg)
	if err != nil {
		return nil, err
	}
	return send.New(send.Config{Store: d.Store, Secrets: d.Secrets, Delivery: delivery.New(client, delivery.Options{}),
		Tools: render.Tools(nil, nil), Metrics: d.Metrics, Log: d.Log}), nil
}

// Renderer returns the message renderer with the standard tools (in UTC, the contact's
// TIMEZONE for formatInContactTimezone) and the engine's default limits.
func Renderer() *render.Renderer {
	return render.NewRenderer(render.Tools(nil, nil), velocity.Limits{})
}
