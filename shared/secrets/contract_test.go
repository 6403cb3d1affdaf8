package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/flowhook/flowhook/shared/secrets"
	"github.com/flowhook/flowhook/shared/webhook"
)

// store is the contract both implementations keep (package doc).
type store interface {
	Put(ctx context.Context, connectorID, value string) (string, error)
	Get(ctx context.Context, ref string) (string, error)
	Delete(ctx context.Context, ref string) error
}

var (
	_ store = (*secrets.File)(nil)
	_ store = (*secrets.Manager)(nil)
)

// implementations returns a fresh store of each kind, and a reference the store did not
// issue but that looks like one of its own (for the not-found case).
func implementations(t *testing.T) map[string]func(t *testing.T) (s store, missingRef string) {
	return map[string]func(t *testing.T) (store, string){
		"file": func(t *testing.T) (store, string) {
			f, err := secrets.OpenFile(t.TempDir())
			if err != nil {
				t.Fatalf("OpenFile: %v", err)
			}
			return f, "local:c_missing"
		},
		"manager": func(t *testing.T) (store, string) {
			prefix := testPrefix(t)
			m, err := secrets.NewManager(motoClient(t), prefix, secrets.Options{})
			if err != nil {
				t.Fatalf("NewManager: %v", err)
			}
			return m, "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + prefix + "c_missing-AbCdEf"
		},
	}
}

// step is one call in a contract case; want* say what it must return.
type step struct {
	op      string // put, get, delete
	id      string // put: the connector id
	ref     string // get/delete: a literal ref; empty means the ref put returned for refOf
	refOf   string // get/delete: use the ref returned by the put of this id
	missing bool   // get/delete: use the store's missing ref
	value   string
	wantErr error // nil: success
	wantAny bool  // any error will do (validation)
}

func TestContract(t *testing.T) {
	long := strings.Repeat("x", secrets.MaxValueBytes+1)
	cases := []struct {
		name  string
		steps []step
	}{
		{"round trip", []step{
			{op: "put", id: "c_1", value: "s3cret-password"},
			{op: "get", refOf: "c_1", value: "s3cret-password"},
		}},
		{"unicode and spaces survive", []step{
			{op: "put", id: "c_1", value: " pässwörd ✓ \n"},
			{op: "get", refOf: "c_1", value: " pässwörd ✓ \n"},
		}},
		{"update replaces the value and keeps the ref", []step{
			{op: "put", id: "c_1", value: "old-token"},
			{op: "put", id: "c_1", value: "new-token"},
			{op: "get", refOf: "c_1", value: "new-token"},
		}},
		{"secrets are per connector", []step{
			{op: "put", id: "c_1", value: "one"},
			{op: "put", id: "c_2", value: "two"},
			{op: "get", refOf: "c_1", value: "one"},
			{op: "get", refOf: "c_2", value: "two"},
		}},
		{"delete then get is not found", []step{
			{op: "put", id: "c_1", value: "gone-soon"},
			{op: "get", refOf: "c_1", value: "gone-soon"},
			{op: "delete", refOf: "c_1"},
			{op: "get", refOf: "c_1", wantErr: webhook.ErrNotFound},
		}},
		{"delete is idempotent", []step{
			{op: "put", id: "c_1", value: "v"},
			{op: "delete", refOf: "c_1"},
			{op: "delete", refOf: "c_1"},
			{op: "delete", missing: true},
		}},
		{"put after delete creates it again", []step{
			{op: "put", id: "c_1", value: "first"},
			{op: "delete", refOf: "c_1"},
			{op: "put", id: "c_1", value: "second"},
			{op: "get", refOf: "c_1", value: "second"},
		}},
		{"unknown ref is not found", []step{
			{op: "get", missing: true, wantErr: webhook.ErrNotFound},
		}},
		{"foreign refs are invalid", []step{
			{op: "get", ref: "local:", wantErr: secrets.ErrInvalidRef},
			{op: "get", ref: "arn:aws:secretsmanager:us-east-1:123456789012:secret:other/c_1-AbCdEf", wantErr: secrets.ErrInvalidRef},
			{op: "get", ref: "c_1", wantErr: secrets.ErrInvalidRef},
			{op: "get", ref: "", wantErr: secrets.ErrInvalidRef},
			{op: "delete", ref: "arn:aws:s3:::bucket", wantErr: secrets.ErrInvalidRef},
		}},
		{"invalid puts", []step{
			{op: "put", id: "", value: "v", wantAny: true},
			{op: "put", id: "c/1", value: "v", wantAny: true},
			{op: "put", id: "c 1", value: "v", wantAny: true},
			{op: "put", id: strings.Repeat("c", 129), value: "v", wantAny: true},
			{op: "put", id: "c_1", value: "", wantAny: true},
			{op: "put", id: "c_1", value: long, wantAny: true},
		}},
	}
	for implName, open := range implementations(t) {
		for _, tc := range cases {
			t.Run(implName+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				s, missing := open(t)
				refs := map[string]string{}
				live := map[string]bool{} // put since the last delete: the ref must not change
				for i, st := range tc.steps {
					ref := st.ref
					switch {
					case st.missing:
						ref = missing
					case st.refOf != "":
						ref = refs[st.refOf]
					}
					var got string
					var err error
					switch st.op {
					case "put":
						got, err = s.Put(ctx, st.id, st.value)
						if err == nil {
							if prev := refs[st.id]; live[st.id] && prev != got {
								t.Errorf("step %d: put %s returned ref %q, want the earlier %q", i, st.id, got, prev)
							}
							refs[st.id], live[st.id] = got, true
						}
					case "get":
						got, err = s.Get(ctx, ref)
						if err == nil && got != st.value {
							t.Errorf("step %d: get %s = %q, want %q", i, ref, got, st.value)
						}
					case "delete":
						err = s.Delete(ctx, ref)
						delete(live, st.refOf)
					}
					switch {
					case st.wantAny:
						if err == nil {
							t.Errorf("step %d: %s %q: got no error, want one", i, st.op, st.id)
						}
					case st.wantErr != nil:
						if !errors.Is(err, st.wantErr) {
							t.Errorf("step %d: %s %q: got error %v, want %v", i, st.op, ref, err, st.wantErr)
						}
					case err != nil:
						t.Errorf("step %d: %s: got error %v, want none", i, st.op, err)
					}
					if err != nil && st.value != "" && len(st.value) > 3 && strings.Contains(err.Error(), st.value) {
						t.Errorf("step %d: the error quotes the secret value: %v", i, err)
					}
				}
			})
		}
	}
}

// TestConcurrentUse exercises each store from many goroutines; -race checks the locking,
// and every reader must see one of the values written, never a torn or foreign one.
func TestConcurrentUse(t *testing.T) {
	for implName, open := range implementations(t) {
		t.Run(implName, func(t *testing.T) {
			ctx := context.Background()
			s, _ := open(t)
			const connectors, writes = 4, 5
			refs := make([]string, connectors)
			for i := range connectors {
				ref, err := s.Put(ctx, fmt.Sprintf("c_%d", i), fmt.Sprintf("c_%d/v0", i))
				if err != nil {
					t.Fatalf("put: %v", err)
				}
				refs[i] = ref
			}
			var wg sync.WaitGroup
			for i := range connectors {
				wg.Go(func() {
					for w := 1; w <= writes; w++ {
						if _, err := s.Put(ctx, fmt.Sprintf("c_%d", i), fmt.Sprintf("c_%d/v%d", i, w)); err != nil {
							t.Errorf("put: %v", err)
						}
					}
				})
				wg.Go(func() {
					for range writes {
						got, err := s.Get(ctx, refs[i])
						if err != nil {
							t.Errorf("get: %v", err)
							continue
						}
						if !strings.HasPrefix(got, fmt.Sprintf("c_%d/v", i)) {
							t.Errorf("get %s = %q, want a value of c_%d", refs[i], got, i)
						}
					}
				})
			}
			wg.Wait()
			for i := range connectors {
				got, err := s.Get(ctx, refs[i])
				if want := fmt.Sprintf("c_%d/v%d", i, writes); err != nil || got != want {
					t.Errorf("final get %s = %q, %v; want %q", refs[i], got, err, want)
				}
			}
		})
	}
}
