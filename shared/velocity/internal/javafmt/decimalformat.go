package javafmt

import (
	"math"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf16"
)

// DecimalFormat is java.text.DecimalFormat with the en_US DecimalFormatSymbols and
// RoundingMode.HALF_EVEN. A DecimalFormat is immutable and safe for concurrent use.
type DecimalFormat struct {
	posPrefix, posSuffix, negPrefix, negSuffix string

	// The digit limits as DecimalFormat keeps them (used for BigInteger) and as its
	// NumberFormat superclass keeps them (clamped to 309 integer and 340 fraction
	// digits; used for double and long).
	minInt, maxInt, minFrac, maxFrac int
	superMinInt, superMaxInt         int
	superMinFrac, superMaxFrac       int
	groupingUsed                     bool
	groupingSize                     int
	multiplier                       int
	decimalSeparatorAlwaysShown      bool
	useExponentialNotation           bool
	minExponentDigits                int
	isCurrencyFormat                 bool
	parseIntegerOnly                 bool
}

// en_US DecimalFormatSymbols.
const (
	symZero        = '0'
	symGrouping    = ','
	symDecimal     = '.'
	symPercent     = "%"
	symPerMill     = "\u2030"
	symMinus       = "-"
	symExponent    = "E"
	symNaN         = "NaN"
	symInfinity    = "\u221E"
	symCurrency    = "$"
	symIntlCurrecy = "USD"
)

const (
	maxIntegerDigits    = math.MaxInt32
	maxFractionDigits   = math.MaxInt32
	doubleIntegerDigits = 309
	doubleFractionDigit = 340
)

// PatternError reports a pattern Java rejects; Message is Java's exception message
// (the exception is a java.lang.IllegalArgumentException).
type PatternError struct {
	Message string
}

// Error returns Java's message.
func (e *PatternError) Error() string { return e.Message }

func patternErr(format string, args ...string) *PatternError {
	var b strings.Builder
	ai := 0
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 's' && ai < len(args) {
			b.WriteString(args[ai])
			ai++
			i++
			continue
		}
		b.WriteByte(format[i])
	}
	return &PatternError{Message: b.String()}
}

// NewDecimalFormat compiles a DecimalFormat pattern as new DecimalFormat(pattern,
// new DecimalFormatSymbols(Locale.US)) does. Patterns Java rejects return a
// *PatternError with Java's message.
func NewDecimalFormat(pattern string) (*DecimalFormat, error) {
	f := &DecimalFormat{groupingUsed: true, groupingSize: 3, multiplier: 1}
	f.setDigits(1, 40, 0, 3) // NumberFormat's defaults, before the pattern
	if err := f.applyPattern(pattern); err != nil {
		return nil, err
	}
	return f, nil
}

// NumberStyle is one of the NumberFormat factory styles.
type NumberStyle int

// The NumberFormat styles Velocity Tools names "number", "currency", "percent" and
// "integer".
const (
	StyleNumber NumberStyle = iota
	StyleCurrency
	StylePercent
	StyleInteger
)

var styleFormats = func() [4]*DecimalFormat {
	mk := func(p string) *DecimalFormat {
		f, err := NewDecimalFormat(p)
		if err != nil {
			panic(err)
		}
		return f
	}
	var t [4]*DecimalFormat
	t[StyleNumber] = mk("#,##0.###")
	t[StyleCurrency] = mk("\u00A4#,##0.00") // USD: 2 fraction digits
	t[StylePercent] = mk("#,##0%")
	in := mk("#,##0.###")
	in.setMaximumFractionDigits(0)
	in.decimalSeparatorAlwaysShown = false
	in.parseIntegerOnly = true
	t[StyleInteger] = in
	return t
}()

// NumberInstance returns the en_US NumberFormat of a style, as
// NumberFormat.getNumberInstance, getCurrencyInstance, getPercentInstance and
// getIntegerInstance return it on Java 17 (CLDR locale data).
func NumberInstance(s NumberStyle) *DecimalFormat { return styleFormats[s] }

// setDigits sets the four digit limits through the Java setters, in the order the
// NumberFormat constructor leaves them.
func (f *DecimalFormat) setDigits(minInt, maxInt, minFrac, maxFrac int) {
	f.minInt, f.maxInt, f.minFrac, f.maxFrac = minInt, maxInt, minFrac, maxFrac
	f.superMinInt, f.superMaxInt = minInt, maxInt
	f.superMinFrac, f.superMaxFrac = minFrac, maxFrac
}

func clampTo(v, limit int) int {
	if v > limit {
		return limit
	}
	return v
}

func (f *DecimalFormat) setMaximumIntegerDigits(n int) {
	f.maxInt = min(max(0, n), maxIntegerDigits)
	f.superMaxInt = clampTo(f.maxInt, doubleIntegerDigits)
	if f.superMinInt > f.superMaxInt {
		f.superMinInt = f.superMaxInt
	}
	if f.minInt > f.maxInt {
		f.minInt = f.maxInt
		f.superMinInt = clampTo(f.minInt, doubleIntegerDigits)
		if f.superMinInt > f.superMaxInt {
			f.superMaxInt = f.superMinInt
		}
	}
}

func (f *DecimalFormat) setMinimumIntegerDigits(n int) {
	f.minInt = min(max(0, n), maxIntegerDigits)
	f.superMinInt = clampTo(f.minInt, doubleIntegerDigits)
	if f.superMinInt > f.superMaxInt {
		f.superMaxInt = f.superMinInt
	}
	if f.minInt > f.maxInt {
		f.maxInt = f.minInt
		f.superMaxInt = clampTo(f.maxInt, doubleIntegerDigits)
		if f.superMinInt > f.superMaxInt {
			f.superMinInt = f.superMaxInt
		}
	}
}

func (f *DecimalFormat) setMaximumFractionDigits(n int) {
	f.maxFrac = min(max(0, n), maxFractionDigits)
	f.superMaxFrac = clampTo(f.maxFrac, doubleFractionDigit)
	if f.superMinFrac > f.superMaxFrac {
		f.superMinFrac = f.superMaxFrac
	}
	if f.minFrac > f.maxFrac {
		f.minFrac = f.maxFrac
		f.superMinFrac = clampTo(f.minFrac, doubleFractionDigit)
		if f.superMinFrac > f.superMaxFrac {
			f.superMaxFrac = f.superMinFrac
		}
	}
}

func (f *DecimalFormat) setMinimumFractionDigits(n int) {
	f.minFrac = min(max(0, n), maxFractionDigits)
	f.superMinFrac = clampTo(f.minFrac, doubleFractionDigit)
	if f.superMinFrac > f.superMaxFrac {
		f.superMaxFrac = f.superMinFrac
	}
	if f.minFrac > f.maxFrac {
		f.maxFrac = f.minFrac
		f.superMaxFrac = clampTo(f.maxFrac, doubleFractionDigit)
		if f.superMinFrac > f.superMaxFrac {
			f.superMinFrac = f.superMaxFrac
		}
	}
}

// applyPattern is DecimalFormat.applyPattern (non-localized). Affix patterns keep
// Java's internal form: a quote introduces a special character ('% '\u2030 '- '¤).
func (f *DecimalFormat) applyPattern(pattern string) error {
	p := utf16.Encode([]rune(pattern)) // Java indexes UTF-16 code units
	const (
		zeroDigit = '0'
		grouping  = ','
		decimal   = '.'
		percent   = '%'
		perMill   = '\u2030'
		digit     = '#'
		separator = ';'
		minus     = '-'
		quote     = '\''
		currency  = '\u00A4'
	)
	exponent := uint16('E')
	gotNegative := false
	f.decimalSeparatorAlwaysShown = false
	f.isCurrencyFormat = false
	f.useExponentialNotation = false
	var posPrefixPattern, posSuffixPattern, negPrefixPattern, negSuffixPattern string

	start := 0
	for j := 1; j >= 0 && start < len(p); j-- {
		inQuote := false
		var prefix, suffix []uint16
		affix := &prefix
		decimalPos := -1
		multiplier := 1
		digitLeftCount, zeroDigitCount, digitRightCount := 0, 0, 0
		groupingCount := -1
		phase := 0
		appendStr := func(s string) { *affix = append(*affix, utf16.Encode([]rune(s))...) }

		for pos := start; pos < len(p); pos++ {
			ch := p[pos]
			switch phase {
			case 0, 2:
				if inQuote {
					if ch == quote {
						if pos+1 < len(p) && p[pos+1] == quote {
							pos++
							appendStr("''")
						} else {
							inQuote = false
						}
						continue
					}
				} else {
					switch {
					case ch == digit || ch == zeroDigit || ch == grouping || ch == decimal:
						phase = 1
						pos--
						continue
					case ch == currency:
						doubled := pos+1 < len(p) && p[pos+1] == currency
						if doubled {
							pos++
						}
						f.isCurrencyFormat = true
						if doubled {
							appendStr("'\u00A4\u00A4")
						} else {
							appendStr("'\u00A4")
						}
						continue
					case ch == quote:
						if pos+1 < len(p) && p[pos+1] == quote {
							pos++
							appendStr("''")
						} else {
							inQuote = true
						}
						continue
					case ch == separator:
						if phase == 0 || j == 0 {
							return patternErr("Unquoted special character '%s' in pattern \"%s\"", string(rune(ch)), pattern)
						}
						start = pos + 1
						pos = len(p)
						continue
					case ch == percent:
						if multiplier != 1 {
							return patternErr("Too many percent/per mille characters in pattern \"%s\"", pattern)
						}
						multiplier = 100
						appendStr("'%")
						continue
					case ch == perMill:
						if multiplier != 1 {
							return patternErr("Too many percent/per mille characters in pattern \"%s\"", pattern)
						}
						multiplier = 1000
						appendStr("'\u2030")
						continue
					case ch == minus:
						appendStr("'-")
						continue
					}
				}
				*affix = append(*affix, ch)
			case 1:
				if j == 0 {
					for pos < len(p) {
						c := p[pos]
						if c == digit || c == zeroDigit || c == grouping || c == decimal {
							pos++
						} else if c == exponent {
							pos++
						} else {
							pos--
							phase = 2
							affix = &suffix
							break
						}
					}
					continue
				}
				switch {
				case ch == digit:
					if zeroDigitCount > 0 {
						digitRightCount++
					} else {
						digitLeftCount++
					}
					if groupingCount >= 0 && decimalPos < 0 {
						groupingCount++
					}
				case ch == zeroDigit:
					if digitRightCount > 0 {
						return patternErr("Unexpected '0' in pattern \"%s\"", pattern)
					}
					zeroDigitCount++
					if groupingCount >= 0 && decimalPos < 0 {
						groupingCount++
					}
				case ch == grouping:
					groupingCount = 0
				case ch == decimal:
					if decimalPos >= 0 {
						return patternErr("Multiple decimal separators in pattern \"%s\"", pattern)
					}
					decimalPos = digitLeftCount + zeroDigitCount + digitRightCount
				case ch == exponent:
					if f.useExponentialNotation {
						return patternErr("Multiple exponential symbols in pattern \"%s\"", pattern)
					}
					f.useExponentialNotation = true
					f.minExponentDigits = 0
					pos++
					for pos < len(p) && p[pos] == zeroDigit {
						f.minExponentDigits++
						pos++
					}
					if digitLeftCount+zeroDigitCount < 1 || f.minExponentDigits < 1 {
						return patternErr("Malformed exponential pattern \"%s\"", pattern)
					}
					phase = 2
					affix = &suffix
					pos--
					continue
				default:
					phase = 2
					affix = &suffix
					pos--
					continue
				}
			}
		}

		if zeroDigitCount == 0 && digitLeftCount > 0 && decimalPos >= 0 {
			n := decimalPos
			if n == 0 {
				n++
			}
			digitRightCount = digitLeftCount - n
			digitLeftCount = n - 1
			zeroDigitCount = 1
		}
		if (decimalPos < 0 && digitRightCount > 0) ||
			(decimalPos >= 0 && (decimalPos < digitLeftCount || decimalPos > digitLeftCount+zeroDigitCount)) ||
			groupingCount == 0 || inQuote {
			return patternErr("Malformed pattern \"%s\"", pattern)
		}
		if j == 1 {
			posPrefixPattern = string(utf16.Decode(prefix))
			posSuffixPattern = string(utf16.Decode(suffix))
			negPrefixPattern, negSuffixPattern = posPrefixPattern, posSuffixPattern
			digitTotalCount := digitLeftCount + zeroDigitCount + digitRightCount
			effectiveDecimalPos := digitTotalCount
			if decimalPos >= 0 {
				effectiveDecimalPos = decimalPos
			}
			f.setMinimumIntegerDigits(effectiveDecimalPos - digitLeftCount)
			if f.useExponentialNotation {
				f.setMaximumIntegerDigits(digitLeftCount + f.minInt)
			} else {
				f.setMaximumIntegerDigits(maxIntegerDigits)
			}
			if decimalPos >= 0 {
				f.setMaximumFractionDigits(digitTotalCount - decimalPos)
				f.setMinimumFractionDigits(digitLeftCount + zeroDigitCount - decimalPos)
			} else {
				f.setMaximumFractionDigits(0)
				f.setMinimumFractionDigits(0)
			}
			f.groupingUsed = groupingCount > 0
			if groupingCount > 0 {
				f.groupingSize = groupingCount
			} else {
				f.groupingSize = 0
			}
			f.multiplier = multiplier
			f.decimalSeparatorAlwaysShown = decimalPos == 0 || decimalPos == digitTotalCount
		} else {
			negPrefixPattern = string(utf16.Decode(prefix))
			negSuffixPattern = string(utf16.Decode(suffix))
			gotNegative = true
		}
	}
	if len(p) == 0 {
		posPrefixPattern, posSuffixPattern = "", ""
		f.setMinimumIntegerDigits(0)
		f.setMaximumIntegerDigits(maxIntegerDigits)
		f.setMinimumFractionDigits(0)
		f.setMaximumFractionDigits(maxFractionDigits)
	}
	if !gotNegative || (negPrefixPattern == posPrefixPattern && negSuffixPattern == posSuffixPattern) {
		negSuffixPattern = posSuffixPattern
		negPrefixPattern = "'-" + posPrefixPattern
	}
	f.posPrefix = expandAffix(posPrefixPattern)
	f.posSuffix = expandAffix(posSuffixPattern)
	f.negPrefix = expandAffix(negPrefixPattern)
	f.negSuffix = expandAffix(negSuffixPattern)
	return nil
}

// expandAffix turns an internal affix pattern into text: a quote marks the next
// character as special (currency, percent, per mille, minus) or literal.
func expandAffix(pattern string) string {
	if !strings.ContainsRune(pattern, '\'') {
		return pattern
	}
	var b strings.Builder
	r := []rune(pattern)
	for i := 0; i < len(r); {
		c := r[i]
		i++
		if c == '\'' && i < len(r) {
			c = r[i]
			i++
			switch c {
			case '\u00A4':
				if i < len(r) && r[i] == '\u00A4' {
					i++
					b.WriteString(symIntlCurrecy)
				} else {
					b.WriteString(symCurrency)
				}
				continue
			case '%':
				b.WriteString(symPercent)
				continue
			case '\u2030':
				b.WriteString(symPerMill)
				continue
			case '-':
				b.WriteString(symMinus)
				continue
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FormatFloat formats v as DecimalFormat.format(double) does.
func (f *DecimalFormat) FormatFloat(v float64) string {
	return string(f.AppendFloat(make([]byte, 0, 24), v))
}

// AppendFloat appends FormatFloat(v) to dst.
func (f *DecimalFormat) AppendFloat(dst []byte, v float64) []byte {
	if math.IsNaN(v) || (math.IsInf(v, 0) && f.multiplier == 0) {
		return append(dst, symNaN...)
	}
	isNegative := (v < 0 || (v == 0 && math.Signbit(v))) != (f.multiplier < 0)
	if f.multiplier != 1 {
		v *= float64(f.multiplier)
	}
	if math.IsInf(v, 0) {
		if isNegative {
			dst = append(dst, f.negPrefix...)
			dst = append(dst, symInfinity...)
			return append(dst, f.negSuffix...)
		}
		dst = append(dst, f.posPrefix...)
		dst = append(dst, symInfinity...)
		return append(dst, f.posSuffix...)
	}
	if isNegative {
		v = -v
	}
	var dl digitList
	if f.useExponentialNotation {
		dl.setDouble(v, f.superMaxInt+f.superMaxFrac, false)
	} else {
		dl.setDouble(v, f.superMaxFrac, true)
	}
	return f.subformat(dst, &dl, isNegative, false, f.superMaxInt, f.superMinInt, f.superMaxFrac, f.superMinFrac)
}

// FormatInt formats v as DecimalFormat.format(long) does.
func (f *DecimalFormat) FormatInt(v int64) string {
	return string(f.AppendInt(make([]byte, 0, 24), v))
}

// AppendInt appends FormatInt(v) to dst.
func (f *DecimalFormat) AppendInt(dst []byte, v int64) []byte {
	isNegative := v < 0
	if isNegative {
		v = -v // math.MinInt64 stays negative, as in Java
	}
	useBig := false
	if v < 0 {
		useBig = f.multiplier != 0
	} else if f.multiplier != 1 && f.multiplier != 0 {
		cutoff := math.MaxInt64 / int64(f.multiplier)
		if cutoff < 0 {
			cutoff = -cutoff
		}
		useBig = v > cutoff
	}
	if useBig {
		if isNegative {
			v = -v
		}
		return f.appendBig(dst, big.NewInt(v), true)
	}
	v *= int64(f.multiplier)
	if v == 0 {
		isNegative = false
	} else if f.multiplier < 0 {
		v = -v
		isNegative = !isNegative
	}
	var dl digitList
	maxDigits := 0
	if f.useExponentialNotation {
		maxDigits = f.superMaxInt + f.superMaxFrac
	}
	dl.setInt(uint64(v), maxDigits)
	return f.subformat(dst, &dl, isNegative, true, f.superMaxInt, f.superMinInt, f.superMaxFrac, f.superMinFrac)
}

// FormatBig formats v as DecimalFormat.format(Object) does for a BigInteger: values
// of fewer than 64 bits as a long, others with DecimalFormat's own digit limits.
func (f *DecimalFormat) FormatBig(v *big.Int) string {
	if v.BitLen() < 64 {
		return f.FormatInt(v.Int64())
	}
	return string(f.appendBig(make([]byte, 0, 48), v, false))
}

func (f *DecimalFormat) appendBig(dst []byte, v *big.Int, formatLong bool) []byte {
	if f.multiplier != 1 {
		v = new(big.Int).Mul(v, big.NewInt(int64(f.multiplier)))
	}
	isNegative := v.Sign() < 0
	maxInt, minInt, maxFrac, minFrac := f.maxInt, f.minInt, f.maxFrac, f.minFrac
	if formatLong {
		maxInt, minInt, maxFrac, minFrac = f.superMaxInt, f.superMinInt, f.superMaxFrac, f.superMinFrac
	}
	maximumDigits := maxInt + maxFrac
	if !formatLong && (maximumDigits < 0 || maximumDigits > math.MaxInt32) {
		maximumDigits = math.MaxInt32
	}
	var dl digitList
	if f.useExponentialNotation {
		dl.setBig(v, maximumDigits)
	} else {
		dl.setBig(v, 0)
	}
	return f.subformat(dst, &dl, isNegative, true, maxInt, minInt, maxFrac, minFrac)
}

func (f *DecimalFormat) subformat(dst []byte, dl *digitList, isNegative, isInteger bool, maxInt, minInt, maxFrac, minFrac int) []byte {
	if isNegative {
		dst = append(dst, f.negPrefix...)
	} else {
		dst = append(dst, f.posPrefix...)
	}
	dst = f.subformatNumber(dst, dl, isInteger, maxInt, minInt, maxFrac, minFrac)
	if isNegative {
		return append(dst, f.negSuffix...)
	}
	return append(dst, f.posSuffix...)
}

func (f *DecimalFormat) subformatNumber(dst []byte, dl *digitList, isInteger bool, maxInt, minInt, maxFrac, minFrac int) []byte {
	if dl.isZero() {
		dl.decimalAt = 0
	}
	count := dl.count()
	if f.useExponentialNotation {
		exponent := dl.decimalAt
		repeat := maxInt
		minimumIntegerDigits := minInt
		if repeat > 1 && repeat > minInt {
			if exponent >= 1 {
				exponent = ((exponent - 1) / repeat) * repeat
			} else {
				exponent = ((exponent - repeat) / repeat) * repeat
			}
			minimumIntegerDigits = 1
		} else {
			exponent -= minimumIntegerDigits
		}
		minimumDigits := minInt + minFrac
		if minimumDigits < 0 || minimumDigits > math.MaxInt32 {
			minimumDigits = math.MaxInt32
		}
		integerDigits := dl.decimalAt - exponent
		if dl.isZero() {
			integerDigits = minimumIntegerDigits
		}
		if minimumDigits < integerDigits {
			minimumDigits = integerDigits
		}
		totalDigits := count
		if minimumDigits > totalDigits {
			totalDigits = minimumDigits
		}
		for i := 0; i < totalDigits; i++ {
			if i == integerDigits {
				dst = append(dst, symDecimal)
			}
			if i < count {
				dst = append(dst, dl.digits[i])
			} else {
				dst = append(dst, symZero)
			}
		}
		if f.decimalSeparatorAlwaysShown && totalDigits == integerDigits {
			dst = append(dst, symDecimal)
		}
		dst = append(dst, symExponent...)
		if dl.isZero() {
			exponent = 0
		}
		if exponent < 0 {
			exponent = -exponent
			dst = append(dst, symMinus...)
		}
		var ebuf [12]byte
		e := appendUint(ebuf[:0], uint64(exponent))
		if exponent == 0 {
			e = e[:0] // DigitList.set(0) has no digits
		}
		for i := len(e); i < f.minExponentDigits; i++ {
			dst = append(dst, symZero)
		}
		return append(dst, e...)
	}

	n := minInt
	digitIndex := 0
	if dl.decimalAt > 0 && n < dl.decimalAt {
		n = dl.decimalAt
	}
	if n > maxInt {
		n = maxInt
		digitIndex = dl.decimalAt - n
	}
	sizeBefore := len(dst)
	for i := n - 1; i >= 0; i-- {
		if i < dl.decimalAt && digitIndex < count {
			dst = append(dst, dl.digits[digitIndex])
			digitIndex++
		} else {
			dst = append(dst, symZero)
		}
		if f.groupingUsed && i > 0 && f.groupingSize != 0 && i%f.groupingSize == 0 {
			dst = append(dst, symGrouping)
		}
	}
	fractionPresent := minFrac > 0 || (!isInteger && digitIndex < count)
	if !fractionPresent && len(dst) == sizeBefore {
		dst = append(dst, symZero)
	}
	if f.decimalSeparatorAlwaysShown || fractionPresent {
		dst = append(dst, symDecimal)
	}
	for i := 0; i < maxFrac; i++ {
		if i >= minFrac && (isInteger || digitIndex >= count) {
			break
		}
		if -1-i > dl.decimalAt-1 {
			dst = append(dst, symZero)
			continue
		}
		if !isInteger && digitIndex < count {
			dst = append(dst, dl.digits[digitIndex])
			digitIndex++
		} else {
			dst = append(dst, symZero)
		}
	}
	return dst
}

func appendUint(dst []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

// ParseResult is a number parsed by DecimalFormat.parse: an int64 (Java Long) when
// the value is a whole number that fits, else a float64 (Java Double), including
// -0.0, infinities and NaN.
type ParseResult struct {
	Int     int64
	Float   float64
	IsFloat bool
}

// Parse parses a number at the start of text as DecimalFormat.parse(String,
// ParsePosition) does: it stops at the first character that cannot continue the
// number and returns the index after the last character used. ok is false when no
// number starts there (Java's NumberFormat.parse(String) then throws).
func (f *DecimalFormat) Parse(text string) (r ParseResult, end int, ok bool) {
	t := utf16.Encode([]rune(text))
	if hasPrefix16(t, 0, symNaN) {
		return ParseResult{Float: NaN, IsFloat: true}, utf16Len(symNaN), true
	}
	var dl digitList
	positive, infinite, index, ok := f.subparse(t, &dl)
	if !ok {
		return ParseResult{}, 0, false
	}
	end = len(utf16.Decode(t[:index])) // back to a rune count
	end = runeIndexToByte(text, end)
	if infinite {
		if positive == (f.multiplier >= 0) {
			return ParseResult{Float: math.Inf(1), IsFloat: true}, end, true
		}
		return ParseResult{Float: math.Inf(-1), IsFloat: true}, end, true
	}
	if f.multiplier == 0 {
		switch {
		case dl.isZero():
			return ParseResult{Float: NaN, IsFloat: true}, end, true
		case positive:
			return ParseResult{Float: math.Inf(1), IsFloat: true}, end, true
		}
		return ParseResult{Float: math.Inf(-1), IsFloat: true}, end, true
	}
	gotDouble := true
	gotLongMin := false
	var d float64
	var l int64
	if dl.fitsIntoLong(positive, f.parseIntegerOnly) {
		gotDouble = false
		l = dl.getLong()
		if l < 0 {
			gotLongMin = true
		}
	} else {
		d = dl.getDouble()
	}
	if f.multiplier != 1 {
		if gotDouble {
			d /= float64(f.multiplier)
		} else if l%int64(f.multiplier) == 0 {
			l /= int64(f.multiplier)
		} else {
			d = float64(l) / float64(f.multiplier)
			gotDouble = true
		}
	}
	if !positive && !gotLongMin {
		d = -d
		l = -l
	}
	if f.multiplier != 1 && gotDouble {
		l = DoubleToLong(d)
		gotDouble = (d != float64(l) || (d == 0 && math.Signbit(d))) && !f.parseIntegerOnly
	}
	if gotDouble {
		return ParseResult{Float: d, IsFloat: true}, end, true
	}
	return ParseResult{Int: l}, end, true
}

func (f *DecimalFormat) subparse(t []uint16, dl *digitList) (positive, infinite bool, index int, ok bool) {
	gotPositive := hasPrefix16(t, 0, f.posPrefix)
	gotNegative := hasPrefix16(t, 0, f.negPrefix)
	pp, np := utf16Len(f.posPrefix), utf16Len(f.negPrefix)
	if gotPositive && gotNegative {
		if pp > np {
			gotNegative = false
		} else if pp < np {
			gotPositive = false
		}
	}
	position := 0
	switch {
	case gotPositive:
		position += pp
	case gotNegative:
		position += np
	default:
		return false, false, 0, false
	}
	position, infinite = f.subparseNumber(t, position, dl, true, false)
	if position == -1 {
		return false, false, 0, false
	}
	if gotPositive {
		gotPositive = hasPrefix16(t, position, f.posSuffix)
	}
	if gotNegative {
		gotNegative = hasPrefix16(t, position, f.negSuffix)
	}
	ps, ns := utf16Len(f.posSuffix), utf16Len(f.negSuffix)
	if gotPositive && gotNegative {
		if ps > ns {
			gotNegative = false
		} else if ps < ns {
			gotPositive = false
		}
	}
	if gotPositive == gotNegative {
		return false, false, 0, false
	}
	if gotPositive {
		index = position + ps
	} else {
		index = position + ns
	}
	if index == 0 {
		return false, false, 0, false
	}
	return gotPositive, infinite, index, true
}

// subparseNumber reads digits, grouping separators, a decimal separator and an
// exponent ("E" followed by an optionally negative integer) from position; it returns
// the position after them, or -1 when there were no digits.
func (f *DecimalFormat) subparseNumber(t []uint16, position int, dl *digitList, checkExponent, isExponent bool) (int, bool) {
	if !isExponent && hasPrefix16(t, position, symInfinity) {
		return position + utf16Len(symInfinity), true
	}
	dl.digits = dl.buf[:0]
	dl.decimalAt = 0
	sawDecimal, sawExponent, sawDigit := false, false, false
	exponent := 0
	digitCount := 0
	backup := -1
	for ; position < len(t); position++ {
		ch := t[position]
		dig := int(ch) - symZero
		if dig < 0 || dig > 9 {
			dig = javaDigit(ch)
		}
		switch {
		case dig == 0:
			backup = -1
			sawDigit = true
			if len(dl.digits) == 0 {
				if !sawDecimal {
					continue
				}
				dl.decimalAt--
			} else {
				digitCount++
				dl.digits = append(dl.digits, '0')
			}
		case dig > 0 && dig <= 9:
			sawDigit = true
			digitCount++
			dl.digits = append(dl.digits, byte('0'+dig))
			backup = -1
		case !isExponent && ch == symDecimal:
			if f.parseIntegerOnly || sawDecimal {
				goto done
			}
			dl.decimalAt = digitCount
			sawDecimal = true
		case !isExponent && ch == symGrouping && f.groupingUsed:
			if sawDecimal {
				goto done
			}
			backup = position
		case checkExponent && !isExponent && hasPrefix16(t, position, symExponent) && !sawExponent:
			var edl digitList
			epos := position + utf16Len(symExponent)
			if ePositive, eEnd, eok := f.subparseExponent(t, epos, &edl); eok && edl.fitsIntoLong(ePositive, true) {
				position = eEnd
				exponent = int(int32(edl.getLong()))
				if !ePositive {
					exponent = -exponent
				}
				sawExponent = true
			}
			goto done
		default:
			goto done
		}
	}
done:
	if backup != -1 {
		position = backup
	}
	if !sawDecimal {
		dl.decimalAt = digitCount
	}
	dl.decimalAt += exponent
	if !sawDigit && digitCount == 0 {
		return -1, false
	}
	return position, false
}

// subparseExponent is subparse for an exponent: prefix "" or "-", no suffix.
func (f *DecimalFormat) subparseExponent(t []uint16, position int, dl *digitList) (positive bool, end int, ok bool) {
	gotPositive := true
	gotNegative := hasPrefix16(t, position, symMinus)
	if gotNegative {
		gotPositive = false
		position += utf16Len(symMinus)
	}
	pos, _ := f.subparseNumber(t, position, dl, true, true)
	if pos == -1 {
		return false, 0, false
	}
	return gotPositive, pos, true
}

func hasPrefix16(t []uint16, at int, s string) bool {
	i := at
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			if i+1 >= len(t) || t[i] != uint16(r1) || t[i+1] != uint16(r2) {
				return false
			}
			i += 2
			continue
		}
		if i >= len(t) || t[i] != uint16(r) {
			return false
		}
		i++
	}
	return true
}

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

// runeIndexToByte converts a count of runes from the start of s to a byte offset.
func runeIndexToByte(s string, runes int) int {
	if runes <= 0 {
		return 0
	}
	n := 0
	for i := range s {
		if n == runes {
			return i
		}
		n++
	}
	return len(s)
}

// javaDigit is Character.digit(ch, 10) for a UTF-16 unit: the value of a Unicode
// decimal digit (category Nd), or -1.
func javaDigit(ch uint16) int {
	r := rune(ch)
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return -1
	}
	// Decimal digits come in runs of ten starting at a code point whose value is 0;
	// the Nd table's ranges start on such a code point.
	for _, rg := range unicode.Nd.R16 {
		if uint16(r) >= rg.Lo && uint16(r) <= rg.Hi {
			return int(uint16(r)-rg.Lo) % 10
		}
	}
	return -1
}
