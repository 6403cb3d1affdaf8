package norm

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

func TestSortTimeSortsAsTime(t *testing.T) {
	kyiv := time.FixedZone("Kyiv", 3*3600)
	times := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 12, 0, 0, 1, kyiv), // 09:00:00.000000001 UTC
		time.Date(2026, 3, 1, 9, 0, 0, 10, time.UTC),
		time.Date(2026, 3, 1, 9, 0, 1, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		if a, b := SortTime(times[i-1]), SortTime(times[i]); a >= b {
			t.Errorf("SortTime(%v) = %q is not before SortTime(%v) = %q", times[i-1], a, times[i], b)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   time.Time
	}{
		{"zero", time.Time{}},
		{"nanoseconds", time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)},
		{"offset", time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("X", -7*3600))},
	} {
		got, err := ParseTime(Time(tc.in))
		if err != nil || !got.Equal(tc.in) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("%s: got %v, %v; want %v in UTC", tc.name, got, err, tc.in)
		}
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Error("ParseTime of garbage: got no error")
	}
}

func contact(email, phone, first, last string) webhook.Contact {
	c := webhook.Contact{Email: email, Phone: phone, Fields: map[string]json.RawMessage{}}
	if first != "" {
		c.Fields[webhook.FieldFirstName] = json.RawMessage(first)
	}
	if last != "" {
		c.Fields[webhook.FieldLastName] = json.RawMessage(last)
	}
	return c
}

func TestSearchTerms(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    webhook.Contact
		want []string
	}{
		{"all four, lower-cased and sorted", contact("Ann@X.com", "+380", `"Ann"`, `"Kovalenko"`), []string{"+380", "ann", "ann@x.com", "kovalenko"}},
		{"duplicates once", contact("", "", `"Lee"`, `"LEE"`), []string{"lee"}},
		{"names that are not JSON strings are skipped", contact("a@x", "", `42`, `{"x": 1}`), []string{"a@x"}},
		{"escaped JSON string", contact("", "", `"Ol\u0065na"`, ""), []string{"olena"}},
		{"nothing", contact("", "", "", ""), []string{}},
	} {
		if got := SearchTerms(tc.c); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestFirstMatch(t *testing.T) {
	terms := []string{"+380", "ann", "ann@x.com", "annenko"}
	for _, tc := range []struct {
		term, q string
		want    bool
	}{
		{"ann", "an", true},
		{"ann@x.com", "an", false}, // "ann" matched first
		{"annenko", "anne", true},
		{"+380", "+3", true},
		{"ann", "b", false},
	} {
		if got := FirstMatch(terms, tc.term, tc.q); got != tc.want {
			t.Errorf("FirstMatch(%q, %q) = %v, want %v", tc.term, tc.q, got, tc.want)
		}
	}
}
