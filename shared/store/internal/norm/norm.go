// Package norm holds the normal forms both Flowhook stores key and compare records by, so
// the embedded and DynamoDB stores apply the same rules: time sort keys, and email and
// search term folding.
package norm

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/webhook"
)

// sortTimeLayout is fixed-width, so keys built from it sort in time order as strings.
const sortTimeLayout = "2006-01-02T15:04:05.000000000Z"

// SortTime formats t, in UTC, so that the strings of two times sort as the times do
// (for years 0000–9999).
func SortTime(t time.Time) string { return t.UTC().Format(sortTimeLayout) }

// Time formats a record time for storage: RFC 3339 with nanoseconds in UTC, "" for the
// zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ParseTime is the inverse of Time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// Email returns the form emails are compared in for uniqueness and lookups: lower case.
func Email(email string) string { return strings.ToLower(email) }

// SearchTerms returns the distinct lower-cased, non-empty terms SearchContacts matches a
// contact by: its email, phone, first name and last name, sorted.
func SearchTerms(c webhook.Contact) []string {
	terms := make([]string, 0, 4)
	add := func(s string) {
		if s = strings.ToLower(s); s != "" && !slices.Contains(terms, s) {
			terms = append(terms, s)
		}
	}
	add(c.Email)
	add(c.Phone)
	for _, f := range []string{webhook.FieldFirstName, webhook.FieldLastName} {
		var name string // a name that is not a JSON string is not searched
		if json.Unmarshal(c.Fields[f], &name) == nil {
			add(name)
		}
	}
	slices.Sort(terms)
	return terms
}

// SearchQuery returns the form a search query is matched in: lower case.
func SearchQuery(q string) string { return strings.ToLower(q) }

// FirstMatch reports whether term is the first of terms (in sorted order) that starts
// with q. A store indexes each contact once per term and lists a search hit only at the
// contact's first matching term, so a contact whose email and first name both match is
// returned once, and paging by index position stays exact without remembering what
// earlier pages returned. q must already be in SearchQuery form.
func FirstMatch(terms []string, term, q string) bool {
	for _, t := range terms { // sorted
		if strings.HasPrefix(t, q) {
			return t == term
		}
	}
	return false
}
