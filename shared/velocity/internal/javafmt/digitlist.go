package javafmt

import (
	"math/big"
	"strconv"
)

// digitList is java.text.DigitList: the decimal digits of a non-negative number,
// value = 0.d1d2...dn × 10^decimalAt, rounded HALF_EVEN the way DecimalFormat does.
type digitList struct {
	digits    []byte
	decimalAt int
	buf       [24]byte
}

func (l *digitList) count() int { return len(l.digits) }

func (l *digitList) isZero() bool {
	for _, d := range l.digits {
		if d != '0' {
			return false
		}
	}
	return true
}

// setDouble sets the digits of v (finite, non-negative) from the digits
// Double.toString would print, and rounds them to maximumDigits fraction digits
// (fixedPoint) or significant digits. Java rounds the printed digits, not the exact
// binary value, and uses the exactness of the conversion to settle ties.
func (l *digitList) setDouble(v float64, maximumDigits int, fixedPoint bool) {
	var d decimal
	if s := d.setDouble(v); s != "" {
		panic("javafmt: setDouble of a non-finite value")
	}
	l.digits = l.buf[:0]
	// The digits of the string form: Java reparses toJavaFormatString, which drops
	// leading zeros and keeps the digit count (a carried "10" keeps its 0).
	src := d.digitSlice()
	i := 0
	for i < len(src) && src[i] == '0' {
		i++
	}
	l.digits = append(l.digits, src[i:]...)
	if len(l.digits) == 0 {
		l.decimalAt = 0
	} else {
		l.decimalAt = d.exp - i
	}
	l.finishSet(d.roundedUp, d.exact, maximumDigits, fixedPoint)
}

func (l *digitList) finishSet(roundedUp, exact bool, maximumDigits int, fixedPoint bool) {
	if fixedPoint {
		if -l.decimalAt > maximumDigits {
			l.digits = l.digits[:0]
			return
		}
		if -l.decimalAt == maximumDigits {
			if l.shouldRoundUp(0, roundedUp, exact) {
				l.digits = append(l.digits[:0], '1')
				l.decimalAt++
			} else {
				l.digits = l.digits[:0]
			}
			return
		}
	}
	for len(l.digits) > 1 && l.digits[len(l.digits)-1] == '0' {
		l.digits = l.digits[:len(l.digits)-1]
	}
	if fixedPoint {
		l.round(maximumDigits+l.decimalAt, roundedUp, exact)
	} else {
		l.round(maximumDigits, roundedUp, exact)
	}
}

// setInt sets the digits of |v| (v may be math.MinInt64) and rounds to maximumDigits
// significant digits when that is positive.
func (l *digitList) setInt(v uint64, maximumDigits int) {
	l.digits = l.buf[:0]
	if v == 0 {
		l.decimalAt = 0
		return
	}
	var tmp [20]byte
	s := strconv.AppendUint(tmp[:0], v, 10)
	l.decimalAt = len(s)
	end := len(s)
	for s[end-1] == '0' {
		end--
	}
	l.digits = append(l.digits, s[:end]...)
	if maximumDigits > 0 {
		l.round(maximumDigits, false, true)
	}
}

// setBig sets the digits of |v|, as setInt.
func (l *digitList) setBig(v *big.Int, maximumDigits int) {
	s := new(big.Int).Abs(v).String()
	l.digits = l.buf[:0]
	l.decimalAt = len(s)
	end := len(s)
	for end > 0 && s[end-1] == '0' {
		end--
	}
	l.digits = append(l.digits, s[:end]...)
	if maximumDigits > 0 {
		l.round(maximumDigits, false, true)
	}
}

func (l *digitList) round(maximumDigits int, alreadyRounded, exact bool) {
	if maximumDigits < 0 || maximumDigits >= len(l.digits) {
		return
	}
	if l.shouldRoundUp(maximumDigits, alreadyRounded, exact) {
		for {
			maximumDigits--
			if maximumDigits < 0 {
				l.digits[0] = '1'
				l.decimalAt++
				maximumDigits = 0
				break
			}
			l.digits[maximumDigits]++
			if l.digits[maximumDigits] <= '9' {
				break
			}
		}
		maximumDigits++
	}
	l.digits = l.digits[:maximumDigits]
	for len(l.digits) > 1 && l.digits[len(l.digits)-1] == '0' {
		l.digits = l.digits[:len(l.digits)-1]
	}
}

// shouldRoundUp is DigitList.shouldRoundUp for RoundingMode.HALF_EVEN, the only mode
// the tools use. A last digit 5 is a tie only if the digits are exact; otherwise the
// conversion either rounded up to it (do not round again) or truncated to it (round up).
func (l *digitList) shouldRoundUp(maximumDigits int, alreadyRounded, exact bool) bool {
	if maximumDigits >= len(l.digits) {
		return false
	}
	d := l.digits[maximumDigits]
	switch {
	case d > '5':
		return true
	case d == '5':
		if maximumDigits == len(l.digits)-1 {
			if alreadyRounded {
				return false
			}
			if !exact {
				return true
			}
			return maximumDigits > 0 && (l.digits[maximumDigits-1]-'0')%2 != 0
		}
		for _, c := range l.digits[maximumDigits+1:] {
			if c != '0' {
				return true
			}
		}
	}
	return false
}

// fitsIntoLong is DigitList.fitsIntoLong; it trims trailing zeros as Java does.
func (l *digitList) fitsIntoLong(isPositive, ignoreNegativeZero bool) bool {
	for len(l.digits) > 0 && l.digits[len(l.digits)-1] == '0' {
		l.digits = l.digits[:len(l.digits)-1]
	}
	n := len(l.digits)
	if n == 0 {
		return isPositive || ignoreNegativeZero
	}
	if l.decimalAt < n || l.decimalAt > 19 {
		return false
	}
	if l.decimalAt < 19 {
		return true
	}
	const longMinRep = "9223372036854775808"
	for i := 0; i < n; i++ {
		if l.digits[i] > longMinRep[i] {
			return false
		}
		if l.digits[i] < longMinRep[i] {
			return true
		}
	}
	if n < l.decimalAt {
		return true
	}
	return !isPositive
}

// getLong returns the value as an int64; the caller has checked fitsIntoLong. The one
// value that does not fit as a positive number, 9223372036854775808, is returned as
// math.MinInt64.
func (l *digitList) getLong() int64 {
	if len(l.digits) == 0 {
		return 0
	}
	var u uint64
	for i := 0; i < l.decimalAt; i++ {
		u *= 10
		if i < len(l.digits) {
			u += uint64(l.digits[i] - '0')
		}
	}
	return int64(u)
}

// getDouble returns the correctly rounded double nearest the digits.
func (l *digitList) getDouble() float64 {
	if len(l.digits) == 0 {
		return 0
	}
	b := make([]byte, 0, len(l.digits)+16)
	b = append(b, '.')
	b = append(b, l.digits...)
	b = append(b, 'E')
	b = strconv.AppendInt(b, int64(l.decimalAt), 10)
	f, _ := strconv.ParseFloat(string(b), 64) // out of range gives ±Inf or 0, as Java
	return f
}
