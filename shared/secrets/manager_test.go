package secrets_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/webhook"
)

// countingClient passes calls through to a real client and counts the reads.
type countingClient struct {
	secrets.Client
	describe, get atomic.Int64
}

func (c *countingClient) DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	c.describe.Add(1)
	return c.Client.DescribeSecret(ctx, in, optFns...)
}

func (c *countingClient) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.get.Add(1)
	return c.Client.GetSecretValue(ctx, in, optFns...)
}

func (c *countingClient) counts() [2]int64 { return [2]int64{c.describe.Load(), c.get.Load()} }

func TestManagerNamesAndARNs(t *testing.T) {
	ctx := context.Background()
	client := motoClient(t)
	prefix := testPrefix(t)
	m, err := secrets.NewManager(client, prefix, secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := m.Put(ctx, "c_01abc", "token-value")
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(prefix + "c_01abc")})
	if err != nil {
		t.Fatalf("describe %s: %v", prefix+"c_01abc", err)
	}
	if got := aws.ToString(out.ARN); got != ref {
		t.Errorf("ref = %q, want the secret's ARN %q", ref, got)
	}
	if !strings.HasPrefix(ref, "arn:aws:secretsmanager:") {
		t.Errorf("ref = %q, want an ARN", ref)
	}
	// Update keeps one secret with a new current version.
	if _, err := m.Put(ctx, "c_01abc", "token-value-2"); err != nil {
		t.Fatal(err)
	}
	v, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ref)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(v.SecretString); got != "token-value-2" {
		t.Errorf("stored value = %q, want %q", got, "token-value-2")
	}
	// Delete removes it without a recovery window.
	if err := m.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	_, err = client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ref)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("describe after delete: got %v, want ResourceNotFoundException (deleted without recovery)", err)
	}
}

func TestManagerCache(t *testing.T) {
	type call struct {
		op    string // put, get, delete
		value string // put: the value; get: the value wanted
		// want is [DescribeSecret, GetSecretValue] calls so far.
		want [2]int64
		// notFound: get must fail with ErrNotFound.
		notFound bool
	}
	cases := []struct {
		name  string
		calls []call
	}{
		{"a warm read makes no call", []call{
			{op: "put", value: "v1", want: [2]int64{0, 0}},
			{op: "get", value: "v1", want: [2]int64{1, 1}},
			{op: "get", value: "v1", want: [2]int64{1, 1}},
			{op: "get", value: "v1", want: [2]int64{1, 1}},
		}},
		{"our own update is read at once", []call{
			{op: "put", value: "v1", want: [2]int64{0, 0}},
			{op: "get", value: "v1", want: [2]int64{1, 1}},
			{op: "put", value: "v2", want: [2]int64{1, 1}},
			{op: "get", value: "v2", want: [2]int64{2, 2}},
			{op: "get", value: "v2", want: [2]int64{2, 2}},
		}},
		{"our own delete is seen at once", []call{
			{op: "put", value: "v1", want: [2]int64{0, 0}},
			{op: "get", value: "v1", want: [2]int64{1, 1}},
			{op: "delete", want: [2]int64{1, 1}},
			{op: "get", notFound: true, want: [2]int64{2, 1}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			client := &countingClient{Client: motoClient(t)}
			m, err := secrets.NewManager(client, testPrefix(t), secrets.Options{Cache: secrets.CacheOptions{TTL: time.Hour}})
			if err != nil {
				t.Fatal(err)
			}
			var ref string
			for i, c := range tc.calls {
				switch c.op {
				case "put":
					if ref, err = m.Put(ctx, "c_1", c.value); err != nil {
						t.Fatalf("call %d: put: %v", i, err)
					}
				case "get":
					got, err := m.Get(ctx, ref)
					switch {
					case c.notFound && !errors.Is(err, webhook.ErrNotFound):
						t.Errorf("call %d: get = %q, %v; want ErrNotFound", i, got, err)
					case !c.notFound && (err != nil || got != c.value):
						t.Errorf("call %d: get = %q, %v; want %q", i, got, err, c.value)
					}
				case "delete":
					if err := m.Delete(ctx, ref); err != nil {
						t.Fatalf("call %d: delete: %v", i, err)
					}
				}
				if got := client.counts(); got != c.want {
					t.Errorf("call %d (%s): [DescribeSecret GetSecretValue] calls = %v, want %v", i, c.op, got, c.want)
				}
			}
		})
	}
}

// fakeClient answers every call with err and records the inputs it saw. Methods it does
// not override panic through the nil embedded interface, so a test fails loudly if the
// Manager makes a call it should not.
type fakeClient struct {
	secrets.Client
	err      error
	create   *secretsmanager.CreateSecretInput
	put      *secretsmanager.PutSecretValueInput
	describe int
}

func (f *fakeClient) CreateSecret(_ context.Context, in *secretsmanager.CreateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error) {
	f.create = in
	if f.err != nil {
		return nil, f.err
	}
	return &secretsmanager.CreateSecretOutput{ARN: aws.String("arn:aws:secretsmanager:eu-west-1:1:secret:" + aws.ToString(in.Name) + "-AbCdEf")}, nil
}

func (f *fakeClient) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	f.put = in
	return nil, f.err
}

func (f *fakeClient) DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.describe++
	return nil, f.err
}

func (f *fakeClient) DeleteSecret(context.Context, *secretsmanager.DeleteSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error) {
	return nil, f.err
}

func opErr(op string, err error) error {
	return &smithy.OperationError{ServiceID: "Secrets Manager", OperationName: op, Err: err}
}

func TestManagerErrorTranslation(t *testing.T) {
	const ref = "arn:aws:secretsmanager:eu-west-1:1:secret:p/c_1-AbCdEf"
	cases := []struct {
		name string
		op   string // put, get, delete
		err  error
		// want is the domain error the result must wrap; nil means any error, but no
		// SDK type may be reachable through it.
		want error
		// wantNil: the operation must succeed.
		wantNil bool
	}{
		{"get of a missing secret", "get", opErr("DescribeSecret", &types.ResourceNotFoundException{Message: aws.String("no")}), webhook.ErrNotFound, false},
		{"delete of a missing secret", "delete", opErr("DeleteSecret", &types.ResourceNotFoundException{}), nil, true},
		{"get cancelled", "get", opErr("DescribeSecret", context.Canceled), context.Canceled, false},
		{"put past its deadline", "put", opErr("CreateSecret", context.DeadlineExceeded), context.DeadlineExceeded, false},
		{"put refused", "put", opErr("CreateSecret", &types.InvalidRequestException{Message: aws.String("scheduled for deletion")}), nil, false},
		{"put throttled", "put", opErr("CreateSecret", &smithy.GenericAPIError{Code: "ThrottlingException"}), nil, false},
		{"get denied", "get", opErr("DescribeSecret", &smithy.GenericAPIError{Code: "AccessDeniedException"}), nil, false},
		{"delete failing", "delete", opErr("DeleteSecret", &types.InternalServiceError{}), nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := secrets.NewManager(&fakeClient{err: tc.err}, "p/", secrets.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			switch tc.op {
			case "put":
				_, err = m.Put(ctx, "c_1", "hunter2-secret")
			case "get":
				_, err = m.Get(ctx, ref)
			case "delete":
				err = m.Delete(ctx, ref)
			}
			if tc.wantNil {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want it to wrap %v", err, tc.want)
			}
			var apiErr smithy.APIError
			var opError *smithy.OperationError
			if errors.As(err, &apiErr) || errors.As(err, &opError) {
				t.Errorf("got %T inside %v, want no SDK type reachable", apiErr, err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

func TestManagerPutInputs(t *testing.T) {
	cases := []struct {
		name        string
		kms         string
		createErr   error
		wantKMS     *string
		wantPutCall bool
	}{
		{"first put creates with the default key", "", nil, nil, false},
		{"first put creates with the configured key", "alias/flowhook", nil, aws.String("alias/flowhook"), false},
		{"an existing secret gets a new value", "", opErr("CreateSecret", &types.ResourceExistsException{}), nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeClient{err: tc.createErr}
			m, err := secrets.NewManager(f, "flowhook/connectors/", secrets.Options{KMSKeyID: tc.kms})
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Put(context.Background(), "c_1", "v")
			if tc.wantPutCall {
				// The fake's PutSecretValue fails with the same error: only the input matters here.
				if f.put == nil {
					t.Fatalf("PutSecretValue not called (err %v)", err)
				}
				if got := aws.ToString(f.put.SecretId); got != "flowhook/connectors/c_1" {
					t.Errorf("PutSecretValue SecretId = %q, want %q", got, "flowhook/connectors/c_1")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(f.create.Name); got != "flowhook/connectors/c_1" {
				t.Errorf("CreateSecret Name = %q, want %q", got, "flowhook/connectors/c_1")
			}
			if got, want := aws.ToString(f.create.KmsKeyId), aws.ToString(tc.wantKMS); got != want {
				t.Errorf("CreateSecret KmsKeyId = %q, want %q", got, want)
			}
			if f.put != nil {
				t.Error("PutSecretValue called for a new secret")
			}
		})
	}
}

func TestNewManagerRejects(t *testing.T) {
	cases := []struct {
		name   string
		client secrets.Client
		prefix string
		opts   secrets.Options
	}{
		{"no prefix", &fakeClient{}, "", secrets.Options{}},
		{"prefix with a space", &fakeClient{}, "flow hook/", secrets.Options{}},
		{"prefix with a colon", &fakeClient{}, "flowhook:", secrets.Options{}},
		{"no client", nil, "p/", secrets.Options{}},
		{"negative TTL", &fakeClient{}, "p/", secrets.Options{Cache: secrets.CacheOptions{TTL: -time.Second}}},
		{"negative size", &fakeClient{}, "p/", secrets.Options{Cache: secrets.CacheOptions{MaxEntries: -1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if m, err := secrets.NewManager(tc.client, tc.prefix, tc.opts); err == nil {
				t.Errorf("got %v, nil; want an error", m)
			}
		})
	}
}

// TestManagerRefusesRefsOutsidePrefix makes no call for a ref the Manager did not issue:
// a tampered connector record must not read, say, the API tokens secret.
func TestManagerRefusesRefsOutsidePrefix(t *testing.T) {
	f := &fakeClient{}
	m, err := secrets.NewManager(f, "flowhook/connectors/", secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:flowhook/api-tokens-AbCdEf",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:flowhook/connectors/",
		"arn:aws:secretsmanager:us-east-1:123456789012:other:flowhook/connectors/c_1-AbCdEf",
		"arn:aws:ssm:us-east-1:123456789012:secret:flowhook/connectors/c_1-AbCdEf",
		"flowhook/connectors/c_1",
		"local:c_1",
	} {
		if _, err := m.Get(context.Background(), ref); !errors.Is(err, secrets.ErrInvalidRef) {
			t.Errorf("Get(%q) error = %v, want ErrInvalidRef", ref, err)
		}
		if err := m.Delete(context.Background(), ref); !errors.Is(err, secrets.ErrInvalidRef) {
			t.Errorf("Delete(%q) error = %v, want ErrInvalidRef", ref, err)
		}
	}
	if f.describe != 0 {
		t.Errorf("DescribeSecret called %d times for refused refs, want 0", f.describe)
	}
}

func FuzzManagerRef(f *testing.F) {
	f.Add("arn:aws:secretsmanager:us-east-1:123456789012:secret:flowhook/connectors/c_1-AbCdEf")
	f.Add("arn:aws:secretsmanager:us-east-1:1:secret:flowhook/connectors/")
	f.Add("arn:::::::")
	f.Add("local:c_1")
	fc := &fakeClient{err: opErr("DescribeSecret", &types.ResourceNotFoundException{})}
	m, err := secrets.NewManager(fc, "flowhook/connectors/", secrets.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		before := fc.describe
		_, err := m.Get(context.Background(), ref)
		called := fc.describe > before
		if called && !strings.Contains(ref, ":secret:flowhook/connectors/") {
			t.Errorf("Get(%q) called Secrets Manager for a ref outside the prefix", ref)
		}
		if err == nil {
			t.Errorf("Get(%q) succeeded against a client that finds nothing", ref)
		}
	})
}

// BenchmarkManagerGet compares a warm read (served from memory) with a cold one (the
// cache reset first, so DescribeSecret and GetSecretValue go to moto_server). Read
// the ratio, not the times: moto on a shared machine is no model of AWS latency.
func BenchmarkManagerGet(b *testing.B) {
	ctx := context.Background()
	m, err := secrets.NewManager(motoClient(b), testPrefix(b), secrets.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ref, err := m.Put(ctx, "c_1", "bench-value")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("warm", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Get(ctx, ref); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			m.ResetCacheForTest()
			if _, err := m.Get(ctx, ref); err != nil {
				b.Fatal(err)
			}
		}
	})
}
