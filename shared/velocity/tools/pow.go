package tools

import (
	"math"
	"math/big"
	"sync"
)

// javaPow is Java's Math.pow, whose results on the JDK are the correctly rounded
// value of x^y; Go's math.Pow can be one unit in the last place off. Zeros,
// infinities and NaN come from math.Pow with Java's two special cases (a NaN
// exponent gives NaN, and so does ±1 to an infinite power); other results are
// x^y computed exactly (integer exponents up to 64) or in 256-bit precision, then
// rounded to the nearest double.
func javaPow(x, y float64) float64 {
	if math.IsNaN(y) || math.Abs(x) == 1 && math.IsInf(y, 0) {
		return math.NaN()
	}
	r := math.Pow(x, y)
	if r == 0 || math.IsInf(r, 0) || math.IsNaN(r) || math.IsInf(x, 0) || math.IsInf(y, 0) || y == 0 || x == 0 {
		return r
	}
	// x < 0 has a finite result only for an integer y; r has its sign.
	ax := math.Abs(x)
	var exact *big.Float
	if n := math.Abs(y); n == math.Trunc(n) && n <= 64 {
		exact = new(big.Float).SetPrec(uint(53*n) + 64).SetFloat64(1)
		b := new(big.Float).SetFloat64(ax)
		for i := 0; i < int(n); i++ {
			exact.Mul(exact, b)
		}
		if y < 0 {
			exact.Quo(new(big.Float).SetPrec(powPrec).SetFloat64(1), exact)
		}
	} else {
		exact = bigPow(ax, y)
	}
	f, _ := exact.Float64()
	return math.Copysign(f, r)
}

const powPrec = 256

var ln2 = sync.OnceValue(func() *big.Float {
	// ln 2 = 2 atanh(1/3)
	z := new(big.Float).SetPrec(powPrec).Quo(big.NewFloat(1).SetPrec(powPrec), big.NewFloat(3).SetPrec(powPrec))
	return atanh2(z)
})

// atanh2 is 2 atanh(z) = ln((1+z)/(1-z)) for small |z|, by its series.
func atanh2(z *big.Float) *big.Float {
	z2 := new(big.Float).SetPrec(powPrec).Mul(z, z)
	term := new(big.Float).SetPrec(powPrec).Set(z)
	sum := new(big.Float).SetPrec(powPrec).Set(z)
	t := new(big.Float).SetPrec(powPrec)
	for k := int64(3); ; k += 2 {
		term.Mul(term, z2)
		t.Quo(term, new(big.Float).SetPrec(powPrec).SetInt64(k))
		if t.Sign() == 0 || t.MantExp(nil)-sum.MantExp(nil) < -powPrec {
			break
		}
		sum.Add(sum, t)
	}
	return sum.Mul(sum, big.NewFloat(2))
}

// bigLog is ln(x) for x > 0: x = m·2^e with m in [0.5, 1), ln x = e ln 2 + ln m.
func bigLog(x float64) *big.Float {
	frac, e := math.Frexp(x)
	m := new(big.Float).SetPrec(powPrec).SetFloat64(frac)
	one := new(big.Float).SetPrec(powPrec).SetInt64(1)
	num := new(big.Float).SetPrec(powPrec).Sub(m, one)
	den := new(big.Float).SetPrec(powPrec).Add(m, one)
	lm := atanh2(num.Quo(num, den))
	le := new(big.Float).SetPrec(powPrec).Mul(ln2(), new(big.Float).SetPrec(powPrec).SetInt64(int64(e)))
	return lm.Add(lm, le)
}

// bigExp is e^t: t = k ln 2 + r, e^r by its series after halving r 16 times.
func bigExp(t *big.Float) *big.Float {
	q := new(big.Float).SetPrec(powPrec).Quo(t, ln2())
	kf, _ := q.Float64()
	k := math.Round(kf)
	r := new(big.Float).SetPrec(powPrec).Mul(ln2(), new(big.Float).SetPrec(powPrec).SetFloat64(k))
	r.Sub(t, r)
	const halvings = 16
	r.SetMantExp(r, -halvings)
	sum := new(big.Float).SetPrec(powPrec).SetInt64(1)
	term := new(big.Float).SetPrec(powPrec).SetInt64(1)
	for n := int64(1); n < 200; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(powPrec).SetInt64(n))
		if term.Sign() == 0 || term.MantExp(nil) < -powPrec {
			break
		}
		sum.Add(sum, term)
	}
	for i := 0; i < halvings; i++ {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}

// bigPow is x^y for x > 0 as e^(y ln x).
func bigPow(x, y float64) *big.Float {
	t := bigLog(x)
	t.Mul(t, new(big.Float).SetPrec(powPrec).SetFloat64(y))
	return bigExp(t)
}
