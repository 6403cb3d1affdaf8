package velocity

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// The boxed number classes, their static methods (which Velocity lets a template
// call through any instance: $n.parseInt('5')) and the remaining collection
// methods.

// integralMethods builds the methods of Integer, Long, Short or Byte: bits is the
// width of the primitive and box the boxed parameter type.
func integralMethods(bitsN int, prim, box ptype) methodTable {
	t := methodTable{}
	addObjectMethods(t)
	addNumberValueMethods(t)
	t.add("compareTo", retValue, compareSame, tObject)
	t.add("compareTo", retValue, compareSame, box)
	// the primitive value of an argument and the boxed result of this class
	arg := func(v any) int64 { return longValue(v) }
	res := func(v int64) any {
		switch bitsN {
		case 8:
			return int8(v)
		case 16:
			return int16(v)
		case 32:
			return int32(v)
		}
		return v
	}
	parse := func(s any, radix int) (any, error) {
		str, ok := s.(string)
		if !ok {
			return nil, throw("java.lang.NumberFormatException", "Cannot parse null string: null")
		}
		if radix < 2 || radix > 36 {
			return nil, throw("java.lang.NumberFormatException", "radix "+strconv.Itoa(radix)+" less than Character.MIN_RADIX")
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(str, "+"), radix, bitsN)
		if err != nil || str == "" || str == "+" || strings.HasPrefix(str, "+-") || strings.HasPrefix(str, "++") {
			if bitsN < 32 {
				return nil, throw("java.lang.NumberFormatException", "Value out of range. Value:\""+str+"\" Radix:"+strconv.Itoa(radix))
			}
			return nil, throw("java.lang.NumberFormatException", "For input string: \""+str+"\""+radixSuffix(radix))
		}
		return res(n), nil
	}
	name := map[int]string{8: "Byte", 16: "Short", 32: "Int", 64: "Long"}[bitsN]
	for _, n := range []string{"parse" + name, "valueOf"} {
		t.add(n, retValue, func(st *state, r any, a []any) (any, error) { return parse(a[0], 10) }, tString)
		t.add(n, retValue, func(st *state, r any, a []any) (any, error) { return parse(a[0], intArg(a[1])) }, tString, pInt)
	}
	t.add("valueOf", retValue, func(st *state, r any, a []any) (any, error) { return res(arg(a[0])), nil }, prim)
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) {
		return strconv.FormatInt(arg(a[0]), 10), nil
	}, prim)
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) {
		radix := intArg(a[1])
		if radix < 2 || radix > 36 {
			radix = 10
		}
		return strconv.FormatInt(arg(a[0]), radix), nil
	}, prim, pInt)
	unsigned := func(v int64) uint64 {
		if bitsN == 32 {
			return uint64(uint32(v))
		}
		return uint64(v)
	}
	t.add("toHexString", retValue, func(st *state, r any, a []any) (any, error) {
		return strconv.FormatUint(unsigned(arg(a[0])), 16), nil
	}, prim)
	t.add("toBinaryString", retValue, func(st *state, r any, a []any) (any, error) {
		return strconv.FormatUint(unsigned(arg(a[0])), 2), nil
	}, prim)
	t.add("toOctalString", retValue, func(st *state, r any, a []any) (any, error) {
		return strconv.FormatUint(unsigned(arg(a[0])), 8), nil
	}, prim)
	two := func(name string, f func(x, y int64) int64) {
		t.add(name, retValue, func(st *state, r any, a []any) (any, error) {
			return res(f(arg(a[0]), arg(a[1]))), nil
		}, prim, prim)
	}
	two("max", func(x, y int64) int64 { return max(x, y) })
	two("min", func(x, y int64) int64 { return min(x, y) })
	two("sum", func(x, y int64) int64 { return x + y })
	t.add("compare", retValue, func(st *state, r any, a []any) (any, error) {
		x, y := arg(a[0]), arg(a[1])
		switch {
		case x < y:
			return int32(-1), nil
		case x > y:
			return int32(1), nil
		}
		return int32(0), nil
	}, prim, prim)
	t.add("signum", retValue, func(st *state, r any, a []any) (any, error) {
		x := arg(a[0])
		switch {
		case x < 0:
			return int32(-1), nil
		case x > 0:
			return int32(1), nil
		}
		return int32(0), nil
	}, prim)
	t.add("hashCode", retValue, func(st *state, r any, a []any) (any, error) {
		return st.javaHash(res(arg(a[0]))), nil
	}, prim)
	t.add("bitCount", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(bits.OnesCount64(unsigned(arg(a[0])))), nil
	}, prim)
	return t
}

// parseJavaFloat is Double.parseDouble (bits 64) or Float.parseFloat (32): text
// trimmed of chars up to ' ', an optional sign, then NaN, Infinity, a decimal
// or a hexadecimal (0x1.8p1) literal with an optional f, F, d or D suffix.
func parseJavaFloat(s string, bitsN int) (float64, bool) {
	t := strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 {
		return 0, false
	}
	switch {
	case body == "NaN":
		return math.NaN(), true
	case body == "Infinity" && t[0] == '-':
		return math.Inf(-1), true
	case body == "Infinity":
		return math.Inf(1), true
	}
	if n := len(body); n > 0 && strings.IndexByte("fFdD", body[n-1]) >= 0 {
		body, t = body[:n-1], t[:len(t)-1]
	}
	if !javaFloatSyntax(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, bitsN)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// javaFloatSyntax reports whether s (no sign, no suffix) is a decimal literal
// (1, 1., .5, 1.5e-3) or a hexadecimal one with a binary exponent (0x1.8p1).
func javaFloatSyntax(s string) bool {
	digits := func(i int, hex bool) int {
		for i < len(s) && ('0' <= s[i] && s[i] <= '9' || hex && strings.IndexByte("abcdefABCDEF", s[i]) >= 0) {
			i++
		}
		return i
	}
	hex := len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
	i := 0
	if hex {
		i = 2
	}
	j := digits(i, hex)
	n := j - i
	if j < len(s) && s[j] == '.' {
		k := digits(j+1, hex)
		n += k - j - 1
		j = k
	}
	if n == 0 {
		return false
	}
	if j == len(s) {
		return !hex
	}
	if hex && s[j] != 'p' && s[j] != 'P' || !hex && s[j] != 'e' && s[j] != 'E' {
		return false
	}
	j++
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := digits(j, false)
	return k > j && k == len(s)
}

// doubleHex is Double.toHexString: 0x1.8p1, subnormals as 0x0.xp-1022.
func doubleHex(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	sign := ""
	if math.Signbit(f) {
		sign = "-"
	}
	if f == 0 {
		return sign + "0x0.0p0"
	}
	bits := math.Float64bits(f)
	exp := int(bits>>52) & 0x7FF
	digits := strings.TrimRight(fmt.Sprintf("%013x", bits&(1<<52-1)), "0")
	if digits == "" {
		digits = "0"
	}
	if exp == 0 {
		return sign + "0x0." + digits + "p-1022"
	}
	return sign + "0x1." + digits + "p" + strconv.Itoa(exp-1023)
}

func radixSuffix(radix int) string {
	if radix == 10 {
		return ""
	}
	return " under radix " + strconv.Itoa(radix)
}

// floatingMethods builds the methods of Double (bits 64) or Float (bits 32).
func floatingMethods(bitsN int) methodTable {
	t := methodTable{}
	addObjectMethods(t)
	addNumberValueMethods(t)
	prim, box := pDouble, tDoubleBox
	if bitsN == 32 {
		prim, box = pFloat, tFloatBox
	}
	t.add("compareTo", retValue, compareSame, tObject)
	t.add("compareTo", retValue, compareSame, box)
	res := func(f float64) any {
		if bitsN == 32 {
			return float32(f)
		}
		return f
	}
	t.add("isNaN", retBool, func(st *state, r any, a []any) (any, error) {
		f := doubleValue(r)
		return f != f, nil
	})
	t.add("isInfinite", retBool, func(st *state, r any, a []any) (any, error) {
		return math.IsInf(doubleValue(r), 0), nil
	})
	t.add("isNaN", retBool, func(st *state, r any, a []any) (any, error) {
		f := doubleValue(a[0])
		return f != f, nil
	}, prim)
	t.add("isInfinite", retBool, func(st *state, r any, a []any) (any, error) {
		return math.IsInf(doubleValue(a[0]), 0), nil
	}, prim)
	t.add("isFinite", retBool, func(st *state, r any, a []any) (any, error) {
		f := doubleValue(a[0])
		return !math.IsInf(f, 0) && f == f, nil
	}, prim)
	parse := func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, npe()
		}
		f, ok := parseJavaFloat(s, bitsN)
		if !ok {
			if strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }) == "" {
				return nil, throw("java.lang.NumberFormatException", "empty String")
			}
			return nil, throw("java.lang.NumberFormatException", "For input string: \""+s+"\"")
		}
		return res(f), nil
	}
	name := "parseDouble"
	if bitsN == 32 {
		name = "parseFloat"
	}
	for _, n := range []string{name, "valueOf"} {
		t.add(n, retValue, func(st *state, r any, a []any) (any, error) { return parse(a[0]) }, tString)
	}
	t.add("valueOf", retValue, func(st *state, r any, a []any) (any, error) { return res(doubleValue(a[0])), nil }, prim)
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) {
		if bitsN == 32 {
			return javafmt.FormatFloat(floatValue(a[0])), nil
		}
		return javafmt.FormatDouble(doubleValue(a[0])), nil
	}, prim)
	if bitsN == 64 {
		t.add("toHexString", retValue, func(st *state, r any, a []any) (any, error) {
			return doubleHex(doubleValue(a[0])), nil
		}, prim)
	}
	two := func(name string, f func(x, y float64) float64) {
		t.add(name, retValue, func(st *state, r any, a []any) (any, error) {
			return res(f(doubleValue(a[0]), doubleValue(a[1]))), nil
		}, prim, prim)
	}
	two("max", javaMax)
	two("min", javaMin)
	two("sum", func(x, y float64) float64 { return x + y })
	t.add("compare", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(javaDoubleCompare(doubleValue(a[0]), doubleValue(a[1]))), nil
	}, prim, prim)
	t.add("hashCode", retValue, func(st *state, r any, a []any) (any, error) {
		return st.javaHash(res(doubleValue(a[0]))), nil
	}, prim)
	return t
}

// javaMax and javaMin are Math.max/min: NaN wins, -0.0 is below 0.0.
func javaMax(x, y float64) float64 {
	if x != x || y != y {
		return math.NaN()
	}
	if x == 0 && y == 0 {
		if math.Signbit(x) {
			return y
		}
		return x
	}
	return math.Max(x, y)
}

func javaMin(x, y float64) float64 {
	if x != x || y != y {
		return math.NaN()
	}
	if x == 0 && y == 0 {
		if math.Signbit(x) {
			return x
		}
		return y
	}
	return math.Min(x, y)
}

var (
	longMethods  = integralMethods(64, pLong, tLongBox)
	shortMethods = integralMethods(16, pShort, tShortBox)
	byteMethods  = integralMethods(8, pByte, tByteBox)
	floatMethods = floatingMethods(32)
)

func addBooleanStatics(t methodTable) {
	t.add("compareTo", retValue, compareSame, tBooleanBox)
	parse := func(v any) bool { s, _ := v.(string); return strings.EqualFold(s, "true") }
	t.add("parseBoolean", retBool, func(st *state, r any, a []any) (any, error) { return parse(a[0]), nil }, tString)
	t.add("valueOf", retBool, func(st *state, r any, a []any) (any, error) { return parse(a[0]), nil }, tString)
	t.add("valueOf", retBool, func(st *state, r any, a []any) (any, error) { return a[0], nil }, pBool)
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) {
		return strconv.FormatBool(a[0].(bool)), nil
	}, pBool)
	t.add("logicalAnd", retBool, func(st *state, r any, a []any) (any, error) {
		return a[0].(bool) && a[1].(bool), nil
	}, pBool, pBool)
	t.add("logicalOr", retBool, func(st *state, r any, a []any) (any, error) {
		return a[0].(bool) || a[1].(bool), nil
	}, pBool, pBool)
	t.add("logicalXor", retBool, func(st *state, r any, a []any) (any, error) {
		return a[0].(bool) != a[1].(bool), nil
	}, pBool, pBool)
	t.add("compare", retValue, func(st *state, r any, a []any) (any, error) {
		return compareSame(st, a[0], a[1:])
	}, pBool, pBool)
	t.add("hashCode", retValue, func(st *state, r any, a []any) (any, error) { return st.javaHash(a[0]), nil }, pBool)
}

func addCharacterStatics(t methodTable) {
	t.add("compareTo", retValue, compareSame, tCharacter)
	pred := func(name string, f func(r rune) bool) {
		t.add(name, retBool, func(st *state, r any, a []any) (any, error) {
			return f(rune(a[0].(javaChar))), nil
		}, pChar)
	}
	pred("isDigit", unicode.IsDigit)
	pred("isLetter", unicode.IsLetter)
	pred("isLetterOrDigit", func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
	pred("isUpperCase", unicode.IsUpper)
	pred("isLowerCase", unicode.IsLower)
	pred("isWhitespace", javaWhitespace)
	pred("isSpaceChar", func(r rune) bool { return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp) })
	conv := func(name string, f func(r rune) rune) {
		t.add(name, retValue, func(st *state, r any, a []any) (any, error) {
			return javaChar(f(rune(a[0].(javaChar)))), nil
		}, pChar)
	}
	conv("toUpperCase", unicode.ToUpper)
	conv("toLowerCase", unicode.ToLower)
	for name, f := range map[string]func(rune) rune{"toUpperCase": unicode.ToUpper, "toLowerCase": unicode.ToLower} {
		t.add(name, retValue, func(st *state, r any, a []any) (any, error) {
			return int32(f(rune(intArg(a[0])))), nil
		}, pInt)
	}
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) {
		return appendUTF16Char(a[0].(javaChar)), nil
	}, pChar)
	t.add("valueOf", retValue, func(st *state, r any, a []any) (any, error) { return a[0], nil }, pChar)
}

func appendUTF16Char(c javaChar) string { return string(appendUTF16(nil, []uint16{uint16(c)})) }

func unsupportedOp() error { return throw("java.lang.UnsupportedOperationException", "") }

// addViewMethods completes the keySet(), values() and entrySet() views: removing
// through a view removes from its map; adding is not supported.
func addViewMethods(t methodTable) {
	view := func(r any) *mapView { return r.(*mapView) }
	t.add("remove", retBool, func(st *state, r any, a []any) (any, error) {
		v := view(r)
		m := st.resolve(v.m)
		var key string
		found := false
		rangeMap(m, func(k string, val any) bool {
			switch v.cls {
			case clsKeySet:
				found = st.nullSafeEquals(a[0], keyValue(k))
			case clsValues:
				found = st.nullSafeEquals(a[0], val)
			default:
				e, ok := a[0].(*mapEntry)
				found = ok && e.key == k && st.nullSafeEquals(e.val, val)
			}
			key = k
			return !found
		})
		if found {
			st.mutableMap(m).Remove(key)
		}
		return found, nil
	}, tObject)
	t.add("clear", retVoid, func(st *state, r any, a []any) (any, error) {
		m := st.mutableMap(st.resolve(view(r).m))
		for _, k := range append([]string(nil), m.keys...) {
			m.Remove(k)
		}
		return nil, nil
	})
	t.add("containsAll", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		items := st.iterItems(r)
		for _, e := range st.iterItems(a[0]) {
			if st.indexIn(items, e) < 0 {
				return false, nil
			}
		}
		return true, nil
	}, tCollection)
	t.add("add", retBool, func(st *state, r any, a []any) (any, error) { return nil, unsupportedOp() }, tObject)
	t.add("addAll", retBool, func(st *state, r any, a []any) (any, error) { return nil, unsupportedOp() }, tCollection)
}

// addArrayMethods completes what Velocity's ArrayListWrapper gives arrays: a
// fixed-size list.
func addArrayMethods(t methodTable) {
	arr := func(r any) *javaArray { return r.(*javaArray) }
	t.add("set", retValue, func(st *state, r any, a []any) (any, error) {
		l := arr(r).items
		i := intArg(a[0])
		if i < 0 || i >= len(l) {
			return nil, throw("java.lang.ArrayIndexOutOfBoundsException",
				"Index "+strconv.Itoa(i)+" out of bounds for length "+strconv.Itoa(len(l)))
		}
		old := l[i]
		l[i] = a[1]
		return old, nil
	}, pInt, tObject)
	t.add("indexOf", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(st.indexIn(arr(r).items, a[0])), nil
	}, tObject)
	t.add("lastIndexOf", retValue, func(st *state, r any, a []any) (any, error) {
		l := arr(r).items
		for i := len(l) - 1; i >= 0; i-- {
			if st.nullSafeEquals(a[0], l[i]) {
				return int32(i), nil
			}
		}
		return int32(-1), nil
	}, tObject)
	t.add("toArray", retValue, func(st *state, r any, a []any) (any, error) {
		return &javaArray{items: append([]any(nil), arr(r).items...), cls: clsObjectArray}, nil
	})
	t.add("toArray", retValue, func(st *state, r any, a []any) (any, error) {
		return &javaArray{items: append([]any(nil), arr(r).items...), cls: clsObjectArray}, nil
	}, tObjectArray)
	t.add("add", retBool, func(st *state, r any, a []any) (any, error) { return nil, unsupportedOp() }, tObject)
	t.add("remove", retBool, func(st *state, r any, a []any) (any, error) {
		// AbstractCollection.remove finds the element, then fails to remove it
		if st.indexIn(arr(r).items, a[0]) >= 0 {
			return nil, unsupportedOp()
		}
		return false, nil
	}, tObject)
	t.add("subList", retValue, func(st *state, r any, a []any) (any, error) {
		l := arr(r).items
		from, to := intArg(a[0]), intArg(a[1])
		switch {
		case from < 0:
			return nil, throw("java.lang.IndexOutOfBoundsException", "fromIndex = "+strconv.Itoa(from))
		case to > len(l):
			return nil, throw("java.lang.IndexOutOfBoundsException", "toIndex = "+strconv.Itoa(to))
		case from > to:
			return nil, throw("java.lang.IllegalArgumentException", "fromIndex("+strconv.Itoa(from)+") > toIndex("+strconv.Itoa(to)+")")
		}
		return st.newList(append([]any(nil), l[from:to]...)), nil
	}, pInt, pInt)
	t.add("add", retVoid, func(st *state, r any, a []any) (any, error) { return nil, unsupportedOp() }, pInt, tObject)
	t.add("remove", retValue, func(st *state, r any, a []any) (any, error) { return nil, unsupportedOp() }, pInt)
	t.add("addAll", retBool, func(st *state, r any, a []any) (any, error) { return nil, unsupportedOp() }, tCollection)
	t.add("clear", retVoid, func(st *state, r any, a []any) (any, error) {
		if len(arr(r).items) > 0 {
			return nil, unsupportedOp()
		}
		return nil, nil
	})
}

// addListSort is ArrayList.sort(null): natural order, which needs mutually
// comparable elements.
func addListSort(t methodTable) {
	t.add("sort", retVoid, func(st *state, r any, a []any) (any, error) {
		if a[0] != nil {
			return nil, &unsupportedMethod{"ArrayList.sort with a Comparator"}
		}
		items := append([]any(nil), st.listItems(r)...)
		var failure error
		sort.SliceStable(items, func(i, j int) bool {
			c, err := naturalCompare(st, items[i], items[j])
			if err != nil {
				if failure == nil {
					failure = err
				}
				return false
			}
			return c < 0
		})
		if failure != nil {
			return nil, failure
		}
		l := st.mutableList(r)
		l.Items = items
		l.mod++
		return nil, nil
	}, tOther)
}

// naturalCompare is x.compareTo(y) for Comparable x: null throws
// NullPointerException, a value that is not Comparable or of another class
// ClassCastException. Every element of a list of two or more meets another in a
// sort, so a list holding any of these fails to sort, as in Java.
func naturalCompare(st *state, x, y any) (int, error) {
	if x == nil || y == nil {
		return 0, npe()
	}
	for _, v := range [...]any{x, y} {
		if !convertible(tComparable, classOf(v)) {
			return 0, classCast(v, "java.lang.Comparable")
		}
	}
	if xs, ok := x.(string); ok {
		ys, ok := y.(string)
		if !ok {
			return 0, classCast(y, "java.lang.String")
		}
		return compareUTF16(xs, ys), nil
	}
	c, err := compareSame(st, x, []any{y})
	if err != nil {
		return 0, err
	}
	return int(c.(int32)), nil
}

// addMonitorMethods makes wait() and notify() fail as they do when the caller does
// not hold the object's monitor, which a template never does.
func addMonitorMethods(t methodTable) {
	fail := func(st *state, r any, a []any) (any, error) {
		return nil, throw("java.lang.IllegalMonitorStateException", "current thread is not owner")
	}
	t.add("wait", retVoid, fail)
	t.add("wait", retVoid, fail, pLong)
	t.add("wait", retVoid, fail, pLong, pInt)
	t.add("notify", retVoid, fail)
	t.add("notifyAll", retVoid, fail)
}
