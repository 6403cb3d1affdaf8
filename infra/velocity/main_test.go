package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var errLine = regexp.MustCompile(`\[line (\d+), column (\d+)\]`)

// kindLine returns the exception class and line of a .err file's line.
func kindLine(s string) (string, string) {
	kind, _, _ := strings.Cut(s, ":")
	if m := errLine.FindStringSubmatch(s); m != nil {
		return kind, m[1]
	}
	return kind, ""
}

// TestBatchMatchesGolden runs --batch over a copy of the golden corpus and compares
// what it writes with the oracle's files: outputs byte for byte, errors by class
// and line.
func TestBatchMatchesGolden(t *testing.T) {
	golden := filepath.Join("..", "..", "shared", "velocity", "testdata", "golden")
	vms, err := filepath.Glob(filepath.Join(golden, "*.vm"))
	if err != nil || len(vms) == 0 {
		t.Skipf("no golden cases in %s: %v", golden, err)
	}
	dir := t.TempDir()
	for _, vm := range vms {
		base := strings.TrimSuffix(filepath.Base(vm), ".vm")
		for _, ext := range []string{".vm", ".json"} {
			b, err := os.ReadFile(filepath.Join(golden, base+ext))
			if err != nil {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, base+ext), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// a stale file of the wrong kind, which batch mode must remove
		stale := ".err"
		if _, err := os.Stat(filepath.Join(golden, base+".err")); err == nil {
			stale = ".out"
		}
		if err := os.WriteFile(filepath.Join(dir, base+stale), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stderr bytes.Buffer
	if code := run([]string{"--batch", dir}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, vm := range vms {
		base := strings.TrimSuffix(filepath.Base(vm), ".vm")
		wantOut, outErr := os.ReadFile(filepath.Join(golden, base+".out"))
		gotOut, gotOutErr := os.ReadFile(filepath.Join(dir, base+".out"))
		gotErr, gotErrErr := os.ReadFile(filepath.Join(dir, base+".err"))
		if outErr == nil {
			if gotOutErr != nil || !bytes.Equal(gotOut, wantOut) {
				t.Errorf("%s: got output %q (error file %q), want %q", base, gotOut, gotErr, wantOut)
			}
			if gotErrErr == nil {
				t.Errorf("%s: a stale .err was left", base)
			}
			continue
		}
		wantErr, err := os.ReadFile(filepath.Join(golden, base+".err"))
		if err != nil {
			t.Fatalf("%s: no .out nor .err in the corpus", base)
		}
		if gotErrErr != nil {
			t.Errorf("%s: got output %q, want error %s", base, gotOut, wantErr)
			continue
		}
		if gotOutErr == nil {
			t.Errorf("%s: a stale .out was left", base)
		}
		if n := bytes.Count(gotErr, []byte("\n")); n != 1 || !bytes.HasSuffix(gotErr, []byte("\n")) {
			t.Errorf("%s: the .err file has %d lines: %q", base, n, gotErr)
		}
		wk, wl := kindLine(string(wantErr))
		gk, gl := kindLine(string(gotErr))
		if gk != wk || (wl != "" && gl != wl) {
			t.Errorf("%s: got %q, want class %s line %q (%s)", base, gotErr, wk, wl, wantErr)
		}
	}
}

func TestSingleTemplate(t *testing.T) {
	dir := t.TempDir()
	vm := filepath.Join(dir, "t.vm")
	ctx := filepath.Join(dir, "t.json")
	tests := []struct {
		name, src, json    string
		args               func() []string
		code               int
		stdout, stderrPart string
	}{
		{"contact fields with --flowhook", "Hi $name, $firstname from $TOWN", `{"name": "x", "contact": {"FIRSTNAME": "Ann", "TOWN": "Kyiv"}}`,
			func() []string { return []string{"--flowhook", vm, ctx} }, 0, "Hi x, Ann from Kyiv", ""},
		{"contact is an ordinary variable for the oracle", "Hi $name, $firstname from $contact.TOWN", `{"name": "x", "contact": {"FIRSTNAME": "Ann", "TOWN": "Kyiv"}}`,
			func() []string { return []string{vm, ctx} }, 0, "Hi x, $firstname from Kyiv", ""},
		{"no context", "$mathTool.add(1, 2)", "", func() []string { return []string{vm} }, 0, "3", ""},
		{"error", "line\n#if(", "", func() []string { return []string{vm} }, 1, "", "ParseErrorException"},
		{"Velocity 1.7 syntax by default", "${a|'b'}", "", func() []string { return []string{vm} }, 1, "", "ParseErrorException"},
		{"Flowhook syntax on request", "${a|'b'}", "", func() []string { return []string{"--flowhook", vm} }, 0, "b", ""},
		{"usage", "", "", func() []string { return nil }, 2, "", "usage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(vm, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ctx, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := run(tc.args(), &out, &errb)
			if code != tc.code || out.String() != tc.stdout || !strings.Contains(errb.String(), tc.stderrPart) {
				t.Errorf("got exit %d, %q, stderr %q; want %d, %q, stderr containing %q",
					code, out.String(), errb.String(), tc.code, tc.stdout, tc.stderrPart)
			}
		})
	}
}

// TestJavaUTF8 holds the decoding of malformed UTF-8 to what the oracle rendered
// for each byte sequence as a template.
func TestJavaUTF8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[\xe2\x82y]", "[\uFFFDy]"},
		{"[\xe0\x80z]", "[\uFFFD\uFFFDz]"},
		{"[\xed\xa0\x80w]", "[\uFFFDw]"},
		{"[\xed\xa0w]", "[\uFFFDw]"},
		{"[\xf0\x9f\x98y]", "[\uFFFDy]"},
		{"[\xf4\x90\x80\x80]", "[\uFFFD\uFFFD\uFFFD\uFFFD]"},
		{"[\xc0\xaf]", "[\uFFFD\uFFFD]"},
		{"[\xc3]", "[\uFFFD]"},
		{"[end\xe2]", "[end\uFFFD]"},
		{"[\xf0\x90\x80]", "[\uFFFD]"},
		{"[\xf0\x80\x80\x80]", "[\uFFFD\uFFFD\uFFFD\uFFFD]"},
		{"[\xf8\x88\x80\x80\x80]", "[\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD]"},
		{"[\xe2(\xa1]", "[\uFFFD(\uFFFD]"},
		{"[\xa0\xa1]", "[\uFFFD\uFFFD]"},
		{"[\xed\x9f\xbf]", "[\ud7ff]"},
		{"[\xef\xbf\xbf]", "[\uffff]"},
		{"[\xf0\x9f]", "[\uFFFD]"},
		{"[\xf0\x9fx]", "[\uFFFDx]"},
		{"valid é 😀", "valid é 😀"},
	}
	for _, tc := range tests {
		if got := javaUTF8([]byte(tc.in)); got != tc.want {
			t.Errorf("javaUTF8(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLoneSurrogateEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": "\ud83d"}`, `{"a": "?"}`},
		{`{"a": "x\ude00y"}`, `{"a": "x?y"}`},
		{`{"a": "\ud83d\ude00"}`, `{"a": "\ud83d\ude00"}`},
		{`{"a": "\ude00\ud83d"}`, `{"a": "??"}`},
		{`{"a": "\\ud83d"}`, `{"a": "\\ud83d"}`},
		{`{"a": "\\\ud83d"}`, `{"a": "\\?"}`},
		{`{"a": "\u00e9\ud83d\ud83d\ude00"}`, `{"a": "\u00e9?\ud83d\ude00"}`},
		{`{"a": "\ud83dx"}`, `{"a": "?x"}`},
	}
	for _, tc := range tests {
		if got := loneSurrogateEscapes(tc.in); got != tc.want {
			t.Errorf("loneSurrogateEscapes(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
