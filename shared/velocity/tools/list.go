package tools

import (
	"github.com/flowhook/flowhook/shared/velocity"
)

const listClass = "org.apache.velocity.tools.generic.ListTool"

// ListTool is Velocity Tools 2.0's org.apache.velocity.tools.generic.ListTool
// ($listTool in the reference): get, set, size, isEmpty, contains, isList, isArray.
//
// set changes lists the template made (list literals, ranges); the engine never
// changes input data, so set on a list from the context returns "" like Java but
// leaves the list as it was.
//
// A ListTool is stateless and safe for concurrent use.
type ListTool struct{}

// NewListTool returns a ListTool.
func NewListTool() *ListTool { return &ListTool{} }

// JavaClass returns the tool's Java class name, for the engine's messages.
func (*ListTool) JavaClass() string { return listClass }

// Method implements velocity.Object.
func (l *ListTool) Method(name string, args []any) (any, error) {
	return call(l.method, name, args)
}

func (l *ListTool) method(name string, args []any) (any, error) {
	switch len(args) {
	case 1:
		items, isList := listItems(args[0])
		switch name {
		case "size":
			if !isList {
				return nil, nil
			}
			return int32(len(items)), nil
		case "isEmpty":
			if !isList {
				return nil, nil
			}
			return len(items) == 0, nil
		case "isList":
			return isList, nil
		case "isArray":
			return false, nil
		}
	case 2:
		items, isList := listItems(args[0])
		switch name {
		case "get":
			i, ok := intArg(args[1])
			if !ok {
				break
			}
			if !isList || i < 0 || i >= len(items) {
				return nil, nil
			}
			return items[i], nil
		case "contains":
			if !isList {
				return nil, nil
			}
			for _, e := range items {
				if javaEquals(e, args[1]) {
					return true, nil
				}
			}
			return false, nil
		}
	case 3:
		if name == "set" {
			i, ok := intArg(args[1])
			if !ok {
				break
			}
			items, isList := listItems(args[0])
			if !isList || i < 0 || i >= len(items) {
				return nil, nil
			}
			if vl, ok := args[0].(*velocity.List); ok {
				vl.Items[i] = args[2]
			}
			return "", nil
		}
	}
	if v, ok, err := objectMethod(l, listClass, name, args); ok {
		return v, err
	}
	return nil, noMethod(listClass, name)
}

// javaEquals is Object.equals for template values: same class and value.
func javaEquals(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string, bool, int32, int64, float32, int8, int16:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && (x == y && (x != 0 || (1/x > 0) == (1/y > 0)) || (x != x && y != y))
	case *Date:
		y, ok := b.(*Date)
		return ok && x.ms == y.ms
	}
	if isNumber(a) && isNumber(b) {
		return numberString(a) == numberString(b) && sameNumberClass(a, b)
	}
	if la, ok := listItems(a); ok {
		lb, ok := listItems(b)
		if !ok || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !javaEquals(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func sameNumberClass(a, b any) bool {
	switch a.(type) {
	case int32:
		_, ok := b.(int32)
		return ok
	case int64:
		_, ok := b.(int64)
		return ok
	}
	return isNumber(b)
}
