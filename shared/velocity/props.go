package velocity

import (
	"errors"
	"strings"
	"sync/atomic"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// This file resolves $a.b, $a.m(x) and $a[i] as Velocity 1.7's UberspectImpl:
// a property is getB(), getb(), get("b") on maps or objects with get(String), then
// isB(); methods are chosen among overloads by Java's rules.

type propPart struct {
	id string
	at parse.Pos
	// the accessor names tried in order: getId, getid/getId, isId, isid/isId
	get, is [2]string
	// hint is where id was last found in a Map: objects of one JSON array share
	// their key order, so a loop's property reads mostly hit it with one comparison.
	// It is only a hint, read and written atomically by concurrent renders.
	hint atomic.Int32
}

func newPropPart(id string, at parse.Pos) *propPart {
	return &propPart{id: id, at: at, get: getterNames("get", id), is: getterNames("is", id)}
}

func (p *propPart) name() string   { return "." + p.id }
func (p *propPart) pos() parse.Pos { return p.at }

func (p *propPart) apply(st *state, recv any) (any, error) {
	if m, ok := recv.(*Map); ok && st.cow == nil {
		// A map has no getter but getClass(): its properties are its entries.
		if p.id != "class" && p.id != "Class" {
			v, _ := m.getHinted(p.id, &p.hint)
			return v, nil
		}
	}
	return st.getPropertyNames(recv, p.id, p.get, p.is, p.at)
}

type methodPart struct {
	id    string
	args  []node
	at    parse.Pos
	cache atomic.Pointer[methodCache]
}

func (p *methodPart) name() string   { return "." + p.id + "()" }
func (p *methodPart) pos() parse.Pos { return p.at }

func (p *methodPart) apply(st *state, recv any) (any, error) {
	mark := len(st.args)
	for _, a := range p.args {
		v, err := a.value(st)
		if err != nil {
			st.args = st.args[:mark]
			return nil, err
		}
		st.args = append(st.args, v)
	}
	// The arguments live on the state's stack until the call returns.
	v, err := st.callMethodCached(recv, p, st.args[mark:len(st.args):len(st.args)])
	clear(st.args[mark:])
	st.args = st.args[:mark]
	return v, err
}

type indexPart struct {
	arg node
	at  parse.Pos
}

func (p *indexPart) name() string   { return "[]" }
func (p *indexPart) pos() parse.Pos { return p.at }

func (p *indexPart) apply(st *state, recv any) (any, error) {
	arg, err := p.arg.value(st)
	if err != nil {
		return nil, err
	}
	arg, err = st.adjustNegativeIndex(recv, arg, p.at)
	if err != nil {
		return nil, err
	}
	m, err := st.findMethod(recv, "get", []any{arg}, p.at)
	if err != nil || m == nil {
		return nil, err
	}
	v, err := m.invoke(st, recv, []any{arg})
	if err != nil {
		return nil, st.indexError(recv, arg, p.at, err)
	}
	return v, nil
}

// set is #set($a[i] = v): set(i, v), else put(i, v).
func (p *indexPart) set(st *state, recv any, v any) error {
	arg, err := p.arg.value(st)
	if err != nil {
		return err
	}
	arg, err = st.adjustNegativeIndex(recv, arg, p.at)
	if err != nil {
		return err
	}
	args := []any{arg, v}
	for _, name := range []string{"set", "put"} {
		m, err := st.findMethod(recv, name, args, p.at)
		if err != nil {
			return err
		}
		if m != nil {
			if _, err := m.invoke(st, recv, args); err != nil {
				return st.methodError(recv, name, p.at, err)
			}
			return nil
		}
	}
	return nil
}

// adjustNegativeIndex turns $a[-1] into $a[size-1], as ASTIndex does.
func (st *state) adjustNegativeIndex(recv, arg any, at parse.Pos) (any, error) {
	i, ok := arg.(int32)
	if !ok || i >= 0 {
		return arg, nil
	}
	m, err := st.findMethod(recv, "size", nil, at)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, st.renderError(at, "VelocityException", "",
			"a 'size()' method required for negative value "+itoa(int(i))+" does not exist for class '"+className(recv)+"'", nil)
	}
	size, err := m.invoke(st, recv, nil)
	if err != nil {
		return nil, err
	}
	n, _ := size.(int32)
	return n + i, nil
}

func (st *state) getPropertyNames(recv any, id string, gets, iss [2]string, at parse.Pos) (any, error) {
	recv = st.resolve(recv)
	if o, ok := recv.(Object); ok {
		return st.objectProperty(o, id, at)
	}
	// getId() with the name as written, then with its first letter's case swapped.
	for _, name := range gets {
		m, err := st.findMethod(recv, name, nil, at)
		if err != nil {
			return nil, err
		}
		if m != nil {
			return st.invokeGetter(recv, m, name, at)
		}
	}
	if isMapClass(classOf(recv)) {
		if s, ok := recv.(*foreachScope); ok {
			return s.storage(id), nil
		}
		v, _ := mapGet(recv, id)
		return v, nil
	}
	if m, err := st.findMethod(recv, "get", []any{id}, at); err != nil {
		return nil, err
	} else if m != nil {
		v, err := m.invoke(st, recv, []any{id})
		if err != nil {
			return nil, st.methodError(recv, "get", at, err)
		}
		return v, nil
	}
	for _, name := range iss {
		m, err := st.findMethod(recv, name, nil, at)
		if err != nil {
			return nil, err
		}
		if m != nil && m.ret == retBool {
			return st.invokeGetter(recv, m, name, at)
		}
	}
	return nil, nil
}

func (st *state) invokeGetter(recv any, m *jmethod, name string, at parse.Pos) (any, error) {
	v, err := m.invoke(st, recv, nil)
	if err != nil {
		return nil, st.methodError(recv, name, at, err)
	}
	return v, nil
}

// getterNames returns prefix+id and prefix+id with the first letter's case swapped.
func getterNames(prefix, id string) [2]string {
	a := prefix + id
	c := id[0]
	switch {
	case c >= 'a' && c <= 'z':
		c -= 'a' - 'A'
	case c >= 'A' && c <= 'Z':
		c += 'a' - 'A'
	}
	return [2]string{a, prefix + string(c) + id[1:]}
}

// objectProperty applies the property rules to an Object (a tool).
func (st *state) objectProperty(o Object, id string, at parse.Pos) (any, error) {
	for _, name := range getterNames("get", id) {
		v, err := o.Method(name, nil)
		if !errors.Is(err, ErrNoMethod) {
			if err != nil {
				return nil, st.objectCallError(o, name, at, err)
			}
			return v, nil
		}
	}
	v, err := o.Method("get", []any{id})
	if !errors.Is(err, ErrNoMethod) {
		if err != nil {
			return nil, st.objectCallError(o, "get", at, err)
		}
		return v, nil
	}
	for _, name := range getterNames("is", id) {
		v, err := o.Method(name, nil)
		if !errors.Is(err, ErrNoMethod) {
			if err != nil {
				return nil, st.objectCallError(o, name, at, err)
			}
			if _, ok := v.(bool); ok {
				return v, nil
			}
		}
	}
	return nil, nil
}

// callMethodCached is callMethod with a cache of the method chosen at this call
// site for the last receiver and argument classes.
func (st *state) callMethodCached(recv any, p *methodPart, args []any) (any, error) {
	recv = st.resolve(recv)
	if _, ok := recv.(Object); ok {
		return st.callMethod(recv, p.id, args, p.at)
	}
	key := methodCacheKey(classOf(recv), args, st)
	c := p.cache.Load()
	var m *jmethod
	if c != nil && c.key == key && key != noCacheKey {
		m = c.m
	} else {
		var err error
		m, err = st.findMethod(recv, p.id, args, p.at)
		if err != nil {
			return nil, err
		}
		if key != noCacheKey {
			p.cache.Store(&methodCache{key: key, m: m})
		}
	}
	if m == nil {
		return nil, nil
	}
	v, err := m.invoke(st, recv, args)
	if err != nil {
		return nil, st.methodError(recv, p.id, p.at, err)
	}
	if v == nil && m.ret == retVoid {
		return "", nil
	}
	return v, nil
}

// methodCache remembers the overload a call site resolved to.
type methodCache struct {
	key uint64
	m   *jmethod
}

const noCacheKey = ^uint64(0)

// methodCacheKey packs the receiver's and the arguments' classes; calls with more
// than six arguments are not cached.
func methodCacheKey(recv jclass, args []any, st *state) uint64 {
	if len(args) > 6 {
		return noCacheKey
	}
	k := uint64(recv) | uint64(len(args))<<8
	for i, a := range args {
		k |= uint64(classOf(st.resolve(a))) << (16 + 8*uint(i))
	}
	return k
}

// callMethod is ASTMethod.execute.
func (st *state) callMethod(recv any, name string, args []any, at parse.Pos) (any, error) {
	recv = st.resolve(recv)
	if o, ok := recv.(Object); ok {
		for i, a := range args {
			args[i] = st.resolveDeep(a)
		}
		v, err := o.Method(name, args)
		if errors.Is(err, ErrNoMethod) {
			return nil, nil
		}
		if err != nil {
			return nil, st.objectCallError(o, name, at, err)
		}
		return v, nil
	}
	m, err := st.findMethod(recv, name, args, at)
	if err != nil || m == nil {
		return nil, err
	}
	v, err := m.invoke(st, recv, args)
	if err != nil {
		return nil, st.methodError(recv, name, at, err)
	}
	if v == nil && m.ret == retVoid {
		return "", nil
	}
	return v, nil
}

// setProperty is #set($a.b = v): setB(v), put("b", v) on maps, put(String, v).
func (st *state) setProperty(recv any, id string, v any, at parse.Pos) error {
	recv = st.resolve(recv)
	if o, ok := recv.(Object); ok {
		for _, name := range getterNames("set", id) {
			_, err := o.Method(name, []any{v})
			if !errors.Is(err, ErrNoMethod) {
				if err != nil {
					return st.objectCallError(o, name, at, err)
				}
				return nil
			}
		}
		_, err := o.Method("put", []any{id, v})
		if err != nil && !errors.Is(err, ErrNoMethod) {
			return st.objectCallError(o, "put", at, err)
		}
		return nil
	}
	for _, name := range getterNames("set", id) {
		m, err := st.findMethod(recv, name, []any{v}, at)
		if err != nil {
			return err
		}
		if m != nil {
			if _, err := m.invoke(st, recv, []any{v}); err != nil {
				return st.methodError(recv, name, at, err)
			}
			return nil
		}
	}
	if isMapClass(classOf(recv)) {
		if s, ok := recv.(*foreachScope); ok {
			s.put(id, v)
			return nil
		}
		st.mutableMap(recv).Put(id, v)
		return nil
	}
	m, err := st.findMethod(recv, "put", []any{id, v}, at)
	if err != nil || m == nil {
		return err
	}
	if _, err := m.invoke(st, recv, []any{id, v}); err != nil {
		return st.methodError(recv, "put", at, err)
	}
	return nil
}

// --------------------------------------------------------------- errors

func (st *state) renderError(at parse.Pos, kind, class, msg string, err error) error {
	return &RenderError{Name: st.t.name, Line: at.Line, Col: at.Col, Kind: kind, Class: class, Msg: msg, Err: err}
}

// methodError wraps what a Java method threw as MethodInvocationException.
func (st *state) methodError(recv any, name string, at parse.Pos, err error) error {
	var th *Throwable
	if errors.As(err, &th) {
		return st.renderError(at, "MethodInvocationException", th.Class,
			"Invocation of method '"+name+"' in "+javaClassDescription(recv)+" threw exception "+th.Error(), err)
	}
	if re := (*RenderError)(nil); errors.As(err, &re) {
		return err
	}
	if le := (*LimitError)(nil); errors.As(err, &le) {
		if le.Line == 0 {
			return st.limitError(le.Limit, le.Max, at)
		}
		return err
	}
	return st.renderError(at, "MethodInvocationException", "",
		"Invocation of method '"+name+"' in "+javaClassDescription(recv)+" failed: "+err.Error(), err)
}

// indexError wraps an exception thrown by get() of an index as VelocityException,
// as ASTIndex does.
func (st *state) indexError(recv, arg any, at parse.Pos, err error) error {
	var th *Throwable
	class := ""
	if errors.As(err, &th) {
		class = th.Class
	}
	if le := (*LimitError)(nil); errors.As(err, &le) {
		return err
	}
	msg := "Error invoking method 'get(" + className(arg) + ")' in " + className(recv)
	if th != nil {
		msg += ": " + th.Error()
	}
	return st.renderError(at, "VelocityException", class, msg, err)
}

func (st *state) objectCallError(o Object, name string, at parse.Pos, err error) error {
	if re := (*RenderError)(nil); errors.As(err, &re) {
		return err
	}
	if le := (*LimitError)(nil); errors.As(err, &le) && le.Name == "" {
		// A tool refused to build a too long string; the render is where it was.
		return st.limitError(le.Limit, le.Max, at)
	}
	return st.methodError(o, name, at, err)
}

func (st *state) objectError(o Object, name string, err error) error {
	return st.methodError(o, name, parse.Pos{Line: 1, Col: 1}, err)
}

func javaClassDescription(v any) string {
	return "class " + className(v)
}

func itoa(i int) string {
	var b strings.Builder
	if i < 0 {
		b.WriteByte('-')
		i = -i
	}
	var d [20]byte
	n := len(d)
	for {
		n--
		d[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	b.Write(d[n:])
	return b.String()
}
