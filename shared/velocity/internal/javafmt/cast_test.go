package javafmt

import (
	"math"
	"testing"
)

// The expected values are what Java's (int) and (long) casts give.
func TestDoubleCasts(t *testing.T) {
	cases := []struct {
		name string
		d    float64
		i    int32
		l    int64
	}{
		{"zero", 0, 0, 0},
		{"truncates toward zero", 2.9, 2, 2},
		{"negative truncates toward zero", -2.9, -2, -2},
		{"NaN", math.NaN(), 0, 0},
		{"Java NaN", NaN, 0, 0},
		{"int max", 2147483647, math.MaxInt32, 2147483647},
		{"past int max", 2147483648.5, math.MaxInt32, 2147483648},
		{"past int min", -2147483649, math.MinInt32, -2147483649},
		{"1e19", 1e19, math.MaxInt32, math.MaxInt64},
		{"-1e19", -1e19, math.MinInt32, math.MinInt64},
		{"infinity", math.Inf(1), math.MaxInt32, math.MaxInt64},
		{"minus infinity", math.Inf(-1), math.MinInt32, math.MinInt64},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DoubleToInt(tc.d); got != tc.i {
				t.Errorf("DoubleToInt(%v) = %d, want %d", tc.d, got, tc.i)
			}
			if got := DoubleToLong(tc.d); got != tc.l {
				t.Errorf("DoubleToLong(%v) = %d, want %d", tc.d, got, tc.l)
			}
		})
	}
}
