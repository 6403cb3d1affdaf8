// Command render is the Lambda function behind POST /render: it renders a message
// template with a contact, an event and earlier webhook responses, so a marketer can
// preview a message before using it in a workflow.
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
	ctx := context.Background()
	cfg, err := wire.AWS(ctx)
	if err != nil {
		log.Fatal(err)
	}
	st, err := wire.Store(cfg)
	if err != nil {
		log.Fatal(err)
	}
	logger := wire.Logger()
	h := httpapi.Handler(logger, apigw.Authenticator{},
		httpapi.Render(httpapi.RenderConfig{Store: st, Renderer: wire.Renderer(), Log: logger}))
	lambda.Start(apigw.NewHandler(h))
}
