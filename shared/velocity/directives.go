package velocity

import (
	"errors"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// #if, #set and the directives, as Velocity 1.7 renders them.

type ifNode struct {
	base
	conds  []node // the #if and #elseif conditions
	blocks []node // their blocks
	els    node   // the #else block, or nil
}

func (c *compiler) ifNode(n *parse.IfNode) node {
	b := c.base(n)
	out := &ifNode{}
	out.conds = append(out.conds, c.node(n.Cond))
	out.blocks = append(out.blocks, c.node(n.Then))
	for _, e := range n.ElseIfs {
		out.conds = append(out.conds, c.node(e.Cond))
		out.blocks = append(out.blocks, c.node(e.Then))
	}
	if n.Else != nil {
		out.els = c.node(n.Else.Then)
	}
	out.base = b
	return out
}

func (n *ifNode) render(st *state) error {
	for i, cond := range n.conds {
		ok, err := cond.evaluate(st)
		if err != nil {
			return err
		}
		if ok {
			return n.blocks[i].render(st)
		}
	}
	if n.els != nil {
		return n.els.render(st)
	}
	return nil
}

type setNode struct {
	base
	left  *refNode
	right node
}

func (c *compiler) setNode(n *parse.SetNode) node {
	left := c.reference(n.Left).(*refNode)
	return &setNode{base: c.base(n), left: left, right: c.node(n.Right)}
}

func (n *setNode) render(st *state) error {
	v, err := n.right.value(st)
	if err != nil {
		return err
	}
	if v == nil {
		// Velocity 1.7: a null right-hand side leaves the variable as it was.
		return nil
	}
	if len(n.left.parts) == 0 {
		st.setVar(n.left.setName, v)
		return nil
	}
	return n.left.setValue(st, v)
}

// --------------------------------------------------------------- directives

// stopSignal unwinds a render for #break and #stop (the reference's StopCommand).
type stopSignal struct {
	nearest bool // #break: the nearest loop, block, macro or #evaluate
	owner   any  // #break($foreach): that loop
}

func (s *stopSignal) Error() string { return "#stop" }

// stopFor reports whether err is a stop the catcher (a #foreach node, a block, a
// macro call or an #evaluate, see evaluate) handles.
func stopFor(err error, catcher any, evaluate bool) bool {
	var s *stopSignal
	if !errors.As(err, &s) {
		return false
	}
	if s.nearest {
		return true
	}
	if s.owner != nil {
		return s.owner == catcher
	}
	return evaluate
}

func (c *compiler) macroDefined(name string) bool {
	if _, ok := c.macros[name]; ok {
		return true
	}
	if c.t != nil && c.t.macros != nil {
		if _, ok := c.t.macros[name]; ok {
			return true
		}
	}
	if c.st != nil && c.st.macros != nil {
		if _, ok := c.st.macros[name]; ok {
			return true
		}
	}
	return false
}

// addMacro registers a macro unless one of that name exists: Velocity 1.7 does not
// let an inline macro replace another.
func (c *compiler) addMacro(m *macroDef) {
	if c.macroDefined(m.name) {
		return
	}
	if c.st != nil {
		if c.st.macros == nil {
			c.st.macros = map[string]*macroDef{}
		}
		c.st.macros[m.name] = m
		return
	}
	c.macros[m.name] = m
}

func (st *state) macro(name string) *macroDef {
	if m, ok := st.t.macros[name]; ok {
		return m
	}
	if st.macros != nil {
		return st.macros[name]
	}
	return nil
}

// processingError is how the reference reports an exception while initialising a
// template: a VelocityException without a position.
func (c *compiler) processingError(detail string) {
	c.fail("VelocityException", "Exception thrown processing Template "+c.name+": "+detail, parse.Pos{})
}

func (c *compiler) directive(n *parse.DirectiveNode) node {
	b := c.base(n)
	var kids []node
	for _, a := range n.Args {
		kids = append(kids, c.node(a))
	}
	if n.Block != nil {
		kids = append(kids, c.node(n.Block))
	}
	b.kids = kids
	name := n.Name
	switch name {
	case "foreach":
		if len(kids) == 0 {
			c.processingError("#foreach needs arguments, such as #foreach($item in $list)")
		}
		f := &foreachNode{base: b}
		if r, ok := kids[0].(*refNode); ok {
			f.key = r.root
		} else {
			f.key = firstImage(n, 0)[1:]
		}
		return f
	case "macro":
		args := make([]string, 0, len(n.Args))
		for i, a := range n.Args {
			img := a.FirstToken().Image
			if i > 0 && len(img) > 0 && img[0] == '$' {
				img = img[1:]
			}
			args = append(args, img)
		}
		c.addMacro(&macroDef{name: args[0], args: args, body: kids[len(kids)-1]})
		return &base{pn: n, at: b.at}
	case "define":
		if len(kids) != 2 {
			c.processingError("#define needs a reference to define, such as #define($block)")
		}
		return &defineNode{base: b, key: firstImage(n, 0)[1:]}
	case "evaluate":
		switch {
		case len(kids) == 0:
			c.fail("ParseErrorException", "#evaluate() requires exactly one argument", b.at)
		case len(kids) > 1:
			c.fail("ParseErrorException", "#evaluate() requires exactly one argument", kids[1].pos())
		}
		if t := kids[0].ptype(); t != parse.NodeString && t != parse.NodeReference {
			c.fail("ParseErrorException", "#evaluate() argument must be a string literal or reference", kids[0].pos())
		}
		return &evaluateNode{base: b}
	case "literal":
		if len(kids) == 0 {
			c.processingError("#literal needs parentheses and #end, such as #literal() ... #end")
		}
		lit, ok := literalOf(n.Children()[0])
		if !ok {
			c.processingError("#literal() needs a body")
		}
		return &textNode{base: b, s: lit}
	case "break":
		if len(kids) > 1 {
			c.processingError("#break accepts a single scope object, such as #break($foreach)")
		}
		return &breakNode{base: b}
	case "stop":
		if len(kids) > 1 {
			c.processingError("#stop accepts a single message")
		}
		return &stopNode{base: b}
	case "include", "parse":
		return &includeNode{base: b, parse: name == "parse"}
	}
	if len(name) > 0 && name[0] == '@' {
		if len(kids) == 0 {
			return &textNode{base: b, s: "#" + name}
		}
		m := c.macroCall(n, b, name[1:])
		m.body = kids[len(kids)-1]
		return m
	}
	return c.macroCall(n, b, name)
}

// firstImage is the image of the i-th child's first token, or of the node's last
// token when it has no children (Foreach and Define read child 0 of whatever the
// parser produced).
func firstImage(n *parse.DirectiveNode, i int) string {
	if ch := n.Children(); i < len(ch) {
		return ch[i].FirstToken().Image
	}
	return n.LastToken().Image
}

// literalOf is SimpleNode.literal of a block, which fails for an empty one.
func literalOf(pn parse.Node) (string, bool) {
	first, last := pn.FirstToken(), pn.LastToken()
	if first != last {
		// the literal walks from the first token to the last one; an empty block's
		// first token comes after its last, and the reference runs off the end.
		for t := first; t != last; t = t.Next {
			if t == nil || t.Kind == parse.EOF {
				return "", false
			}
		}
	}
	return parse.Literal(pn), true
}

// --------------------------------------------------------------- #foreach

type foreachNode struct {
	base
	key string // the loop variable
}

const (
	counterName = "velocityCount"
	hasNextName = "velocityHasNext"
	scopeName   = "foreach"
)

func (n *foreachNode) render(st *state) error {
	if len(n.kids) < 3 {
		return st.renderError(parse.Pos{}, "ArrayIndexOutOfBoundsException", "java.lang.ArrayIndexOutOfBoundsException",
			"Index 2 out of bounds for length "+itoa(len(n.kids)), nil)
	}
	list, err := n.kids[2].value(st)
	if err != nil || list == nil {
		return err
	}
	it, ok := st.iterate(list)
	if !ok {
		return nil // not iterable: skipped, as Velocity's directive.foreach.skip.invalid
	}
	if len(n.kids) < 4 {
		return st.renderError(parse.Pos{}, "ArrayIndexOutOfBoundsException", "java.lang.ArrayIndexOutOfBoundsException",
			"Index 3 out of bounds for length "+itoa(len(n.kids)), nil)
	}
	body := n.kids[3]
	saved, _ := st.getVar(n.key)
	savedCounter, _ := st.getVar(counterName)
	savedNext, _ := st.getVar(hasNextName)
	prev, _ := st.getVar(scopeName)
	scope := &foreachScope{index: -1, owner: n}
	if p, ok := prev.(*foreachScope); ok {
		scope.parent = p
	} else {
		scope.replaced = prev
	}
	st.setVar(scopeName, scope)
	var holder *nullHolder
	counter := int32(1)
	for {
		more, err := it.hasNext(st)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		st.iterations++
		if st.iterations > st.cfg.limits.LoopIterations {
			return st.limitError("loop iterations", st.cfg.limits.LoopIterations, n.at)
		}
		if err := st.checkContext(n.at); err != nil {
			return err
		}
		st.setVar(counterName, counter)
		v, err := it.next(st, n.at)
		if err != nil {
			n.clean(st, saved, savedCounter, savedNext)
			return err
		}
		hn, err := it.hasNext(st)
		if err != nil {
			return err
		}
		st.setVar(hasNextName, hn)
		st.setVar(n.key, v)
		scope.index++
		scope.hasNext = hn
		if v == nil {
			if holder == nil {
				holder = &nullHolder{parent: st.cur, key: n.key, active: true}
			}
			saved := st.cur
			st.cur = holder
			err = body.render(st)
			st.cur = saved
		} else {
			err = body.render(st)
		}
		if err != nil {
			if stopFor(err, n, false) {
				break
			}
			n.clean(st, saved, savedCounter, savedNext)
			return err
		}
		counter++
	}
	n.clean(st, saved, savedCounter, savedNext)
	return nil
}

func (n *foreachNode) clean(st *state, saved, savedCounter, savedNext any) {
	restore := func(name string, v any) {
		if v != nil {
			st.setVar(name, v)
		} else {
			st.removeVar(name)
		}
	}
	restore(n.key, saved)
	restore(counterName, savedCounter)
	restore(hasNextName, savedNext)
	cur, _ := st.getVar(scopeName)
	if s, ok := cur.(*foreachScope); ok {
		switch {
		case s.parent != nil:
			st.setVar(scopeName, s.parent)
		case s.replacedValue() != nil:
			st.setVar(scopeName, s.replacedValue())
		default:
			st.removeVar(scopeName)
		}
	}
}

func (s *foreachScope) replacedValue() any {
	for x := s; x != nil; x = x.parent {
		if x.replaced != nil {
			return x.replaced
		}
	}
	return nil
}

// iterator walks a collection as Java's fail-fast iterators do. A list's iterator
// ends when its position reaches the list's current size; a map's walks the keys
// present at the start, reading their current values. Both fail
// (ConcurrentModificationException) at the step after an element was added or
// removed.
type iterator struct {
	src    any // a list or a map; nil for an array
	cursor int
	mod    int
	view   jclass // for a map: clsValues, clsKeySet or clsEntrySet
	keys   []string
	fixed  []any // an array's elements
}

func (st *state) iterate(v any) (iterator, bool) {
	v = st.resolve(v)
	c := classOf(v)
	switch c {
	case clsArrayList:
		return iterator{src: v, mod: st.modCount(v)}, true
	case clsLinkedHashMap, clsHashMap, clsSortedMap:
		return st.mapIterator(v, clsValues), true
	case clsKeySet, clsValues, clsEntrySet:
		return st.mapIterator(v.(*mapView).m, c), true
	case clsStringArray, clsObjectArray:
		return iterator{fixed: v.(*javaArray).items}, true
	case clsForeachScope:
		return iterator{}, true
	}
	return iterator{}, false
}

func (st *state) mapIterator(m any, view jclass) iterator {
	m = st.resolve(m)
	it := iterator{src: m, mod: st.modCount(m), view: view, keys: make([]string, 0, mapLen(m))}
	rangeMap(m, func(k string, _ any) bool {
		it.keys = append(it.keys, k)
		return true
	})
	return it
}

// modCount is the number of structural changes of a container.
func (st *state) modCount(v any) int {
	switch x := st.resolve(v).(type) {
	case *List:
		return x.mod
	case *Map:
		return x.mod
	}
	return 0
}

func (it *iterator) hasNext(st *state) (bool, error) {
	switch {
	case it.src == nil:
		return it.cursor < len(it.fixed), nil
	case it.keys != nil:
		return it.cursor < len(it.keys), nil
	}
	return it.cursor != len(st.listItems(it.src)), nil
}

func (it *iterator) next(st *state, at parse.Pos) (any, error) {
	if it.src != nil && st.modCount(it.src) != it.mod {
		return nil, st.renderError(at, "ConcurrentModificationException", "java.util.ConcurrentModificationException",
			"the list or map was changed while #foreach went through it", nil)
	}
	if it.keys != nil {
		k := it.keys[it.cursor]
		it.cursor++
		m := st.resolve(it.src)
		v, _ := mapGet(m, k)
		switch it.view {
		case clsKeySet:
			return keyValue(k), nil
		case clsEntrySet:
			var owner *Map
			if mm, ok := m.(*Map); ok {
				owner = mm
			}
			return &mapEntry{m: owner, key: k, val: v}, nil
		}
		return v, nil
	}
	items := it.fixed
	if it.src != nil {
		items = st.listItems(it.src)
	}
	if it.cursor >= len(items) {
		return nil, st.renderError(at, "NoSuchElementException", "java.util.NoSuchElementException", "no more elements", nil)
	}
	v := items[it.cursor]
	it.cursor++
	return v, nil
}

// --------------------------------------------------------------- #break, #stop

type breakNode struct{ base }

func (n *breakNode) render(st *state) error {
	if len(n.kids) == 0 {
		return &stopSignal{nearest: true}
	}
	v, err := n.kids[0].value(st)
	if err != nil {
		return err
	}
	if s, ok := st.resolve(v).(*foreachScope); ok {
		return &stopSignal{owner: s.owner}
	}
	return st.renderError(n.at, "VelocityException", "",
		n.kids[0].lit()+" is not a valid org.apache.velocity.runtime.directive.Scope instance", nil)
}

type stopNode struct{ base }

func (n *stopNode) render(st *state) error {
	if len(n.kids) == 1 {
		if _, err := n.kids[0].value(st); err != nil {
			return err
		}
	}
	return &stopSignal{}
}

// --------------------------------------------------------------- #define

type defineNode struct {
	base
	key string
}

// blockRef is the value of a #define'd reference and of $bodyContent
// (Block.Reference): rendering it renders the block in the current context.
type blockRef struct {
	body     node
	scope    scope // the context where it was made, for toString()
	owner    any   // what #break inside the block stops
	maxDepth int
	depth    int
}

func (n *defineNode) render(st *state) error {
	st.setVar(n.key, &blockRef{body: n.kids[1], scope: st.cur, owner: n, maxDepth: 2})
	return nil
}

// renderBlock renders a block reference in the given scope; false means it is
// nested too deep.
func (st *state) renderBlock(b *blockRef, sc scope) (bool, error) {
	b.depth++
	defer func() { b.depth-- }()
	if b.depth > b.maxDepth {
		return false, nil
	}
	saved := st.cur
	st.cur = sc
	err := b.body.render(st)
	st.cur = saved
	if err != nil && stopFor(err, b.owner, false) {
		err = nil
	}
	return true, err
}

// blockString is Block.Reference.toString(): the block rendered in the context it
// was made in; false when nested too deep (the reference's null).
func (st *state) blockString(b *blockRef) (string, bool, error) {
	var ok bool
	s, err := st.renderToString(func() error {
		var err error
		ok, err = st.renderBlock(b, b.scope)
		return err
	})
	return s, ok, err
}

// --------------------------------------------------------------- #evaluate

type evaluateNode struct{ base }

func (n *evaluateNode) render(st *state) error {
	v, err := n.kids[0].value(st)
	if err != nil {
		return err
	}
	src := ""
	if v != nil {
		if src, err = st.toString(v); err != nil {
			return err
		}
	}
	st.evaluateDepth++
	defer func() { st.evaluateDepth-- }()
	if st.evaluateDepth > st.cfg.limits.EvaluateDepth {
		return st.limitError("evaluate depth", int64(st.cfg.limits.EvaluateDepth), n.at)
	}
	c := newCompiler(st.t.name, st.t, st)
	tree, perr := parse.Parse(st.t.name, src, &parse.Options{MacroDefined: c.macroDefined,
		MaxDepth: st.cfg.limits.ParseDepth, Alternates: !st.t.cfg.velocity17})
	// Velocity's message is the inner parser's, which names the position in the
	// evaluated text; a position-less error is reported at the directive.
	if perr != nil {
		at := n.at
		if pe := (*parse.Error)(nil); errors.As(perr, &pe) && pe.Line > 0 {
			at = parse.Pos{Line: pe.Line, Col: pe.Col}
		}
		return st.renderError(at, "ParseErrorException", "", "#evaluate: "+perr.Error(), perr)
	}
	nodes, cerr := c.compileRoot(tree)
	if cerr != nil {
		at := n.at
		if pe := (*ParseError)(nil); errors.As(cerr, &pe) && pe.Line > 0 {
			at = parse.Pos{Line: pe.Line, Col: pe.Col}
		}
		return st.renderError(at, "ParseErrorException", "", "#evaluate: "+cerr.Error(), cerr)
	}
	err = renderList(st, nodes)
	if err != nil && stopFor(err, n, true) {
		return nil
	}
	return err
}

// --------------------------------------------------------------- #include, #parse

type includeNode struct {
	base
	parse bool
}

func (n *includeNode) render(st *state) error {
	name := "#include"
	if n.parse {
		name = "#parse"
		if len(n.kids) == 0 {
			return st.renderError(n.at, "VelocityException", "", "#parse(): argument missing", nil)
		}
		v, err := n.kids[0].value(st)
		if err != nil || v == nil {
			return err
		}
		s, err := st.toString(v)
		if err != nil {
			return err
		}
		return st.notFound(n, name, s)
	}
	for i, k := range n.kids {
		if t := k.ptype(); t != parse.NodeString && t != parse.NodeReference {
			if err := st.write("<!-- include error : error with arg " + itoa(i) + " please see log. see error log -->"); err != nil {
				return err
			}
			return st.renderError(n.at, "VelocityException", "", "invalid #include() argument", nil)
		}
		v, err := k.value(st)
		if err != nil {
			return err
		}
		if v == nil {
			if err := st.write("<!-- include error : error with arg " + itoa(i) + " please see log. see error log -->"); err != nil {
				return err
			}
			continue
		}
		s, err := st.toString(v)
		if err != nil {
			return err
		}
		return st.notFound(n, name, s)
	}
	return nil
}

// notFound fails #include and #parse: templates here have no loader.
func (st *state) notFound(n *includeNode, directive, name string) error {
	return st.renderError(n.at, "ResourceNotFoundException", "",
		directive+"('"+name+"'): there are no other templates to include here; Flowhook templates are self-contained", nil)
}

// --------------------------------------------------------------- macro calls

type macroCallNode struct {
	base
	name    string
	badArgs string // set when an argument is a bare word
	literal string // what the call prints when no such macro exists
	body    node   // the body of a #@macro() call
}

func (c *compiler) macroCall(n *parse.DirectiveNode, b base, name string) *macroCallNode {
	m := &macroCallNode{base: b, name: name}
	var lit []byte
	for t := n.FirstToken(); t != nil; t = t.Next {
		lit = append(lit, t.Image...)
		if t == n.LastToken() {
			break
		}
	}
	m.literal = string(lit)
	for _, k := range b.kids {
		if k.ptype() == parse.NodeWord {
			m.badArgs = "Invalid arg '" + k.lit() + "' in macro #" + name + " at " + c.name +
				"[line " + itoa(k.pos().Line) + ", column " + itoa(k.pos().Col) + "]"
			break
		}
	}
	return m
}

func (n *macroCallNode) render(st *state) error {
	def := st.macro(n.name)
	if def == nil {
		return st.write(n.literal)
	}
	if n.badArgs != "" {
		return st.renderError(n.at, "TemplateInitException", "", n.badArgs, nil)
	}
	if err := st.checkContext(n.at); err != nil {
		return err
	}
	st.macroCalls++
	if st.macroCalls > st.cfg.limits.MacroCalls {
		return st.limitError("macro calls", st.cfg.limits.MacroCalls, n.at)
	}
	ms := &macroScope{parent: st.cur, name: n.name}
	for i := 1; i < len(def.args) && i <= len(n.kids); i++ {
		arg := n.kids[i-1]
		name := def.args[i]
		if isConstantArg(arg) {
			v, err := arg.value(st)
			if err != nil {
				return err
			}
			if ms.local == nil {
				ms.local = make(map[string]any, len(def.args))
			}
			ms.local[name] = v
			continue
		}
		if ms.proxies == nil {
			ms.proxies = make(map[string]node, len(def.args))
			ms.literals = make(map[string]node, len(def.args))
		}
		ms.proxies[name] = arg
		ms.literals["$"+name] = arg
	}
	if n.body != nil {
		if ms.local == nil {
			ms.local = make(map[string]any, 1)
		}
		ms.local["bodyContent"] = &blockRef{body: n.body, scope: st.cur, owner: n, maxDepth: st.cfg.limits.MacroDepth}
	}
	if st.macroDepth >= st.cfg.limits.MacroDepth {
		if st.cfg.limits.MacroDepth == DefaultMacroDepth {
			// Velocity reports the macro's body, where the macro is defined.
			return st.renderError(def.body.pos(), "MacroOverflowException", "",
				"Max calling depth of "+itoa(st.cfg.limits.MacroDepth)+" was exceeded in macro '"+n.name+"'", nil)
		}
		return st.limitError("macro depth", int64(st.cfg.limits.MacroDepth), n.at)
	}
	st.macroDepth++
	saved := st.cur
	st.cur = ms
	err := def.body.render(st)
	st.cur = saved
	st.macroDepth--
	if err != nil && stopFor(err, n, false) {
		return nil
	}
	return err
}

// isConstantArg is ProxyVMContext.isConstant: literals other than strings, maps,
// lists and ranges are evaluated once; the rest are passed by name and evaluated
// on each use in the caller's context.
func isConstantArg(n node) bool {
	switch n.ptype() {
	case parse.NodeString, parse.NodeMap, parse.NodeObjectArray, parse.NodeIntegerRange,
		parse.NodeReference, parse.NodeText:
		return false
	}
	return true
}

// proxyValue evaluates a by-name macro argument (ProxyVMContext.get); the caller
// has set the caller's scope.
func proxyValue(st *state, n node) (any, error) {
	if r, ok := n.(*refNode); ok {
		if len(r.parts) > 0 || r.alt != nil {
			return r.get(st)
		}
		if r.typ == refRunt {
			return nil, nil
		}
		return st.getVar(r.root)
	}
	return n.value(st)
}
