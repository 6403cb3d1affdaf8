package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// The two benchmarks send the same request to the same local TLS server with 16
// workers: BenchmarkBareClient with a plain keep-alive net/http client (the floor),
// BenchmarkDeliver through the whole delivery path (guard, send, bounded read, decode,
// redact, record). bench.sh prints the ratio of their medians.

const benchToken = "tok_5f4e3d2c1b0a99887766"

var benchBody = []byte(`{"city":"Kyiv","email":"ann@example.com","orderId":"A-17","items":[{"sku":"S1","qty":2}]}`)

var benchHeader = []webhook.Header{
	{Name: "User-Agent", Value: "Flowhook/1.0"},
	{Name: "Authorization", Value: "Bearer " + benchToken},
	{Name: "Idempotency-Key", Value: "r_01JBENCH:wh"},
	{Name: "X-Source", Value: "flowhook"},
}

// setWorkers makes RunParallel use 16 goroutines whatever GOMAXPROCS is (when it
// divides 16, as on the 2-core machines here).
func setWorkers(b *testing.B) {
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
}

func BenchmarkBareClient(b *testing.B) {
	srv := newServer(b)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}}
	url := srv.url("/bench")
	setWorkers(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(benchBody))
			if err != nil {
				b.Fatal(err)
			}
			for _, h := range benchHeader {
				req.Header.Add(h.Name, h.Value)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			cancel()
			if err != nil || resp.StatusCode != 200 || len(body) != len(benchResponse) {
				b.Fatalf("got %d, %d bytes, %v", resp.StatusCode, len(body), err)
			}
		}
	})
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
	setWorkers(b)
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
