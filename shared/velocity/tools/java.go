package tools

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity"
	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// This file models the Java side of tool calls: Number conversions, String.valueOf,
// Velocity 1.7's rules for matching arguments to parameter types, and the Java
// objects tools return (java.util.Date, Calendar, Locale, TimeZone, Class).

// noMethod returns an error wrapping velocity.ErrNoMethod for a call of name on the
// tool class cls; the engine then prints the reference as Velocity does.
func noMethod(cls, name string) error {
	return &noMethodError{cls: cls, name: name}
}

type noMethodError struct{ cls, name string }

func (e *noMethodError) Error() string {
	return e.cls + " has no method " + e.name + " for these arguments"
}
func (e *noMethodError) Unwrap() error { return velocity.ErrNoMethod }

func throw(class, msg string) error { return &velocity.Throwable{Class: class, Message: msg} }

// ------------------------------------------------------------------ numbers

// isNumber reports whether v is a java.lang.Number.
func isNumber(v any) bool {
	switch v.(type) {
	case int32, int64, float64, float32, *big.Int, int8, int16:
		return true
	}
	return false
}

// doubleValue is Number.doubleValue.
func doubleValue(v any) float64 {
	switch x := v.(type) {
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	case float32:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	}
	return 0
}

// longValue is Number.longValue.
func longValue(v any) int64 {
	switch x := v.(type) {
	case int32:
		return int64(x)
	case int64:
		return x
	case float64:
		return javafmt.DoubleToLong(x)
	case float32:
		return javafmt.DoubleToLong(float64(x))
	case *big.Int:
		return int64(new(big.Int).And(x, maxUint64).Uint64()) // the low 64 bits, as Java
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	}
	return 0
}

var maxUint64 = new(big.Int).SetUint64(math.MaxUint64)

// intValue is Number.intValue: the low 32 bits of an integer, a saturating
// truncation of a floating-point value.
func intValue(v any) int32 {
	switch x := v.(type) {
	case float64:
		return javafmt.DoubleToInt(x)
	case float32:
		return javafmt.DoubleToInt(float64(x))
	}
	return int32(longValue(v))
}

// numberString is Number.toString.
func numberString(v any) string {
	switch x := v.(type) {
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javafmt.FormatDouble(x)
	case float32:
		return javafmt.FormatFloat(x)
	case *big.Int:
		return x.String()
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	}
	return ""
}

// ------------------------------------------------------------------ strings

// errTooLong is panicked by checkBuilt and recovered by catchTooLong in the
// Method of every tool that prints values.
type errTooLong struct{}

// checkBuilt stops printing a list or map whose text has grown past what a render
// may produce: a list holding itself several times over prints exponentially long.
func checkBuilt(n int) {
	if n > velocity.DefaultOutputBytes {
		panic(errTooLong{})
	}
}

// holdsContainer reports whether a list or map is among args: only then can a
// tool print something exponentially long, and only then is the call guarded
// (a deferred recover costs more than many calls do).
func holdsContainer(args []any) bool {
	for _, a := range args {
		switch a.(type) {
		case []any, *velocity.List, *velocity.Map, map[string]any:
			return true
		}
	}
	return false
}

// call runs a tool's method for Method: guarded when an argument is a list or
// map, and with Velocity 1.7's rule for a name no overload of which fits the
// arguments but one takes none: its MethodMap finds a method without parameters
// applicable to any arguments, and invoking it throws.
func call(method func(string, []any) (any, error), name string, args []any) (any, error) {
	var v any
	var err error
	if holdsContainer(args) {
		v, err = guarded(method, name, args)
	} else {
		v, err = method(name, args)
	}
	if err != nil && len(args) > 0 {
		if ne := (*noMethodError)(nil); errors.As(err, &ne) && zeroParamMethod(ne.cls, name) {
			return nil, throw("java.lang.IllegalArgumentException", "wrong number of arguments")
		}
	}
	return v, err
}

// zeroParamMethods are the public methods without parameters of each tool class
// besides Object's getClass, hashCode, toString, wait, notify and notifyAll.
var zeroParamMethods = map[string]string{
	mathClass:        " getFormat getLocale getRandom isConfigLocked isSafeMode ",
	numberClass:      " getFormat getLocale isConfigLocked isSafeMode ",
	dateClass:        " getCalendar getDate getDay getFormat getLocale getMonth getTimeZone getYear isConfigLocked isSafeMode ",
	escapeClass:      " getB getBackslash getD getDollar getE getExclamation getH getHash getKey getN getNewline getQ getQuote getS getSingleQuote isConfigLocked isSafeMode ",
	sortClass:        " ",
	listClass:        " ",
	stringUtilsClass: " ",
}

func zeroParamMethod(cls, name string) bool {
	names, ok := zeroParamMethods[cls]
	if !ok {
		return false
	}
	switch name {
	case "getClass", "hashCode", "toString", "wait", "notify", "notifyAll":
		return true
	}
	return strings.Contains(names, " "+name+" ")
}

// guarded calls method, turning checkBuilt's panic into a *velocity.LimitError.
func guarded(method func(string, []any) (any, error), name string, args []any) (v any, err error) {
	defer catchTooLong(&v, &err)
	return method(name, args)
}

// catchTooLong turns checkBuilt's panic into a *velocity.LimitError.
func catchTooLong(v *any, err *error) {
	if r := recover(); r != nil {
		if _, ok := r.(errTooLong); !ok {
			panic(r)
		}
		*v, *err = nil, &velocity.LimitError{Limit: "output bytes", Max: velocity.DefaultOutputBytes}
	}
}

// javaString is String.valueOf(v): how Java prints a value.
func javaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int32, int64, float64, float32, *big.Int, int8, int16:
		return numberString(v)
	case []any:
		return collectionString(x, v)
	case *velocity.List:
		return collectionString(x.Items, v)
	case *velocity.Map:
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			e, _ := x.Get(k)
			if m, ok := e.(*velocity.Map); ok && m == x {
				b.WriteString("(this Map)")
			} else {
				b.WriteString(javaString(e))
			}
			checkBuilt(b.Len())
		}
		b.WriteByte('}')
		return b.String()
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(javaString(x[k]))
			checkBuilt(b.Len())
		}
		b.WriteByte('}')
		return b.String()
	case velocity.Object:
		if r, err := x.Method("toString", nil); err == nil {
			if s, ok := r.(string); ok {
				return s
			}
		}
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v) // a value of a type the engine has not exported; rare
}

func collectionString(items []any, self any) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		switch s := e.(type) {
		case *velocity.List:
			if l, ok := self.(*velocity.List); ok && l == s {
				b.WriteString("(this Collection)")
				continue
			}
		}
		b.WriteString(javaString(e))
		checkBuilt(b.Len())
	}
	b.WriteByte(']')
	return b.String()
}

// ------------------------------------------------------------------ arguments

// Velocity 1.7 calls a method when each argument converts to its parameter: null to
// any reference type, a boxed number to a primitive parameter only by widening.

// strArg matches a String parameter: a string or null.
func strArg(a any) (s string, isNull, ok bool) {
	switch x := a.(type) {
	case nil:
		return "", true, true
	case string:
		return x, false, true
	}
	return "", false, false
}

// intArg matches an int parameter: Integer, Short or Byte, never null.
func intArg(a any) (int, bool) {
	switch x := a.(type) {
	case int32:
		return int(x), true
	case int16:
		return int(x), true
	case int8:
		return int(x), true
	}
	return 0, false
}

// listItems returns the elements of a java.util.List value.
func listItems(a any) ([]any, bool) {
	switch x := a.(type) {
	case []any:
		return x, true
	case *velocity.List:
		return x.Items, true
	}
	return nil, false
}

// isMapValue reports whether a is a java.util.Map.
func isMapValue(a any) bool {
	switch a.(type) {
	case *velocity.Map, map[string]any:
		return true
	}
	return false
}

// mapValues returns Map.values() in iteration order.
func mapValues(a any) []any {
	switch x := a.(type) {
	case *velocity.Map:
		out := make([]any, 0, x.Len())
		x.Range(func(_ string, v any) bool {
			out = append(out, v)
			return true
		})
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, 0, len(x))
		for _, k := range keys {
			out = append(out, x[k])
		}
		return out
	}
	return nil
}

// property is commons-beanutils PropertyUtils.getProperty for the values templates
// have: a map key, or a getter of an Object; "a.b" reads nested properties. ok is
// false where PropertyUtils throws (no such property on a bean).
func property(bean any, name string) (any, bool) {
	for {
		head, rest, nested := strings.Cut(name, ".")
		var v any
		switch x := bean.(type) {
		case nil:
			return nil, false
		case *velocity.Map:
			v, _ = x.Get(head)
		case map[string]any:
			v = x[head]
		case velocity.Object:
			if head == "" {
				return nil, false
			}
			r, err := x.Method("get"+strings.ToUpper(head[:1])+head[1:], nil)
			if err != nil {
				if r, err = x.Method("is"+strings.ToUpper(head[:1])+head[1:], nil); err != nil {
					return nil, false
				}
			}
			v = r
		default:
			return nil, false
		}
		if !nested {
			return v, true
		}
		bean, name = v, rest
		if bean == nil {
			return nil, false
		}
	}
}

// ------------------------------------------------------------------ Java objects

// Class is a java.lang.Class as getClass() returns it.
type Class struct{ name string }

// JavaClass returns the class name for the engine's messages.
func (c *Class) JavaClass() string { return "java.lang.Class" }

// Method implements velocity.Object.
func (c *Class) Method(name string, args []any) (any, error) {
	if len(args) == 0 {
		switch name {
		case "getName", "getCanonicalName", "getTypeName":
			return c.name, nil
		case "getSimpleName":
			return c.name[strings.LastIndexByte(c.name, '.')+1:], nil
		case "toString":
			return "class " + c.name, nil
		case "getClass":
			return &Class{"java.lang.Class"}, nil
		}
	}
	return nil, noMethod("java.lang.Class", name)
}

// identityString is Object.toString() of an object without its own: the class name
// and an identity hash. Java's hash is not reproducible; this one is fixed per class
// and, like Java's, eight hex digits.
func identityString(cls string) string {
	h := uint32(2166136261)
	for i := 0; i < len(cls); i++ {
		h = (h ^ uint32(cls[i])) * 16777619
	}
	return cls + "@" + strconv.FormatUint(uint64(h|0x10000000), 16)
}

// objectMethod handles the java.lang.Object methods every tool has.
func objectMethod(self velocity.Object, cls, name string, args []any) (any, bool, error) {
	switch {
	case name == "getClass" && len(args) == 0:
		return &Class{cls}, true, nil
	case name == "hashCode" && len(args) == 0:
		return int32(0), true, nil
	case name == "toString" && len(args) == 0:
		return identityString(cls), true, nil
	case name == "equals" && len(args) == 1:
		return args[0] == any(self), true, nil
	case (name == "notify" || name == "notifyAll") && len(args) == 0,
		name == "wait" && (len(args) == 0 || len(args) == 1 && isLong(args[0]) || len(args) == 2 && isLong(args[0]) && isInt(args[1])):
		// A template never holds the object's monitor.
		return nil, true, throw("java.lang.IllegalMonitorStateException", "current thread is not owner")
	}
	return nil, false, nil
}

// isLong and isInt report values a long or an int parameter takes.
func isLong(v any) bool {
	switch v.(type) {
	case int64, int32, int16, int8:
		return true
	}
	return false
}

func isInt(v any) bool {
	switch v.(type) {
	case int32, int16, int8:
		return true
	}
	return false
}

// Date is a java.util.Date: an instant in ms, printed in the zone of its tool (the
// reference's JVM default zone).
type Date struct {
	ms   int64
	zone *javafmt.Zone
}

// NewDate returns a Date for the instant ms that prints in zone.
func NewDate(ms int64, zone *javafmt.Zone) *Date { return &Date{ms: ms, zone: zone} }

// Millis returns Date.getTime().
func (d *Date) Millis() int64 { return d.ms }

// String returns Date.toString(): "EEE MMM dd HH:mm:ss zzz yyyy".
func (d *Date) String() string { return javafmt.DateString(d.ms, d.zone) }

// JavaClass returns the class name for the engine's messages.
func (d *Date) JavaClass() string { return "java.util.Date" }

// Method implements velocity.Object.
func (d *Date) Method(name string, args []any) (any, error) {
	if len(args) == 0 {
		switch name {
		case "getTime":
			return d.ms, nil
		case "toString":
			return d.String(), nil
		case "hashCode":
			return int32(d.ms ^ int64(uint64(d.ms)>>32)), nil
		case "getClass":
			return &Class{"java.util.Date"}, nil
		case "getYear":
			// The year of the era, BC too: Date's calendar date counts years so.
			return int32(javafmt.ComputeFields(d.ms, d.zone)[javafmt.Year] - 1900), nil
		case "getMonth":
			return int32(javafmt.ComputeFields(d.ms, d.zone)[javafmt.Month]), nil
		case "getDate":
			return int32(javafmt.ComputeFields(d.ms, d.zone)[javafmt.DayOfMonth]), nil
		case "getDay":
			return int32(javafmt.ComputeFields(d.ms, d.zone)[javafmt.DayOfWeek] - 1), nil
		case "getHours":
			return int32(javafmt.ComputeFields(d.ms, d.zone)[javafmt.HourOfDay]), nil
		case "getMinutes":
			return int32(javafmt.ComputeFields(d.ms, d.zone)[javafmt.Minute]), nil
		case "getSeconds":
			return int32(javafmt.ComputeFields(d.ms, d.zone)[javafmt.Second]), nil
		case "getTimezoneOffset":
			return int32(-d.zone.Offset(d.ms) / 60000), nil
		}
	}
	if len(args) == 1 {
		o, isDate := args[0].(*Date)
		switch name {
		case "equals":
			return isDate && o.ms == d.ms, nil
		case "before", "after", "compareTo":
			if !isDate {
				if args[0] == nil {
					return nil, throw("java.lang.NullPointerException", "")
				}
				break
			}
			switch name {
			case "before":
				return d.ms < o.ms, nil
			case "after":
				return d.ms > o.ms, nil
			}
			switch {
			case d.ms < o.ms:
				return int32(-1), nil
			case d.ms > o.ms:
				return int32(1), nil
			}
			return int32(0), nil
		}
	}
	return nil, noMethod("java.util.Date", name)
}

// Calendar is a java.util.GregorianCalendar (en_US rules) at an instant.
type Calendar struct {
	ms     int64
	zone   *javafmt.Zone
	fields javafmt.Fields
}

func newCalendar(ms int64, zone *javafmt.Zone) *Calendar {
	return &Calendar{ms: ms, zone: zone, fields: javafmt.ComputeFields(ms, zone)}
}

var calendarFieldNames = [...]string{"ERA", "YEAR", "MONTH", "WEEK_OF_YEAR", "WEEK_OF_MONTH", "DAY_OF_MONTH",
	"DAY_OF_YEAR", "DAY_OF_WEEK", "DAY_OF_WEEK_IN_MONTH", "AM_PM", "HOUR", "HOUR_OF_DAY", "MINUTE", "SECOND",
	"MILLISECOND", "ZONE_OFFSET", "DST_OFFSET"}

// String returns GregorianCalendar.toString().
func (c *Calendar) String() string {
	var b strings.Builder
	b.WriteString("java.util.GregorianCalendar[time=")
	b.WriteString(strconv.FormatInt(c.ms, 10))
	b.WriteString(",areFieldsSet=true,areAllFieldsSet=true,lenient=true,zone=")
	b.WriteString(c.zone.String())
	b.WriteString(",firstDayOfWeek=1,minimalDaysInFirstWeek=1")
	for i, n := range calendarFieldNames {
		b.WriteByte(',')
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(c.fields[i]))
	}
	b.WriteByte(']')
	return b.String()
}

// JavaClass returns the class name for the engine's messages.
func (c *Calendar) JavaClass() string { return "java.util.GregorianCalendar" }

// Method implements velocity.Object.
func (c *Calendar) Method(name string, args []any) (any, error) {
	if len(args) == 0 {
		switch name {
		case "getTime":
			return NewDate(c.ms, c.zone), nil
		case "getTimeInMillis":
			return c.ms, nil
		case "getTimeZone":
			return &TimeZone{c.zone}, nil
		case "getFirstDayOfWeek", "getMinimalDaysInFirstWeek":
			return int32(1), nil
		case "isLenient", "isWeekDateSupported":
			return true, nil
		case "getWeekYear":
			return int32(javafmt.WeekYear(c.fields)), nil
		case "getWeeksInWeekYear":
			break
		case "toString":
			return c.String(), nil
		case "getClass":
			return &Class{"java.util.GregorianCalendar"}, nil
		}
	}
	if name == "get" && len(args) == 1 {
		if f, ok := intArg(args[0]); ok {
			if f < 0 || f >= len(c.fields) {
				return nil, throw("java.lang.ArrayIndexOutOfBoundsException",
					"Index "+strconv.Itoa(f)+" out of bounds for length 17")
			}
			return int32(c.fields[f]), nil
		}
	}
	return nil, noMethod("java.util.GregorianCalendar", name)
}

// Locale is a java.util.Locale (the tools support en_US only).
type Locale struct{}

// String returns Locale.toString(): "en_US".
func (Locale) String() string { return "en_US" }

// JavaClass returns the class name for the engine's messages.
func (Locale) JavaClass() string { return "java.util.Locale" }

// Method implements velocity.Object.
func (l Locale) Method(name string, args []any) (any, error) {
	if len(args) == 0 {
		switch name {
		case "toString", "toLanguageTag":
			if name == "toLanguageTag" {
				return "en-US", nil
			}
			return "en_US", nil
		case "getLanguage":
			return "en", nil
		case "getCountry":
			return "US", nil
		case "getVariant", "getScript":
			return "", nil
		case "getDisplayName":
			return "English (United States)", nil
		case "getDisplayLanguage":
			return "English", nil
		case "getDisplayCountry":
			return "United States", nil
		case "getISO3Language":
			return "eng", nil
		case "getISO3Country":
			return "USA", nil
		case "getClass":
			return &Class{"java.util.Locale"}, nil
		}
	}
	return nil, noMethod("java.util.Locale", name)
}

// TimeZone is a java.util.TimeZone.
type TimeZone struct{ zone *javafmt.Zone }

// String returns TimeZone.toString() as Java 17 prints it.
func (t *TimeZone) String() string { return t.zone.String() }

// JavaClass returns the class name for the engine's messages.
func (t *TimeZone) JavaClass() string { return "sun.util.calendar.ZoneInfo" }

// zoneInfoMethods are the TimeZone methods sun.util.calendar.ZoneInfo overrides. On
// Java 17 Velocity cannot call them: the class is in a package java.base does not
// export, so the reference fails with an IllegalAccessException.
var zoneInfoMethods = map[string]bool{
	"getRawOffset": true, "getOffset": true, "getDSTSavings": true, "useDaylightTime": true,
	"observesDaylightTime": true, "inDaylightTime": true, "hasSameRules": true, "hashCode": true,
	"equals": true, "clone": true, "setRawOffset": true,
}

// Method implements velocity.Object. The methods TimeZone declares itself (getID,
// getDisplayName) work; those ZoneInfo overrides throw, as on the reference.
func (t *TimeZone) Method(name string, args []any) (any, error) {
	if len(args) == 0 {
		switch name {
		case "getID":
			return t.zone.ID(), nil
		case "getDisplayName":
			return t.zone.DisplayName(false, true), nil
		case "toString":
			return t.zone.String(), nil
		case "getClass":
			return &Class{"sun.util.calendar.ZoneInfo"}, nil
		}
	}
	if zoneInfoMethods[name] {
		return nil, throw("java.lang.IllegalAccessException", "class org.apache.velocity.runtime.parser.node.PropertyExecutor"+
			" cannot access class sun.util.calendar.ZoneInfo (in module java.base) because module java.base does not export"+
			" sun.util.calendar to unnamed module")
	}
	return nil, noMethod("sun.util.calendar.ZoneInfo", name)
}
