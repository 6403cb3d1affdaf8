package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/render"
)

// testSecret is a connector secret the test routes must never show.
const testSecret = "S3CRET-test-9d1b7a55e2"

// received is a request as the endpoint saw it.
type received struct {
	Method, Path, RawQuery, Body string
	Header                       http.Header
}

// endpoint is a local TLS server that records what it receives and answers through its
// handler (an echo of the request by default, secrets included, as a careless endpoint
// would).
type endpoint struct {
	srv     *httptest.Server
	mu      sync.Mutex
	got     []received
	handler func(w http.ResponseWriter, r *http.Request, body []byte)
}

func newEndpoint(t *testing.T) *endpoint {
	t.Helper()
	ep := &endpoint{handler: echoRequest}
	ep.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ep.mu.Lock()
		ep.got = append(ep.got, received{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Body: string(body), Header: r.Header.Clone()})
		h := ep.handler
		ep.mu.Unlock()
		h(w, r, body)
	}))
	ep.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	ep.srv.StartTLS()
	t.Cleanup(ep.srv.Close)
	return ep
}

func (ep *endpoint) requests() []received {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return append([]received(nil), ep.got...)
}

func echoRequest(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
	w.Header().Set("X-Echo-Query", r.URL.RawQuery)
	_ = json.NewEncoder(w).Encode(map[string]any{"authorization": r.Header.Get("Authorization"), "apiKey": r.Header.Get("X-Api-Key"),
		"query": r.URL.RawQuery, "body": string(body), "promocode": "SPRING-7Q2X", "price": json.Number("990.0")})
}

// newTestRequestEnv is newEnv with the test routes, whose egress may reach the
// endpoint when reach is set (loopback allowed and its certificate trusted, as the
// local runner's FLOWHOOK_EGRESS_ALLOW_CIDRS and FLOWHOOK_EXTRA_CA_FILE do) and is
// production's otherwise.
func newTestRequestEnv(t *testing.T, ep *endpoint, reach bool) *env {
	t.Helper()
	var cfg egress.Config
	if reach {
		cfg.AllowCIDRs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		cfg.ExtraCAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ep.srv.Certificate().Raw})
	}
	return newEnvWith(t, cfg)
}

// result is the answer of a test route.
type result struct {
	Request *struct {
		Method, URL, Body string
		Headers           map[string]string
		Truncated         bool
	}
	Response *struct {
		Status     int
		Headers    map[string]string
		Body       string
		Truncated  bool
		DurationMs int64
	}
	Data  json.RawMessage
	Error *struct{ Class, Detail string }
}

func decodeResult(t *testing.T, r response) result {
	t.Helper()
	mustStatus(t, r, http.StatusOK)
	var res result
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.DisallowUnknownFields()
	if err := d.Decode(&res); err != nil {
		t.Fatalf("test result does not decode: %v: %s", err, r.Body)
	}
	for _, k := range []string{`"request":`, `"response":`, `"data":`, `"error":`} {
		if !bytes.Contains(r.Body, []byte(k)) {
			t.Errorf("test result lacks %s: %s", k, r.Body)
		}
	}
	return res
}

// seed creates the README's contact, a bearer connector and returns their ids.
func seed(t *testing.T, e *env) (contactID, connectorID string) {
	t.Helper()
	c := e.admin("POST", "/contacts", map[string]any{"email": "ann@example.com", "phone": "+380501234567",
		"fields": map[string]any{"FIRSTNAME": "Ann", "TOWN": "Kyiv \"Center\"\n"}})
	if c.Status != http.StatusCreated && c.Status != http.StatusOK {
		t.Fatalf("create contact: %d %s", c.Status, c.Body)
	}
	k := e.admin("POST", "/connectors", map[string]any{"name": "crm", "type": "bearer", "token": testSecret})
	mustStatus(t, k, http.StatusCreated)
	return c.id(t), k.id(t)
}

// readmeWebhook is the README's webhook pointed at the endpoint.
func readmeWebhook(ep *endpoint, connectorID string) map[string]any {
	w := with(validWebhook("WH5"), "url", ep.srv.URL+"/codes?email=${email}")
	if connectorID != "" {
		w["auth"] = map[string]string{"connectorId": connectorID}
	}
	return w
}

func TestTestRequestReadmeScenario(t *testing.T) {
	ep := newEndpoint(t)
	e := newTestRequestEnv(t, ep, true)
	_, connID := seed(t, e)
	wh := e.admin("POST", "/webhooks", readmeWebhook(ep, connID))
	mustStatus(t, wh, http.StatusCreated)

	res := decodeResult(t, e.admin("POST", "/webhooks/"+wh.id(t)+"/test", map[string]any{"contact": map[string]string{"email": "ann@example.com"}}))

	got := ep.requests()
	if len(got) != 1 {
		t.Fatalf("the endpoint received %d requests, want 1", len(got))
	}
	if want := `{"city": "Kyiv \"Center\"\n", "email": "ann@example.com"}`; got[0].Body != want {
		t.Errorf("endpoint body = %s\nwant %s", got[0].Body, want)
	}
	if a := got[0].Header.Get("Authorization"); a != "Bearer "+testSecret {
		t.Errorf("endpoint Authorization = %q", a)
	}
	if want := "email=ann%40example.com&city=Kyiv+%22Center%22%0A"; got[0].RawQuery != want {
		t.Errorf("endpoint query = %s, want %s", got[0].RawQuery, want)
	}
	if res.Error != nil || res.Request == nil || res.Response == nil {
		t.Fatalf("result = %+v", res)
	}
	if res.Request.Method != "POST" || res.Request.URL != ep.srv.URL+"/codes?email=ann%40example.com&city=Kyiv+%22Center%22%0A" ||
		res.Request.Headers["Authorization"] != "Bearer ********" || res.Request.Headers["X-Source"] != "flowhook" ||
		res.Request.Headers["User-Agent"] != render.UserAgent || res.Request.Body != got[0].Body {
		t.Errorf("request = %+v", *res.Request)
	}
	if res.Response.Status != 200 || !strings.HasPrefix(res.Response.Headers["Content-Type"], "application/json") ||
		res.Response.Headers["X-Echo-Authorization"] != "Bearer ********" || !strings.Contains(res.Response.Body, `"promocode":"SPRING-7Q2X"`) {
		t.Errorf("response = %+v", *res.Response)
	}
	var data map[string]any
	if err := json.Unmarshal(res.Data, &data); err != nil || data["promocode"] != "SPRING-7Q2X" || data["authorization"] != "Bearer ********" {
		t.Errorf("data = %s (%v)", res.Data, err)
	}
	if !bytes.Contains(res.Data, []byte(`"price":990.0`)) {
		t.Errorf("data lost the double's point: %s", res.Data)
	}
}

func TestTestRequestInputs(t *testing.T) {
	ep := newEndpoint(t)
	e := newTestRequestEnv(t, ep, true)
	contactID, _ := seed(t, e)
	body := `{"order": "$!orderId", "town": "$!TOWN", "tier": "$!data.get('WH4').get('tier')", "wh4": "$!WH4.tier"}`
	draft := with(validWebhook("draft"), "url", ep.srv.URL+"/t", "params", nil,
		"body", map[string]string{"format": "json", "template": body})
	wh := e.admin("POST", "/webhooks", with(draft, "name", "saved"))
	mustStatus(t, wh, http.StatusCreated)
	ev := e.do("POST", "/events", e.tokens.Ingest, map[string]any{"eventTypeKey": "order",
		"params": []map[string]any{{"name": "email", "value": "ann@example.com"}, {"name": "orderId", "value": "A-17"}}})
	mustStatus(t, ev, http.StatusAccepted)
	var accepted struct{ EventID string }
	if err := json.Unmarshal(ev.Body, &accepted); err != nil {
		t.Fatal(err)
	}
	orderEvent := func(params ...map[string]any) map[string]any {
		return map[string]any{"eventTypeKey": "order", "params": append([]map[string]any{{"name": "orderId", "value": "B-2"}}, params...)}
	}

	tests := []struct {
		name string
		path string // "" for the saved webhook's route
		in   map[string]any
		want string // the body the endpoint must receive
	}{
		{"contact by id", "", map[string]any{"contactId": contactID},
			`{"order": "", "town": "Kyiv \"Center\"\n", "tier": "", "wh4": ""}`},
		{"contact by phone", "", map[string]any{"contact": map[string]string{"phone": "+380 50 123 45 67"}},
			`{"order": "", "town": "Kyiv \"Center\"\n", "tier": "", "wh4": ""}`},
		{"stored event and its contact", "", map[string]any{"eventId": accepted.EventID},
			`{"order": "A-17", "town": "Kyiv \"Center\"\n", "tier": "", "wh4": ""}`},
		{"inline event identifying the contact", "", map[string]any{"event": orderEvent(map[string]any{"name": "email", "value": "ANN@example.com"})},
			`{"order": "B-2", "town": "Kyiv \"Center\"\n", "tier": "", "wh4": ""}`},
		{"inline event whose contact does not exist", "", map[string]any{"event": orderEvent(map[string]any{"name": "email", "value": "nobody@example.com"})},
			`{"order": "B-2", "town": "", "tier": "", "wh4": ""}`},
		{"inline event without identifiers and a contact", "", map[string]any{"event": orderEvent(), "contactId": contactID},
			`{"order": "B-2", "town": "Kyiv \"Center\"\n", "tier": "", "wh4": ""}`},
		{"stored event with another contact", "", map[string]any{"eventId": accepted.EventID, "contact": map[string]string{"id": contactID}},
			`{"order": "A-17", "town": "Kyiv \"Center\"\n", "tier": "", "wh4": ""}`},
		{"earlier responses", "", map[string]any{"contactId": contactID, "data": map[string]any{"WH4": map[string]any{"tier": "vip \"gold\""}}},
			`{"order": "", "town": "Kyiv \"Center\"\n", "tier": "vip \"gold\"", "wh4": "vip \"gold\""}`},
		{"draft", "/webhooks/test", map[string]any{"webhook": draft, "event": orderEvent(), "contactId": contactID},
			`{"order": "B-2", "town": "Kyiv \"Center\"\n", "tier": "", "wh4": ""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = "/webhooks/" + wh.id(t) + "/test"
			}
			before := len(ep.requests())
			res := decodeResult(t, e.admin("POST", path, tt.in))
			if res.Error != nil {
				t.Fatalf("error = %+v", *res.Error)
			}
			got := ep.requests()
			if len(got) != before+1 {
				t.Fatalf("the endpoint received %d requests, want 1", len(got)-before)
			}
			if b := got[len(got)-1].Body; b != tt.want {
				t.Errorf("endpoint body = %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestTestRequestBadInput(t *testing.T) {
	ep := newEndpoint(t)
	e := newTestRequestEnv(t, ep, true)
	contactID, _ := seed(t, e)
	wh := e.admin("POST", "/webhooks", readmeWebhook(ep, ""))
	mustStatus(t, wh, http.StatusCreated)
	gone := e.admin("POST", "/webhooks", with(readmeWebhook(ep, ""), "name", "gone"))
	mustStatus(t, gone, http.StatusCreated)
	mustStatus(t, e.admin("DELETE", "/webhooks/"+gone.id(t), nil), http.StatusNoContent)
	saved := "/webhooks/" + wh.id(t) + "/test"
	noContactEvent := map[string]any{"eventTypeKey": "order", "params": []map[string]any{{"name": "orderId", "value": "1"}}}

	tests := []struct {
		name        string
		path, token string
		body        any
		wantStatus  int
		wantCode    string
		wantPointer string
	}{
		{"contactId and contact", saved, "", map[string]any{"contactId": contactID, "contact": map[string]string{"email": "ann@example.com"}}, 400, "validation_failed", "/contact"},
		{"eventId and event", saved, "", map[string]any{"eventId": "e_1", "event": noContactEvent, "contactId": contactID}, 400, "validation_failed", "/event"},
		{"nothing to test with", saved, "", map[string]any{"data": map[string]any{"WH4": 1}}, 400, "validation_failed", ""},
		{"empty contact", saved, "", map[string]any{"contact": map[string]string{}}, 400, "validation_failed", "/contact"},
		{"unknown field", saved, "", map[string]any{"contactId": contactID, "dryRun": true}, 400, "unknown_field", "/dryRun"},
		{"unknown field in the contact", saved, "", map[string]any{"contact": map[string]string{"mail": "x"}}, 400, "unknown_field", "/contact/mail"},
		{"webhook on the saved route", saved, "", map[string]any{"contactId": contactID, "webhook": validWebhook("x")}, 400, "unknown_field", "/webhook"},
		{"event without a contact", saved, "", map[string]any{"event": noContactEvent}, 400, "validation_failed", "/event/params"},
		{"invalid event", saved, "", map[string]any{"event": map[string]any{"eventTypeKey": "a/b"}, "contactId": contactID}, 400, "validation_failed", "/event/eventTypeKey"},
		{"not JSON", saved, "", `{"contactId": `, 400, "bad_json", ""},
		{"unknown contact id", saved, "", map[string]any{"contactId": "c_nobody"}, 404, "not_found", "/contactId"},
		{"unknown contact email", saved, "", map[string]any{"contact": map[string]string{"email": "nobody@example.com"}}, 404, "not_found", "/contact"},
		{"unknown event", saved, "", map[string]any{"eventId": "e_nothing"}, 404, "not_found", "/eventId"},
		{"unknown webhook", "/webhooks/w_nothing/test", "", map[string]any{"contactId": contactID}, 404, "not_found", ""},
		{"deleted webhook", "/webhooks/" + gone.id(t) + "/test", "", map[string]any{"contactId": contactID}, 409, "webhook_deleted", ""},
		{"draft missing", "/webhooks/test", "", map[string]any{"contactId": contactID}, 400, "validation_failed", "/webhook"},
		{"draft over http", "/webhooks/test", "", map[string]any{"contactId": contactID, "webhook": with(validWebhook("d"), "url", "http://x.example/")}, 400, "validation_failed", "/webhook/url"},
		{"draft with a template error", "/webhooks/test", "", map[string]any{"contactId": contactID,
			"webhook": with(validWebhook("d"), "body", map[string]string{"format": "json", "template": "{#if(}"})}, 400, "validation_failed", "/webhook/body/template"},
		{"draft with an unknown connector", "/webhooks/test", "", map[string]any{"contactId": contactID,
			"webhook": with(validWebhook("d"), "auth", map[string]string{"connectorId": "k_nothing"})}, 400, "validation_failed", "/webhook/auth/connectorId"},
		{"draft with an unknown field", "/webhooks/test", "", map[string]any{"contactId": contactID, "webhook": with(validWebhook("d"), "verb", "GET")}, 400, "unknown_field", "/webhook/verb"},
		{"too large", saved, "", map[string]any{"contactId": contactID, "data": map[string]string{"WH4": strings.Repeat("x", MaxBodyBytes)}}, 413, "body_too_large", ""},
		{"ingest token", saved, "ingest", map[string]any{"contactId": contactID}, 403, "forbidden", ""},
		{"no token", "/webhooks/test", "none", map[string]any{"contactId": contactID}, 401, "unauthenticated", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := e.tokens.Admin
			switch tt.token {
			case "ingest":
				token = e.tokens.Ingest
			case "none":
				token = ""
			}
			r := e.do("POST", tt.path, token, tt.body)
			if r.Status != tt.wantStatus || r.Header.Get("Content-Type") != ProblemContentType {
				t.Fatalf("status = %d (%s), want %d problem: %s", r.Status, r.Header.Get("Content-Type"), tt.wantStatus, r.Body)
			}
			var p Problem
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Code != tt.wantCode {
				t.Errorf("code = %q, want %q: %s", p.Code, tt.wantCode, r.Body)
			}
			if tt.wantPointer != "" && (len(p.Errors) == 0 || p.Errors[0].Pointer != tt.wantPointer) {
				t.Errorf("errors = %+v, want the first at %s", p.Errors, tt.wantPointer)
			}
		})
	}
	if n := len(ep.requests()); n != 0 {
		t.Errorf("bad input reached the endpoint %d times", n)
	}
}

func TestTestRequestOutcomes(t *testing.T) {
	ep := newEndpoint(t)
	e := newTestRequestEnv(t, ep, true)
	contactID, _ := seed(t, e)
	get := func(u string) map[string]any {
		return with(validWebhook("g"), "method", "GET", "url", u, "body", nil, "params", nil)
	}
	tests := []struct {
		name      string
		webhook   map[string]any
		handler   func(w http.ResponseWriter, r *http.Request, body []byte)
		wantClass string
		wantHits  int
		check     func(t *testing.T, res result)
	}{
		{name: "a 503 is sent once and shown", webhook: get(ep.srv.URL + "/busy"), wantClass: "http_5xx", wantHits: 1,
			handler: func(w http.ResponseWriter, r *http.Request, body []byte) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, "try later")
			},
			check: func(t *testing.T, res result) {
				if res.Response == nil || res.Response.Status != 503 || res.Response.Body != "try later" || res.Response.Headers["Retry-After"] != "1" || string(res.Data) != "null" {
					t.Errorf("result = %+v", res)
				}
			}},
		{name: "a 404 with a JSON body", webhook: get(ep.srv.URL + "/missing"), wantClass: "http_4xx", wantHits: 1,
			handler: func(w http.ResponseWriter, r *http.Request, body []byte) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, `{"error": "no such code"}`)
			},
			check: func(t *testing.T, res result) {
				if res.Response == nil || res.Response.Status != 404 || !strings.Contains(res.Response.Body, "no such code") {
					t.Errorf("result = %+v", res)
				}
			}},
		{name: "an XML answer is decoded", webhook: get(ep.srv.URL + "/xml"), wantHits: 1,
			handler: func(w http.ResponseWriter, r *http.Request, body []byte) {
				w.Header().Set("Content-Type", "application/xml")
				_, _ = io.WriteString(w, `<promo code="X1"><tier>vip</tier></promo>`)
			},
			check: func(t *testing.T, res result) {
				if string(res.Data) != `{"promo":{"-code":"X1","tier":"vip"}}` {
					t.Errorf("data = %s", res.Data)
				}
			}},
		{name: "a render failure sends nothing", webhook: get(ep.srv.URL + "/x?zip=$POSTCODE"), wantClass: "render", wantHits: 0,
			check: func(t *testing.T, res result) {
				if res.Request != nil || res.Response != nil || !strings.Contains(res.Error.Detail, "$POSTCODE (line 1, col") {
					t.Errorf("result = %+v", res)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep.mu.Lock()
			ep.got, ep.handler = nil, tt.handler
			ep.mu.Unlock()
			res := decodeResult(t, e.admin("POST", "/webhooks/test", map[string]any{"webhook": tt.webhook, "contactId": contactID}))
			if n := len(ep.requests()); n != tt.wantHits {
				t.Errorf("the endpoint was called %d times, want %d", n, tt.wantHits)
			}
			switch {
			case tt.wantClass == "" && res.Error != nil:
				t.Errorf("error = %+v", *res.Error)
			case tt.wantClass != "" && (res.Error == nil || res.Error.Class != tt.wantClass):
				t.Errorf("error = %+v, want class %s", res.Error, tt.wantClass)
			}
			tt.check(t, res)
		})
	}
}

func TestTestRequestGoesThroughTheGuard(t *testing.T) {
	ep := newEndpoint(t)
	e := newTestRequestEnv(t, ep, false) // production egress: nothing local allowed
	contactID, _ := seed(t, e)
	tests := []struct {
		name, url, wantDetail string
	}{
		{"the local endpoint", ep.srv.URL + "/codes", "127.0.0.0/8"},
		{"cloud metadata", "https://169.254.169.254/latest/meta-data/iam/", "169.254.0.0/16"},
		{"a private address", "https://10.1.2.3/x", "10.0.0.0/8"},
		{"loopback spelled oddly", "https://2130706433/", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := with(validWebhook("blocked"), "url", tt.url, "params", nil)
			res := decodeResult(t, e.admin("POST", "/webhooks/test", map[string]any{"webhook": w, "contactId": contactID}))
			if res.Error == nil || res.Error.Class != "blocked" || !strings.Contains(res.Error.Detail, tt.wantDetail) {
				t.Errorf("error = %+v, want blocked naming %s", res.Error, tt.wantDetail)
			}
			if res.Response != nil || res.Request == nil {
				t.Errorf("result = %+v", res)
			}
		})
	}
	if n := len(ep.requests()); n != 0 {
		t.Errorf("the guard let %d requests through", n)
	}
}

// TestTestRequestNeverShowsSecrets is the secret-leak test for the test routes: a
// connector of every type carries a known secret, the endpoint echoes the request —
// Authorization, API key, query and body — in its headers and body, and the secret
// appears in no answer of the routes and no log line, in any of the forms it could take.
func TestTestRequestNeverShowsSecrets(t *testing.T) {
	ep := newEndpoint(t)
	e := newTestRequestEnv(t, ep, true)
	contactID, _ := seed(t, e)
	var answers bytes.Buffer
	for _, c := range []map[string]any{
		{"name": "bearer", "type": "bearer", "token": testSecret},
		{"name": "basic", "type": "basic", "login": "ann", "password": testSecret},
		{"name": "key in query", "type": "apiKey", "key": testSecret, "in": "query", "keyName": "key"},
		{"name": "key in header", "type": "apiKey", "key": testSecret, "in": "header"},
	} {
		k := e.admin("POST", "/connectors", c)
		mustStatus(t, k, http.StatusCreated)
		auth := map[string]string{"connectorId": k.id(t)}
		// The body echoes what a template could reach; the endpoint echoes the rest.
		w := with(readmeWebhook(ep, ""), "name", "leak "+c["name"].(string), "auth", auth,
			"body", map[string]string{"format": "json", "template": `{"town": "$TOWN", "all": "$data"}`})
		saved := e.admin("POST", "/webhooks", w)
		mustStatus(t, saved, http.StatusCreated)
		for _, r := range []response{
			e.admin("POST", "/webhooks/"+saved.id(t)+"/test", map[string]any{"contactId": contactID}),
			e.admin("POST", "/webhooks/test", map[string]any{"webhook": w, "contactId": contactID}),
			e.admin("POST", "/webhooks/test", map[string]any{"webhook": with(w, "url", ep.srv.URL+"/x?z=$nope"), "contactId": contactID}),
		} {
			fmt.Fprintf(&answers, "%d %v %s\n", r.Status, r.Header, r.Body)
		}
	}
	// Make sure the endpoint did get the secret, so the check below means something.
	var sent bool
	for _, r := range ep.requests() {
		sent = sent || strings.Contains(r.Header.Get("Authorization"), testSecret) || strings.Contains(r.RawQuery, testSecret) ||
			r.Header.Get("X-Api-Key") == testSecret || strings.Contains(r.Header.Get("Authorization"), base64.StdEncoding.EncodeToString([]byte("ann:"+testSecret)))
	}
	if !sent || !strings.Contains(answers.String(), "Bearer ********") {
		t.Fatalf("the endpoint never received the secret, or no masked echo came back:\n%s", answers.String())
	}
	forms := []string{testSecret, base64.StdEncoding.EncodeToString([]byte("ann:" + testSecret)),
		base64.StdEncoding.EncodeToString([]byte(testSecret)), url.QueryEscape(testSecret), strings.ToLower(testSecret)}
	for _, f := range forms {
		if strings.Contains(answers.String(), f) {
			t.Errorf("the secret (as %q) appears in a test route's answer", f)
		}
		if strings.Contains(e.logs.String(), f) {
			t.Errorf("the secret (as %q) appears in the logs", f)
		}
	}
}
