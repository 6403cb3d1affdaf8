package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"runtime"
	"syscall"
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

// cpuTime is the CPU time this process has used, user and system. Reported per op
// beside ns/op, it is steadier than wall time on a shared machine: the local server
// runs in the same process, so both benchmarks count its work alike.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	cpu := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op") }()
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
	cpu := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op") }()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res := sender.Send(context.Background(), req)
			if !res.OK() || res.Data == nil {
				b.Fatalf("got %s: %s", res.Class, res.Detail)
			}
		}
	})
}
