package intake

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/contact"
	"github.com/flowhook/flowhook/shared/webhook"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantType   string
		wantParams string // name=value;… as JSON texts
		wantErr    string // a pointer that must be reported
	}{
		{name: "array params", body: `{"eventTypeKey":"order_created","keyValue":"ann@example.com","params":[{"name":"email","value":"ann@example.com"},{"name":"orderId","value":"A-17"}]}`,
			wantType: "order_created", wantParams: `email="ann@example.com";orderId="A-17"`},
		{name: "object params keep order and exact numbers", body: `{"eventTypeKey":"SubscriptionStarted","params":{"externalCustomerId":"a7c9","price":49.99,"n":12345678901234567890,"items":[{"p":1}]}}`,
			wantType: "SubscriptionStarted", wantParams: `externalCustomerId="a7c9";price=49.99;n=12345678901234567890;items=[{"p":1}]`},
		{name: "nested value in array form", body: `{"eventTypeKey":"x","params":[{"name":"Email","value":"a@b.c"},{"name":"json","value":{"a":[1,2]}}]}`,
			wantType: "x", wantParams: `Email="a@b.c";json={"a":[1,2]}`},
		{name: "keyValue alone identifies", body: `{"eventTypeKey":"x","keyValue":"+380 50 123 45 67"}`, wantType: "x"},
		{name: "missing type", body: `{"params":{"email":"a@b.c"}}`, wantErr: "/eventTypeKey"},
		{name: "empty type", body: `{"eventTypeKey":"  ","params":{"email":"a@b.c"}}`, wantErr: "/eventTypeKey"},
		{name: "forbidden character in type", body: `{"eventTypeKey":"a/b","params":{"email":"a@b.c"}}`, wantErr: "/eventTypeKey"},
		{name: "curly apostrophe in type", body: `{"eventTypeKey":"it’s","params":{"email":"a@b.c"}}`, wantErr: "/eventTypeKey"},
		{name: "type too long", body: `{"eventTypeKey":"` + strings.Repeat("a", 101) + `","params":{"email":"a@b.c"}}`, wantErr: "/eventTypeKey"},
		{name: "keyValue too long", body: `{"eventTypeKey":"x","keyValue":"` + strings.Repeat("k", 301) + `","params":{"email":"a@b.c"}}`, wantErr: "/keyValue"},
		{name: "forbidden character in keyValue", body: `{"eventTypeKey":"x","keyValue":"a,b","params":{"email":"a@b.c"}}`, wantErr: "/keyValue"},
		{name: "no identifier", body: `{"eventTypeKey":"x","params":[{"name":"orderId","value":"1"}]}`, wantErr: "/params"},
		{name: "null externalCustomerId is no identifier", body: `{"eventTypeKey":"x","params":{"externalCustomerId":"null"}}`, wantErr: "/params"},
		{name: "duplicate param", body: `{"eventTypeKey":"x","params":[{"name":"email","value":"a@b.c"},{"name":"email","value":"d@e.f"}]}`, wantErr: "/params/1/name"},
		{name: "param without value", body: `{"eventTypeKey":"x","params":[{"name":"email"}]}`, wantErr: "/params/0/value"},
		{name: "param with extra field", body: `{"eventTypeKey":"x","params":[{"name":"email","value":"a@b.c","x":1}]}`, wantErr: "/params/0"},
		{name: "params not array or object", body: `{"eventTypeKey":"x","params":"email"}`, wantErr: "/params"},
		{name: "unknown top-level field", body: `{"eventTypeKey":"x","params":{"email":"a@b.c"},"extra":1}`, wantErr: "/extra"},
		{name: "unknown field with a slash in its name", body: `{"eventTypeKey":"x","a/b":1}`, wantErr: "/a~1b"},
		{name: "type of the wrong JSON type", body: `{"eventTypeKey":5,"params":{"email":"a@b.c"}}`, wantErr: "/eventTypeKey"},
		{name: "keyValue of the wrong JSON type", body: `{"eventTypeKey":"x","keyValue":["a"]}`, wantErr: "/keyValue"},
		{name: "empty body", body: ``, wantErr: ""},
		{name: "cut short", body: `{"eventTypeKey":`, wantErr: ""},
		{name: "not JSON", body: `eventTypeKey=x`, wantErr: ""},
		{name: "an array", body: `[{"eventTypeKey":"x"}]`, wantErr: ""},
		{name: "two objects", body: `{"eventTypeKey":"x","keyValue":"a"} {"eventTypeKey":"y"}`, wantErr: ""},
		{name: "body over 20 KB", body: `{"eventTypeKey":"x","params":{"email":"a@b.c","pad":"` + strings.Repeat("x", 20<<10) + `"}}`, wantErr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Parse([]byte(tt.body))
			if tt.wantType == "" {
				var verr *webhook.ValidationError
				if !errors.As(err, &verr) {
					t.Fatalf("Parse error = %v, want a *webhook.ValidationError", err)
				}
				for _, fe := range verr.Errors {
					for _, internal := range []string{"json:", "Go value", "intake.body", "EOF"} {
						if strings.Contains(fe.Detail, internal) {
							t.Errorf("detail %q shows decoder internals (%q)", fe.Detail, internal)
						}
					}
				}
				for _, fe := range verr.Errors {
					if fe.Pointer == tt.wantErr {
						return
					}
				}
				t.Fatalf("errors = %+v, want one at %q", verr.Errors, tt.wantErr)
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if ev.TypeKey != tt.wantType {
				t.Errorf("TypeKey = %q, want %q", ev.TypeKey, tt.wantType)
			}
			var got []string
			for _, p := range ev.Params {
				got = append(got, p.Name+"="+string(p.Value))
			}
			if g := strings.Join(got, ";"); g != tt.wantParams {
				t.Errorf("params = %s, want %s", g, tt.wantParams)
			}
		})
	}
}

func TestIdentify(t *testing.T) {
	p := func(pairs ...string) []webhook.Param {
		var out []webhook.Param
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, webhook.Param{Name: pairs[i], Value: json.RawMessage(pairs[i+1])})
		}
		return out
	}
	tests := []struct {
		name string
		ev   webhook.Event
		want contact.Identity
	}{
		{"names ignore case", webhook.Event{Params: p("EMAILADDRESS", `"Ann@Example.com"`, "PhoneNumber", `"+380501234567"`)},
			contact.Identity{Email: "Ann@Example.com", Phone: "+380501234567"}},
		{"contact id as number", webhook.Event{Params: p("Contact_id", `623927159`)}, contact.Identity{ContactID: "623927159"}},
		{"first of each kind wins", webhook.Event{Params: p("email", `"a@b.c"`, "UserEmail", `"d@e.f"`)}, contact.Identity{Email: "a@b.c"}},
		{"blank external id ignored", webhook.Event{Params: p("externalCustomerId", `" "`, "sms", `"123"`)}, contact.Identity{Phone: "123"}},
		{"object values are not identifiers", webhook.Event{Params: p("email", `{"a":1}`)}, contact.Identity{}},
		{"keyValue email", webhook.Event{KeyValue: "ann@example.com"}, contact.Identity{Email: "ann@example.com"}},
		{"keyValue phone", webhook.Event{KeyValue: "+380 50 123 45 67"}, contact.Identity{Phone: "+380 50 123 45 67"}},
		{"keyValue other", webhook.Event{KeyValue: "87420539x"}, contact.Identity{ExternalID: "87420539x"}},
		{"params win over keyValue", webhook.Event{KeyValue: "k@v.w", Params: p("phone", `"555 1234 567"`)}, contact.Identity{Phone: "555 1234 567"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := Identify(tt.ev)
			if got != tt.want {
				t.Errorf("Identify = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRunIDStable(t *testing.T) {
	a, b := RunID("e_1", "f_1"), RunID("e_1", "f_1")
	if a != b || !strings.HasPrefix(a, webhook.PrefixRun) || len(a) != len(webhook.PrefixRun)+26 {
		t.Fatalf("RunID = %q and %q, want equal r_ + 26 chars", a, b)
	}
	if RunID("e_1", "f_2") == a || RunID("e_2", "f_1") == a {
		t.Fatal("RunID collides for different inputs")
	}
}

// FuzzParse: any input is either a valid event or a ValidationError; never a panic, and
// a valid event re-encodes to a body that parses to the same event.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"eventTypeKey":"order_created","params":[{"name":"email","value":"a@b.c"}]}`))
	f.Add([]byte(`{"eventTypeKey":"x","keyValue":"k","params":{"a":{"b":[1,2.5,"c"]}}}`))
	f.Add([]byte(`{"eventTypeKey":"x","params":[{"name":"","value":null}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := Parse(body)
		if err != nil {
			var verr *webhook.ValidationError
			if !errors.As(err, &verr) || len(verr.Errors) == 0 {
				t.Fatalf("error %v is not a ValidationError with errors", err)
			}
			return
		}
		params := make([]map[string]json.RawMessage, len(ev.Params))
		for i, p := range ev.Params {
			params[i] = map[string]json.RawMessage{"name": mustJSON(t, p.Name), "value": p.Value}
		}
		again, err := json.Marshal(map[string]any{"eventTypeKey": ev.TypeKey, "keyValue": ev.KeyValue, "params": params})
		if err != nil {
			t.Fatal(err)
		}
		ev2, err := Parse(again)
		if err != nil {
			if len(again) > MaxBodyBytes {
				return // re-encoding may grow the body past the limit
			}
			t.Fatalf("re-encoded event does not parse: %v\n%s", err, again)
		}
		if ev2.TypeKey != ev.TypeKey || len(ev2.Params) != len(ev.Params) {
			t.Fatalf("round trip changed the event: %+v vs %+v", ev, ev2)
		}
	})
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
