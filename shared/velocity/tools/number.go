package tools

const numberClass = "org.apache.velocity.tools.generic.NumberTool"

// NumberTool is Velocity Tools 2.0's org.apache.velocity.tools.generic.NumberTool as
// the reference engine registers it ($numberTool, locale en_US).
//
// format(pattern, n) takes a java.text.DecimalFormat pattern or a style name:
// "number"/"default" (#,##0.###), "integer" (#,##0), "currency" (¤#,##0.00, USD) or
// "percent" (#,##0%). Rounding is HALF_EVEN on the digits Double.toString gives, as
// DecimalFormat does.
//
// Reteno documents $numberTool.integer as "output of an integer without rounding";
// the tool actually formats with NumberFormat.getIntegerInstance, which rounds half
// to even and groups thousands: integer(1234.5) is "1,234", integer(3.5) is "4",
// integer(2.5) is "2". This follows the tool, not the wording.
//
// A NumberTool is stateless and safe for concurrent use.
type NumberTool struct{}

// NewNumberTool returns a NumberTool.
func NewNumberTool() *NumberTool { return &NumberTool{} }

// JavaClass returns the tool's Java class name, for the engine's messages.
func (*NumberTool) JavaClass() string { return numberClass }

// Method implements velocity.Object.
func (t *NumberTool) Method(name string, args []any) (any, error) {
	return call(t.method, name, args)
}

func (t *NumberTool) method(name string, args []any) (any, error) {
	switch len(args) {
	case 0:
		switch name {
		case "getFormat":
			return defaultFormat, nil
		case "getLocale":
			return Locale{}, nil
		case "isConfigLocked", "isSafeMode":
			return true, nil
		}
	case 1:
		switch name {
		case "format":
			return t.format(defaultFormat, false, args[0])
		case "currency", "integer", "number", "percent":
			return t.format(name, false, args[0])
		case "toNumber":
			return toNumber(args[0], defaultFormat), nil
		}
	case 2:
		if f, isNull, ok := strArg(args[0]); ok {
			switch name {
			case "format":
				return t.format(f, isNull, args[1])
			case "toNumber":
				if isNull {
					return nil, nil
				}
				return toNumber(args[1], f), nil
			}
		}
	case 3:
		f, isNull, ok := strArg(args[0])
		if _, isLocale := args[2].(Locale); ok && (isLocale || args[2] == nil) {
			switch name {
			case "format":
				return t.format(f, isNull || args[2] == nil, args[1])
			case "toNumber":
				if isNull || args[2] == nil {
					return nil, nil
				}
				return toNumber(args[1], f), nil
			}
		}
	}
	if v, ok, err := objectMethod(t, numberClass, name, args); ok {
		return v, err
	}
	return nil, noMethod(numberClass, name)
}

// format is NumberTool.format(String, Object, Locale): the number first (a null
// argument or an unparsable string gives null), then the format, which throws for a
// bad pattern even when there is no number.
func (t *NumberTool) format(format string, nullFormat bool, v any) (any, error) {
	n := toNumber(v, defaultFormat)
	if nullFormat {
		return nil, nil
	}
	nf, err := numberFormat(format)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, nil
	}
	return formatNumber(nf, n), nil
}
