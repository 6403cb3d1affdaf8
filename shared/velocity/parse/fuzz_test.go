package parse

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse parses arbitrary text: the parser never panics, and a tree printed
// with String() parses again to the same tree (the same tokens and nodes).
// Run it longer with: go test ./shared/velocity/parse -run '^$' -fuzz FuzzParse -fuzztime 10m
func FuzzParse(f *testing.F) {
	for _, pat := range []string{"../testdata/golden/*.vm", "testdata/dumps/*.vm"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, alt := range []bool{false, true} {
			tree, err := Parse("f.vm", src, &Options{Alternates: alt})
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error %T is not an *Error", err)
				}
				continue
			}
			printed := tree.Root.String()
			again, err := Parse("f.vm", printed, &Options{Alternates: alt})
			if err != nil {
				t.Fatalf("the printed tree %q does not parse: %v", printed, err)
			}
			if d1, d2 := dump(tree), dump(again); d1 != d2 {
				t.Fatalf("the printed tree parses differently:\n%s\n%s", d1, d2)
			}
			checkSpans(t, tree.Root, src)
		}
	})
}

// checkSpans checks that each node's source text lies within the template and its
// children's within it, in order.
func checkSpans(t *testing.T, n Node, src string) {
	first, last := n.FirstToken(), n.LastToken()
	if first == nil || last == nil {
		t.Fatalf("%s has no tokens", n.Type())
	}
	if first.Off > len(src) || last.EndOff > len(src) {
		t.Fatalf("%s spans %d..%d of %d bytes", n.Type(), first.Off, last.EndOff, len(src))
	}
	prev := -1
	for _, c := range n.Children() {
		if c.FirstToken().Off < prev {
			t.Fatalf("children of %s out of order", n.Type())
		}
		prev = c.FirstToken().Off
		checkSpans(t, c, src)
	}
}
