package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// Run runs the whole suite against the store implementation newStore makes: one subtest
// per rule of the Store contract, each with a fresh, empty store. The subtests run in
// parallel, so newStore must be safe to call from several goroutines, and so must the
// store it returns.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"Webhooks", webhookCases()},
		{"Connectors", connectorCases()},
		{"Paging", pagingCases()},
		{"Contacts", contactCases()},
		{"Segments", segmentCases()},
		{"Events", eventCases()},
		{"Workflows", workflowCases()},
		{"Runs", runCases()},
		{"RoundTrip", roundTripCases()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, newStore(t))
				})
			}
		})
	}
}

// testCase is one named rule of the contract, checked against a fresh store.
type testCase struct {
	name string
	run  func(t *testing.T, s Store)
}

// t0 is the suite's clock: records are created at t0 plus whole minutes, so the order of
// their times is the order the cases expect.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// at returns the suite time i minutes after t0.
func at(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }

// must returns a checker of a call's results: must(s.GetWebhook(ctx, id))(t, "GetWebhook")
// fails the test when the call returned an error, and returns its value otherwise.
func must[T any](v T, err error) func(t *testing.T, op string) T {
	return func(t *testing.T, op string) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		return v
	}
}

// mustOK fails the test when err is not nil.
func mustOK(t *testing.T, op string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t *testing.T, op string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want one wrapping %q", op, err, target)
	}
}

// wantConflict fails the test unless err is a *webhook.ConflictError on field naming
// exactly ids (in any order; nil ids means the IDs are not checked). It returns the error.
func wantConflict(t *testing.T, op string, err error, field string, ids []string) *webhook.ConflictError {
	t.Helper()
	var ce *webhook.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: got error %v, want a *webhook.ConflictError on %q", op, err, field)
	}
	if !errors.Is(err, webhook.ErrConflict) {
		t.Errorf("%s: errors.Is(%v, ErrConflict) is false", op, err)
	}
	if ce.Field != field {
		t.Errorf("%s: got conflict on %q, want %q (%v)", op, ce.Field, field, ce)
	}
	if ce.Reason == "" {
		t.Errorf("%s: conflict on %q has no Reason for the user", op, ce.Field)
	}
	if ids != nil && !sameSet(ce.IDs, ids) {
		t.Errorf("%s: got conflict IDs %q, want %q", op, ce.IDs, ids)
	}
	return ce
}

// sameSet reports whether a and b hold the same strings, ignoring order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkEqual fails the test unless got and want are equal after canonicalization (times
// in UTC, empty slices and maps as nil), printing both as JSON.
func checkEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(canon(got), canon(want)) {
		t.Errorf("%s:\ngot  %s\nwant %s", what, asJSON(got), asJSON(want))
	}
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

var timeType = reflect.TypeFor[time.Time]()

// canon returns a copy of v with times in UTC and empty slices and maps nil, the forms
// the contract lets a store return.
func canon(v any) any {
	if v == nil {
		return nil
	}
	return canonValue(reflect.ValueOf(v)).Interface()
}

func canonValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return reflect.ValueOf(v.Interface().(time.Time).UTC())
		}
		out := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(canonValue(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(canonValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), canonValue(it.Value()))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(canonValue(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(canonValue(v.Elem()))
		return out
	}
	return v
}

// race runs f(i) for i in [0, n) in n goroutines released together, and returns the
// errors in order of i.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// racers is how many goroutines the concurrency cases race.
const racers = 8

// winners returns the indexes of the nil errors.
func winners(errs []error) []int {
	var w []int
	for i, err := range errs {
		if err == nil {
			w = append(w, i)
		}
	}
	return w
}

// walk follows a list's cursors from the first page with limit, checking that every
// page but the last is full, that the last one (and only it) has an empty cursor and
// that no page is empty unless the list is, and returns the ids in order.
func walk(t *testing.T, limit int, list func(p store.Page) ([]string, string, error)) []string {
	t.Helper()
	size := store.Page{Limit: limit}.Size()
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("limit %d: more than 1000 pages; the cursor does not advance", limit)
		}
		ids, next, err := list(store.Page{Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatalf("limit %d, page %d: %v", limit, pages+1, err)
		}
		if len(ids) > size {
			t.Fatalf("limit %d, page %d: got %d records, want at most %d", limit, pages+1, len(ids), size)
		}
		if len(ids) == 0 && pages > 0 {
			t.Fatalf("limit %d, page %d: got an empty page after a non-empty cursor", limit, pages+1)
		}
		all = append(all, ids...)
		if next == "" {
			return all
		}
		if len(ids) != size {
			t.Fatalf("limit %d, page %d: got %d records and a cursor, want a full page of %d", limit, pages+1, len(ids), size)
		}
		cursor = next
	}
}

// ids returns the IDs of records.
func ids[T any](records []T, id func(T) string) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = id(r)
	}
	return out
}

func webhookID(w webhook.Webhook) string     { return w.ID }
func connectorID(c webhook.Connector) string { return c.ID }
func contactID(c webhook.Contact) string     { return c.ID }
func segmentID(s webhook.Segment) string     { return s.ID }
func eventID(e webhook.Event) string         { return e.ID }
func workflowID(f webhook.Workflow) string   { return f.ID }
func runID(r webhook.Run) string             { return r.ID }
