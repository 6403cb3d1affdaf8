package velocity

import (
	"errors"
	"math/big"
	"strconv"
	"strings"

	"github.com/flowhook/flowhook/shared/velocity/parse"
)

// The compiler turns the syntax tree into executable nodes, doing once what the
// reference engine does when it initialises a template: it works out each
// reference's name and escapes, parses interpolated string literals, registers
// macros and checks directives' arguments, failing where the reference fails.

// node is an executable node. Every node can be rendered, evaluated as a value and
// as a condition, as the reference engine's nodes can; the defaults are those of
// its SimpleNode (render the children, value null, condition false).
type node interface {
	render(st *state) error
	value(st *state) (any, error)
	evaluate(st *state) (bool, error)
	// lit is the node's literal text as the reference engine computes it.
	lit() string
	pos() parse.Pos
	// ptype is the reference engine's node type.
	ptype() parse.NodeType
}

type base struct {
	pn   parse.Node
	kids []node
	at   parse.Pos
}

func (b *base) render(st *state) error        { return renderList(st, b.kids) }
func (b *base) value(*state) (any, error)     { return nil, nil }
func (b *base) evaluate(*state) (bool, error) { return false, nil }
func (b *base) lit() string                   { return parse.Literal(b.pn) }
func (b *base) pos() parse.Pos                { return b.at }
func (b *base) ptype() parse.NodeType         { return b.pn.Type() }

func renderList(st *state, nodes []node) error {
	for _, n := range nodes {
		if err := n.render(st); err != nil {
			return err
		}
	}
	return nil
}

// renderAll renders the template's top-level nodes.
func renderAll(st *state, nodes []node) error { return renderList(st, nodes) }

// textNode writes fixed text.
type textNode struct {
	base
	s string
}

func (n *textNode) render(st *state) error { return st.write(n.s) }

// macroDef is a macro: its parameter names (the macro's name first) and body.
type macroDef struct {
	name string
	args []string
	body node
}

type compiler struct {
	name string
	t    *Template
	// st is the render during which text is compiled (#evaluate), nil at Parse.
	st *state
	// macros collects the macros defined by the compiled text.
	macros map[string]*macroDef
	// off shifts positions of text parsed from a string literal.
	off parse.Pos
	// refInfos holds what each reference's first token said before the engine
	// rewrote it.
	refInfos map[*parse.ReferenceNode]refInfo
}

func newCompiler(name string, t *Template, st *state) *compiler {
	return &compiler{name: name, t: t, st: st, macros: map[string]*macroDef{},
		refInfos: map[*parse.ReferenceNode]refInfo{}}
}

// initError is an error the reference engine raises while initialising a tree.
type initError struct {
	kind string // TemplateInitException, VelocityException, ...
	msg  string
	at   parse.Pos // zero when the reference reports no position
}

func (e *initError) Error() string { return e.msg }

func (c *compiler) fail(kind, msg string, at parse.Pos) {
	panic(&initError{kind: kind, msg: msg, at: at})
}

// compileRoot compiles a whole tree. Errors are *ParseError.
func (c *compiler) compileRoot(tree *parse.Tree) (nodes []node, err error) {
	defer func() {
		if r := recover(); r != nil {
			ie, ok := r.(*initError)
			if !ok {
				panic(r)
			}
			nodes, err = nil, c.initErrorToParseError(ie)
		}
	}()
	c.prepareReferences(tree.Root)
	return c.list(tree.Root.Nodes), nil
}

func (c *compiler) initErrorToParseError(ie *initError) error {
	return &ParseError{Name: c.name, Line: ie.at.Line, Col: ie.at.Col, Msg: ie.msg, Kind: ie.kind}
}

func (c *compiler) pos(pn parse.Node) parse.Pos { return shiftPos(pn.Position(), c.off) }

// shiftPos places a position of a string literal's text in the enclosing template
// (ASTStringLiteral.adjTokenLineNums).
func shiftPos(p, off parse.Pos) parse.Pos {
	if off.Line == 0 {
		return p
	}
	if p.Line == 1 {
		p.Col += off.Col
	}
	p.Line += off.Line - 1
	return p
}

func (c *compiler) base(pn parse.Node) base { return base{pn: pn, at: c.pos(pn)} }

func (c *compiler) list(pns []parse.Node) []node {
	out := make([]node, 0, len(pns))
	var text strings.Builder
	flushText := func(pn parse.Node) {
		if text.Len() > 0 {
			out = append(out, &textNode{base: c.base(pn), s: text.String()})
			text.Reset()
		}
	}
	var lastText parse.Node
	for _, pn := range pns {
		if s, ok := staticText(pn); ok {
			if text.Len() == 0 {
				lastText = pn
			}
			text.WriteString(s)
			continue
		}
		flushText(lastText)
		out = append(out, c.node(pn))
	}
	flushText(lastText)
	return out
}

// staticText returns the output of nodes that always print the same text.
func staticText(pn parse.Node) (string, bool) {
	switch n := pn.(type) {
	case *parse.TextNode:
		return n.FirstToken().Literal(), true
	case *parse.CommentNode:
		return n.Text(), true
	case *parse.TextblockNode:
		return n.Text(), true
	case *parse.EscapeNode:
		return n.Val, true
	case *parse.EscapedDirectiveNode:
		return n.Text(), true
	}
	return "", false
}

func (c *compiler) node(pn parse.Node) node {
	switch n := pn.(type) {
	case *parse.TextNode, *parse.CommentNode, *parse.TextblockNode, *parse.EscapeNode, *parse.EscapedDirectiveNode:
		s, _ := staticText(pn)
		return &textNode{base: c.base(pn), s: s}
	case *parse.ListNode:
		b := c.base(pn)
		b.kids = c.list(n.Nodes)
		return &blockNode{base: b}
	case *parse.ReferenceNode:
		return c.reference(n)
	case *parse.IfNode:
		return c.ifNode(n)
	case *parse.SetNode:
		return c.setNode(n)
	case *parse.DirectiveNode:
		return c.directive(n)
	case *parse.ExpressionNode:
		b := c.base(pn)
		x := c.node(n.X)
		b.kids = []node{x}
		return &exprNode{base: b, x: x}
	case *parse.BinaryNode:
		b := c.base(pn)
		l, r := c.node(n.Left), c.node(n.Right)
		b.kids = []node{l, r}
		return &binaryNode{base: b, op: pn.Type(), l: l, r: r}
	case *parse.NotNode:
		b := c.base(pn)
		x := c.node(n.X)
		b.kids = []node{x}
		return &notNode{base: b, x: x}
	case *parse.StringNode:
		return c.stringLiteral(n)
	case *parse.NumberNode:
		v := numberLiteral(n)
		if v == nil {
			// "#1" in an expression: Java's number parsing fails while the
			// reference initialises the template.
			c.processingError("NumberFormatException: For input string: \"" + n.Text() + "\"")
		}
		return &constNode{base: c.base(pn), v: v}
	case *parse.BoolNode:
		return &boolNode{base: c.base(pn), v: pn.Type() == parse.NodeTrue}
	case *parse.WordNode:
		return &wordNode{base: c.base(pn)}
	case *parse.MapNode:
		b := c.base(pn)
		for _, it := range n.Items {
			b.kids = append(b.kids, c.node(it))
		}
		return &mapNode{base: b}
	case *parse.ListLitNode:
		b := c.base(pn)
		for _, it := range n.Items {
			b.kids = append(b.kids, c.node(it))
		}
		return &listNode{base: b}
	case *parse.RangeNode:
		b := c.base(pn)
		from, to := c.node(n.From), c.node(n.To)
		b.kids = []node{from, to}
		return &rangeNode{base: b, from: from, to: to}
	}
	panic("velocity: unexpected node " + pn.Type().String())
}

// blockNode renders its statements (ASTBlock, ASTprocess).
type blockNode struct{ base }

// numberLiteral is the value of an integer or floating-point literal: Integer,
// Long or BigInteger by size; Double.
func numberLiteral(n *parse.NumberNode) any {
	s := n.Text()
	if n.Type() == parse.NodeInteger {
		if v, err := strconv.ParseInt(s, 10, 32); err == nil {
			return int32(v)
		}
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v
		}
		if b, ok := new(big.Int).SetString(s, 10); ok {
			return b
		}
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil
	}
	// out of range: Double.valueOf gives infinity or zero, as ParseFloat does
	return f
}

// prepareReferences rewrites the first token of every reference as the reference
// engine's ASTReference.init does before anything reads the tree's literals: a
// reference's leading backslashes (its escape) and any prefix before the last "$"
// are removed from the token image. Children first, as the reference's init order.
func (c *compiler) prepareReferences(n parse.Node) {
	for _, k := range n.Children() {
		c.prepareReferences(k)
	}
	r, ok := n.(*parse.ReferenceNode)
	if !ok {
		return
	}
	if r.Alternate != nil {
		c.prepareReferences(r.Alternate)
	}
	c.refInfos[r] = analyseReference(r)
	t := r.FirstToken()
	img := t.Image
	if strings.Contains(img, `\!`) {
		return // "$\!a" keeps its image
	}
	i := 0
	for i < len(img) && img[i] == '\\' {
		i++
	}
	img = img[i:]
	if l := strings.LastIndexByte(img, '$'); l > 0 {
		img = img[l:]
	}
	t.Image = img
}
