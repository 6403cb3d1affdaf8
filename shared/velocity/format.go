package velocity

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/internal/javafmt"
)

// javaFormat is String.format(format, args...) for the en_US locale, with the
// conversions templates use: %s %S %d %x %X %o %f %e %E %c %b %B %h %n %%, the
// flags - 0 + space , ( #, width, precision and explicit argument indexes (%2$s).
// Other conversions fail with an error naming them. nullArray is a null Object[]
// passed for the arguments, which Formatter reads as null for every specifier.
func (st *state) javaFormat(format string, args []any, nullArray bool) (string, error) {
	var b strings.Builder
	next := 0 // the next ordinary argument
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		// argument index
		argIndex := -1
		k := j
		for k < len(format) && format[k] >= '0' && format[k] <= '9' {
			k++
		}
		if k < len(format) && format[k] == '$' && k > j {
			argIndex, _ = strconv.Atoi(format[j:k])
			j = k + 1
		}
		flags := ""
		for j < len(format) && strings.IndexByte("-#+ 0,(<", format[j]) >= 0 {
			flags += string(format[j])
			j++
		}
		width := -1
		k = j
		for k < len(format) && format[k] >= '0' && format[k] <= '9' {
			k++
		}
		if k > j {
			var err error
			if width, err = strconv.Atoi(format[j:k]); err != nil || width > math.MaxInt32 {
				return "", throw("java.util.IllegalFormatWidthException", "-2147483648")
			}
			j = k
			if err := st.checkBytes(b.Len()+width, posUnknown); err != nil {
				return "", err // %2000000000s
			}
		}
		prec := -1
		if j < len(format) && format[j] == '.' {
			k = j + 1
			for k < len(format) && format[k] >= '0' && format[k] <= '9' {
				k++
			}
			if k == j+1 {
				return "", throw("java.util.IllegalFormatPrecisionException", format[i:])
			}
			var err error
			if prec, err = strconv.Atoi(format[j+1 : k]); err != nil || prec > math.MaxInt32 {
				return "", throw("java.util.IllegalFormatPrecisionException", "-2147483648")
			}
			j = k
		}
		if j >= len(format) {
			return "", throw("java.util.UnknownFormatConversionException", "Conversion = '%'")
		}
		conv := format[j]
		i = j
		if prec > 0 && strings.IndexByte("feE", conv) >= 0 {
			if err := st.checkBytes(b.Len()+prec, posUnknown); err != nil {
				return "", err // %.2000000000f
			}
		}
		switch conv {
		case '%':
			b.WriteString(pad("%", width, flags))
			continue
		case 'n':
			b.WriteByte('\n')
			continue
		}
		var arg any
		switch {
		case strings.Contains(flags, "<"):
			arg = st.lastFormatArg
		case nullArray:
			arg = nil
		case argIndex > 0:
			if argIndex > len(args) {
				return "", throw("java.util.MissingFormatArgumentException", "Format specifier '"+format[strings.LastIndexByte(format[:i], '%'):i+1]+"'")
			}
			arg = args[argIndex-1]
		default:
			if next >= len(args) {
				return "", throw("java.util.MissingFormatArgumentException", "Format specifier '"+format[strings.LastIndexByte(format[:i], '%'):i+1]+"'")
			}
			arg = args[next]
			next++
		}
		st.lastFormatArg = arg
		s, err := st.formatOne(conv, flags, prec, arg)
		if err != nil {
			return "", err
		}
		b.WriteString(pad(s, width, flags))
	}
	return b.String(), nil
}

func pad(s string, width int, flags string) string {
	n := utf16Len(s)
	if width <= n {
		return s
	}
	if strings.Contains(flags, "-") {
		return s + strings.Repeat(" ", width-n)
	}
	if strings.Contains(flags, "0") {
		sign := ""
		if len(s) > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ') {
			sign, s = s[:1], s[1:]
		}
		return sign + strings.Repeat("0", width-n) + s
	}
	return strings.Repeat(" ", width-n) + s
}

func badConversion(conv byte, arg any) error {
	return throw("java.util.IllegalFormatConversionException", string(conv)+" != "+className(arg))
}

func (st *state) formatOne(conv byte, flags string, prec int, arg any) (string, error) {
	switch conv {
	case 's', 'S':
		s := "null"
		if arg != nil {
			var err error
			if s, err = st.toString(arg); err != nil {
				return "", err
			}
		}
		if prec >= 0 && prec < len(s) {
			s = newJString(s).slice(0, min(prec, newJString(s).length()))
		}
		if conv == 'S' {
			s = javaUpper(s)
		}
		return s, nil
	case 'b', 'B':
		s := "true"
		if arg == nil {
			s = "false"
		} else if v, ok := arg.(bool); ok {
			s = strconv.FormatBool(v)
		}
		if conv == 'B' {
			s = strings.ToUpper(s)
		}
		return s, nil
	case 'h', 'H':
		if arg == nil {
			return "null", nil
		}
		s := strconv.FormatUint(uint64(uint32(st.javaHash(arg))), 16)
		if conv == 'H' {
			s = strings.ToUpper(s)
		}
		return s, nil
	case 'c':
		switch x := arg.(type) {
		case nil:
			return "null", nil
		case javaChar:
			return appendUTF16Char(x), nil
		case int32:
			return string(rune(x)), nil
		}
		return "", badConversion(conv, arg)
	case 'd', 'x', 'X', 'o':
		var n *big.Int
		switch arg.(type) {
		case nil:
			return "null", nil
		case int32, int64, int16, int8, *big.Int:
			n = toBigInt(arg)
		default:
			return "", badConversion(conv, arg)
		}
		if conv != 'd' {
			bitsN := map[jclass]uint{clsInteger: 32, clsLong: 64, clsShort: 16, clsByte: 8}[classOf(arg)]
			if n.Sign() < 0 && bitsN > 0 {
				n = new(big.Int).Add(n, new(big.Int).Lsh(big.NewInt(1), bitsN))
			}
			base := map[byte]int{'x': 16, 'X': 16, 'o': 8}[conv]
			s := n.Text(base)
			if conv == 'X' {
				s = strings.ToUpper(s)
			}
			if strings.Contains(flags, "#") {
				s = map[byte]string{'x': "0x", 'X': "0X", 'o': "0"}[conv] + s
			}
			return s, nil
		}
		digits := new(big.Int).Abs(n).String()
		if strings.Contains(flags, ",") {
			digits = groupThousands(digits)
		}
		return signed(digits, n.Sign() < 0, flags), nil
	case 'f', 'e', 'E':
		var f float64
		switch arg.(type) {
		case nil:
			return "null", nil
		case float64, float32:
			f = doubleValue(arg)
		case *bigDecimal:
			f = doubleValue(arg)
		default:
			return "", badConversion(conv, arg)
		}
		if prec < 0 {
			prec = 6
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			s := "NaN"
			if math.IsInf(f, 0) {
				s = "Infinity"
			}
			return signed(s, f < 0, flags), nil
		}
		digits, exp := javaDigits(arg)
		var s string
		if conv == 'f' {
			s = fixedDigits(digits, exp, prec)
			if strings.Contains(flags, ",") {
				intPart, frac, _ := strings.Cut(s, ".")
				s = groupThousands(intPart)
				if frac != "" {
					s += "." + frac
				}
			}
		} else {
			s = sciDigits(digits, exp, prec)
			if conv == 'E' {
				s = strings.ToUpper(s)
			}
		}
		return signed(s, math.Signbit(f), flags), nil
	}
	return "", &unsupportedMethod{"String.format conversion %" + string(conv)}
}

func signed(s string, neg bool, flags string) string {
	switch {
	case neg && strings.Contains(flags, "("):
		return "(" + s + ")"
	case neg:
		return "-" + s
	case strings.Contains(flags, "+"):
		return "+" + s
	case strings.Contains(flags, " "):
		return " " + s
	}
	return s
}

func groupThousands(d string) string {
	if len(d) <= 3 {
		return d
	}
	var b strings.Builder
	first := len(d) % 3
	if first > 0 {
		b.WriteString(d[:first])
	}
	for i := first; i < len(d); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d[i : i+3])
	}
	return b.String()
}

// javaDigits returns the decimal digits Java's Double.toString develops for a
// number (without sign) and the exponent: value = 0.digits × 10^exp.
func javaDigits(v any) (string, int) {
	var s string
	if f, ok := v.(float32); ok {
		s = javafmt.FormatFloat(f)
	} else {
		s = javafmt.FormatDouble(math.Abs(doubleValue(v)))
	}
	s = strings.TrimPrefix(s, "-")
	mant, expPart, hasExp := strings.Cut(s, "E")
	exp := 0
	if hasExp {
		exp, _ = strconv.Atoi(expPart)
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	exp += len(intPart)
	trimmed := strings.TrimLeft(digits, "0")
	exp -= len(digits) - len(trimmed)
	trimmed = strings.TrimRight(trimmed, "0")
	if trimmed == "" {
		return "0", 1
	}
	return trimmed, exp
}

// roundHalfUp rounds the digit string to n digits, returning the new digits and
// exponent change.
func roundHalfUp(digits string, n int) (string, int) {
	if n >= len(digits) {
		return digits, 0
	}
	if n < 0 {
		return "", 0
	}
	keep := []byte(digits[:n])
	if digits[n] >= '5' {
		i := n - 1
		for ; i >= 0; i-- {
			if keep[i] < '9' {
				keep[i]++
				break
			}
			keep[i] = '0'
		}
		if i < 0 {
			return "1" + string(keep), 1
		}
	}
	return string(keep), 0
}

// fixedDigits formats 0.digits × 10^exp with prec fraction digits, HALF_UP.
func fixedDigits(digits string, exp, prec int) string {
	if digits == "0" {
		exp = 1
	}
	d, carry := roundHalfUp(digits, exp+prec)
	exp += carry
	if d == "" {
		d = "0"
		exp = 1
	}
	// lay the digits out around the point
	var intPart, frac string
	switch {
	case exp <= 0:
		intPart = "0"
		frac = strings.Repeat("0", -exp) + d
	case exp >= len(d):
		intPart = d + strings.Repeat("0", exp-len(d))
	default:
		intPart, frac = d[:exp], d[exp:]
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if len(frac) < prec {
		frac += strings.Repeat("0", prec-len(frac))
	}
	frac = frac[:prec]
	if prec == 0 {
		return intPart
	}
	return intPart + "." + frac
}

// sciDigits formats 0.digits × 10^exp as d.ddde+xx with prec fraction digits.
func sciDigits(digits string, exp, prec int) string {
	if digits == "0" {
		return "0" + dotZeros(prec) + "e+00"
	}
	d, carry := roundHalfUp(digits, prec+1)
	exp += carry
	d += strings.Repeat("0", prec+1-len(d))
	s := d[:1]
	if prec > 0 {
		s += "." + d[1:prec+1]
	}
	e := exp - 1
	sign := "+"
	if e < 0 {
		sign, e = "-", -e
	}
	es := strconv.Itoa(e)
	if len(es) < 2 {
		es = "0" + es
	}
	return s + "e" + sign + es
}

func dotZeros(n int) string {
	if n == 0 {
		return ""
	}
	return "." + strings.Repeat("0", n)
}
