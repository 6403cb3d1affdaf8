// Package delivery sends a built webhook request and turns what happens into history:
// send through the egress guard, read the response through a limit, classify every
// failure, retry by policy within the deadline, decode the body by its Content-Type, and
// redact every secret by value from everything it returns. The test-request route and
// the workflow executor both use it.
//
// Usage:
//
//	client, err := egress.NewClient(cfg)
//	...
//	sender := delivery.New(client, delivery.Options{})
//	res := sender.SendWithRetry(ctx, delivery.Request{
//		Method:      "POST",
//		URL:         "https://promo.example.com/codes?email=ann%40example.com",
//		Header:      []webhook.Header{{Name: "User-Agent", Value: "Flowhook/1.0"}, {Name: "Authorization", Value: "Bearer " + token}},
//		Body:        body,
//		ContentType: "application/json",
//		Secrets:     []string{token},
//		Timeout:     5 * time.Second,
//	}, wh.Attempts())
//	step.Request, step.Attempts = &res.Request, res.Attempts
//	if !res.OK() {
//		// res.Class is the error class, res.Detail the sentence to show, res.Cause for the log.
//	}
//	step.Data = res.Data
//
// Send makes one attempt (the "Send test" button); SendWithRetry up to a number of
// attempts. The context's deadline minus Options.DeadlineMargin is the hard deadline:
// the first attempt's timeout is cut to fit it, and a retry starts only when, after its
// delay, a whole attempt still fits.
//
// # Error classes
//
//	blocked    the egress guard refused the URL, an address it resolved to, or a
//	           redirect (not https, a blocked address, more than egress.MaxRedirects
//	           hops); a URL that cannot be parsed. Final.
//	dns        the host name could not be resolved. Final when the name does not
//	           exist, else retried.
//	connect    refused, reset or closed connections, connect taking longer than
//	           egress.DialTimeout, a connection that broke while the body was read.
//	           Retried.
//	tls        handshake or certificate failures. Final.
//	timeout    the attempt's timeout (or the deadline) passed before the whole body
//	           arrived, including a slow body; a cancelled context. Retried.
//	http_4xx   a 4xx answer — retried only for 408 and 429 — and a 3xx the client did
//	           not follow (no usable Location, 304): the endpoint gave no answer and
//	           the webhook URL needs fixing, so it is final.
//	http_5xx   a 5xx answer; retried except 501.
//	too_large  the body is longer than the read limit (1 MiB). Final.
//	decode     a 2xx body that is not valid JSON or XML although its Content-Type says
//	           so. Final.
//	render     the built request itself is invalid (a header value with a line break,
//	           a bad method); nothing is sent.
//
// A retryable answer's Retry-After (seconds or an HTTP date) replaces the backoff; when
// it does not fit before the deadline, delivery stops and the detail says so.
//
// # Redaction
//
// Secrets are masked as Mask ("********") by value, everywhere they could echo: the
// URL, request and response headers, request and response bodies, the decoded data,
// attempt errors and the detail. Each secret is also matched percent-encoded,
// JSON-escaped, HTML/XML-escaped and base64-encoded, and a Basic credential whose
// "login:password" holds a secret is masked whole. Authorization and
// Proxy-Authorization request headers are always masked after the scheme word
// ("Bearer ********"). Secrets shorter than MinSecretLen are masked only where they are
// a whole header value or query parameter value, since masking every occurrence of
// two or three characters would destroy the history.
//
// # Recorded bodies
//
// Bodies kept in attempts (and the request record) are capped at
// webhook.MaxRecordedBody bytes on a rune boundary, with Truncated set on attempts.
// The final Response keeps the body up to the read limit, for the test route to show.
package delivery
