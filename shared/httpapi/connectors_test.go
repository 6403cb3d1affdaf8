package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

func TestConnectorValidation(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		body    map[string]any
		pointer string
		detail  string
	}{
		{"missing type", map[string]any{"name": "c"}, "/type", "required"},
		{"bad type", map[string]any{"name": "c", "type": "oauth"}, "/type", `"basic", "bearer" or "apiKey"`},
		{"missing name", map[string]any{"type": "bearer", "token": "t"}, "/name", "required"},
		{"bearer without token", map[string]any{"name": "c", "type": "bearer"}, "/token", "required"},
		{"bearer with password", map[string]any{"name": "c", "type": "bearer", "token": "tok-1234", "password": "p"}, "/password", "no password"},
		{"basic without login", map[string]any{"name": "c", "type": "basic", "password": "p"}, "/login", "login is required"},
		{"basic login with colon", map[string]any{"name": "c", "type": "basic", "login": "a:b", "password": "p"}, "/login", "':'"},
		{"basic without password", map[string]any{"name": "c", "type": "basic", "login": "u"}, "/password", "required"},
		{"apiKey bad placement", map[string]any{"name": "c", "type": "apiKey", "key": "key-1234", "in": "cookie"}, "/in", `"header" or "query"`},
		{"apiKey bad header name", map[string]any{"name": "c", "type": "apiKey", "key": "key-1234", "keyName": "X Key"}, "/keyName", "not a valid HTTP header name"},
		{"empty secret", map[string]any{"name": "c", "type": "bearer", "token": ""}, "/token", "cannot be empty"},
		{"secret with newline", map[string]any{"name": "c", "type": "bearer", "token": "ab\ncd"}, "/token", "line breaks"},
		{"secret too short to mask", map[string]any{"name": "c", "type": "basic", "login": "u", "password": "pw"}, "/password", "shorter than"},
		{"unknown field", map[string]any{"name": "c", "type": "bearer", "token": "tok-1234", "scope": "x"}, "/scope", "not known"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.admin("POST", "/connectors", tt.body)
			mustStatus(t, r, 400)
			errs, _ := r.json(t)["errors"].([]any)
			if len(errs) == 0 {
				t.Fatalf("no errors[]: %s", r.Body)
			}
			first := errs[0].(map[string]any)
			if first["pointer"] != tt.pointer || !strings.Contains(first["detail"].(string), tt.detail) {
				t.Errorf("errors[0] = %v, want pointer %q and detail containing %q", first, tt.pointer, tt.detail)
			}
		})
	}
}

// TestConnectorLifecycle: each type's secret comes back masked; updates keep or replace
// the secret; a connector used by an active webhook cannot be deleted, and the refusal
// names the webhook; once the webhook is deleted, the connector can go.
func TestConnectorLifecycle(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		body     map[string]any
		maskedAt string
	}{
		{map[string]any{"name": "crm", "type": "bearer", "token": "tok-123456"}, "token"},
		{map[string]any{"name": "shop", "type": "apiKey", "key": "key-123456", "in": "query", "keyName": "api_key"}, "key"},
		{map[string]any{"name": "legacy", "type": "basic", "login": "ann", "password": "pw-123456"}, "password"},
	}
	var bearerID string
	for _, c := range cases {
		r := e.admin("POST", "/connectors", c.body)
		mustStatus(t, r, 201)
		m := r.json(t)
		if m[c.maskedAt] != Mask {
			t.Errorf("%s: %s = %v, want the mask", c.body["name"], c.maskedAt, m[c.maskedAt])
		}
		if m["secretUpdatedAt"] == nil {
			t.Errorf("%s: no secretUpdatedAt", c.body["name"])
		}
		if c.body["type"] == "bearer" {
			bearerID = r.id(t)
		}
	}
	if r := e.admin("GET", "/connectors/"+bearerID, nil); r.json(t)["token"] != Mask {
		t.Fatalf("GET shows the token: %s", r.Body)
	}
	// Update without the secret keeps it; with it replaces it.
	r := e.admin("PUT", "/connectors/"+bearerID, map[string]any{"name": "crm2", "type": "bearer"})
	mustStatus(t, r, 200)
	c, err := e.store.GetConnector(t.Context(), bearerID)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := e.secrets.Get(t.Context(), c.SecretRef); err != nil || v != "tok-123456" {
		t.Fatalf("secret after a name-only update = %q, %v; want it kept", v, err)
	}
	mustStatus(t, e.admin("PUT", "/connectors/"+bearerID, map[string]any{"name": "crm2", "type": "bearer", "token": "tok-new"}), 200)
	if v, _ := e.secrets.Get(t.Context(), c.SecretRef); v != "tok-new" {
		t.Fatalf("secret after update = %q, want tok-new", v)
	}
	mustStatus(t, e.admin("PUT", "/connectors/"+bearerID, map[string]any{"name": "crm2", "type": "basic", "login": "x"}), 400)
	mustStatus(t, e.admin("PUT", "/connectors/"+bearerID, map[string]any{"name": "crm2", "type": "bearer"}, "If-Match", `"1"`), http.StatusConflict)

	w := e.admin("POST", "/webhooks", with(validWebhook("uses-crm"), "auth", map[string]string{"connectorId": bearerID}))
	mustStatus(t, w, 201)
	del := e.admin("DELETE", "/connectors/"+bearerID, nil)
	mustStatus(t, del, http.StatusConflict)
	if !strings.Contains(string(del.Body), "uses-crm") {
		t.Errorf("409 does not name the webhook: %s", del.Body)
	}
	mustStatus(t, e.admin("DELETE", "/webhooks/"+w.id(t), nil), 204)
	mustStatus(t, e.admin("DELETE", "/connectors/"+bearerID, nil), 204)
	mustStatus(t, e.admin("GET", "/connectors/"+bearerID, nil), 404)
	if _, err := e.secrets.Get(t.Context(), c.SecretRef); err == nil {
		t.Error("the secret outlived its connector")
	}
	// The deleted webhook can no longer be restored: its connector is gone.
	mustStatus(t, e.admin("POST", "/webhooks/"+w.id(t)+"/restore", nil), http.StatusConflict)
}
