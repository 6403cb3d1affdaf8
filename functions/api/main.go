// Command api is the management API Lambda function behind API Gateway (HTTP API,
// payload 2.0): webhooks, connectors, contacts, segments, workflows, runs and received
// events. The Lambda authorizer in front of it grants each request a scope; the handlers
// check it per route. Configuration: see functions/internal/wire.
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
	h := httpapi.Handler(d.Log, apigw.Authenticator{},
		[]httpapi.Route{httpapi.Health()},
		httpapi.Management(httpapi.Config{Store: d.Store, Secrets: d.Secrets, Log: d.Log}),
	)
	lambda.Start(apigw.NewHandler(h))
}
