package velocity

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// This file models the Java classes of template values: which class a value has,
// how Java prints it (String.valueOf), compares it (equals) and hashes it.

// jclass is the Java class of a value, as far as templates can tell.
type jclass uint8

const (
	clsNull jclass = iota
	clsObject
	clsString
	clsBoolean
	clsCharacter
	clsByte
	clsShort
	clsInteger
	clsLong
	clsBigInteger
	clsFloat
	clsDouble
	clsBigDecimal
	clsArrayList
	clsLinkedHashMap
	clsHashMap
	clsSortedMap // map[string]any: a read-only map in key order
	clsKeySet
	clsValues
	clsEntrySet
	clsEntry
	clsStringArray
	clsObjectArray
	clsClass
	clsForeachScope
	clsBlockRef
)

var classNames = [...]string{
	clsNull: "null", clsObject: "java.lang.Object", clsString: "java.lang.String",
	clsBoolean: "java.lang.Boolean", clsCharacter: "java.lang.Character", clsByte: "java.lang.Byte",
	clsShort: "java.lang.Short", clsInteger: "java.lang.Integer", clsLong: "java.lang.Long",
	clsBigInteger: "java.math.BigInteger", clsFloat: "java.lang.Float", clsDouble: "java.lang.Double",
	clsBigDecimal: "java.math.BigDecimal", clsArrayList: "java.util.ArrayList",
	clsLinkedHashMap: "java.util.LinkedHashMap", clsHashMap: "java.util.HashMap",
	clsSortedMap: "java.util.TreeMap", clsKeySet: "java.util.LinkedHashMap$LinkedKeySet",
	clsValues: "java.util.LinkedHashMap$LinkedValues", clsEntrySet: "java.util.LinkedHashMap$LinkedEntrySet",
	clsEntry: "java.util.LinkedHashMap$Entry", clsStringArray: "[Ljava.lang.String;",
	clsObjectArray: "[Ljava.lang.Object;", clsClass: "java.lang.Class",
	clsForeachScope: "org.apache.velocity.runtime.directive.ForeachScope",
	clsBlockRef:     "org.apache.velocity.runtime.directive.Block$Reference",
}

// javaChar is a java.lang.Character (a UTF-16 code unit).
type javaChar uint16

// javaArray is a Java array, such as the String[] that split returns.
type javaArray struct {
	items []any
	cls   jclass
}

// javaClassValue is a java.lang.Class, what getClass returns.
type javaClassValue struct{ cls jclass }

// mapView is a keySet(), values() or entrySet() view of a map.
type mapView struct {
	m   any // *Map or map[string]any
	cls jclass
}

// mapEntry is a Map.Entry of an entry set.
type mapEntry struct {
	m   *Map // nil for an entry of a read-only map
	key string
	val any
}

// classOf returns the Java class of v.
func classOf(v any) jclass {
	switch x := v.(type) {
	case nil:
		return clsNull
	case string:
		return clsString
	case bool:
		return clsBoolean
	case int32:
		return clsInteger
	case int64:
		return clsLong
	case float64:
		return clsDouble
	case *Map:
		if x.hash {
			return clsHashMap
		}
		return clsLinkedHashMap
	case []any, *List:
		return clsArrayList
	case map[string]any:
		return clsSortedMap
	case *big.Int:
		return clsBigInteger
	case float32:
		return clsFloat
	case int8:
		return clsByte
	case int16:
		return clsShort
	case javaChar:
		return clsCharacter
	case *bigDecimal:
		return clsBigDecimal
	case *mapView:
		return x.cls
	case *mapEntry:
		return clsEntry
	case *javaArray:
		return x.cls
	case *javaClassValue:
		return clsClass
	case *foreachScope:
		return clsForeachScope
	case *blockRef:
		return clsBlockRef
	}
	return clsObject
}

// className returns the Java class name of v, as getClass().getName() does.
func className(v any) string {
	if o, ok := v.(Object); ok {
		if n, ok := o.(interface{ JavaClass() string }); ok {
			return n.JavaClass()
		}
	}
	return classNames[classOf(v)]
}

func isNumberClass(c jclass) bool { return c >= clsByte && c <= clsBigDecimal }

func isMapClass(c jclass) bool {
	return c == clsLinkedHashMap || c == clsHashMap || c == clsSortedMap || c == clsForeachScope
}

func isListClass(c jclass) bool { return c == clsArrayList }

func isCollectionClass(c jclass) bool {
	return c == clsArrayList || c == clsKeySet || c == clsValues || c == clsEntrySet
}

// --------------------------------------------------------------- printing

// appendString appends String.valueOf(v) to b. Blocks (#define) are rendered by the
// caller, not here.
func (st *state) appendString(b []byte, v any) ([]byte, error) {
	if st.cow != nil {
		v = st.resolve(v)
	}
	switch x := v.(type) {
	case string:
		return append(b, x...), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		return javafmt.AppendDouble(b, x), nil
	case float32:
		return javafmt.AppendFloat(b, x), nil
	case *big.Int:
		return x.Append(b, 10), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case javaChar:
		return appendUTF16(b, []uint16{uint16(x)}), nil
	case *bigDecimal:
		return append(b, x.String()...), nil
	case nil:
		return append(b, "null"...), nil
	case []any, *List, *Map, map[string]any, *mapView:
		if st.javaDepth++; st.javaDepth > maxJavaDepth {
			st.javaDepth--
			return b, errStackOverflow()
		}
		b, err := st.appendContainer(b, v)
		st.javaDepth--
		return b, err
	case *mapEntry:
		var err error
		b = appendKey(b, x.key)
		b = append(b, '=')
		b, err = st.appendString(b, x.val)
		return b, err
	case *javaArray:
		// Java prints an array's identity, which is not reproducible.
		return append(b, classNames[x.cls]+"@"+strconv.FormatUint(uint64(javaIdentityHash(x)), 16)...), nil
	case *javaClassValue:
		return append(b, "class "+classNames[x.cls]...), nil
	case *foreachScope:
		if x.store == nil {
			return append(b, "{}"...), nil
		}
		return st.appendMap(b, x.store)
	case *blockRef:
		s, ok, err := st.blockString(x)
		if err != nil || !ok {
			return b, err
		}
		return append(b, s...), nil
	case Object:
		r, err := x.Method("toString", nil)
		if err != nil {
			return b, st.objectError(x, "toString", err)
		}
		if s, ok := r.(string); ok {
			return append(b, s...), nil
		}
		return append(b, className(x)+"@0"...), nil
	}
	return append(b, "?"...), nil
}

// toString returns String.valueOf(v).
func (st *state) toString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	}
	b, err := st.appendString(nil, v)
	return string(b), err
}

func appendUTF16(b []byte, u []uint16) []byte {
	return append(b, fromUTF16(u)...)
}

// appendCollection and appendMap stop with a *LimitError once the text they
// add exceeds the output still allowed: a list holding itself several times
// over (#set($l = [$l, $l]) in a loop) prints exponentially long.
// appendContainer prints a list, map or map view.
func (st *state) appendContainer(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case []any:
		return st.appendCollection(b, v, x)
	case *List:
		x = st.resolveList(x)
		return st.appendCollection(b, x, x.Items)
	case *Map:
		return st.appendMap(b, st.resolve(x))
	case map[string]any:
		return st.appendMap(b, st.resolve(x))
	}
	return st.appendView(b, v.(*mapView))
}

func (st *state) appendCollection(b []byte, self any, items []any) ([]byte, error) {
	start := len(b)
	b = append(b, '[')
	var err error
	for i, e := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		if sameContainer(st.resolve(e), self) {
			b = append(b, "(this Collection)"...)
			continue
		}
		if b, err = st.appendString(b, e); err != nil {
			return b, err
		}
		if err = st.checkBytes(len(b)-start, posUnknown); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

func (st *state) appendMap(b []byte, m any) ([]byte, error) {
	start := len(b)
	b = append(b, '{')
	var err error
	i := 0
	rangeMap(m, func(k string, v any) bool {
		if i > 0 {
			b = append(b, ", "...)
		}
		i++
		b = appendKey(b, k)
		b = append(b, '=')
		if sameContainer(st.resolve(v), m) {
			b = append(b, "(this Map)"...)
			return true
		}
		if b, err = st.appendString(b, v); err == nil {
			err = st.checkBytes(len(b)-start, posUnknown)
		}
		return err == nil
	})
	return append(b, '}'), err
}

func (st *state) appendView(b []byte, v *mapView) ([]byte, error) {
	m := st.resolve(v.m)
	b = append(b, '[')
	var err error
	i := 0
	start := len(b)
	rangeMap(m, func(k string, val any) bool {
		if i > 0 {
			b = append(b, ", "...)
		}
		i++
		switch v.cls {
		case clsKeySet:
			b = appendKey(b, k)
		case clsValues:
			b, err = st.appendString(b, val)
		default:
			b = appendKey(b, k)
			b = append(b, '=')
			b, err = st.appendString(b, val)
		}
		if err == nil {
			err = st.checkBytes(len(b)-start, posUnknown)
		}
		return err == nil
	})
	return append(b, ']'), err
}

// sameContainer reports whether a and b are the same list or map object.
func sameContainer(a, b any) bool {
	switch x := a.(type) {
	case *Map:
		y, ok := b.(*Map)
		return ok && x == y
	case *List:
		y, ok := b.(*List)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && len(x) > 0 && len(y) > 0 && &x[0] == &y[0] && len(x) == len(y)
	}
	return false
}

// rangeMap iterates a *Map or map[string]any in its iteration order.
func rangeMap(m any, f func(k string, v any) bool) {
	switch x := m.(type) {
	case *Map:
		x.Range(f)
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if !f(k, x[k]) {
				return
			}
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func mapLen(m any) int {
	switch x := m.(type) {
	case *Map:
		return x.Len()
	case map[string]any:
		return len(x)
	}
	return 0
}

func mapGet(m any, k string) (any, bool) {
	switch x := m.(type) {
	case *Map:
		return x.Get(k)
	case map[string]any:
		v, ok := x[k]
		return v, ok
	}
	return nil, false
}

// --------------------------------------------------------------- equality

// javaEquals is a.equals(b) for a non-null a.
func (st *state) javaEquals(a, b any) bool {
	if st.overflow {
		return false
	}
	a, b = st.resolve(a), st.resolve(b)
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int32:
		y, ok := b.(int32)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(canonNaN(x)) == math.Float64bits(canonNaN(y))
	case float32:
		y, ok := b.(float32)
		return ok && math.Float32bits(x) == math.Float32bits(y) || ok && x != x && y != y
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case int8:
		y, ok := b.(int8)
		return ok && x == y
	case int16:
		y, ok := b.(int16)
		return ok && x == y
	case javaChar:
		y, ok := b.(javaChar)
		return ok && x == y
	case *bigDecimal:
		y, ok := b.(*bigDecimal)
		return ok && x.scale == y.scale && x.unscaled.Cmp(y.unscaled) == 0
	case *mapEntry:
		y, ok := b.(*mapEntry)
		return ok && x.key == y.key && st.nullSafeEquals(x.val, y.val)
	}
	if sameContainer(a, b) {
		return true // ArrayList and AbstractMap.equals: o == this
	}
	if st.javaDepth++; st.javaDepth > maxJavaDepth {
		st.overflow = true
	}
	eq := st.containerEquals(a, b)
	st.javaDepth--
	return eq && !st.overflow
}

// containerEquals is javaEquals of two values that are not simple.
func (st *state) containerEquals(a, b any) bool {
	if st.overflow {
		return false
	}
	ca, cb := classOf(a), classOf(b)
	switch {
	case isListClass(ca):
		if !isListClass(cb) {
			return false
		}
		xa, xb := st.listItems(a), st.listItems(b)
		if len(xa) != len(xb) {
			return false
		}
		for i := range xa {
			if !st.nullSafeEquals(xa[i], xb[i]) {
				return false
			}
		}
		return true
	case isMapClass(ca) && ca != clsForeachScope:
		if !isMapClass(cb) || cb == clsForeachScope || mapLen(a) != mapLen(b) {
			return false
		}
		eq := true
		rangeMap(a, func(k string, v any) bool {
			w, ok := mapGet(b, k)
			if !ok || !st.nullSafeEquals(v, w) {
				eq = false
			}
			return eq
		})
		return eq
	case ca == clsKeySet || ca == clsEntrySet:
		if cb != clsKeySet && cb != clsEntrySet {
			return false
		}
		ia, ib := st.iterItems(a), st.iterItems(b)
		if len(ia) != len(ib) {
			return false
		}
		for _, x := range ia {
			found := false
			for _, y := range ib {
				if st.nullSafeEquals(x, y) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return sameIdentity(a, b)
}

func canonNaN(f float64) float64 {
	if f != f {
		return javaNaN
	}
	return f
}

// javaNaN is Double.NaN, 0x7ff8000000000000L (Go's math.NaN() sets the lowest bit).
var javaNaN = math.Float64frombits(0x7ff8000000000000)

func (st *state) nullSafeEquals(a, b any) bool {
	if a == nil {
		return b == nil
	}
	return st.javaEquals(a, b)
}

func sameIdentity(a, b any) bool {
	defer func() { recover() }() // uncomparable dynamic types are never identical
	return a == b
}

// --------------------------------------------------------------- hashing

// javaHash is v.hashCode().
func (st *state) javaHash(v any) int32 {
	if st.overflow {
		return 0
	}
	v = st.resolve(v)
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return javaStringHash(x)
	case int32:
		return x
	case int64:
		return int32(x ^ int64(uint64(x)>>32))
	case bool:
		if x {
			return 1231
		}
		return 1237
	case float64:
		bits := math.Float64bits(canonNaN(x))
		return int32(bits ^ bits>>32)
	case float32:
		if x != x {
			return 0x7fc00000
		}
		return int32(math.Float32bits(x))
	case int8:
		return int32(x)
	case int16:
		return int32(x)
	case javaChar:
		return int32(x)
	case *big.Int:
		return bigIntHash(x)
	case *mapEntry:
		return st.javaHash(keyValue(x.key)) ^ st.javaHash(x.val)
	}
	if st.javaDepth++; st.javaDepth > maxJavaDepth {
		st.overflow = true
	}
	h := st.containerHash(v)
	st.javaDepth--
	return h
}

// containerHash is javaHash of a value that is not simple.
func (st *state) containerHash(v any) int32 {
	if st.overflow {
		return 0
	}
	c := classOf(v)
	switch {
	case isListClass(c):
		h := int32(1)
		for _, e := range st.listItems(v) {
			h = 31*h + st.javaHash(e)
		}
		return h
	case isMapClass(c):
		var h int32
		rangeMap(v, func(k string, e any) bool {
			h += st.javaHash(keyValue(k)) ^ st.javaHash(e)
			return true
		})
		return h
	case c == clsKeySet || c == clsEntrySet || c == clsValues:
		var h int32
		for _, e := range st.iterItems(v) {
			h += st.javaHash(e)
		}
		return h
	}
	return javaIdentityHash(v)
}

// bigIntHash is java.math.BigInteger.hashCode.
func bigIntHash(x *big.Int) int32 {
	words := new(big.Int).Abs(x).Bytes() // big-endian magnitude
	var h int32
	// the magnitude as 32-bit ints, most significant first
	pad := (4 - len(words)%4) % 4
	buf := append(make([]byte, pad), words...)
	for i := 0; i < len(buf); i += 4 {
		w := int32(uint32(buf[i])<<24 | uint32(buf[i+1])<<16 | uint32(buf[i+2])<<8 | uint32(buf[i+3]))
		h = 31*h + w
	}
	return h * int32(x.Sign())
}

// javaIdentityHash stands in for Object.hashCode of objects without value
// semantics; the reference's values are not reproducible.
func javaIdentityHash(v any) int32 {
	return int32(0x1b6d3586)
}

// --------------------------------------------------------------- containers

// listItems returns the items of a list value (after copy-on-write resolution).
func (st *state) listItems(v any) []any {
	switch x := st.resolve(v).(type) {
	case []any:
		return x
	case *List:
		return x.Items
	case *javaArray:
		return x.items
	}
	return nil
}

// iterItems returns the elements a collection view or list iterates over.
func (st *state) iterItems(v any) []any {
	switch x := v.(type) {
	case *mapView:
		m := st.resolve(x.m)
		var out []any
		rangeMap(m, func(k string, val any) bool {
			switch x.cls {
			case clsKeySet:
				out = append(out, keyValue(k))
			case clsValues:
				out = append(out, val)
			default:
				var owner *Map
				if mm, ok := m.(*Map); ok {
					owner = mm
				}
				out = append(out, &mapEntry{m: owner, key: k, val: val})
			}
			return true
		})
		return out
	}
	return st.listItems(v)
}

// utf16Len is the length of s in UTF-16 code units (String.length()).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// isASCII reports whether s has only ASCII characters, where byte offsets and
// Java's char offsets agree.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// fromUTF16 decodes UTF-16 code units. A lone surrogate, which a Java String
// holds but Go's cannot, becomes "?", as Java writes it to UTF-8 output (so
// substring(0, 20) cutting an emoji in half prints as in the reference).
func fromUTF16(u []uint16) string {
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c < 0xD800 || c > 0xDFFF {
			continue
		}
		if c <= 0xDBFF && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] <= 0xDFFF {
			i++
			continue
		}
		return string(utf16.Decode(loneSurrogates(u)))
	}
	return string(utf16.Decode(u))
}

// loneSurrogates returns a copy of u with each unpaired surrogate replaced by '?'.
func loneSurrogates(u []uint16) []uint16 {
	out := append([]uint16(nil), u...)
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case c >= 0xD800 && c <= 0xDBFF && i+1 < len(out) && out[i+1] >= 0xDC00 && out[i+1] <= 0xDFFF:
			i++
		case c >= 0xD800 && c <= 0xDFFF:
			out[i] = '?'
		}
	}
	return out
}

var _ = strings.Builder{}

// Map keys. The value model's maps have string keys; a key of another class (a
// map literal's {1: 'one'}, a put with a number) is stored under an encoded
// string that no text key can equal, so that get(1) and get('1') stay apart as
// in Java.

const keyMark = "\x00"

// mapKey returns the stored form of a key.
func (st *state) mapKey(v any) string {
	v = st.resolve(v)
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return keyMark + "n"
	case int32:
		return keyMark + "i" + strconv.FormatInt(int64(x), 10)
	case int64:
		return keyMark + "l" + strconv.FormatInt(x, 10)
	case bool:
		return keyMark + "b" + strconv.FormatBool(x)
	case float64:
		return keyMark + "d" + javafmt.FormatDouble(x)
	}
	s, _ := st.toString(v)
	return keyMark + "s" + s
}

// keyValue returns the key a stored key stands for.
func keyValue(k string) any {
	if !strings.HasPrefix(k, keyMark) || len(k) < 2 {
		return k
	}
	body := k[2:]
	switch k[1] {
	case 'n':
		return nil
	case 'i':
		n, _ := strconv.ParseInt(body, 10, 32)
		return int32(n)
	case 'l':
		n, _ := strconv.ParseInt(body, 10, 64)
		return n
	case 'b':
		return body == "true"
	case 'd':
		f, _ := strconv.ParseFloat(body, 64)
		return f
	}
	return body
}

// appendKey appends a stored key as Java prints it.
func appendKey(b []byte, k string) []byte {
	if strings.HasPrefix(k, keyMark) && len(k) >= 2 {
		if k[1] == 'n' {
			return append(b, "null"...)
		}
		return append(b, k[2:]...)
	}
	return append(b, k...)
}
