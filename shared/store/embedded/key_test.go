package embedded

import (
	"bytes"
	"cmp"
	"errors"
	"slices"
	"testing"

	"github.com/flowhook/flowhook/shared/store"
)

// tupleCompare compares tuples part by part, as key promises its bytes do.
func tupleCompare(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func TestKeyOrderIsTupleOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []string
	}{
		{"shorter part first", []string{"ab", "z"}, []string{"abc", "a"}},
		{"second part decides", []string{"a", "1"}, []string{"a", "2"}},
		{"NUL inside a part", []string{"a\x00", "z"}, []string{"a\x00\x00", "a"}},
		{"NUL against end of part", []string{"a", "\xff"}, []string{"a\x00", ""}},
		{"0xFF bytes", []string{"\xff", "a"}, []string{"\xff\xff", ""}},
		{"empty parts", []string{"", ""}, []string{"", "a"}},
		{"prefix tuple first", []string{"a"}, []string{"a", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := bytes.Compare(key(tc.a...), key(tc.b...)), tupleCompare(tc.a, tc.b); got != want {
				t.Errorf("bytes.Compare(key(%q), key(%q)) = %d, want %d", tc.a, tc.b, got, want)
			}
		})
	}
}

func FuzzKey(f *testing.F) {
	f.Add("a", "b", "a\x00", "")
	f.Add("\x00\x01", "\xff", "\x00", "\x00\xff")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		for _, tup := range [][]string{{a, b}, {c, d}} {
			got, err := parts(key(tup...))
			if err != nil || !slices.Equal(got, tup) {
				t.Fatalf("parts(key(%q)) = %q, %v", tup, got, err)
			}
		}
		if got, want := bytes.Compare(key(a, b), key(c, d)), tupleCompare([]string{a, b}, []string{c, d}); got != want {
			t.Fatalf("key order of %q vs %q is %d, tuple order %d", []string{a, b}, []string{c, d}, got, want)
		}
		if !bytes.HasPrefix(key(a, b), key(a)) {
			t.Fatalf("key(%q) does not start with key(%q)", []string{a, b}, a)
		}
	})
}

// FuzzParts feeds arbitrary bytes to the key decoder: an error or parts that encode
// back to the same bytes, never a panic.
func FuzzParts(f *testing.F) {
	f.Add([]byte("a\x00\x01b\x00\x01"))
	f.Add([]byte("\x00"))
	f.Add([]byte("\x00\x02"))
	f.Fuzz(func(t *testing.T, k []byte) {
		ps, err := parts(k)
		if err != nil {
			return
		}
		if !bytes.Equal(key(ps...), k) {
			t.Fatalf("parts(%q) = %q, which encodes to %q", k, ps, key(ps...))
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	prefix := key("order_created")
	f.Add(encodeCursor("events/type", key("order_created", "2026", "e_1")))
	f.Add(encodeCursor("events/type", key("order_paid", "2026", "e_1")))
	f.Add(encodeCursor("events", key("2026", "e_1")))
	f.Add("")
	f.Add("AA")
	f.Fuzz(func(t *testing.T, cursor string) {
		k, err := decodeCursor("events/type", prefix, cursor)
		if err != nil {
			if !errors.Is(err, store.ErrBadCursor) {
				t.Fatalf("got %v, want ErrBadCursor", err)
			}
			return
		}
		if !bytes.HasPrefix(k, prefix) || len(k) == len(prefix) {
			t.Fatalf("accepted %q as key %q outside the list", cursor, k)
		}
		if _, err := parts(k); err != nil {
			t.Fatalf("accepted a malformed key %q: %v", k, err)
		}
	})
}
