// Command echo is a Lambda function in plain Go for the package's own tests: it speaks
// the Runtime API directly (no aws-lambda-go), answers each invocation with the payload,
// the request id and the variable ECHO_PROBE, logs one JSON line per invocation, fails
// an invocation whose payload is "fail", and exits during init when ECHO_EXIT is set.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	if os.Getenv("ECHO_EXIT") != "" {
		fmt.Println("echo: exiting during init as asked")
		os.Exit(3)
	}
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			fmt.Fprintln(os.Stderr, "echo: next:", err)
			os.Exit(1)
		}
		payload, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		line, _ := json.Marshal(map[string]string{"message": "echo", "requestId": id})
		fmt.Println(string(line))
		path, body := id+"/response", map[string]any{"payload": json.RawMessage(payload), "requestId": id, "probe": os.Getenv("ECHO_PROBE"), "home": os.Getenv("HOME")}
		if string(payload) == `"fail"` {
			path, body = id+"/error", map[string]any{"errorMessage": "asked to fail", "errorType": "EchoError"}
		}
		b, _ := json.Marshal(body)
		r, err := http.Post(api+path, "application/json", bytes.NewReader(b))
		if err != nil {
			fmt.Fprintln(os.Stderr, "echo: respond:", err)
			os.Exit(1)
		}
		r.Body.Close()
	}
}
