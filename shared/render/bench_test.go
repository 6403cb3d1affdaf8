package render

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/flowhook/flowhook/shared/webhook"
)

// benchInput and benchWebhook are the README's promo-code webhook with a few values,
// as shared/send's benchmarks send it.
func benchInput() Input {
	return Input{
		Contact: &webhook.Contact{ID: "c_01JBENCH", Email: "ann@example.com",
			Fields: map[string]json.RawMessage{"FIRSTNAME": json.RawMessage(`"Ann"`), "TOWN": json.RawMessage(`"Kyiv"`)}},
		Params: []webhook.Param{
			{Name: "email", Value: json.RawMessage(`"ann@example.com"`)},
			{Name: "orderId", Value: json.RawMessage(`"A-17"`)},
			{Name: "items", Value: json.RawMessage(`[{"sku":"S1","qty":2}]`)},
		},
		RunID: "r_01JBENCH",
	}
}

func benchWebhook() webhook.Webhook {
	return webhook.Webhook{ID: "w_01JBENCH", Version: 3, Name: "WH5", Method: webhook.MethodPost,
		URL:     "https://promo.example.com/codes?email=${email}",
		Params:  []webhook.Pair{{Name: "city", Value: "${TOWN}"}},
		Headers: []webhook.Pair{{Name: "X-Source", Value: "flowhook"}},
		Body: &webhook.Body{Format: webhook.FormatJSON,
			Template: `{"city": "${TOWN}", "email": "${email}", "name": "$firstName", "orderId": "$orderId", "items": $items}`},
		TimeoutMs: 5000}
}

func BenchmarkNewContext(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewContext(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	c, err := Compile(benchWebhook())
	if err != nil {
		b.Fatal(err)
	}
	rc, err := NewContext(benchInput())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Build(ctx, rc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewLazyContext(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		rc, err := NewLazyContext(in)
		if err != nil {
			b.Fatal(err)
		}
		rc.Release()
	}
}

// BenchmarkBuildLazy is BenchmarkBuild with a Context from NewLazyContext, made per
// build and released as a sender does: the values are written from their JSON text.
func BenchmarkBuildLazy(b *testing.B) {
	c, err := Compile(benchWebhook())
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rc, err := NewLazyContext(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Build(ctx, rc); err != nil {
			b.Fatal(err)
		}
		rc.Release()
	}
}
