package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/infra/moto"
)

// TestMain starts one moto_server for the package (or reuses FLOWHOOK_MOTO_ENDPOINT),
// except when fuzzing: the fuzz target needs no AWS.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run())
	}
	os.Exit(moto.Main(m))
}

// The story every scenario tells: Ann of Kyiv orders; the workflow asks the partner for
// a promo code by city (webhook WH5, bearer auth) and writes her a message with it.
const (
	annEmail = "ann@example.com"
	// bodyTemplate is WH5's JSON body; the request must carry it rendered, literal text
	// unchanged.
	bodyTemplate = `{"city": "${TOWN}", "email": "${email}"}`
	sentBody     = `{"city": "Kyiv", "email": "ann@example.com"}`
	promoCode    = "SPRING-7Q2X"
	messageBody  = "Your code: $data.get('WH5').get('promocode')"
	idemKey      = "order-A-17"
)

var orderEvent = map[string]any{
	"eventTypeKey": "order_created", "keyValue": annEmail,
	"params": []map[string]any{{"name": "email", "value": annEmail}, {"name": "orderId", "value": "A-17"}},
}

// secretToken returns a bearer token no output can hold by chance.
func secretToken(t testing.TB) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "fh-e2e-token-" + hex.EncodeToString(b[:])
}

// Replies of the partner's endpoint.
func jsonReply(status int, body string) reply {
	return reply{status: status, header: map[string]string{"Content-Type": "application/json"}, body: body}
}

func always(r reply) func(int) reply { return func(int) reply { return r } }

var (
	codeReply = jsonReply(http.StatusOK, `{"promocode":"`+promoCode+`"}`)
	// busyReply asks for the retry at once, so the scenario takes no backoff time.
	busyReply = reply{status: http.StatusServiceUnavailable, body: `{"error":"busy"}`,
		header: map[string]string{"Content-Type": "application/json", "Retry-After": "0"}}
)

// messageStep is a message step rendering body.
func messageStep(id, body string) map[string]any {
	return map[string]any{"id": id, "type": "message", "channel": "email", "subject": "For you", "body": body}
}

// tierCondition branches on the WH5 response: VIP code or the regular message.
var tierCondition = map[string]any{
	"id": "vip", "type": "condition", "variable": "WH5", "pattern": `"tier":"vip"`,
	"then": []any{messageStep("m1", "VIP code: $data.get('WH5').get('promocode')")},
	"else": []any{messageStep("m2", messageBody)},
}

// scenario is one workflow story; its webhook step "wh" calls WH5 at the endpoint.
type scenario struct {
	name    string
	respond func(n int) reply // the endpoint's answer to the n-th attempt
	// maxAttempts is WH5's retry.maxAttempts (0: the default, 1 for a POST).
	maxAttempts int
	onFailure   string // WH5's onFailure (default stop)
	steps       []any  // the steps after "wh"
	// postTwice posts the event a second time with the same Idempotency-Key.
	postTwice bool
	want      outcome
}

// outcome is what a user reads in the start history.
type outcome struct {
	Status     string
	FailedStep string
	// Steps are "id status" (plus " branch" for conditions) in recorded order.
	Steps []string
	// Attempts are the webhook step's attempts as "status class" (class "-" for none).
	Attempts []string
	// Messages are the rendered message bodies by step id.
	Messages map[string]string
	// Data is the webhook step's saved data as JSON ("" for none).
	Data string
}

var scenarios = []scenario{
	{
		name:    "promo code",
		respond: always(codeReply),
		steps:   []any{messageStep("m", messageBody)},
		want: outcome{Status: "succeeded", Steps: []string{"wh succeeded", "m succeeded"}, Attempts: []string{"200 -"},
			Messages: map[string]string{"m": "Your code: " + promoCode}, Data: `{"promocode":"` + promoCode + `"}`},
	},
	{
		name:      "same event posted twice",
		respond:   always(codeReply),
		steps:     []any{messageStep("m", messageBody)},
		postTwice: true,
		want: outcome{Status: "succeeded", Steps: []string{"wh succeeded", "m succeeded"}, Attempts: []string{"200 -"},
			Messages: map[string]string{"m": "Your code: " + promoCode}, Data: `{"promocode":"` + promoCode + `"}`},
	},
	{
		name: "503 then 200 is retried",
		respond: func(n int) reply {
			if n == 1 {
				return busyReply
			}
			return codeReply
		},
		maxAttempts: 3,
		steps:       []any{messageStep("m", messageBody)},
		want: outcome{Status: "succeeded", Steps: []string{"wh succeeded", "m succeeded"}, Attempts: []string{"503 http_5xx", "200 -"},
			Messages: map[string]string{"m": "Your code: " + promoCode}, Data: `{"promocode":"` + promoCode + `"}`},
	},
	{
		name:      "failing endpoint stops the run",
		respond:   always(jsonReply(http.StatusUnprocessableEntity, `{"error":"unknown city"}`)),
		onFailure: "stop",
		steps:     []any{messageStep("m", messageBody)},
		want: outcome{Status: "failed", FailedStep: "wh", Steps: []string{"wh failed"}, Attempts: []string{"422 http_4xx"},
			Messages: map[string]string{}},
	},
	{
		name:        "failing endpoint with continue renders the fallback",
		respond:     always(busyReply),
		maxAttempts: 2,
		onFailure:   "continue",
		steps:       []any{messageStep("m", "#if($data.get('WH5'))Your code: $data.get('WH5').get('promocode')#{else}No code today#end")},
		want: outcome{Status: "succeeded", Steps: []string{"wh failed", "m succeeded"}, Attempts: []string{"503 http_5xx", "503 http_5xx"},
			Messages: map[string]string{"m": "No code today"}},
	},
	{
		name:    "condition on the response takes then",
		respond: always(jsonReply(http.StatusOK, `{"promocode":"VIP-1","tier":"vip"}`)),
		steps:   []any{tierCondition},
		want: outcome{Status: "succeeded", Steps: []string{"wh succeeded", "vip succeeded then", "m1 succeeded"}, Attempts: []string{"200 -"},
			Messages: map[string]string{"m1": "VIP code: VIP-1"}, Data: `{"promocode":"VIP-1","tier":"vip"}`},
	},
	{
		name:    "condition on the response takes else",
		respond: always(jsonReply(http.StatusOK, `{"promocode":"`+promoCode+`","tier":"regular"}`)),
		steps:   []any{tierCondition},
		want: outcome{Status: "succeeded", Steps: []string{"wh succeeded", "vip succeeded else", "m2 succeeded"}, Attempts: []string{"200 -"},
			Messages: map[string]string{"m2": "Your code: " + promoCode}, Data: `{"promocode":"` + promoCode + `","tier":"regular"}`},
	},
}

// TestScenarios runs every scenario on both stores: define everything through the API,
// post the event, let the run execute, read the start history, check what the
// endpoint received, then deliver the run once more and check that nothing changed.
func TestScenarios(t *testing.T) {
	for _, setup := range setups {
		t.Run(setup.name, func(t *testing.T) {
			t.Parallel()
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					token := secretToken(t)
					ep := newEndpoint(t, token, sc.respond)
					w := setup.open(t, ep.egressConfig())
					runScenario(t, w, ep, token, sc)
				})
			}
		})
	}
}

// definitions are the ids of what a scenario defined.
type definitions struct {
	contact, connector, webhook, workflow string
}

// define creates Ann, the bearer connector, WH5 and the workflow through the API.
func define(t *testing.T, c *client, ep *endpoint, token string, sc scenario) definitions {
	t.Helper()
	var d definitions
	d.contact = c.created(t, "/contacts", map[string]any{
		"email": annEmail, "phone": "+380501234567",
		"fields": map[string]any{"FIRSTNAME": "Ann", "TOWN": "Kyiv"},
	})
	d.connector = c.created(t, "/connectors", map[string]any{"name": "crm", "type": "bearer", "token": token})
	onFailure := sc.onFailure
	if onFailure == "" {
		onFailure = "stop"
	}
	wh := map[string]any{
		"name": "WH5", "description": "promo code by city", "method": "POST",
		"url":       ep.URL() + "/codes?email=${email}",
		"params":    []map[string]string{{"name": "city", "value": "${TOWN}"}},
		"headers":   []map[string]string{{"name": "X-Source", "value": "flowhook"}},
		"auth":      map[string]string{"connectorId": d.connector},
		"body":      map[string]string{"format": "json", "template": bodyTemplate},
		"timeoutMs": 5000, "onFailure": onFailure,
	}
	if sc.maxAttempts > 0 {
		wh["retry"] = map[string]int{"maxAttempts": sc.maxAttempts}
	}
	d.webhook = c.created(t, "/webhooks", wh)
	steps := append([]any{map[string]any{"id": "wh", "type": "webhook", "webhookId": d.webhook,
		"contact": map[string]string{"email": "${email}"}}}, sc.steps...)
	d.workflow = c.created(t, "/workflows", map[string]any{
		"name": "promo on order", "enabled": true, "trigger": map[string]string{"eventType": "order_created"}, "steps": steps,
	})
	return d
}

func runScenario(t *testing.T, w world, ep *endpoint, token string, sc scenario) {
	c := w.client()
	d := define(t, c, ep, token, sc)
	acc, replayed := c.postEvent(t, orderEvent, idemKey)
	if replayed {
		t.Errorf("the first POST /events was answered as a replay")
	}
	if len(acc.RunIDs) != 1 || acc.EventID == "" {
		t.Fatalf("POST /events answered %+v; want an event id and one run", acc)
	}
	if sc.postTwice {
		again, replayed := c.postEvent(t, orderEvent, idemKey)
		if !replayed || !reflect.DeepEqual(again, acc) {
			t.Errorf("the same event again: %+v (replayed %v); want %+v, replayed", again, replayed, acc)
		}
	}
	runID := acc.RunIDs[0]
	w.deliver(t, acc.RunIDs)

	run, raw := c.run(t, runID)
	if run.ID != runID || run.WorkflowID != d.workflow || run.EventID != acc.EventID || run.ContactID != d.contact {
		t.Errorf("run names id %s, workflow %s, event %s, contact %s; want %s, %s, %s, %s",
			run.ID, run.WorkflowID, run.EventID, run.ContactID, runID, d.workflow, acc.EventID, d.contact)
	}
	if got := summarize(t, run); !reflect.DeepEqual(got, sc.want) {
		t.Errorf("start history:\n got %+v\nwant %+v\n%s", got, sc.want, raw)
	}
	if run.FinishedAt == nil {
		t.Errorf("the finished run has no finishedAt")
	}
	for _, s := range run.Steps {
		if s.StartedAt.IsZero() || s.FinishedAt.Before(s.StartedAt) {
			t.Errorf("step %s records startedAt %s, finishedAt %s; want both, in order", s.ID, s.StartedAt, s.FinishedAt)
		}
	}
	if run.Status == "failed" && run.Reason == "" {
		t.Errorf("the failed run gives no reason")
	}
	checkWebhookStep(t, run, ep, sc)
	checkReceived(t, ep.received(), token, runID, len(sc.want.Attempts))

	// A redelivered record (or a restarted dispatcher) must send nothing again and
	// leave the history as it was.
	w.redeliver(t)
	if n := len(ep.received()); n != len(sc.want.Attempts) {
		t.Errorf("after redelivery the endpoint has %d requests, want still %d", n, len(sc.want.Attempts))
	}
	_, again := c.run(t, runID)
	if !jsonEqual(t, again, raw) {
		t.Errorf("redelivery changed the start history:\n got %s\nwant %s", again, raw)
	}
	checkNoSecret(t, c, w, d, token, raw)
}

// summarize reduces a start history to an outcome.
func summarize(t *testing.T, run runDoc) outcome {
	o := outcome{Status: run.Status, FailedStep: run.FailedStep, Messages: map[string]string{}}
	for _, s := range run.Steps {
		line := s.ID + " " + s.Status
		if s.Branch != "" {
			line += " " + s.Branch
		}
		o.Steps = append(o.Steps, line)
		if s.Message != nil {
			o.Messages[s.ID] = s.Message.Body
		}
		if s.ID == "wh" {
			for _, a := range s.Attempts {
				class := a.ErrorClass
				if class == "" {
					class = "-"
				}
				o.Attempts = append(o.Attempts, fmt.Sprintf("%d %s", a.Status, class))
			}
			if len(s.Data) > 0 && string(s.Data) != "null" {
				o.Data = compactJSON(t, s.Data)
			}
		}
	}
	return o
}

// checkWebhookStep checks the recorded request of WH5 and what each attempt recorded.
func checkWebhookStep(t *testing.T, run runDoc, ep *endpoint, sc scenario) {
	t.Helper()
	if len(run.Steps) == 0 || run.Steps[0].ID != "wh" {
		t.Fatalf("the first recorded step is not wh: %+v", run.Steps)
	}
	s := run.Steps[0]
	if s.WebhookName != "WH5" || s.WebhookVersion < 1 {
		t.Errorf("webhook step records webhook %q version %d; want WH5, a version", s.WebhookName, s.WebhookVersion)
	}
	if s.Request == nil {
		t.Fatal("the webhook step records no request")
	}
	wantURL := ep.URL() + "/codes?email=ann%40example.com&city=Kyiv"
	if s.Request.Method != "POST" || s.Request.URL != wantURL || s.Request.Body != sentBody {
		t.Errorf("recorded request %s %s %s; want POST %s %s", s.Request.Method, s.Request.URL, s.Request.Body, wantURL, sentBody)
	}
	for name, want := range map[string]string{
		"Authorization":   "Bearer ********",
		"Idempotency-Key": run.ID + ":wh",
		"Content-Type":    "application/json",
		"X-Source":        "flowhook",
	} {
		if got := s.Request.Headers[name]; got != want {
			t.Errorf("recorded request header %s: %q, want %q", name, got, want)
		}
	}
	if ua := s.Request.Headers["User-Agent"]; !strings.HasPrefix(ua, "Flowhook/") {
		t.Errorf("recorded User-Agent %q, want Flowhook/<version>", ua)
	}
	for i, a := range s.Attempts {
		if want := sc.respond(i + 1).body; a.Body != want || a.Truncated {
			t.Errorf("attempt %d records body %q (truncated %v), want %q as sent", i+1, a.Body, a.Truncated, want)
		}
		if a.Headers["Content-Type"] != "application/json" {
			t.Errorf("attempt %d records response headers %v, want the Content-Type", i+1, a.Headers)
		}
		if a.ErrorClass != "" && a.Error == "" {
			t.Errorf("attempt %d failed (%s) without saying why", i+1, a.ErrorClass)
		}
	}
	if s.Status == "failed" && s.Error == "" {
		t.Errorf("the failed webhook step gives no error")
	}
}

// checkReceived checks what the endpoint got: attempts requests, each the rendered
// request with the real token and the run's idempotency key.
func checkReceived(t *testing.T, got []received, token, runID string, attempts int) {
	t.Helper()
	if len(got) != attempts {
		t.Errorf("the endpoint received %d requests, want %d (one per attempt)", len(got), attempts)
	}
	for i, r := range got {
		if r.Method != "POST" || r.Path != "/codes" || r.Query.Get("email") != annEmail || r.Query.Get("city") != "Kyiv" {
			t.Errorf("request %d: %s %s?%s; want POST /codes?email=%s&city=Kyiv", i+1, r.Method, r.Path, r.Query.Encode(), annEmail)
		}
		for name, want := range map[string]string{
			"Authorization":   "Bearer " + token,
			"Idempotency-Key": runID + ":wh",
			"Content-Type":    "application/json",
			"X-Source":        "flowhook",
		} {
			if got := r.Header.Get(name); got != want {
				t.Errorf("request %d header %s: %q, want %q", i+1, name, got, want)
			}
		}
		if !jsonEqual(t, r.Body, []byte(sentBody)) {
			t.Errorf("request %d body %s, want %s", i+1, r.Body, sentBody)
		}
	}
}

// checkNoSecret checks that the connector's token appears in no API answer about the
// run or the connector, and in no log line.
func checkNoSecret(t *testing.T, c *client, w world, d definitions, token string, run []byte) {
	t.Helper()
	if strings.Contains(string(run), token) {
		t.Errorf("GET /runs/{id} holds the connector's token")
	}
	conn := c.adminCall(t, http.MethodGet, "/connectors/"+d.connector, nil)
	var cj map[string]any
	conn.want(t, "GET /connectors/{id}", http.StatusOK, &cj)
	if strings.Contains(string(conn.body), token) || cj["token"] != "********" {
		t.Errorf("GET /connectors/{id} = %s; want the token masked", conn.body)
	}
	if i := strings.Index(w.output(), token); i >= 0 {
		t.Errorf("the log holds the connector's token")
	}
}

// jsonEqual compares two JSON texts parsed.
func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Errorf("not JSON: %s: %v", a, err)
		return false
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Errorf("not JSON: %s: %v", b, err)
		return false
	}
	return reflect.DeepEqual(x, y)
}

// compactJSON returns a JSON text with insignificant space removed.
func compactJSON(t testing.TB, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %s: %v", b, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
