package velocity

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// Arithmetic and comparison of numbers as Velocity 1.7's MathUtils: integers
// (Byte, Short, Integer, Long) are computed in long and the result takes the
// wider operand's type, widening further on overflow (Integer to Long to
// BigInteger); a Float or Double operand makes the result Float or Double;
// BigInteger with a non-integer, or any BigDecimal, computes in BigDecimal.

const (
	baseLong = iota
	baseFloat
	baseDouble
	baseBigInteger
	baseBigDecimal
)

func isIntegerClass(c jclass) bool {
	return c == clsByte || c == clsShort || c == clsInteger || c == clsLong || c == clsBigInteger
}

func calcBase(a, b any) int {
	ca, cb := classOf(a), classOf(b)
	ia, ib := isIntegerClass(ca), isIntegerClass(cb)
	if ca == clsBigDecimal || cb == clsBigDecimal || ((!ia || !ib) && (ca == clsBigInteger || cb == clsBigInteger)) {
		return baseBigDecimal
	}
	if ia && ib {
		if ca == clsBigInteger || cb == clsBigInteger {
			return baseBigInteger
		}
		return baseLong
	}
	if ca == clsDouble || cb == clsDouble {
		return baseDouble
	}
	return baseFloat
}

func longValue(v any) int64 {
	switch x := v.(type) {
	case int32:
		return int64(x)
	case int64:
		return x
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case float64:
		return javafmt.DoubleToLong(x)
	case float32:
		return javafmt.DoubleToLong(float64(x))
	case *big.Int:
		return int64(x.Uint64()) * int64(x.Sign()) // low 64 bits, two's complement
	case *bigDecimal:
		return longValue(x.toBigInt())
	}
	return 0
}

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
	case int16:
		return float64(x)
	case int8:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case *bigDecimal:
		f, _ := strconv.ParseFloat(x.String(), 64)
		return f
	}
	return 0
}

func floatValue(v any) float32 {
	switch x := v.(type) {
	case float32:
		return x
	case int64:
		return float32(x)
	case int32:
		return float32(x)
	}
	return float32(doubleValue(v))
}

// intValue is Number.intValue().
func intValue(v any) int32 {
	switch x := v.(type) {
	case int32:
		return x
	case int64:
		return int32(x)
	case float64:
		return javafmt.DoubleToInt(x)
	case float32:
		return javafmt.DoubleToInt(float64(x))
	}
	return int32(longValue(v))
}

func toBigInt(v any) *big.Int {
	if b, ok := v.(*big.Int); ok {
		return b
	}
	return big.NewInt(longValue(v))
}

// typeRank orders Byte, Short, Integer, Long for wrapPrimitive.
func typeRank(c jclass) int {
	switch c {
	case clsByte:
		return 0
	case clsShort:
		return 1
	case clsInteger:
		return 2
	case clsLong:
		return 3
	case clsFloat:
		return 4
	case clsDouble:
		return 5
	}
	return -1
}

// wrapPrimitive gives a long result the type of the wider operand, widening when
// the value does not fit.
func wrapPrimitive(v int64, a, b any) any {
	c := classOf(a)
	if typeRank(classOf(b)) > typeRank(c) {
		c = classOf(b)
	}
	switch c {
	case clsByte:
		if v >= math.MinInt8 && v <= math.MaxInt8 {
			return int8(v)
		}
		fallthrough
	case clsShort:
		if v >= math.MinInt16 && v <= math.MaxInt16 {
			return int16(v)
		}
		fallthrough
	case clsInteger:
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			return int32(v)
		}
		fallthrough
	case clsLong:
		return v
	}
	return big.NewInt(v)
}

func mathAdd(a, b any) any {
	switch calcBase(a, b) {
	case baseBigInteger:
		return new(big.Int).Add(toBigInt(a), toBigInt(b))
	case baseLong:
		l1, l2 := longValue(a), longValue(b)
		r := l1 + l2
		if (r^l1) < 0 && (r^l2) < 0 {
			return new(big.Int).Add(toBigInt(a), toBigInt(b))
		}
		return wrapPrimitive(r, a, b)
	case baseFloat:
		return floatValue(a) + floatValue(b)
	case baseDouble:
		return doubleValue(a) + doubleValue(b)
	}
	return toBigDecimal(a).add(toBigDecimal(b))
}

func mathSub(a, b any) any {
	switch calcBase(a, b) {
	case baseBigInteger:
		return new(big.Int).Sub(toBigInt(a), toBigInt(b))
	case baseLong:
		l1, l2 := longValue(a), longValue(b)
		r := l1 - l2
		if (r^l1) < 0 && (r^^l2) < 0 {
			return new(big.Int).Sub(toBigInt(a), toBigInt(b))
		}
		return wrapPrimitive(r, a, b)
	case baseFloat:
		return floatValue(a) - floatValue(b)
	case baseDouble:
		return doubleValue(a) - doubleValue(b)
	}
	return toBigDecimal(a).sub(toBigDecimal(b))
}

func mathMul(a, b any) any {
	switch calcBase(a, b) {
	case baseBigInteger:
		return new(big.Int).Mul(toBigInt(a), toBigInt(b))
	case baseLong:
		l1, l2 := longValue(a), longValue(b)
		r := l1 * l2
		if l2 != 0 && (r/l2 != l1 || (l2 == -1 && l1 == math.MinInt64)) {
			return new(big.Int).Mul(toBigInt(a), toBigInt(b))
		}
		return wrapPrimitive(r, a, b)
	case baseFloat:
		return floatValue(a) * floatValue(b)
	case baseDouble:
		return doubleValue(a) * doubleValue(b)
	}
	return toBigDecimal(a).mul(toBigDecimal(b))
}

// mathDiv divides; the caller has checked that b is not zero.
func mathDiv(a, b any) any {
	switch calcBase(a, b) {
	case baseBigInteger:
		return new(big.Int).Quo(toBigInt(a), toBigInt(b))
	case baseLong:
		l1, l2 := longValue(a), longValue(b)
		if l1 == math.MinInt64 && l2 == -1 {
			return wrapPrimitive(l1, a, b) // Java's long division overflows silently
		}
		return wrapPrimitive(l1/l2, a, b)
	case baseFloat:
		return floatValue(a) / floatValue(b)
	case baseDouble:
		return doubleValue(a) / doubleValue(b)
	}
	return toBigDecimal(a).divHalfDown(toBigDecimal(b))
}

// mathMod is the remainder; BigDecimal operands fail as in the reference.
func mathMod(a, b any) (any, error) {
	switch calcBase(a, b) {
	case baseBigInteger:
		m := toBigInt(b)
		if m.Sign() < 0 {
			return nil, throw("java.lang.ArithmeticException", "BigInteger: modulus not positive")
		}
		return new(big.Int).Mod(toBigInt(a), m), nil
	case baseLong:
		l1, l2 := longValue(a), longValue(b)
		if l2 == -1 {
			return wrapPrimitive(0, a, b), nil
		}
		return wrapPrimitive(l1%l2, a, b), nil
	case baseFloat:
		return float32(math.Mod(float64(floatValue(a)), float64(floatValue(b)))), nil
	case baseDouble:
		return math.Mod(doubleValue(a), doubleValue(b)), nil
	}
	return nil, throw("java.lang.ArithmeticException", "Cannot calculate the modulo of BigDecimals.")
}

// mathCompare is MathUtils.compare.
func mathCompare(a, b any) int {
	switch calcBase(a, b) {
	case baseBigInteger:
		return toBigInt(a).Cmp(toBigInt(b))
	case baseLong:
		l1, l2 := longValue(a), longValue(b)
		switch {
		case l1 < l2:
			return -1
		case l1 > l2:
			return 1
		}
		return 0
	case baseFloat:
		f1, f2 := floatValue(a), floatValue(b)
		switch {
		case f1 < f2:
			return -1
		case f1 > f2:
			return 1
		}
		return 0
	case baseDouble:
		d1, d2 := doubleValue(a), doubleValue(b)
		switch {
		case d1 < d2:
			return -1
		case d1 > d2:
			return 1
		}
		return 0
	}
	return toBigDecimal(a).cmp(toBigDecimal(b))
}

// nonFiniteDecimal is the NumberFormatException of new BigDecimal(double) that
// MathUtils throws when a BigInteger or BigDecimal meets an infinite or NaN
// number (a JSON 1e400 is Infinity).
func nonFiniteDecimal(a, b any) error {
	if !isBigNumber(a) && !isBigNumber(b) || calcBase(a, b) != baseBigDecimal {
		return nil
	}
	for _, v := range [...]any{a, b} {
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		default:
			continue
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return throw("java.lang.NumberFormatException", "Infinite or NaN")
		}
	}
	return nil
}

func isBigNumber(v any) bool {
	switch v.(type) {
	case *big.Int, *bigDecimal:
		return true
	}
	return false
}

// isZero is MathUtils.isZero.
func isZero(v any) bool {
	switch x := v.(type) {
	case *big.Int:
		return x.Sign() == 0
	case float32:
		return x == 0
	case float64:
		return x == 0
	case *bigDecimal:
		return x.unscaled.Sign() == 0
	}
	return doubleValue(v) == 0
}

// --------------------------------------------------------------- BigDecimal

// bigDecimal is a java.math.BigDecimal: unscaled × 10^-scale.
type bigDecimal struct {
	unscaled *big.Int
	scale    int32
}

// toBigDecimal is MathUtils.toBigDecimal: exact for integers, the exact binary
// value for a double (new BigDecimal(double)).
func toBigDecimal(v any) *bigDecimal {
	switch x := v.(type) {
	case *bigDecimal:
		return x
	case *big.Int:
		return &bigDecimal{unscaled: x, scale: 0}
	}
	f := doubleValue(v)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return &bigDecimal{unscaled: new(big.Int)}
	}
	r := new(big.Rat)
	r.SetFloat64(f)
	// f = num/den with den a power of two: num × 5^k / 10^k with den = 2^k.
	k := r.Denom().BitLen() - 1
	num := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(k)), nil))
	d := &bigDecimal{unscaled: num, scale: int32(k)}
	return d
}

func (d *bigDecimal) align(e *bigDecimal) (*big.Int, *big.Int, int32) {
	a, b := new(big.Int).Set(d.unscaled), new(big.Int).Set(e.unscaled)
	s := d.scale
	if e.scale > s {
		a.Mul(a, pow10(int(e.scale-s)))
		s = e.scale
	} else if d.scale > e.scale {
		b.Mul(b, pow10(int(d.scale-e.scale)))
	}
	return a, b, s
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

func (d *bigDecimal) add(e *bigDecimal) *bigDecimal {
	a, b, s := d.align(e)
	return &bigDecimal{unscaled: a.Add(a, b), scale: s}
}

func (d *bigDecimal) sub(e *bigDecimal) *bigDecimal {
	a, b, s := d.align(e)
	return &bigDecimal{unscaled: a.Sub(a, b), scale: s}
}

func (d *bigDecimal) mul(e *bigDecimal) *bigDecimal {
	return &bigDecimal{unscaled: new(big.Int).Mul(d.unscaled, e.unscaled), scale: d.scale + e.scale}
}

func (d *bigDecimal) cmp(e *bigDecimal) int {
	a, b, _ := d.align(e)
	return a.Cmp(b)
}

// divHalfDown is BigDecimal.divide(divisor, ROUND_HALF_DOWN): the quotient at
// this number's scale.
func (d *bigDecimal) divHalfDown(e *bigDecimal) *bigDecimal {
	// q = d.unscaled × 10^(e.scale) / e.unscaled at scale d.scale
	num := new(big.Int).Mul(d.unscaled, pow10(int(max(e.scale, 0))))
	den := new(big.Int).Set(e.unscaled)
	if e.scale < 0 {
		den.Mul(den, pow10(int(-e.scale)))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() != 0 {
		twice := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
		if twice.Cmp(new(big.Int).Abs(den)) > 0 {
			if (num.Sign() < 0) != (den.Sign() < 0) {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return &bigDecimal{unscaled: q, scale: d.scale}
}

func (d *bigDecimal) toBigInt() *big.Int {
	if d.scale <= 0 {
		return new(big.Int).Mul(d.unscaled, pow10(int(-d.scale)))
	}
	return new(big.Int).Quo(d.unscaled, pow10(int(d.scale)))
}

// String is BigDecimal.toString.
func (d *bigDecimal) String() string {
	digits := new(big.Int).Abs(d.unscaled).String()
	neg := d.unscaled.Sign() < 0
	adjusted := -int64(d.scale) + int64(len(digits)-1)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if d.scale >= 0 && adjusted >= -6 {
		if d.scale == 0 {
			b.WriteString(digits)
			return b.String()
		}
		sc := int(d.scale)
		if len(digits) > sc {
			b.WriteString(digits[:len(digits)-sc])
			b.WriteByte('.')
			b.WriteString(digits[len(digits)-sc:])
		} else {
			b.WriteString("0.")
			b.WriteString(strings.Repeat("0", sc-len(digits)))
			b.WriteString(digits)
		}
		return b.String()
	}
	b.WriteString(digits[:1])
	if len(digits) > 1 {
		b.WriteByte('.')
		b.WriteString(digits[1:])
	}
	b.WriteByte('E')
	if adjusted >= 0 {
		b.WriteByte('+')
	}
	b.WriteString(strconv.FormatInt(adjusted, 10))
	return b.String()
}
