package velocity

import (
	"strings"
	"unicode/utf8"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// Literals, operators and conditions, as Velocity 1.7's expression nodes.

// constNode is an integer or floating-point literal. As in the reference, a number
// in a condition is false.
type constNode struct {
	base
	v any
}

func (n *constNode) value(*state) (any, error) { return n.v, nil }

type boolNode struct {
	base
	v bool
}

func (n *boolNode) value(*state) (any, error)     { return n.v, nil }
func (n *boolNode) evaluate(*state) (bool, error) { return n.v, nil }

// wordNode is a bare word (the "in" of #foreach); its value is null.
type wordNode struct{ base }

// stringNode is a string literal; double-quoted ones with "$" or "#" are
// templates rendered on each use.
type stringNode struct {
	base
	s       any    // the text, for constant strings (a string, boxed once at compile time)
	interp  []node // the parsed text, for interpolated strings
	comment bool   // the text contains "##": no trailing space was added
}

func (n *stringNode) value(st *state) (any, error) {
	if n.interp == nil {
		return n.s, nil
	}
	s, err := st.renderToString(func() error { return renderList(st, n.interp) })
	if err != nil {
		return nil, err
	}
	if !n.comment && len(s) > 0 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s, nil
}

func (c *compiler) stringLiteral(pn *parse.StringNode) node {
	n := &stringNode{base: c.base(pn)}
	img := pn.FirstToken().Image
	if img[0] == '"' && !validUnicodeEscapes(img) {
		// ASTStringLiteral.unescape fails on a bad \u escape while the reference
		// initialises the template.
		c.processingError("NumberFormatException: a malformed \\u escape in " + img)
	}
	body := pn.Body()
	if img[0] != '"' || !strings.ContainsAny(img, "$#") {
		n.s = body
		return n
	}
	n.comment = strings.Contains(body, "##")
	src := body
	if !n.comment {
		src += " "
	}
	tree, err := parse.Parse(c.name, src, &parse.Options{MacroDefined: c.macroDefined,
		MaxDepth: c.t.cfg.limits.withDefaults().ParseDepth, Alternates: !c.t.cfg.velocity17})
	at := c.pos(pn)
	if err != nil {
		c.fail("ParseErrorException", "Failed to parse String literal at "+c.name+"[line "+itoa(at.Line)+", column "+itoa(at.Col)+"]: "+err.Error(), at)
	}
	sub := &compiler{name: c.name, t: c.t, st: c.st, macros: c.macros, refInfos: c.refInfos,
		off: parse.Pos{Line: at.Line, Col: at.Col}}
	sub.prepareReferences(tree.Root)
	n.interp = sub.list(tree.Root.Nodes)
	if n.interp == nil {
		n.interp = []node{}
	}
	return n
}

// exprNode is ASTExpression, the expression of #if and #set and a parenthesis.
type exprNode struct {
	base
	x node
}

func (n *exprNode) value(st *state) (any, error)     { return n.x.value(st) }
func (n *exprNode) evaluate(st *state) (bool, error) { return n.x.evaluate(st) }

type notNode struct {
	base
	x node
}

func (n *notNode) evaluate(st *state) (bool, error) {
	b, err := n.x.evaluate(st)
	return !b, err
}

func (n *notNode) value(st *state) (any, error) { return n.evaluate(st) }

type binaryNode struct {
	base
	op   parse.NodeType
	l, r node
}

func (n *binaryNode) evaluate(st *state) (bool, error) {
	switch n.op {
	case parse.NodeOr:
		b, err := n.l.evaluate(st)
		if err != nil || b {
			return b, err
		}
		return n.r.evaluate(st)
	case parse.NodeAnd:
		b, err := n.l.evaluate(st)
		if err != nil || !b {
			return false, err
		}
		return n.r.evaluate(st)
	case parse.NodeEQ, parse.NodeNE:
		l, err := n.l.value(st)
		if err != nil {
			return false, err
		}
		r, err := n.r.value(st)
		if err != nil {
			return false, err
		}
		eq, err := st.velocityEquals(l, r)
		if n.op == parse.NodeNE {
			eq = !eq
		}
		return eq, err
	case parse.NodeLT, parse.NodeGT, parse.NodeLE, parse.NodeGE:
		l, err := n.l.value(st)
		if err != nil {
			return false, err
		}
		r, err := n.r.value(st)
		if err != nil {
			return false, err
		}
		l, r = st.resolve(l), st.resolve(r)
		if l == nil || r == nil || !isNumberClass(classOf(l)) || !isNumberClass(classOf(r)) {
			return false, nil // the reference logs an error and takes the condition as false
		}
		if err := nonFiniteDecimal(l, r); err != nil {
			return false, st.numberFormatError(n.at, err)
		}
		c := mathCompare(l, r)
		switch n.op {
		case parse.NodeLT:
			return c == -1, nil
		case parse.NodeGT:
			return c == 1, nil
		case parse.NodeLE:
			return c <= 0, nil
		}
		return c >= 0, nil
	}
	return false, nil // arithmetic in a condition is false
}

func (n *binaryNode) value(st *state) (any, error) {
	switch n.op {
	case parse.NodeAdd, parse.NodeSub, parse.NodeMul, parse.NodeDiv, parse.NodeMod:
		return n.arith(st)
	}
	return n.evaluate(st)
}

// arith is ASTMathNode.value.
func (n *binaryNode) arith(st *state) (any, error) {
	l, err := n.l.value(st)
	if err != nil {
		return nil, err
	}
	r, err := n.r.value(st)
	if err != nil {
		return nil, err
	}
	l, r = st.resolve(l), st.resolve(r)
	if n.op == parse.NodeAdd {
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			var a, b string
			if l == nil {
				a = n.l.lit()
			} else if a, err = st.toString(l); err != nil {
				return nil, err
			}
			if r == nil {
				b = n.r.lit()
			} else if b, err = st.toString(r); err != nil {
				return nil, err
			}
			if err := st.checkBytes(len(a)+len(b), n.at); err != nil {
				return nil, err
			}
			return a + b, nil
		}
	}
	if !isNumberClass(classOf(l)) || !isNumberClass(classOf(r)) {
		return nil, nil // the reference logs it; the result is null
	}
	if n.op == parse.NodeDiv && isZero(r) {
		return nil, nil
	}
	if n.op != parse.NodeMod {
		if err := nonFiniteDecimal(l, r); err != nil {
			return nil, st.numberFormatError(n.at, err)
		}
	}
	switch n.op {
	case parse.NodeAdd:
		return mathAdd(l, r), nil
	case parse.NodeSub:
		return mathSub(l, r), nil
	case parse.NodeMul:
		return mathMul(l, r), nil
	case parse.NodeDiv:
		return mathDiv(l, r), nil
	}
	if isZero(r) {
		return nil, nil
	}
	v, err := mathMod(l, r)
	if err != nil {
		th := err.(*Throwable)
		return nil, st.renderError(n.at, "ArithmeticException", th.Class, th.Message, err)
	}
	return v, nil
}

// velocityEquals is ASTEQNode: numbers by value, values of related classes with
// equals, anything else by comparing toString().
func (st *state) velocityEquals(l, r any) (bool, error) {
	l, r = st.resolve(l), st.resolve(r)
	cl, cr := classOf(l), classOf(r)
	if isNumberClass(cl) && isNumberClass(cr) {
		if err := nonFiniteDecimal(l, r); err != nil {
			return false, st.numberFormatError(parse.Pos{}, err)
		}
		return mathCompare(l, r) == 0, nil
	}
	if l != nil && r != nil && assignable(cl, cr) {
		eq := st.javaEquals(l, r)
		if st.overflow {
			st.overflow = false
			return false, errStackOverflow()
		}
		return eq, nil
	}
	if l == nil && r == nil {
		return true, nil
	}
	if l == nil || r == nil {
		return false, nil
	}
	ls, err := st.toString(l)
	if err != nil {
		return false, err
	}
	rs, err := st.toString(r)
	if err != nil {
		return false, err
	}
	return ls == rs, nil
}

// assignable reports whether one class is the other or a subclass of it.
func assignable(a, b jclass) bool {
	if a == b {
		return a != clsObject
	}
	isHash := func(c jclass) bool { return c == clsLinkedHashMap || c == clsHashMap }
	return isHash(a) && isHash(b)
}

// mapNode is a map literal: a LinkedHashMap made anew on each use.
type mapNode struct{ base }

func (n *mapNode) value(st *state) (any, error) {
	m := st.newMap(len(n.kids) / 2)
	for i := 0; i+1 < len(n.kids); i += 2 {
		k, err := n.kids[i].value(st)
		if err != nil {
			return nil, err
		}
		v, err := n.kids[i+1].value(st)
		if err != nil {
			return nil, err
		}
		m.Put(st.mapKey(k), v)
	}
	return m, nil
}

// listNode is a list literal: an ArrayList made anew on each use.
type listNode struct{ base }

func (n *listNode) value(st *state) (any, error) {
	items := make([]any, 0, len(n.kids))
	for _, k := range n.kids {
		v, err := k.value(st)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	return st.newList(items), nil
}

// rangeNode is [m..n], ascending or descending.
type rangeNode struct {
	base
	from, to node
}

func (n *rangeNode) value(st *state) (any, error) {
	l, err := n.from.value(st)
	if err != nil {
		return nil, err
	}
	r, err := n.to.value(st)
	if err != nil {
		return nil, err
	}
	l, r = st.resolve(l), st.resolve(r)
	if l == nil || r == nil || !isNumberClass(classOf(l)) || !isNumberClass(classOf(r)) {
		return nil, nil // logged by the reference; the value is null
	}
	a, b := intValue(l), intValue(r)
	size := int64(a) - int64(b)
	if size < 0 {
		size = -size
	}
	size++
	if size > st.cfg.limits.RangeSize {
		return nil, st.limitError("range size", st.cfg.limits.RangeSize, n.at)
	}
	items := make([]any, size)
	step := int32(1)
	if a >= b {
		step = -1
	}
	v := a
	for i := range items {
		items[i] = v
		v += step
	}
	return st.newList(items), nil
}

// validUnicodeEscapes reports whether every "\u" in a double-quoted literal is
// followed by four hexadecimal digits.
func validUnicodeEscapes(img string) bool {
	body := img[1 : len(img)-1]
	for {
		i := strings.Index(body, `\u`)
		if i < 0 {
			return true
		}
		if i+6 > len(body) {
			return false
		}
		for _, c := range body[i+2 : i+6] {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		body = body[i+6:]
	}
}

// numberFormatError is a NumberFormatException out of arithmetic or a comparison,
// which Velocity lets through as it is (the reference gives no position).
func (st *state) numberFormatError(at parse.Pos, err error) error {
	th := err.(*Throwable)
	return st.renderError(at, "NumberFormatException", th.Class, th.Message, err)
}
