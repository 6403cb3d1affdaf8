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
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/flowhook/flowhook/functions/internal/wire"
	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/workflow"
)

// workers is how many runs of a batch execute at once.
const workers = 4

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
	sec, err := wire.Secrets(cfg)
	if err != nil {
		log.Fatal(err)
	}
	logger := wire.Logger()
	em := metrics.New(os.Stdout, nil)
	snd, err := wire.Sender(st, sec, em, logger)
	if err != nil {
		log.Fatal(err)
	}
	exec := workflow.NewExecutor(workflow.ExecutorConfig{Store: st, Caller: snd, Renderer: wire.Renderer(), Metrics: em, Log: logger})
	lambda.Start(apigw.NewStreamHandler(exec, logger, workers).Handle)
}
