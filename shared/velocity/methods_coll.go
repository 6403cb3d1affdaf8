package velocity

import (
	"strconv"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// java.util.ArrayList, LinkedHashMap and their views, as templates see them.

var posUnknown = parse.Pos{}

// getBytes and friends: String.getBytes(charset) for the charsets templates name.

func indexOutOfBounds(i, n int) error {
	return throw("java.lang.IndexOutOfBoundsException",
		"Index "+strconv.Itoa(i)+" out of bounds for length "+strconv.Itoa(n))
}

var listMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	items := func(st *state, r any) []any { return st.listItems(r) }
	t.add("clone", retValue, func(st *state, r any, a []any) (any, error) {
		return st.newList(append([]any(nil), items(st, r)...)), nil
	})
	t.add("size", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(len(items(st, r))), nil
	})
	t.add("isEmpty", retBool, func(st *state, r any, a []any) (any, error) {
		return len(items(st, r)) == 0, nil
	})
	t.add("get", retValue, func(st *state, r any, a []any) (any, error) {
		l := items(st, r)
		i := intArg(a[0])
		if i < 0 || i >= len(l) {
			return nil, indexOutOfBounds(i, len(l))
		}
		return l[i], nil
	}, pInt)
	t.add("add", retBool, func(st *state, r any, a []any) (any, error) {
		l := st.mutableList(r)
		l.Items = append(l.Items, a[0])
		l.mod++
		return true, nil
	}, tObject)
	t.add("add", retVoid, func(st *state, r any, a []any) (any, error) {
		l := st.mutableList(r)
		i := intArg(a[0])
		if i < 0 || i > len(l.Items) {
			return nil, throw("java.lang.IndexOutOfBoundsException", "Index: "+strconv.Itoa(i)+", Size: "+strconv.Itoa(len(l.Items)))
		}
		l.Items = append(l.Items, nil)
		copy(l.Items[i+1:], l.Items[i:])
		l.Items[i] = a[1]
		l.mod++
		return nil, nil
	}, pInt, tObject)
	t.add("addAll", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		add := append([]any(nil), st.iterItems(a[0])...)
		if err := st.checkListSize(len(st.listItems(r)) + len(add)); err != nil {
			return nil, err
		}
		l := st.mutableList(r)
		l.Items = append(l.Items, add...)
		l.mod++
		return len(add) > 0, nil
	}, tCollection)
	t.add("addAll", retBool, func(st *state, r any, a []any) (any, error) {
		if a[1] == nil {
			return nil, npe()
		}
		add := append([]any(nil), st.iterItems(a[1])...)
		if err := st.checkListSize(len(st.listItems(r)) + len(add)); err != nil {
			return nil, err
		}
		l := st.mutableList(r)
		i := intArg(a[0])
		if i < 0 || i > len(l.Items) {
			return nil, throw("java.lang.IndexOutOfBoundsException", "Index: "+strconv.Itoa(i)+", Size: "+strconv.Itoa(len(l.Items)))
		}
		l.Items = append(l.Items[:i], append(add, l.Items[i:]...)...)
		l.mod++
		return len(add) > 0, nil
	}, pInt, tCollection)
	t.add("set", retValue, func(st *state, r any, a []any) (any, error) {
		n := len(items(st, r))
		i := intArg(a[0])
		if i < 0 || i >= n {
			return nil, indexOutOfBounds(i, n)
		}
		l := st.mutableList(r)
		old := l.Items[i]
		l.Items[i] = a[1]
		return old, nil
	}, pInt, tObject)
	t.add("remove", retValue, func(st *state, r any, a []any) (any, error) {
		n := len(items(st, r))
		i := intArg(a[0])
		if i < 0 || i >= n {
			return nil, indexOutOfBounds(i, n)
		}
		l := st.mutableList(r)
		old := l.Items[i]
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		l.mod++
		return old, nil
	}, pInt)
	t.add("remove", retBool, func(st *state, r any, a []any) (any, error) {
		for i, e := range items(st, r) {
			if st.nullSafeEquals(a[0], e) {
				l := st.mutableList(r)
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				l.mod++
				return true, nil
			}
		}
		return false, nil
	}, tObject)
	t.add("clear", retVoid, func(st *state, r any, a []any) (any, error) {
		l := st.mutableList(r)
		l.Items = l.Items[:0]
		l.mod++
		return nil, nil
	})
	t.add("contains", retBool, func(st *state, r any, a []any) (any, error) {
		return st.indexIn(items(st, r), a[0]) >= 0, nil
	}, tObject)
	t.add("containsAll", retBool, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		l := items(st, r)
		for _, e := range st.iterItems(a[0]) {
			if st.indexIn(l, e) < 0 {
				return false, nil
			}
		}
		return true, nil
	}, tCollection)
	t.add("indexOf", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(st.indexIn(items(st, r), a[0])), nil
	}, tObject)
	t.add("lastIndexOf", retValue, func(st *state, r any, a []any) (any, error) {
		l := items(st, r)
		for i := len(l) - 1; i >= 0; i-- {
			if st.nullSafeEquals(a[0], l[i]) {
				return int32(i), nil
			}
		}
		return int32(-1), nil
	}, tObject)
	t.add("subList", retValue, func(st *state, r any, a []any) (any, error) {
		l := items(st, r)
		from, to := intArg(a[0]), intArg(a[1])
		switch {
		case from < 0:
			return nil, throw("java.lang.IndexOutOfBoundsException", "fromIndex = "+strconv.Itoa(from))
		case to > len(l):
			return nil, throw("java.lang.IndexOutOfBoundsException", "toIndex = "+strconv.Itoa(to))
		case from > to:
			return nil, throw("java.lang.IllegalArgumentException", "fromIndex("+strconv.Itoa(from)+") > toIndex("+strconv.Itoa(to)+")")
		}
		return st.newList(append([]any(nil), l[from:to]...)), nil
	}, pInt, pInt)
	t.add("toArray", retValue, func(st *state, r any, a []any) (any, error) {
		return &javaArray{items: append([]any(nil), items(st, r)...), cls: clsObjectArray}, nil
	})
	t.add("toArray", retValue, func(st *state, r any, a []any) (any, error) {
		return &javaArray{items: append([]any(nil), items(st, r)...), cls: clsObjectArray}, nil
	}, tObjectArray)
	t.add("removeAll", retBool, func(st *state, r any, a []any) (any, error) {
		return st.filterList(r, a[0], false)
	}, tCollection)
	t.add("retainAll", retBool, func(st *state, r any, a []any) (any, error) {
		return st.filterList(r, a[0], true)
	}, tCollection)
	addListSort(t)
	return t
}()

func (st *state) indexIn(l []any, v any) int {
	for i, e := range l {
		if st.nullSafeEquals(v, e) {
			return i
		}
	}
	return -1
}

// filterList is removeAll (keep=false) and retainAll (keep=true).
func (st *state) filterList(r, c any, keep bool) (any, error) {
	if c == nil {
		return nil, npe()
	}
	other := st.iterItems(c)
	old := st.listItems(r)
	var kept []any
	for _, e := range old {
		if (st.indexIn(other, e) >= 0) == keep {
			kept = append(kept, e)
		}
	}
	if len(kept) == len(old) {
		return false, nil
	}
	l := st.mutableList(r)
	l.Items = kept
	l.mod++
	return true, nil
}

var mapMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	t.add("clone", retValue, func(st *state, r any, a []any) (any, error) {
		m := st.newMap(mapLen(r))
		rangeMap(r, func(k string, v any) bool {
			m.Put(k, v)
			return true
		})
		return m, nil
	})
	t.add("size", retValue, func(st *state, r any, a []any) (any, error) { return int32(mapLen(r)), nil })
	t.add("isEmpty", retBool, func(st *state, r any, a []any) (any, error) { return mapLen(r) == 0, nil })
	t.add("get", retValue, func(st *state, r any, a []any) (any, error) {
		v, _ := mapGet(r, st.mapKey(a[0]))
		return v, nil
	}, tObject)
	t.add("getOrDefault", retValue, func(st *state, r any, a []any) (any, error) {
		if v, ok := mapGet(r, st.mapKey(a[0])); ok {
			return v, nil
		}
		return a[1], nil
	}, tObject, tObject)
	t.add("containsKey", retBool, func(st *state, r any, a []any) (any, error) {
		_, ok := mapGet(r, st.mapKey(a[0]))
		return ok, nil
	}, tObject)
	t.add("containsValue", retBool, func(st *state, r any, a []any) (any, error) {
		found := false
		rangeMap(r, func(_ string, v any) bool {
			found = st.nullSafeEquals(a[0], v)
			return !found
		})
		return found, nil
	}, tObject)
	put := func(st *state, r any, k, v any) (any, error) {
		return st.mutableMap(r).Put(st.mapKey(k), v), nil
	}
	t.add("put", retValue, func(st *state, r any, a []any) (any, error) {
		return put(st, r, a[0], a[1])
	}, tObject, tObject)
	t.add("putIfAbsent", retValue, func(st *state, r any, a []any) (any, error) {
		if v, ok := mapGet(r, st.mapKey(a[0])); ok && v != nil {
			return v, nil
		}
		return put(st, r, a[0], a[1])
	}, tObject, tObject)
	t.add("putAll", retVoid, func(st *state, r any, a []any) (any, error) {
		if a[0] == nil {
			return nil, npe()
		}
		other := st.resolve(a[0])
		if !isMapClass(classOf(other)) {
			return nil, classCast(other, "java.util.Map")
		}
		m := st.mutableMap(r)
		rangeMap(other, func(k string, v any) bool {
			m.Put(k, v)
			return true
		})
		return nil, nil
	}, tMap)
	t.add("remove", retValue, func(st *state, r any, a []any) (any, error) {
		k := st.mapKey(a[0])
		if _, ok := mapGet(r, k); !ok {
			return nil, nil
		}
		return st.mutableMap(r).Remove(k), nil
	}, tObject)
	t.add("remove", retBool, func(st *state, r any, a []any) (any, error) {
		k := st.mapKey(a[0])
		if v, ok := mapGet(r, k); !ok || !st.nullSafeEquals(a[1], v) {
			return false, nil
		}
		st.mutableMap(r).Remove(k)
		return true, nil
	}, tObject, tObject)
	t.add("replace", retValue, func(st *state, r any, a []any) (any, error) {
		k := st.mapKey(a[0])
		if _, ok := mapGet(r, k); !ok {
			return nil, nil
		}
		return st.mutableMap(r).Put(k, a[1]), nil
	}, tObject, tObject)
	t.add("clear", retVoid, func(st *state, r any, a []any) (any, error) {
		m := st.mutableMap(r)
		for _, k := range append([]string(nil), m.keys...) {
			m.Remove(k)
		}
		return nil, nil
	})
	t.add("keySet", retValue, func(st *state, r any, a []any) (any, error) {
		return &mapView{m: r, cls: clsKeySet}, nil
	})
	t.add("values", retValue, func(st *state, r any, a []any) (any, error) {
		return &mapView{m: r, cls: clsValues}, nil
	})
	t.add("entrySet", retValue, func(st *state, r any, a []any) (any, error) {
		return &mapView{m: r, cls: clsEntrySet}, nil
	})
	return t
}()

var viewMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	t.add("size", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(mapLen(st.resolve(r.(*mapView).m))), nil
	})
	t.add("isEmpty", retBool, func(st *state, r any, a []any) (any, error) {
		return mapLen(st.resolve(r.(*mapView).m)) == 0, nil
	})
	t.add("contains", retBool, func(st *state, r any, a []any) (any, error) {
		return st.indexIn(st.iterItems(r), a[0]) >= 0, nil
	}, tObject)
	t.add("toArray", retValue, func(st *state, r any, a []any) (any, error) {
		return &javaArray{items: st.iterItems(r), cls: clsObjectArray}, nil
	})
	t.add("toArray", retValue, func(st *state, r any, a []any) (any, error) {
		return &javaArray{items: st.iterItems(r), cls: clsObjectArray}, nil
	}, tObjectArray)
	addViewMethods(t)
	return t
}()

var entryMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	t.add("getKey", retValue, func(st *state, r any, a []any) (any, error) { return keyValue(r.(*mapEntry).key), nil })
	t.add("getValue", retValue, func(st *state, r any, a []any) (any, error) { return r.(*mapEntry).val, nil })
	t.add("setValue", retValue, func(st *state, r any, a []any) (any, error) {
		e := r.(*mapEntry)
		old := e.val
		e.val = a[0]
		if e.m != nil {
			st.mutableMap(e.m).Put(e.key, a[0])
		}
		return old, nil
	}, tObject)
	return t
}()

// arrayMethods are those Velocity gives arrays through its ArrayListWrapper.
var arrayMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	t["toString"] = nil // an array prints its identity
	t.add("toString", retValue, func(st *state, r any, a []any) (any, error) { return st.toString(r) })
	t.add("size", retValue, func(st *state, r any, a []any) (any, error) {
		return int32(len(r.(*javaArray).items)), nil
	})
	t.add("isEmpty", retBool, func(st *state, r any, a []any) (any, error) {
		return len(r.(*javaArray).items) == 0, nil
	})
	t.add("get", retValue, func(st *state, r any, a []any) (any, error) {
		l := r.(*javaArray).items
		i := intArg(a[0])
		if i < 0 || i >= len(l) {
			return nil, throw("java.lang.ArrayIndexOutOfBoundsException",
				"Index "+strconv.Itoa(i)+" out of bounds for length "+strconv.Itoa(len(l)))
		}
		return l[i], nil
	}, pInt)
	t.add("contains", retBool, func(st *state, r any, a []any) (any, error) {
		return st.indexIn(r.(*javaArray).items, a[0]) >= 0, nil
	}, tObject)
	addArrayMethods(t)
	return t
}()

// foreachScope is $foreach (ForeachScope): the loop's index and neighbours, and a
// map of its own.
type foreachScope struct {
	index   int
	hasNext bool
	parent  *foreachScope
	// replaced is a non-scope value $foreach had before the loop.
	replaced any
	store    *Map
	// owner is the #foreach the scope belongs to, which #break($foreach) stops.
	owner any
}

func (s *foreachScope) storage(k string) any {
	if s.store != nil {
		if v, ok := s.store.Get(k); ok {
			return v
		}
	}
	if s.parent != nil {
		return s.parent.storage(k)
	}
	return nil
}

func (s *foreachScope) put(k string, v any) any {
	if s.store == nil {
		s.store = NewHashMap(2) // Scope keeps its entries in a java.util.HashMap
	}
	return s.store.Put(k, v)
}

func (s *foreachScope) topmost() *foreachScope {
	for s.parent != nil {
		s = s.parent
	}
	return s
}

var scopeMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	sc := func(r any) *foreachScope { return r.(*foreachScope) }
	t.add("getIndex", retValue, func(st *state, r any, a []any) (any, error) { return int32(sc(r).index), nil })
	t.add("getCount", retValue, func(st *state, r any, a []any) (any, error) { return int32(sc(r).index + 1), nil })
	t.add("hasNext", retBool, func(st *state, r any, a []any) (any, error) { return sc(r).hasNext, nil })
	t.add("getHasNext", retBool, func(st *state, r any, a []any) (any, error) { return sc(r).hasNext, nil })
	t.add("isFirst", retBool, func(st *state, r any, a []any) (any, error) { return sc(r).index < 1, nil })
	t.add("getFirst", retBool, func(st *state, r any, a []any) (any, error) { return sc(r).index < 1, nil })
	t.add("isLast", retBool, func(st *state, r any, a []any) (any, error) { return !sc(r).hasNext, nil })
	t.add("getLast", retBool, func(st *state, r any, a []any) (any, error) { return !sc(r).hasNext, nil })
	t.add("getParent", retValue, func(st *state, r any, a []any) (any, error) {
		if p := sc(r).parent; p != nil {
			return p, nil
		}
		return nil, nil
	})
	t.add("getTopmost", retValue, func(st *state, r any, a []any) (any, error) { return sc(r).topmost(), nil })
	t.add("getReplaced", retValue, func(st *state, r any, a []any) (any, error) {
		for s := sc(r); s != nil; s = s.parent {
			if s.replaced != nil {
				return s.replaced, nil
			}
		}
		return nil, nil
	})
	t.add("get", retValue, func(st *state, r any, a []any) (any, error) {
		return sc(r).storage(st.mapKey(a[0])), nil
	}, tObject)
	t.add("put", retValue, func(st *state, r any, a []any) (any, error) {
		return sc(r).put(st.mapKey(a[0]), a[1]), nil
	}, tObject, tObject)
	t.add("size", retValue, func(st *state, r any, a []any) (any, error) {
		if s := sc(r).store; s != nil {
			return int32(s.Len()), nil
		}
		return int32(0), nil
	})
	t.add("isEmpty", retBool, func(st *state, r any, a []any) (any, error) {
		return sc(r).store == nil || sc(r).store.Len() == 0, nil
	})
	return t
}()

var blockMethods = func() methodTable {
	t := methodTable{}
	addObjectMethods(t)
	return t
}()
