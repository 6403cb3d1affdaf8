// Command hello is the cold-start baseline of the load benchmark: the smallest
// aws-lambda-go function, built and started under the runtime interface emulator exactly
// as Flowhook's functions are, so the ratio of a function's cold start to this one's is
// what the function's own initialisation costs. It is not a function of the product.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, in json.RawMessage) (map[string]string, error) {
		return map[string]string{"message": "hello"}, nil
	})
}
