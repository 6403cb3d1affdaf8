package tools

import (
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// Reteno's date methods, which its $dateTool has beside the Velocity Tools ones. Reteno
// documents what they do (reteno.md §2.6) but not every detail; the choices made where
// it is silent are:
//
//   - currentDate() returns the current java.util.Date, which prints as Date.toString()
//     in the organisation's zone ("Mon May 22 18:58:40 UTC 2017") and can be passed
//     to format(). currentDate(format, zone) formats now with a SimpleDateFormat
//     pattern in a Java zone ID ("GMT+3", "Europe/Kyiv"; unknown IDs mean GMT, as
//     in Java). currentTimeStamp() is the current time in milliseconds (a Long).
//   - formatDate(format, value) formats milliseconds given as a number, a numeric
//     string, a Date or a Calendar, in the organisation's zone.
//   - formatInContactTimezone(format, dateTime) reads dateTime as UTC in one of
//     "dd/MM/yyyy HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss" and
//     formats it in the contact's zone, or the organisation's when the contact has none.
//   - addYears, addMonths, addDays, addHours, addMinutes(date, n[, inFormat[,
//     outFormat]]) and diff(d1, d2[, format], unit) read dates as wall-clock times
//     (no zone conversion) with the given pattern or the first default that parses:
//     "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "dd/MM/yyyy",
//     "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd" (Reteno documents
//     the four without seconds; with them first, seconds are kept rather than
//     dropped). add* print the result in outFormat, else the input's format; adding
//     months or years keeps the day of month or pins it to the month's last day, as
//     Calendar.add does. diff returns the absolute number of whole units (a Long)
//     in YEARS, MONTHS, DAYS, HOURS or MINUTES (case-insensitive), whatever the order
//     of the dates. A Date, Calendar or number of milliseconds is accepted as the
//     date too; add* then return a Date unless outFormat is given.
//   - Parsing is Java's lenient SimpleDateFormat parsing: 31/02 rolls over into
//     March and text after the date is ignored. A date that does not parse, a null
//     argument or an unknown unit gives null, which prints as the call's source
//     ($!dateTool... prints nothing), as Velocity Tools methods do. A pattern Java
//     rejects throws IllegalArgumentException, as in the Tools methods.

var (
	retenoInputFormats = []string{"dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "dd/MM/yyyy",
		"yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"}
	contactInputFormats = []string{"dd/MM/yyyy HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss"}
)

const (
	msPerMinute = 60000
	msPerHour   = 60 * msPerMinute
	msPerDay    = 24 * msPerHour
)

// retenoMethod dispatches Reteno's methods; ok is false for any other call.
func (t *DateTool) retenoMethod(name string, args []any) (v any, ok bool, err error) {
	switch name {
	case "currentDate":
		switch len(args) {
		case 0:
			return NewDate(t.nowMillis(), t.zone), true, nil
		case 2:
			f, fnull, ok1 := strArg(args[0])
			zid, znull, ok2 := strArg(args[1])
			if !ok1 || !ok2 {
				return nil, false, nil
			}
			if fnull {
				return nil, true, nil
			}
			z := t.zone
			if !znull {
				z = javafmt.LoadZone(zid)
			}
			df, err := dateFormat(f)
			if err != nil {
				return nil, true, err
			}
			return df.Format(t.nowMillis(), z), true, nil
		}
	case "currentTimeStamp":
		if len(args) == 0 {
			return t.nowMillis(), true, nil
		}
	case "formatDate":
		if len(args) != 2 {
			return nil, false, nil
		}
		f, fnull, ok := strArg(args[0])
		if !ok {
			return nil, false, nil
		}
		if fnull {
			return nil, true, nil
		}
		df, err := dateFormat(f)
		if err != nil {
			return nil, true, err
		}
		ms, ok := millisOf(args[1])
		if !ok {
			return nil, true, nil
		}
		return df.Format(ms, t.zone), true, nil
	case "formatInContactTimezone":
		if len(args) != 2 {
			return nil, false, nil
		}
		f, fnull, ok := strArg(args[0])
		if !ok {
			return nil, false, nil
		}
		if fnull {
			return nil, true, nil
		}
		df, err := dateFormat(f)
		if err != nil {
			return nil, true, err
		}
		ms, ok := dateOf(args[1])
		if !ok {
			if s, isStr := args[1].(string); isStr {
				ms, _, ok = t.parseAny(s, contactInputFormats)
			}
		}
		if !ok {
			return nil, true, nil
		}
		z := t.contact
		if z == nil {
			z = t.zone
		}
		return df.Format(ms, z), true, nil
	case "addYears", "addMonths", "addDays", "addHours", "addMinutes":
		if len(args) < 2 || len(args) > 4 {
			return nil, false, nil
		}
		var formats [2]string
		var nulls [2]bool
		for i := 2; i < len(args); i++ {
			s, isNull, ok := strArg(args[i])
			if !ok {
				return nil, false, nil
			}
			formats[i-2], nulls[i-2] = s, isNull
		}
		hasIn := len(args) >= 3 && !nulls[0]
		hasOut := len(args) == 4 && !nulls[1]
		v, err := t.add(name, args[0], args[1], formats[0], hasIn, formats[1], hasOut)
		return v, true, err
	case "diff":
		if len(args) != 3 && len(args) != 4 {
			return nil, false, nil
		}
		unit, unull, ok := strArg(args[len(args)-1])
		if !ok {
			return nil, false, nil
		}
		format, hasFormat := "", false
		if len(args) == 4 {
			f, fnull, ok := strArg(args[2])
			if !ok {
				return nil, false, nil
			}
			format, hasFormat = f, !fnull
		}
		if unull {
			return nil, true, nil
		}
		v, err := t.diff(args[0], args[1], format, hasFormat, unit)
		return v, true, err
	}
	return nil, false, nil
}

// millisOf reads milliseconds from a number, a numeric string, a Date or a Calendar.
func millisOf(v any) (int64, bool) {
	if ms, ok := dateOf(v); ok {
		return ms, true
	}
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	var n int64
	neg := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 0 && (c == '-' || c == '+') && len(s) > 1:
			neg = c == '-'
		case c >= '0' && c <= '9':
			if n > (1<<63-1-int64(c-'0'))/10 {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		default:
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseAny parses s as UTC wall-clock time with the first of formats that parses.
func (t *DateTool) parseAny(s string, formats []string) (int64, string, bool) {
	for _, f := range formats {
		df, err := javafmt.CachedSimpleDateFormat(f)
		if err != nil {
			continue
		}
		if ms, _, ok := df.Parse(s, t.parseOptions(javafmt.UTC)); ok {
			return ms, f, true
		}
	}
	return 0, "", false
}

// readDate reads a Reteno date argument: a string in the given or a default format
// (wall-clock, as UTC), or a date value (in the organisation's zone). zone is the
// zone its wall-clock time is in; format is "" for a date value.
func (t *DateTool) readDate(v any, format string, hasFormat bool) (ms int64, used string, zone *javafmt.Zone, ok bool, err error) {
	if ms, ok := dateOf(v); ok {
		return ms, "", t.zone, true, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return 0, "", nil, false, nil
	}
	if hasFormat {
		df, err := dateFormat(format)
		if err != nil {
			return 0, "", nil, false, err
		}
		ms, _, ok := df.Parse(s, t.parseOptions(javafmt.UTC))
		return ms, format, javafmt.UTC, ok, nil
	}
	ms, used, ok = t.parseAny(s, retenoInputFormats)
	return ms, used, javafmt.UTC, ok, nil
}

// add is addYears ... addMinutes.
func (t *DateTool) add(name string, date, amount any, inFormat string, hasIn bool, outFormat string, hasOut bool) (any, error) {
	ms, used, zone, ok, err := t.readDate(date, inFormat, hasIn)
	if err != nil || !ok {
		return nil, err
	}
	n := toNumber(amount, defaultFormat)
	if n == nil {
		return nil, nil
	}
	k := int64(intValue(n))
	switch name {
	case "addYears":
		ms = javafmt.AddMonths(ms, int(12*k), zone)
	case "addMonths":
		ms = javafmt.AddMonths(ms, int(k), zone)
	case "addDays":
		ms = addWallClock(ms, k*msPerDay, zone)
	case "addHours":
		ms += k * msPerHour
	case "addMinutes":
		ms += k * msPerMinute
	}
	out := used
	if hasOut {
		out = outFormat
	}
	if out == "" {
		return NewDate(ms, t.zone), nil
	}
	df, err := dateFormat(out)
	if err != nil {
		return nil, err
	}
	return df.Format(ms, zone), nil
}

// addWallClock adds d to the wall-clock time of ms in zone, keeping the time of day
// across a DST change as Calendar.add(DAY_OF_MONTH, n) does.
func addWallClock(ms, d int64, zone *javafmt.Zone) int64 {
	before := zone.Offset(ms)
	out := ms + d
	if after := zone.Offset(out); after != before {
		out += int64(before - after)
	}
	return out
}

// diff is Reteno's diff: the absolute number of whole units between two dates.
func (t *DateTool) diff(a, b any, format string, hasFormat bool, unit string) (any, error) {
	m1, _, z1, ok1, err := t.readDate(a, format, hasFormat)
	if err != nil {
		return nil, err
	}
	m2, _, z2, ok2, err := t.readDate(b, format, hasFormat)
	if err != nil || !ok1 || !ok2 {
		return nil, err
	}
	if m1 > m2 {
		m1, m2, z1, z2 = m2, m1, z2, z1
	}
	switch strings.ToUpper(unit) {
	case "MINUTES":
		return (m2 - m1) / msPerMinute, nil
	case "HOURS":
		return (m2 - m1) / msPerHour, nil
	case "DAYS":
		return (m2 - m1) / msPerDay, nil
	case "MONTHS":
		return monthsBetween(m1, z1, m2, z2), nil
	case "YEARS":
		return monthsBetween(m1, z1, m2, z2) / 12, nil
	}
	return nil, nil
}

// monthsBetween counts the whole months from the earlier wall-clock time to the
// later one, as ChronoUnit.MONTHS.between does for LocalDateTime.
func monthsBetween(m1 int64, z1 *javafmt.Zone, m2 int64, z2 *javafmt.Zone) int64 {
	f1 := javafmt.ComputeFields(m1, z1)
	f2 := javafmt.ComputeFields(m2, z2)
	year := func(f javafmt.Fields) int64 {
		if f[javafmt.Era] == 0 {
			return int64(1 - f[javafmt.Year])
		}
		return int64(f[javafmt.Year])
	}
	months := (year(f2)*12 + int64(f2[javafmt.Month])) - (year(f1)*12 + int64(f1[javafmt.Month]))
	rest := func(f javafmt.Fields) int64 {
		return (((int64(f[javafmt.DayOfMonth])*24+int64(f[javafmt.HourOfDay]))*60+
			int64(f[javafmt.Minute]))*60+int64(f[javafmt.Second]))*1000 + int64(f[javafmt.Millisecond])
	}
	if months > 0 && rest(f2) < rest(f1) {
		months--
	}
	return months
}
