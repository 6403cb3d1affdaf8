// Command authorizer is the API Gateway HTTP API Lambda authorizer (payload format 2.0,
// simple responses): it checks the bearer token of every API request but GET /healthz
// against the token hashes in a Secrets Manager secret and the scope the route needs.
// The decision logic is in shared/auth; this package adapts it to Lambda.
//
// Environment:
//
//	FLOWHOOK_TOKENS_SECRET     name or ARN of the secret holding {"admin": [...], "ingest": [...]} (required)
//	FLOWHOOK_TOKENS_CACHE_TTL  how long the secret is served from memory, a Go duration (default 5m)
//	AWS_ENDPOINT_URL           the SDK's standard endpoint override (tests point it at moto_server)
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/shared/secrets"
)

func main() {
	env, err := loadEnv(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	cache, err := secrets.NewCache(secretsmanager.NewFromConfig(cfg), secrets.CacheOptions{TTL: env.cacheTTL})
	if err != nil {
		log.Fatal(err)
	}
	h, err := newHandler(cache, env.tokensSecret, lambdacontext.NewLogger())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.handle)
}

// environment is the function's configuration.
type environment struct {
	tokensSecret string
	cacheTTL     time.Duration
}

func loadEnv(getenv func(string) string) (environment, error) {
	e := environment{tokensSecret: getenv("FLOWHOOK_TOKENS_SECRET"), cacheTTL: secrets.DefaultTTL}
	if e.tokensSecret == "" {
		return environment{}, fmt.Errorf("FLOWHOOK_TOKENS_SECRET is not set: name the Secrets Manager secret holding the API token hashes")
	}
	if v := getenv("FLOWHOOK_TOKENS_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return environment{}, fmt.Errorf("FLOWHOOK_TOKENS_CACHE_TTL=%q: want a positive Go duration such as 5m", v)
		}
		e.cacheTTL = d
	}
	return e, nil
}
