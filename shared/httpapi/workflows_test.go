package httpapi

import (
	"strings"
	"testing"
)

// TestWorkflowValidation: a workflow is refused with the step named by pointer and id,
// template errors with their line and column, and nothing is stored.
func TestWorkflowValidation(t *testing.T) {
	e := newEnv(t)
	wh := e.admin("POST", "/webhooks", validWebhook("WH5"))
	mustStatus(t, wh, 201)
	whID := wh.id(t)
	deleted := e.admin("POST", "/webhooks", validWebhook("old"))
	mustStatus(t, deleted, 201)
	mustStatus(t, e.admin("DELETE", "/webhooks/"+deleted.id(t), nil), 204)
	msg := func(id, body string) map[string]any {
		return map[string]any{"id": id, "type": "message", "channel": "email", "subject": "Hi", "body": body}
	}
	flow := func(steps ...map[string]any) map[string]any {
		return map[string]any{"name": "f", "trigger": map[string]string{"eventType": "order"}, "steps": steps}
	}
	tests := []struct {
		name    string
		body    map[string]any
		pointer string
		detail  string
	}{
		{"message body does not parse", flow(msg("m1", "Hello\n#if($vip)VIP")), "/steps/0/body", "2:"},
		{"subject does not parse", flow(map[string]any{"id": "m1", "type": "message", "channel": "email", "subject": "#foreach($x)", "body": "x"}), "/steps/0/subject", "step \"m1\""},
		{"unknown webhook", flow(map[string]any{"id": "wh", "type": "webhook", "webhookId": "w_nope"}), "/steps/0/webhookId", "does not exist"},
		{"deleted webhook", flow(map[string]any{"id": "wh", "type": "webhook", "webhookId": deleted.id(t)}), "/steps/0/webhookId", "deleted"},
		{"bad regex", flow(map[string]any{"id": "c", "type": "condition", "variable": "WH5", "pattern": "(vip"}), "/steps/0/pattern", "regular expression"},
		{"duplicate step id", flow(msg("m1", "a"), msg("m1", "b")), "/steps/1/id", "used twice"},
		{"nested template error", flow(map[string]any{"id": "c", "type": "condition", "variable": "WH5", "pattern": "vip",
			"then": []map[string]any{msg("m2", "ok\n#end")}}), "/steps/0/then/0/body", "does not parse"},
		{"bad channel", flow(map[string]any{"id": "m", "type": "message", "channel": "fax", "body": "x"}), "/steps/0/channel", "channel"},
		{"no trigger", map[string]any{"name": "f", "trigger": map[string]string{}, "steps": []map[string]any{msg("m", "x")}}, "/trigger/eventType", "event type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.admin("POST", "/workflows", tt.body)
			mustStatus(t, r, 400)
			errs, _ := r.json(t)["errors"].([]any)
			for _, x := range errs {
				fe := x.(map[string]any)
				if fe["pointer"] == tt.pointer {
					if !strings.Contains(fe["detail"].(string), tt.detail) {
						t.Errorf("detail %q does not contain %q", fe["detail"], tt.detail)
					}
					return
				}
			}
			t.Errorf("no error at %s in %s", tt.pointer, r.Body)
		})
	}
	ok := e.admin("POST", "/workflows", flow(map[string]any{"id": "wh", "type": "webhook", "webhookId": whID}, msg("m1", "Code: $data.get('WH5').get('promocode')")))
	mustStatus(t, ok, 201)
	if l := e.admin("GET", "/workflows", nil); strings.Count(string(l.Body), `"id":"f_`) != 1 {
		t.Errorf("want exactly the valid workflow stored: %s", l.Body)
	}
}

// TestRunsOfADeletedWorkflow: a workflow's start history outlives the workflow (its runs
// stay until they expire, as GET /runs/{id} shows them); an id that never had a workflow
// or a run is still a 404.
func TestRunsOfADeletedWorkflow(t *testing.T) {
	e := newEnv(t)
	f := e.admin("POST", "/workflows", map[string]any{"name": "f", "trigger": map[string]string{"eventType": "order"},
		"steps": []map[string]any{{"id": "m", "type": "message", "channel": "email", "subject": "Hi", "body": "Hello"}}})
	mustStatus(t, f, 201)
	ev := e.do("POST", "/events", e.tokens.Ingest, map[string]any{"eventTypeKey": "order", "params": map[string]string{"email": "ann@example.com"}})
	mustStatus(t, ev, 202)
	runIDs, _ := ev.json(t)["runIds"].([]any)
	if len(runIDs) != 1 {
		t.Fatalf("runIds = %v, want one", runIDs)
	}
	mustStatus(t, e.admin("DELETE", "/workflows/"+f.id(t), nil), 204)
	idle := e.admin("POST", "/workflows", map[string]any{"name": "idle", "trigger": map[string]string{"eventType": "never"},
		"steps": []map[string]any{{"id": "m", "type": "message", "channel": "email", "subject": "Hi", "body": "Hello"}}})
	mustStatus(t, idle, 201)
	cases := []struct {
		name, path string
		status     int
		want       string
	}{
		{"the deleted workflow's runs", "/workflows/" + f.id(t) + "/runs", 200, runIDs[0].(string)},
		{"one of them", "/runs/" + runIDs[0].(string), 200, f.id(t)},
		{"a workflow that never was", "/workflows/f_nope/runs", 404, "f_nope"},
		{"a workflow that has not run yet", "/workflows/" + idle.id(t) + "/runs", 200, `"items":[]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.admin("GET", tc.path, nil)
			mustStatus(t, r, tc.status)
			if !strings.Contains(string(r.Body), tc.want) {
				t.Errorf("body %s does not contain %q", r.Body, tc.want)
			}
		})
	}
}
