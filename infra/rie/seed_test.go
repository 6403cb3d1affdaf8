package rie_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/infra/moto"
	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/store/dynamo"
	"github.com/flowhook/flowhook/shared/webhook"
)

// The records every function's samples may reference, seeded into each function's own
// tables before its samples run (events/api/README.md lists them for readers).
const (
	seedConnectorBearer = "c_sample_crm"      // bearer, used by seedWebhookPromo
	seedConnectorAPIKey = "c_sample_shop"     // apiKey in a header, used by seedWebhookCity
	seedConnectorBasic  = "c_sample_legacy"   // basic, used by no webhook
	seedWebhookPromo    = "w_sample_promo"    // "WH5": POST, JSON body, bearer auth
	seedWebhookCity     = "w_sample_city"     // "city lookup": GET with a query param, apiKey auth
	seedContact         = "ct_sample_ann"     // ann@example.com, +380501234567, Kyiv
	seedSegment         = "s_sample_kyiv"     // contacts whose TOWN is Kyiv
	seedWorkflow        = "f_sample_promo"    // order_created → WH5 → condition → message
	seedEvent           = "e_sample_order"    // order_created for Ann
	seedRunDone         = "r_sample_promo"    // succeeded, with a webhook step and a message step
	seedRunQueued       = "r_sample_queued"   // queued, no steps yet (what execute picks up)
	seedRunQueued2      = "r_sample_queued_2" // a second queued run, for a stream batch of two
)

// seedIDs lists every seeded id, for the check that the README documents them.
var seedIDs = []string{seedConnectorBearer, seedConnectorAPIKey, seedConnectorBasic, seedWebhookPromo,
	seedWebhookCity, seedContact, seedSegment, seedWorkflow, seedEvent, seedRunDone, seedRunQueued, seedRunQueued2}

// tokensFixture is the authorizer's token-hash secret the samples' bearer tokens match.
const tokensFixture = "events/authorizer/fixtures/tokens-secret.json"

// world is one function's slice of moto: its tables, secret names and seeded secrets.
type world struct {
	endpoint      string
	tables        dynamo.Tables
	secretsPrefix string
	tokensSecret  string
	// secrets are the connector secret values seeded; no output may contain them.
	secrets []string
}

// newWorld creates uniquely named tables and secrets for t in moto and seeds the sample
// records through the store and secrets packages.
func newWorld(t *testing.T, root string) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	srv := moto.Start(t)
	cfg := srv.AWSConfig()
	w := &world{
		endpoint: srv.Endpoint(),
		tables: dynamo.Tables{
			Definitions: moto.Name(t, "fh-definitions"),
			Contacts:    moto.Name(t, "fh-contacts"),
			Events:      moto.Name(t, "fh-events"),
			Runs:        moto.Name(t, "fh-runs"),
		},
		secretsPrefix: moto.Name(t, "flowhook") + "/connectors/",
		tokensSecret:  moto.Name(t, "flowhook") + "/api-tokens",
	}
	db := dynamodb.NewFromConfig(cfg)
	if err := dynamo.CreateTables(ctx, db, w.tables); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	tokens, err := os.ReadFile(filepath.Join(root, tokensFixture))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(w.tokensSecret), SecretString: aws.String(string(tokens)),
	}); err != nil {
		t.Fatalf("create tokens secret %s: %v", w.tokensSecret, err)
	}
	mgr, err := secrets.NewManager(sm, w.secretsPrefix, secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := dynamo.New(db, w.tables, dynamo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.seed(ctx, st, mgr); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return w
}

// randomSecret returns a value that cannot occur in output by chance.
func randomSecret(kind string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "fh-test-" + kind + "-" + hex.EncodeToString(b[:])
}

func (w *world) seed(ctx context.Context, st *dynamo.Store, mgr *secrets.Manager) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, c := range []webhook.Connector{
		{ID: seedConnectorBearer, Name: "crm", Type: webhook.ConnectorBearer},
		{ID: seedConnectorAPIKey, Name: "shop", Type: webhook.ConnectorAPIKey, In: webhook.InHeader, KeyName: webhook.DefaultAPIKeyName},
		{ID: seedConnectorBasic, Name: "legacy erp", Type: webhook.ConnectorBasic, Login: "flowhook"},
	} {
		secret := randomSecret(string(c.Type))
		ref, err := mgr.Put(ctx, c.ID, secret)
		if err != nil {
			return fmt.Errorf("put secret of %s: %w", c.ID, err)
		}
		w.secrets = append(w.secrets, secret)
		c.SecretRef, c.SecretUpdatedAt, c.CreatedAt, c.UpdatedAt = ref, now, now, now
		if _, err := st.CreateConnector(ctx, c); err != nil {
			return fmt.Errorf("create connector %s: %w", c.ID, err)
		}
	}
	for _, wh := range []webhook.Webhook{
		{
			ID: seedWebhookPromo, Name: "WH5", Description: "promo code by city", Method: webhook.MethodPost,
			URL:         "https://promo.example.com/codes?email=${email}",
			Params:      []webhook.Pair{{Name: "city", Value: "${TOWN}"}},
			Headers:     []webhook.Pair{{Name: "X-Source", Value: "flowhook"}},
			ConnectorID: seedConnectorBearer,
			Body:        &webhook.Body{Format: webhook.FormatJSON, Template: `{"city": "${TOWN}", "email": "${email}"}`},
			TimeoutMs:   5000, OnFailure: webhook.OnFailureStop,
		},
		{
			ID: seedWebhookCity, Name: "city lookup", Description: "population and region of the contact's town",
			Method: webhook.MethodGet, URL: "https://geo.example.com/v1/cities/${TOWN}",
			Params:      []webhook.Pair{{Name: "country", Value: "UA"}},
			ConnectorID: seedConnectorAPIKey, TimeoutMs: 3000, OnFailure: webhook.OnFailureContinue,
		},
	} {
		wh.CreatedAt, wh.UpdatedAt = now, now
		if _, err := st.CreateWebhook(ctx, wh); err != nil {
			return fmt.Errorf("create webhook %s: %w", wh.ID, err)
		}
	}
	if _, err := st.CreateContact(ctx, webhook.Contact{
		ID: seedContact, Email: "ann@example.com", Phone: "+380501234567", ExternalCustomerID: "87420539",
		Fields: map[string]json.RawMessage{
			"FIRSTNAME": json.RawMessage(`"Ann"`), "LASTNAME": json.RawMessage(`"Shevchenko"`),
			"TOWN": json.RawMessage(`"Kyiv"`), "PERSONAL.GENDER": json.RawMessage(`"F"`),
		},
		CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		return fmt.Errorf("create contact %s: %w", seedContact, err)
	}
	if _, err := st.CreateSegment(ctx, webhook.Segment{
		ID: seedSegment, Name: "Kyiv", Rules: []webhook.SegmentRule{{Field: "TOWN", Op: webhook.OpEquals, Value: "Kyiv"}},
		CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		return fmt.Errorf("create segment %s: %w", seedSegment, err)
	}
	if _, err := st.CreateWorkflow(ctx, webhook.Workflow{
		ID: seedWorkflow, Name: "promo on order", Enabled: true, Trigger: webhook.Trigger{EventType: "order_created"},
		Steps: []webhook.Step{
			{ID: "wh", Type: webhook.StepWebhook, WebhookID: seedWebhookPromo, Contact: webhook.ContactSelector{Email: "${email}"}, OnFailure: webhook.OnFailureStop},
			{ID: "vip", Type: webhook.StepCondition, Variable: "WH5", Pattern: `"tier":"vip"`,
				Then: []webhook.Step{{ID: "m1", Type: webhook.StepMessage, Channel: "email", Subject: "For you", Body: "VIP code: $data.get('WH5').get('promocode')"}},
				Else: []webhook.Step{{ID: "m2", Type: webhook.StepMessage, Channel: "email", Subject: "For you", Body: "Your code: $data.get('WH5').get('promocode')"}}},
		},
		CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		return fmt.Errorf("create workflow %s: %w", seedWorkflow, err)
	}
	if _, _, err := st.PutEvent(ctx, webhook.Event{
		ID: seedEvent, TypeKey: "order_created", KeyValue: "ann@example.com",
		Params: []webhook.Param{
			{Name: "email", Value: json.RawMessage(`"ann@example.com"`)},
			{Name: "orderId", Value: json.RawMessage(`"A-17"`)},
			{Name: "total", Value: json.RawMessage(`990.50`)},
		},
		ContactID: seedContact, Source: "api", SourceID: "sample-order-A-17", ReceivedAt: now,
	}); err != nil {
		return fmt.Errorf("put event %s: %w", seedEvent, err)
	}
	return w.seedRuns(ctx, st, now)
}

func (w *world) seedRuns(ctx context.Context, st *dynamo.Store, now time.Time) error {
	expires := now.Add(dynamo.DefaultEventRetention)
	for _, id := range []string{seedRunDone, seedRunQueued, seedRunQueued2} {
		if _, _, err := st.CreateRun(ctx, webhook.Run{
			ID: id, WorkflowID: seedWorkflow, EventID: seedEvent, ContactID: seedContact,
			CreatedAt: now, UpdatedAt: now, ExpiresAt: expires,
		}); err != nil {
			return fmt.Errorf("create run %s: %w", id, err)
		}
	}
	if _, err := st.SetRunStatus(ctx, store.RunUpdate{RunID: seedRunDone, From: []webhook.RunStatus{webhook.StatusQueued},
		To: webhook.StatusRunning, At: now}); err != nil {
		return fmt.Errorf("start run %s: %w", seedRunDone, err)
	}
	steps := []webhook.StepRecord{
		{
			ID: "wh", Type: webhook.StepWebhook, Status: webhook.StatusSucceeded,
			WebhookID: seedWebhookPromo, WebhookName: "WH5", WebhookVersion: 1,
			Request: &webhook.RequestRecord{
				Method: "POST", URL: "https://promo.example.com/codes?email=ann%40example.com&city=Kyiv",
				Headers: []webhook.Header{
					{Name: "Authorization", Value: "Bearer ********"},
					{Name: "Content-Type", Value: "application/json"},
					{Name: "Idempotency-Key", Value: seedRunDone + ":wh"},
					{Name: "X-Source", Value: "flowhook"},
				},
				Body: `{"city": "Kyiv", "email": "ann@example.com"}`,
			},
			Attempts: []webhook.Attempt{{
				Status: 200, Headers: []webhook.Header{{Name: "Content-Type", Value: "application/json"}},
				Body: `{"promocode": "SPRING-7Q2X", "tier": "regular"}`, StartedAt: now, DurationMs: 41,
			}},
			Data:      json.RawMessage(`{"promocode": "SPRING-7Q2X", "tier": "regular"}`),
			StartedAt: now, FinishedAt: now.Add(41 * time.Millisecond),
		},
		{
			ID: "vip", Type: webhook.StepCondition, Status: webhook.StatusSucceeded, Branch: "else",
			StartedAt: now.Add(41 * time.Millisecond), FinishedAt: now.Add(41 * time.Millisecond),
		},
		{
			ID: "m2", Type: webhook.StepMessage, Status: webhook.StatusSucceeded,
			Message:   &webhook.Message{Channel: "email", Subject: "For you", Body: "Your code: SPRING-7Q2X"},
			StartedAt: now.Add(42 * time.Millisecond), FinishedAt: now.Add(43 * time.Millisecond),
		},
	}
	for i, s := range steps {
		if err := st.RecordStep(ctx, seedRunDone, i, s); err != nil {
			return fmt.Errorf("record step %s of run %s: %w", s.ID, seedRunDone, err)
		}
	}
	if _, err := st.SetRunStatus(ctx, store.RunUpdate{RunID: seedRunDone, From: []webhook.RunStatus{webhook.StatusRunning},
		To: webhook.StatusSucceeded, At: now.Add(43 * time.Millisecond)}); err != nil {
		return fmt.Errorf("finish run %s: %w", seedRunDone, err)
	}
	return nil
}

// env is the environment of a function under the emulator: what template.yaml's Globals
// give every function, the authorizer's tokens secret, moto as the AWS endpoint with
// test credentials, and Lambda's JSON log format. HOME and the AWS config files point
// at an empty directory, so nothing of the developer's AWS setup is read.
func (w *world) env(function, home string) []string {
	vals := w.vars()
	env := []string{
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL=" + w.endpoint,
		"AWS_REGION=" + moto.Region,
		"AWS_DEFAULT_REGION=" + moto.Region,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_LAMBDA_FUNCTION_NAME=" + function,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=29",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
	}
	for _, k := range sortedMapKeys(vals) {
		env = append(env, k+"="+vals[k])
	}
	return env
}

// vars returns the Flowhook variables the harness sets, by name; TestTemplateEnvironment
// checks that template.yaml gives no function a variable missing here.
func (w *world) vars() map[string]string {
	return map[string]string{
		dynamo.EnvTableDefinitions: w.tables.Definitions,
		dynamo.EnvTableContacts:    w.tables.Contacts,
		dynamo.EnvTableEvents:      w.tables.Events,
		dynamo.EnvTableRuns:        w.tables.Runs,
		"FLOWHOOK_SECRETS_PREFIX":  w.secretsPrefix,
		"FLOWHOOK_TOKENS_SECRET":   w.tokensSecret,
		"FLOWHOOK_RETENTION_DAYS":  "30",
	}
}
