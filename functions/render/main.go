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
	d, err := wire.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	h := httpapi.Handler(d.Log, apigw.Authenticator{},
		httpapi.Render(httpapi.RenderConfig{Store: d.Store, Renderer: wire.Renderer(), Log: d.Log}))
	lambda.Start(apigw.NewHandler(h))
}
