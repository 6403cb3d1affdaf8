package velocity

import (
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
	tObject // first non-primitive
	tString
	tCharSequence
	tComparable
	tNumber
	tInteger
	tCharacter
	tBigInteger
	tCollection
	tList
	tMap
	tIterable
	tObjectArray
	tOther // a class no template value has (Locale, Charset, Function, ...)
)

func (p ptype) primitive() bool { return p < tObject }

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
}

func (m *jmethod) invoke(st *state, recv any, args []any) (any, error) {
	for i, a := range args {
		args[i] = st.resolve(a)
	}
	return m.fn(st, st.resolve(recv), args)
}

// methodTable maps a method name to its overloads.
type methodTable map[string][]*jmethod

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
	case tCharacter:
		return actual == clsCharacter
	case tBigInteger:
		return actual == clsBigInteger
	case tCollection, tIterable:
		return isCollectionClass(actual)
	case tList:
		return isListClass(actual)
	case tMap:
		return isMapClass(actual)
	case tObjectArray:
		return actual == clsStringArray || actual == clsObjectArray
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

// strictConvertible is IntrospectionUtils.isStrictMethodInvocationConvertible
// between parameter types: formal accepts actual by subclassing or primitive widening.
func strictConvertible(formal, actual ptype) bool {
	if formal == actual {
		return true
	}
	if formal.primitive() != actual.primitive() {
		return false
	}
	switch formal {
	case tObject:
		return true
	case tCharSequence:
		return actual == tString
	case tComparable:
		return actual == tString || actual == tInteger || actual == tCharacter || actual == tBigInteger
	case tNumber:
		return actual == tInteger || actual == tBigInteger
	case tCollection:
		return actual == tList
	case tIterable:
		return actual == tCollection || actual == tList
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

func applicable(m *jmethod, classes []jclass) bool {
	if len(m.params) != len(classes) {
		return false
	}
	for i, p := range m.params {
		if !convertible(p, classes[i]) {
			return false
		}
	}
	return true
}

const (
	moreSpecific = iota
	lessSpecific
	incomparable
)

func compareSpecificity(c1, c2 []ptype) int {
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
	m, err := bestMatch(ms, classes)
	if err != nil {
		return nil, st.renderError(at, "VelocityException", "",
			"ASTMethod.execute() : exception from introspection: ambiguous call of "+name+" on "+className(recv), err)
	}
	return m, nil
}

// tableOf returns the methods of v's class.
func tableOf(v any) methodTable {
	switch classOf(v) {
	case clsString:
		return stringMethods
	case clsArrayList:
		return listMethods
	case clsLinkedHashMap, clsHashMap, clsSortedMap:
		return mapMethods
	case clsInteger, clsLong, clsShort, clsByte:
		return integerMethods
	case clsDouble, clsFloat:
		return doubleMethods
	case clsBigInteger:
		return bigIntegerMethods
	case clsBigDecimal:
		return bigDecimalMethods
	case clsBoolean:
		return booleanMethods
	case clsCharacter:
		return characterMethods
	case clsKeySet, clsValues, clsEntrySet:
		return viewMethods
	case clsEntry:
		return entryMethods
	case clsStringArray, clsObjectArray:
		return arrayMethods
	case clsClass:
		return classMethods
	case clsForeachScope:
		return scopeMethods
	case clsBlockRef:
		return blockMethods
	}
	return objectMethods
}

// addObjectMethods adds java.lang.Object's public methods.
func addObjectMethods(t methodTable) {
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
