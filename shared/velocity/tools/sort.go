package tools

import (
	"math/big"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/flowhook/flowhook/shared/velocity"
)

const sortClass = "org.apache.velocity.tools.generic.SortTool"

// SortTool is Velocity Tools 2.0's org.apache.velocity.tools.generic.SortTool
// ($sorter and $sortTool in the reference).
//
// sort(list) sorts a copy by natural order (Strings by UTF-16 code units, numbers
// within one class); sort(map) sorts the map's values; sort(x) of any other
// non-null value is the list [x]; sort(list, "prop:desc") and
// sort(list, ["a", "b:desc"]) sort by properties (map keys or getters), comparing
// Strings case-insensitively. Where Java throws inside the sort (elements of
// different classes, null values, no such property) the result is null. The sort
// is stable.
//
// A SortTool is stateless and safe for concurrent use.
type SortTool struct{}

// NewSortTool returns a SortTool.
func NewSortTool() *SortTool { return &SortTool{} }

// JavaClass returns the tool's Java class name, for the engine's messages.
func (*SortTool) JavaClass() string { return sortClass }

// Method implements velocity.Object.
func (s *SortTool) Method(name string, args []any) (any, error) {
	return call(s.method, name, args)
}

func (s *SortTool) method(name string, args []any) (any, error) {
	if name == "sort" {
		switch len(args) {
		case 1:
			if items, ok := s.elements(args[0]); ok {
				return sortItems(items, nil), nil
			}
			if args[0] == nil {
				return nil, nil
			}
			// Any other value is sort(Object[]) with one element: Velocity 1.7
			// passes a lone argument to an array parameter as a varargs array.
			return sortItems([]any{args[0]}, nil), nil
		case 2:
			items, ok := s.elements(args[0])
			if props, isList := listItems(args[1]); isList {
				if !ok {
					return nil, noMethod(sortClass, name)
				}
				ps := make([]string, len(props))
				for i, p := range props {
					if p == nil {
						return nil, nil
					}
					ps[i] = javaString(p)
				}
				return sortItems(items, ps), nil
			}
			if p, isNull, isStr := strArg(args[1]); isStr {
				if !ok || isNull {
					return nil, nil
				}
				return sortItems(items, []string{p}), nil
			}
		}
	}
	if v, ok, err := objectMethod(s, sortClass, name, args); ok {
		return v, err
	}
	return nil, noMethod(sortClass, name)
}

// elements returns the values to sort: a collection's elements or a map's values.
func (*SortTool) elements(a any) ([]any, bool) {
	if items, ok := listItems(a); ok {
		return items, true
	}
	if isMapValue(a) {
		return mapValues(a), true
	}
	return nil, false
}

// errSort stands for an exception thrown while sorting.
type errSort struct{}

// sortItems sorts a copy of items, by natural order or by properties; nil when Java
// would have thrown.
func sortItems(items []any, props []string) (result any) {
	out := make([]any, len(items))
	copy(out, items)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errSort); !ok {
				panic(r)
			}
			result = nil
		}
	}()
	if props == nil {
		sort.SliceStable(out, func(i, j int) bool { return compareNatural(out[i], out[j]) < 0 })
		return &velocity.List{Items: out}
	}
	type prop struct {
		name string
		sign int
	}
	ps := make([]prop, len(props))
	for i, p := range props {
		ps[i] = prop{p, 1}
		if name, typ, ok := strings.Cut(p, ":"); ok {
			ps[i].name = name
			if equalFoldASCII(typ, "desc") {
				ps[i].sign = -1
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		for _, p := range ps {
			l := comparable(out[i], p.name)
			r := comparable(out[j], p.name)
			var c int
			switch {
			case l == nil && r != nil:
				panic(errSort{}) // right.compareTo(null)
			case l == nil:
				c = 0
			default:
				if ls, ok := l.(string); ok {
					rs, ok := r.(string)
					if !ok {
						panic(errSort{})
					}
					c = compareIgnoreCase(ls, rs)
				} else {
					c = compareNatural(l, r)
				}
			}
			if c != 0 {
				return c*p.sign < 0
			}
		}
		return false
	})
	return &velocity.List{Items: out}
}

// comparable is SortTool.getComparable: the property of a bean, which must be a
// Comparable.
func comparable(bean any, name string) any {
	v, ok := property(bean, name)
	if !ok {
		panic(errSort{})
	}
	if v != nil && !isComparable(v) {
		panic(errSort{})
	}
	return v
}

func isComparable(v any) bool {
	switch v.(type) {
	case string, bool, int32, int64, float64, float32, *big.Int, int8, int16, *Date, *Calendar:
		return true
	}
	return false
}

// compareNatural is a.compareTo(b) for two Comparables of the same class; it panics
// with errSort where Java throws (null, or different classes).
func compareNatural(a, b any) int {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return compareUTF16(x, y)
		}
	case int32:
		if y, ok := b.(int32); ok {
			return cmp3(x < y, x > y)
		}
	case int64:
		if y, ok := b.(int64); ok {
			return cmp3(x < y, x > y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return compareDouble(x, y)
		}
	case float32:
		if y, ok := b.(float32); ok {
			return compareDouble(float64(x), float64(y))
		}
	case *big.Int:
		if y, ok := b.(*big.Int); ok {
			return x.Cmp(y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			return cmp3(!x && y, x && !y)
		}
	case *Date:
		if y, ok := b.(*Date); ok {
			return cmp3(x.ms < y.ms, x.ms > y.ms)
		}
	case *Calendar:
		if y, ok := b.(*Calendar); ok {
			return cmp3(x.ms < y.ms, x.ms > y.ms)
		}
	}
	panic(errSort{})
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// compareDouble is Double.compare: -0.0 < 0.0, NaN greatest.
func compareDouble(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	sa, sb := a == 0 && 1/a < 0, b == 0 && 1/b < 0
	return cmp3(sa && !sb, !sa && sb)
}

// compareUTF16 is String.compareTo: by UTF-16 code units.
func compareUTF16(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

// compareIgnoreCase is String.compareToIgnoreCase.
func compareIgnoreCase(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		c1, c2 := ua[i], ub[i]
		if c1 != c2 {
			c1 = uint16(toUpper16(c1))
			c2 = uint16(toUpper16(c2))
			if c1 != c2 {
				c1 = uint16(toLower16(c1))
				c2 = uint16(toLower16(c2))
				if c1 != c2 {
					return int(c1) - int(c2)
				}
			}
		}
	}
	return len(ua) - len(ub)
}
