package javafmt

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// parseNow is the "now" of testdata/dates.jsonl's parse cases: 2025-06-15T12:00:00Z.
const parseNow = 1749988800000

// TestSimpleDateFormatJava checks formatting, calendar fields, Date.toString, style
// formats and lenient parsing against Java's results in testdata/dates.jsonl (see
// testdata/java/GenDates.java).
func TestSimpleDateFormatJava(t *testing.T) {
	f, err := os.Open("testdata/dates.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	bad := 0
	for sc.Scan() {
		var row []json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		str := func(i int) string {
			var s string
			if err := json.Unmarshal(row[i], &s); err != nil {
				t.Fatalf("%s: field %d: %v", sc.Text(), i, err)
			}
			return s
		}
		num := func(i int) int64 {
			var n int64
			if err := json.Unmarshal(row[i], &n); err != nil {
				n, err = strconv.ParseInt(str(i), 10, 64)
				if err != nil {
					t.Fatalf("%s: field %d: %v", sc.Text(), i, err)
				}
			}
			return n
		}
		var got, want, what string
		switch str(0) {
		case "f":
			pattern, zone, ms := str(1), str(2), num(3)
			want = str(4)
			what = "format(" + strconv.Quote(pattern) + ", " + zone + ", " + strconv.FormatInt(ms, 10) + ")"
			sdf, err := NewSimpleDateFormat(pattern)
			if err != nil {
				got = "!" + err.Error()
			} else {
				got = sdf.Format(ms, LoadZone(zone))
			}
		case "c":
			zone, ms := str(1), num(2)
			var fields []int
			if err := json.Unmarshal(row[3], &fields); err != nil {
				t.Fatal(err)
			}
			fl := ComputeFields(ms, LoadZone(zone))
			what = "fields(" + zone + ", " + strconv.FormatInt(ms, 10) + ")"
			got = strings.Trim(strings.Join(strings.Fields(strconv.Quote(intsString(fl[:]))), " "), `"`) + " wy=" + strconv.Itoa(WeekYear(fl)) + " " + DateString(ms, LoadZone(zone))
			want = strings.Trim(strconv.Quote(intsString(fields)), `"`) + " wy=" + strconv.FormatInt(num(4), 10) + " " + str(5)
		case "s":
			ds, ts, zone, ms := int(num(1)), int(num(2)), str(3), num(4)
			want = str(5)
			what = "style(" + strconv.Itoa(ds) + ", " + strconv.Itoa(ts) + ", " + zone + ")"
			got = StyleFormat(ds, ts).Format(ms, LoadZone(zone))
		case "p":
			pattern, zone, text := str(1), str(2), str(3)
			want = str(4)
			what = "parse(" + strconv.Quote(pattern) + ", " + zone + ", " + strconv.Quote(text) + ")"
			sdf, err := NewSimpleDateFormat(pattern)
			if err != nil {
				t.Fatal(err)
			}
			z := LoadZone(zone)
			ms, end, ok := sdf.Parse(text, ParseOptions{Zone: z, DefaultZone: UTC, Now: parseNow})
			if ok {
				got = strconv.FormatInt(ms, 10) + "@" + strconv.Itoa(utf16Len(text[:end]))
			} else {
				got = "ERR"
			}
		}
		if got != want {
			t.Errorf("%s =\n got %q\nwant %q", what, got, want)
			if bad++; bad > 40 {
				t.FailNow()
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func intsString(v []int) string {
	var b strings.Builder
	for i, n := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

func TestLoadZone(t *testing.T) {
	// Expected IDs and names from TimeZone.getTimeZone(id) on Java 17.
	tests := []struct {
		id, wantID, wantShort, wantLong string
	}{
		{"GMT+3", "GMT+03:00", "GMT+03:00", "GMT+03:00"},
		{"GMT-3:30", "GMT-03:30", "GMT-03:30", "GMT-03:30"},
		{"GMT+0", "GMT+00:00", "GMT+00:00", "GMT+00:00"},
		{"GMT+0330", "GMT+03:30", "GMT+03:30", "GMT+03:30"},
		{"utc", "GMT", "GMT", "Greenwich Mean Time"},
		{"Etc/GMT+3", "Etc/GMT+3", "GMT-03:00", "GMT-03:00"},
		{"GMT+24", "GMT", "GMT", "Greenwich Mean Time"},
		{"GMT+3:5", "GMT", "GMT", "Greenwich Mean Time"},
		{"EST", "EST", "EST", "Eastern Standard Time"},
		{"UTC", "UTC", "UTC", "Coordinated Universal Time"},
		{"Europe/Kyiv", "Europe/Kyiv", "EET", "Eastern European Standard Time"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			z := LoadZone(tc.id)
			if got := z.ID(); got != tc.wantID {
				t.Errorf("ID = %q, want %q", got, tc.wantID)
			}
			if got := z.DisplayName(false, false); got != tc.wantShort {
				t.Errorf("short name = %q, want %q", got, tc.wantShort)
			}
			if got := z.DisplayName(false, true); got != tc.wantLong {
				t.Errorf("long name = %q, want %q", got, tc.wantLong)
			}
		})
	}
	if got, want := LoadZone("GMT+3").String(), `sun.util.calendar.ZoneInfo[id="GMT+03:00",offset=10800000,dstSavings=0,useDaylight=false,transitions=0,lastRule=null]`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		name     string
		from     string
		months   int
		wantDate string
	}{
		{"plain", "2020-01-01 12:00", 5, "2020-06-01 12:00"},
		{"pinned to month end", "2020-01-31 08:00", 1, "2020-02-29 08:00"},
		{"leap day plus a year", "2020-02-29 00:00", 12, "2021-02-28 00:00"},
		{"backwards over a year", "2020-03-15 00:00", -5, "2019-10-15 00:00"},
	}
	f, err := NewSimpleDateFormat("yyyy-MM-dd HH:mm")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, _, ok := f.Parse(tc.from, ParseOptions{Zone: UTC, Now: parseNow})
			if !ok {
				t.Fatalf("parse %q failed", tc.from)
			}
			if got := f.Format(AddMonths(ms, tc.months, UTC), UTC); got != tc.wantDate {
				t.Errorf("AddMonths(%s, %d) = %s, want %s", tc.from, tc.months, got, tc.wantDate)
			}
		})
	}
}

// FuzzSimpleDateFormat checks that any pattern compiles or is rejected with Java's
// kind of message, and that a compiled pattern formats and parses without panicking.
func FuzzSimpleDateFormat(f *testing.F) {
	for _, p := range []string{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "EEE, d MMM yyyy HH:mm:ss Z", "'o''clock' h a z", "YYYY-'W'ww-u", "G y L F W D k K"} {
		f.Add(p, int64(1495479520000), "2017-05-22T18:58:40.000+00:00")
	}
	f.Fuzz(func(t *testing.T, pattern string, ms int64, text string) {
		sdf, err := NewSimpleDateFormat(pattern)
		if err != nil {
			var pe *PatternError
			if !errorsAs(err, &pe) {
				t.Fatalf("NewSimpleDateFormat(%q): %v is not a *PatternError", pattern, err)
			}
			return
		}
		ms %= 1 << 50 // Java's Date covers ±292 million years; keep well inside
		out := sdf.Format(ms, LoadZone("Europe/Kyiv"))
		sdf.Parse(out, ParseOptions{Zone: UTC, Now: parseNow})
		if _, end, ok := sdf.Parse(text, ParseOptions{Zone: UTC, Now: parseNow}); ok && (end < 0 || end > len(text)) {
			t.Fatalf("Parse(%q) end %d", text, end)
		}
	})
}

func errorsAs(err error, target **PatternError) bool {
	pe, ok := err.(*PatternError)
	if ok {
		*target = pe
	}
	return ok
}

func BenchmarkSimpleDateFormat(b *testing.B) {
	f, err := NewSimpleDateFormat("dd.MM.yyyy HH:mm:ss")
	if err != nil {
		b.Fatal(err)
	}
	z := LoadZone("Europe/Kyiv")
	buf := make([]byte, 0, 32)
	for b.Loop() {
		buf = f.AppendFormat(buf[:0], 1495479520000, z)
	}
}

// TestConcurrentUse formats and parses from many goroutines through the shared
// pattern and zone caches; run with -race.
func TestConcurrentUse(t *testing.T) {
	done := make(chan string, 8)
	for g := range 8 {
		go func() {
			var out string
			for i := range 200 {
				p := "dd.MM.yyyy HH:mm " + strconv.Itoa(i%300) // more patterns than the cache holds
				sdf, err := CachedSimpleDateFormat("'" + p + "'")
				if err != nil {
					done <- err.Error()
					return
				}
				df, err := CachedDecimalFormat("#,##0." + strings.Repeat("0", i%5))
				if err != nil {
					done <- err.Error()
					return
				}
				z := LoadZone([]string{"UTC", "Europe/Kyiv", "GMT+3", "America/New_York"}[(g+i)%4])
				out = sdf.Format(int64(i)*86400000, z) + df.FormatFloat(float64(i)/3)
			}
			done <- out
		}()
	}
	for range 8 {
		if got := <-done; !strings.HasPrefix(got, "dd.MM.yyyy") {
			t.Errorf("goroutine ended with %q", got)
		}
	}
}
