package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func validWebhook(name string) map[string]any {
	return map[string]any{
		"name": name, "description": "promo code by city", "method": "POST",
		"url":     "https://promo.example.com/codes?email=${email}",
		"params":  []map[string]string{{"name": "city", "value": "${TOWN}"}},
		"headers": []map[string]string{{"name": "X-Source", "value": "flowhook"}},
		"body":    map[string]string{"format": "json", "template": `{"city": "${TOWN}", "email": "${email}"}`},
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// TestWebhookValidation: each bad definition answers 400 problem+json naming the field
// by JSON pointer with a sentence containing the fix.
func TestWebhookValidation(t *testing.T) {
	e := newEnv(t)
	base := validWebhook("WH5")
	tests := []struct {
		name    string
		body    any
		status  int
		pointer string
		detail  string
	}{
		{"http URL", with(base, "url", "http://example.com"), 400, "/url", "HTTPS is required"},
		{"no scheme", with(base, "url", "promo.example.com/x"), 400, "/url", "https://"},
		{"no host", with(base, "url", "https:///path"), 400, "/url", "no host"},
		{"templated URL without host", with(base, "url", "https:///${path}"), 400, "/url", "no host"},
		{"missing URL", with(base, "url", nil), 400, "/url", "required"},
		{"missing name", with(base, "name", nil), 400, "/name", "required"},
		{"blank name", with(base, "name", "   "), 400, "/name", "required"},
		{"bad method", with(base, "method", "PUT"), 400, "/method", `"GET" or "POST"`},
		{"body on GET", with(base, "method", "GET"), 400, "/body", "GET request has no body"},
		{"bad body format", with(base, "body", map[string]string{"format": "yaml", "template": "a: b"}), 400, "/body/format", `"json", "xml" or "text"`},
		{"empty body template", with(base, "body", map[string]string{"format": "json", "template": " "}), 400, "/body/template", "empty"},
		{"timeout too small", with(base, "timeoutMs", 99), 400, "/timeoutMs", "between 100 and 30000"},
		{"timeout too large", with(base, "timeoutMs", 30001), 400, "/timeoutMs", "between 100 and 30000"},
		{"timeout not a number", with(base, "timeoutMs", "5s"), 400, "/timeoutMs", "whole number"},
		{"header name with space", with(base, "headers", []map[string]string{{"name": "X Bad", "value": "v"}}), 400, "/headers/0/name", "not a valid HTTP header name"},
		{"forbidden Host header", with(base, "headers", []map[string]string{{"name": "host", "value": "evil"}}), 400, "/headers/0/name", "cannot be set"},
		{"forbidden Content-Length", with(base, "headers", []map[string]string{{"name": "Content-Length", "value": "1"}}), 400, "/headers/0/name", "cannot be set"},
		{"forbidden Transfer-Encoding", with(base, "headers", []map[string]string{{"name": "Transfer-Encoding", "value": "chunked"}}), 400, "/headers/0/name", "cannot be set"},
		{"forbidden Connection", with(base, "headers", []map[string]string{{"name": "Connection", "value": "close"}}), 400, "/headers/0/name", "cannot be set"},
		{"header value with newline", with(base, "headers", []map[string]string{{"name": "X-A", "value": "a\r\nX-B: b"}}), 400, "/headers/0/value", "line breaks"},
		{"param header name invalid", with(base, "paramsInHeaders", true, "params", []map[string]string{{"name": "a:b", "value": "1"}}), 400, "/params/0/name", "not a valid HTTP header name"},
		{"missing connector", with(base, "auth", map[string]string{"connectorId": "c_nope"}), 400, "/auth/connectorId", "No connector"},
		{"bad onFailure", with(base, "onFailure", "retry"), 400, "/onFailure", `"stop" or "continue"`},
		{"bad maxAttempts", with(base, "retry", map[string]int{"maxAttempts": 9}), 400, "/retry/maxAttempts", "between 1"},
		{"unknown field", with(base, "colour", "red"), 400, "/colour", "not known"},
		{"unknown nested field", with(base, "body", map[string]string{"format": "json", "template": "{}", "fmt": "x"}), 400, "/body/fmt", "not known"},
		{"case-changed field is unknown", with(base, "URL", "https://x.example"), 400, "/URL", "not known"},
		{"not JSON", "{", 400, "", "not valid JSON"},
		{"array body", "[]", 400, "", "JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.admin("POST", "/webhooks", tt.body)
			if r.Status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != ProblemContentType {
				t.Errorf("Content-Type = %q, want %q", ct, ProblemContentType)
			}
			p := r.json(t)
			if tt.pointer != "" {
				errs, _ := p["errors"].([]any)
				if len(errs) == 0 {
					t.Fatalf("no errors[] in %s", r.Body)
				}
				first := errs[0].(map[string]any)
				if first["pointer"] != tt.pointer {
					t.Errorf("errors[0].pointer = %v, want %q (%s)", first["pointer"], tt.pointer, r.Body)
				}
				if d, _ := first["detail"].(string); !strings.Contains(d, tt.detail) {
					t.Errorf("errors[0].detail = %q, want it to contain %q", d, tt.detail)
				}
			} else if d, _ := p["detail"].(string); !strings.Contains(d, tt.detail) {
				t.Errorf("detail = %q, want it to contain %q", d, tt.detail)
			}
			if p["code"] == nil || p["status"] != float64(tt.status) {
				t.Errorf("problem lacks code/status: %s", r.Body)
			}
		})
	}
	// Nothing was stored by any of them.
	if r := e.admin("GET", "/webhooks", nil); !strings.Contains(string(r.Body), `"items":[]`) {
		t.Errorf("refused webhooks were stored: %s", r.Body)
	}
}

func TestWebhookBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	big := with(validWebhook("big"), "description", strings.Repeat("x", MaxBodyBytes))
	r := e.admin("POST", "/webhooks", big)
	mustStatus(t, r, http.StatusRequestEntityTooLarge)
}

// TestWebhookLifecycle covers create, get with ETag, update with If-Match (stale → 409,
// missing → 428), soft delete, the deleted list, and restore with the same id.
func TestWebhookLifecycle(t *testing.T) {
	e := newEnv(t)
	r := e.admin("POST", "/webhooks", validWebhook("WH5"))
	mustStatus(t, r, 201)
	id := r.id(t)
	tag := r.Header.Get("ETag")
	if tag != `"1"` {
		t.Fatalf("ETag = %q, want \"1\"", tag)
	}
	got := e.admin("GET", "/webhooks/"+id, nil)
	mustStatus(t, got, 200)
	m := got.json(t)
	if m["name"] != "WH5" || m["timeoutMs"] != float64(5000) || m["onFailure"] != "stop" || m["deletedAt"] != nil {
		t.Errorf("defaults not applied: %s", got.Body)
	}
	if retry := m["retry"].(map[string]any); retry["maxAttempts"] != float64(1) {
		t.Errorf("POST default maxAttempts = %v, want 1", retry["maxAttempts"])
	}

	upd := with(validWebhook("WH5"), "description", "changed")
	mustStatus(t, e.admin("PUT", "/webhooks/"+id, upd), http.StatusPreconditionRequired)
	r = e.admin("PUT", "/webhooks/"+id, upd, "If-Match", tag)
	mustStatus(t, r, 200)
	if r.Header.Get("ETag") != `"2"` || r.json(t)["description"] != "changed" {
		t.Fatalf("update: ETag %q body %s", r.Header.Get("ETag"), r.Body)
	}
	mustStatus(t, e.admin("PUT", "/webhooks/"+id, upd, "If-Match", tag), http.StatusConflict)
	mustStatus(t, e.admin("PUT", "/webhooks/"+id, upd, "If-Match", "nonsense"), http.StatusBadRequest)

	// A second active webhook may not take the name.
	mustStatus(t, e.admin("POST", "/webhooks", validWebhook("WH5")), http.StatusConflict)

	mustStatus(t, e.admin("DELETE", "/webhooks/"+id, nil), http.StatusNoContent)
	mustStatus(t, e.admin("DELETE", "/webhooks/"+id, nil), http.StatusNotFound)
	if l := e.admin("GET", "/webhooks", nil); strings.Contains(string(l.Body), id) {
		t.Errorf("deleted webhook listed as active: %s", l.Body)
	}
	if l := e.admin("GET", "/webhooks?deleted=true", nil); !strings.Contains(string(l.Body), id) {
		t.Errorf("deleted webhook missing from ?deleted=true: %s", l.Body)
	}
	mustStatus(t, e.admin("GET", "/webhooks/"+id, nil), 200) // still readable, with deletedAt
	// Changing a deleted webhook is a conflict that names the way out, as testing one is.
	r = e.admin("PUT", "/webhooks/"+id, upd, "If-Match", `"3"`)
	checkProblem(t, r, http.StatusConflict, "", "restore it with POST /webhooks/"+id+"/restore")

	// The name is free while deleted; restore is refused while another webhook holds it.
	other := e.admin("POST", "/webhooks", validWebhook("WH5"))
	mustStatus(t, other, 201)
	mustStatus(t, e.admin("POST", "/webhooks/"+id+"/restore", nil), http.StatusConflict)
	mustStatus(t, e.admin("DELETE", "/webhooks/"+other.id(t), nil), http.StatusNoContent)

	r = e.admin("POST", "/webhooks/"+id+"/restore", nil)
	mustStatus(t, r, 200)
	if r.id(t) != id || r.json(t)["deletedAt"] != nil {
		t.Fatalf("restore changed the id or kept deletedAt: %s", r.Body)
	}
	if l := e.admin("GET", "/webhooks", nil); !strings.Contains(string(l.Body), id) {
		t.Errorf("restored webhook not active: %s", l.Body)
	}
	// Restoring an active webhook: there is no deleted webhook with that id.
	mustStatus(t, e.admin("POST", "/webhooks/"+id+"/restore", nil), http.StatusNotFound)
	mustStatus(t, e.admin("GET", "/webhooks/w_missing", nil), http.StatusNotFound)
}

// TestConcurrentUpdates: two PUTs with the same If-Match race; exactly one wins, the
// other gets 409, and the stored webhook is the winner's.
func TestConcurrentUpdates(t *testing.T) {
	e := newEnv(t)
	r := e.admin("POST", "/webhooks", validWebhook("race"))
	mustStatus(t, r, 201)
	id, tag := r.id(t), r.Header.Get("ETag")
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.admin("PUT", "/webhooks/"+id, with(validWebhook("race"), "description", fmt.Sprint("writer ", i)), "If-Match", tag).Status
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		winner := -1
		for i, s := range statuses {
			switch s {
			case 200:
				ok++
				winner = i
			case 409:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
		g := e.admin("GET", "/webhooks/"+id, nil)
		if d := g.json(t)["description"]; d != fmt.Sprint("writer ", winner) {
			t.Fatalf("round %d: stored description %v, want the winner's (writer %d)", round, d, winner)
		}
		tag = g.Header.Get("ETag")
	}
}

func TestWebhookPaging(t *testing.T) {
	e := newEnv(t)
	const n = 7
	want := map[string]bool{}
	for i := range n {
		r := e.admin("POST", "/webhooks", with(validWebhook(fmt.Sprint("wh", i))))
		mustStatus(t, r, 201)
		want[r.id(t)] = true
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("paging does not end")
		}
		r := e.admin("GET", "/webhooks?limit=3&cursor="+cursor, nil)
		mustStatus(t, r, 200)
		m := r.json(t)
		for _, it := range m["items"].([]any) {
			id := it.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("%s listed twice", id)
			}
			seen[id] = true
		}
		c, _ := m["nextCursor"].(string)
		if c == "" {
			break
		}
		cursor = c
	}
	if len(seen) != n {
		t.Fatalf("saw %d webhooks across pages, want %d", len(seen), n)
	}
	mustStatus(t, e.admin("GET", "/webhooks?limit=0", nil), 400)
	mustStatus(t, e.admin("GET", "/webhooks?limit=abc", nil), 400)
	mustStatus(t, e.admin("GET", "/webhooks?cursor=forged!!", nil), 400)
	mustStatus(t, e.admin("GET", "/webhooks?deleted=maybe", nil), 400)
}
