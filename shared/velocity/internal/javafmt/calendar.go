package javafmt

import "strconv"

// The java.util.Calendar field numbers.
const (
	Era = iota
	Year
	Month // 0 = January
	WeekOfYear
	WeekOfMonth
	DayOfMonth
	DayOfYear
	DayOfWeek // 1 = Sunday
	DayOfWeekInMonth
	AmPm
	Hour
	HourOfDay
	Minute
	Second
	Millisecond
	ZoneOffset
	DSTOffset
	FieldCount
)

// Fields are the values of a java.util.GregorianCalendar's fields (en_US: weeks start
// on Sunday, and the first week of a year or month needs one day).
type Fields [FieldCount]int

const (
	msPerDay = 86400000
	// epochOffset is the fixed date (days since 0000-12-31 Gregorian; 0001-01-01 is
	// day 1) of 1970-01-01.
	epochOffset = 719163
	// cutoverFixed is the fixed date of 1582-10-15, the first Gregorian day of
	// GregorianCalendar; earlier days are Julian.
	cutoverFixed = 577736
	cutoverYear  = 1582
	firstDOW     = 1 // Sunday
	minDaysFirst = 1
)

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func gregorianLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func julianLeap(y int64) bool { return floorMod(y, 4) == 0 }

// gregorianFixed is BaseCalendar.getFixedDate: y astronomical, m 1..12 (may be out
// of range only through the (367m-362)/12 term, as in Java), d any.
func gregorianFixed(y, m, d int64) int64 {
	prev := y - 1
	days := d + 365*prev + floorDiv(prev, 4) - floorDiv(prev, 100) + floorDiv(prev, 400) + floorDiv(367*m-362, 12)
	if m > 2 {
		if gregorianLeap(y) {
			days--
		} else {
			days -= 2
		}
	}
	return days
}

// julianFixed is JulianCalendar.getFixedDate (y astronomical: 1 BC is 0).
func julianFixed(y, m, d int64) int64 {
	days := -2 + 365*(y-1) + d + floorDiv(y-1, 4) + floorDiv(367*m-362, 12)
	if m > 2 {
		if julianLeap(y) {
			days--
		} else {
			days -= 2
		}
	}
	return days
}

// gregorianDate converts a fixed date to year, month (1..12), day.
func gregorianDate(fd int64) (y, m, d int64) {
	// Days since 0000-03-01 (Howard Hinnant's civil_from_days, shifted to fixed dates).
	z := fd - 1 + 306 // fixed 1 is 0001-01-01; 0000-03-01 is fixed -305
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
		y++
	}
	return y, m, d
}

// julianDate is JulianCalendar.getCalendarDateFromFixedDate.
func julianDate(fd int64) (y, m, d int64) {
	y = floorDiv(4*(fd+1)+1464, 1461)
	prior := fd - julianFixed(y, 1, 1)
	if fd >= julianFixed(y, 3, 1) {
		if julianLeap(y) {
			prior++
		} else {
			prior += 2
		}
	}
	m = floorDiv(12*prior+373, 367)
	d = fd - julianFixed(y, m, 1) + 1
	return y, m, d
}

// dateOf returns the calendar date of a fixed date in GregorianCalendar's hybrid
// calendar, and the fixed date of January 1 of that calendar year.
func dateOf(fd int64) (y, m, d, jan1 int64) {
	if fd >= cutoverFixed {
		y, m, d = gregorianDate(fd)
		if y == cutoverYear {
			return y, m, d, julianFixed(cutoverYear, 1, 1)
		}
		return y, m, d, gregorianFixed(y, 1, 1)
	}
	y, m, d = julianDate(fd)
	return y, m, d, julianFixed(y, 1, 1)
}

func dayOfWeek(fd int64) int { return int(floorMod(fd, 7)) + 1 }

// dowOnOrBefore is BaseCalendar.getDayOfWeekDateOnOrBefore.
func dowOnOrBefore(fd int64, dow int) int64 {
	f := fd - int64(dow-1)
	return fd - floorMod(f, 7)
}

// weekNumber is GregorianCalendar.getWeekNumber.
func weekNumber(fixedDay1, fd int64) int {
	first := dowOnOrBefore(fixedDay1+6, firstDOW)
	if first-fixedDay1 >= minDaysFirst {
		first -= 7
	}
	n := fd - first
	return int(floorDiv(n, 7)) + 1
}

// ComputeFields returns the calendar fields of the instant ms in zone z, as
// GregorianCalendar.computeFields sets them.
func ComputeFields(ms int64, z *Zone) Fields {
	raw, dst := z.Offsets(ms)
	local := ms + int64(raw+dst)
	fd := floorDiv(local, msPerDay) + epochOffset
	tod := floorMod(local, msPerDay)
	y, m, d, jan1 := dateOf(fd)

	var f Fields
	if y > 0 {
		f[Era], f[Year] = 1, int(y)
	} else {
		f[Era], f[Year] = 0, int(1-y)
	}
	f[Month] = int(m - 1)
	f[DayOfMonth] = int(d)
	f[DayOfWeek] = dayOfWeek(fd)
	f[DayOfYear] = int(fd-jan1) + 1
	month1 := fd - (d - 1)
	if y == cutoverYear && m == 10 && fd >= cutoverFixed {
		month1 = cutoverFixed // the cutover month starts, for weeks, on October 15
	}
	f[DayOfWeekInMonth] = int(fd-month1)/7 + 1

	woy := weekNumber(jan1, fd)
	if woy >= 52 {
		nextJan1 := jan1 + 365
		if (fd >= cutoverFixed && gregorianLeap(y)) || (fd < cutoverFixed && julianLeap(y)) {
			nextJan1++
		}
		next1st := dowOnOrBefore(nextJan1+6, firstDOW)
		if next1st-nextJan1 >= minDaysFirst && fd >= next1st-7 {
			woy = 1
		}
	}
	f[WeekOfYear] = woy
	f[WeekOfMonth] = weekNumber(month1, fd)

	f[Millisecond] = int(tod % 1000)
	tod /= 1000
	f[Second] = int(tod % 60)
	tod /= 60
	f[Minute] = int(tod % 60)
	h := int(tod / 60)
	f[HourOfDay] = h
	f[AmPm] = h / 12
	f[Hour] = h % 12
	f[ZoneOffset] = raw
	f[DSTOffset] = dst
	return f
}

// WeekYear returns GregorianCalendar.getWeekYear for fields from ComputeFields: the
// year a week-of-year belongs to. (Java's special handling of the years around the
// 1582 cutover is approximated by the rule for other years.)
func WeekYear(f Fields) int {
	y := f[Year]
	if f[Era] == 0 {
		y = 1 - y
	}
	if f[Month] == 0 {
		if f[WeekOfYear] >= 52 {
			y--
		}
	} else if f[WeekOfYear] == 1 {
		y++
	}
	return y
}

// Builder collects parsed field values as java.text.CalendarBuilder does, and turns
// them into an instant with lenient GregorianCalendar rules: out-of-range values roll
// over (month 13 is January of the next year), and when fields conflict the most
// recently set group wins.
type Builder struct {
	stamp [FieldCount + 2]int // + WEEK_YEAR, ISO day of week handled on set
	value [FieldCount + 2]int
	next  int
}

// WeekYearField is CalendarBuilder's pseudo field for the week year ('Y').
const WeekYearField = FieldCount

// Set records value for field (a Calendar field or WeekYearField).
func (b *Builder) Set(field, value int) {
	if b.next == 0 {
		b.next = 2 // Calendar.MINIMUM_USER_STAMP
	}
	b.stamp[field] = b.next
	b.value[field] = value
	b.next++
}

// SetISODayOfWeek records an ISO day of week (1 = Monday) as DAY_OF_WEEK.
func (b *Builder) SetISODayOfWeek(v int) {
	if v == 7 {
		v = 1
	} else {
		v++
	}
	b.Set(DayOfWeek, v)
}

// Clear forgets field.
func (b *Builder) Clear(field int) { b.stamp[field] = 0 }

// IsSet reports whether field was set.
func (b *Builder) IsSet(field int) bool { return b.stamp[field] != 0 }

// Get returns the value set for field.
func (b *Builder) Get(field int) int { return b.value[field] }

// Instant computes the instant the fields denote in zone z, as
// CalendarBuilder.establish(calendar).getTime() does on a lenient calendar. ok is
// false where Java throws (an era other than BC or AD).
func (b *Builder) Instant(z *Zone) (ms int64, ok bool) {
	weekDate := b.IsSet(WeekYearField) && b.stamp[WeekYearField] > b.stamp[Year]
	if weekDate {
		woy := 1
		if b.IsSet(WeekOfYear) {
			woy = b.value[WeekOfYear]
		}
		dow := firstDOW
		if b.IsSet(DayOfWeek) {
			dow = b.value[DayOfWeek]
		}
		if dow < 1 || dow > 7 {
			if dow >= 8 {
				dow--
				woy += dow / 7
				dow = dow%7 + 1
			} else {
				for dow <= 0 {
					dow += 7
					woy--
				}
			}
			dow = dow%7 + 1 // toCalendarDayOfWeek of an ISO day
		}
		return b.weekDateInstant(z, b.value[WeekYearField], woy, dow)
	}
	return b.instant(z)
}

const unset = 0

func aggregateStamp(a, b int) int {
	if a == unset || b == unset {
		return unset
	}
	return max(a, b)
}

type fieldMask uint32

func (m fieldMask) has(f int) bool { return m&(1<<f) != 0 }

// selectFields is Calendar.selectFields: which fields determine the date and time.
func (b *Builder) selectFields() fieldMask {
	st := &b.stamp
	mask := fieldMask(1 << Year)
	if st[Era] != unset {
		mask |= 1 << Era
	}
	dowStamp := st[DayOfWeek]
	monthStamp := st[Month]
	domStamp := st[DayOfMonth]
	womStamp := aggregateStamp(st[WeekOfMonth], dowStamp)
	dowimStamp := aggregateStamp(st[DayOfWeekInMonth], dowStamp)
	doyStamp := st[DayOfYear]
	woyStamp := aggregateStamp(st[WeekOfYear], dowStamp)
	best := max(domStamp, womStamp, dowimStamp, doyStamp, woyStamp)
	if best == unset {
		womStamp = st[WeekOfMonth]
		dowimStamp = max(st[DayOfWeekInMonth], dowStamp)
		woyStamp = st[WeekOfYear]
		best = max(womStamp, dowimStamp, woyStamp)
		if best == unset {
			domStamp = monthStamp
			best = monthStamp
		}
	}
	if best == domStamp || (best == womStamp && st[WeekOfMonth] >= st[WeekOfYear]) ||
		(best == dowimStamp && st[DayOfWeekInMonth] >= st[WeekOfYear]) {
		mask |= 1 << Month
		if best == domStamp {
			mask |= 1 << DayOfMonth
		} else {
			if dowStamp != unset {
				mask |= 1 << DayOfWeek
			}
			if womStamp == dowimStamp {
				if st[WeekOfMonth] >= st[DayOfWeekInMonth] {
					mask |= 1 << WeekOfMonth
				} else {
					mask |= 1 << DayOfWeekInMonth
				}
			} else if best == womStamp {
				mask |= 1 << WeekOfMonth
			} else if st[DayOfWeekInMonth] != unset {
				mask |= 1 << DayOfWeekInMonth
			}
		}
	} else if best == doyStamp {
		mask |= 1 << DayOfYear
	} else {
		if dowStamp != unset {
			mask |= 1 << DayOfWeek
		}
		mask |= 1 << WeekOfYear
	}

	hodStamp := st[HourOfDay]
	hourStamp := aggregateStamp(st[Hour], st[AmPm])
	bestTime := max(hourStamp, hodStamp)
	if bestTime == unset {
		bestTime = max(st[Hour], st[AmPm])
	}
	if bestTime != unset {
		if bestTime == hodStamp {
			mask |= 1 << HourOfDay
		} else {
			mask |= 1 << Hour
			if st[AmPm] != unset {
				mask |= 1 << AmPm
			}
		}
	}
	for _, f := range []int{Minute, Second, Millisecond, ZoneOffset, DSTOffset} {
		if st[f] != unset {
			mask |= 1 << f
		}
	}
	return mask
}

func (b *Builder) get(f int) int64 {
	if b.stamp[f] == unset {
		return 0
	}
	return int64(b.value[f])
}

func (b *Builder) instant(z *Zone) (int64, bool) {
	mask := b.selectFields()
	year := int64(1970)
	if b.IsSet(Year) {
		year = int64(b.value[Year])
	}
	era := int64(1)
	if b.IsSet(Era) {
		era = int64(b.value[Era])
	}
	switch era {
	case 0:
		year = 1 - year
	case 1:
	default:
		return 0, false
	}

	var tod int64
	if mask.has(HourOfDay) {
		tod = b.get(HourOfDay)
	} else {
		tod = b.get(Hour)
		if mask.has(AmPm) {
			tod += 12 * b.get(AmPm)
		}
	}
	tod = ((tod*60+b.get(Minute))*60+b.get(Second))*1000 + b.get(Millisecond)
	fd := tod / msPerDay
	tod %= msPerDay
	for tod < 0 {
		tod += msPerDay
		fd--
	}

	var gfd, jfd int64
	switch {
	case year > cutoverYear:
		gfd = fd + b.fixedDate(year, mask, false)
		if gfd >= cutoverFixed {
			fd = gfd
			return b.toInstant(z, mask, fd, tod), true
		}
		jfd = fd + b.fixedDate(year, mask, true)
	case year < cutoverYear:
		jfd = fd + b.fixedDate(year, mask, true)
		if jfd < cutoverFixed {
			return b.toInstant(z, mask, jfd, tod), true
		}
		gfd = jfd
	default:
		jfd = fd + b.fixedDate(year, mask, true)
		gfd = fd + b.fixedDate(year, mask, false)
	}
	if mask.has(DayOfYear) || mask.has(WeekOfYear) {
		return b.toInstant(z, mask, jfd, tod), true
	}
	if gfd >= cutoverFixed {
		fd = gfd // both calendars (overlap): the calendar last used, Gregorian
	} else {
		fd = jfd // both before, or a day the cutover skipped: Julian
	}
	return b.toInstant(z, mask, fd, tod), true
}

func (b *Builder) toInstant(z *Zone, mask fieldMask, fd, tod int64) int64 {
	wall := (fd-epochOffset)*msPerDay + tod
	zm := mask & (1<<ZoneOffset | 1<<DSTOffset)
	var raw, dst int64
	if zm != 1<<ZoneOffset|1<<DSTOffset {
		r, d := z.offsetsByWall(wall)
		raw, dst = int64(r), int64(d)
	}
	if mask.has(ZoneOffset) {
		raw = int64(b.value[ZoneOffset])
	}
	if mask.has(DSTOffset) {
		dst = int64(b.value[DSTOffset])
	}
	return wall - raw - dst
}

// fixedDate is GregorianCalendar.getFixedDate(cal, year, fieldMask) in the Julian
// or Gregorian calendar.
func (b *Builder) fixedDate(year int64, mask fieldMask, julian bool) int64 {
	fixed := gregorianFixed
	if julian {
		fixed = julianFixed
	}
	month := int64(0)
	if mask.has(Month) {
		month = b.get(Month)
		if month > 11 {
			year += month / 12
			month %= 12
		} else if month < 0 {
			year += floorDiv(month, 12)
			month = floorMod(month, 12)
		}
	}
	fd := fixed(year, month+1, 1)
	if mask.has(Month) {
		if mask.has(DayOfMonth) {
			if b.IsSet(DayOfMonth) {
				fd += b.get(DayOfMonth) - 1
			}
			return fd
		}
		if mask.has(WeekOfMonth) {
			first := dowOnOrBefore(fd+6, firstDOW)
			if first-fd >= minDaysFirst {
				first -= 7
			}
			if mask.has(DayOfWeek) {
				first = dowOnOrBefore(first+6, int(b.get(DayOfWeek)))
			}
			return first + 7*(b.get(WeekOfMonth)-1)
		}
		dow := firstDOW
		if mask.has(DayOfWeek) {
			dow = int(b.get(DayOfWeek))
		}
		dowim := int64(1)
		if mask.has(DayOfWeekInMonth) {
			dowim = b.get(DayOfWeekInMonth)
		}
		if dowim >= 0 {
			return dowOnOrBefore(fd+7*dowim-1, dow)
		}
		last := monthLength(month, year) + 7*(dowim+1)
		return dowOnOrBefore(fd+last-1, dow)
	}
	if mask.has(DayOfYear) {
		return fd + b.get(DayOfYear) - 1
	}
	first := dowOnOrBefore(fd+6, firstDOW)
	if first-fd >= minDaysFirst {
		first -= 7
	}
	if mask.has(DayOfWeek) {
		if dow := int(b.get(DayOfWeek)); dow != firstDOW {
			first = dowOnOrBefore(first+6, dow)
		}
	}
	return first + 7*(b.get(WeekOfYear)-1)
}

// monthLength is GregorianCalendar.monthLength (month 0-based) with the hybrid
// calendar's leap years.
func monthLength(month, year int64) int64 {
	lengths := [12]int64{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	n := lengths[month]
	if month == 1 && hybridLeap(year) {
		n++
	}
	return n
}

func hybridLeap(y int64) bool {
	if y > cutoverYear {
		return gregorianLeap(y)
	}
	return julianLeap(y)
}

// weekDateInstant is GregorianCalendar.setWeekDate (lenient) followed by getTime:
// the first day of week 1 of weekYear, moved by whole weeks and to dow, keeping the
// time-of-day and zone fields that were parsed.
func (b *Builder) weekDateInstant(z *Zone, weekYear, woy, dow int) (int64, bool) {
	var g Builder
	g.Set(Year, weekYear)
	g.Set(WeekOfYear, 1)
	g.Set(DayOfWeek, firstDOW)
	week1, _ := g.instant(UTC)
	days := dow - firstDOW
	if days < 0 {
		days += 7
	}
	days += 7 * (woy - 1)
	fd := floorDiv(week1, msPerDay) + epochOffset + int64(days)

	var t Builder
	y, m, d, _ := dateOf(fd)
	if y <= 0 {
		t.Set(Era, 0)
		t.Set(Year, int(1-y))
	} else {
		t.Set(Era, 1)
		t.Set(Year, int(y))
	}
	t.Set(Month, int(m-1))
	t.Set(DayOfMonth, int(d))
	for _, fl := range []int{HourOfDay, Hour, AmPm, Minute, Second, Millisecond, ZoneOffset, DSTOffset} {
		if b.IsSet(fl) {
			t.stamp[fl], t.value[fl] = b.stamp[fl], b.value[fl]
		}
	}
	return t.instant(z)
}

// offsetsByWall returns the zone's raw and DST offsets for a local wall time (ms
// since the epoch as if local time were UTC), as ZoneInfo.getOffsetsByWall does: a
// wall time in a gap (clocks moved forward) takes the offset before the change, one
// in an overlap (clocks moved back) the offset after it.
func (z *Zone) offsetsByWall(wall int64) (raw, dst int) {
	if z.info == nil {
		return z.offset, 0
	}
	const window = 2 * msPerDay
	before := z.Offset(wall - window)
	after := z.Offset(wall + window)
	if before == after {
		at := wall - int64(before)
		if z.Offset(at) == before {
			return z.Offsets(at)
		}
	}
	// Find the transition by bisection on the instant.
	lo, hi := wall-window-int64(before), wall+window-int64(after)
	if z.Offset(lo) == z.Offset(hi) { // two changes within the window: give up
		return z.Offsets(wall - int64(before))
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if z.Offset(mid) == z.Offset(lo) {
			lo = mid
		} else {
			hi = mid
		}
	}
	// hi is the first instant with the new offset; in wall time the change is at
	// hi + new offset.
	newOff := z.Offset(hi)
	if wall < hi+int64(newOff) {
		return z.Offsets(hi - 1)
	}
	return z.Offsets(hi)
}

// DateString returns java.util.Date.toString() for the instant ms with the default
// zone z: "EEE MMM dd HH:mm:ss zzz yyyy".
func DateString(ms int64, z *Zone) string {
	f := ComputeFields(ms, z)
	b := make([]byte, 0, 32)
	b = append(b, shortWeekdays[f[DayOfWeek]]...)
	b = append(b, ' ')
	b = append(b, shortMonths[f[Month]]...)
	b = append(b, ' ')
	b = append2(b, f[DayOfMonth])
	b = append(b, ' ')
	b = append2(b, f[HourOfDay])
	b = append(b, ':')
	b = append2(b, f[Minute])
	b = append(b, ':')
	b = append2(b, f[Second])
	b = append(b, ' ')
	b = append(b, z.DisplayName(f[DSTOffset] != 0, false)...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(f[Year]), 10) // the year of the era: 1 BC prints 1
	return string(b)
}

func append2(b []byte, v int) []byte {
	if v < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(v), 10)
}

// AddMonths returns the instant ms moved by n months in zone z, as
// Calendar.add(MONTH, n): the day of month is kept, or pinned to the last day of a
// shorter month; the wall-clock time is kept.
func AddMonths(ms int64, n int, z *Zone) int64 {
	f := ComputeFields(ms, z)
	y := int64(f[Year])
	if f[Era] == 0 {
		y = 1 - y
	}
	total := y*12 + int64(f[Month]) + int64(n)
	ny, nm := floorDiv(total, 12), floorMod(total, 12)
	d := int64(f[DayOfMonth])
	if ml := monthLength(nm, ny); d > ml {
		d = ml
	}
	var b Builder
	if ny <= 0 {
		b.Set(Era, 0)
		b.Set(Year, int(1-ny))
	} else {
		b.Set(Year, int(ny))
	}
	b.Set(Month, int(nm))
	b.Set(DayOfMonth, int(d))
	b.Set(HourOfDay, f[HourOfDay])
	b.Set(Minute, f[Minute])
	b.Set(Second, f[Second])
	b.Set(Millisecond, f[Millisecond])
	out, _ := b.Instant(z)
	return out
}
