package delivery

import (
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		o    Outcome
		want bool
	}{
		{"success", Outcome{Status: 200}, false},
		{"dns temporary", Outcome{Class: webhook.ClassDNS}, true},
		{"dns not found", Outcome{Class: webhook.ClassDNS, HostNotFound: true}, false},
		{"connect", Outcome{Class: webhook.ClassConnect}, true},
		{"timeout", Outcome{Class: webhook.ClassTimeout}, true},
		{"tls", Outcome{Class: webhook.ClassTLS}, false},
		{"blocked", Outcome{Class: webhook.ClassBlocked}, false},
		{"too large", Outcome{Class: webhook.ClassTooLarge, Status: 200}, false},
		{"decode", Outcome{Class: webhook.ClassDecode, Status: 200}, false},
		{"render", Outcome{Class: webhook.ClassRender}, false},
		{"400", Outcome{Class: webhook.ClassHTTP4xx, Status: 400}, false},
		{"401", Outcome{Class: webhook.ClassHTTP4xx, Status: 401}, false},
		{"404", Outcome{Class: webhook.ClassHTTP4xx, Status: 404}, false},
		{"408", Outcome{Class: webhook.ClassHTTP4xx, Status: 408}, true},
		{"410", Outcome{Class: webhook.ClassHTTP4xx, Status: 410}, false},
		{"429", Outcome{Class: webhook.ClassHTTP4xx, Status: 429}, true},
		{"302 not followed", Outcome{Class: webhook.ClassHTTP4xx, Status: 302}, false},
		{"500", Outcome{Class: webhook.ClassHTTP5xx, Status: 500}, true},
		{"501", Outcome{Class: webhook.ClassHTTP5xx, Status: 501}, false},
		{"502", Outcome{Class: webhook.ClassHTTP5xx, Status: 502}, true},
		{"503", Outcome{Class: webhook.ClassHTTP5xx, Status: 503}, true},
		{"504", Outcome{Class: webhook.ClassHTTP5xx, Status: 504}, true},
		{"505", Outcome{Class: webhook.ClassHTTP5xx, Status: 505}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Retryable(tt.o); got != tt.want {
				t.Errorf("Retryable(%+v) = %v, want %v", tt.o, got, tt.want)
			}
		})
	}
}

func TestPolicyNext(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	lowest := func(n int64) int64 { return 0 }
	highest := func(n int64) int64 { return n - 1 }
	e503 := Outcome{Class: webhook.ClassHTTP5xx, Status: 503}
	withRA := func(o Outcome, ra string) Outcome { o.RetryAfter = ra; return o }
	tests := []struct {
		name    string
		p       Policy
		attempt int
		o       Outcome
		rnd     func(int64) int64
		want    Step
	}{
		{"equal jitter lowest 1", Policy{}, 1, e503, lowest, Step{Retry: true, Delay: 250 * time.Millisecond}},
		{"equal jitter highest 1", Policy{}, 1, e503, highest, Step{Retry: true, Delay: 500 * time.Millisecond}},
		{"equal jitter lowest 2", Policy{}, 2, e503, lowest, Step{Retry: true, Delay: 500 * time.Millisecond}},
		{"equal jitter highest 3", Policy{}, 3, e503, highest, Step{Retry: true, Delay: 2 * time.Second}},
		{"capped at max", Policy{}, 10, e503, highest, Step{Retry: true, Delay: DefaultMax}},
		{"huge attempt capped", Policy{}, 1000, e503, highest, Step{Retry: true, Delay: DefaultMax}},
		{"full jitter lowest", Policy{Jitter: FullJitter}, 3, e503, lowest, Step{Retry: true, Delay: 0}},
		{"full jitter highest", Policy{Jitter: FullJitter}, 3, e503, highest, Step{Retry: true, Delay: 2 * time.Second}},
		{"custom base and max", Policy{Base: time.Second, Max: 3 * time.Second, Jitter: FullJitter}, 3, e503, highest, Step{Retry: true, Delay: 3 * time.Second}},
		{"retry-after seconds", Policy{}, 1, withRA(e503, "7"), highest, Step{Retry: true, Delay: 7 * time.Second, RetryAfter: true}},
		{"retry-after zero", Policy{}, 1, withRA(e503, "0"), highest, Step{Retry: true, Delay: 0, RetryAfter: true}},
		{"retry-after date", Policy{}, 1, withRA(e503, "Fri, 27 Nov 2026 10:00:30 GMT"), highest, Step{Retry: true, Delay: 30 * time.Second, RetryAfter: true}},
		{"retry-after past date", Policy{}, 1, withRA(e503, "Fri, 27 Nov 2026 09:00:00 GMT"), highest, Step{Retry: true, Delay: 0, RetryAfter: true}},
		{"retry-after garbage falls back", Policy{}, 1, withRA(e503, "soon"), highest, Step{Retry: true, Delay: 500 * time.Millisecond}},
		{"retry-after negative falls back", Policy{}, 1, withRA(e503, "-5"), highest, Step{Retry: true, Delay: 500 * time.Millisecond}},
		{"retry-after on 429", Policy{}, 2, Outcome{Class: webhook.ClassHTTP4xx, Status: 429, RetryAfter: "3"}, highest, Step{Retry: true, Delay: 3 * time.Second, RetryAfter: true}},
		{"retry-after ignored when final", Policy{}, 1, Outcome{Class: webhook.ClassHTTP5xx, Status: 501, RetryAfter: "3"}, highest, Step{}},
		{"final 404", Policy{}, 1, Outcome{Class: webhook.ClassHTTP4xx, Status: 404}, highest, Step{}},
		{"timeout retried", Policy{}, 2, Outcome{Class: webhook.ClassTimeout}, lowest, Step{Retry: true, Delay: 500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Next(tt.attempt, tt.o, now, tt.rnd); got != tt.want {
				t.Errorf("Next(%d, %+v) = %+v, want %+v", tt.attempt, tt.o, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"120", 2 * time.Minute, true},
		{" 5 ", 5 * time.Second, true},
		{"1.5", 0, false},
		{"99999999999999999999999", maxRetryAfter, true},
		{"604801", maxRetryAfter, true},
		{"Fri, 27 Nov 2026 10:01:00 GMT", time.Minute, true},
		{"Friday, 27-Nov-26 10:01:00 GMT", time.Minute, true},
		{"Fri Nov 27 10:01:00 2026", time.Minute, true},
		{"Thu, 26 Nov 2026 10:01:00 GMT", 0, true},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "Fri, 27 Nov 2026 10:01:00 GMT", "-1", "1e9", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false; want 0 when unreadable", s, d)
		}
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, want a wait within [0, %v]", s, d, maxRetryAfter)
		}
	})
}

func TestBackoffBounds(t *testing.T) {
	// Every attempt's delay stays within [d/2, d] (equal) or [0, d] (full) for the
	// capped exponential d, whatever the random source returns.
	for _, j := range []Jitter{EqualJitter, FullJitter} {
		for attempt := 1; attempt <= 70; attempt++ {
			d := DefaultMax
			if attempt <= 5 {
				d = DefaultBase << (attempt - 1)
			}
			lo := d / 2
			if j == FullJitter {
				lo = 0
			}
			for _, rnd := range []func(int64) int64{func(int64) int64 { return 0 }, func(n int64) int64 { return n - 1 }, func(n int64) int64 { return n / 3 }} {
				got := Policy{Jitter: j}.Backoff(attempt, rnd)
				if got < lo || got > d {
					t.Errorf("Backoff(jitter %d, attempt %d) = %v, want within [%v, %v]", j, attempt, got, lo, d)
				}
			}
		}
	}
}
