// Package lint checks the shape of the code base that style.md asks for and go vet does
// not: which packages may import what, and that every package has a doc comment.
package lint

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/flowhook/flowhook"

// pkg is one package's non-test imports and whether it has a package doc comment.
type pkg struct {
	path    string // module-relative, e.g. shared/velocity
	imports map[string]bool
	doc     bool
}

func loadPackages(t *testing.T) []pkg {
	t.Helper()
	byDir := map[string]*pkg{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && (name == "testdata" || name == "bin" || name == "build" || (strings.HasPrefix(name, ".") && path != "../..")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel("../..", filepath.Dir(path))
		p := byDir[dir]
		if p == nil {
			p = &pkg{path: filepath.ToSlash(dir), imports: map[string]bool{}}
			byDir[dir] = p
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			p.doc = true
		}
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			p.imports[ip] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []pkg
	for _, p := range byDir {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func isStd(ip string) bool { return !strings.Contains(strings.Split(ip, "/")[0], ".") }

// core packages import the standard library, the listed third-party modules and the
// listed core packages only ("downward"); nothing of storage, AWS, Lambda or HTTP wiring.
var core = map[string][]string{
	"shared/webhook":                   {},
	"shared/velocity/parse":            {},
	"shared/velocity/internal/javafmt": {},
	"shared/velocity":                  {"shared/velocity/parse", "shared/velocity/internal/javafmt"},
	"shared/velocity/tools":            {"shared/velocity", "shared/velocity/internal/javafmt"},
	"shared/metrics":                   {},
	"shared/egress":                    {"code.dny.dev/ssrf", "shared/webhook"},
	"shared/delivery":                  {"github.com/clbanning/mxj/v2", "shared/egress", "shared/webhook", "shared/velocity"},
	"shared/render":                    {"shared/velocity", "shared/velocity/parse", "shared/velocity/tools", "shared/webhook", "shared/delivery"},
}

// TestImportDirection: core packages import only downward; the AWS SDK only in the
// storage and secrets adapters, functions and test tooling; aws-lambda-go only in
// functions, shared/apigw and test tooling; shared never imports functions or infra.
func TestImportDirection(t *testing.T) {
	for _, p := range loadPackages(t) {
		for ip := range p.imports {
			local := strings.TrimPrefix(strings.TrimPrefix(ip, module), "/")
			isLocal := strings.HasPrefix(ip, module)
			if allowed, ok := core[p.path]; ok && !isStd(ip) {
				okImport := false
				for _, a := range allowed {
					if ip == a || strings.HasPrefix(ip, a+"/") || (isLocal && local == a) {
						okImport = true
					}
				}
				if !okImport {
					t.Errorf("%s is a core package and may not import %s (allowed: the standard library and %v)", p.path, ip, allowed)
				}
			}
			inInfra := strings.HasPrefix(p.path, "infra/")
			inFunctions := strings.HasPrefix(p.path, "functions/")
			switch {
			case strings.HasPrefix(ip, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(ip, "github.com/aws/aws-secretsmanager-caching-go"):
				if !(inFunctions || inInfra || p.path == "shared/store/dynamo" || p.path == "shared/secrets") {
					t.Errorf("%s imports the AWS SDK (%s); only the adapters (shared/store/dynamo, shared/secrets) and functions may", p.path, ip)
				}
			case strings.HasPrefix(ip, "github.com/aws/aws-lambda-go") || strings.HasPrefix(ip, "github.com/awslabs/aws-lambda-go-api-proxy"):
				if !(inFunctions || inInfra || p.path == "shared/apigw") {
					t.Errorf("%s imports %s; only functions/* and shared/apigw may", p.path, ip)
				}
			case isLocal && strings.HasPrefix(p.path, "shared/") && (strings.HasPrefix(local, "functions") || strings.HasPrefix(local, "infra")):
				t.Errorf("%s imports %s: shared packages may not depend on functions or infra", p.path, ip)
			case isLocal && strings.HasPrefix(local, "functions/") && !inFunctions:
				t.Errorf("%s imports %s: functions are leaves", p.path, ip)
			}
		}
	}
}

// TestPackageDocs: every package says what it provides in a doc comment.
func TestPackageDocs(t *testing.T) {
	for _, p := range loadPackages(t) {
		if !p.doc {
			t.Errorf("%s has no package doc comment", p.path)
		}
	}
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Fatal("run from the module")
	}
}
