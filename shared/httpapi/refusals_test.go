package httpapi

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/store"
)

// TestFieldRefusals: values a careless or hostile client sends that used to be stored
// (and failed later, or could not be addressed) are refused with the field and the fix,
// and nothing is stored.
func TestFieldRefusals(t *testing.T) {
	e := newEnv(t)
	checkRefusals(t, e, []refusal{
		{name: "webhook name with a line break", method: "POST", path: "/webhooks",
			body: `{"name": "a\nb", "method": "GET", "url": "https://a.example/x"}`, status: 400, pointer: "/name", detail: "control character"},
		{name: "webhook name with NUL", method: "POST", path: "/webhooks",
			body: `{"name": "a\u0000b", "method": "GET", "url": "https://a.example/x"}`, status: 400, pointer: "/name", detail: "control character"},
		{name: "webhook name over 200 characters", method: "POST", path: "/webhooks",
			body:   `{"name": "` + strings.Repeat("é", 201) + `", "method": "GET", "url": "https://a.example/x"}`,
			status: 400, pointer: "/name", detail: "201 characters long"},
		{name: "credentials in the URL", method: "POST", path: "/webhooks",
			body: `{"name": "a", "method": "GET", "url": "https://user:pa55word@a.example/x"}`, status: 400, pointer: "/url", detail: "basic connector",
			hidden: []string{"pa55word"}},
		{name: "credentials in a templated URL", method: "POST", path: "/webhooks",
			body: `{"name": "a", "method": "GET", "url": "https://${user}:${pass}@a.example/x"}`, status: 400, pointer: "/url", detail: "user name or password"},
		{name: "static Authorization header", method: "POST", path: "/webhooks",
			body:   `{"name": "a", "method": "GET", "url": "https://a.example/x", "headers": [{"name": "X-A", "value": "1"}, {"name": "authorization", "value": "Bearer s3cr3t-token"}]}`,
			status: 400, pointer: "/headers/1/name", detail: "put the credentials in a connector", hidden: []string{"s3cr3t"}},
		{name: "Proxy-Authorization as a header param", method: "POST", path: "/webhooks",
			body:   `{"name": "a", "method": "GET", "url": "https://a.example/x", "paramsInHeaders": true, "params": [{"name": "Proxy-Authorization", "value": "Basic eA=="}]}`,
			status: 400, pointer: "/params/0/name", detail: "carries credentials"},
		{name: "port out of range", method: "POST", path: "/webhooks",
			body: `{"name": "a", "method": "GET", "url": "https://a.example:99999/x"}`, status: 400, pointer: "/url", detail: "1 to 65535"},
		{name: "connector name with a tab", method: "POST", path: "/connectors",
			body: `{"name": "a\tb", "type": "bearer", "token": "s3cr3t-token"}`, status: 400, pointer: "/name", detail: "control character"},
		{name: "token with a control character", method: "POST", path: "/connectors",
			body: `{"name": "c", "type": "bearer", "token": "s3cr3t\u0001token"}`, status: 400, pointer: "/token", detail: "no HTTP header can carry",
			hidden: []string{"s3cr3t"}},
		{name: "password with NUL", method: "POST", path: "/connectors",
			body: `{"name": "c", "type": "basic", "login": "u", "password": "pa55\u0000word"}`, status: 400, pointer: "/password", detail: "control character",
			hidden: []string{"pa55"}},
		{name: "login with NUL", method: "POST", path: "/connectors",
			body: `{"name": "c", "type": "basic", "login": "a\u0000b", "password": "pa55word"}`, status: 400, pointer: "/login", detail: "control character"},
		{name: "phone of letters", method: "POST", path: "/contacts", body: `{"phone": "abcdefgh"}`, status: 400, pointer: "/phone", detail: "international format"},
		{name: "phone of 20 digits", method: "POST", path: "/contacts", body: `{"phone": "+12345678901234567890"}`, status: 400, pointer: "/phone", detail: "international format"},
		{name: "contact id with a slash in the body", method: "POST", path: "/contacts", body: `{"id": "a/b", "email": "a@example.com"}`,
			status: 400, pointer: "/id", detail: "cannot contain spaces, control characters or '/'"},
		{name: "contact id with a slash in the path", method: "PUT", path: "/contacts/a%2Fb", body: `{"email": "a@example.com"}`,
			status: 400, pointer: "/id", detail: "'/'"},
		{name: "contact id with NUL in the path", method: "PUT", path: "/contacts/a%00b", body: `{"email": "a@example.com"}`,
			status: 400, pointer: "/id", detail: "control characters"},
		{name: "contact id too long", method: "PUT", path: "/contacts/" + strings.Repeat("a", 129), body: `{"email": "a@example.com"}`,
			status: 400, pointer: "/id", detail: "at most 128"},
		{name: "segment with times", method: "POST", path: "/segments", body: `{"name": "s", "createdAt": "yesterday"}`,
			status: 400, pointer: "/createdAt", detail: "not known", hidden: []string{"2006-01-02", "parsing time"}},
		{name: "segment with an id", method: "POST", path: "/segments", body: `{"id": "s_1", "name": "s"}`, status: 400, pointer: "/id", detail: "not known"},
		{name: "segment name too long", method: "POST", path: "/segments", body: `{"name": "` + strings.Repeat("a", 201) + `"}`,
			status: 400, pointer: "/name", detail: "at most 200"},
		{name: "isSet with a value", method: "POST", path: "/segments", body: `{"name": "s", "rules": [{"field": "A", "op": "isSet", "value": "x"}]}`,
			status: 400, pointer: "/rules/0/value", detail: "compares no value"},
		{name: "too many rules", method: "POST", path: "/segments",
			body:   `{"name": "s", "rules": [` + strings.TrimSuffix(strings.Repeat(`{"field": "A", "op": "isSet"},`, 51), ",") + `]}`,
			status: 400, pointer: "/rules", detail: "at most 50 rules"},
	})
	for _, list := range []string{"/webhooks", "/connectors", "/contacts", "/segments"} {
		if r := e.admin("GET", list, nil); !strings.Contains(string(r.Body), `"items":[]`) {
			t.Errorf("GET %s: refused records were stored: %s", list, r.Body)
		}
	}
	// What the refusals forbid is still accepted in its right form.
	for _, ok := range []struct{ path, body string }{
		{"/webhooks", `{"name": "` + strings.Repeat("é", 200) + `", "method": "GET", "url": "https://a.example:8443/u/@me?e=a@b.c"}`},
		{"/connectors", `{"name": "Промо API", "type": "basic", "login": "u", "password": "pa55 word"}`},
		{"/contacts", `{"id": "crm:87420539", "phone": "+380 (50) 123-45-67"}`},
		{"/segments", `{"name": "kyiv", "rules": [{"field": "TOWN", "op": "equals", "value": "Kyiv"}, {"field": "A", "op": "isEmpty"}]}`},
	} {
		mustStatus(t, e.admin("POST", ok.path, ok.body), http.StatusCreated)
	}
}

// TestConnectorInUseRefusalHasNoPointer: a DELETE has no body, so its 409 points nowhere.
func TestConnectorInUseRefusalHasNoPointer(t *testing.T) {
	e := newEnv(t)
	c := e.admin("POST", "/connectors", `{"name": "c", "type": "bearer", "token": "s3cr3t-token"}`)
	mustStatus(t, c, http.StatusCreated)
	mustStatus(t, e.admin("POST", "/webhooks", `{"name": "WH5", "method": "GET", "url": "https://a.example/x", "auth": {"connectorId": "`+c.id(t)+`"}}`), http.StatusCreated)
	r := e.admin("DELETE", "/connectors/"+c.id(t), nil)
	checkProblem(t, r, http.StatusConflict, "", `used by active webhooks "WH5"`)
	if _, ok := r.json(t)["errors"]; ok {
		t.Errorf("the refusal of a DELETE points into a body: %s", r.Body)
	}
	mustStatus(t, e.admin("GET", "/connectors/"+c.id(t), nil), http.StatusOK)
}

// TestIfMatchForms: If-Match as RFC 9110 reads it — "*" matches any stored version and no
// missing record (412), a weak ETag never matches (412), a list or garbage is a 400 —
// and a refused update changes nothing.
func TestIfMatchForms(t *testing.T) {
	e := newEnv(t)
	w := e.admin("POST", "/webhooks", `{"name": "WH5", "method": "GET", "url": "https://a.example/x"}`)
	mustStatus(t, w, http.StatusCreated)
	f := e.admin("POST", "/workflows", `{"name": "f", "trigger": {"eventType": "x"}, "steps": [{"id": "m", "type": "message", "channel": "email", "body": "x"}]}`)
	mustStatus(t, f, http.StatusCreated)
	c := e.admin("POST", "/connectors", `{"name": "c", "type": "bearer", "token": "s3cr3t-token"}`)
	mustStatus(t, c, http.StatusCreated)
	mustStatus(t, e.admin("PUT", "/contacts/ann", `{"email": "ann@example.com"}`), http.StatusCreated)

	updates := []struct{ path, body string }{
		{"/webhooks/" + w.id(t), `{"name": "WH5", "method": "GET", "url": "https://a.example/changed"}`},
		{"/workflows/" + f.id(t), `{"name": "changed", "trigger": {"eventType": "x"}, "steps": [{"id": "m", "type": "message", "channel": "email", "body": "x"}]}`},
		{"/connectors/" + c.id(t), `{"name": "changed", "type": "bearer"}`},
		{"/contacts/ann", `{"email": "changed@example.com"}`},
	}
	for _, u := range updates {
		before := e.admin("GET", u.path, nil)
		checkRefusals(t, e, []refusal{
			{name: u.path + " weak", method: "PUT", path: u.path, body: u.body, headers: []string{"If-Match", `W/"1"`},
				status: http.StatusPreconditionFailed, pointer: "If-Match", detail: "without W/"},
			{name: u.path + " list", method: "PUT", path: u.path, body: u.body, headers: []string{"If-Match", `"1", "2"`},
				status: http.StatusBadRequest, pointer: "If-Match", detail: "ETag value returned by GET"},
			{name: u.path + " stale", method: "PUT", path: u.path, body: u.body, headers: []string{"If-Match", `"7"`},
				status: http.StatusConflict, detail: "changed since you read it"},
		})
		if after := e.admin("GET", u.path, nil); string(after.Body) != string(before.Body) {
			t.Errorf("%s: a refused update changed the record:\n got %s\nwant %s", u.path, after.Body, before.Body)
		}
		r := e.admin("PUT", u.path, u.body, "If-Match", "*")
		mustStatus(t, r, http.StatusOK)
		if r.json(t)["version"] != float64(2) {
			t.Errorf("%s with If-Match: * = %s, want version 2", u.path, r.Body)
		}
	}
	for _, path := range []string{"/webhooks/w_missing", "/workflows/f_missing", "/connectors/c_missing", "/contacts/missing"} {
		var body string
		for _, u := range updates {
			if strings.HasPrefix(path, u.path[:strings.LastIndex(u.path, "/")+1]) {
				body = u.body
			}
		}
		r := e.admin("PUT", path, body, "If-Match", "*")
		checkProblem(t, r, http.StatusPreconditionFailed, "If-Match", "Nothing exists to match *")
	}
	mustStatus(t, e.admin("GET", "/contacts/missing", nil), http.StatusNotFound)
}

// TestEventShapeRefusals: a malformed event — POST /events, or inline in a render or a
// test request — is refused like any other body: 415 for another media type, a pointer
// to the member, and no decoder internals (Go type names, "json: ...").
func TestEventShapeRefusals(t *testing.T) {
	e := newEnv(t)
	ingest := e.tokens.Ingest
	internals := []string{"intake.body", "Go value", "json:", "EOF"}
	mustStatus(t, e.admin("PUT", "/contacts/ann", `{"email": "ann@example.com"}`), http.StatusCreated)
	wh := e.admin("POST", "/webhooks", `{"name": "WH5", "method": "GET", "url": "https://a.example/x"}`)
	mustStatus(t, wh, http.StatusCreated)
	test := "/webhooks/" + wh.id(t) + "/test"
	checkRefusals(t, e, []refusal{
		{name: "events as text/plain", method: "POST", path: "/events", token: ingest, headers: []string{"Content-Type", "text/plain"},
			body: `{"eventTypeKey": "x", "params": {"email": "a@example.com"}}`, status: http.StatusUnsupportedMediaType, detail: "must be JSON"},
		{name: "events empty", method: "POST", path: "/events", token: ingest, body: " ", status: 400, detail: "empty", hidden: internals},
		{name: "events cut short", method: "POST", path: "/events", token: ingest, body: `{"eventTypeKey": `, status: 400, detail: "ends too early", hidden: internals},
		{name: "events array", method: "POST", path: "/events", token: ingest, body: `[1]`, status: 400, detail: "must be a JSON object", hidden: internals},
		{name: "events unknown member", method: "POST", path: "/events", token: ingest,
			body: `{"eventTypeKey": "x", "foo": 1, "params": {"email": "a@example.com"}}`, status: 400, pointer: "/foo", detail: "not known", hidden: internals},
		{name: "events type of the wrong JSON type", method: "POST", path: "/events", token: ingest,
			body: `{"eventTypeKey": 5, "params": {"email": "a@example.com"}}`, status: 400, pointer: "/eventTypeKey", detail: "Must be a string", hidden: internals},
		{name: "events repeated type", method: "POST", path: "/events", token: ingest,
			body: `{"eventTypeKey": "x", "eventTypeKey": "y", "params": {"email": "a@example.com"}}`, status: 400, pointer: "/eventTypeKey", detail: "more than once"},
		{name: "events invalid UTF-8", method: "POST", path: "/events", token: ingest,
			body: "{\"eventTypeKey\": \"x\xff\", \"params\": {\"email\": \"a@example.com\"}}", status: 400, detail: "not valid UTF-8"},
		{name: "render event array", method: "POST", path: "/render", body: `{"template": "x", "event": [1]}`,
			status: 400, pointer: "/event", detail: "Must be an object, not an array", hidden: internals},
		{name: "render event unknown member", method: "POST", path: "/render", body: `{"template": "x", "event": {"eventTypeKey": "x", "zz": 1}}`,
			status: 400, pointer: "/event/zz", detail: "not known", hidden: internals},
		{name: "test event string", method: "POST", path: test, body: `{"contactId": "ann", "event": "x"}`,
			status: 400, pointer: "/event", detail: "Must be an object, not a string", hidden: internals},
		{name: "test event unknown member", method: "POST", path: test, body: `{"contactId": "ann", "event": {"eventTypeKey": "x", "zz": 1}}`,
			status: 400, pointer: "/event/zz", detail: "not known", hidden: internals},
		{name: "render empty contact", method: "POST", path: "/render", body: `{"template": "x", "contact": {}}`,
			status: 400, pointer: "/contact", detail: `"email", "phone" or "id"`},
		{name: "render unknown contactId points at contactId", method: "POST", path: "/render", body: `{"template": "x", "contactId": "nobody"}`,
			status: 404, pointer: "/contactId", detail: "No such contact"},
	})
	if r := e.admin("GET", "/events", nil); !strings.Contains(string(r.Body), `"items":[]`) {
		t.Errorf("refused events were stored: %s", r.Body)
	}
	r := e.do("POST", "/events", ingest, `{"eventTypeKey": "x", "params": {"email": "a@example.com"}}`)
	mustStatus(t, r, http.StatusAccepted)
}

// TestWorkflowFieldRefusals: a trigger no event can carry (intake's rules) and a name with
// control characters are refused; the workflow's other errors still come with them.
func TestWorkflowFieldRefusals(t *testing.T) {
	e := newEnv(t)
	steps := `"steps": [{"id": "m", "type": "message", "channel": "email", "body": "x"}]`
	checkRefusals(t, e, []refusal{
		{name: "trigger with a slash", method: "POST", path: "/workflows", body: `{"name": "f", "trigger": {"eventType": "order/created"}, ` + steps + `}`,
			status: 400, pointer: "/trigger/eventType", detail: "would never start"},
		{name: "trigger over 100 characters", method: "POST", path: "/workflows",
			body:   `{"name": "f", "trigger": {"eventType": "` + strings.Repeat("a", 101) + `"}, ` + steps + `}`,
			status: 400, pointer: "/trigger/eventType", detail: "at most 100"},
		{name: "name with a line break", method: "POST", path: "/workflows", body: `{"name": "a\nb", "trigger": {"eventType": "x"}, ` + steps + `}`,
			status: 400, pointer: "/name", detail: "control character"},
		{name: "bad trigger after other errors", method: "POST", path: "/workflows", body: `{"name": "f", "trigger": {"eventType": "a|b"}, "steps": []}`,
			status: 400, pointer: "/steps", detail: "at least one step"},
	})
	r := e.admin("POST", "/workflows", `{"name": "f", "trigger": {"eventType": "a|b"}, "steps": []}`)
	if !strings.Contains(string(r.Body), `"/trigger/eventType"`) {
		t.Errorf("the trigger's error is missing beside the others: %s", r.Body)
	}
	if r := e.admin("GET", "/workflows", nil); !strings.Contains(string(r.Body), `"items":[]`) {
		t.Errorf("refused workflows were stored: %s", r.Body)
	}
}

// TestLongPathID: an id no record can have is a 400 on every {id} route, before any
// store sees it (DynamoDB refuses such keys with an error of its own).
func TestLongPathID(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("a", maxPathIDLen+1)
	for _, rt := range AllRoutes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !strings.Contains(path, "{id}") || rt.Scope != "admin" {
			continue
		}
		t.Run(rt.Pattern, func(t *testing.T) {
			r := e.admin(method, strings.Replace(path, "{id}", long, 1), `{}`)
			checkProblem(t, r, http.StatusBadRequest, "{id}", "Flowhook returned")
		})
	}
}

// TestContactMergeBound: upserts merge fields into a contact; the merge that would take it
// over the size a store keeps is refused and the contact stays as it was.
func TestContactMergeBound(t *testing.T) {
	e := newEnv(t)
	big := strings.Repeat("x", maxFieldBytes-10)
	var last response
	for i := 0; i < 60; i++ {
		last = e.admin("POST", "/contacts", `{"email": "ann@example.com", "fields": {"F`+strconv.Itoa(i)+`": "`+big+`"}}`)
		if last.Status != http.StatusOK && last.Status != http.StatusCreated {
			break
		}
	}
	checkProblem(t, last, http.StatusBadRequest, "/fields", "at most 200 fields and 256 KB")
	c := e.admin("GET", "/contacts?q=ann", nil)
	var got struct {
		Items []struct {
			Fields map[string]any `json:"fields"`
		} `json:"items"`
	}
	if err := json.Unmarshal(c.Body, &got); err != nil || len(got.Items) != 1 {
		t.Fatalf("GET /contacts?q=ann = %s (%v)", c.Body, err)
	}
	if n := len(got.Items[0].Fields); n < 50 || n >= 60 {
		t.Errorf("the contact has %d fields, want the ~52 that fit in 256 KB", n)
	}
}

// TestTooLargeRecord: a store's ErrTooLarge is the client's 413, not a 500.
func TestTooLargeRecord(t *testing.T) {
	a := &api{log: slog.New(slog.DiscardHandler)}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("PUT", "/contacts/ann", nil)
	a.writeError(rec, req, "contact", fmt.Errorf("update contact %q: %w", "ann", store.ErrTooLarge))
	r := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	checkProblem(t, r, http.StatusRequestEntityTooLarge, "", "contact would be too large to store")
}

// TestRouteMisses: a path with a trailing slash names the route without it; other misses
// stay plain 404s and 405s with Allow, all problem documents.
func TestRouteMisses(t *testing.T) {
	e := newEnv(t)
	checkRefusals(t, e, []refusal{
		{name: "list with a trailing slash", method: "GET", path: "/webhooks/", status: 404, detail: "remove the trailing slash: GET /webhooks."},
		{name: "record with a trailing slash", method: "GET", path: "/runs/r_1/", status: 404, detail: "remove the trailing slash: GET /runs/r_1."},
		{name: "two trailing slashes", method: "POST", path: "/render//", status: 404, detail: "POST /render."},
		{name: "unknown path", method: "GET", path: "/nope/", status: 404, detail: "There is no route GET /nope/."},
		{name: "extra path part", method: "GET", path: "/webhooks/w_1/extra", status: 404, detail: "There is no route GET /webhooks/w_1/extra."},
		{name: "wrong method", method: "OPTIONS", path: "/webhooks", status: 405, detail: "allowed: GET, HEAD, POST"},
	})
}

// TestRestoreWithoutConnector: a deleted webhook whose connector was deleted since
// cannot be restored; the 409 says why and what to do, points into no body, and the
// webhook stays deleted.
func TestRestoreWithoutConnector(t *testing.T) {
	e := newEnv(t)
	c := e.admin("POST", "/connectors", `{"name": "c", "type": "bearer", "token": "s3cr3t-token"}`)
	mustStatus(t, c, http.StatusCreated)
	w := e.admin("POST", "/webhooks", `{"name": "WH5", "method": "GET", "url": "https://a.example/x", "auth": {"connectorId": "`+c.id(t)+`"}}`)
	mustStatus(t, w, http.StatusCreated)
	mustStatus(t, e.admin("DELETE", "/webhooks/"+w.id(t), nil), http.StatusNoContent)
	mustStatus(t, e.admin("DELETE", "/connectors/"+c.id(t), nil), http.StatusNoContent)
	r := e.admin("POST", "/webhooks/"+w.id(t)+"/restore", nil)
	checkProblem(t, r, http.StatusConflict, "", "connector "+c.id(t)+" was deleted after the webhook")
	if _, ok := r.json(t)["errors"]; ok {
		t.Errorf("the refusal of a restore points into a body: %s", r.Body)
	}
	if g := e.admin("GET", "/webhooks/"+w.id(t), nil); g.json(t)["deletedAt"] == nil {
		t.Errorf("the webhook was restored anyway: %s", g.Body)
	}
}

// TestConnectorSecretRace: PUTs racing from the same version each carry a new token; the
// one the store accepts is the one whose token is kept — the refused ones replace
// nothing, not even the secret.
func TestConnectorSecretRace(t *testing.T) {
	e := newEnv(t)
	c := e.admin("POST", "/connectors", `{"name": "c", "type": "bearer", "token": "token-original"}`)
	mustStatus(t, c, http.StatusCreated)
	const racers = 16
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("PUT", "/connectors/"+c.id(t), e.tokens.Admin,
				fmt.Sprintf(`{"name": "c", "type": "bearer", "token": "token-of-racer-%d"}`, i), "If-Match", `"1"`)
			statuses[i] = r.Status
		}()
	}
	wg.Wait()
	winner := -1
	for i, s := range statuses {
		switch {
		case s == http.StatusOK && winner < 0:
			winner = i
		case s == http.StatusOK:
			t.Fatalf("racers %d and %d both won: %v", winner, i, statuses)
		case s != http.StatusConflict:
			t.Fatalf("racer %d answered %d: %v", i, s, statuses)
		}
	}
	if winner < 0 {
		t.Fatalf("no racer won: %v", statuses)
	}
	stored, err := e.store.GetConnector(t.Context(), c.id(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.secrets.Get(t.Context(), stored.SecretRef)
	if want := fmt.Sprintf("token-of-racer-%d", winner); err != nil || got != want {
		t.Errorf("the stored token = %q (%v), want the winner's %q", got, err, want)
	}
}

// TestConcurrentUpserts: parallel upserts of one contact (as an import sends them) all
// merge — none answers 409 — and every field they sent is kept.
func TestConcurrentUpserts(t *testing.T) {
	e := newEnv(t)
	const racers = 48
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/contacts", e.tokens.Admin, fmt.Sprintf(`{"email": "ann@example.com", "fields": {"F%d": %d}}`, i, i))
			statuses[i] = r.Status
		}()
	}
	wg.Wait()
	created := 0
	for i, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("upsert %d answered %d", i, s)
		}
	}
	if created != 1 {
		t.Errorf("%d upserts created the contact, want 1: %v", created, statuses)
	}
	r := e.admin("GET", "/contacts?q=ann", nil)
	var got struct {
		Items []struct {
			Fields map[string]int `json:"fields"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil || len(got.Items) != 1 {
		t.Fatalf("GET /contacts?q=ann = %s (%v), want one contact", r.Body, err)
	}
	for i := range racers {
		if v, ok := got.Items[0].Fields[fmt.Sprintf("F%d", i)]; !ok || v != i {
			t.Errorf("field F%d = %d, %v after the race; want %d", i, v, ok, i)
		}
	}
}

// TestIdempotencyKeyReuse: a repeat of an event under its Idempotency-Key answers with the
// first ids, whatever the JSON whitespace; another event under a used key is refused
// with 422 naming the header, and is not stored.
func TestIdempotencyKeyReuse(t *testing.T) {
	e := newEnv(t)
	first := `{"eventTypeKey": "order", "params": {"email": "ann@example.com", "orderId": "A-17", "items": [1, 2]}}`
	r := e.do("POST", "/events", e.tokens.Ingest, first, "Idempotency-Key", "order-A-17")
	mustStatus(t, r, http.StatusAccepted)
	eventID, _ := r.json(t)["eventId"].(string)
	cases := []struct {
		name   string
		body   string
		status int
	}{
		{"the same body", first, http.StatusAccepted},
		{"the same event, other whitespace", `{"eventTypeKey":"order","params":{"email":"ann@example.com","orderId":"A-17","items":[1,2]}}`, http.StatusAccepted},
		{"the same event as a name/value list", `{"eventTypeKey": "order", "params": [{"name": "email", "value": "ann@example.com"}, {"name": "orderId", "value": "A-17"}, {"name": "items", "value": [1, 2]}]}`, http.StatusAccepted},
		{"another param value", `{"eventTypeKey": "order", "params": {"email": "ann@example.com", "orderId": "A-18", "items": [1, 2]}}`, http.StatusUnprocessableEntity},
		{"another type", `{"eventTypeKey": "refund", "params": {"email": "ann@example.com", "orderId": "A-17", "items": [1, 2]}}`, http.StatusUnprocessableEntity},
		{"a param more", `{"eventTypeKey": "order", "params": {"email": "ann@example.com", "orderId": "A-17", "items": [1, 2], "x": 1}}`, http.StatusUnprocessableEntity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/events", e.tokens.Ingest, tc.body, "Idempotency-Key", "order-A-17")
			if tc.status == http.StatusAccepted {
				mustStatus(t, r, http.StatusAccepted)
				if got := r.json(t)["eventId"]; got != eventID {
					t.Errorf("eventId = %s, want the first %s", got, eventID)
				}
				return
			}
			checkProblem(t, r, tc.status, "Idempotency-Key", "Send a new key")
			if !strings.Contains(string(r.Body), eventID) {
				t.Errorf("the answer does not name the first event %s: %s", eventID, r.Body)
			}
		})
	}
	if r := e.admin("GET", "/events", nil); strings.Count(string(r.Body), `"id":"e_`) != 1 {
		t.Errorf("want only the first event stored: %s", r.Body)
	}
}
