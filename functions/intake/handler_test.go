package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/apigw"
	"github.com/flowhook/flowhook/shared/httpapi"
	"github.com/flowhook/flowhook/shared/intake"
	"github.com/flowhook/flowhook/shared/metrics"
	"github.com/flowhook/flowhook/shared/store/embedded"
	"github.com/flowhook/flowhook/shared/webhook"
)

func newTestHandler(t *testing.T) (*handler, *bytes.Buffer) {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC()
	if _, err := st.CreateWorkflow(t.Context(), webhook.Workflow{ID: "f_1", Name: "f", Enabled: true, Trigger: webhook.Trigger{EventType: "order_created"},
		Steps: []webhook.Step{{ID: "m", Type: webhook.StepMessage, Channel: "email", Body: "x"}}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	em := metrics.New(&out, nil)
	log := slog.New(slog.NewJSONHandler(&out, nil))
	svc := intake.NewService(st, 0, nil)
	h := httpapi.Handler(log, apigw.Authenticator{}, httpapi.Intake(httpapi.IntakeConfig{Intake: svc, Metrics: em, Log: log}))
	return newHandler(apigw.NewHandler(h), svc, em, log), &out
}

func TestHandleBothTriggers(t *testing.T) {
	h, out := newTestHandler(t)
	bridge := `{"version":"0","id":"eb-1","detail-type":"order_created","source":"shop","account":"1","time":"2026-11-27T10:00:00Z","region":"us-east-1","resources":[],"detail":{"email":"ann@example.com","orderId":"A-17"}}`
	api := `{"version":"2.0","routeKey":"POST /events","rawPath":"/events","headers":{"content-type":"application/json","idempotency-key":"k1"},
	  "requestContext":{"http":{"method":"POST","path":"/events"},"requestId":"r1","authorizer":{"lambda":{"scope":"ingest"}}},
	  "body":"{\"eventTypeKey\":\"order_created\",\"params\":[{\"name\":\"email\",\"value\":\"bob@example.com\"}]}","isBase64Encoded":false}`
	tests := []struct {
		name    string
		event   string
		want    string // a fragment of the JSON result
		wantErr bool
	}{
		{"eventbridge", bridge, `"runIds":["r_`, false},
		{"eventbridge again is a duplicate", bridge, `"duplicate":true`, false},
		{"eventbridge invalid is refused without retry", strings.Replace(bridge, `"order_created"`, `"bad/type"`, 1), `"refused":"invalid event`, false},
		{"api gateway", api, `"statusCode":202`, false},
		{"api gateway with the same key", api, `Idempotent-Replayed`, false},
		{"unknown shape", `{"foo":1}`, "", true},
	}
	var firstRun string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := h.handle(t.Context(), json.RawMessage(tt.event))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", res)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(res)
			if !strings.Contains(string(b), tt.want) {
				t.Fatalf("result %s does not contain %s", b, tt.want)
			}
			if r, ok := res.(eventBridgeResult); ok && len(r.RunIDs) > 0 {
				if firstRun == "" {
					firstRun = r.RunIDs[0]
				} else if r.RunIDs[0] != firstRun {
					t.Errorf("the redelivery answered run %s, the first delivery %s", r.RunIDs[0], firstRun)
				}
			}
		})
	}
	for _, m := range []string{`"EventsAccepted":1`, `"EventsRefused":1`, `"Source":"eventbridge"`, `"Source":"api"`} {
		if !strings.Contains(out.String(), m) {
			t.Errorf("no metric line with %s in:\n%s", m, out.String())
		}
	}
}
