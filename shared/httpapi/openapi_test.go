package httpapi

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/flowhook/flowhook/shared/auth"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// TestOpenAPIMatchesRouter: the document and the router list exactly the same routes,
// and the document's security matches each route's scope (none only for /healthz).
func TestOpenAPIMatchesRouter(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			documented[method+" "+path] = op
		}
	}
	served := map[string]Route{}
	for _, r := range AllRoutes() {
		served[r.Pattern] = r
	}
	var missing, extra []string
	for k := range served {
		if _, ok := documented[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if _, ok := served[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("router and openapi.yaml disagree:\n served but not documented: %s\n documented but not served: %s",
			strings.Join(missing, "; "), strings.Join(extra, "; "))
	}
	for k, r := range served {
		op := documented[k]
		open := op.Security != nil && len(*op.Security) == 0
		if open != (r.Scope == auth.ScopeNone) {
			t.Errorf("%s: documented without security = %v, but the route's scope is %q", k, open, r.Scope)
		}
	}
}

// TestOpenAPIDocumentsRefusals: every operation on an {id} documents 400 (an id over
// maxPathIDLen), every one that takes a body 413 and 415 (another media type), and every one that reads If-Match documents 412 (a weak ETag, or
// * on nothing) — the answers the handlers give.
func TestOpenAPIDocumentsRefusals(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			var want []string
			if strings.Contains(path, "{id}") {
				want = append(want, "400") // an id no record can have
			}
			if op.RequestBody != nil {
				want = append(want, "413", "415")
			}
			for _, p := range op.Parameters {
				if p.Value != nil && p.Value.In == "header" && p.Value.Name == "If-Match" {
					want = append(want, "412")
				}
			}
			for _, code := range want {
				if op.Responses.Value(code) == nil {
					t.Errorf("%s %s does not document %s", method, path, code)
				}
			}
		}
	}
}
