package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// nested returns a condition step whose then branch nests depth-1 more conditions,
// ending in a message.
func nested(depth int) webhook.Step {
	if depth == 0 {
		return webhook.Step{ID: "m", Type: webhook.StepMessage, Channel: "email", Body: "hi"}
	}
	return webhook.Step{ID: fmt.Sprintf("c%d", depth), Type: webhook.StepCondition, Variable: "tier", Pattern: "vip",
		Then: []webhook.Step{nested(depth - 1)}}
}

func TestValidate(t *testing.T) {
	hooks := map[string]webhook.Webhook{
		"w_live": {ID: "w_live", Name: "WH5"},
		"w_gone": {ID: "w_gone", Name: "old", DeletedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
	}
	checks := Checks{
		Webhook: func(_ context.Context, id string) (webhook.Webhook, error) {
			if w, ok := hooks[id]; ok {
				return w, nil
			}
			return webhook.Webhook{}, webhook.ErrNotFound
		},
		Template: func(name, src string) error {
			if strings.Contains(src, "#if(") && !strings.Contains(src, "#end") {
				return errors.New(name + ":1:1: #if without #end")
			}
			return nil
		},
	}
	msg := webhook.Step{ID: "m1", Type: webhook.StepMessage, Channel: "email", Body: "Code: $data.WH5.promocode"}
	flow := func(steps ...webhook.Step) webhook.Workflow {
		return webhook.Workflow{Name: "f", Trigger: webhook.Trigger{EventType: "order"}, Steps: steps}
	}
	many := make([]webhook.Step, MaxSteps+1)
	for i := range many {
		many[i] = webhook.Step{ID: fmt.Sprintf("m%d", i), Type: webhook.StepMessage, Channel: "email", Body: "x"}
	}
	cases := []struct {
		name    string
		f       webhook.Workflow
		pointer string // "" when the workflow is valid
		detail  string
	}{
		{"valid", flow(webhook.Step{ID: "wh", Type: webhook.StepWebhook, WebhookID: "w_live"}, msg), "", ""},
		{"no name", webhook.Workflow{Trigger: webhook.Trigger{EventType: "order"}, Steps: []webhook.Step{msg}}, "/name", "name is required"},
		{"no trigger", webhook.Workflow{Name: "f", Steps: []webhook.Step{msg}}, "/trigger/eventType", "event type"},
		{"no steps", flow(), "/steps", "at least one step"},
		{"missing webhook", flow(webhook.Step{ID: "wh", Type: webhook.StepWebhook, WebhookID: "w_nope"}), "/steps/0/webhookId", "does not exist"},
		{"deleted webhook", flow(webhook.Step{ID: "wh", Type: webhook.StepWebhook, WebhookID: "w_gone"}), "/steps/0/webhookId", "restore it"},
		{"bad onFailure", flow(webhook.Step{ID: "wh", Type: webhook.StepWebhook, WebhookID: "w_live", OnFailure: "retry"}), "/steps/0/onFailure", "stop"},
		{"bad pattern", flow(webhook.Step{ID: "c", Type: webhook.StepCondition, Variable: "WH5", Pattern: "(vip"}), "/steps/0/pattern", "Step \"c\": the pattern"},
		{"expression and pattern", flow(webhook.Step{ID: "c", Type: webhook.StepCondition, Variable: "WH5", Pattern: "x", Expression: "$a"}), "/steps/0", "use one"},
		{"bad channel starts a sentence", flow(webhook.Step{ID: "m", Type: webhook.StepMessage, Channel: "fax", Body: "x"}), "/steps/0/channel", "Step \"m\": channel"},
		{"template error", flow(webhook.Step{ID: "m", Type: webhook.StepMessage, Channel: "email", Body: "#if($a)x"}), "/steps/0/body", "does not parse"},
		{"unknown type", flow(webhook.Step{ID: "s", Type: "sleep"}), "/steps/0/type", "Step \"s\": type must be"},
		{"branches on a message", flow(webhook.Step{ID: "m", Type: webhook.StepMessage, Channel: "email", Body: "x", Then: []webhook.Step{msg}}), "/steps/0/then", "only condition steps"},
		{"duplicate ids across branches", flow(webhook.Step{ID: "c", Type: webhook.StepCondition, Variable: "v", Pattern: "x",
			Then: []webhook.Step{msg}, Else: []webhook.Step{msg}}), "/steps/0/else/0/id", "used twice"},
		{"conditions 10 deep", flow(nested(10)), "", ""},
		// nested(11) puts its 11th condition's branch at /steps/0 and ten /then/0 more.
		{"conditions 11 deep", flow(nested(11)), "/steps/0" + strings.Repeat("/then/0", 10) + "/then", "nested more than 10"},
		{"too many steps", flow(many...), "/steps", "the limit is 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(t.Context(), tc.f, checks)
			if tc.pointer == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var verr *webhook.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate = %v, want a *webhook.ValidationError", err)
			}
			for _, fe := range verr.Errors {
				if fe.Pointer == tc.pointer {
					if !strings.Contains(fe.Detail, tc.detail) {
						t.Errorf("detail %q, want it to contain %q", fe.Detail, tc.detail)
					}
					return
				}
			}
			t.Errorf("errors %+v, want one at %s", verr.Errors, tc.pointer)
		})
	}
}
