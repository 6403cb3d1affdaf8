package tools

import (
	"math/big"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// This file is Velocity Tools' ConversionUtils for the en_US locale.

// defaultFormat is the "format" every FormatConfig tool has unless configured.
const defaultFormat = "default"

// numberStyle is ConversionUtils.getNumberStyleAsInt: a NumberFormat style name
// (case-insensitive), or -1 for a DecimalFormat pattern.
func numberStyle(s string) javafmt.NumberStyle {
	if len(s) < 6 || len(s) > 8 {
		return -1
	}
	switch {
	case equalFoldASCII(s, "default"), equalFoldASCII(s, "number"):
		return javafmt.StyleNumber
	case equalFoldASCII(s, "currency"):
		return javafmt.StyleCurrency
	case equalFoldASCII(s, "percent"):
		return javafmt.StylePercent
	case equalFoldASCII(s, "integer"):
		return javafmt.StyleInteger
	}
	return -1
}

// equalFoldASCII is String.equalsIgnoreCase for an ASCII word.
func equalFoldASCII(s, word string) bool {
	if len(s) != len(word) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// numberFormat is ConversionUtils.getNumberFormat(format, locale): a style instance or
// a compiled pattern; a pattern Java rejects returns its IllegalArgumentException.
func numberFormat(format string) (*javafmt.DecimalFormat, error) {
	if st := numberStyle(format); st >= 0 {
		return javafmt.NumberInstance(st), nil
	}
	f, err := javafmt.CachedDecimalFormat(format)
	if err != nil {
		return nil, throw("java.lang.IllegalArgumentException", err.Error())
	}
	return f, nil
}

// toNumber is ConversionUtils.toNumber(obj, format, locale): a Number as it is, a
// Date or Calendar as its milliseconds, anything else printed (String.valueOf) and
// parsed with the format; nil when that fails.
func toNumber(v any, format string) any {
	switch x := v.(type) {
	case int32, int64, float64, float32, int8, int16, *big.Int:
		return v
	case *Date:
		return x.ms
	case *Calendar:
		return x.ms
	}
	return parseNumber(javaString(v), format)
}

// parseNumber is NumberFormat.parse(String) with the format: a Long (int64) or a
// Double (float64) read from the start of s, or nil.
func parseNumber(s, format string) any {
	nf, err := numberFormat(format)
	if err != nil {
		return nil
	}
	r, _, ok := nf.Parse(s)
	if !ok {
		return nil
	}
	if r.IsFloat {
		return r.Float
	}
	return r.Int
}

// formatNumber is NumberFormat.format(Object) of a Number.
func formatNumber(nf *javafmt.DecimalFormat, n any) string {
	switch x := n.(type) {
	case int32:
		return nf.FormatInt(int64(x))
	case int64:
		return nf.FormatInt(x)
	case int8:
		return nf.FormatInt(int64(x))
	case int16:
		return nf.FormatInt(int64(x))
	case float64:
		return nf.FormatFloat(x)
	case float32:
		return nf.FormatFloat(float64(x))
	case *big.Int:
		return nf.FormatBig(x)
	}
	return nf.FormatFloat(doubleValue(n))
}

// dateStyle is ConversionUtils.getDateStyleAsInt.
func dateStyle(s string) int {
	if len(s) < 4 || len(s) > 7 {
		return -1
	}
	switch {
	case equalFoldASCII(s, "full"):
		return javafmt.Full
	case equalFoldASCII(s, "long"):
		return javafmt.Long
	case equalFoldASCII(s, "medium"), equalFoldASCII(s, "default"):
		return javafmt.Medium
	case equalFoldASCII(s, "short"):
		return javafmt.Short
	}
	return -1
}

// dateFormat is ConversionUtils.getDateFormat(format, locale, zone): a style
// ("medium", "full_date", "short_time"...) or a SimpleDateFormat pattern. A pattern
// Java rejects returns its IllegalArgumentException.
func dateFormat(format string) (*javafmt.SimpleDateFormat, error) {
	if n := len(format); n >= 5 {
		switch format[n-5:] {
		case "_date":
			return javafmt.StyleFormat(dateStyle(format[:n-5]), -1), nil
		case "_time":
			return javafmt.StyleFormat(-1, dateStyle(format[:n-5])), nil
		}
	}
	if st := dateStyle(format); st >= 0 {
		return javafmt.StyleFormat(st, st), nil
	}
	f, err := javafmt.CachedSimpleDateFormat(format)
	if err != nil {
		return nil, throw("java.lang.IllegalArgumentException", err.Error())
	}
	return f, nil
}
