// Command intake is the event intake Lambda function. It has two triggers: API Gateway
// (POST /events, scope ingest) and an EventBridge rule on Flowhook's bus, whose events'
// detail-type is the event type and detail the params. Both go through the same code:
// validate, store (idempotent on the Idempotency-Key or the EventBridge event id),
// resolve the contact, queue one run per triggered workflow.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/flowhook/flowhook/functions/internal/wire"
	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/httpapi"
	"github.com/flowhook/flowhook/shared/intake"
)

func main() {
	d, err := wire.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	svc := intake.NewService(d.Store, d.Retention, nil)
	h := httpapi.Handler(d.Log, apigw.Authenticator{},
		httpapi.Intake(httpapi.IntakeConfig{Intake: svc, Metrics: d.Metrics, Log: d.Log}))
	lambda.Start(newHandler(apigw.NewHandler(h), svc, d.Metrics, d.Log).handle)
}
