package storetest

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"

	"github.com/flowhook/flowhook/shared/store"
	"github.com/flowhook/flowhook/shared/webhook"
)

// lister is one paged list of the Store: seed fills a store with n records of the list
// (and records of other lists it must leave out) and returns the list's IDs in the order
// the contract gives; list fetches one page of IDs.
type lister struct {
	name string
	seed func(t *testing.T, s Store, n int) []string
	list func(t *testing.T, s Store, p store.Page) ([]string, string, error)
}

// seedOrder returns, for record i of n, the minute it is created at: a permutation of
// [0, n), so records are not created in list order.
func seedOrder(i, n int) int {
	if n%5 == 0 {
		return i
	}
	return (i * 5) % n
}

// unorderedID returns an id whose time part runs against the record's time ti, so a
// store that orders by id where the contract says by time fails the paging cases.
func unorderedID(prefix string, ti int) string {
	return webhook.NewID(prefix, at(100000-ti))
}

// byTime returns ids sorted by their times, ascending, or descending when newest.
func byTime(ids []string, times []int, newest bool) []string {
	idx := make([]int, len(ids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if newest {
			return cmp.Compare(times[b], times[a])
		}
		return cmp.Compare(times[a], times[b])
	})
	out := make([]string, len(ids))
	for i, j := range idx {
		out[i] = ids[j]
	}
	return out
}

func listers() []lister {
	seedWebhooks := func(deleted bool) func(t *testing.T, s Store, n int) []string {
		return func(t *testing.T, s Store, n int) []string {
			var got []string
			var times []int
			for i := range n {
				ti := seedOrder(i, n)
				w := newWebhook(fmt.Sprintf("w%03d", i), "", ti)
				w.ID = unorderedID(webhook.PrefixWebhook, ti)
				createWebhook(t, s, w)
				if deleted {
					must(s.DeleteWebhook(t.Context(), w.ID, at(n+i)))(t, "DeleteWebhook")
				}
				got, times = append(got, w.ID), append(times, ti)
			}
			// A record of the other list, which this one must leave out.
			other := createWebhook(t, s, newWebhook("other", "", n))
			if !deleted {
				must(s.DeleteWebhook(t.Context(), other.ID, at(n)))(t, "DeleteWebhook")
			}
			return byTime(got, times, false)
		}
	}
	listWebhooks := func(deleted bool) func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
		return func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			ws, next, err := s.ListWebhooks(t.Context(), deleted, p)
			return ids(ws, webhookID), next, err
		}
	}
	return []lister{
		{"active webhooks", seedWebhooks(false), listWebhooks(false)},
		{"deleted webhooks", seedWebhooks(true), listWebhooks(true)},
		{"connectors", func(t *testing.T, s Store, n int) []string {
			var got []string
			var times []int
			for i := range n {
				ti := seedOrder(i, n)
				c := newConnector(fmt.Sprintf("c%03d", i), ti)
				c.ID = unorderedID(webhook.PrefixConnector, ti)
				got, times = append(got, createConnector(t, s, c).ID), append(times, ti)
			}
			return byTime(got, times, false)
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			cs, next, err := s.ListConnectors(t.Context(), p)
			return ids(cs, connectorID), next, err
		}},
		{"contacts", func(t *testing.T, s Store, n int) []string {
			var got []string
			for i := range n {
				c := newContact(fmt.Sprintf("p%03d@example.com", i), "", "Ann", seedOrder(i, n))
				got = append(got, createContact(t, s, c).ID)
			}
			slices.Sort(got) // by id
			return got
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			cs, next, err := s.ListContacts(t.Context(), p)
			return ids(cs, contactID), next, err
		}},
		{"contact search", func(t *testing.T, s Store, n int) []string {
			// Every contact matches "pa" twice: even ones by first name "Pa" and by email,
			// odd ones by email and by last name "Paz". Each is listed once, at its first
			// matching term; hits are ordered by that term, then by id.
			type hit struct{ term, id string }
			var hits []hit
			for i := range n {
				c := newContact(fmt.Sprintf("pa%03d@example.com", i), fmt.Sprintf("+38050%07d", i), "Zoe", seedOrder(i, n))
				term := c.Email
				if i%2 == 0 {
					c.Fields[webhook.FieldFirstName] = jsonString("Pa")
					term = "pa"
				} else {
					c.Fields[webhook.FieldLastName] = jsonString("Paz")
				}
				hits = append(hits, hit{term, createContact(t, s, c).ID})
			}
			createContact(t, s, newContact("zed@example.com", "", "Zed", n)) // no match
			slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.term, b.term), cmp.Compare(a.id, b.id)) })
			var got []string
			for _, h := range hits {
				got = append(got, h.id)
			}
			return got
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			cs, next, err := s.SearchContacts(t.Context(), "PA", p)
			return ids(cs, contactID), next, err
		}},
		{"segments", func(t *testing.T, s Store, n int) []string {
			var got []string
			var times []int
			for i := range n {
				ti := seedOrder(i, n)
				g := newSegment(fmt.Sprintf("s%03d", i), ti)
				g.ID = unorderedID(webhook.PrefixSegment, ti)
				got, times = append(got, createSegment(t, s, g).ID), append(times, ti)
			}
			return byTime(got, times, false)
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			gs, next, err := s.ListSegments(t.Context(), p)
			return ids(gs, segmentID), next, err
		}},
		{"events, newest first", func(t *testing.T, s Store, n int) []string {
			var got []string
			var times []int
			for i := range n {
				ti := seedOrder(i, n)
				e := newEvent(fmt.Sprintf("type%d", i%3), ti)
				e.ID = unorderedID(webhook.PrefixEvent, ti)
				got, times = append(got, putEvent(t, s, e).ID), append(times, ti)
			}
			return byTime(got, times, true)
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			es, next, err := s.ListEvents(t.Context(), "", p)
			return ids(es, eventID), next, err
		}},
		{"events of one type, newest first", func(t *testing.T, s Store, n int) []string {
			var got []string
			var times []int
			for i := range n {
				ti := seedOrder(i, n)
				e := newEvent("order_created", ti)
				e.ID = unorderedID(webhook.PrefixEvent, ti)
				got, times = append(got, putEvent(t, s, e).ID), append(times, ti)
				putEvent(t, s, newEvent("order_created_2", ti)) // another type, left out
			}
			return byTime(got, times, true)
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			es, next, err := s.ListEvents(t.Context(), "order_created", p)
			return ids(es, eventID), next, err
		}},
		{"workflows", func(t *testing.T, s Store, n int) []string {
			var got []string
			var times []int
			for i := range n {
				ti := seedOrder(i, n)
				f := newWorkflow(fmt.Sprintf("f%03d", i), "order_created", ti)
				f.ID = unorderedID(webhook.PrefixWorkflow, ti)
				got, times = append(got, createWorkflow(t, s, f).ID), append(times, ti)
			}
			return byTime(got, times, false)
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			fs, next, err := s.ListWorkflows(t.Context(), p)
			return ids(fs, workflowID), next, err
		}},
		{"runs of a workflow, newest first", func(t *testing.T, s Store, n int) []string {
			var got []string
			var times []int
			for i := range n {
				ti := seedOrder(i, n)
				r := newRun(pagingWorkflow, "e_1", ti)
				r.ID = unorderedID(webhook.PrefixRun, ti)
				got, times = append(got, createRun(t, s, r).ID), append(times, ti)
				createRun(t, s, newRun(pagingWorkflow+"x", "e_1", ti)) // another workflow, left out
			}
			return byTime(got, times, true)
		}, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			rs, next, err := s.ListRuns(t.Context(), pagingWorkflow, p)
			for _, r := range rs {
				if r.Steps != nil {
					return nil, "", fmt.Errorf("ListRuns returned run %s with steps", r.ID)
				}
			}
			return ids(rs, runID), next, err
		}},
	}
}

// pagingWorkflow is the workflow whose runs the paging cases list.
const pagingWorkflow = "f_paging"

// pagedRecords is how many records each paging case seeds.
const pagedRecords = 7

// badCursors are cursors no list returns.
var badCursors = []struct{ name, cursor string }{
	{"not base64", "%%%not base64%%%"},
	{"base64 of garbage", base64.RawURLEncoding.EncodeToString([]byte("\x00\xffgarbage"))},
	{"empty JSON object", base64.RawURLEncoding.EncodeToString([]byte("{}"))},
	{"JSON array", base64.RawURLEncoding.EncodeToString([]byte(`["a","b"]`))},
	{"JSON with foreign keys", base64.RawURLEncoding.EncodeToString([]byte(`{"pk":"webhook#x","Key":"1"}`))},
	{"huge", base64.RawURLEncoding.EncodeToString(make([]byte, 64<<10))},
}

func pagingCases() []testCase {
	var cases []testCase
	for _, l := range listers() {
		cases = append(cases, testCase{l.name + ": every record once, in order, at every limit", func(t *testing.T, s Store) {
			want := l.seed(t, s, pagedRecords)
			for _, limit := range []int{1, 2, 3, pagedRecords - 1, pagedRecords, pagedRecords + 1, 0, store.MaxLimit + 1} {
				got := walk(t, limit, func(p store.Page) ([]string, string, error) { return l.list(t, s, p) })
				checkEqual(t, fmt.Sprintf("limit %d", limit), got, want)
			}
		}})
		cases = append(cases, testCase{l.name + ": an empty list is one empty page", func(t *testing.T, s Store) {
			got, next, err := l.list(t, s, store.Page{Limit: 3})
			mustOK(t, "list", err)
			if len(got) != 0 || next != "" {
				t.Fatalf("got %q and cursor %q, want nothing and no cursor", got, next)
			}
		}})
		cases = append(cases, testCase{l.name + ": a bad cursor is ErrBadCursor", func(t *testing.T, s Store) {
			l.seed(t, s, 2)
			for _, bc := range badCursors {
				_, _, err := l.list(t, s, store.Page{Limit: 1, Cursor: bc.cursor})
				wantErr(t, bc.name, err, store.ErrBadCursor)
			}
		}})
	}
	// A cursor from one list is refused by another.
	cross := []struct {
		name     string
		seed     func(t *testing.T, s Store)
		from, to func(t *testing.T, s Store, p store.Page) ([]string, string, error)
	}{
		{"active webhooks → deleted webhooks", func(t *testing.T, s Store) {
			for i := range 2 {
				w := createWebhook(t, s, newWebhook(fmt.Sprintf("a%d", i), "", i))
				createWebhook(t, s, newWebhook(fmt.Sprintf("d%d", i), "", i))
				must(s.DeleteWebhook(t.Context(), w.ID, at(3)))(t, "DeleteWebhook")
			}
		}, listersByName("active webhooks").list, listersByName("deleted webhooks").list},
		{"connectors → segments", func(t *testing.T, s Store) {
			for i := range 2 {
				createConnector(t, s, newConnector(fmt.Sprintf("c%d", i), i))
				createSegment(t, s, newSegment(fmt.Sprintf("s%d", i), i))
			}
		}, listersByName("connectors").list, listersByName("segments").list},
		{"events of one type → events of another", func(t *testing.T, s Store) {
			for i := range 2 {
				putEvent(t, s, newEvent("order_created", i))
				putEvent(t, s, newEvent("order_paid", i))
			}
		}, listersByName("events of one type, newest first").list, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			es, next, err := s.ListEvents(t.Context(), "order_paid", p)
			return ids(es, eventID), next, err
		}},
		{"all events → events of one type", func(t *testing.T, s Store) {
			for i := range 2 {
				putEvent(t, s, newEvent("order_created", i))
			}
		}, listersByName("events, newest first").list, listersByName("events of one type, newest first").list},
		{"runs of one workflow → runs of another", func(t *testing.T, s Store) {
			for i := range 2 {
				createRun(t, s, newRun(pagingWorkflow, "e_1", i))
				createRun(t, s, newRun("f_other", "e_1", i))
			}
		}, listersByName("runs of a workflow, newest first").list, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			rs, next, err := s.ListRuns(t.Context(), "f_other", p)
			return ids(rs, runID), next, err
		}},
		{"contact search → contact list", func(t *testing.T, s Store) {
			for i := range 3 {
				createContact(t, s, newContact(fmt.Sprintf("pa%d@example.com", i), "", "", i))
			}
		}, listersByName("contact search").list, listersByName("contacts").list},
		{"contact search → another search", func(t *testing.T, s Store) {
			for i := range 3 {
				createContact(t, s, newContact(fmt.Sprintf("pa%d@example.com", i), "", "", i))
				createContact(t, s, newContact(fmt.Sprintf("pb%d@example.com", i), "", "", i))
			}
		}, listersByName("contact search").list, func(t *testing.T, s Store, p store.Page) ([]string, string, error) {
			cs, next, err := s.SearchContacts(t.Context(), "pb", p)
			return ids(cs, contactID), next, err
		}},
	}
	for _, c := range cross {
		cases = append(cases, testCase{"a cursor of " + c.name + " is ErrBadCursor", func(t *testing.T, s Store) {
			c.seed(t, s)
			_, cursor, err := c.from(t, s, store.Page{Limit: 1})
			mustOK(t, "first list", err)
			if cursor == "" {
				t.Fatalf("first list returned no cursor")
			}
			_, _, err = c.to(t, s, store.Page{Limit: 1, Cursor: cursor})
			wantErr(t, "second list", err, store.ErrBadCursor)
		}})
	}
	cases = append(cases, testCase{"limit 0 means the default and limits are capped", func(t *testing.T, s Store) {
		for i := range store.MaxLimit + 1 {
			createSegment(t, s, newSegment(fmt.Sprintf("s%03d", i), i))
		}
		for _, tc := range []struct{ limit, want int }{{0, store.DefaultLimit}, {-1, store.DefaultLimit}, {store.MaxLimit + 50, store.MaxLimit}} {
			got, next, err := s.ListSegments(t.Context(), store.Page{Limit: tc.limit})
			mustOK(t, "ListSegments", err)
			if len(got) != tc.want || next == "" {
				t.Errorf("limit %d: got %d segments and cursor %q, want %d and a cursor", tc.limit, len(got), next, tc.want)
			}
		}
	}})
	return cases
}

func listersByName(name string) lister {
	for _, l := range listers() {
		if l.name == name {
			return l
		}
	}
	panic("storetest: no lister " + name)
}
