package javafmt

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// en_US DateFormatSymbols (Java 17, CLDR).
var (
	eras          = [2]string{"BC", "AD"}
	months        = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	shortMonths   = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	weekdays      = [8]string{"", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	shortWeekdays = [8]string{"", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	ampm          = [2]string{"AM", "PM"}
)

// The pattern letters, in DateFormatSymbols.patternChars order.
const patternChars = "GyMdkHmsSEDFwWahKzZYuXL"

const (
	pEra = iota
	pYear
	pMonth
	pDayOfMonth
	pHourOfDay1 // k
	pHourOfDay0 // H
	pMinute
	pSecond
	pMillisecond
	pDayOfWeek
	pDayOfYear
	pDayOfWeekInMonth
	pWeekOfYear
	pWeekOfMonth
	pAmPm
	pHour1 // h
	pHour0 // K
	pZoneName
	pZoneValue
	pWeekYear
	pISODayOfWeek
	pISOZone
	pMonthStandalone
	pLiteral = -1
)

var patternField = [...]int{Era, Year, Month, DayOfMonth, HourOfDay, HourOfDay, Minute, Second, Millisecond,
	DayOfWeek, DayOfYear, DayOfWeekInMonth, WeekOfYear, WeekOfMonth, AmPm, Hour, Hour, ZoneOffset, ZoneOffset,
	WeekYearField, DayOfWeek, ZoneOffset, Month}

type sdfItem struct {
	tag   int // pattern letter index, or pLiteral
	count int
	text  string // literal text
}

// SimpleDateFormat is java.text.SimpleDateFormat for Locale.US with a lenient
// GregorianCalendar. It is immutable and safe for concurrent use; the time zone is
// an argument of Format and Parse.
type SimpleDateFormat struct {
	pattern string
	items   []sdfItem
	// shortYear reports a y or Y field of at most two letters, whose parsing needs
	// the two-digit-year window.
	shortYear bool
}

// NewSimpleDateFormat compiles pattern as new SimpleDateFormat(pattern, Locale.US)
// does; patterns Java rejects return a *PatternError with Java's message.
func NewSimpleDateFormat(pattern string) (*SimpleDateFormat, error) {
	var items []sdfItem
	var lit strings.Builder
	flushLit := func() {
		if lit.Len() > 0 {
			items = append(items, sdfItem{tag: pLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	lastTag, count := -1, 0
	flushTag := func() error {
		if count != 0 {
			if lastTag == pISOZone && count >= 4 {
				return patternErr("invalid ISO 8601 format: length=%s", strconv.Itoa(count))
			}
			flushLit()
			items = append(items, sdfItem{tag: lastTag, count: count})
			lastTag, count = -1, 0
		}
		return nil
	}
	inQuote := false
	for i := 0; i < len(pattern); {
		c, size := utf8.DecodeRuneInString(pattern[i:])
		i += size
		if c == '\'' {
			if i < len(pattern) && pattern[i] == '\'' { // '' is a quote, in or out of quotes
				i++
				if err := flushTag(); err != nil {
					return nil, err
				}
				lit.WriteByte('\'')
				continue
			}
			if !inQuote {
				if err := flushTag(); err != nil {
					return nil, err
				}
			}
			inQuote = !inQuote
			continue
		}
		if inQuote {
			lit.WriteRune(c)
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			if err := flushTag(); err != nil {
				return nil, err
			}
			lit.WriteRune(c)
			continue
		}
		tag := strings.IndexRune(patternChars, c)
		if tag < 0 {
			return nil, patternErr("Illegal pattern character '%s'", string(c))
		}
		if lastTag == -1 || lastTag == tag {
			lastTag = tag
			count++
			continue
		}
		if err := flushTag(); err != nil {
			return nil, err
		}
		lastTag, count = tag, 1
	}
	if inQuote {
		return nil, patternErr("Unterminated quote")
	}
	if err := flushTag(); err != nil {
		return nil, err
	}
	flushLit()
	f := &SimpleDateFormat{pattern: pattern, items: items}
	for _, it := range items {
		if (it.tag == pYear || it.tag == pWeekYear) && it.count <= 2 {
			f.shortYear = true
		}
	}
	return f, nil
}

type compiledDate struct {
	f   *SimpleDateFormat
	err error
}

var dateCache = newCache[compiledDate](256)

// CachedSimpleDateFormat is NewSimpleDateFormat through a bounded process-wide cache.
func CachedSimpleDateFormat(pattern string) (*SimpleDateFormat, error) {
	c := dateCache.get(pattern, func(p string) compiledDate {
		f, err := NewSimpleDateFormat(p)
		return compiledDate{f, err}
	})
	return c.f, c.err
}

// Pattern returns the pattern the format was compiled from.
func (f *SimpleDateFormat) Pattern() string { return f.pattern }

// The DateFormat styles.
const (
	Full = iota
	Long
	Medium
	Short
)

var (
	datePatterns = [4]string{"EEEE, MMMM d, y", "MMMM d, y", "MMM d, y", "M/d/yy"}
	timePatterns = [4]string{"h:mm:ss a zzzz", "h:mm:ss a z", "h:mm:ss a", "h:mm a"}
	glue         = [4]string{" 'at' ", " 'at' ", ", ", ", "}
)

// StyleFormat returns the en_US format of DateFormat.getDateTimeInstance(dateStyle,
// timeStyle) on Java 17; a negative style omits that part (getDateInstance,
// getTimeInstance), and both negative give DateFormat.getInstance() (SHORT, SHORT).
func StyleFormat(dateStyle, timeStyle int) *SimpleDateFormat {
	if dateStyle < 0 && timeStyle < 0 {
		dateStyle, timeStyle = Short, Short
	}
	var p string
	switch {
	case timeStyle < 0:
		p = datePatterns[dateStyle]
	case dateStyle < 0:
		p = timePatterns[timeStyle]
	default:
		p = datePatterns[dateStyle] + glue[max(dateStyle, timeStyle)] + timePatterns[timeStyle]
	}
	f, err := CachedSimpleDateFormat(p)
	if err != nil {
		panic(err)
	}
	return f
}

// Format formats the instant ms (Java's Date.getTime()) in zone z.
func (f *SimpleDateFormat) Format(ms int64, z *Zone) string {
	return string(f.AppendFormat(make([]byte, 0, len(f.pattern)+16), ms, z))
}

// AppendFormat appends Format(ms, z) to dst.
func (f *SimpleDateFormat) AppendFormat(dst []byte, ms int64, z *Zone) []byte {
	fl := ComputeFields(ms, z)
	for _, it := range f.items {
		if it.tag == pLiteral {
			dst = append(dst, it.text...)
			continue
		}
		dst = appendField(dst, it.tag, it.count, &fl, z)
	}
	return dst
}

func appendField(dst []byte, tag, count int, fl *Fields, z *Zone) []byte {
	const maxInt = int(^uint32(0) >> 1)
	var value int
	switch patternField[tag] {
	case WeekYearField:
		value = WeekYear(*fl)
	default:
		value = fl[patternField[tag]]
	}
	switch tag {
	case pEra:
		if value < len(eras) {
			return append(dst, eras[value]...)
		}
		return dst
	case pYear, pWeekYear:
		if count != 2 {
			return zeroPad(dst, value, count, maxInt)
		}
		return zeroPad(dst, value, 2, 2)
	case pMonth:
		switch {
		case count >= 4:
			return append(dst, months[value]...)
		case count == 3:
			return append(dst, shortMonths[value]...)
		}
		return zeroPad(dst, value+1, count, maxInt)
	case pMonthStandalone:
		switch {
		case count >= 4:
			return append(dst, months[value]...)
		case count == 3:
			return append(dst, shortMonths[value]...)
		}
		return zeroPad(dst, value+1, count, maxInt)
	case pHourOfDay1:
		if value == 0 {
			value = 24
		}
		return zeroPad(dst, value, count, maxInt)
	case pDayOfWeek:
		if count >= 4 {
			return append(dst, weekdays[value]...)
		}
		return append(dst, shortWeekdays[value]...)
	case pAmPm:
		return append(dst, ampm[value]...)
	case pHour1:
		if value == 0 {
			value = 12
		}
		return zeroPad(dst, value, count, maxInt)
	case pZoneName:
		return append(dst, z.DisplayName(fl[DSTOffset] != 0, count >= 4)...)
	case pZoneValue:
		v := (fl[ZoneOffset] + fl[DSTOffset]) / 60000
		width := 4
		if v >= 0 {
			dst = append(dst, '+')
		} else {
			width++
		}
		return sprintf0d(dst, (v/60)*100+(v%60), width)
	case pISOZone:
		v := fl[ZoneOffset] + fl[DSTOffset]
		if v == 0 {
			return append(dst, 'Z')
		}
		v /= 60000
		if v >= 0 {
			dst = append(dst, '+')
		} else {
			dst = append(dst, '-')
			v = -v
		}
		dst = sprintf0d(dst, v/60, 2)
		if count == 1 {
			return dst
		}
		if count == 3 {
			dst = append(dst, ':')
		}
		return sprintf0d(dst, v%60, 2)
	case pISODayOfWeek:
		v := fl[DayOfWeek] - 1
		if v == 0 {
			v = 7
		}
		return zeroPad(dst, v, count, maxInt)
	}
	return zeroPad(dst, value, count, maxInt)
}

// zeroPad is SimpleDateFormat.zeroPaddingNumber: at least minDigits digits, and only
// the last maxDigits of them.
func zeroPad(dst []byte, value, minDigits, maxDigits int) []byte {
	if value < 0 {
		dst = append(dst, '-')
		value = -value
	}
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(value), 10)
	if len(s) > maxDigits {
		s = s[len(s)-maxDigits:]
	}
	for i := len(s); i < minDigits; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// sprintf0d is CalendarUtils.sprintf0d.
func sprintf0d(dst []byte, value, width int) []byte {
	d := int64(value)
	if d < 0 {
		dst = append(dst, '-')
		d = -d
		width--
	}
	n := int64(10)
	for i := 2; i < width; i++ {
		n *= 10
	}
	for i := 1; i < width && d < n; i++ {
		dst = append(dst, '0')
		n /= 10
	}
	return strconv.AppendInt(dst, d, 10)
}

// dateNumberFormat is the NumberFormat a SimpleDateFormat parses numbers with: the
// integer instance without grouping.
var dateNumberFormat = func() *DecimalFormat {
	f := *NumberInstance(StyleInteger)
	f.groupingUsed = false
	return &f
}()

// ParseOptions are the context of a parse.
type ParseOptions struct {
	// Zone is the format's time zone; a zone name or offset in the text overrides it.
	Zone *Zone
	// DefaultZone is the JVM default zone, tried second when matching zone names.
	DefaultZone *Zone
	// Now is the current instant (ms); two-digit years are placed within 80 years
	// before and 20 years after the moment the SimpleDateFormat was created.
	Now int64
}

// Parse parses a date at the start of text as DateFormat.parse(String) does with a
// lenient calendar: fields may roll over, text after the date is ignored. It returns
// the instant (ms) and the byte offset after the date; ok is false where Java throws
// ParseException.
func (f *SimpleDateFormat) Parse(text string, o ParseOptions) (ms int64, end int, ok bool) {
	t := []rune(text)
	zone := o.Zone
	var calb Builder
	ambiguousYear := false
	var centuryStart int64
	centuryStartYear := 0
	if f.shortYear {
		centuryStart = AddYears(o.Now, -80, zone)
		centuryStartYear = ComputeFields(centuryStart, zone)[Year]
	}
	start := 0
	for i, it := range f.items {
		if it.tag == pLiteral {
			for _, c := range it.text {
				if start >= len(t) || t[start] != c {
					return 0, 0, false
				}
				start++
			}
			continue
		}
		obeyCount := false
		if i+1 < len(f.items) {
			obeyCount = shouldObeyCount(f.items[i+1].tag, f.items[i+1].count)
		}
		var okField bool
		start, okField = f.subParse(t, start, it.tag, it.count, obeyCount, &ambiguousYear, centuryStartYear, &calb, &zone, o.DefaultZone)
		if !okField {
			return 0, 0, false
		}
	}
	ms, ok = calb.Instant(zone)
	if !ok {
		return 0, 0, false
	}
	if ambiguousYear && ms < centuryStart {
		calb.value[Year] += 100 // CalendarBuilder.addYear
		calb.value[WeekYearField] += 100
		if ms, ok = calb.Instant(zone); !ok {
			return 0, 0, false
		}
	}
	return ms, runeIndexToByte(text, start), true
}

func shouldObeyCount(tag, count int) bool {
	switch tag {
	case pMonth, pMonthStandalone:
		return count <= 2
	case pYear, pDayOfMonth, pHourOfDay1, pHourOfDay0, pMinute, pSecond, pMillisecond, pDayOfYear,
		pDayOfWeekInMonth, pWeekOfYear, pWeekOfMonth, pHour1, pHour0, pWeekYear, pISODayOfWeek:
		return true
	}
	return false
}

// parseInt parses a number at t[pos:limit] with the date number format.
func parseInt(t []rune, pos, limit int) (value, end int, ok bool) {
	if limit > len(t) {
		limit = len(t)
	}
	if pos >= limit {
		return 0, pos, false
	}
	// Fast path: a run of ASCII digits, optionally negative, that DecimalFormat would
	// read as exactly that integer (it ends the number at anything but a digit or an
	// exponent; a '.' ends it too, as the format parses integers only).
	i := pos
	neg := i < limit && t[i] == '-'
	if neg {
		i++
	}
	j := i
	for j < limit && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	if j > i && j-i <= 18 && (j == limit || (t[j] != 'E' && !unicode.IsDigit(t[j]))) {
		var n int64
		for _, c := range t[i:j] {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return int(int32(n)), j, true
	}
	s := string(t[pos:limit])
	r, n, ok := dateNumberFormat.Parse(s)
	if !ok {
		return 0, pos, false
	}
	if r.IsFloat {
		value = int(DoubleToInt(r.Float))
	} else {
		value = int(int32(r.Int)) // Number.intValue of a Long
	}
	return value, pos + utf8.RuneCountInString(s[:n]), true
}

// matchNames is SimpleDateFormat.matchString: the longest name that the text at start
// begins with, ignoring case.
func matchNames(t []rune, start int, names []string, first int) (index, end int) {
	best, bestLen := -1, 0
	for i := first; i < len(names); i++ {
		n := utf8.RuneCountInString(names[i])
		if n > bestLen && regionMatchesFoldString(t, start, names[i]) {
			best, bestLen = i, n
		}
	}
	if best < 0 {
		return -1, start
	}
	return best, start + bestLen
}

// regionMatchesFoldString is regionMatchesFold for a string.
func regionMatchesFoldString(t []rune, start int, s string) bool {
	i := start
	for _, r := range s {
		if i < 0 || i >= len(t) {
			return false
		}
		c := t[i]
		if c != r && unicode.ToUpper(c) != unicode.ToUpper(r) && unicode.ToLower(c) != unicode.ToLower(r) {
			return false
		}
		i++
	}
	return true
}

func regionMatchesFold(t []rune, start int, s []rune) bool {
	if start < 0 || start+len(s) > len(t) {
		return false
	}
	for i, r := range s {
		c := t[start+i]
		if c != r && unicode.ToUpper(c) != unicode.ToUpper(r) && unicode.ToLower(c) != unicode.ToLower(r) {
			return false
		}
	}
	return true
}

func (f *SimpleDateFormat) subParse(t []rune, start, tag, count int, obeyCount bool, ambiguousYear *bool,
	centuryStartYear int, calb *Builder, zone **Zone, defaultZone *Zone) (int, bool) {
	pos := start
	for {
		if pos >= len(t) {
			return 0, false
		}
		if c := t[pos]; c != ' ' && c != '\t' {
			break
		}
		pos++
	}
	actualStart := pos
	field := patternField[tag]
	value := 0
	parseNumber := func() bool {
		limit := len(t)
		if obeyCount {
			if start+count > len(t) {
				return false
			}
			limit = start + count
		}
		v, end, ok := parseInt(t, pos, limit)
		if !ok {
			return false
		}
		value, pos = v, end
		return true
	}

	switch tag {
	case pHourOfDay1, pHour1, pYear, pWeekYear:
		if !parseNumber() {
			return 0, false
		}
	case pMonth, pMonthStandalone:
		if count <= 2 && !parseNumber() {
			return 0, false
		}
	}

	switch tag {
	case pEra:
		idx, end := matchNames(t, start, eras[:], 0)
		if idx < 0 {
			return 0, false
		}
		calb.Set(Era, idx)
		return end, true
	case pYear, pWeekYear:
		if count <= 2 && pos-actualStart == 2 && unicode.IsDigit(t[actualStart]) && unicode.IsDigit(t[actualStart+1]) {
			amb := centuryStartYear % 100
			*ambiguousYear = value == amb
			add := (centuryStartYear / 100) * 100
			if value < amb {
				add += 100
			}
			value += add
		}
		calb.Set(field, value)
		return pos, true
	case pMonth, pMonthStandalone:
		if count <= 2 {
			calb.Set(Month, value-1)
			return pos, true
		}
		if idx, end := matchNames(t, start, months[:], 0); idx >= 0 {
			calb.Set(Month, idx)
			return end, true
		}
		if idx, end := matchNames(t, start, shortMonths[:], 0); idx >= 0 {
			calb.Set(Month, idx)
			return end, true
		}
		return 0, false
	case pHourOfDay1:
		if value == 24 {
			value = 0
		}
		calb.Set(HourOfDay, value)
		return pos, true
	case pDayOfWeek:
		if idx, end := matchNames(t, start, weekdays[:], 1); idx >= 0 {
			calb.Set(DayOfWeek, idx)
			return end, true
		}
		if idx, end := matchNames(t, start, shortWeekdays[:], 1); idx >= 0 {
			calb.Set(DayOfWeek, idx)
			return end, true
		}
		return 0, false
	case pAmPm:
		idx, end := matchNames(t, start, ampm[:], 0)
		if idx < 0 {
			return 0, false
		}
		calb.Set(AmPm, idx)
		return end, true
	case pHour1:
		if value == 12 {
			value = 0
		}
		calb.Set(Hour, value)
		return pos, true
	case pZoneName, pZoneValue:
		c := t[pos]
		sign := 0
		switch c {
		case '+':
			sign = 1
		case '-':
			sign = -1
		}
		if sign == 0 {
			if (c == 'G' || c == 'g') && len(t)-start >= 3 && regionMatchesFold(t, start, []rune("GMT")) {
				pos = start + 3
				if pos < len(t) {
					switch t[pos] {
					case '+':
						sign = 1
					case '-':
						sign = -1
					}
				}
				if sign == 0 {
					calb.Set(ZoneOffset, 0)
					calb.Set(DSTOffset, 0)
					return pos, true
				}
				return parseNumericZone(t, pos+1, sign, 0, true, calb)
			}
			return parseZoneName(t, pos, calb, zone, defaultZone)
		}
		return parseNumericZone(t, pos+1, sign, 0, false, calb)
	case pISOZone:
		c := t[pos]
		if c == 'Z' {
			calb.Set(ZoneOffset, 0)
			calb.Set(DSTOffset, 0)
			return pos + 1, true
		}
		sign := 0
		switch c {
		case '+':
			sign = 1
		case '-':
			sign = -1
		default:
			return 0, false
		}
		return parseNumericZone(t, pos+1, sign, count, count == 3, calb)
	}

	// Other numeric fields.
	if !parseNumber() {
		return 0, false
	}
	if tag == pISODayOfWeek {
		calb.SetISODayOfWeek(value)
	} else {
		calb.Set(field, value)
	}
	return pos, true
}

// parseNumericZone is SimpleDateFormat.subParseNumericZone: "hh:mm" (colon) or
// "hhmm"; count 1 reads hours only.
func parseNumericZone(t []rune, index, sign, count int, colon bool, calb *Builder) (int, bool) {
	digit := func(i int) (int, bool) {
		if i >= len(t) || t[i] < '0' || t[i] > '9' {
			return 0, false
		}
		return int(t[i] - '0'), true
	}
	h, ok := digit(index)
	if !ok {
		return 0, false
	}
	index++
	if d, ok := digit(index); ok {
		h = h*10 + d
		index++
	} else {
		if count > 0 || !colon || index >= len(t) {
			return 0, false
		}
	}
	if h > 23 {
		return 0, false
	}
	m := 0
	if count != 1 {
		if colon {
			if index >= len(t) || t[index] != ':' {
				return 0, false
			}
			index++
		}
		d1, ok1 := digit(index)
		d2, ok2 := digit(index + 1)
		if !ok1 || !ok2 {
			return 0, false
		}
		m = d1*10 + d2
		index += 2
		if m > 59 {
			return 0, false
		}
	}
	calb.Set(ZoneOffset, (h*60+m)*60000*sign)
	calb.Set(DSTOffset, 0)
	return index, true
}

// zoneStringIndex maps a zone ID to its row in javaZoneStrings.
var zoneStringIndex = func() map[string]int {
	m := make(map[string]int, len(javaZoneStrings))
	for i, r := range javaZoneStrings {
		if _, dup := m[r[0]]; !dup {
			m[r[0]] = i
		}
	}
	return m
}()

// parseZoneName is SimpleDateFormat.subParseZoneString: a name of the format's zone,
// then of the default zone, then of the first zone in Java's zone strings with a name
// the text starts with (ignoring case). It may change the zone used to compute the
// instant.
func parseZoneName(t []rune, start int, calb *Builder, zone **Zone, defaultZone *Zone) (int, bool) {
	try := func(row *[5]string) (int, bool) {
		for nameIndex := 1; nameIndex <= 4; nameIndex++ {
			name := []rune(row[nameIndex])
			if !regionMatchesFold(t, start, name) {
				continue
			}
			useSameName := nameIndex <= 2 && strings.EqualFold(row[nameIndex], row[nameIndex+2])
			tz := LoadZone(row[0])
			dstAmount := 0
			if nameIndex >= 3 {
				dstAmount = tz.dstSavings()
			}
			*zone = tz
			if !(useSameName || (nameIndex >= 3 && dstAmount == 0)) {
				calb.Clear(ZoneOffset)
				calb.Set(DSTOffset, dstAmount)
			}
			return start + len(name), true
		}
		return 0, false
	}
	for _, z := range []*Zone{*zone, defaultZone} {
		if z == nil {
			continue
		}
		if i, ok := zoneStringIndex[z.ID()]; ok {
			if end, ok := try(&javaZoneStrings[i]); ok {
				return end, true
			}
		}
	}
	for i := range javaZoneStrings {
		if end, ok := try(&javaZoneStrings[i]); ok {
			return end, true
		}
	}
	return 0, false
}

// dstSavings is TimeZone.getDSTSavings.
func (z *Zone) dstSavings() int {
	if z.info == nil || !z.info.daylight {
		return 0
	}
	s := z.info.str
	if i := strings.Index(s, "dstSavings="); i >= 0 {
		j := i + len("dstSavings=")
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if n, err := strconv.Atoi(s[j:k]); err == nil {
			return n
		}
	}
	return 3600000
}

// AddYears returns the instant ms moved by n years in zone z, as
// Calendar.add(YEAR, n) (February 29 becomes February 28 in a common year).
func AddYears(ms int64, n int, z *Zone) int64 { return AddMonths(ms, 12*n, z) }
