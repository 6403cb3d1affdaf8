package velocity

import (
	"math"
	"math/big"
	"strings"
)

// Methods of java.lang.Integer, Long, Short, Byte, Double, Float, Boolean,
// Character and java.math.BigInteger / BigDecimal.

func addNumberValueMethods(t methodTable) {
	t.add("intValue", retValue, func(st *state, r any, a []any) (any, error) { return intValue(r), nil })
	t.add("longValue", retValue, func(st *state, r any, a []any) (any, error) { return longValue(r), nil })
	t.add("doubleValue", retValue, func(st *state, r any, a []any) (any, error) { return doubleValue(r), nil })
	t.add("floatValue", retValue, func(st *state, r any, a []any) (any, error) { return floatValue(r), nil })
	t.add("shortValue", retValue, func(st *state, r any, a []any) (any, error) { return int16(longValue(r)), nil })
	t.add("byteValue", retValue, func(st *state, r any, a []any) (any, error) { return int8(longValue(r)), nil })
}

// compareSame is compareTo(Object) of a Comparable: the argument must be of the
// receiver's class.
func compareSame(st *state, r any, a []any) (any, error) {
	if a[0] == nil {
		return nil, npe()
	}
	if classOf(a[0]) != classOf(r) {
		return nil, classCast(a[0], className(r))
	}
	switch x := r.(type) {
	case bool:
		y := a[0].(bool)
		switch {
		case x == y:
			return int32(0), nil
		case x:
			return int32(1), nil
		}
		return int32(-1), nil
	case javaChar:
		return int32(x) - int32(a[0].(javaChar)), nil
	case float64:
		return int32(javaDoubleCompare(x, a[0].(float64))), nil
	case float32:
		return int32(javaDoubleCompare(float64(x), float64(a[0].(float32)))), nil
	}
	return int32(mathCompare(r, a[0])), nil
}

// javaDoubleCompare is Double.compare: NaN above everything, -0.0 below 0.0.
func javaDoubleCompare(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	bx, by := math.Float64bits(canonNaN(x)), math.Float64bits(canonNaN(y))
	switch {
	case bx == by:
		return 0
	case int64(bx) < int64(by):
		return -1
	}
	return 1
}

var (
	integerMethods = integralMethods(32, pInt, tInteger)
	doubleMethods  = floatingMethods(64)
)

var bigIntegerMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	addNumberValueMethods(t)
	b := func(v any) *big.Int { return v.(*big.Int) }
	t.add("compareTo", retValue, compareSame, tObject)
	t.add("compareTo", retValue, compareSame, tBigInteger)
	binop := func(name string, f func(x, y *big.Int) (*big.Int, error)) {
		t.add(name, retValue, func(st *state, r any, a []any) (any, error) {
			if a[0] == nil {
				return nil, npe()
			}
			return f(b(r), b(a[0]))
		}, tBigInteger)
	}
	binop("add", func(x, y *big.Int) (*big.Int, error) { return new(big.Int).Add(x, y), nil })
	binop("subtract", func(x, y *big.Int) (*big.Int, error) { return new(big.Int).Sub(x, y), nil })
	binop("multiply", func(x, y *big.Int) (*big.Int, error) { return new(big.Int).Mul(x, y), nil })
	binop("divide", func(x, y *big.Int) (*big.Int, error) {
		if y.Sign() == 0 {
			return nil, throw("java.lang.ArithmeticException", "BigInteger divide by zero")
		}
		return new(big.Int).Quo(x, y), nil
	})
	binop("remainder", func(x, y *big.Int) (*big.Int, error) {
		if y.Sign() == 0 {
			return nil, throw("java.lang.ArithmeticException", "BigInteger divide by zero")
		}
		return new(big.Int).Rem(x, y), nil
	})
	binop("mod", func(x, y *big.Int) (*big.Int, error) {
		if y.Sign() <= 0 {
			return nil, throw("java.lang.ArithmeticException", "BigInteger: modulus not positive")
		}
		return new(big.Int).Mod(x, y), nil
	})
	binop("min", func(x, y *big.Int) (*big.Int, error) {
		if x.Cmp(y) <= 0 {
			return x, nil
		}
		return y, nil
	})
	binop("max", func(x, y *big.Int) (*big.Int, error) {
		if x.Cmp(y) >= 0 {
			return x, nil
		}
		return y, nil
	})
	binop("gcd", func(x, y *big.Int) (*big.Int, error) {
		return new(big.Int).GCD(nil, nil, new(big.Int).Abs(x), new(big.Int).Abs(y)), nil
	})
	t.add("negate", retValue, func(st *state, r any, a []any) (any, error) { return new(big.Int).Neg(b(r)), nil })
	t.add("abs", retValue, func(st *state, r any, a []any) (any, error) { return new(big.Int).Abs(b(r)), nil })
	t.add("signum", retValue, func(st *state, r any, a []any) (any, error) { return int32(b(r).Sign()), nil })
	t.add("bitLength", retValue, func(st *state, r any, a []any) (any, error) {
		x := b(r)
		if x.Sign() < 0 {
			return int32(new(big.Int).Not(x).BitLen()), nil
		}
		return int32(x.BitLen()), nil
	})
	t.add("pow", retValue, func(st *state, r any, a []any) (any, error) {
		e := intArg(a[0])
		if e < 0 {
			return nil, throw("java.lang.ArithmeticException", "Negative exponent")
		}
		if x := b(r); x.Sign() != 0 && e > 0 {
			// BigInteger.pow's own bounds: 2^31 bits of magnitude.
			low := int64(x.TrailingZeroBits())
			rest := int64(x.BitLen()) - low // bits of |x| without its trailing zeros
			if low*int64(e) > math.MaxInt32 || rest > 1 && int64(x.BitLen())*int64(e)/32 > math.MaxInt32/32+1 {
				return nil, throw("java.lang.ArithmeticException", "BigInteger would overflow supported range")
			}
		}
		if err := st.checkBytes(b(r).BitLen()*e/3, posUnknown); err != nil {
			return nil, err
		}
		return new(big.Int).Exp(b(r), big.NewInt(int64(e)), nil), nil
	}, pInt)
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) {
		radix := intArg(a[0])
		if radix < 2 || radix > 36 {
			radix = 10
		}
		return b(r).Text(radix), nil
	}, pInt)
	return t
}()

var bigDecimalMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	addNumberValueMethods(t)
	t.add("compareTo", retValue, compareSame, tObject)
	t.add("compareTo", retValue, compareSame, tBigDecimal)
	t.add("scale", retValue, func(st *state, r any, a []any) (any, error) { return r.(*bigDecimal).scale, nil })
	t.add("signum", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(r.(*bigDecimal).unscaled.Sign()), nil
	})
	t.add("toPlainString", retValue, func(st *state, r any, a []any) (any, error) {
		d := r.(*bigDecimal)
		if d.scale <= 0 {
			return d.toBigInt().String(), nil
		}
		plain := &bigDecimal{unscaled: d.unscaled, scale: d.scale}
		s := plain.String()
		if strings.Contains(s, "E") { // small numbers: write them out
			digits := new(big.Int).Abs(d.unscaled).String()
			sign := ""
			if d.unscaled.Sign() < 0 {
				sign = "-"
			}
			return sign + "0." + strings.Repeat("0", int(d.scale)-len(digits)) + digits, nil
		}
		return s, nil
	})
	return t
}()

var booleanMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	t.add("booleanValue", retBool, func(st *state, r any, a []any) (any, error) { return r, nil })
	t.add("compareTo", retValue, compareSame, tObject)
	addBooleanStatics(t)
	return t
}()

var characterMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	t.add("charValue", retValue, func(st *state, r any, a []any) (any, error) { return r, nil })
	t.add("compareTo", retValue, compareSame, tObject)
	addCharacterStatics(t)
	return t
}()
