package workflow

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/webhook"
)

// Channels a message step may name.
var channels = map[string]bool{"email": true, "sms": true, "push": true, "webpush": true, "viber": true, "telegram": true, "inapp": true}

// MaxSteps bounds the steps of one workflow, nested ones included.
const MaxSteps = 100

// Checks are what validating a workflow needs from the outside.
type Checks struct {
	// Webhook returns the webhook a step names (deleted ones too, so the error can say so).
	Webhook func(ctx context.Context, id string) (webhook.Webhook, error)
	// Template reports a template syntax error (with line and column) or nil.
	Template func(name, src string) error
}

// Validate checks a workflow before it is saved: a name, a trigger event type, unique
// step ids, webhook steps naming active webhooks, condition patterns that compile,
// templates that parse. Every problem names the step by JSON pointer and id.
func Validate(ctx context.Context, f webhook.Workflow, c Checks) error {
	verr := &webhook.ValidationError{What: "workflow"}
	if strings.TrimSpace(f.Name) == "" {
		verr.Add("/name", "A workflow name is required.")
	}
	if strings.TrimSpace(f.Trigger.EventType) == "" {
		verr.Add("/trigger/eventType", "Name the event type that starts the workflow, e.g. \"order_created\".")
	}
	if len(f.Steps) == 0 {
		verr.Add("/steps", "A workflow needs at least one step.")
	}
	v := &validator{ctx: ctx, c: c, verr: verr, ids: map[string]string{}}
	if err := v.steps("/steps", f.Steps, 0); err != nil {
		return err
	}
	if v.count > MaxSteps {
		verr.Add("/steps", fmt.Sprintf("The workflow has %d steps; the limit is %d.", v.count, MaxSteps))
	}
	return verr.Err()
}

type validator struct {
	ctx   context.Context
	c     Checks
	verr  *webhook.ValidationError
	ids   map[string]string // step id -> pointer of its first use
	count int
}

func (v *validator) steps(ptr string, steps []webhook.Step, depth int) error {
	if len(steps) == 0 {
		return nil // an absent branch is not a nesting level
	}
	if depth > 10 {
		v.add(ptr, "Conditions are nested more than 10 deep; flatten the workflow.")
		return nil
	}
	for i, s := range steps {
		if err := v.step(fmt.Sprintf("%s/%d", ptr, i), s, depth); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) step(ptr string, s webhook.Step, depth int) error {
	v.count++
	name := "step " + ptr
	switch {
	case s.ID == "":
		v.add(ptr+"/id", "Each step needs an id, unique in the workflow (it names the step in the run history).")
	case v.ids[s.ID] != "":
		v.add(ptr+"/id", fmt.Sprintf("The step id %q is used twice (also at %s); make it unique.", s.ID, v.ids[s.ID]))
	case len(s.ID) > 64 || strings.ContainsAny(s.ID, ":#/ \t\r\n"):
		v.add(ptr+"/id", "A step id is at most 64 characters without spaces, ':', '#' or '/'.")
	default:
		v.ids[s.ID] = ptr
		name = fmt.Sprintf("step %q", s.ID)
	}
	switch s.Type {
	case webhook.StepWebhook:
		if s.WebhookID == "" {
			v.add(ptr+"/webhookId", "A webhook step names the webhook to call (an id from GET /webhooks).")
		} else if v.c.Webhook != nil {
			w, err := v.c.Webhook(v.ctx, s.WebhookID)
			switch {
			case errors.Is(err, webhook.ErrNotFound):
				v.add(ptr+"/webhookId", fmt.Sprintf("%s names webhook %q, which does not exist.", name, s.WebhookID))
			case err != nil:
				return fmt.Errorf("validate workflow: get webhook %q: %w", s.WebhookID, err)
			case w.Deleted():
				v.add(ptr+"/webhookId", fmt.Sprintf("%s names webhook %q (%s), which is deleted; restore it or pick another.", name, s.WebhookID, w.Name))
			}
		}
		v.template(ptr+"/contact/id", name+" contact id", s.Contact.ID)
		v.template(ptr+"/contact/email", name+" contact email", s.Contact.Email)
		v.template(ptr+"/contact/phone", name+" contact phone", s.Contact.Phone)
		switch s.OnFailure {
		case "", webhook.OnFailureStop, webhook.OnFailureContinue:
		default:
			v.add(ptr+"/onFailure", `onFailure must be "stop" or "continue".`)
		}
	case webhook.StepCondition:
		switch {
		case s.Expression != "" && (s.Variable != "" || s.Pattern != ""):
			v.add(ptr, name+" has both an expression and a variable/pattern; use one.")
		case s.Expression != "":
			v.template(ptr+"/expression", name+" expression", "#if("+s.Expression+")1#end")
		case s.Variable == "":
			v.add(ptr+"/variable", name+" needs a variable (an event param or a webhook name) and a pattern, or an expression.")
		default:
			if _, err := regexp.Compile(s.Pattern); err != nil {
				v.add(ptr+"/pattern", fmt.Sprintf("%s: the pattern is not a valid regular expression (RE2 syntax): %v.", name, err))
			}
		}
		if err := v.steps(ptr+"/then", s.Then, depth+1); err != nil {
			return err
		}
		if err := v.steps(ptr+"/else", s.Else, depth+1); err != nil {
			return err
		}
	case webhook.StepMessage:
		if !channels[s.Channel] {
			v.add(ptr+"/channel", fmt.Sprintf("%s: channel must be one of email, sms, push, webpush, viber, telegram, inapp.", name))
		}
		if strings.TrimSpace(s.Body) == "" {
			v.add(ptr+"/body", name+" needs a body template.")
		}
		v.template(ptr+"/subject", name+" subject", s.Subject)
		v.template(ptr+"/body", name+" body", s.Body)
	default:
		v.add(ptr+"/type", fmt.Sprintf("%s: type must be \"webhook\", \"condition\" or \"message\", not %q.", name, s.Type))
	}
	if s.Type != webhook.StepCondition && (len(s.Then) > 0 || len(s.Else) > 0) {
		v.add(ptr+"/then", name+": only condition steps have then/else branches.")
	}
	return nil
}

// add records a problem at ptr; the detail is a sentence, so it starts with a capital
// (names like step "m1" start many of them).
func (v *validator) add(ptr, detail string) {
	if r, size := utf8.DecodeRuneInString(detail); unicode.IsLower(r) {
		detail = string(unicode.ToUpper(r)) + detail[size:]
	}
	v.verr.Add(ptr, detail)
}

func (v *validator) template(ptr, what, src string) {
	if src == "" || v.c.Template == nil {
		return
	}
	if err := v.c.Template(what, src); err != nil {
		v.add(ptr, fmt.Sprintf("The %s does not parse: %v.", what, strings.TrimSuffix(err.Error(), ".")))
	}
}
