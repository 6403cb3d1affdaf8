package delivery

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// Jitter chooses how a backoff delay is randomised, so that many runs failing together
// do not retry together.
type Jitter uint8

// Jitter modes.
const (
	// EqualJitter waits half the backoff plus a random part of the other half: never
	// less than half, which gives a struggling endpoint a guaranteed pause.
	EqualJitter Jitter = iota
	// FullJitter waits a random time from zero to the whole backoff.
	FullJitter
)

// Default backoff bounds: 0.5 s, 1 s, 2 s, 4 s… before jitter, never more than 8 s, which
// keeps a few retries inside a Lambda invocation.
const (
	// DefaultBase is the backoff before the first retry.
	DefaultBase = 500 * time.Millisecond
	// DefaultMax caps every backoff.
	DefaultMax = 8 * time.Second
)

// maxRetryAfter caps a Retry-After, so a huge value cannot overflow a Duration; any
// such wait is past every deadline anyway.
const maxRetryAfter = 7 * 24 * time.Hour

// Policy is the retry policy of design §6: retry network errors, timeouts, 408, 429 and
// 5xx except 501; everything else (other 4xx, TLS, blocked, too large, undecodable,
// a name that does not exist) is final. Delays grow exponentially with jitter; a
// Retry-After header on a retryable answer is honoured instead. The zero Policy uses
// DefaultBase, DefaultMax and EqualJitter.
type Policy struct {
	// Base is the backoff before the first retry (before jitter).
	Base time.Duration
	// Max caps the backoff before jitter.
	Max    time.Duration
	Jitter Jitter
}

// Outcome is what one attempt produced, as far as the policy cares.
type Outcome struct {
	// Class is the attempt's error class; empty for a success.
	Class webhook.ErrorClass
	// Status is the HTTP status; 0 when no response arrived.
	Status int
	// RetryAfter is the response's Retry-After header value, if any.
	RetryAfter string
	// HostNotFound marks a DNS answer that the name does not exist: no retry fixes that.
	HostNotFound bool
}

// Step is the policy's answer after an attempt.
type Step struct {
	// Retry says whether another attempt may help.
	Retry bool
	// Delay is how long to wait before it.
	Delay time.Duration
	// RetryAfter marks a Delay the endpoint asked for with Retry-After.
	RetryAfter bool
}

// Retryable reports whether an outcome is worth another attempt.
func Retryable(o Outcome) bool {
	switch o.Class {
	case webhook.ClassConnect, webhook.ClassTimeout:
		return true
	case webhook.ClassDNS:
		return !o.HostNotFound
	case webhook.ClassHTTP4xx:
		return o.Status == http.StatusRequestTimeout || o.Status == http.StatusTooManyRequests
	case webhook.ClassHTTP5xx:
		return o.Status != http.StatusNotImplemented
	}
	return false
}

// Next decides, after attempt number attempt (1 for the first) produced o, whether to
// retry and after how long. It is a pure function: now is the current time (for a
// Retry-After date) and rnd(n) returns a random int64 in [0, n). Whether the retry fits
// the attempt budget and the deadline is the caller's business.
func (p Policy) Next(attempt int, o Outcome, now time.Time, rnd func(n int64) int64) Step {
	if !Retryable(o) {
		return Step{}
	}
	if d, ok := ParseRetryAfter(o.RetryAfter, now); ok {
		return Step{Retry: true, Delay: d, RetryAfter: true}
	}
	return Step{Retry: true, Delay: p.Backoff(attempt, rnd)}
}

// Backoff returns the jittered delay after attempt number attempt: Base·2^(attempt−1),
// capped at Max, then jittered.
func (p Policy) Backoff(attempt int, rnd func(n int64) int64) time.Duration {
	base, max := p.Base, p.Max
	if base <= 0 {
		base = DefaultBase
	}
	if max <= 0 {
		max = DefaultMax
	}
	d := max
	if attempt < 1 {
		attempt = 1
	}
	if shift := attempt - 1; shift < 62 && base <= max>>shift {
		d = base << shift
	}
	switch p.Jitter {
	case FullJitter:
		return time.Duration(rnd(int64(d) + 1))
	default:
		half := d / 2
		return half + time.Duration(rnd(int64(d-half)+1))
	}
}

// ParseRetryAfter reads a Retry-After value, delay-seconds or an HTTP date, as the
// time to wait from now. A date in the past means no wait. It reports false for an
// absent or unreadable value.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return maxRetryAfter, true
			}
			return 0, false
		}
		if n > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}
