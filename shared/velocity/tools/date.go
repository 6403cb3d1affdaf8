package tools

import (
	"strings"
	"time"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

const dateClass = "org.apache.velocity.tools.generic.DateTool"

// DateTool is Velocity Tools 2.0's org.apache.velocity.tools.generic.DateTool as the
// reference engine registers it ($dateTool: locale en_US, the tool's time zone), with
// Reteno's date methods on the same object (see reteno.go).
//
// The tool's zone stands for both the DateTool's configured zone and the JVM's
// default zone of the reference: Date.toString(), toCalendar and the getters use it.
// Dates are java.util.Date values (*Date); getMonth is 0-based as in Java; there is
// no getHour or getDayOfWeek in Tools 2.0 (use getValue('HOUR_OF_DAY', $d)). A
// property the tool does not have, $dateTool.xyz, is format("xyz", now), as in
// Java: a pattern, which may be rejected with an IllegalArgumentException.
//
// A DateTool is immutable after construction and safe for concurrent use; it is also
// cheap to create per render, which is how the contact's time zone reaches it.
type DateTool struct {
	zone    *javafmt.Zone
	contact *javafmt.Zone // nil: the tool's zone
	now     func() time.Time
	reteno  bool
}

// JavaClass returns the tool's Java class name, for the engine's messages.
func (*DateTool) JavaClass() string { return dateClass }

func (t *DateTool) nowMillis() int64 { return t.now().UnixMilli() }

func (t *DateTool) parseOptions(z *javafmt.Zone) javafmt.ParseOptions {
	return javafmt.ParseOptions{Zone: z, DefaultZone: t.zone, Now: t.nowMillis()}
}

// Method implements velocity.Object.
func (t *DateTool) Method(name string, args []any) (any, error) {
	return call(t.method, name, args)
}

func (t *DateTool) method(name string, args []any) (any, error) {
	if t.reteno {
		if v, ok, err := t.retenoMethod(name, args); ok {
			return v, err
		}
	}
	switch len(args) {
	case 0:
		switch name {
		case "getSystemTime":
			return t.nowMillis(), nil
		case "getSystemDate", "getDate":
			return NewDate(t.nowMillis(), t.zone), nil
		case "getSystemCalendar", "getCalendar":
			return newCalendar(t.nowMillis(), t.zone), nil
		case "getTimeZone":
			return &TimeZone{t.zone}, nil
		case "getYear":
			return t.value(javafmt.Year, newCalendar(t.nowMillis(), t.zone))
		case "getMonth":
			return t.value(javafmt.Month, newCalendar(t.nowMillis(), t.zone))
		case "getDay":
			return t.value(javafmt.DayOfMonth, newCalendar(t.nowMillis(), t.zone))
		case "getLocale":
			return Locale{}, nil
		case "getFormat":
			return defaultFormat, nil
		case "isConfigLocked", "isSafeMode":
			return true, nil
		case "toString":
			return t.format(defaultFormat, false, NewDate(t.nowMillis(), t.zone), t.zone)
		}
	case 1:
		a := args[0]
		switch name {
		case "getYear":
			return t.value(javafmt.Year, a)
		case "getMonth":
			return t.value(javafmt.Month, a)
		case "getDay":
			return t.value(javafmt.DayOfMonth, a)
		case "getValue":
			return t.namedValue(a, newCalendar(t.nowMillis(), t.zone))
		case "get":
			if f, isNull, ok := strArg(a); ok {
				return t.format(f, isNull, NewDate(t.nowMillis(), t.zone), t.zone)
			}
		case "format":
			return t.format(defaultFormat, false, a, t.zone)
		case "toDate":
			return t.toDate(defaultFormat, false, a, t.zone), nil
		case "toCalendar":
			return t.toCalendar(a), nil
		}
	case 2:
		a, b := args[0], args[1]
		switch name {
		case "getValue":
			if f, ok := intArg(a); ok {
				return t.value(f, b)
			}
			return t.namedValue(a, b)
		case "get":
			ds, _, ok1 := strArg(a)
			ts, _, ok2 := strArg(b)
			if ok1 && ok2 {
				return t.formatStyles(ds, ts, NewDate(t.nowMillis(), t.zone), t.zone), nil
			}
		case "format":
			if f, isNull, ok := strArg(a); ok {
				return t.format(f, isNull, b, t.zone)
			}
		case "toDate":
			if f, isNull, ok := strArg(a); ok {
				return t.toDate(f, isNull, b, t.zone), nil
			}
		case "toCalendar":
			if isLocaleArg(b) {
				return t.toCalendar(a), nil
			}
		}
	case 3:
		a, b, c := args[0], args[1], args[2]
		f, isNull, ok := strArg(a)
		if !ok {
			break
		}
		switch name {
		case "format":
			ts, _, bStr := strArg(b) // a String or null
			switch {
			case bStr && isLocaleArg(c):
				// format(String, Object, Locale) and format(String, String, Object)
				// both take it: ambiguous, null.
			case isLocaleArg(c):
				if c == nil {
					return t.formatNullLocale(f, isNull, b, t.zone)
				}
				return t.format(f, isNull, b, t.zone)
			case bStr:
				return t.formatStyles(f, ts, c, t.zone), nil
			}
		case "toDate":
			if c == nil {
				return nil, nil // parsing with a null Locale fails, and toDate gives null
			}
			if isLocaleArg(c) {
				return t.toDate(f, isNull, b, t.zone), nil
			}
		}
	case 4:
		a, b, c, d := args[0], args[1], args[2], args[3]
		f, isNull, ok := strArg(a)
		if !ok {
			break
		}
		switch name {
		case "format":
			ts, _, bStr := strArg(b)
			z, zOK := zoneArg(d)
			objectLocaleZone := isLocaleArg(c) && zOK // format(String, Object, Locale, TimeZone)
			stylesLocale := bStr && isLocaleArg(d)    // format(String, String, Object, Locale)
			switch {
			case objectLocaleZone && stylesLocale:
				// both take it (d is null): ambiguous, null
			case objectLocaleZone:
				if c == nil {
					return t.formatNullLocale(f, isNull, b, z)
				}
				if z == nil {
					return nil, throw("java.lang.NullPointerException", "")
				}
				return t.format(f, isNull, b, z)
			case stylesLocale:
				if d == nil {
					return nil, nil // no DateFormat for a null Locale: null
				}
				return t.formatStyles(f, ts, c, t.zone), nil
			}
		case "toDate":
			if z, ok := zoneArg(d); ok && isLocaleArg(c) {
				if c == nil || z == nil {
					return nil, nil // parsing fails without a Locale or a TimeZone: null
				}
				return t.toDate(f, isNull, b, z), nil
			}
		}
	case 5:
		ds, _, ok1 := strArg(args[0])
		ts, _, ok2 := strArg(args[1])
		if z, ok := zoneArg(args[4]); name == "format" && ok1 && ok2 && ok && isLocaleArg(args[3]) {
			if args[3] == nil || t.toDate(defaultFormat, false, args[2], t.zone) == nil {
				return nil, nil // no DateFormat for a null Locale: null
			}
			if z == nil {
				return nil, throw("java.lang.NullPointerException", "")
			}
			return t.formatStyles(ds, ts, args[2], z), nil
		}
	}
	if v, ok, err := objectMethod(t, dateClass, name, args); ok {
		return v, err
	}
	return nil, noMethod(dateClass, name)
}

func isLocaleArg(a any) bool {
	_, ok := a.(Locale)
	return ok || a == nil
}

// zoneArg matches a TimeZone parameter; a nil zone means Java's null.
func zoneArg(a any) (*javafmt.Zone, bool) {
	switch x := a.(type) {
	case nil:
		return nil, true
	case *TimeZone:
		return x.zone, true
	}
	return nil, false
}

// dateOf is ConversionUtils.toDate(Object): a Date, a Calendar's time or a Number of
// milliseconds; ok is false for anything else.
func dateOf(v any) (int64, bool) {
	switch x := v.(type) {
	case *Date:
		return x.ms, true
	case *Calendar:
		return x.ms, true
	}
	if isNumber(v) {
		return longValue(v), true
	}
	return 0, false
}

// toDate is DateTool.toDate(format, obj, locale, zone): obj as a date, or
// String.valueOf(obj) parsed with the format (a style or a pattern); nil when that
// fails, including for a pattern Java rejects.
func (t *DateTool) toDate(format string, nullFormat bool, v any, z *javafmt.Zone) any {
	if ms, ok := dateOf(v); ok {
		return NewDate(ms, t.zone)
	}
	if nullFormat {
		return nil
	}
	df, err := dateFormat(format)
	if err != nil {
		return nil
	}
	ms, _, ok := df.Parse(javaString(v), t.parseOptions(z))
	if !ok {
		return nil
	}
	return NewDate(ms, t.zone)
}

// format is DateTool.format(format, obj, locale, zone): the date first, then the
// format, which throws for a bad pattern even without a date.
func (t *DateTool) format(format string, nullFormat bool, v any, z *javafmt.Zone) (any, error) {
	d := t.toDate(defaultFormat, false, v, t.zone)
	if nullFormat {
		return nil, nil
	}
	df, err := dateFormat(format)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, nil
	}
	return df.Format(d.(*Date).ms, z), nil
}

// formatNullLocale is format(format, obj, null, ...): a named style finds no
// DateFormat for a null Locale and gives null, a pattern's SimpleDateFormat
// throws, and a "_date" or "_time" name with an unknown style formats as with
// the default locale, as Velocity Tools 2.0 does.
func (t *DateTool) formatNullLocale(format string, nullFormat bool, v any, z *javafmt.Zone) (any, error) {
	if n := len(format); !nullFormat && n >= 5 && (format[n-5:] == "_date" || format[n-5:] == "_time") && dateStyle(format[:n-5]) < 0 {
		if z == nil {
			return nil, throw("java.lang.NullPointerException", "")
		}
		return t.format(format, false, v, z)
	}
	if nullFormat || isStyleFormat(format) {
		return nil, nil
	}
	return nil, throw("java.lang.NullPointerException", "")
}

// isStyleFormat reports the named formats: "short", "long_date", "full_time"...
func isStyleFormat(format string) bool {
	if n := len(format); n >= 5 && (format[n-5:] == "_date" || format[n-5:] == "_time") {
		return dateStyle(format[:n-5]) >= 0
	}
	return dateStyle(format) >= 0
}

// formatStyles is DateTool.format(dateStyle, timeStyle, obj, locale, zone).
func (t *DateTool) formatStyles(dateStyleName, timeStyleName string, v any, z *javafmt.Zone) any {
	d := t.toDate(defaultFormat, false, v, t.zone)
	if d == nil {
		return nil
	}
	return javafmt.StyleFormat(dateStyle(dateStyleName), dateStyle(timeStyleName)).Format(d.(*Date).ms, z)
}

// toCalendar is DateTool.toCalendar(obj, locale): a Calendar as it is, a date in the
// default zone.
func (t *DateTool) toCalendar(v any) any {
	if c, ok := v.(*Calendar); ok {
		return c
	}
	d := t.toDate(defaultFormat, false, v, t.zone)
	if d == nil {
		return nil
	}
	return newCalendar(d.(*Date).ms, t.zone)
}

// value is DateTool.getValue(int field, Object date).
func (t *DateTool) value(field int, date any) (any, error) {
	c := t.toCalendar(date)
	if c == nil {
		return nil, nil
	}
	return c.(*Calendar).Method("get", []any{int32(field)})
}

// calendarConstants are java.util.Calendar's public static int fields, which
// getValue looks up by name (upper-cased).
var calendarConstants = map[string]int{
	"ERA": 0, "YEAR": 1, "MONTH": 2, "WEEK_OF_YEAR": 3, "WEEK_OF_MONTH": 4, "DATE": 5, "DAY_OF_MONTH": 5,
	"DAY_OF_YEAR": 6, "DAY_OF_WEEK": 7, "DAY_OF_WEEK_IN_MONTH": 8, "AM_PM": 9, "HOUR": 10, "HOUR_OF_DAY": 11,
	"MINUTE": 12, "SECOND": 13, "MILLISECOND": 14, "ZONE_OFFSET": 15, "DST_OFFSET": 16, "FIELD_COUNT": 17,
	"SUNDAY": 1, "MONDAY": 2, "TUESDAY": 3, "WEDNESDAY": 4, "THURSDAY": 5, "FRIDAY": 6, "SATURDAY": 7,
	"JANUARY": 0, "FEBRUARY": 1, "MARCH": 2, "APRIL": 3, "MAY": 4, "JUNE": 5, "JULY": 6, "AUGUST": 7,
	"SEPTEMBER": 8, "OCTOBER": 9, "NOVEMBER": 10, "DECEMBER": 11, "UNDECIMBER": 12, "AM": 0, "PM": 1,
	"ALL_STYLES": 0, "SHORT": 1, "LONG": 2, "NARROW_FORMAT": 4, "NARROW_STANDALONE": 32772,
	"SHORT_FORMAT": 1, "LONG_FORMAT": 2, "SHORT_STANDALONE": 32769, "LONG_STANDALONE": 32770,
}

// namedValue is DateTool.getValue(Object field, Object date): the field named by
// field.toString() (an Integer field is never found, as in Tools 2.0).
func (t *DateTool) namedValue(field, date any) (any, error) {
	if field == nil {
		return nil, nil
	}
	f, ok := calendarConstants[strings.ToUpper(javaString(field))]
	if !ok {
		return nil, nil
	}
	return t.value(f, date)
}

// zoneOf returns the Java zone for a Go location: by its name (a tz database ID), or
// a custom zone with its current offset when Java does not know the name.
func zoneOf(loc *time.Location, now time.Time) *javafmt.Zone {
	if loc == nil {
		return javafmt.UTC
	}
	name := loc.String()
	z := javafmt.LoadZone(name)
	if z.ID() == "GMT" && name != "GMT" {
		_, off := now.In(loc).Zone()
		return javafmt.CustomZone(off * 1000)
	}
	return z
}
