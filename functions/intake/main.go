// Command intake is the event intake Lambda function. It has two triggers: API Gateway
// (POST /events, scope ingest) and an EventBridge rule on Flowhook's bus, whose events'
// detail-type is the event type and detail the params. Both go through the same code:
// validate, store (idempotent on the Idempotency-Key or the EventBridge event id),
// resolve the contact, queue one run per triggered workflow.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/flowhook/flowhook/functions/internal/wire"
	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/httpapi"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/metrics"
)

func main() {
	ctx := context.Background()
	cfg, err := wire.AWS(ctx)
	if err != nil {
		log.Fatal(err)
	}
	st, err := wire.Store(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ret, err := wire.Retention()
	if err != nil {
		log.Fatal(err)
	}
	logger := wire.Logger()
	em := metrics.New(os.Stdout, nil)
	svc := intake.NewService(st, ret, nil)
	h := httpapi.Handler(logger, apigw.Authenticator{},
		httpapi.Intake(httpapi.IntakeConfig{Intake: svc, Metrics: em, Log: logger}))
	lambda.Start(newHandler(apigw.NewHandler(h), svc, em, logger).handle)
}
