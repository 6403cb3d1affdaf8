// Command execute is the Lambda function the runs table's DynamoDB stream triggers
// (filtered to INSERTs of queued run headers, with ReportBatchItemFailures, bisect on
// error and an SQS on-failure destination). It walks each run's workflow: webhook steps
// through the egress guard and delivery with their retry policy under the Lambda
// deadline, condition steps, and message steps rendered with the run's context, recording
// every step as it completes so a redelivered record resumes where the run stopped.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/flowhook/flowhook/functions/internal/wire"
	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/workflow"
)

// workers is how many runs of a batch execute at once.
const workers = 4

func main() {
	d, err := wire.Load(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	snd, err := d.Sender()
	if err != nil {
		log.Fatal(err)
	}
	exec := workflow.NewExecutor(workflow.ExecutorConfig{Store: d.Store, Caller: snd, Renderer: wire.Renderer(), Metrics: d.Metrics, Log: d.Log})
	lambda.Start(apigw.NewStreamHandler(exec, d.Log, workers).Handle)
}
