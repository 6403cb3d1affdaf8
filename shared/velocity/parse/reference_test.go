package parse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReferenceDumps compares the token stream and tree of every DIR/NAME.vm with
// DIR/NAME.dump, written by the reference parser through testdata/Dump.java
// (see testdata/README.md). DIR is testdata/dumps, or $VELOCITY_DUMP_DIR.
func TestReferenceDumps(t *testing.T) {
	dir := os.Getenv("VELOCITY_DUMP_DIR")
	if dir == "" {
		dir = filepath.Join("testdata", "dumps")
	}
	vms, err := filepath.Glob(filepath.Join(dir, "*.vm"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vms) == 0 {
		t.Skipf("no cases in %s", dir)
	}
	failed := 0
	for _, vm := range vms {
		want, err := os.ReadFile(strings.TrimSuffix(vm, ".vm") + ".dump")
		if err != nil {
			continue
		}
		src, err := os.ReadFile(vm)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(vm)
		got := dumpOrError(name, string(src))
		if !sameDump(got, string(want)) {
			failed++
			if failed <= 10 {
				t.Errorf("%s: source %q\ngot:\n%s\nwant:\n%s", name, src, got, want)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d cases differ", failed, len(vms))
	}
}

func dumpOrError(name, src string) string {
	tree, err := Parse(name, src, nil)
	if err != nil {
		return "ERROR " + err.Error() + "\n"
	}
	return dump(tree)
}

// sameDump compares dumps; for errors only the fact of an error and its line count.
func sameDump(got, want string) bool {
	if strings.HasPrefix(want, "ERROR") || strings.HasPrefix(got, "ERROR") {
		if !strings.HasPrefix(want, "ERROR") || !strings.HasPrefix(got, "ERROR") {
			return false
		}
		return errorLine(got) == errorLine(want)
	}
	return got == want
}

// errorLine extracts the line of an error from a dump: "NAME:L:C: msg" (ours) or
// "... [line L, column C]" / "at line L, column C" (the reference's).
func errorLine(s string) string {
	if i := strings.Index(s, "[line "); i >= 0 {
		rest := s[i+6:]
		return rest[:strings.IndexByte(rest, ',')]
	}
	if i := strings.Index(s, "at line "); i >= 0 {
		rest := s[i+8:]
		return rest[:strings.IndexByte(rest, ',')]
	}
	first := strings.SplitN(strings.TrimPrefix(s, "ERROR "), "\n", 2)[0]
	parts := strings.Split(first, ":")
	if len(parts) >= 3 {
		return parts[1]
	}
	return "?"
}
