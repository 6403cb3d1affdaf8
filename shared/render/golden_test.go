package render

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowhook/flowhook/shared/webhook"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenInput is the render input of the golden cases: a contact, an event and an
// earlier webhook response, with values that need escaping.
func goldenInput(t *testing.T, mk func(Input) (*Context, error)) *Context {
	t.Helper()
	c, err := mk(Input{
		Contact: &webhook.Contact{ID: "c_01JGOLDEN", Email: "ann@example.com", Phone: "+380501234567", ExternalCustomerID: "87420539",
			Fields: map[string]json.RawMessage{
				"FIRSTNAME":       json.RawMessage(`"Ann"`),
				"LASTNAME":        json.RawMessage(`"O'Neil & Sons"`),
				"TOWN":            json.RawMessage(`"Kyiv \"Center\"\n"`),
				"PERSONAL.GENDER": json.RawMessage(`"F"`),
				"SCORE":           json.RawMessage(`12345678901234567890`),
			}},
		Params: []webhook.Param{
			{Name: "email", Value: json.RawMessage(`"ann+promo@example.com"`)},
			{Name: "orderId", Value: json.RawMessage(`"A-17/2&x=1#top"`)},
			{Name: "total", Value: json.RawMessage(`990.0`)},
			{Name: "items", Value: json.RawMessage(`[{"sku": "S1", "qty": 2, "name": "Mug \"XL\""}, {"sku": "S2", "qty": 1, "name": "Tee </b>"}]`)},
		},
		Responses: []Response{{Name: "WH4", Data: json.RawMessage(`{"tier": "vip", "codes": ["A", "B"], "note": "]]>"}`)}},
		RunID:     "r_01JGOLDEN",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dump writes a built request as method, URL, headers, a blank line and the body.
func dump(b Built) string {
	var s strings.Builder
	s.WriteString(b.Method + " " + b.URL + "\n")
	for _, h := range b.Header {
		s.WriteString(h.Name + ": " + h.Value + "\n")
	}
	if b.ContentType != "" {
		s.WriteString("(Content-Type: " + b.ContentType + ")\n")
	}
	s.WriteString("\n")
	s.Write(b.Body)
	s.WriteString("\n")
	return s.String()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		w    webhook.Webhook
	}{
		{"readme-json", webhook.Webhook{Method: "POST", URL: "https://promo.example.com/codes?email=${email}",
			Params:  []webhook.Pair{{Name: "city", Value: "${TOWN}"}},
			Headers: []webhook.Pair{{Name: "X-Source", Value: "flowhook"}},
			Body:    &webhook.Body{Format: "json", Template: `{"city": "${TOWN}", "email": "${email}"}`}}},
		{"order-json", webhook.Webhook{Method: "POST", URL: "https://shop.example.com/orders/${orderId}/notify",
			Body: &webhook.Body{Format: "json", Template: `{
  "order": "$orderId",
  "total": $total,
  "score": $SCORE,
  "customer": {"name": "$firstName $lastName", "gender": "$PERSONAL.GENDER", "run": "$workflowInstanceId"},
  "items": $items,
  "skus": [#foreach($i in $items)#if($foreach.count > 1), #end"$i.sku"#end],
  "tier": "$data.get('WH4').get('tier')",
  "codes": $WH4.codes,
  "summary": "#foreach($i in $items)$i.qty x $i.name; #end"
}`}}},
		{"soap-xml", webhook.Webhook{Method: "POST", URL: "https://legacy.example.com/soap",
			Headers: []webhook.Pair{{Name: "SOAPAction", Value: "urn:notify#${orderId}"}},
			Body: &webhook.Body{Format: "xml", Template: `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/">
  <Body>
    <Notify order="$orderId" town="$TOWN">
      <Name>$FIRSTNAME $LASTNAME</Name>
      <Note><![CDATA[$WH4.note]]></Note>
      <Items>#foreach($i in $items)<Item sku="$i.sku">$i.name</Item>#end</Items>
      <Raw>$items</Raw>
    </Notify>
  </Body>
</Envelope>`}}},
		{"get-params-in-query", webhook.Webhook{Method: "GET", URL: "https://api.example.com/v2/lookup/${orderId}?fixed=1#frag",
			Params: []webhook.Pair{{Name: "email", Value: "$email"}, {Name: "name", Value: "$FIRSTNAME $LASTNAME"}, {Name: "town", Value: "$TOWN"}}}},
		{"get-params-in-headers", webhook.Webhook{Method: "GET", URL: "https://api.example.com/v2/lookup", ParamsInHeaders: true,
			Params:  []webhook.Pair{{Name: "X-Email", Value: "$email"}, {Name: "X-Name", Value: "$FIRSTNAME $LASTNAME"}},
			Headers: []webhook.Pair{{Name: "Accept", Value: "application/json"}}}},
		{"text-body", webhook.Webhook{Method: "POST", URL: "https://hooks.example.com/t",
			Body: &webhook.Body{Format: "text", Template: "Order $orderId for $TOWN: $items"}}},
	}
	for _, mk := range contextMakers {
		rc := goldenInput(t, mk.make)
		for _, tt := range tests {
			t.Run(mk.name+"/"+tt.name, func(t *testing.T) {
				c, err := Compile(tt.w)
				if err != nil {
					t.Fatal(err)
				}
				b, err := c.Build(context.Background(), rc)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "build", tt.name+".golden"), dump(b))
			})
		}
	}
}

// TestGoldenErrors keeps the sentences users read when a request cannot be built.
func TestGoldenErrors(t *testing.T) {
	cases := []webhook.Webhook{
		{Method: "POST", URL: "https://x.example/", Body: &webhook.Body{Format: "json", Template: `{"city": "$TOWN", "zip": "$POSTCODE"}`}},
		{Method: "POST", URL: "https://x.example/", Body: &webhook.Body{Format: "json", Template: "{\n  \"a\": $total\n  \"b\": 1\n}"}},
		{Method: "POST", URL: "https://x.example/", Body: &webhook.Body{Format: "json", Template: `{"items": [$items $items]}`}},
		{Method: "POST", URL: "https://x.example/", Body: &webhook.Body{Format: "xml", Template: `<a><$FIRSTNAME $LASTNAME/></a>`}},
		{Method: "GET", URL: "https://${TOWN}.example.com/"},
		{Method: "GET", URL: "https://x.example/", Headers: []webhook.Pair{{Name: "X-Town", Value: "$TOWN"}}},
		{Method: "GET", URL: "https://x.example/$!{nope}/../$nope"},
		{Method: "PUT", URL: "http://x.example/", Headers: []webhook.Pair{{Name: "Host", Value: "#if("}}},
	}
	for _, mk := range contextMakers {
		t.Run(mk.name, func(t *testing.T) {
			rc := goldenInput(t, mk.make)
			var out strings.Builder
			for _, w := range cases {
				c, err := Compile(w)
				if err == nil {
					_, err = c.Build(context.Background(), rc)
				}
				if err == nil {
					t.Fatalf("%+v built", w)
				}
				var es Errors
				if e, ok := err.(Errors); ok {
					es = e
				} else {
					es = Errors{err.(*Error)}
				}
				for _, e := range es {
					out.WriteString(e.Pointer + "\t" + e.Error() + "\n")
				}
			}
			golden(t, filepath.Join("testdata", "errors.golden"), out.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
