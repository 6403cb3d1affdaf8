// Command testrequest is the Lambda function behind the "Send test" routes,
// POST /webhooks/{id}/test and POST /webhooks/test (API Gateway HTTP API, payload 2.0):
// it builds a saved webhook's or a draft's request with a contact, an event and earlier
// responses, sends it once through the egress guard, and answers with what was sent and
// what came back, every secret masked. The Lambda authorizer in front of it grants each
// request a scope; the handlers check it. Configuration: see functions/internal/wire.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/flowhook/flowhook/functions/internal/wire"
	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/httpapi"
)

func main() {
	d, err := wire.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	snd, err := d.Sender()
	if err != nil {
		log.Fatal(err)
	}
	h := httpapi.Handler(d.Log, apigw.Authenticator{},
		httpapi.TestRequests(httpapi.TestRequestConfig{Store: d.Store, Sender: snd, Log: d.Log}))
	lambda.Start(apigw.NewHandler(h))
}
