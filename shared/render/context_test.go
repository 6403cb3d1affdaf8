package render

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/webhook"
)

// tool is a stand-in tool object.
type tool struct{ name string }

func (t tool) Method(name string, args []any) (any, error) {
	if name == "toString" {
		return "tool " + t.name, nil
	}
	return t.name, nil
}

func TestContextLookupOrder(t *testing.T) {
	in := Input{
		Contact: &webhook.Contact{ID: "c_1", Email: "ann@example.com", Phone: "+380501234567",
			Fields: map[string]json.RawMessage{"TOWN": json.RawMessage(`"Kyiv"`), "esc": json.RawMessage(`"field"`),
				"orderId": json.RawMessage(`"from contact"`), "PERSONAL.GENDER": json.RawMessage(`"F"`), "WH4": json.RawMessage(`"contact"`)}},
		Params:    []webhook.Param{{Name: "orderId", Value: json.RawMessage(`"A-17"`)}, {Name: "mathTool", Value: json.RawMessage(`"param"`)}, {Name: "WH4", Value: json.RawMessage(`"param"`)}},
		Responses: []Response{{Name: "WH4", Data: json.RawMessage(`{"tier": "vip"}`)}, {Name: "not an id", Data: json.RawMessage(`1`)}},
		RunID:     "r_1",
		Tools:     map[string]any{"esc": tool{"esc"}, "mathTool": tool{"math"}, "dateTool": tool{"date"}},
	}
	tests := []struct{ tmpl, want string }{
		{"$orderId", "A-17"},                          // params before contact fields
		{"$ORDERID", "from contact"},                  // params are case-sensitive, fields are not
		{"$town $Town $TOWN", "Kyiv Kyiv Kyiv"},       // contact fields ignore case
		{"$esc", "field"},                             // contact fields before tools
		{"$mathTool", "param"},                        // params before tools
		{"$dateTool", "tool date"},                    // tools last
		{"$WH4", "param"},                             // params before responses at the top level
		{"$data.get('WH4').tier", "vip"},              // responses before params in $data
		{"$data.get('orderId')", "A-17"},              // params before contact fields in $data
		{"$data.get('not an id')", "1"},               // any response name in $data
		{"$personal.GENDER $PERSONAL.GENDER", "F F"},  // a list key is a map of its fields
		{"$contactId $workflowInstanceId", "c_1 r_1"}, // run variables
		{"$EMAIL $SMS $phone", "ann@example.com +380501234567 +380501234567"},
		{"$contact.email", "ann@example.com"},
	}
	for _, mk := range contextMakers {
		rc, err := mk.make(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(mk.name+"/"+tt.tmpl, func(t *testing.T) {
				c, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: &webhook.Body{Format: "text", Template: tt.tmpl}})
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.Build(context.Background(), rc)
				if err != nil {
					t.Fatal(err)
				}
				if string(got.Body) != tt.want {
					t.Errorf("%s = %q, want %q", tt.tmpl, got.Body, tt.want)
				}
			})
		}
	}
}

// contextMakers are the two ways to build a Context; tests of what a render sees run
// on both.
var contextMakers = []struct {
	name string
	make func(Input) (*Context, error)
}{{"NewContext", NewContext}, {"NewLazyContext", NewLazyContext}}

func TestContextShadowing(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		tmpl string
		want string
	}{
		{"a param named data does not hide $data",
			Input{Params: []webhook.Param{{Name: "data", Value: json.RawMessage(`"param"`)}}},
			"$data.get('data')", "param"},
		{"a response named contact hides $contact",
			Input{Contact: &webhook.Contact{ID: "c_1"}, Responses: []Response{{Name: "contact", Data: json.RawMessage(`{"id": "from response"}`)}}},
			"$contact.id", "from response"},
		{"a param named contactId hides $contactId but not $contact.id",
			Input{Contact: &webhook.Contact{ID: "c_1"}, Params: []webhook.Param{{Name: "contactId", Value: json.RawMessage(`"p"`)}}},
			"$contactId $contact.id", "p c_1"},
		{"a contact field named data does not hide $data",
			Input{Contact: &webhook.Contact{ID: "c_1", Fields: map[string]json.RawMessage{"DATA": json.RawMessage(`"field"`)}}},
			"$data.get('DATA') $DATA", "field field"},
		{"no contact, no $contact",
			Input{}, "$!contact|$!contactId", "|"},
		{"a field named phone hides the phone alias",
			Input{Contact: &webhook.Contact{ID: "c_1", Phone: "+380501234567", Fields: map[string]json.RawMessage{"phone": json.RawMessage(`"field"`)}}},
			"$phone $SMS", "field +380501234567"},
		{"a list key hides the field it sorts after, not the one after it",
			Input{Contact: &webhook.Contact{ID: "c_1", Fields: map[string]json.RawMessage{"PERSONAL": json.RawMessage(`"whole"`),
				"PERSONAL.GENDER": json.RawMessage(`"F"`), "Personal.AGE": json.RawMessage(`30`)}}},
			"$PERSONAL|$personal.GENDER|$Personal.AGE", "{GENDER=F, AGE=30}|F|30"},
		{"a later field of the same name hides a list key",
			Input{Contact: &webhook.Contact{ID: "c_1", Fields: map[string]json.RawMessage{"PERSONAL.GENDER": json.RawMessage(`"F"`), "personal": json.RawMessage(`"lower"`)}}},
			"$PERSONAL", "lower"},
	}
	for _, mk := range contextMakers {
		for _, tt := range tests {
			t.Run(mk.name+"/"+tt.name, func(t *testing.T) {
				rc, err := mk.make(tt.in)
				if err != nil {
					t.Fatal(err)
				}
				got, err := build(t, webhook.Webhook{Body: jsonBody("text", tt.tmpl)}, rc)
				if err != nil {
					t.Fatal(err)
				}
				if string(got.Body) != tt.want {
					t.Errorf("%s = %q, want %q", tt.tmpl, got.Body, tt.want)
				}
			})
		}
	}
}

// TestContextSharedByRenders renders with one Context from several goroutines: $data
// and $contact are built once, on first use, whoever asks first.
func TestContextSharedByRenders(t *testing.T) {
	rc := in(t, map[string]string{"q": `"x"`})
	c, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: jsonBody("text", "$data.get('q') $contact.email $data.get('TOWN')")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Build(context.Background(), rc)
			if err != nil || string(got.Body) != "x ann@example.com Kyiv \"Center\"\n" {
				t.Errorf("got %q, %v", got.Body, err)
			}
		}()
	}
	wg.Wait()
}

// TestLazyContextSharedByRenders renders with one lazy Context from several goroutines
// that all decode the same values first: every render sees them whole.
func TestLazyContextSharedByRenders(t *testing.T) {
	rc, err := NewLazyContext(Input{Params: []webhook.Param{{Name: "v", Value: json.RawMessage(`[1.5, {"a": "x\u00e9"}]`)}},
		Contact: &webhook.Contact{ID: "c_1", Fields: map[string]json.RawMessage{"F": json.RawMessage(`{"k": 2.0}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/", Body: jsonBody("json", `{"v": $v, "f": $F, "d": $data.get('F').k}`)})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"v": [1.5,{"a":"xé"}], "f": {"k":2.0}, "d": 2.0}`
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Build(context.Background(), rc)
			if err != nil || string(got.Body) != want {
				t.Errorf("got %s, %v; want %s", got.Body, err, want)
			}
		}()
	}
	wg.Wait()
}

// TestLazyContextRelease builds with lazy contexts that are released and reused: what
// a build made stays whole, and a reused Context sees only its own input.
func TestLazyContextRelease(t *testing.T) {
	c, err := Compile(webhook.Webhook{Method: "POST", URL: "https://x.example/$v", Headers: []webhook.Pair{{Name: "X-F", Value: "$F"}},
		Body: jsonBody("json", `{"v": "$v", "o": $o, "f": "$!F", "g": "$!G"}`)})
	if err != nil {
		t.Fatal(err)
	}
	inputs := []Input{
		{Params: []webhook.Param{{Name: "v", Value: json.RawMessage(`"first"`)}, {Name: "o", Value: json.RawMessage(`[1, 2.5]`)}},
			Contact: &webhook.Contact{ID: "c_1", Fields: map[string]json.RawMessage{"F": json.RawMessage(`"f1"`), "G": json.RawMessage(`"g1"`)}}},
		{Params: []webhook.Param{{Name: "v", Value: json.RawMessage(`"second"`)}, {Name: "o", Value: json.RawMessage(`{"k":true}`)},
			{Name: "F", Value: json.RawMessage(`"param"`)}}},
	}
	want := []string{`{"v": "first", "o": [1,2.5], "f": "f1", "g": "g1"}`, `{"v": "second", "o": {"k":true}, "f": "param", "g": ""}`}
	var built []Built
	for round := range 3 {
		for i, in := range inputs {
			rc, err := NewLazyContext(in)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.Build(context.Background(), rc)
			rc.Release()
			if err != nil {
				t.Fatal(err)
			}
			if string(b.Body) != want[i] {
				t.Errorf("round %d input %d: got %s, want %s", round, i, b.Body, want[i])
			}
			built = append(built, b)
		}
	}
	for i, b := range built {
		if string(b.Body) != want[i%2] {
			t.Errorf("build %d changed after its context was released: %s", i, b.Body)
		}
	}
}
