package httpapi

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/egress"
)

// canary is a secret value that must never appear outside the secret store's ciphertext.
const canary = "S3CRET-canary-7f9c2e41"

// TestSecretNeverLeaks stores a known secret in a connector of every type, exercises
// every route, and proves the secret appears in no response (body or header), no log
// line and no file of the local stores — in plain text, base64 or JSON-escaped form.
func TestSecretNeverLeaks(t *testing.T) {
	for _, b := range []backend{embeddedBackend, dynamoBackend} {
		t.Run(b.name, func(t *testing.T) { secretNeverLeaks(t, newEnvOn(t, egress.Config{}, b)) })
	}
}

func secretNeverLeaks(t *testing.T, e *env) {
	var seen bytes.Buffer
	record := func(r response) response {
		fmt.Fprintf(&seen, "%d %v %s\n", r.Status, r.Header, r.Body)
		return r
	}
	ids := map[string]string{}
	for _, c := range []map[string]any{
		{"name": "bearer", "type": "bearer", "token": canary},
		{"name": "key", "type": "apiKey", "key": canary, "in": "query", "keyName": "k"},
		{"name": "basic", "type": "basic", "login": "ann", "password": canary},
	} {
		r := record(e.admin("POST", "/connectors", c))
		mustStatus(t, r, 201)
		ids[c["name"].(string)] = r.id(t)
	}
	wh := record(e.admin("POST", "/webhooks", with(validWebhook("leak"), "auth", map[string]string{"connectorId": ids["bearer"]})))
	mustStatus(t, wh, 201)
	whID := wh.id(t)
	flow := record(e.admin("POST", "/workflows", map[string]any{"name": "f", "trigger": map[string]string{"eventType": "order"},
		"steps": []map[string]any{{"id": "wh", "type": "webhook", "webhookId": whID}}}))
	mustStatus(t, flow, 201)
	ev := record(e.do("POST", "/events", e.tokens.Ingest, map[string]any{"eventTypeKey": "order", "params": map[string]string{"email": "ann@example.com"}}))
	mustStatus(t, ev, 202)

	calls := []struct{ method, path string }{
		{"GET", "/connectors"}, {"GET", "/connectors/" + ids["bearer"]}, {"GET", "/connectors/" + ids["key"]}, {"GET", "/connectors/" + ids["basic"]},
		{"GET", "/webhooks"}, {"GET", "/webhooks/" + whID}, {"GET", "/workflows"}, {"GET", "/workflows/" + flow.id(t)},
		{"GET", "/workflows/" + flow.id(t) + "/runs"}, {"GET", "/events"}, {"GET", "/contacts?q=ann"},
	}
	for _, c := range calls {
		record(e.admin(c.method, c.path, nil))
	}
	record(e.admin("PUT", "/connectors/"+ids["key"], map[string]any{"name": "key2", "type": "apiKey", "in": "header"}))
	record(e.admin("PUT", "/connectors/"+ids["basic"], map[string]any{"name": "basic", "type": "basic", "login": "ann", "password": Mask}))
	record(e.admin("DELETE", "/connectors/"+ids["bearer"], nil)) // 409: in use — the error must not echo it either
	record(e.admin("DELETE", "/webhooks/"+whID, nil))
	record(e.admin("POST", "/webhooks/"+whID+"/restore", nil))
	record(e.admin("DELETE", "/connectors/"+ids["key"], nil))

	forms := []string{canary, base64.StdEncoding.EncodeToString([]byte("ann:" + canary)), base64.StdEncoding.EncodeToString([]byte(canary))}
	check := func(where string, b []byte) {
		for _, f := range forms {
			if bytes.Contains(b, []byte(f)) {
				t.Errorf("the secret (as %q) appears in %s", f, where)
			}
		}
	}
	check("API responses", seen.Bytes())
	check("logs", []byte(e.logs.String()))
	if !strings.Contains(e.logs.String(), `"route":"POST /connectors"`) {
		t.Errorf("logs lack the per-request line (so the check above proves nothing): %s", e.logs.String())
	}
	for i, b := range e.persisted() {
		check(fmt.Sprintf("stored record or file %d", i), b)
	}
}
