package velocity

import (
	"slices"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// This file chooses the Java method a call means, as Velocity 1.7's MethodMap does:
// among the public methods of the receiver's class with that name, those whose
// parameters accept the arguments' classes (with Java's unboxing and widening:
// an Integer passes for int, long, float, double; a Long only for long, float,
// double; nothing converts a String to a number), then the most specific of them.

// ptype is a Java parameter type.
type ptype uint8

const (
	pInt ptype = iota
	pLong
	pFloat
	pDouble
	pBool
	pChar
	pShort
	pByte
	tObject // the first non-primitive
	tString
	tCharSequence
	tComparable
	tNumber
	tInteger
	tLongBox
	tShortBox
	tByteBox
	tDoubleBox
	tFloatBox
	tBooleanBox
	tCharacter
	tBigInteger
	tBigDecimal
	tCollection
	tList
	tMap
	tIterable
	tEntry
	tStringBuffer // a CharSequence no template value is
	tOther        // a class no template value has (Locale, Charset, Function, ...)
	// arrays
	tObjectArray
	tCharSeqArray
	tCharArray
	tByteArray
	tOtherArray
)

func (p ptype) primitive() bool { return p < tObject }
func (p ptype) array() bool     { return p >= tObjectArray }

// component is the element type of an array type.
func (p ptype) component() ptype {
	switch p {
	case tObjectArray:
		return tObject
	case tCharSeqArray:
		return tCharSequence
	case tCharArray:
		return pChar
	case tByteArray:
		return pByte
	}
	return tOther
}

var ptypeNames = map[string]ptype{
	"int": pInt, "long": pLong, "float": pFloat, "double": pDouble, "boolean": pBool, "char": pChar,
	"short": pShort, "byte": pByte, "Object": tObject, "String": tString, "CharSequence": tCharSequence,
	"Comparable": tComparable, "Number": tNumber, "Integer": tInteger, "Long": tLongBox, "Short": tShortBox,
	"Byte": tByteBox, "Double": tDoubleBox, "Float": tFloatBox, "Boolean": tBooleanBox, "Character": tCharacter,
	"BigInteger": tBigInteger, "BigDecimal": tBigDecimal, "Collection": tCollection, "List": tList,
	"Map": tMap, "Iterable": tIterable, "Entry": tEntry, "Object[]": tObjectArray, "StringBuffer": tStringBuffer,
	"CharSequence[]": tCharSeqArray, "char[]": tCharArray, "byte[]": tByteArray,
}

func ptypeOf(name string) ptype {
	if p, ok := ptypeNames[name]; ok {
		return p
	}
	if strings.HasSuffix(name, "[]") {
		return tOtherArray
	}
	return tOther
}

// retKind tells void and boolean methods apart (void results print "", and only
// boolean isX() methods are properties).
type retKind uint8

const (
	retValue retKind = iota
	retVoid
	retBool
)

type jmethod struct {
	params []ptype
	ret    retKind
	fn     func(st *state, recv any, args []any) (any, error)
	// sig is "Class.name(types)" for messages.
	sig string
}

func (m *jmethod) varargs() bool { return len(m.params) > 0 && m.params[len(m.params)-1].array() }

func (m *jmethod) invoke(st *state, recv any, args []any) (any, error) {
	if m.varargs() {
		args = packVarargs(m.params, args)
	}
	if len(args) != len(m.params) {
		return nil, throw("java.lang.IllegalArgumentException", "wrong number of arguments")
	}
	for i, a := range args {
		args[i] = st.resolve(a)
	}
	if m.fn == nil {
		return nil, &unsupportedMethod{m.sig}
	}
	v, err := m.fn(st, st.resolve(recv), args)
	if st.overflow {
		st.overflow = false
		return nil, errStackOverflow()
	}
	return v, err
}

// packVarargs puts the trailing arguments of a varargs call into an array, as
// Velocity's VelMethodImpl.invoke does.
func packVarargs(params []ptype, args []any) []any {
	index := len(params) - 1
	if len(args) < index {
		return args
	}
	comp := params[index].component()
	switch {
	case len(args) == index:
		return append(args[:index:index], &javaArray{cls: clsObjectArray})
	case len(args) == index+1:
		a := args[index]
		if a != nil && !isArrayClass(classOf(a)) && convertible(comp, classOf(a)) {
			out := append([]any(nil), args[:index]...)
			return append(out, &javaArray{items: []any{a}, cls: clsObjectArray})
		}
		return args
	}
	out := append([]any(nil), args[:index]...)
	return append(out, &javaArray{items: append([]any(nil), args[index:]...), cls: clsObjectArray})
}

func isArrayClass(c jclass) bool { return c == clsStringArray || c == clsObjectArray }

// unsupportedMethod is a Java method Flowhook knows of but does not implement.
type unsupportedMethod struct{ sig string }

func (e *unsupportedMethod) Error() string {
	return e.sig + " is not available in Flowhook templates"
}

// methodTable maps a method name to its overloads.
type methodTable map[string][]*jmethod

// add registers an implementation; the tables are completed from the signature
// list by finishTables.
func (t methodTable) add(name string, ret retKind, fn func(st *state, recv any, args []any) (any, error), params ...ptype) {
	t[name] = append(t[name], &jmethod{params: params, ret: ret, fn: fn})
}

// convertible is IntrospectionUtils.isMethodInvocationConvertible for an argument
// of class actual.
func convertible(formal ptype, actual jclass) bool {
	if actual == clsNull {
		return !formal.primitive()
	}
	switch formal {
	case tObject:
		return true
	case tString, tCharSequence:
		return actual == clsString
	case tComparable:
		return actual == clsString || actual == clsBoolean || actual == clsCharacter || isNumberClass(actual)
	case tNumber:
		return isNumberClass(actual)
	case tInteger:
		return actual == clsInteger
	case tLongBox:
		return actual == clsLong
	case tShortBox:
		return actual == clsShort
	case tByteBox:
		return actual == clsByte
	case tDoubleBox:
		return actual == clsDouble
	case tFloatBox:
		return actual == clsFloat
	case tBooleanBox:
		return actual == clsBoolean
	case tCharacter:
		return actual == clsCharacter
	case tBigInteger:
		return actual == clsBigInteger
	case tBigDecimal:
		return actual == clsBigDecimal
	case tCollection, tIterable:
		return isCollectionClass(actual)
	case tList:
		return isListClass(actual)
	case tMap:
		return isMapClass(actual)
	case tEntry:
		return actual == clsEntry
	case tObjectArray:
		return isArrayClass(actual)
	case tCharSeqArray:
		return actual == clsStringArray
	case pBool:
		return actual == clsBoolean
	case pChar:
		return actual == clsCharacter
	case pByte:
		return actual == clsByte
	case pShort:
		return actual == clsShort || actual == clsByte
	case pInt:
		return actual == clsInteger || actual == clsShort || actual == clsByte
	case pLong:
		return actual == clsLong || actual == clsInteger || actual == clsShort || actual == clsByte
	case pFloat:
		return actual == clsFloat || actual == clsLong || actual == clsInteger || actual == clsShort || actual == clsByte
	case pDouble:
		return actual == clsDouble || actual == clsFloat || actual == clsLong || actual == clsInteger ||
			actual == clsShort || actual == clsByte
	}
	return false
}

// convertibleVarArg is convertible with possibleVarArg: an array parameter also
// takes a single element.
func convertibleVarArg(formal ptype, actual jclass) bool {
	if formal.array() && !isArrayClass(actual) {
		return convertible(formal.component(), actual)
	}
	return convertible(formal, actual)
}

// strictConvertible is IntrospectionUtils.isStrictMethodInvocationConvertible
// between parameter types: formal accepts actual by subclassing or primitive widening.
func strictConvertible(formal, actual ptype) bool {
	if formal == actual {
		return true
	}
	if formal.primitive() != actual.primitive() {
		return false
	}
	isBox := func(p ptype) bool { return p >= tInteger && p <= tBigDecimal }
	switch formal {
	case tObject:
		return true
	case tCharSequence:
		return actual == tString || actual == tStringBuffer
	case tComparable:
		return actual == tString || isBox(actual)
	case tNumber:
		return isBox(actual) && actual != tBooleanBox && actual != tCharacter
	case tCollection:
		return actual == tList
	case tIterable:
		return actual == tCollection || actual == tList
	case tObjectArray:
		return actual == tCharSeqArray || actual == tOtherArray
	case pShort:
		return actual == pByte
	case pInt:
		return actual == pShort || actual == pByte
	case pLong:
		return actual == pInt || actual == pShort || actual == pByte
	case pFloat:
		return actual == pLong || actual == pInt || actual == pShort || actual == pByte
	case pDouble:
		return actual == pFloat || actual == pLong || actual == pInt || actual == pShort || actual == pByte
	}
	return false
}

// applicable is MethodMap.isApplicable, varargs included. Velocity 1.7's version
// takes a method without parameters as applicable to a call with arguments;
// invoking it then fails with "wrong number of arguments" (see jmethod.invoke).
func applicable(m *jmethod, classes []jclass) bool {
	np, na := len(m.params), len(classes)
	switch {
	case np == na:
		for i, p := range m.params {
			if !convertible(p, classes[i]) {
				return i == np-1 && p.array() && convertibleVarArg(p, classes[i])
			}
		}
		return true
	case np < na:
		if np == 0 {
			return true
		}
		last := m.params[np-1]
		if !last.array() {
			return false
		}
		for i := 0; i < np-1; i++ {
			if !convertible(m.params[i], classes[i]) {
				return false
			}
		}
		for i := np - 1; i < na; i++ {
			if !convertible(last.component(), classes[i]) {
				return false
			}
		}
		return true
	case np == na+1 && m.params[np-1].array():
		for i := 0; i < na; i++ {
			if !convertible(m.params[i], classes[i]) {
				return false
			}
		}
		return true
	}
	return false
}

const (
	moreSpecific = iota
	lessSpecific
	incomparable
)

func compareSpecificity(c1, c2 []ptype) int {
	switch {
	case len(c1) > len(c2):
		return moreSpecific
	case len(c2) > len(c1):
		return lessSpecific
	}
	more1, more2 := false, false
	for i := range c1 {
		if c1[i] != c2[i] {
			more1 = more1 || strictConvertible(c2[i], c1[i]) || c2[i] == tObject
			more2 = more2 || strictConvertible(c1[i], c2[i]) || c1[i] == tObject
		}
	}
	switch {
	case more1 && !more2:
		return moreSpecific
	case more2 && !more1:
		return lessSpecific
	case more1 && more2 && len(c1) > 0:
		a1, a2 := c1[len(c1)-1].array(), c2[len(c2)-1].array()
		switch {
		case a1 && !a2:
			return lessSpecific
		case !a1 && a2:
			return moreSpecific
		}
	}
	return incomparable
}

// errAmbiguous reports a call two overloads fit equally well; the reference engine
// fails the render with a VelocityException.
type errAmbiguous struct{}

func (errAmbiguous) Error() string { return "ambiguous method call" }

// bestMatch is MethodMap.getBestMatch.
func bestMatch(ms []*jmethod, classes []jclass) (*jmethod, error) {
	var best *jmethod
	var equivalent []*jmethod
	for _, m := range ms {
		if !applicable(m, classes) {
			continue
		}
		if best == nil {
			best = m
			continue
		}
		switch compareSpecificity(m.params, best.params) {
		case moreSpecific:
			if equivalent == nil {
				best = m
				continue
			}
			for _, other := range equivalent {
				switch compareSpecificity(m.params, other.params) {
				case moreSpecific:
					best, equivalent = m, nil
				case incomparable:
					equivalent = append(equivalent, m)
				}
				if equivalent == nil {
					break
				}
			}
		case incomparable:
			equivalent = append(equivalent, m)
		}
	}
	if equivalent != nil {
		return nil, errAmbiguous{}
	}
	return best, nil
}

// findMethod returns the method name(args) of recv's class, or nil.
func (st *state) findMethod(recv any, name string, args []any, at parse.Pos) (*jmethod, error) {
	recv = st.resolve(recv)
	table := tableOf(recv)
	ms := table[name]
	if ms == nil {
		return nil, nil
	}
	var buf [4]jclass
	classes := buf[:0]
	for _, a := range args {
		classes = append(classes, classOf(st.resolve(a)))
	}
	// Velocity's method cache is keyed by the argument classes' names (Object for a
	// null) and already holds every declared method under its parameter classes'
	// names (int as Integer), so a call matching a declaration exactly takes it
	// without choosing among overloads.
	for _, m := range ms {
		if exactParams(m.params, classes) {
			return m, nil
		}
	}
	m, err := bestMatch(ms, classes)
	if err != nil {
		// Velocity's Introspector logs an ambiguous call and finds no method.
		return nil, nil
	}
	return m, nil
}

// keyClass is the class whose name stands for a parameter type in Velocity's
// method cache key, or clsNull for an interface (which no argument matches).
func keyClass(p ptype) jclass {
	switch p {
	case pInt, tInteger:
		return clsInteger
	case pLong, tLongBox:
		return clsLong
	case pDouble, tDoubleBox:
		return clsDouble
	case pFloat, tFloatBox:
		return clsFloat
	case pBool, tBooleanBox:
		return clsBoolean
	case pChar, tCharacter:
		return clsCharacter
	case pShort, tShortBox:
		return clsShort
	case pByte, tByteBox:
		return clsByte
	case tString:
		return clsString
	case tBigInteger:
		return clsBigInteger
	case tBigDecimal:
		return clsBigDecimal
	case tObject:
		return clsObject
	}
	return clsNull
}

func exactParams(params []ptype, classes []jclass) bool {
	if len(params) != len(classes) {
		return false
	}
	for i, p := range params {
		k, c := keyClass(p), classes[i]
		if c == clsNull {
			c = clsObject // a null argument's key is java.lang.Object
		} else if c == clsObject {
			return false // an object of another class never names java.lang.Object
		}
		if k != c {
			return false
		}
	}
	return true
}

// Method tables by class, completed from javaSignatures at init.
var classTables = map[jclass]methodTable{}

// tableOf returns the methods of v's class.
func tableOf(v any) methodTable {
	return classTables[classOf(v)]
}

func init() {
	// which implementations serve which classes, and the Java class of each
	impls := []struct {
		javaClass string
		impl      methodTable
		classes   []jclass
	}{
		{"String", stringMethods, []jclass{clsString}},
		{"ArrayList", listMethods, []jclass{clsArrayList}},
		{"LinkedHashMap", mapMethods, []jclass{clsLinkedHashMap, clsSortedMap}},
		{"HashMap", mapMethods, []jclass{clsHashMap}},
		{"Integer", integerMethods, []jclass{clsInteger}},
		{"Long", longMethods, []jclass{clsLong}},
		{"Short", shortMethods, []jclass{clsShort}},
		{"Byte", byteMethods, []jclass{clsByte}},
		{"Double", doubleMethods, []jclass{clsDouble}},
		{"Float", floatMethods, []jclass{clsFloat}},
		{"BigInteger", bigIntegerMethods, []jclass{clsBigInteger}},
		{"BigDecimal", bigDecimalMethods, []jclass{clsBigDecimal}},
		{"Boolean", booleanMethods, []jclass{clsBoolean}},
		{"Character", characterMethods, []jclass{clsCharacter}},
		{"KeySet", viewMethods, []jclass{clsKeySet}},
		{"Values", viewMethods, []jclass{clsValues}},
		{"EntrySet", viewMethods, []jclass{clsEntrySet}},
		{"Entry", entryMethods, []jclass{clsEntry}},
		{"ArrayListWrapper", arrayMethods, []jclass{clsStringArray, clsObjectArray}},
		{"Class", classMethods, []jclass{clsClass}},
		{"ForeachScope", scopeMethods, []jclass{clsForeachScope}},
		{"BlockReference", blockMethods, []jclass{clsBlockRef}},
		{"Object", objectMethods, []jclass{clsObject}},
	}
	sigs := map[string][][3]string{} // class -> name, params, return type
	for _, line := range strings.Split(javaSignatures, "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			continue
		}
		sigs[f[0]] = append(sigs[f[0]], [3]string{f[1], f[2], f[3]})
	}
	objectNames := map[string]bool{}
	for _, sg := range sigs["Object"] {
		objectNames[sg[0]] = true
	}
	for _, c := range impls {
		t := methodTable{}
		classSigs := sigs[c.javaClass]
		if c.javaClass == "ArrayListWrapper" {
			// Velocity looks a method up on the array's class (Object) first, then
			// on the ArrayListWrapper it wraps arrays in.
			var merged [][3]string
			for _, sg := range classSigs {
				if !objectNames[sg[0]] {
					merged = append(merged, sg)
				}
			}
			classSigs = append(merged, sigs["Object"]...)
		}
		for _, sg := range classSigs {
			name, ps := sg[0], sg[1]
			var params []ptype
			if ps != "" {
				for _, p := range strings.Split(ps, ",") {
					params = append(params, ptypeOf(p))
				}
			}
			m := &jmethod{params: params, sig: c.javaClass + "." + name + "(" + ps + ")"}
			switch sg[2] {
			case "void":
				m.ret = retVoid
			case "boolean", "Boolean":
				m.ret = retBool
			}
			for _, im := range c.impl[name] {
				if slices.Equal(im.params, params) {
					m.fn = im.fn
					break
				}
			}
			t[name] = append(t[name], m)
		}
		for _, cls := range c.classes {
			classTables[cls] = t
		}
	}
}

// addObjectMethods adds java.lang.Object's public methods.
func addObjectMethods(t methodTable) {
	addMonitorMethods(t)
	t.add("equals", retBool, func(st *state, r any, a []any) (any, error) {
		return a[0] != nil && st.javaEquals(r, a[0]), nil
	}, tObject)
	t.add("hashCode", retValue, func(st *state, r any, a []any) (any, error) {
		return st.javaHash(r), nil
	})
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) {
		s, err := st.toString(r)
		return s, err
	})
	t.add("getClass", retValue, func(st *state, r any, a []any) (any, error) {
		return &javaClassValue{cls: classOf(r)}, nil
	})
}

var objectMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	return t
}()

var classMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	t.add("getName", retValue, func(st *state, r any, a []any) (any, error) {
		return classNames[r.(*javaClassValue).cls], nil
	})
	t.add("getSimpleName", retValue, func(st *state, r any, a []any) (any, error) {
		n := classNames[r.(*javaClassValue).cls]
		if i := lastIndexAny(n, ".$"); i >= 0 {
			n = n[i+1:]
		}
		return n, nil
	})
	return t
}()

func lastIndexAny(s, chars string) int {
	for i := len(s) - 1; i >= 0; i-- {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return i
			}
		}
	}
	return -1
}

// throw returns a Java exception.
func throw(class, msg string) error { return &Throwable{Class: class, Message: msg} }

func npe() error { return throw("java.lang.NullPointerException", "") }

func classCast(v any, to string) error {
	return throw("java.lang.ClassCastException", "class "+className(v)+" cannot be cast to class "+to)
}
