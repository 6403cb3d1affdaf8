package parse

import (
	"strings"
)

// Node is an element of the syntax tree. The set of node types is closed: every
// implementation is in this package. The tree mirrors Apache Velocity 1.7's AST,
// node for node, because several of Velocity's behaviours (the literal text printed
// for an unset reference, a macro's arguments, a Block's scope) are defined in
// terms of that tree and its tokens.
type Node interface {
	// Type returns the node's type.
	Type() NodeType
	// Position returns the line and column of the node's first token.
	Position() Pos
	// FirstToken and LastToken return the first and last tokens of the node.
	FirstToken() *Token
	LastToken() *Token
	// String returns the node's source text.
	String() string
	// Children returns the node's children in the reference tree's order.
	Children() []Node
	node()
}

// Pos is a position in a template: 1-based line and column, counted as Apache
// Velocity counts them.
type Pos struct {
	Line, Col int
}

// NodeType identifies the type of a node.
type NodeType int

// Node types, named after the reference AST classes.
const (
	NodeProcess NodeType = iota
	NodeEscapedDirective
	NodeEscape
	NodeComment
	NodeTextblock
	NodeFloat
	NodeInteger
	NodeString
	NodeIdentifier
	NodeWord
	NodeDirective
	NodeBlock
	NodeMap
	NodeObjectArray
	NodeIntegerRange
	NodeMethod
	NodeIndex
	NodeReference
	NodeTrue
	NodeFalse
	NodeText
	NodeIf
	NodeElse
	NodeElseIf
	NodeSet
	NodeExpression
	NodeOr
	NodeAnd
	NodeEQ
	NodeNE
	NodeLT
	NodeGT
	NodeLE
	NodeGE
	NodeAdd
	NodeSub
	NodeMul
	NodeDiv
	NodeMod
	NodeNot
)

var nodeNames = [...]string{"ASTprocess", "ASTEscapedDirective", "ASTEscape", "ASTComment",
	"ASTTextblock", "ASTFloatingPointLiteral", "ASTIntegerLiteral", "ASTStringLiteral",
	"ASTIdentifier", "ASTWord", "ASTDirective", "ASTBlock", "ASTMap", "ASTObjectArray",
	"ASTIntegerRange", "ASTMethod", "ASTIndex", "ASTReference", "ASTTrue", "ASTFalse", "ASTText",
	"ASTIfStatement", "ASTElseStatement", "ASTElseIfStatement", "ASTSetDirective", "ASTExpression",
	"ASTOrNode", "ASTAndNode", "ASTEQNode", "ASTNENode", "ASTLTNode", "ASTGTNode", "ASTLENode",
	"ASTGENode", "ASTAddNode", "ASTSubtractNode", "ASTMulNode", "ASTDivNode", "ASTModNode",
	"ASTNotNode"}

// String returns the name of the reference AST class for t.
func (t NodeType) String() string {
	if int(t) < len(nodeNames) {
		return nodeNames[t]
	}
	return "NodeType(?)"
}

// span is embedded in every node: its type, tokens and source.
type span struct {
	typ         NodeType
	first, last *Token
	tree        *Tree
}

func (s *span) Type() NodeType     { return s.typ }
func (s *span) FirstToken() *Token { return s.first }
func (s *span) LastToken() *Token  { return s.last }
func (s *span) node()              {}

func (s *span) Position() Pos {
	if s.first == nil {
		return Pos{1, 1}
	}
	return Pos{s.first.Line, s.first.Col}
}

// String returns the source text from the first to the last token, with the
// special tokens before the first one (such as the "#" of "#{" in text) and the
// comments in between; the whole template for the root.
func (s *span) String() string {
	if s.tree == nil {
		return ""
	}
	if s.typ == NodeProcess {
		return s.tree.Source
	}
	if s.first == nil || s.last == nil {
		return ""
	}
	start, end := s.first.Off, s.last.EndOff
	for sp := s.first.Special; sp != nil; sp = sp.Special {
		start = sp.Off
	}
	if s.first.Kind == EOF || end < start {
		return ""
	}
	return s.tree.Source[start:end]
}

// Literal returns the node's literal text as Apache Velocity computes it
// (SimpleNode.literal): the literal of every token from the first to the last one.
func Literal(n Node) string {
	first, last := n.FirstToken(), n.LastToken()
	if first == nil {
		return ""
	}
	if first == last {
		return first.Literal()
	}
	var b strings.Builder
	for t := first; t != nil; t = t.Next {
		b.WriteString(t.Literal())
		if t == last {
			break
		}
	}
	return b.String()
}

// ListNode holds a sequence of statements: the whole template (NodeProcess) or the
// body of a directive (NodeBlock).
type ListNode struct {
	span
	Nodes []Node
}

// Children returns the statements.
func (n *ListNode) Children() []Node { return n.Nodes }

// TextNode is plain text (ASTText). Its output is the literal of its token.
type TextNode struct {
	span
}

// Children returns nil.
func (n *TextNode) Children() []Node { return nil }

// CommentNode is a ## or #* *# comment. Most comments print nothing; see Text.
type CommentNode struct {
	span
}

// Children returns nil.
func (n *CommentNode) Children() []Node { return nil }

// Text returns what the comment renders: the part of its first token's image before
// "##" or "#*" (a "$" consumed just before a comment), as ASTComment does.
func (n *CommentNode) Text() string {
	img := n.first.Image
	l1 := strings.Index(img, "##")
	l2 := strings.Index(img, "#*")
	switch {
	case l1 < 0 && l2 < 0:
		return ""
	case l1 < 0:
		return img[:l2]
	}
	return img[:l1]
}

// TextblockNode is an unparsed #[[ ... ]]# section.
type TextblockNode struct {
	span
}

// Children returns nil.
func (n *TextblockNode) Children() []Node { return nil }

// Text returns the section's content.
func (n *TextblockNode) Text() string {
	img := n.first.Image
	return img[3 : len(img)-3]
}

// EscapeNode is a run of escaped backslashes before a directive or reference.
type EscapeNode struct {
	span
	// Val is the text the run renders.
	Val string
}

// Children returns nil.
func (n *EscapeNode) Children() []Node { return nil }

// EscapedDirectiveNode is an escaped directive such as \#if.
type EscapedDirectiveNode struct {
	span
}

// Children returns nil.
func (n *EscapedDirectiveNode) Children() []Node { return nil }

// Text returns the rendered text (the token image as the parser rewrote it).
func (n *EscapedDirectiveNode) Text() string { return n.first.Image }

// ReferenceNode is a reference: $a, $!a, ${a}, $!{a}, with properties, methods and
// indexes in Parts.
type ReferenceNode struct {
	span
	// Parts are the IdentifierNode, MethodNode and IndexNode after the root.
	Parts []Node
	// Alternate is the value after "|" in ${a|'default'} (Velocity 2 syntax, which
	// Velocity 1.7 rejects), or nil.
	Alternate Node
}

// Children returns the parts (the alternate, not a node of the reference
// engine's tree, is not among them).
func (n *ReferenceNode) Children() []Node { return n.Parts }

// IdentifierNode is a property name after a dot.
type IdentifierNode struct {
	span
}

// Children returns nil.
func (n *IdentifierNode) Children() []Node { return nil }

// Name returns the property name.
func (n *IdentifierNode) Name() string { return n.first.Image }

// MethodNode is a method call after a dot.
type MethodNode struct {
	span
	Name *IdentifierNode
	Args []Node
}

// Children returns the name and the arguments.
func (n *MethodNode) Children() []Node {
	return append([]Node{n.Name}, n.Args...)
}

// IndexNode is an index in brackets: $a[0], $a['k'].
type IndexNode struct {
	span
	Arg Node
}

// Children returns the argument.
func (n *IndexNode) Children() []Node { return []Node{n.Arg} }

// DirectiveNode is a directive other than #if, #else and #set: #foreach, #macro,
// #define, a macro call and any #word. Block holds the body of block directives.
type DirectiveNode struct {
	span
	// Name is the directive's name without "#" and braces ("@m" for a body macro call).
	Name string
	Args []Node
	// Block is the body of a block directive, nil for a line directive.
	Block *ListNode
	// Parens reports whether the name was followed by an argument list.
	Parens bool
}

// Children returns the arguments and then the block.
func (n *DirectiveNode) Children() []Node {
	c := append([]Node(nil), n.Args...)
	if n.Block != nil {
		c = append(c, n.Block)
	}
	return c
}

// IfNode is #if with its #elseif and #else parts.
type IfNode struct {
	span
	Cond    *ExpressionNode
	Then    *ListNode
	ElseIfs []*ElseIfNode
	Else    *ElseNode
}

// Children returns the condition, the block, the #elseif parts and the #else part.
func (n *IfNode) Children() []Node {
	c := []Node{n.Cond, n.Then}
	for _, e := range n.ElseIfs {
		c = append(c, e)
	}
	if n.Else != nil {
		c = append(c, n.Else)
	}
	return c
}

// ElseIfNode is one #elseif part.
type ElseIfNode struct {
	span
	Cond *ExpressionNode
	Then *ListNode
}

// Children returns the condition and the block.
func (n *ElseIfNode) Children() []Node { return []Node{n.Cond, n.Then} }

// ElseNode is the #else part.
type ElseNode struct {
	span
	Then *ListNode
}

// Children returns the block.
func (n *ElseNode) Children() []Node { return []Node{n.Then} }

// SetNode is #set($ref = expression).
type SetNode struct {
	span
	Left  *ReferenceNode
	Right *ExpressionNode
}

// Children returns the reference and the expression.
func (n *SetNode) Children() []Node { return []Node{n.Left, n.Right} }

// ExpressionNode wraps the expression of #if, #elseif and #set.
type ExpressionNode struct {
	span
	X Node
}

// Children returns the expression.
func (n *ExpressionNode) Children() []Node { return []Node{n.X} }

// BinaryNode is a binary operator: logical, comparison or arithmetic; Type tells which.
type BinaryNode struct {
	span
	Left, Right Node
}

// Children returns the operands.
func (n *BinaryNode) Children() []Node { return []Node{n.Left, n.Right} }

// NotNode is logical negation.
type NotNode struct {
	span
	X Node
}

// Children returns the operand.
func (n *NotNode) Children() []Node { return []Node{n.X} }

// StringNode is a string literal, 'single' or "double" (interpolated).
type StringNode struct {
	span
}

// Children returns nil.
func (n *StringNode) Children() []Node { return nil }

// Quote returns the literal's quote character.
func (n *StringNode) Quote() byte { return n.first.Image[0] }

// Body returns the literal's text between the quotes, with Velocity 1.7's decoding:
// \uXXXX escapes in double-quoted strings and doubled quotes.
func (n *StringNode) Body() string {
	img := n.first.Image
	s := img[1 : len(img)-1]
	q := img[0]
	if q == '"' {
		s = unescapeUnicode(s)
	}
	dq := string([]byte{q, q})
	if strings.Contains(s, dq) {
		s = strings.ReplaceAll(s, dq, string(q))
	}
	return s
}

// unescapeUnicode replaces \uXXXX sequences, as ASTStringLiteral.unescape does.
// A malformed sequence is kept as it is (the reference engine fails instead; see
// the package documentation of velocity).
func unescapeUnicode(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, `\u`)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		if i+6 <= len(s) {
			if v, ok := hex4(s[i+2 : i+6]); ok {
				b.WriteRune(rune(v))
				s = s[i+6:]
				continue
			}
		}
		b.WriteString(s[i : i+2])
		s = s[i+2:]
	}
}

func hex4(s string) (int, bool) {
	v := 0
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// NumberNode is an integer or floating-point literal (Type tells which).
type NumberNode struct {
	span
}

// Children returns nil.
func (n *NumberNode) Children() []Node { return nil }

// Text returns the literal as written.
func (n *NumberNode) Text() string { return n.first.Image }

// BoolNode is true or false (Type tells which).
type BoolNode struct {
	span
}

// Children returns nil.
func (n *BoolNode) Children() []Node { return nil }

// WordNode is a bare word argument of a directive, like "in" in #foreach or a macro name.
type WordNode struct {
	span
}

// Children returns nil.
func (n *WordNode) Children() []Node { return nil }

// Text returns the word.
func (n *WordNode) Text() string { return n.first.Image }

// MapNode is a map literal {k: v, ...}; Items alternate keys and values.
type MapNode struct {
	span
	Items []Node
}

// Children returns keys and values, alternating.
func (n *MapNode) Children() []Node { return n.Items }

// ListLitNode is a list literal [a, b] (ASTObjectArray).
type ListLitNode struct {
	span
	Items []Node
}

// Children returns the items.
func (n *ListLitNode) Children() []Node { return n.Items }

// RangeNode is an integer range [a..b].
type RangeNode struct {
	span
	From, To Node
}

// Children returns both ends.
func (n *RangeNode) Children() []Node { return []Node{n.From, n.To} }
