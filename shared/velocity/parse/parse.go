// Package parse builds the syntax tree of an Apache Velocity 1.7 template.
//
// The lexer reproduces the reference engine's token manager (lexical states, the
// longest-match rule, MORE and special tokens, the state stack) and the parser is a
// recursive-descent transcription of its grammar with the same lookahead, so the
// token stream and the tree are those the reference engine builds, including for
// text that merely looks like Velocity. The velocity package executes the tree.
package parse

import (
	"fmt"
	"strings"
)

// Tree is a parsed template.
type Tree struct {
	// Name is the template's name, used in error messages.
	Name string
	// Source is the template text.
	Source string
	// Root holds the template's statements (NodeProcess).
	Root *ListNode
	// Macros lists the names of the macros the template defines, in order.
	Macros []string
}

// Options adjust parsing.
type Options struct {
	// MacroDefined reports whether a macro of that name is already known; the
	// reference parser consults it for escapes (\#name) and argument checks. It
	// matters for text parsed at render time (#evaluate, string literals).
	MacroDefined func(name string) bool
	// MaxDepth bounds the nesting of directives, references and expressions;
	// 0 means 1000.
	MaxDepth int
	// Alternates accepts ${a|'default'} (Velocity 2's alternate values, a syntax
	// error in Velocity 1.7); the alternate is a reference or a literal.
	Alternates bool
}

// Error is a syntax error at a position of a template.
type Error struct {
	Name      string
	Line, Col int
	// Msg says what was found and what was expected.
	Msg string
	// Kind is the reference engine's exception class for this error:
	// "ParseErrorException", or "TemplateInitException" / "VelocityException" for
	// the errors it reports while initialising the tree.
	Kind string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// blockDirectives and lineDirectives are the reference engine's built-in
// directives by type.
var builtinDirectives = map[string]bool{ // name -> is a block directive
	"foreach": true, "macro": true, "literal": true, "define": true,
	"include": false, "parse": false, "evaluate": false, "break": false, "stop": false,
}

// IsDirective reports whether name is a built-in directive of Velocity 1.7.
func IsDirective(name string) bool {
	_, ok := builtinDirectives[name]
	return ok
}

// Parse parses a template.
func Parse(name, src string, opts *Options) (t *Tree, err error) {
	if opts == nil {
		opts = &Options{}
	}
	lines := newLineIndex(src)
	tree := &Tree{Name: name, Source: src}
	lex := newLexer(src, lines)
	lex.alternates = opts.Alternates
	p := &parser{
		lex:        lex,
		tree:       tree,
		lines:      lines,
		opts:       opts,
		macroNames: map[string]bool{},
		maxDepth:   opts.MaxDepth,
	}
	if p.maxDepth <= 0 {
		p.maxDepth = 1000
	}
	p.token = &Token{Kind: -1} // the head of the token chain, before the first token
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			t, err = nil, pe
		}
	}()
	tree.Root = p.process()
	return tree, nil
}

type parser struct {
	lex        *lexer
	tree       *Tree
	lines      *lineIndex
	opts       *Options
	macroNames map[string]bool
	depth      int
	maxDepth   int

	token *Token // the last consumed token
	open  []openDirective

	// lookahead state, as in JavaCC's generated scanners
	scanpos, lastpos *Token
	la               int
	laSuccess        bool
}

// fetch returns the token after t, reading it from the lexer if needed.
func (p *parser) fetch(t *Token) *Token {
	if t.Next == nil {
		n := p.lex.next()
		if n == nil {
			p.lexicalError()
		}
		t.Next = n
	}
	return t.Next
}

func (p *parser) ntk() Kind { return p.fetch(p.token).Kind }

// peek returns the next token without consuming it (getToken(1)).
func (p *parser) peek() *Token { return p.fetch(p.token) }

func (p *parser) consume(k Kind) *Token {
	t := p.fetch(p.token)
	if t.Kind != k {
		p.unexpected(k.String())
	}
	p.token = t
	return t
}

func (p *parser) enter() {
	p.depth++
	if p.depth > p.maxDepth {
		t := p.peek()
		p.fail(t, fmt.Sprintf("the template nests directives, references or expressions more than %d deep", p.maxDepth))
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) fail(at *Token, msg string) {
	panic(&Error{Name: p.tree.Name, Line: at.Line, Col: at.Col, Msg: msg, Kind: "ParseErrorException"})
}

func (p *parser) lexicalError() {
	e := p.lex.err
	line, col, msg := e.describe(p.lex.src, p.lines)
	panic(&Error{Name: p.tree.Name, Line: line, Col: col, Msg: msg, Kind: "ParseErrorException"})
}

// unexpected reports the next token as unexpected. expected describes what would
// have been accepted.
func (p *parser) unexpected(expected string) {
	t := p.peek()
	msg := fmt.Sprintf("unexpected %q; expected %s", t.Image, expected)
	if t.Kind == EOF {
		msg = "the template ends too early; expected " + expected
	}
	if t.Kind == EOF {
		if open := p.openBlock(); open != "" {
			msg = open
		}
	}
	p.fail(t, msg)
}

// openStack records the directives being parsed, for "unclosed #if" messages.
type openDirective struct {
	name string
	at   *Token
}

func (p *parser) openBlock() string {
	if len(p.open) == 0 {
		return ""
	}
	o := p.open[len(p.open)-1]
	return fmt.Sprintf("unclosed %s started at %d:%d; add #end", o.name, o.at.Line, o.at.Col)
}

func (p *parser) pushOpen(name string, at *Token) {
	p.open = append(p.open, openDirective{name, at})
}

func (p *parser) popOpen() { p.open = p.open[:len(p.open)-1] }

// --------------------------------------------------------------- lookahead

// scanToken is JavaCC's jj_scan_token: it reports true when the token at the scan
// position is not of kind k (the scan failed). Reaching the lookahead limit on a
// matching token ends the whole lookahead successfully.
func (p *parser) scanToken(k Kind) bool {
	if p.laSuccess {
		return true
	}
	if p.scanpos == p.lastpos {
		p.la--
		p.scanpos = p.fetch(p.scanpos)
		p.lastpos = p.scanpos
	} else {
		p.scanpos = p.fetch(p.scanpos)
	}
	if p.scanpos.Kind != k {
		return true
	}
	if p.la == 0 && p.scanpos == p.lastpos {
		p.laSuccess = true
		return true
	}
	return false
}

// lookahead runs scan with a limit of n tokens and reports whether it matched.
func (p *parser) lookahead(n int, scan func() bool) bool {
	p.la = n
	p.scanpos, p.lastpos = p.token, p.token
	p.laSuccess = false
	failed := scan()
	ok := p.laSuccess || !failed
	p.laSuccess = false
	return ok
}

const unlimited = 1 << 30

// opt scans an optional token.
func (p *parser) optScan(k Kind) {
	xsp := p.scanpos
	if p.scanToken(k) {
		p.scanpos = xsp
	}
}

// star scans f repeatedly while it matches.
func (p *parser) star(f func() bool) {
	for {
		xsp := p.scanpos
		if f() {
			p.scanpos = xsp
			return
		}
	}
}

// alt tries the scans in order and fails when none matches.
func (p *parser) alt(fs ...func() bool) bool {
	xsp := p.scanpos
	for _, f := range fs {
		if !f() {
			return false
		}
		if p.laSuccess {
			return true
		}
		p.scanpos = xsp
	}
	return true
}

func (p *parser) tok(k Kind) func() bool { return func() bool { return p.scanToken(k) } }

// scanReference is the scan of Reference() (jj_3R_24).
func (p *parser) scanReference() bool {
	return p.alt(p.scanPlainRef, p.scanFormalRef)
}

func (p *parser) scanPlainRef() bool {
	if p.scanToken(Identifier) {
		return true
	}
	p.star(p.scanIndex)
	p.star(p.scanDotPart)
	return false
}

func (p *parser) scanFormalRef() bool {
	if p.scanToken(LCurly) || p.scanToken(Identifier) {
		return true
	}
	p.star(p.scanIndex)
	p.star(p.scanDotPart)
	return p.scanToken(RCurly)
}

// scanDotPart: <DOT> (Method() | Identifier()) (Index())*
func (p *parser) scanDotPart() bool {
	if p.scanToken(Dot) {
		return true
	}
	if p.alt(p.scanMethod, p.tok(Identifier)) {
		return true
	}
	p.star(p.scanIndex)
	return false
}

// scanIndex: "[" IndexParameter "]"
func (p *parser) scanIndex() bool {
	return p.scanToken(IndexLBracket) || p.scanIndexParameter() || p.scanToken(IndexRBracket)
}

func (p *parser) scanIndexParameter() bool {
	p.optScan(Whitespace)
	if p.alt(p.tok(StringLiteral), p.tok(IntegerLiteral), p.tok(True), p.tok(False), p.scanReference) {
		return true
	}
	p.optScan(Whitespace)
	return false
}

// scanMethod: Identifier "(" [Parameter ("," Parameter)*] ")"
func (p *parser) scanMethod() bool {
	if p.scanToken(Identifier) || p.scanToken(LParen) {
		return true
	}
	xsp := p.scanpos
	if p.scanParameterList() {
		p.scanpos = xsp
	}
	return p.scanToken(RefMod2RParen)
}

func (p *parser) scanParameterList() bool {
	if p.scanParameter() {
		return true
	}
	p.star(func() bool { return p.scanToken(Comma) || p.scanParameter() })
	return false
}

// scanParameter is the scan of Parameter() (jj_3R_29).
func (p *parser) scanParameter() bool {
	p.optScan(Whitespace)
	if p.alt(p.tok(StringLiteral), p.tok(IntegerLiteral), p.scanRange, p.scanMap, p.scanList,
		p.tok(True), p.tok(False), p.scanReference, p.tok(FloatingLiteral)) {
		return true
	}
	p.optScan(Whitespace)
	return false
}

func (p *parser) scanRefOrInt() bool {
	return p.alt(p.scanReference, p.tok(IntegerLiteral))
}

// scanRangeStart is the lookahead before IntegerRange: "[" [ws] (ref|int) [ws] "..".
func (p *parser) scanRangeStart() bool {
	if p.scanToken(LBracket) {
		return true
	}
	p.optScan(Whitespace)
	if p.scanRefOrInt() {
		return true
	}
	p.optScan(Whitespace)
	return p.scanToken(DoubleDot)
}

// scanRange is the full scan of IntegerRange().
func (p *parser) scanRange() bool {
	if p.scanRangeStart() {
		return true
	}
	p.optScan(Whitespace)
	if p.scanRefOrInt() {
		return true
	}
	p.optScan(Whitespace)
	return p.scanToken(RBracket)
}

// scanMap is the scan of Map().
func (p *parser) scanMap() bool {
	if p.scanToken(LeftCurley) {
		return true
	}
	if p.alt(p.scanMapEntries, func() bool { p.optScan(Whitespace); return false }) {
		return true
	}
	return p.alt(p.tok(RightCurley), p.tok(RCurly))
}

func (p *parser) scanMapEntries() bool {
	if p.scanParameter() || p.scanToken(Colon) || p.scanParameter() {
		return true
	}
	p.star(func() bool {
		return p.scanToken(Comma) || p.scanParameter() || p.scanToken(Colon) || p.scanParameter()
	})
	return false
}

// scanList is the scan of ObjectArray().
func (p *parser) scanList() bool {
	if p.scanToken(LBracket) {
		return true
	}
	xsp := p.scanpos
	if p.scanParameterList() {
		p.scanpos = xsp
	}
	return p.scanToken(RBracket)
}

// scanDirectiveArg is the scan of DirectiveArg() (jj_3R_28).
func (p *parser) scanDirectiveArg() bool {
	return p.alt(p.scanReference, p.tok(Word), p.tok(StringLiteral), p.tok(IntegerLiteral),
		p.scanRange, p.tok(FloatingLiteral), p.scanMap, p.scanList, p.tok(True), p.tok(False))
}

// scanArgLookahead: [ws] ["," [ws]] DirectiveArg()
func (p *parser) scanArgLookahead() bool {
	p.optScan(Whitespace)
	xsp := p.scanpos
	if p.scanToken(Comma) {
		p.scanpos = xsp
	} else {
		p.optScan(Whitespace)
	}
	return p.scanDirectiveArg()
}

// scanNot: [ws] "!" UnaryExpression
func (p *parser) scanNot() bool {
	p.optScan(Whitespace)
	if p.scanToken(LogicalNot) {
		return true
	}
	return p.alt(p.scanNot, p.scanPrimary)
}

// scanPrimary is the scan of PrimaryExpression() (jj_3R_72).
func (p *parser) scanPrimary() bool {
	p.optScan(Whitespace)
	return p.alt(p.tok(StringLiteral), p.scanReference, p.tok(IntegerLiteral), p.scanRange,
		p.tok(FloatingLiteral), p.scanMap, p.scanList, p.tok(True), p.tok(False), p.tok(LParen))
}

// --------------------------------------------------------------- productions

func (p *parser) span(t NodeType) span { return span{typ: t, first: p.peek(), tree: p.tree} }

func (p *parser) close(s *span) { s.last = p.token }

func isStatementStart(k Kind) bool {
	switch k {
	case LParen, RParen, EscapeDirective, SetDirective, SingleLineCommentSt, DoubleEscape, Escape,
		Text, FormalComment, MultiLineComment, Textblock, StringLiteral, IfDirective, IntegerLiteral,
		FloatingLiteral, Word, BracketedWord, Identifier, Dot, LCurly, RCurly, EmptyIndex:
		return true
	}
	return false
}

func (p *parser) process() *ListNode {
	n := &ListNode{span: p.span(NodeProcess)}
	for isStatementStart(p.ntk()) {
		n.Nodes = append(n.Nodes, p.statement())
	}
	if p.ntk() != EOF {
		t := p.peek()
		p.fail(t, p.strayMessage(t))
	}
	p.token = p.peek()
	p.close(&n.span)
	return n
}

// strayMessage explains a token that cannot start a statement at the top level.
func (p *parser) strayMessage(t *Token) string {
	switch t.Kind {
	case End:
		return "#end without a matching #if, #foreach, #macro or other block directive"
	case ElseDirective:
		return "#else without a matching #if"
	case ElseIfDirective:
		return "#elseif without a matching #if"
	case True, False:
		return fmt.Sprintf("%q cannot be used as a reference name", t.Image)
	}
	return fmt.Sprintf("unexpected %q", t.Image)
}

func (p *parser) block() *ListNode {
	n := &ListNode{span: p.span(NodeBlock)}
	for isStatementStart(p.ntk()) {
		n.Nodes = append(n.Nodes, p.statement())
	}
	p.close(&n.span)
	return n
}

func (p *parser) statement() Node {
	p.enter()
	defer p.leave()
	if p.ntk() == IfDirective {
		return p.ifStatement()
	}
	if p.lookahead(2, p.scanReference) {
		return p.reference()
	}
	switch p.ntk() {
	case SingleLineCommentSt, FormalComment, MultiLineComment:
		return p.comment()
	case Textblock:
		n := &TextblockNode{span: p.span(NodeTextblock)}
		p.consume(Textblock)
		p.close(&n.span)
		return n
	case SetDirective:
		return p.setDirective()
	case EscapeDirective:
		n := &EscapedDirectiveNode{span: p.span(NodeEscapedDirective)}
		t := p.consume(EscapeDirective)
		p.close(&n.span)
		t.Image = p.escapedDirective(t.Image)
		return n
	case DoubleEscape:
		return p.escape()
	case Word, BracketedWord:
		return p.directive()
	case LParen, RParen, Escape, Text, StringLiteral, IntegerLiteral, FloatingLiteral, Dot, LCurly,
		RCurly, EmptyIndex:
		n := &TextNode{span: p.span(NodeText)}
		p.token = p.peek()
		p.close(&n.span)
		return n
	}
	p.unexpected("a statement")
	return nil
}

func (p *parser) comment() Node {
	n := &CommentNode{span: p.span(NodeComment)}
	switch p.ntk() {
	case SingleLineCommentSt:
		p.consume(SingleLineCommentSt)
		if p.ntk() == SingleLineComment {
			p.consume(SingleLineComment)
		}
	default:
		p.token = p.peek()
	}
	p.close(&n.span)
	return n
}

func (p *parser) isMacro(name string) bool {
	return p.macroNames[name] || (p.opts.MacroDefined != nil && p.opts.MacroDefined(name))
}

// escapedDirective rewrites the image of an escaped directive: an escaped directive
// or macro loses half its backslashes and its escape; anything else stays as written.
func (p *parser) escapedDirective(img string) string {
	last := strings.LastIndexByte(img, '\\')
	dir := img[last+1:]
	tag := dir[1:]
	if tag[0] == '{' {
		tag = tag[1 : len(tag)-1]
	}
	switch {
	case IsDirective(tag), p.isMacro(tag),
		tag == "if", tag == "end", tag == "set", tag == "else", tag == "elseif":
		return img[:last/2] + dir
	}
	return img
}

func (p *parser) escape() Node {
	n := &EscapeNode{span: p.span(NodeEscape)}
	var t *Token
	count := 0
	for {
		t = p.consume(DoubleEscape)
		count++
		if !p.lookahead(2, p.tok(DoubleEscape)) {
			break
		}
	}
	p.close(&n.span)
	next := t.Next
	control := false
	switch next.Kind {
	case End, IfDirective, ElseIfDirective, ElseDirective:
		control = true
	}
	tag := ""
	if len(next.Image) > 0 {
		tag = next.Image[1:]
	}
	if IsDirective(tag) || p.isMacro(tag) {
		control = true
	}
	unit := `\\`
	if control {
		unit = `\`
	}
	n.Val = strings.Repeat(unit, count)
	return n
}

func (p *parser) setDirective() Node {
	n := &SetNode{span: p.span(NodeSet)}
	open := p.consume(SetDirective)
	p.pushOpen("#set", open)
	defer p.popOpen()
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	if k := p.ntk(); k != Identifier && k != LCurly {
		p.unexpected("a reference such as $name after #set(")
	}
	n.Left = p.reference()
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	if p.ntk() != Equals {
		p.unexpected(`"=" in #set`)
	}
	p.consume(Equals)
	n.Right = p.expression()
	if p.ntk() != RParen {
		p.unexpected(`")" to close #set(`)
	}
	p.consume(RParen)
	p.lex.inSet = false
	if p.ntk() == Newline {
		p.consume(Newline)
	}
	p.close(&n.span)
	return n
}

func (p *parser) ifStatement() Node {
	n := &IfNode{span: p.span(NodeIf)}
	open := p.consume(IfDirective)
	p.pushOpen("#if", open)
	defer p.popOpen()
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	if p.ntk() != LParen {
		p.unexpected(`"(" after #if`)
	}
	p.consume(LParen)
	n.Cond = p.expression()
	if p.ntk() != RParen {
		p.unexpected(`")" to close the condition of #if`)
	}
	p.consume(RParen)
	n.Then = p.block()
	for p.ntk() == ElseIfDirective {
		e := &ElseIfNode{span: p.span(NodeElseIf)}
		p.consume(ElseIfDirective)
		if p.ntk() == Whitespace {
			p.consume(Whitespace)
		}
		if p.ntk() != LParen {
			p.unexpected(`"(" after #elseif`)
		}
		p.consume(LParen)
		e.Cond = p.expression()
		if p.ntk() != RParen {
			p.unexpected(`")" to close the condition of #elseif`)
		}
		p.consume(RParen)
		e.Then = p.block()
		p.close(&e.span)
		n.ElseIfs = append(n.ElseIfs, e)
	}
	if p.ntk() == ElseDirective {
		e := &ElseNode{span: p.span(NodeElse)}
		p.consume(ElseDirective)
		e.Then = p.block()
		p.close(&e.span)
		n.Else = e
	}
	if p.ntk() != End {
		p.unexpected("#end to close #if")
	}
	p.consume(End)
	p.close(&n.span)
	return n
}

func (p *parser) directive() Node {
	n := &DirectiveNode{span: p.span(NodeDirective)}
	var t *Token
	if p.ntk() == BracketedWord {
		t = p.consume(BracketedWord)
	} else {
		t = p.consume(Word)
	}
	// The name: after the "#" (and a "$" or other prefix the lexer consumed).
	img := t.Image
	var name string
	if t.Kind == BracketedWord {
		name = img[2 : len(img)-1]
	} else {
		name = img[1:]
	}
	n.Name = name
	isBlock, builtin := builtinDirectives[name]
	isMacroDef := name == "macro"
	isVM := false
	if !builtin {
		if strings.HasPrefix(name, "@") {
			isBlock = true
		} else {
			// Only macros registered before this parse count here, not those the
			// template defines: the reference registers them after parsing.
			isVM = p.opts.MacroDefined != nil && p.opts.MacroDefined(name)
		}
	}
	p.lex.state = sDirective
	if !p.isLeftParenthesis() {
		if isMacroDef {
			p.failAfter(t, "#macro needs a name in parentheses, such as #macro(greet $name)")
		}
		p.lex.pop()
		p.lex.inDirective = false
		p.close(&n.span)
		return n
	}
	n.Parens = true
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	p.consume(LParen)
	argPos := 0
	for p.lookahead(2, p.scanArgLookahead) {
		if p.ntk() == Whitespace {
			p.consume(Whitespace)
		}
		if p.ntk() == Comma {
			p.consume(Comma)
			if p.ntk() == Whitespace {
				p.consume(Whitespace)
			}
		}
		arg := p.directiveArg()
		if _, isWord := arg.(*WordNode); isWord {
			if !(isMacroDef && argPos == 0) {
				if isVM {
					p.failAfter(t, fmt.Sprintf("invalid argument %d of macro %s: a bare word; quote it or use a reference", argPos, t.Image))
				}
				if builtin && (name != "foreach" || argPos != 1) {
					p.failAfter(t, fmt.Sprintf("invalid argument %d of %s: a bare word; quote it or use a reference", argPos, t.Image))
				}
			}
		} else if isMacroDef && argPos == 0 {
			p.failAfter(t, "the first argument of #macro must be the macro's name, without quotes")
		}
		n.Args = append(n.Args, arg)
		argPos++
	}
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	if p.ntk() != RParen {
		p.unexpected(fmt.Sprintf(`an argument or ")" to close %s(`, t.Image))
	}
	p.consume(RParen)
	if !isBlock {
		p.close(&n.span)
		return n
	}
	p.pushOpen("#"+name, t)
	n.Block = p.block()
	if p.ntk() != End {
		p.unexpected("#end to close #" + name)
	}
	p.consume(End)
	p.popOpen()
	p.close(&n.span)
	if isMacroDef {
		if len(n.Args) < 1 {
			p.failAfter(t, "#macro needs a name, such as #macro(greet $name)")
		}
		w, ok := n.Args[0].(*WordNode)
		if !ok {
			p.failAfter(t, "the first argument of #macro must be the macro's name, without quotes")
		}
		p.macroNames[w.Text()] = true
		p.tree.Macros = append(p.tree.Macros, w.Text())
	}
	return n
}

// failAfter reports an error at the token after t, or at t when none was read, as
// the reference engine's MacroParseException does.
func (p *parser) failAfter(t *Token, msg string) {
	at := t
	if t.Next != nil {
		at = t.Next
	}
	p.fail(at, msg)
}

// isLeftParenthesis looks at the characters after a directive name: blanks and
// newlines, then "(".
func (p *parser) isLeftParenthesis() bool {
	s := p.lex.src
	for i := p.lex.pos; i < len(s); i++ {
		switch s[i] {
		case '(':
			return true
		case ' ', '\n', '\r', '\t':
			continue
		}
		return false
	}
	return false
}

func (p *parser) directiveArg() Node {
	switch p.ntk() {
	case Identifier, LCurly:
		return p.reference()
	case Word:
		n := &WordNode{span: p.span(NodeWord)}
		p.consume(Word)
		p.close(&n.span)
		return n
	case StringLiteral:
		return p.stringLiteral()
	case IntegerLiteral:
		return p.number(NodeInteger, IntegerLiteral)
	}
	if p.lookahead(unlimited, p.scanRangeStart) {
		return p.integerRange()
	}
	switch p.ntk() {
	case FloatingLiteral:
		return p.number(NodeFloat, FloatingLiteral)
	case LeftCurley:
		return p.mapLiteral()
	case LBracket:
		return p.listLiteral()
	case True:
		return p.boolean(NodeTrue, True)
	case False:
		return p.boolean(NodeFalse, False)
	}
	p.unexpected("a directive argument")
	return nil
}

func (p *parser) stringLiteral() Node {
	n := &StringNode{span: p.span(NodeString)}
	p.consume(StringLiteral)
	p.close(&n.span)
	return n
}

func (p *parser) number(t NodeType, k Kind) Node {
	n := &NumberNode{span: p.span(t)}
	p.consume(k)
	p.close(&n.span)
	return n
}

func (p *parser) boolean(t NodeType, k Kind) Node {
	n := &BoolNode{span: p.span(t)}
	p.consume(k)
	p.close(&n.span)
	return n
}

func (p *parser) mapLiteral() Node {
	p.enter()
	defer p.leave()
	n := &MapNode{span: p.span(NodeMap)}
	p.consume(LeftCurley)
	if p.lookahead(2, p.scanMapEntries) {
		n.Items = append(n.Items, p.parameter())
		p.consume(Colon)
		n.Items = append(n.Items, p.parameter())
		for p.ntk() == Comma {
			p.consume(Comma)
			n.Items = append(n.Items, p.parameter())
			p.consume(Colon)
			n.Items = append(n.Items, p.parameter())
		}
	} else if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	switch p.ntk() {
	case RightCurley:
		p.consume(RightCurley)
	case RCurly:
		p.consume(RCurly)
	default:
		p.unexpected(`"}" to close the map`)
	}
	p.close(&n.span)
	return n
}

func isParameterStart(k Kind) bool {
	switch k {
	case LBracket, LeftCurley, Whitespace, StringLiteral, True, False, IntegerLiteral,
		FloatingLiteral, Identifier, LCurly:
		return true
	}
	return false
}

func (p *parser) listLiteral() Node {
	p.enter()
	defer p.leave()
	n := &ListLitNode{span: p.span(NodeObjectArray)}
	p.consume(LBracket)
	if isParameterStart(p.ntk()) {
		n.Items = append(n.Items, p.parameter())
		for p.ntk() == Comma {
			p.consume(Comma)
			n.Items = append(n.Items, p.parameter())
		}
	}
	if p.ntk() != RBracket {
		p.unexpected(`"]" to close the list`)
	}
	p.consume(RBracket)
	p.close(&n.span)
	return n
}

func (p *parser) refOrInt() Node {
	switch p.ntk() {
	case Identifier, LCurly:
		return p.reference()
	case IntegerLiteral:
		return p.number(NodeInteger, IntegerLiteral)
	}
	p.unexpected("an integer or a reference in the range")
	return nil
}

func (p *parser) integerRange() Node {
	n := &RangeNode{span: p.span(NodeIntegerRange)}
	p.consume(LBracket)
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	n.From = p.refOrInt()
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	p.consume(DoubleDot)
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	n.To = p.refOrInt()
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	if p.ntk() != RBracket {
		p.unexpected(`"]" to close the range`)
	}
	p.consume(RBracket)
	p.close(&n.span)
	return n
}

func (p *parser) indexParameter() Node {
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	var n Node
	switch p.ntk() {
	case StringLiteral:
		n = p.stringLiteral()
	case IntegerLiteral:
		n = p.number(NodeInteger, IntegerLiteral)
	case True:
		n = p.boolean(NodeTrue, True)
	case False:
		n = p.boolean(NodeFalse, False)
	case Identifier, LCurly:
		n = p.reference()
	default:
		p.unexpected("an index: a number, a string or a reference")
	}
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	return n
}

func (p *parser) parameter() Node {
	p.enter()
	defer p.leave()
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	var n Node
	switch p.ntk() {
	case StringLiteral:
		n = p.stringLiteral()
	case IntegerLiteral:
		n = p.number(NodeInteger, IntegerLiteral)
	default:
		if p.lookahead(unlimited, p.scanRangeStart) {
			n = p.integerRange()
			break
		}
		switch p.ntk() {
		case LeftCurley:
			n = p.mapLiteral()
		case LBracket:
			n = p.listLiteral()
		case True:
			n = p.boolean(NodeTrue, True)
		case False:
			n = p.boolean(NodeFalse, False)
		case Identifier, LCurly:
			n = p.reference()
		case FloatingLiteral:
			n = p.number(NodeFloat, FloatingLiteral)
		default:
			p.unexpected("an argument")
		}
	}
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	return n
}

func (p *parser) identifier() *IdentifierNode {
	n := &IdentifierNode{span: p.span(NodeIdentifier)}
	p.consume(Identifier)
	p.close(&n.span)
	return n
}

func (p *parser) method() Node {
	p.enter()
	defer p.leave()
	n := &MethodNode{span: p.span(NodeMethod)}
	n.Name = p.identifier()
	p.consume(LParen)
	if isParameterStart(p.ntk()) {
		n.Args = append(n.Args, p.parameter())
		for p.ntk() == Comma {
			p.consume(Comma)
			n.Args = append(n.Args, p.parameter())
		}
	}
	if p.ntk() != RefMod2RParen {
		p.unexpected(`an argument or ")" to close the call of ` + n.Name.Name())
	}
	p.consume(RefMod2RParen)
	p.close(&n.span)
	return n
}

func (p *parser) index() Node {
	p.enter()
	defer p.leave()
	n := &IndexNode{span: p.span(NodeIndex)}
	p.consume(IndexLBracket)
	n.Arg = p.indexParameter()
	if p.ntk() != IndexRBracket {
		p.unexpected(`"]" to close the index`)
	}
	p.consume(IndexRBracket)
	p.close(&n.span)
	return n
}

func (p *parser) reference() *ReferenceNode {
	p.enter()
	defer p.leave()
	n := &ReferenceNode{span: p.span(NodeReference)}
	formal := false
	switch p.ntk() {
	case Identifier:
		p.consume(Identifier)
	case LCurly:
		formal = true
		p.consume(LCurly)
		if p.ntk() != Identifier {
			p.unexpected("a name after ${")
		}
		p.consume(Identifier)
	default:
		p.unexpected("a reference")
	}
	for p.ntk() == IndexLBracket {
		n.Parts = append(n.Parts, p.index())
	}
	for p.lookahead(2, p.scanDotPart) {
		p.consume(Dot)
		if p.lookahead(3, p.scanMethod) {
			n.Parts = append(n.Parts, p.method())
		} else if p.ntk() == Identifier {
			n.Parts = append(n.Parts, p.identifier())
		} else {
			p.unexpected("a property or method name after the dot")
		}
		for p.ntk() == IndexLBracket {
			n.Parts = append(n.Parts, p.index())
		}
	}
	if formal {
		if p.ntk() == Pipe {
			p.consume(Pipe)
			if k := p.ntk(); k == AltRCurly || k == Pipe {
				p.unexpected(`a value after "|"`)
			}
			n.Alternate = p.parameter()
			if p.ntk() != AltRCurly {
				p.unexpected(`"}" to close ${...|...}`)
			}
			p.consume(AltRCurly)
		} else {
			if p.ntk() != RCurly {
				p.unexpected(`"}" to close ${`)
			}
			p.consume(RCurly)
		}
	}
	p.close(&n.span)
	return n
}

func (p *parser) expression() *ExpressionNode {
	p.enter()
	defer p.leave()
	n := &ExpressionNode{span: p.span(NodeExpression)}
	n.X = p.orExpr()
	p.close(&n.span)
	return n
}

// binary builds a binary node the way JJTree's #Node(2) does: the node's scope opens
// after the operator, so its first token is the right operand's.
func (p *parser) binary(t NodeType, left Node, right func() Node) Node {
	n := &BinaryNode{span: p.span(t)}
	n.Left = left
	n.Right = right()
	p.close(&n.span)
	return n
}

func (p *parser) orExpr() Node {
	x := p.andExpr()
	for p.ntk() == LogicalOr {
		p.consume(LogicalOr)
		x = p.binary(NodeOr, x, p.andExpr)
	}
	return x
}

func (p *parser) andExpr() Node {
	x := p.eqExpr()
	for p.ntk() == LogicalAnd {
		p.consume(LogicalAnd)
		x = p.binary(NodeAnd, x, p.eqExpr)
	}
	return x
}

func (p *parser) eqExpr() Node {
	x := p.relExpr()
	for {
		switch p.ntk() {
		case LogicalEquals:
			p.consume(LogicalEquals)
			x = p.binary(NodeEQ, x, p.relExpr)
		case LogicalNotEquals:
			p.consume(LogicalNotEquals)
			x = p.binary(NodeNE, x, p.relExpr)
		default:
			return x
		}
	}
}

func (p *parser) relExpr() Node {
	x := p.addExpr()
	for {
		var t NodeType
		switch p.ntk() {
		case LogicalLT:
			t = NodeLT
		case LogicalGT:
			t = NodeGT
		case LogicalLE:
			t = NodeLE
		case LogicalGE:
			t = NodeGE
		default:
			return x
		}
		p.token = p.peek()
		x = p.binary(t, x, p.addExpr)
	}
}

func (p *parser) addExpr() Node {
	x := p.mulExpr()
	for {
		switch p.ntk() {
		case Plus:
			p.consume(Plus)
			x = p.binary(NodeAdd, x, p.mulExpr)
		case Minus:
			p.consume(Minus)
			x = p.binary(NodeSub, x, p.mulExpr)
		default:
			return x
		}
	}
}

func (p *parser) mulExpr() Node {
	x := p.unaryExpr()
	for {
		var t NodeType
		switch p.ntk() {
		case Multiply:
			t = NodeMul
		case Divide:
			t = NodeDiv
		case Modulus:
			t = NodeMod
		default:
			return x
		}
		p.token = p.peek()
		x = p.binary(t, x, p.unaryExpr)
	}
}

func (p *parser) unaryExpr() Node {
	p.enter()
	defer p.leave()
	if p.lookahead(2, p.scanNot) {
		if p.ntk() == Whitespace {
			p.consume(Whitespace)
		}
		p.consume(LogicalNot)
		n := &NotNode{span: p.span(NodeNot)}
		n.X = p.unaryExpr()
		p.close(&n.span)
		return n
	}
	switch p.ntk() {
	case LBracket, LeftCurley, LParen, Whitespace, StringLiteral, True, False, IntegerLiteral,
		FloatingLiteral, Identifier, LCurly:
		return p.primaryExpr()
	}
	p.unexpected("a value: a reference, a literal or a parenthesised expression")
	return nil
}

func (p *parser) primaryExpr() Node {
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	var n Node
	switch p.ntk() {
	case StringLiteral:
		n = p.stringLiteral()
	case Identifier, LCurly:
		n = p.reference()
	case IntegerLiteral:
		n = p.number(NodeInteger, IntegerLiteral)
	default:
		if p.lookahead(unlimited, p.scanRangeStart) {
			n = p.integerRange()
			break
		}
		switch p.ntk() {
		case FloatingLiteral:
			n = p.number(NodeFloat, FloatingLiteral)
		case LeftCurley:
			n = p.mapLiteral()
		case LBracket:
			n = p.listLiteral()
		case True:
			n = p.boolean(NodeTrue, True)
		case False:
			n = p.boolean(NodeFalse, False)
		case LParen:
			p.consume(LParen)
			n = p.expression()
			if p.ntk() != RParen {
				p.unexpected(`")" to close the parenthesis`)
			}
			p.consume(RParen)
		default:
			p.unexpected("a value: a reference, a literal or a parenthesised expression")
		}
	}
	if p.ntk() == Whitespace {
		p.consume(Whitespace)
	}
	return n
}
