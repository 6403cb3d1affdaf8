// Package deploy holds checks of the deployment description (template.yaml) against the
// code it deploys: the tables against the store's definitions, the functions against
// functions/, the routes against the HTTP handlers.
package deploy

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.yaml.in/yaml/v4"

	"github.com/flowhook/flowhook/shared/httpapi"
	"github.com/flowhook/flowhook/shared/store/dynamo"
)

type resource struct {
	Type       string         `yaml:"Type"`
	Properties map[string]any `yaml:"Properties"`
	Metadata   map[string]any `yaml:"Metadata"`
}

type template struct {
	Resources map[string]resource `yaml:"Resources"`
}

func load(t *testing.T) template {
	t.Helper()
	b, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return tpl
}

// keySet renders key schemas and attribute definitions as comparable strings.
func keys(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		m := e.(map[string]any)
		out = append(out, m["AttributeName"].(string)+":"+str(m["KeyType"])+str(m["AttributeType"]))
	}
	sort.Strings(out)
	return out
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return v.(string)
}

// TestTablesMatchStore: every table in template.yaml has exactly the keys, attributes,
// indexes (keys and projection), stream and TTL the DynamoDB store creates in tests.
func TestTablesMatchStore(t *testing.T) {
	tpl := load(t)
	logical := map[string]string{"DefinitionsTable": "d", "ContactsTable": "c", "EventsTable": "e", "RunsTable": "r"}
	defs := dynamo.TableDefinitions(dynamo.Tables{Definitions: "d", Contacts: "c", Events: "e", Runs: "r"})
	byName := map[string]int{}
	for i, d := range defs {
		byName[aws.ToString(d.TableName)] = i
	}
	ttl := map[string]bool{}
	for _, x := range dynamo.TimeToLive(dynamo.Tables{Definitions: "d", Contacts: "c", Events: "e", Runs: "r"}) {
		ttl[aws.ToString(x.TableName)] = true
	}
	for name, short := range logical {
		t.Run(name, func(t *testing.T) {
			res, ok := tpl.Resources[name]
			if !ok {
				t.Fatalf("template.yaml has no %s", name)
			}
			p := res.Properties
			want := defs[byName[short]]
			var wantKeys, wantAttrs []string
			for _, k := range want.KeySchema {
				wantKeys = append(wantKeys, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
			}
			for _, a := range want.AttributeDefinitions {
				wantAttrs = append(wantAttrs, aws.ToString(a.AttributeName)+":"+string(a.AttributeType))
			}
			sort.Strings(wantKeys)
			sort.Strings(wantAttrs)
			if got := keys(p["KeySchema"]); strings.Join(got, ",") != strings.Join(wantKeys, ",") {
				t.Errorf("KeySchema = %v, want %v", got, wantKeys)
			}
			if got := keys(p["AttributeDefinitions"]); strings.Join(got, ",") != strings.Join(wantAttrs, ",") {
				t.Errorf("AttributeDefinitions = %v, want %v", got, wantAttrs)
			}
			gotIdx := map[string]string{}
			if g, ok := p["GlobalSecondaryIndexes"].([]any); ok {
				for _, e := range g {
					m := e.(map[string]any)
					proj := m["Projection"].(map[string]any)
					var nk []string
					if v, ok := proj["NonKeyAttributes"].([]any); ok {
						for _, a := range v {
							nk = append(nk, a.(string))
						}
					}
					sort.Strings(nk)
					gotIdx[m["IndexName"].(string)] = strings.Join(keys(m["KeySchema"]), ",") + " " + proj["ProjectionType"].(string) + strings.Join(nk, ",")
				}
			}
			wantIdx := map[string]string{}
			for _, g := range want.GlobalSecondaryIndexes {
				var ks, nk []string
				for _, k := range g.KeySchema {
					ks = append(ks, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
				}
				sort.Strings(ks)
				nk = append(nk, g.Projection.NonKeyAttributes...)
				sort.Strings(nk)
				wantIdx[aws.ToString(g.IndexName)] = strings.Join(ks, ",") + " " + string(g.Projection.ProjectionType) + strings.Join(nk, ",")
			}
			if len(gotIdx) != len(wantIdx) {
				t.Errorf("indexes = %v, want %v", gotIdx, wantIdx)
			}
			for k, v := range wantIdx {
				if gotIdx[k] != v {
					t.Errorf("index %s = %q, want %q", k, gotIdx[k], v)
				}
			}
			stream, _ := p["StreamSpecification"].(map[string]any)
			if (want.StreamSpecification != nil) != (stream != nil) {
				t.Errorf("stream = %v, want %v", stream, want.StreamSpecification)
			} else if stream != nil && stream["StreamViewType"] != string(want.StreamSpecification.StreamViewType) {
				t.Errorf("StreamViewType = %v, want %s", stream["StreamViewType"], want.StreamSpecification.StreamViewType)
			}
			spec, _ := p["TimeToLiveSpecification"].(map[string]any)
			if ttl[short] != (spec != nil) || (spec != nil && spec["AttributeName"] != dynamo.TTLAttribute) {
				t.Errorf("TimeToLiveSpecification = %v, want TTL %v on %s", spec, ttl[short], dynamo.TTLAttribute)
			}
			if pitr, _ := p["PointInTimeRecoverySpecification"].(map[string]any); pitr["PointInTimeRecoveryEnabled"] != true {
				t.Error("point-in-time recovery is not enabled")
			}
		})
	}
}

// TestFunctionsAndRoutes: every function directory is deployed with a makefile build
// target, and every HTTP route of the handlers is wired to exactly one function.
func TestFunctionsAndRoutes(t *testing.T) {
	tpl := load(t)
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob("../../functions/*/main.go")
	deployed := map[string]bool{}
	routes := map[string]string{}
	for name, r := range tpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		if !strings.Contains(string(mk), "build-"+name+":") {
			t.Errorf("Makefile has no build-%s target for sam build", name)
		}
		fn := strings.ToLower(strings.TrimSuffix(name, "Function"))
		deployed[fn] = true
		evs, _ := r.Properties["Events"].(map[string]any)
		for _, e := range evs {
			ev := e.(map[string]any)
			if ev["Type"] != "HttpApi" {
				continue
			}
			pp := ev["Properties"].(map[string]any)
			key := pp["Method"].(string) + " " + pp["Path"].(string)
			if prev, dup := routes[key]; dup {
				t.Errorf("route %s is wired to %s and %s", key, prev, name)
			}
			routes[key] = name
		}
	}
	for _, d := range dirs {
		fn := filepath.Base(filepath.Dir(d))
		if !deployed[fn] {
			t.Errorf("functions/%s is not deployed by template.yaml", fn)
		}
	}
	for _, g := range httpapi.AllRoutes() {
		if g.Pattern == "GET /healthz" {
			continue
		}
		if _, ok := routes[g.Pattern]; !ok {
			t.Errorf("route %s is served by the handlers but not wired in template.yaml", g.Pattern)
		}
		delete(routes, g.Pattern)
	}
	delete(routes, "GET /healthz")
	for k := range routes {
		t.Errorf("template.yaml wires %s, which no handler serves", k)
	}
}

// TestStreamFilterMatchesStore: execute's event source lets through exactly what the
// store's RunStreamFilter says (queued run headers' INSERTs), with partial batch failures.
func TestStreamFilterMatchesStore(t *testing.T) {
	fn := load(t).Resources["ExecuteFunction"]
	ev := fn.Properties["Events"].(map[string]any)["QueuedRuns"].(map[string]any)["Properties"].(map[string]any)
	filters := ev["FilterCriteria"].(map[string]any)["Filters"].([]any)
	if len(filters) != 1 || filters[0].(map[string]any)["Pattern"] != dynamo.RunStreamFilter {
		t.Errorf("stream filter = %v, want %s", filters, dynamo.RunStreamFilter)
	}
	if types := ev["FunctionResponseTypes"].([]any); len(types) != 1 || types[0] != "ReportBatchItemFailures" {
		t.Errorf("FunctionResponseTypes = %v", types)
	}
	if ev["BisectBatchOnFunctionError"] != true || ev["DestinationConfig"] == nil {
		t.Error("execute's stream source must bisect on error and have an on-failure destination")
	}
}
