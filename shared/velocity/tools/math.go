package tools

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

const mathClass = "org.apache.velocity.tools.generic.MathTool"

// MathTool is Velocity Tools 2.0's org.apache.velocity.tools.generic.MathTool as the
// reference engine registers it ($mathTool, locale en_US).
//
// Arguments may be numbers or anything whose String.valueOf parses as an en_US
// number ("1,000" is 1000, "1e3" is 1, " 5" is nothing); null, unparsable arguments
// and division by zero give null. Results are an Integer when the value is whole and
// fits, else a Long, else a Double; because of a bug in Tools 2.0 that is kept here,
// add, sub, mul, div, max and min ignore whether their operands were Doubles
// (add(1.5, 1.5) is 3), while pow, abs and the aggregates do not (pow(4.0, 0.5) is
// 2.0). max starts from Double.MIN_VALUE, so max of negative numbers is 4.9E-324.
//
// A MathTool is stateless and safe for concurrent use.
type MathTool struct{}

// NewMathTool returns a MathTool.
func NewMathTool() *MathTool { return &MathTool{} }

// JavaClass returns the tool's Java class name, for the engine's messages.
func (*MathTool) JavaClass() string { return mathClass }

func (*MathTool) toNumber(v any) any { return toNumber(v, defaultFormat) }

// matchType is MathTool.matchType(double, Number...): the inputs scanned stop at the
// first null (Tools 2.0 passes arrays of nulls from its varargs methods).
func matchType(out float64, in ...any) any {
	integral := math.RoundToEven(out) == out
	if integral {
		for _, n := range in {
			if n == nil {
				break
			}
			if strings.IndexByte(numberString(n), '.') >= 0 {
				integral = false
				break
			}
		}
	}
	switch {
	case !integral:
		return out
	case out > math.MaxInt32 || out < math.MinInt32:
		return javafmt.DoubleToLong(out)
	}
	return int32(out)
}

// Method implements velocity.Object.
func (m *MathTool) Method(name string, args []any) (any, error) {
	return call(m.method, name, args)
}

func (m *MathTool) method(name string, args []any) (any, error) {
	switch name {
	case "add", "sub", "mul", "div", "max", "min":
		if len(args) == 1 && args[0] == nil {
			// A lone null is the Object... array itself, which the tool reads.
			return nil, throw("java.lang.NullPointerException", "")
		}
		return m.fold(name, args), nil
	}
	switch len(args) {
	case 0:
		switch name {
		case "getRandom":
			return rand.Float64(), nil
		case "getFormat":
			return defaultFormat, nil
		case "getLocale":
			return Locale{}, nil
		case "isConfigLocked", "isSafeMode":
			return true, nil
		case "toString":
			return identityString(mathClass), nil
		}
	case 1:
		a := args[0]
		switch name {
		case "abs":
			n := m.toNumber(a)
			if n == nil {
				return nil, nil
			}
			return matchType(math.Abs(doubleValue(n)), n), nil
		case "ceil", "floor", "round":
			n := m.toNumber(a)
			if n == nil {
				return nil, nil
			}
			d := doubleValue(n)
			switch name {
			case "ceil":
				return javafmt.DoubleToInt(math.Ceil(d)), nil
			case "floor":
				return javafmt.DoubleToInt(math.Floor(d)), nil
			}
			return javafmt.DoubleToInt(math.RoundToEven(d)), nil
		case "toInteger":
			if n := m.toNumber(a); n != nil {
				return intValue(n), nil
			}
			return nil, nil
		case "toDouble":
			if n := m.toNumber(a); n != nil {
				return doubleValue(n), nil
			}
			return nil, nil
		case "toNumber":
			return m.toNumber(a), nil
		case "getTotal", "getAverage":
			// Velocity picks getTotal(Collection) for a list; for one other value the
			// Object..., double... and long... overloads compete: a String or a
			// BigInteger only fits Object..., a number fits all three and the call is
			// ambiguous.
			if items, ok := listItems(a); ok {
				return m.total(name, items), nil
			}
			switch a.(type) {
			case string, *big.Int: // a BigInteger fits no primitive array either
				return m.total(name, []any{a}), nil
			}
		}
	case 2:
		a, b := args[0], args[1]
		switch name {
		case "pow":
			n1, n2 := m.toNumber(a), m.toNumber(b)
			if n1 == nil || n2 == nil {
				return nil, nil
			}
			return matchType(javaPow(doubleValue(n1), doubleValue(n2)), n1, n2), nil
		case "idiv", "mod":
			n1, n2 := m.toNumber(a), m.toNumber(b)
			if n1 == nil || n2 == nil || intValue(n2) == 0 {
				return nil, nil
			}
			if name == "idiv" {
				return intValue(n1) / intValue(n2), nil
			}
			return intValue(n1) % intValue(n2), nil
		case "roundTo":
			n1, n2 := m.toNumber(a), m.toNumber(b)
			if n1 == nil || n2 == nil {
				return nil, nil
			}
			places := intValue(n1)
			delta := int32(10)
			for j := int32(1); j < places; j++ {
				delta *= 10
			}
			return float64(javaRound(doubleValue(n2)*float64(delta))) / float64(delta), nil
		case "random":
			n1, n2 := m.toNumber(a), m.toNumber(b)
			if n1 == nil || n2 == nil {
				return nil, nil
			}
			d1 := doubleValue(n1)
			r := (doubleValue(n2)-d1)*rand.Float64() + d1
			if strings.IndexByte(numberString(n1)+numberString(n2), '.') < 0 {
				return matchType(math.Floor(r), n1, n2), nil
			}
			return r, nil
		case "getTotal", "getAverage":
			if items, ok := listItems(a); ok {
				if field, isNull, ok := strArg(b); ok {
					if isNull {
						return nil, nil
					}
					return m.totalOf(name, items, field), nil
				}
			}
			if isVarargsOnly(args) {
				return m.total(name, args), nil
			}
		}
	default:
		if (name == "getTotal" || name == "getAverage") && isVarargsOnly(args) {
			return m.total(name, args), nil
		}
	}
	if v, ok, err := objectMethod(m, mathClass, name, args); ok {
		return v, err
	}
	return nil, noMethod(mathClass, name)
}

// isVarargsOnly reports whether only getTotal(Object...) accepts args: some argument
// is not a number (so double... and long... do not apply).
func isVarargsOnly(args []any) bool {
	for _, a := range args {
		if !isNumber(a) {
			return true
		}
	}
	return false
}

// fold is add, sub, mul, div, max and min over any number of operands.
func (m *MathTool) fold(name string, args []any) any {
	var value float64
	switch name {
	case "mul":
		value = 1
	case "max":
		value = math.SmallestNonzeroFloat64 // Double.MIN_VALUE, as Tools 2.0 has it
	case "min":
		value = math.MaxFloat64
	}
	for i, a := range args {
		n := m.toNumber(a)
		if n == nil {
			return nil
		}
		d := doubleValue(n)
		switch name {
		case "add":
			value += d
		case "mul":
			value *= d
		case "sub":
			if i == 0 {
				value = d
			} else {
				value -= d
			}
		case "div":
			if i == 0 {
				value = d
			} else {
				if d == 0 {
					return nil
				}
				value /= d
			}
		case "max":
			value = javaMax(value, d)
		case "min":
			value = javaMin(value, d)
		}
	}
	return matchType(value)
}

// javaMax is Math.max(double, double): NaN wins, 0.0 beats -0.0.
func javaMax(a, b float64) float64 {
	if a != a || b != b {
		return javafmt.NaN
	}
	return math.Max(a, b)
}

func javaMin(a, b float64) float64 {
	if a != a || b != b {
		return javafmt.NaN
	}
	return math.Min(a, b)
}

// javaRound is Math.round(double): the closest long, ties toward positive infinity.
func javaRound(d float64) int64 {
	if d != d {
		return 0
	}
	f := math.Floor(d)
	if d-f >= 0.5 {
		f++
	}
	return javafmt.DoubleToLong(f)
}

// total is getTotal(Collection) and getAverage(Collection).
func (m *MathTool) total(name string, items []any) any {
	var result float64
	var first any
	for _, e := range items {
		n := m.toNumber(e)
		if n == nil {
			return nil
		}
		if first == nil {
			first = n
		}
		result += doubleValue(n)
	}
	total := matchType(result, first)
	if name == "getTotal" {
		return total
	}
	return matchType(doubleValue(total)/float64(len(items)), total)
}

// totalOf is getTotal(Collection, String) and getAverage(Collection, String): the
// sum of a property of each element, skipping nulls; null if an element has no
// such property.
func (m *MathTool) totalOf(name string, items []any, field string) any {
	var result float64
	var first any
	for _, e := range items {
		p, ok := property(e, field)
		if !ok {
			return nil
		}
		n := m.toNumber(p)
		if n == nil {
			continue
		}
		if first == nil {
			first = n
		}
		result += doubleValue(n)
	}
	total := matchType(result, first)
	if name == "getTotal" {
		return total
	}
	return matchType(doubleValue(total)/float64(len(items)), total)
}
