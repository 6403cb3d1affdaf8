package javafmt

import (
	"bufio"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestFormatDouble(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"zero", 0, "0.0"},
		{"negative zero", math.Copysign(0, -1), "-0.0"},
		{"NaN", math.NaN(), "NaN"},
		{"+Inf", math.Inf(1), "Infinity"},
		{"-Inf", math.Inf(-1), "-Infinity"},
		{"one", 1, "1.0"},
		{"tenth", 0.1, "0.1"},
		{"half", 2.5, "2.5"},
		{"money", 1234.5, "1234.5"},
		{"below 1e-3 is E-form", 0.0009999999999999998, "9.999999999999998E-4"},
		{"1e-3 is plain", 1e-3, "0.001"},
		{"2e-3", 2e-3, "0.002"},
		{"below 1e7 is plain", 9999999.999999998, "9999999.999999998"},
		{"1e7 is E-form", 1e7, "1.0E7"},
		{"1e-5", 1e-5, "1.0E-5"},
		{"1e23 prints below", 1e23, "9.999999999999999E22"},
		{"2e23 prints below", 2e23, "1.9999999999999998E23"},
		{"2^53", 9007199254740992, "9.007199254740992E15"},
		{"2^60 extra digit", 1 << 60, "1.15292150460684698E18"},
		{"min subnormal", math.SmallestNonzeroFloat64, "4.9E-324"},
		{"max", math.MaxFloat64, "1.7976931348623157E308"},
		{"min normal", 0x1p-1022, "2.2250738585072014E-308"},
		{"negative", -123.456, "-123.456"},
		{"integer", 123456789, "1.23456789E8"},
		{"1e16", 1e16, "1.0E16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatDouble(tc.in); got != tc.want {
				t.Errorf("FormatDouble(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		name string
		in   float32
		want string
	}{
		{"zero", 0, "0.0"},
		{"negative zero", float32(math.Copysign(0, -1)), "-0.0"},
		{"NaN", float32(math.NaN()), "NaN"},
		{"tenth", 0.1, "0.1"},
		{"1.1", 1.1, "1.1"},
		{"1e10", 1e10, "1.0E10"},
		{"max", math.MaxFloat32, "3.4028235E38"},
		{"min subnormal", math.SmallestNonzeroFloat32, "1.4E-45"},
		{"1e-44 carries out", 1e-44, "9.8E-45"},
		{"2^24", 16777216, "1.6777216E7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatFloat(tc.in); got != tc.want {
				t.Errorf("FormatFloat(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// readBitsTable reads lines "HEXBITS<TAB>java text" as written by Java (see
// testdata/README.md).
func readBitsTable(t *testing.T, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		hex, text, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		rows = append(rows, [2]string{hex, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestFormatDoubleJava compares with Double.toString on the values in
// testdata/double.tsv, and on a larger table named by $JAVAFMT_DOUBLE_TSV if set.
func TestFormatDoubleJava(t *testing.T) {
	paths := []string{"testdata/double.tsv"}
	if p := os.Getenv("JAVAFMT_DOUBLE_TSV"); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		bad := 0
		for _, row := range readBitsTable(t, p) {
			b, err := strconv.ParseUint(row[0], 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatDouble(math.Float64frombits(b)); got != row[1] {
				t.Errorf("%s: FormatDouble(0x%s) = %q, want %q", p, row[0], got, row[1])
				if bad++; bad > 20 {
					t.FailNow()
				}
			}
		}
	}
}

// TestFormatFloatJava is TestFormatDoubleJava for Float.toString ($JAVAFMT_FLOAT_TSV).
func TestFormatFloatJava(t *testing.T) {
	paths := []string{"testdata/float.tsv"}
	if p := os.Getenv("JAVAFMT_FLOAT_TSV"); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		bad := 0
		for _, row := range readBitsTable(t, p) {
			b, err := strconv.ParseUint(row[0], 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatFloat(math.Float32frombits(uint32(b))); got != row[1] {
				t.Errorf("%s: FormatFloat(0x%s) = %q, want %q", p, row[0], got, row[1])
				if bad++; bad > 20 {
					t.FailNow()
				}
			}
		}
	}
}

var javaFloatText = regexp.MustCompile(`^-?(?:[0-9]+\.[0-9]+|[1-9]\.[0-9]+E-?[0-9]{1,3})$`)

// FuzzFormatDouble checks properties every Double.toString result has: Java's shape
// (plain between 1e-3 and 1e7, else one digit before the point and an exponent), at
// most 17 significant digits before a possible extra one, and reading it back gives
// the same double.
func FuzzFormatDouble(f *testing.F) {
	for _, v := range []float64{0, 1, 0.1, 1e23, 1 << 60, 1e-3, 1e7, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, b uint64) {
		v := math.Float64frombits(b)
		got := FormatDouble(v)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		if !javaFloatText.MatchString(got) {
			t.Fatalf("FormatDouble(%x) = %q: not Java's shape", b, got)
		}
		abs := math.Abs(v)
		plain := !strings.Contains(got, "E")
		if wantPlain := abs == 0 || (abs >= 1e-3 && abs < 1e7); plain != wantPlain {
			t.Fatalf("FormatDouble(%x) = %q: plain %v, want %v", b, got, plain, wantPlain)
		}
		back, err := strconv.ParseFloat(got, 64)
		if err != nil || math.Float64bits(back) != b {
			t.Fatalf("FormatDouble(%x) = %q reads back as %x (%v)", b, got, math.Float64bits(back), err)
		}
	})
}

// FuzzFormatFloat is FuzzFormatDouble for float32.
func FuzzFormatFloat(f *testing.F) {
	for _, v := range []float32{0, 1, 0.1, 1e10, 1e-44, math.MaxFloat32} {
		f.Add(math.Float32bits(v))
	}
	f.Fuzz(func(t *testing.T, b uint32) {
		v := math.Float32frombits(b)
		got := FormatFloat(v)
		if v != v || math.IsInf(float64(v), 0) {
			return
		}
		if !javaFloatText.MatchString(got) {
			t.Fatalf("FormatFloat(%x) = %q: not Java's shape", b, got)
		}
		back, err := strconv.ParseFloat(got, 32)
		if err != nil || math.Float32bits(float32(back)) != b {
			t.Fatalf("FormatFloat(%x) = %q reads back as %x (%v)", b, got, math.Float32bits(float32(back)), err)
		}
	})
}

func BenchmarkFormatDouble(b *testing.B) {
	vals := []float64{0.1, 1234.5, 2.5e-7, 1e23, 123456789.123, 3}
	buf := make([]byte, 0, 32)
	for b.Loop() {
		for _, v := range vals {
			buf = AppendDouble(buf[:0], v)
		}
	}
}
