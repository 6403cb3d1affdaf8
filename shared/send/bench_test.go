package send

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/delivery"
	"github.com/flowhook/flowhook/shared/egress"
	"github.com/flowhook/flowhook/shared/render"
	"github.com/flowhook/flowhook/shared/webhook"
)

// The two benchmarks send the same request bytes to the same local TLS server with 16
// workers and the same keep-alive settings: BenchmarkBareClient with a plain net/http
// client (the floor), BenchmarkDeliver through the whole path a workflow step takes
// (compiled definition from the cache, render context, build with escaping, connector
// authentication, egress guard, send, bounded read, decode, redaction, record, data as
// JSON). bench.sh prints the ratio of their medians.

const benchToken = "tok_5f4e3d2c1b0a99887766"

const benchResponse = `{"promocode":"SPRING-7Q2X","tier":"vip","discount":15,"validUntil":"2026-12-31T23:59:59Z","contact":{"email":"ann@example.com","city":"Kyiv"},"tags":["spring","email",42]}`

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchResponse)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	b.Cleanup(srv.Close)
	return srv
}

func benchSender(b *testing.B, srv *httptest.Server) *Sender {
	client, err := egress.NewClient(egress.Config{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		ExtraCAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}),
	})
	if err != nil {
		b.Fatal(err)
	}
	return New(Config{
		Store:    &fakeStore{connectors: map[string]webhook.Connector{"c_crm": {ID: "c_crm", Name: "crm", Type: webhook.ConnectorBearer, SecretRef: "local:c_crm"}}},
		Secrets:  &fakeSecrets{values: map[string]string{"local:c_crm": benchToken}},
		Delivery: delivery.New(client, delivery.Options{}),
		Tools:    render.Tools(nil, nil),
	})
}

// benchWebhook is the README's promo-code webhook with a few more values.
func benchWebhook(srv *httptest.Server) webhook.Webhook {
	return webhook.Webhook{ID: "w_01JBENCH", Version: 3, Name: "WH5", Method: webhook.MethodPost,
		URL:         srv.URL + "/codes?email=${email}",
		Params:      []webhook.Pair{{Name: "city", Value: "${TOWN}"}},
		Headers:     []webhook.Pair{{Name: "X-Source", Value: "flowhook"}},
		ConnectorID: "c_crm",
		Body: &webhook.Body{Format: webhook.FormatJSON,
			Template: `{"city": "${TOWN}", "email": "${email}", "name": "$firstName", "orderId": "$orderId", "items": $items}`},
		TimeoutMs: 5000}
}

func benchInput() render.Input {
	return render.Input{
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

// reportCPU adds the process's CPU time per operation (user + system, client and
// server together) as cpu-ns/op: on a shared, noisy machine it moves much less than
// wall time, so bench.sh prints its ratio beside the ns/op one.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

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
	srv := benchServer(b)
	// The very request the Deliver benchmark sends, built once.
	req, fail := benchSender(b, srv).prepare(context.Background(), benchWebhook(srv), benchInput(), "r_01JBENCH:wh")
	if fail != nil {
		b.Fatal(fail)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}}
	setWorkers(b)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			r, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
			if err != nil {
				b.Fatal(err)
			}
			for _, h := range req.Header {
				r.Header.Add(h.Name, h.Value)
			}
			r.Header.Set("Content-Type", req.ContentType)
			resp, err := client.Do(r)
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
	srv := benchServer(b)
	s := benchSender(b, srv)
	w := benchWebhook(srv)
	in := benchInput()
	setWorkers(b)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			call := s.Call(context.Background(), w, in, "r_01JBENCH:wh")
			if call.Class != "" || call.Data == nil {
				b.Fatalf("got %s: %s", call.Class, call.Detail)
			}
		}
	})
}

// BenchmarkBuild is the part of Deliver that is this package's own: context, build,
// authentication, without the network.
func BenchmarkBuild(b *testing.B) {
	srv := benchServer(b)
	s := benchSender(b, srv)
	w := benchWebhook(srv)
	in := benchInput()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, fail := s.prepare(context.Background(), w, in, "r_01JBENCH:wh"); fail != nil {
			b.Fatal(fail)
		}
	}
}

// BenchmarkSendPrepared is BenchmarkDeliver without this package's part: delivery
// alone, sending the request prepared once. Deliver minus SendPrepared is what
// building, authenticating and keeping the data cost.
func BenchmarkSendPrepared(b *testing.B) {
	srv := benchServer(b)
	s := benchSender(b, srv)
	req, fail := s.prepare(context.Background(), benchWebhook(srv), benchInput(), "r_01JBENCH:wh")
	if fail != nil {
		b.Fatal(fail)
	}
	setWorkers(b)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res := s.delivery.SendWithRetry(context.Background(), req, 1)
			if !res.OK() || res.Data == nil {
				b.Fatalf("got %s: %s", res.Class, res.Detail)
			}
		}
	})
}
