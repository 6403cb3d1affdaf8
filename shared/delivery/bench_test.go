package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// BenchmarkDeliver times the delivery path alone (guard, send, bounded read, decode,
// redact, record) against a local TLS server, for profiling this package. The figure
// that counts — the whole webhook call against a bare net/http client, 16 workers, as
// a ratio — is shared/send's (bench.sh there, run by make bench), whose SendPrepared
// benchmark is this path too.

const benchToken = "tok_5f4e3d2c1b0a99887766"

var benchBody = []byte(`{"city":"Kyiv","email":"ann@example.com","orderId":"A-17","items":[{"sku":"S1","qty":2}]}`)

var benchHeader = []webhook.Header{
	{Name: "User-Agent", Value: "Flowhook/1.0"},
	{Name: "Authorization", Value: "Bearer " + benchToken},
	{Name: "Idempotency-Key", Value: "r_01JBENCH:wh"},
	{Name: "X-Source", Value: "flowhook"},
}

func BenchmarkDeliver(b *testing.B) {
	srv := newServer(b)
	sender := New(srv.client, Options{})
	req := Request{
		Method:      "POST",
		URL:         srv.url("/bench"),
		Header:      benchHeader,
		Body:        benchBody,
		ContentType: "application/json",
		Secrets:     []string{benchToken},
		Timeout:     5 * time.Second,
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res := sender.Send(context.Background(), req)
			if !res.OK() || res.Data == nil {
				b.Fatalf("got %s: %s", res.Class, res.Detail)
			}
		}
	})
}
