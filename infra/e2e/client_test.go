package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// client calls the Flowhook API over HTTP with a scope's bearer token, as a user's
// script (or curl) would.
type client struct {
	base          string
	admin, ingest string
	http          *http.Client
}

// response is an API answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends method path with token and, when body is not nil, its JSON, plus extra
// headers; it fails t on a transport error.
func (c *client) call(t testing.TB, method, path, token string, body any, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("%s %s: encode body: %v", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, c.base+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read response: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails t unless r has status code; it returns the body decoded into out (when
// not nil).
func (r response) want(t testing.TB, what string, code int, out any) {
	t.Helper()
	if r.status != code {
		t.Fatalf("%s: status %d, body %s; want status %d", what, r.status, r.body, code)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s: decode %s: %v", what, r.body, err)
		}
	}
}

// adminCall is call with the admin token.
func (c *client) adminCall(t testing.TB, method, path string, body any) response {
	t.Helper()
	return c.call(t, method, path, c.admin, body, nil)
}

// created posts body to path with the admin token, wants 201 and returns the new id.
func (c *client) created(t testing.TB, path string, body any) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	c.adminCall(t, http.MethodPost, path, body).want(t, "POST "+path, http.StatusCreated, &out)
	if out.ID == "" {
		t.Fatalf("POST %s: the answer has no id", path)
	}
	return out.ID
}

// accepted is the answer to POST /events.
type accepted struct {
	EventID string   `json:"eventId"`
	RunIDs  []string `json:"runIds"`
}

// postEvent posts an event with the ingest token and the Idempotency-Key key; it wants
// 202 and returns the answer and whether the server says it replayed an earlier one.
func (c *client) postEvent(t testing.TB, event any, key string) (accepted, bool) {
	t.Helper()
	r := c.call(t, http.MethodPost, "/events", c.ingest, event, map[string]string{"Idempotency-Key": key})
	var out accepted
	r.want(t, "POST /events", http.StatusAccepted, &out)
	return out, r.header.Get("Idempotent-Replayed") == "true"
}

// runDoc is GET /runs/{id}: the start history, decoded as a user's client would.
type runDoc struct {
	ID         string     `json:"id"`
	WorkflowID string     `json:"workflowId"`
	EventID    string     `json:"eventId"`
	ContactID  string     `json:"contactId"`
	Status     string     `json:"status"`
	FailedStep string     `json:"failedStep"`
	Reason     string     `json:"reason"`
	FinishedAt *time.Time `json:"finishedAt"`
	Steps      []stepDoc  `json:"steps"`
}

type stepDoc struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Status         string          `json:"status"`
	WebhookName    string          `json:"webhookName"`
	WebhookVersion int64           `json:"webhookVersion"`
	Request        *requestDoc     `json:"request"`
	Attempts       []attemptDoc    `json:"attempts"`
	Data           json.RawMessage `json:"data"`
	Branch         string          `json:"branch"`
	Message        *messageDoc     `json:"message"`
	Error          string          `json:"error"`
	StartedAt      time.Time       `json:"startedAt"`
	FinishedAt     time.Time       `json:"finishedAt"`
}

type requestDoc struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type attemptDoc struct {
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	Truncated  bool              `json:"truncated"`
	ErrorClass string            `json:"errorClass"`
	Error      string            `json:"error"`
}

type messageDoc struct {
	Channel string `json:"channel"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// run reads GET /runs/{id} and returns it decoded and as sent.
func (c *client) run(t testing.TB, id string) (runDoc, []byte) {
	t.Helper()
	var d runDoc
	r := c.adminCall(t, http.MethodGet, "/runs/"+id, nil)
	r.want(t, "GET /runs/"+id, http.StatusOK, &d)
	return d, r.body
}

// finished reports whether a run status is final.
func finished(status string) bool {
	return status == "succeeded" || status == "failed" || status == "stopped"
}
