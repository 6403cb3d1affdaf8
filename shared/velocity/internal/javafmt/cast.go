package javafmt

import "math"

// NaN is Double.NaN's bit pattern (Go's math.NaN differs in the last bit), for
// results that Java prints or compares as its own NaN.
var NaN = math.Float64frombits(0x7ff8000000000000)

// DoubleToInt is Java's (int) cast of a double: truncation toward zero, NaN to 0, values out
// of range saturated to Integer.MIN_VALUE or Integer.MAX_VALUE.
func DoubleToInt(d float64) int32 {
	switch {
	case d != d:
		return 0
	case d >= math.MaxInt32:
		return math.MaxInt32
	case d <= math.MinInt32:
		return math.MinInt32
	}
	return int32(d)
}

// DoubleToLong is Java's (long) cast of a double: truncation toward zero, NaN to 0, values
// out of range saturated to Long.MIN_VALUE or Long.MAX_VALUE.
func DoubleToLong(d float64) int64 {
	switch {
	case d != d:
		return 0
	case d >= 9.223372036854775807e18:
		return math.MaxInt64
	case d <= -9.223372036854775808e18:
		return math.MinInt64
	}
	return int64(d)
}
