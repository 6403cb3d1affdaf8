package httpapi

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	e := newEnv(t)
	mustStatus(t, e.admin("POST", "/contacts", map[string]any{"email": "ann@example.com",
		"fields": map[string]any{"FIRSTNAME": "Ann", "TOWN": "Kyiv", "PERSONAL.GENDER": "F", "PERSONAL.BONUS": 100}}), 201)
	event := map[string]any{"eventTypeKey": "order", "params": []map[string]any{{"name": "orderId", "value": "A-17"}, {"name": "total", "value": 990}}}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		want   string // output, or a fragment of the problem
		line   float64
	}{
		{"promo code from data", map[string]any{"template": "Your code: $data.get('WH5').get('promocode')", "data": map[string]any{"WH5": map[string]any{"promocode": "SPRING-7Q2X"}}},
			200, "Your code: SPRING-7Q2X", 0},
		{"contact fields ignore case", map[string]any{"template": "Hi ${firstName} from $TOWN ($PERSONAL.GENDER, $data.get('PERSONAL.BONUS'))", "contact": map[string]string{"email": "ANN@example.com"}},
			200, "Hi Ann from Kyiv (F, 100)", 0},
		{"event params keep exact numbers", map[string]any{"template": "$orderId: $total / $data.total", "event": event}, 200, "A-17: 990 / 990", 0},
		{"unset reference prints itself", map[string]any{"template": "Hello $nobody!"}, 200, "Hello $nobody!", 0},
		{"response as top-level variable", map[string]any{"template": "$WH5.promocode", "data": map[string]any{"WH5": map[string]any{"promocode": "X1"}}}, 200, "X1", 0},
		{"parse error with position", map[string]any{"template": "line one\n#if($a\n"}, 422, "template_error", 2},
		{"runtime error with position", map[string]any{"template": "ok\n\n$list.get(5)", "data": map[string]any{"x": 1}, "event": map[string]any{"eventTypeKey": "e", "params": map[string]any{"list": []int{1}}}}, 422, "template_error", 3},
		{"unknown contact", map[string]any{"template": "x", "contactId": "ct_missing"}, 404, "not_found", 0},
		{"two contacts", map[string]any{"template": "x", "contactId": "a", "contact": map[string]string{"email": "b@c.d"}}, 400, "/contact", 0},
		{"bad event", map[string]any{"template": "x", "event": map[string]any{"params": map[string]string{}}}, 400, "/event/eventTypeKey", 0},
		{"no template", map[string]any{"template": ""}, 400, "/template", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.admin("POST", "/render", tt.body)
			mustStatus(t, r, tt.status)
			if tt.status == 200 {
				if got := r.json(t)["output"]; got != tt.want {
					t.Errorf("output = %q, want %q", got, tt.want)
				}
				return
			}
			if !strings.Contains(string(r.Body), tt.want) {
				t.Errorf("problem %s does not mention %q", r.Body, tt.want)
			}
			if tt.line > 0 && r.json(t)["line"] != tt.line {
				t.Errorf("line = %v, want %v (%s)", r.json(t)["line"], tt.line, r.Body)
			}
		})
	}
}

func TestRenderTools(t *testing.T) {
	e := newEnv(t)
	mustStatus(t, e.admin("POST", "/contacts", map[string]any{"email": "tz@example.com", "fields": map[string]any{"TIMEZONE": "Europe/Kyiv"}}), 201)
	tests := []struct{ tpl, want string }{
		{"$mathTool.add(10, 4)", "14"},
		{"$numberTool.format('#.00', 1234.5)", "1234.50"},
		{"$dateTool.formatInContactTimezone('dd.MM.yyyy HH:mm', '2024-03-01T10:00:00Z')", "01.03.2024 12:00"},
		{"$esc.json('a\"b')", `a\"b`},
	}
	for _, tt := range tests {
		r := e.admin("POST", "/render", map[string]any{"template": tt.tpl, "contact": map[string]string{"email": "tz@example.com"}})
		mustStatus(t, r, 200)
		if got := r.json(t)["output"]; got != tt.want {
			t.Errorf("%s = %q, want %q", tt.tpl, got, tt.want)
		}
	}
}
