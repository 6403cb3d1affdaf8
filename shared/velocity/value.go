package velocity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
)

// The values a template works with model Java's object types with Go types:
//
//	nil             null
//	bool            java.lang.Boolean
//	string          java.lang.String
//	int32           java.lang.Integer
//	int64           java.lang.Long
//	*big.Int        java.math.BigInteger
//	float64         java.lang.Double
//	float32         java.lang.Float
//	*Map            java.util.LinkedHashMap (insertion order) or java.util.HashMap (see NewHashMap)
//	map[string]any  a read-only map, iterated in sorted key order
//	[]any           java.util.ArrayList (input data; the engine never mutates the caller's slice)
//	*List           java.util.ArrayList created or copied by a template
//	Object          any other Java object, such as a tool
//
// JSON decoded by DecodeJSON uses exactly these types, with the number rules of the reference
// engine's JSON bridge: integers become int32, int64 or *big.Int by size, all other numbers float64.

// Object is a value with Java-like methods, such as a tool ($mathTool) or a contact.
// The engine resolves $o.foo as Java Velocity does, by calling Method with "getFoo",
// then "getfoo", then "get" with the argument "foo", then "isFoo".
type Object interface {
	// Method calls the method called name with args. When the object has no method of
	// that name accepting those arguments it returns an error wrapping ErrNoMethod, and
	// the engine treats the reference as Java Velocity treats an unknown method. A
	// method that "throws" returns a *Throwable. A nil result is Java's null.
	// The args slice belongs to the engine and is reused after the call returns:
	// Method may keep the values but not the slice.
	Method(name string, args []any) (any, error)
}

// ErrNoMethod reports that an Object has no method matching a call.
var ErrNoMethod = errors.New("no such method")

// Throwable is an exception thrown by a Java method. The engine aborts the render with
// it, as Apache Velocity does with a MethodInvocationException.
type Throwable struct {
	// Class is the Java class name, such as "java.lang.IndexOutOfBoundsException".
	Class string
	// Message is the exception's message; it may be empty.
	Message string
}

func (t *Throwable) Error() string {
	if t.Message == "" {
		return t.Class
	}
	return t.Class + ": " + t.Message
}

// List is a mutable list (java.util.ArrayList) made by a template, for example by a
// list literal or a range, or copied from input data before the template changes it.
type List struct {
	Items []any
	// owner is the render that made the list and may change it in place; lists
	// from elsewhere are copied before a change.
	owner *state
	// mod counts structural changes, for #foreach's fail-fast iteration.
	mod int
}

// Map is a string-keyed map that keeps Java's iteration order: insertion order for a
// LinkedHashMap (NewMap, DecodeJSON), java.util.HashMap's bucket order for maps made by
// NewHashMap. The zero value is not usable; use NewMap or NewHashMap.
type Map struct {
	keys []string
	vals []any
	// index maps keys to positions once the map has more than smallMap entries; a
	// smaller map is searched linearly, which is faster than hashing for the small
	// objects JSON data is mostly made of, and spares building a Go map per object.
	index map[string]int
	// hash marks a java.util.HashMap: Keys and Range follow HashMap iteration order.
	hash bool
	// owner is the render that made the map and may change it in place; maps
	// from elsewhere are copied before a change.
	owner *state
	// mod counts structural changes, for #foreach's fail-fast iteration.
	mod int
}

// smallMap is the most entries a Map holds without an index.
const smallMap = 16

// NewMap returns an empty insertion-ordered map (java.util.LinkedHashMap) with room for n entries.
func NewMap(n int) *Map {
	m := &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)}
	if n > smallMap {
		m.index = make(map[string]int, n)
	}
	return m
}

// find returns the position of key, or -1.
func (m *Map) find(key string) int {
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			return i
		}
		return -1
	}
	for i, k := range m.keys {
		if len(k) == len(key) && k == key {
			return i
		}
	}
	return -1
}

// NewHashMap returns an empty map that iterates as java.util.HashMap does. (Velocity
// 1.7 makes map literals LinkedHashMaps, which NewMap models; some tools return
// HashMaps.)
func NewHashMap(n int) *Map {
	m := NewMap(n)
	m.hash = true
	return m
}

// IsHashMap reports whether m iterates in java.util.HashMap order.
func (m *Map) IsHashMap() bool { return m.hash }

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.keys) }

// Get returns the value stored under key and whether the key is present.
func (m *Map) Get(key string) (any, bool) {
	i := m.find(key)
	if i < 0 {
		return nil, false
	}
	return m.vals[i], true
}

// getHinted is Get that first tries the position *hint and remembers where key was.
func (m *Map) getHinted(key string, hint *atomic.Int32) (any, bool) {
	if i := int(hint.Load()); i < len(m.keys) && m.keys[i] == key {
		return m.vals[i], true
	}
	i := m.find(key)
	if i < 0 {
		return nil, false
	}
	hint.Store(int32(i))
	return m.vals[i], true
}

// Put stores v under key, keeping the position of an existing key, and returns the
// previous value (nil when there was none), as java.util.Map.put does.
func (m *Map) Put(key string, v any) any {
	if i := m.find(key); i >= 0 {
		old := m.vals[i]
		m.vals[i] = v
		return old
	}
	if m.index != nil {
		m.index[key] = len(m.keys)
	} else if len(m.keys) == smallMap {
		m.index = make(map[string]int, 2*smallMap)
		for i, k := range m.keys {
			m.index[k] = i
		}
		m.index[key] = len(m.keys)
	}
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, v)
	m.mod++
	return nil
}

// Remove deletes key and returns its value (nil when absent).
func (m *Map) Remove(key string) any {
	i := m.find(key)
	if i < 0 {
		return nil
	}
	old := m.vals[i]
	copy(m.keys[i:], m.keys[i+1:])
	copy(m.vals[i:], m.vals[i+1:])
	m.keys = m.keys[:len(m.keys)-1]
	m.vals = m.vals[:len(m.vals)-1]
	m.mod++
	if m.index != nil {
		delete(m.index, key)
		for j := i; j < len(m.keys); j++ {
			m.index[m.keys[j]] = j
		}
	}
	return old
}

// Keys returns the keys in iteration order. The caller must not modify the result.
func (m *Map) Keys() []string {
	if m.hash {
		return hashOrder(m.keys)
	}
	return m.keys
}

// Range calls f for each entry in iteration order until f returns false.
func (m *Map) Range(f func(key string, v any) bool) {
	if !m.hash {
		for i, k := range m.keys {
			if !f(k, m.vals[i]) {
				return
			}
		}
		return
	}
	for _, k := range m.Keys() {
		if !f(k, m.vals[m.find(k)]) {
			return
		}
	}
}

// Clone returns a shallow copy of m with the same iteration order.
func (m *Map) Clone() *Map {
	c := &Map{keys: append([]string(nil), m.keys...), vals: append([]any(nil), m.vals...), hash: m.hash, mod: m.mod}
	if m.index != nil {
		c.index = make(map[string]int, len(m.keys))
		for i, k := range c.keys {
			c.index[k] = i
		}
	}
	return c
}

// MarshalJSON encodes m as a JSON object in iteration order.
func (m *Map) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.Keys() {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(m.vals[m.find(k)])
		if err != nil {
			return nil, fmt.Errorf("map key %q: %w", k, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON encodes l as a JSON array.
func (l *List) MarshalJSON() ([]byte, error) {
	if l.Items == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(l.Items)
}

// hashOrder returns keys in java.util.HashMap iteration order for a map that had them
// inserted in the given order: by bucket of the spread String.hashCode in a table that
// doubles from 16 buckets at a 0.75 load factor, insertion order within a bucket.
func hashOrder(keys []string) []string {
	n := 16
	for float64(len(keys)) > 0.75*float64(n) {
		n *= 2
	}
	type kb struct {
		key    string
		bucket int
		seq    int
	}
	s := make([]kb, len(keys))
	for i, k := range keys {
		h := javaStringHash(k)
		h ^= int32(uint32(h) >> 16)
		s[i] = kb{k, int(uint32(h) & uint32(n-1)), i}
	}
	sort.SliceStable(s, func(i, j int) bool { return s[i].bucket < s[j].bucket })
	out := make([]string, len(s))
	for i, e := range s {
		out[i] = e.key
	}
	return out
}

// javaStringHash is java.lang.String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// DecodeJSON reads one JSON value from r into template values: objects become *Map in
// document order, arrays []any, integers int32, int64 or *big.Int by size, other
// numbers float64. Numbers are never rounded through float64 unless they have a
// fraction or an exponent, as in the reference engine's JSON bridge.
func DecodeJSON(r io.Reader) (any, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, errors.New("json: unexpected data after the top-level value")
		}
		return nil, err
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m.Put(kt.(string), v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			// An empty array still gets its own backing array: the engine tells input
			// containers apart by identity when it copies one the template changes.
			l := make([]any, 0, 1)
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("json: unexpected %v", t)
	case json.Number:
		return Number(string(t))
	default:
		return t, nil // string, bool or nil
	}
}

// Number converts the text of a JSON number to int32, int64, *big.Int or float64 by the
// reference engine's rule: an optional minus and digits only is an integer of the
// smallest of those types that holds it; anything else is a float64.
func Number(s string) (any, error) {
	digits := strings.TrimPrefix(s, "-")
	integer := digits != ""
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			integer = false
			break
		}
	}
	if integer {
		bi, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("json: bad number %q", s)
		}
		// Java's rule is bitLength() < 32 (or 64), and Java's bitLength leaves out the
		// sign: -2^31 is an Integer and -2^63 a Long, exactly the int32 and int64 ranges.
		if bi.IsInt64() {
			if n := bi.Int64(); n >= math.MinInt32 && n <= math.MaxInt32 {
				return int32(n), nil
			}
			return bi.Int64(), nil
		}
		return bi, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range: ±Inf or 0, as Double.valueOf
		return nil, fmt.Errorf("json: bad number %q: %w", s, err)
	}
	return f, nil
}
