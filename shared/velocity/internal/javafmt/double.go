package javafmt

import (
	"math"
	"math/big"
	"math/bits"
)

// FormatDouble returns the text Java 17's Double.toString(d) prints.
//
// Java 17 (the reference engine's JDK) still uses the FloatingDecimal algorithm, which
// is not a shortest round-trip algorithm: it sometimes prints one digit more than
// needed, or a different last digit (2^60 prints as 1.15292150460684698E18, 2.0E-3 as
// 0.002, 1.0E23 as 1.0E23). This is a re-implementation of that algorithm, not of
// strconv's shortest form; it agrees with Java on every value tested.
func FormatDouble(d float64) string {
	var buf [26]byte
	return string(AppendDouble(buf[:0], d))
}

// AppendDouble appends FormatDouble(d) to dst.
func AppendDouble(dst []byte, d float64) []byte {
	var dec decimal
	if s := dec.setDouble(d); s != "" {
		return append(dst, s...)
	}
	return dec.appendJava(dst)
}

// FormatFloat returns the text Java 17's Float.toString(f) prints.
func FormatFloat(f float32) string {
	var buf [26]byte
	return string(AppendFloat(buf[:0], f))
}

// AppendFloat appends FormatFloat(f) to dst.
func AppendFloat(dst []byte, f float32) []byte {
	var dec decimal
	if s := dec.setFloat(f); s != "" {
		return append(dst, s...)
	}
	return dec.appendJava(dst)
}

// decimal holds the digits FloatingDecimal develops for a binary floating-point value:
// value = 0.d1d2...dn × 10^exp. DecimalFormat rounds these digits (not the exact
// binary value), using exact and roundedUp to settle ties as java.text.DigitList does.
type decimal struct {
	neg    bool
	digits [20]byte
	first  int // index of the first digit in digits
	n      int // number of digits
	exp    int // decimal exponent: value = 0.digits × 10^exp
	// exact reports that the digits are the exact value of the binary number.
	exact bool
	// roundedUp reports that the last digit was rounded up.
	roundedUp bool
}

func (d *decimal) digitSlice() []byte { return d.digits[d.first : d.first+d.n] }

const (
	expShift   = 52
	fractHOB   = uint64(1) << expShift
	expOne     = uint64(1023) << expShift
	signifMask = fractHOB - 1
	expMask    = uint64(0x7FF) << expShift
	signMask   = uint64(1) << 63

	maxSmallBinExp = 62
	minSmallBinExp = -(63 / 3)
)

// setDouble develops the digits of v. For NaN and infinities it returns Java's text
// instead, and for zero it sets the single digit 0.
func (d *decimal) setDouble(v float64) string {
	bitsV := math.Float64bits(v)
	d.neg = bitsV&signMask != 0
	fract := bitsV & signifMask
	binExp := int((bitsV & expMask) >> expShift)
	if binExp == 0x7FF {
		switch {
		case fract != 0:
			return "NaN"
		case d.neg:
			return "-Infinity"
		}
		return "Infinity"
	}
	var nSignificant int
	if binExp == 0 {
		if fract == 0 {
			d.setZero()
			return ""
		}
		lz := bits.LeadingZeros64(fract)
		shift := lz - (63 - expShift)
		fract <<= uint(shift)
		binExp = 1 - shift
		nSignificant = 64 - lz
	} else {
		fract |= fractHOB
		nSignificant = expShift + 1
	}
	d.dtoa(binExp-1023, fract, nSignificant)
	return ""
}

// setFloat is setDouble for a float32, with the float's own precision.
func (d *decimal) setFloat(v float32) string {
	bitsV := math.Float32bits(v)
	d.neg = bitsV&(1<<31) != 0
	fract := bitsV & (1<<23 - 1)
	binExp := int((bitsV >> 23) & 0xFF)
	if binExp == 0xFF {
		switch {
		case fract != 0:
			return "NaN"
		case d.neg:
			return "-Infinity"
		}
		return "Infinity"
	}
	var nSignificant int
	if binExp == 0 {
		if fract == 0 {
			d.setZero()
			return ""
		}
		lz := bits.LeadingZeros32(fract)
		shift := lz - (31 - 23)
		fract <<= uint(shift)
		binExp = 1 - shift
		nSignificant = 32 - lz
	} else {
		fract |= 1 << 23
		nSignificant = 24
	}
	d.dtoa(binExp-127, uint64(fract)<<(expShift-23), nSignificant)
	return ""
}

func (d *decimal) setZero() {
	d.digits[0] = '0'
	d.first, d.n, d.exp = 0, 1, 0
	d.exact, d.roundedUp = false, false // as Java's shared zero converter reports
}

// dtoa is FloatingDecimal's digit development for a positive value fract × 2^(binExp-52)
// whose high bit (1<<52) is set, in "compatible format" (at least two digits when the
// result will print in E-form). The integer, int32 and int64 paths and their wrapping
// arithmetic are kept as Java has them, because they decide the printed digits.
func (d *decimal) dtoa(binExp int, fract uint64, nSignificant int) {
	tailZeros := bits.TrailingZeros64(fract)
	nFractBits := expShift + 1 - tailZeros
	d.roundedUp = false
	d.exact = false
	nTinyBits := max(0, nFractBits-binExp-1)
	if binExp <= maxSmallBinExp && binExp >= minSmallBinExp &&
		nTinyBits < len(long5Pow) && nFractBits+n5Bits[nTinyBits] < 64 && nTinyBits == 0 {
		// An integer that fits in an int64: print its digits, dropping those beyond
		// the precision of the binary value.
		insignificant := 0
		if binExp > nSignificant {
			insignificant = insignificantDigitsForPow2(binExp - nSignificant - 1)
		}
		if binExp >= expShift {
			fract <<= uint(binExp - expShift)
		} else {
			fract >>= uint(expShift - binExp)
		}
		d.developLongDigits(int64(fract), insignificant)
		return
	}

	decExp := estimateDecExp(fract, binExp)
	b5 := max(0, -decExp)
	b2 := b5 + nTinyBits + binExp
	s5 := max(0, decExp)
	s2 := s5 + nTinyBits
	m5 := b5
	m2 := b2 - nSignificant

	fract >>= uint(tailZeros)
	b2 -= nFractBits - 1
	common2 := min(b2, s2)
	b2 -= common2
	s2 -= common2
	m2 -= common2
	if nFractBits == 1 { // exact power of two: the next lower value is half as far
		m2--
	}
	if m2 < 0 {
		b2 -= m2
		s2 -= m2
		m2 = 0
	}

	bBits := nFractBits + b2 + n5BitsOf(b5)
	tenSBits := s2 + 1 + n5BitsOf(s5+1)
	nd := 0
	var low, high bool
	var lowDigitDifference int64
	eForm := func() bool { return decExp < -3 || decExp >= 8 }
	switch {
	case bBits < 32 && tenSBits < 32:
		b := (int32(fract) * small5Pow[b5]) << uint(b2)
		s := small5Pow[s5] << uint(s2)
		m := small5Pow[m5] << uint(m2)
		tens := s * 10
		q := b / s
		b = 10 * (b % s)
		m *= 10
		low = b < m
		high = b+m > tens
		if q == 0 && !high {
			decExp--
		} else {
			d.digits[nd] = byte('0' + q)
			nd++
		}
		if eForm() {
			low, high = false, false
		}
		for !low && !high {
			q = b / s
			b = 10 * (b % s)
			m *= 10
			if m > 0 {
				low = b < m
				high = b+m > tens
			} else { // m overflowed
				low, high = true, true
			}
			d.digits[nd] = byte('0' + q)
			nd++
		}
		lowDigitDifference = int64((b << 1) - tens)
		d.exact = b == 0
	case bBits < 64 && tenSBits < 64:
		b := (int64(fract) * long5Pow[b5]) << uint(b2)
		s := long5Pow[s5] << uint(s2)
		m := long5Pow[m5] << uint(m2)
		tens := s * 10
		q := b / s
		b = 10 * (b % s)
		m *= 10
		low = b < m
		high = b+m > tens
		if q == 0 && !high {
			decExp--
		} else {
			d.digits[nd] = byte('0' + q)
			nd++
		}
		if eForm() {
			low, high = false, false
		}
		for !low && !high {
			q = b / s
			b = 10 * (b % s)
			m *= 10
			if m > 0 {
				low = b < m
				high = b+m > tens
			} else {
				low, high = true, true
			}
			d.digits[nd] = byte('0' + q)
			nd++
		}
		lowDigitDifference = (b << 1) - tens
		d.exact = b == 0
	default:
		// Exact big-integer arithmetic. Java scales all values by a common power of
		// two to speed up its division; ratios and comparisons are unchanged by it.
		// Unlike the fixed-width paths, "high" here is B+M >= 10S (not >).
		bv := pow52(b5, b2)
		bv.Mul(bv, new(big.Int).SetUint64(fract))
		sv := pow52(s5, s2)
		mv := pow52(m5+1, m2+1)
		tenS := pow52(s5+1, s2+1)
		var qv, sum big.Int
		step := func() int {
			qv.QuoRem(bv, sv, bv)
			bv.Mul(bv, bigTen)
			return int(qv.Int64())
		}
		q := step()
		low = bv.Cmp(mv) < 0
		high = tenS.Cmp(sum.Add(bv, mv)) <= 0
		if q == 0 && !high {
			decExp--
		} else {
			d.digits[nd] = byte('0' + q)
			nd++
		}
		if eForm() {
			low, high = false, false
		}
		for !low && !high {
			q = step()
			mv.Mul(mv, bigTen)
			low = bv.Cmp(mv) < 0
			high = tenS.Cmp(sum.Add(bv, mv)) <= 0
			d.digits[nd] = byte('0' + q)
			nd++
		}
		if high && low {
			bv.Lsh(bv, 1)
			lowDigitDifference = int64(bv.Cmp(tenS))
		}
		d.exact = bv.Sign() == 0
	}
	d.exp = decExp + 1
	d.first = 0
	d.n = nd
	if high {
		if low {
			if lowDigitDifference == 0 {
				if d.digits[d.first+d.n-1]&1 != 0 {
					d.roundup()
				}
			} else if lowDigitDifference > 0 {
				d.roundup()
			}
		} else {
			d.roundup()
		}
	}
}

// developLongDigits sets the digits of the integer v, first rounding away (half up)
// the insignificant low-order decimal digits, and dropping trailing zeros.
func (d *decimal) developLongDigits(v int64, insignificant int) {
	exp := 0
	if insignificant != 0 {
		pow10 := long5Pow[insignificant] << uint(insignificant)
		residue := v % pow10
		v /= pow10
		exp += insignificant
		if residue >= pow10>>1 {
			v++
		}
	}
	i := len(d.digits) - 1
	c := v % 10
	v /= 10
	for c == 0 {
		exp++
		c = v % 10
		v /= 10
	}
	for v != 0 {
		d.digits[i] = byte('0' + c)
		i--
		exp++
		c = v % 10
		v /= 10
	}
	d.digits[i] = byte('0' + c)
	d.exp = exp + 1
	d.first = i
	d.n = len(d.digits) - i
}

// roundup adds one to the last digit. A carry out of the first digit leaves the
// digit count unchanged ("99" becomes "10" with a larger exponent) and, as in Java,
// does not mark the digits as rounded up.
func (d *decimal) roundup() {
	i := d.first + d.n - 1
	q := d.digits[i]
	if q == '9' {
		for q == '9' && i > d.first {
			d.digits[i] = '0'
			i--
			q = d.digits[i]
		}
		if q == '9' {
			d.exp++
			d.digits[d.first] = '1'
			return
		}
	}
	d.digits[i] = q + 1
	d.roundedUp = true
}

// appendJava appends the digits as Double.toString prints them: plain notation for
// 10^-3 <= |v| < 10^7, else computerized scientific notation, always with a digit
// after the point.
func (d *decimal) appendJava(dst []byte) []byte {
	if d.neg {
		dst = append(dst, '-')
	}
	digits := d.digitSlice()
	e := d.exp
	switch {
	case e > 0 && e < 8:
		n := min(len(digits), e)
		dst = append(dst, digits[:n]...)
		if n < e {
			for range e - n {
				dst = append(dst, '0')
			}
			dst = append(dst, '.', '0')
		} else {
			dst = append(dst, '.')
			if n < len(digits) {
				dst = append(dst, digits[n:]...)
			} else {
				dst = append(dst, '0')
			}
		}
	case e <= 0 && e > -3:
		dst = append(dst, '0', '.')
		for range -e {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = append(dst, digits[0], '.')
		if len(digits) > 1 {
			dst = append(dst, digits[1:]...)
		} else {
			dst = append(dst, '0')
		}
		dst = append(dst, 'E')
		var x int
		if e <= 0 {
			dst = append(dst, '-')
			x = -e + 1
		} else {
			x = e - 1
		}
		switch {
		case x <= 9:
			dst = append(dst, byte('0'+x))
		case x <= 99:
			dst = append(dst, byte('0'+x/10), byte('0'+x%10))
		default:
			dst = append(dst, byte('0'+x/100), byte('0'+x/10%10), byte('0'+x%10))
		}
	}
	return dst
}

// estimateDecExp estimates floor(log10(value)) as FloatingDecimal does, from a linear
// approximation of log10 of the mantissa. The estimate may be one too high; dtoa
// corrects it. Products are converted explicitly so that they are rounded as in Java
// (no fused multiply-add).
func estimateDecExp(fract uint64, binExp int) int {
	d2 := math.Float64frombits(expOne | (fract & signifMask))
	d := float64(float64(d2-1.5)*0.289529654) + 0.176091259 + float64(float64(binExp)*0.301029995663981)
	dBits := math.Float64bits(d)
	exponent := int((dBits&expMask)>>expShift) - 1023
	neg := dBits&signMask != 0
	switch {
	case exponent >= 0 && exponent < 52:
		mask := signifMask >> uint(exponent)
		r := int(int32(((dBits & signifMask) | fractHOB) >> uint(expShift-exponent)))
		if neg {
			if mask&dBits == 0 {
				return -r
			}
			return -r - 1
		}
		return r
	case exponent < 0:
		if dBits&^signMask == 0 || !neg {
			return 0
		}
		return -1
	}
	return int(d)
}

// insignificantDigitsForPow2 returns the number of decimal digits of 2^p2 beyond the
// first, i.e. floor(log10(2^p2)), for 1 < p2 < 64, and 0 otherwise.
func insignificantDigitsForPow2(p2 int) int {
	if p2 > 1 && p2 < len(insignificantDigitsNumber) {
		return insignificantDigitsNumber[p2]
	}
	return 0
}

var insignificantDigitsNumber = [...]int{
	0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3,
	4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7,
	8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 11, 11, 11,
	12, 12, 12, 12, 13, 13, 13, 14, 14, 14,
	15, 15, 15, 15, 16, 16, 16, 17, 17, 17,
	18, 18, 18, 19,
}

// n5Bits[i] is FloatingDecimal's approximation of ceil(log2(5^i)); its exact values
// decide which arithmetic path dtoa takes.
var n5Bits = [...]int{0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40,
	42, 45, 47, 49, 52, 54, 56, 59, 61}

func n5BitsOf(i int) int {
	if i < len(n5Bits) {
		return n5Bits[i]
	}
	return i * 3
}

var small5Pow = func() (t [14]int32) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 5
	}
	return t
}()

var long5Pow = func() (t [27]int64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 5
	}
	return t
}()

var bigTen = big.NewInt(10)

// pow52 returns 5^p5 × 2^p2.
func pow52(p5, p2 int) *big.Int {
	v := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(p5)), nil)
	return v.Lsh(v, uint(p2))
}
