// Package e2e holds Flowhook's end-to-end tests: a marketer's whole story driven through
// the HTTP API as a user would (a contact, a connector, a webhook, a workflow, an event
// posted to /events, the start history read back from /runs/{id}), with the webhook
// served by a local TLS server, on both stores:
//
//   - embedded: the local stack (infra/stack, the same wiring as `make run`) on a temporary
//     data directory, its dispatcher playing the runs stream's part;
//   - moto: the AWS wiring — each function's handler tree assembled as functions/*/main.go
//     assembles it, on DynamoDB tables and Secrets Manager secrets in moto_server, behind
//     an API Gateway stand-in that asks the authorizer logic and hands each request to the
//     function's Lambda handler as a payload 2.0 event; runs start from records read off
//     the runs table's stream in moto, filtered as Lambda's event filter would, and handed
//     to the execute function's stream handler (and handed again, to prove a redelivered
//     record sends nothing twice).
//
// The package has no non-test code; this file carries its documentation.
package e2e
