package velocity

import (
	"context"
	"errors"
	"io"
	"sync"
	"unsafe"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// state is one execution of a template: its variables, output and counters. The
// Template itself is never modified by an execution.
type state struct {
	ctx  context.Context
	t    *Template
	cfg  config
	data map[string]any
	w    io.Writer

	out     []byte // pending output
	written int64  // bytes produced so far, nested renders included
	outErr  error

	// vars are the template's own top-level variables (#set, #foreach, #define):
	// the reference engine keeps them in the same map as the data, so a value
	// here, or a removal, hides the data's.
	vars varTable
	// cur is the innermost scope: a macro call or a #foreach over a null element;
	// nil means the top level.
	cur scope

	// cow maps input containers the template changed to their changed copies.
	cow map[cowKey]any

	// macros defined at render time by #evaluate (the template's own are in t.macros).
	macros map[string]*macroDef

	iterations    int64
	macroCalls    int64
	macroDepth    int
	evaluateDepth int
	// foreachScope is the innermost $foreach (kept in vars too).
	tick    int // calls since the last context check
	capture int // nesting of renders into strings
	// args is a stack of method arguments, reused across calls.
	args []any
	// lastFormatArg is the argument of the last String.format specifier (%<s).
	lastFormatArg any
	// javaDepth is the nesting of containers being printed, hashed or compared;
	// overflow is set when it passes maxJavaDepth, where Java's recursion would
	// have thrown StackOverflowError (a list that contains itself).
	javaDepth int
	overflow  bool
}

// maxJavaDepth is how deep lists and maps may nest when printed, hashed or
// compared. Java's own limit is its thread stack, a few thousand levels.
const maxJavaDepth = 3000

// errStackOverflow is what Java's recursion into a cyclic container throws.
func errStackOverflow() error { return throw("java.lang.StackOverflowError", "") }

type varEntry struct {
	name    string
	v       any
	removed bool
}

// varTable holds a render's variables: a short list searched in order, which
// beats hashing for the few variables templates set, and an index once it grows.
type varTable struct {
	list  []varEntry
	index map[string]int
}

const varIndexAt = 24

func (t *varTable) find(name string) int {
	if t.index != nil {
		if i, ok := t.index[name]; ok {
			return i
		}
		return -1
	}
	for i := range t.list {
		if t.list[i].name == name {
			return i
		}
	}
	return -1
}

func (t *varTable) set(e varEntry) {
	if i := t.find(e.name); i >= 0 {
		t.list[i] = e
		return
	}
	t.list = append(t.list, e)
	if t.index != nil {
		t.index[e.name] = len(t.list) - 1
	} else if len(t.list) > varIndexAt {
		t.index = make(map[string]int, 2*len(t.list))
		for i, x := range t.list {
			t.index[x.name] = i
		}
	}
}

var statePool = sync.Pool{New: func() any { return new(state) }}

func newState(ctx context.Context, t *Template, w io.Writer, data map[string]any, cfg *config) *state {
	st := statePool.Get().(*state)
	*st = state{ctx: ctx, t: t, cfg: *cfg, data: data, w: w, out: st.out[:0], args: st.args[:0],
		vars: varTable{list: st.vars.list[:0]}}
	return st
}

func (st *state) release() {
	if cap(st.out) > 1<<20 {
		st.out = nil
	}
	out, args, vars := st.out[:0], st.args[:0], st.vars.list[:0]
	clear(args[:cap(args)])
	clear(vars[:cap(vars)])
	*st = state{out: out, args: args, vars: varTable{list: vars}}
	statePool.Put(st)
}

const flushAt = 32 << 10

func (st *state) run() error {
	if err := st.ctx.Err(); err != nil {
		return st.ctxError(err, parse.Pos{Line: 1, Col: 1})
	}
	err := renderAll(st, st.t.root)
	var stop *stopSignal
	if errors.As(err, &stop) {
		// #stop, or #break outside any loop, ends the template normally.
		err = nil
	}
	if th, ok := err.(*Throwable); ok && th.Class == "java.lang.StackOverflowError" {
		// Outside a method call Velocity lets the Error through unwrapped.
		return &RenderError{Name: st.t.name, Kind: "StackOverflowError", Class: th.Class, Msg: "a list or map contains itself", Err: err}
	}
	return err
}

// flush writes the pending output.
func (st *state) flush() error {
	if st.outErr != nil {
		return st.outErr
	}
	if len(st.out) > 0 {
		_, err := st.w.Write(st.out)
		st.out = st.out[:0]
		if err != nil {
			st.outErr = err
			return err
		}
	}
	return nil
}

// write appends s to the output, enforcing the output limit.
func (st *state) write(s string) error {
	st.out = append(st.out, s...)
	return st.wrote(len(s))
}

func (st *state) wrote(n int) error {
	st.written += int64(n)
	if st.written > st.cfg.limits.OutputBytes {
		return st.limitError("output bytes", st.cfg.limits.OutputBytes, parse.Pos{Line: 1, Col: 1})
	}
	if len(st.out) >= flushAt && st.capture == 0 {
		return st.flush()
	}
	return nil
}

// renderToString renders into the end of the output buffer and takes the text
// back out, for string interpolation and #define blocks.
func (st *state) renderToString(f func() error) (string, error) {
	mark := len(st.out)
	st.capture++
	err := f()
	st.capture--
	s := string(st.out[mark:])
	st.out = st.out[:mark]
	return s, err
}

// checkBytes counts n bytes of a string built by a method against the output limit.
func (st *state) checkBytes(n int, at parse.Pos) error {
	if int64(n) > st.cfg.limits.OutputBytes-st.written {
		return st.limitError("output bytes", st.cfg.limits.OutputBytes, at)
	}
	return nil
}

// checkContext checks for cancellation every so often; it is called at loop
// iterations and macro calls.
func (st *state) checkContext(at parse.Pos) error {
	st.tick++
	if st.tick&63 != 0 {
		return nil
	}
	if err := st.ctx.Err(); err != nil {
		return st.ctxError(err, at)
	}
	return nil
}

func (st *state) ctxError(err error, at parse.Pos) error {
	return &RenderError{Name: st.t.name, Line: at.Line, Col: at.Col, Kind: "VelocityException",
		Msg: "rendering stopped: " + err.Error(), Err: err}
}

// checkListSize bounds a list that addAll grows, counting 8 bytes of output per
// element: adding a list to itself in a loop doubles it at every step.
func (st *state) checkListSize(n int) error {
	return st.checkBytes(8*n, posUnknown)
}

func (st *state) limitError(what string, max int64, at parse.Pos) error {
	return &LimitError{Name: st.t.name, Line: at.Line, Col: at.Col, Limit: what, Max: max}
}

// --------------------------------------------------------------- scopes

// scope is a layer of the variable context, as the reference engine's chained
// contexts: a macro call (ProxyVMContext) or a #foreach over a null element
// (NullHolderContext). The top level (the data and the template's variables) is
// the state itself.
type scope interface {
	get(st *state, name string) (any, bool, error)
	put(st *state, name string, v any)
	remove(st *state, name string)
	parentScope() scope
}

// lookup returns the value of a top-level name and whether the context holds it.
func (st *state) lookup(name string) (any, bool, error) {
	if st.cur != nil {
		return st.cur.get(st, name)
	}
	v, ok := st.baseGet(name)
	return v, ok, nil
}

func (st *state) baseGet(name string) (any, bool) {
	if len(st.vars.list) > 0 {
		if i := st.vars.find(name); i >= 0 {
			e := &st.vars.list[i]
			if e.removed {
				return nil, false
			}
			return e.v, true
		}
	}
	if v, ok := st.data[name]; ok {
		return v, true
	}
	if st.cfg.resolver != nil && len(name) > 0 && name[0] != '.' {
		return st.cfg.resolver.Resolve(name)
	}
	return nil, false
}

// getVar is context.get: the value, nil when absent.
func (st *state) getVar(name string) (any, error) {
	v, _, err := st.lookup(name)
	return v, err
}

func (st *state) setVar(name string, v any) {
	if st.cur != nil {
		st.cur.put(st, name, v)
		return
	}
	st.basePut(name, v)
}

func (st *state) basePut(name string, v any) {
	st.vars.set(varEntry{name: name, v: v})
}

func (st *state) removeVar(name string) {
	if st.cur != nil {
		st.cur.remove(st, name)
		return
	}
	st.baseRemove(name)
}

func (st *state) baseRemove(name string) {
	st.vars.set(varEntry{name: name, removed: true})
}

// macroScope is the context of a macro call (ProxyVMContext): arguments passed by
// name are evaluated in the caller's context on each use; writes go both to the
// call's own variables and to the enclosing context.
type macroScope struct {
	parent  scope // nil: the top level
	local   map[string]any
	proxies map[string]node // call-by-name arguments
	// literals maps "$arg" to the argument node, for printing an unset argument
	// as the caller wrote it.
	literals map[string]node
	name     string
}

func (m *macroScope) parentScope() scope { return m.parent }

func (m *macroScope) get(st *state, name string) (any, bool, error) {
	if v, ok := m.local[name]; ok && v != nil {
		return v, true, nil
	}
	if n, ok := m.proxies[name]; ok {
		saved := st.cur
		st.cur = m.parent
		v, err := proxyValue(st, n)
		st.cur = saved
		return v, true, err
	}
	_, inLocal := m.local[name]
	v, ok, err := st.parentGet(m.parent, name)
	return v, ok || inLocal, err
}

func (st *state) parentGet(p scope, name string) (any, bool, error) {
	if p != nil {
		return p.get(st, name)
	}
	v, ok := st.baseGet(name)
	return v, ok, nil
}

func (m *macroScope) put(st *state, name string, v any) {
	if m.local == nil {
		m.local = make(map[string]any, 4)
	}
	m.local[name] = v
	if m.parent != nil {
		m.parent.put(st, name, v)
	} else {
		st.basePut(name, v)
	}
}

func (m *macroScope) remove(st *state, name string) {
	delete(m.local, name)
	delete(m.proxies, name)
	if m.parent != nil {
		m.parent.remove(st, name)
	} else {
		st.baseRemove(name)
	}
}

// nullHolder hides the loop variable of a #foreach whose current element is null
// (Foreach.NullHolderContext).
type nullHolder struct {
	parent scope
	key    string
	active bool
}

func (h *nullHolder) parentScope() scope { return h.parent }

func (h *nullHolder) get(st *state, name string) (any, bool, error) {
	if h.active && name == h.key {
		_, ok, err := st.parentGet(h.parent, name)
		return nil, ok, err
	}
	return st.parentGet(h.parent, name)
}

func (h *nullHolder) put(st *state, name string, v any) {
	if name == h.key && v == nil {
		h.active = true
	}
	if h.parent != nil {
		h.parent.put(st, name, v)
	} else {
		st.basePut(name, v)
	}
}

func (h *nullHolder) remove(st *state, name string) {
	if name == h.key {
		h.active = false
	}
	if h.parent != nil {
		h.parent.remove(st, name)
	} else {
		st.baseRemove(name)
	}
}

// literalArg finds the caller's argument node for an unset macro parameter
// (the ".literal.$name" entries of the reference engine).
func (st *state) literalArg(nullString string) node {
	for s := st.cur; s != nil; s = s.parentScope() {
		if m, ok := s.(*macroScope); ok && m.literals != nil {
			if n, ok := m.literals[nullString]; ok {
				return n
			}
		}
	}
	return nil
}

// --------------------------------------------------------------- copy on write

// cowKey identifies a container of the input data.
type cowKey struct {
	p unsafe.Pointer
	n int
}

func keyOf(v any) (cowKey, bool) {
	switch x := v.(type) {
	case *Map:
		return cowKey{unsafe.Pointer(x), -1}, true
	case *List:
		return cowKey{unsafe.Pointer(x), -2}, true
	case []any:
		return cowKey{unsafe.Pointer(unsafe.SliceData(x)), len(x)}, true
	case map[string]any:
		return cowKey{*(*unsafe.Pointer)(unsafe.Pointer(&x)), -3}, true
	}
	return cowKey{}, false
}

// resolve returns the changed copy of an input container, or v itself.
func (st *state) resolve(v any) any {
	if st.cow == nil {
		return v
	}
	if k, ok := keyOf(v); ok {
		if c, ok := st.cow[k]; ok {
			return c
		}
	}
	return v
}

func (st *state) resolveList(l *List) *List {
	if st.cow == nil || l.owner == st {
		return l
	}
	if c, ok := st.cow[cowKey{unsafe.Pointer(l), -2}]; ok {
		return c.(*List)
	}
	return l
}

// mutableList returns a list the template may change: v itself if this render made
// it, else a copy made on first write and reused afterwards.
func (st *state) mutableList(v any) *List {
	if l, ok := v.(*List); ok && l.owner == st {
		return l
	}
	k, _ := keyOf(v)
	if c, ok := st.cow[k]; ok {
		return c.(*List)
	}
	var items []any
	mod := 0
	switch x := v.(type) {
	case []any:
		items = append(make([]any, 0, len(x)+4), x...)
	case *List:
		items = append(make([]any, 0, len(x.Items)+4), x.Items...)
		mod = x.mod
	}
	c := &List{Items: items, owner: st, mod: mod}
	if st.cow == nil {
		st.cow = make(map[cowKey]any, 4)
	}
	st.cow[k] = c
	return c
}

// mutableMap is mutableList for maps.
func (st *state) mutableMap(v any) *Map {
	if m, ok := v.(*Map); ok && m.owner == st {
		return m
	}
	k, _ := keyOf(v)
	if c, ok := st.cow[k]; ok {
		return c.(*Map)
	}
	var c *Map
	switch x := v.(type) {
	case *Map:
		c = x.Clone()
	case map[string]any:
		c = NewMap(len(x))
		for _, key := range sortedKeys(x) {
			c.Put(key, x[key])
		}
	}
	c.owner = st
	if st.cow == nil {
		st.cow = make(map[cowKey]any, 4)
	}
	st.cow[k] = c
	return c
}

// newList and newMap make containers owned by this render.
func (st *state) newList(items []any) *List { return &List{Items: items, owner: st} }

func (st *state) newMap(n int) *Map {
	m := NewMap(n)
	m.owner = st
	return m
}
