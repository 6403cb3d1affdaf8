package parse

import (
	"fmt"
	"unicode/utf8"
)

// The lexer reproduces the token manager that JavaCC generated for Apache Velocity
// 1.7's grammar, because that is where most of Velocity's whitespace, escaping and
// "is this a reference?" behaviour comes from. It has the same twelve lexical states,
// the same longest-match rule (ties go to the token declared first), the same MORE
// tokens whose text prefixes the next token, the same special tokens, and the same
// state stack with parenthesis counting that the grammar's token actions maintain.
// The parser drives it lazily, one token at a time, and switches its state where the
// reference parser does, so both see the same token stream.

// lexState is a lexical state of the reference token manager.
type lexState int8

const (
	sReference lexState = iota
	sRefModifier
	sRefIndex
	sDirective
	sRefMod2
	sDefault
	sRefMod // declared by the reference grammar, never entered
	sInTextblock
	sInMultiLineComment
	sInFormalComment
	sInSingleLineComment
	sPreDirective
)

var stateNames = [...]string{"REFERENCE", "REFMODIFIER", "REFINDEX", "DIRECTIVE", "REFMOD2",
	"DEFAULT", "REFMOD", "IN_TEXTBLOCK", "IN_MULTI_LINE_COMMENT", "IN_FORMAL_COMMENT",
	"IN_SINGLE_LINE_COMMENT", "PRE_DIRECTIVE"}

func (s lexState) String() string { return stateNames[s] }

type savedState struct {
	lparen, rparen int
	state          lexState
}

// lexError is a lexical error (the reference engine's TokenMgrError).
type lexError struct {
	off int // offset of the last character the token manager read
}

type lexer struct {
	src   string
	pos   int // next byte to read
	state lexState
	stack []savedState

	lparen, rparen int
	inComment      bool
	inSet          bool
	// inReference and inDirective are kept as the reference does; nothing reads them
	// but they document the state machine.
	inReference, inDirective bool

	lines *lineIndex
	err   *lexError

	// The alternate-value extension: ${a|'default'}.
	alternates bool
	formal     []int // stack depths of the formal references (${) being lexed
	alts       []alt // the alternates being lexed
}

type alt struct {
	depth  int // stack depth inside the alternate
	braces int // map literal braces open inside it
}

func newLexer(src string, lines *lineIndex) *lexer {
	return &lexer{src: src, state: sDefault, lines: lines}
}

func (l *lexer) push() {
	l.stack = append(l.stack, savedState{l.lparen, l.rparen, l.state})
	l.lparen = 0
}

// pop restores the state saved by the last push; it reports false (and goes back
// to DEFAULT) when the stack is empty.
func (l *lexer) pop() bool {
	if len(l.stack) == 0 {
		l.lparen = 0
		l.state = sDefault
		return false
	}
	s := l.stack[len(l.stack)-1]
	l.stack = l.stack[:len(l.stack)-1]
	l.lparen, l.rparen, l.state = s.lparen, s.rparen, s.state
	return true
}

func (l *lexer) rparenHandler() {
	if l.inComment {
		return
	}
	for {
		if l.lparen > 0 {
			if l.lparen == l.rparen+1 {
				l.pop()
			} else {
				l.rparen++
			}
			return
		}
		if !l.pop() {
			return
		}
	}
}

// kind classes of the reference token manager.
const (
	classToken = iota
	classMore
	classSkip
	classSpecial
)

func classOf(k Kind) int {
	switch k {
	case kDollar, kDollarBang, kTextblockOpen, kFormalOpen, kCommentOpen, kHash, kTextblockMore:
		return classMore
	case kCommentSkip:
		return classSkip
	case ReferenceTerminator, DirectiveTerminator:
		return classSpecial
	}
	return classToken
}

// next returns the next token. After a lexical error it returns nil and l.err is set.
func (l *lexer) next() *Token {
	var special *Token
	for {
		if l.pos >= len(l.src) {
			// End of input: the EOF token sits at the last character, as the
			// reference's character stream reports it.
			t := &Token{Kind: EOF, Off: l.pos, EndOff: l.pos}
			if last := l.lines.lastChar(); last >= 0 {
				t.Image = l.src[last:] // the reference's end token holds the last character
				t.Line, t.Col = l.lines.eofPos()
			} else {
				t.Image = "\x00" // and, in an empty template, a NUL at 0:0
			}
			t.Special = special
			return t
		}
		start := l.pos
		for {
			kind, n := l.match(l.pos)
			if n == 0 {
				l.err = l.noMatch(l.pos)
				return nil
			}
			end := l.pos + n
			switch classOf(kind) {
			case classToken:
				t := &Token{Kind: kind, Image: l.src[start:end], Off: start, EndOff: end}
				l.pos = end
				l.tokenAction(t)
				t.EndOff = l.pos
				t.Line, t.Col = l.lines.pos(start)
				t.Special = special
				return t
			case classMore:
				l.pos = end
				l.moreAction(kind)
				if l.pos >= len(l.src) {
					l.err = &lexError{off: len(l.src) - 1}
					return nil
				}
				continue
			case classSpecial:
				t := &Token{Kind: kind, Image: l.src[start:end], Off: start, EndOff: end}
				t.Line, t.Col = l.lines.pos(start)
				l.pos = end
				l.specialAction(kind, n)
				t.Special = special
				special = t
			default: // skip
				l.pos = end
			}
			break
		}
	}
}

// noMatch describes a character that starts no token. The reference token manager
// reports the last character it read while trying to match: the end of the input
// for an unterminated string literal, the character after a run of backslashes or
// after a lone "-", ".", "&" or "|".
func (l *lexer) noMatch(p int) *lexError {
	last := len(l.src) - 1
	switch l.src[p] {
	case '"', '\'':
		if l.state == sDirective || l.state == sRefMod2 || l.state == sRefIndex {
			return &lexError{off: last}
		}
	case '\\':
		i := p
		for i < len(l.src) && l.src[i] == '\\' {
			i++
		}
		return &lexError{off: min(i, last)}
	case 't', 'f':
		// In an index only true and false start with a letter: the token
		// manager reads as much of them as matches.
		if l.state == sRefIndex {
			w := "true"
			if l.src[p] == 'f' {
				w = "false"
			}
			k := 0
			for k < len(w) && p+k < len(l.src) && l.src[p+k] == w[k] {
				k++
			}
			return &lexError{off: min(p+k, last)}
		}
	case '&', '|':
		// Alone in a directive's arguments: the token manager read the next
		// character looking for "&&" or "||".
		if l.state == sDirective {
			return &lexError{off: min(p+1, last)}
		}
	case '-':
		// "-" alone, or "-." not followed by a digit: the token manager read on
		// looking for a number.
		k := p + 1
		if k < len(l.src) && l.src[k] == '.' {
			k++
		}
		return &lexError{off: min(k, last)}
	case '.':
		return &lexError{off: min(p+1, last)}
	}
	return &lexError{off: p}
}

// runeLen is the length of the character at p, for the catch-all tokens that take
// one character.
func (l *lexer) runeLen(p int) int {
	c := l.src[p]
	switch {
	case c < 0x80:
		return 1
	case c >= 0xF0:
		return min(4, len(l.src)-p)
	case c >= 0xE0:
		return min(3, len(l.src)-p)
	case c >= 0xC0:
		return min(2, len(l.src)-p)
	}
	return 1
}

func (l *lexer) moreAction(k Kind) {
	switch k {
	case kDollar, kDollarBang:
		if !l.inComment {
			if l.state == sReference {
				l.inReference = false
				l.pop()
			}
			l.inReference = true
			l.push()
			l.state = sReference
		}
	case kTextblockOpen:
		if !l.inComment {
			l.inComment = true
			l.push()
			l.state = sInTextblock
		}
	case kFormalOpen:
		if !l.inComment {
			l.pos-- // the character after "#**" belongs to the comment's body
			l.inComment = true
			l.push()
			l.state = sInFormalComment
		}
	case kCommentOpen:
		if !l.inComment {
			l.inComment = true
			l.push()
			l.state = sInMultiLineComment
		}
	case kHash:
		if !l.inComment {
			if l.state == sReference || l.state == sRefModifier {
				l.inReference = false
				l.pop()
			}
			l.inDirective = true
			l.push()
			l.state = sPreDirective
		}
	}
}

func (l *lexer) specialAction(k Kind, n int) {
	l.pos -= n // the terminating character is read again in the state below
	switch k {
	case ReferenceTerminator:
		l.inReference = false
	case DirectiveTerminator:
		l.inDirective = false
	}
	l.pop()
}

func (l *lexer) tokenAction(t *Token) {
	switch t.Kind {
	case IndexLBracket:
		l.push()
		l.state = sRefIndex
	case IndexRBracket:
		l.pop()
	case LParen:
		if !l.inComment {
			l.lparen++
		}
		if l.state == sRefModifier {
			l.state = sRefMod2
		}
	case RParen:
		l.rparenHandler()
	case RefMod2RParen:
		l.state = sReference
	case SetDirective:
		if !l.inComment {
			l.inDirective = true
			l.push()
			l.inSet = true
			l.state = sDirective
			l.lparen++
			if l.state == sRefModifier {
				l.state = sRefMod2
			}
		}
	case SingleLineCommentSt:
		if !l.inComment {
			if l.state == sReference {
				l.inReference = false
				l.pop()
			}
			l.inComment = true
			l.push()
			l.state = sInSingleLineComment
		}
	case SingleLineComment, FormalComment, MultiLineComment, Textblock:
		l.inComment = false
		l.pop()
	case StringLiteral:
		if l.state == sDirective && !l.inSet && l.lparen == 0 {
			l.pop()
		}
	case Newline:
		l.pop()
		l.inSet = false
		l.inDirective = false
	case End, ElseDirective:
		l.inDirective = false
		l.pop()
	case IfDirective, ElseIfDirective:
		l.state = sDirective
	case IntegerLiteral:
		if n := len(t.Image); n >= 2 && t.Image[n-2:] == ".." {
			l.pos -= 2
			t.Image = t.Image[:n-2]
		}
		if l.lparen == 0 && !l.inSet && l.state != sRefMod2 && l.state != sRefIndex {
			l.pop()
		}
	case FloatingLiteral:
		if l.lparen == 0 && !l.inSet && l.state != sRefMod2 {
			l.pop()
		}
	case Dot:
		l.pos-- // the letter after the dot starts the identifier
		t.Image = "."
		l.state = sRefModifier
	case RCurly:
		l.pop()
	case LCurly:
		if l.alternates {
			l.formal = append(l.formal, len(l.stack))
		}
	case Pipe:
		l.push()
		l.state = sRefMod2
		l.alts = append(l.alts, alt{depth: len(l.stack)})
	case AltRCurly:
		l.alts = l.alts[:len(l.alts)-1]
		l.pop() // back in the reference
		l.pop() // and out of it, as "}" does
		if len(l.formal) > 0 {
			l.formal = l.formal[:len(l.formal)-1]
		}
	}
}

// match returns the longest token of the current state at offset p and its length
// in bytes (0 when none matches). Ties go to the lowest kind, the one declared first
// in the reference grammar.
func (l *lexer) match(p int) (Kind, int) {
	s := l.src[p:]
	best, bestN := Kind(0), 0
	try := func(k Kind, n int) {
		if n > bestN {
			best, bestN = k, n
		}
	}
	// MORE tokens declared for every state (<*>), in kind order.
	more := func() {
		try(kDollar, mDollar(s))
		try(kDollarBang, mDollarBang(s))
		if len(s) >= 3 && s[:3] == "#[[" {
			try(kTextblockOpen, 3)
		}
		if len(s) >= 4 && s[:3] == "#**" && s[3] != '#' {
			try(kFormalOpen, 4)
		}
		if len(s) >= 2 && s[:2] == "#*" {
			try(kCommentOpen, 2)
		}
		if s[0] == '#' {
			try(kHash, 1)
		}
	}
	lineComment := func() {
		if len(s) >= 2 && s[:2] == "##" {
			try(SingleLineCommentSt, 2)
		}
	}
	c := s[0]
	if l.alternates {
		if k, n := l.matchAlternate(c); n > 0 {
			return k, n
		}
	}
	switch l.state {
	case sDefault:
		try(EscapeDirective, mEscapeDirective(s))
		try(SetDirective, mSetDirective(s))
		more()
		lineComment()
		if len(s) >= 2 && s[:2] == `\\` {
			try(DoubleEscape, 2)
		}
		if c == '\\' {
			try(Escape, 1)
		}
		try(Text, mText(s))
		try(EmptyIndex, mEmptyIndex(s))
	case sReference, sRefModifier:
		if c == '[' {
			try(IndexLBracket, 1)
		}
		if l.state == sRefModifier && c == '(' {
			try(LParen, 1)
		}
		try(SetDirective, mSetDirective(s))
		more()
		if l.state == sReference {
			lineComment()
		}
		try(True, mWord(s, "true"))
		try(False, mWord(s, "false"))
		try(Identifier, mIdentifier(s))
		try(Dot, mDot(s))
		if c == '{' {
			try(LCurly, 1)
		}
		if c == '}' {
			try(RCurly, 1)
		}
		if l.state == sReference {
			try(EmptyIndex, mEmptyIndex(s))
		}
		if bestN == 0 {
			best, bestN = ReferenceTerminator, l.runeLen(p)
		}
	case sRefIndex:
		if c == ']' {
			try(IndexRBracket, 1)
		}
		more()
		try(Whitespace, mWhitespace(s))
		try(StringLiteral, mString(s))
		try(True, mWord(s, "true"))
		try(False, mWord(s, "false"))
		try(IntegerLiteral, mInteger(s))
		try(FloatingLiteral, mFloat(s))
	case sDirective:
		switch c {
		case '[':
			try(LBracket, 1)
		case ']':
			try(RBracket, 1)
		case ',':
			try(Comma, 1)
		case ':':
			try(Colon, 1)
		case '{':
			try(LeftCurley, 1)
		case '}':
			try(RightCurley, 1)
		case '(':
			try(LParen, 1)
		case ')':
			try(RParen, mRParen(s))
		}
		if len(s) >= 2 && s[:2] == ".." {
			try(DoubleDot, 2)
		}
		more()
		lineComment()
		try(Whitespace, mWhitespace(s))
		try(StringLiteral, mString(s))
		try(True, mWord(s, "true"))
		try(False, mWord(s, "false"))
		try(Newline, mNewline(s))
		l.operators(s, try)
		try(IntegerLiteral, mInteger(s))
		try(FloatingLiteral, mFloat(s))
		try(Word, mDirectiveWord(s))
		try(BracketedWord, mBracketedWord(s))
	case sRefMod2:
		switch c {
		case '[':
			try(LBracket, 1)
		case ']':
			try(RBracket, 1)
		case ',':
			try(Comma, 1)
		case ':':
			try(Colon, 1)
		case '{':
			try(LeftCurley, 1)
		case '}':
			try(RightCurley, 1)
		case ')':
			try(RefMod2RParen, 1)
		}
		if len(s) >= 2 && s[:2] == ".." {
			try(DoubleDot, 2)
		}
		try(SetDirective, mSetDirective(s))
		more()
		try(Whitespace, mWhitespace(s))
		try(StringLiteral, mString(s))
		try(True, mWord(s, "true"))
		try(False, mWord(s, "false"))
		try(IntegerLiteral, mInteger(s))
		try(FloatingLiteral, mFloat(s))
		try(Identifier, mIdentifier(s))
		try(Dot, mDot(s))
	case sInTextblock:
		more()
		if len(s) >= 3 && s[:3] == "]]#" {
			try(Textblock, 3)
		}
		try(kTextblockMore, l.runeLen(p))
	case sInMultiLineComment, sInFormalComment:
		more()
		if len(s) >= 2 && s[:2] == "*#" {
			if l.state == sInFormalComment {
				try(FormalComment, 2)
			} else {
				try(MultiLineComment, 2)
			}
		}
		try(kCommentSkip, l.runeLen(p))
	case sInSingleLineComment:
		more()
		try(SingleLineComment, mNewline(s))
		try(kCommentSkip, l.runeLen(p))
	case sPreDirective:
		more()
		lineComment()
		try(End, mEndLike(s, "end"))
		if mWord(s, "if") > 0 {
			try(IfDirective, 2)
		} else if len(s) >= 4 && s[:4] == "{if}" {
			try(IfDirective, 4)
		}
		if mWord(s, "elseif") > 0 {
			try(ElseIfDirective, 6)
		} else if len(s) >= 8 && s[:8] == "{elseif}" {
			try(ElseIfDirective, 8)
		}
		try(ElseDirective, mEndLike(s, "else"))
		try(IntegerLiteral, mInteger(s))
		try(FloatingLiteral, mFloat(s))
		try(Word, mDirectiveWord(s))
		try(BracketedWord, mBracketedWord(s))
		if bestN == 0 {
			best, bestN = DirectiveTerminator, l.runeLen(p)
		}
	}
	return best, bestN
}

// matchAlternate recognises the tokens of ${a|'default'}: the "|" right after a
// formal reference's name or parts, and the "}" that closes the alternate. A plain
// reference nested in the alternate ends at that "}".
func (l *lexer) matchAlternate(c byte) (Kind, int) {
	depth := len(l.stack)
	for len(l.formal) > 0 && l.formal[len(l.formal)-1] > depth {
		l.formal = l.formal[:len(l.formal)-1]
	}
	for len(l.alts) > 0 && l.alts[len(l.alts)-1].depth > depth+1 {
		l.alts = l.alts[:len(l.alts)-1]
	}
	inRef := l.state == sReference || l.state == sRefModifier
	switch {
	case c == '|' && inRef && len(l.formal) > 0 && l.formal[len(l.formal)-1] == depth:
		return Pipe, 1
	case c == '}' && inRef && len(l.alts) > 0 && l.alts[len(l.alts)-1].depth+1 == depth &&
		(len(l.formal) == 0 || l.formal[len(l.formal)-1] != depth):
		return ReferenceTerminator, 1 // a plain reference inside the alternate ends here
	case l.state == sRefMod2 && len(l.alts) > 0 && l.alts[len(l.alts)-1].depth == depth:
		a := &l.alts[len(l.alts)-1]
		switch c {
		case '{':
			a.braces++
		case '}':
			if a.braces == 0 {
				return AltRCurly, 1
			}
			a.braces--
		}
	}
	return 0, 0
}

func (l *lexer) operators(s string, try func(Kind, int)) {
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	switch s[0] {
	case '-':
		try(Minus, 1)
	case '+':
		try(Plus, 1)
	case '*':
		try(Multiply, 1)
	case '/':
		try(Divide, 1)
	case '%':
		try(Modulus, 1)
	case '<':
		try(LogicalLT, 1)
	case '>':
		try(LogicalGT, 1)
	case '!':
		try(LogicalNot, 1)
	case '=':
		try(Equals, 1)
	}
	switch two {
	case "&&":
		try(LogicalAnd, 2)
	case "||":
		try(LogicalOr, 2)
	case "<=":
		try(LogicalLE, 2)
	case ">=":
		try(LogicalGE, 2)
	case "==":
		try(LogicalEquals, 2)
	case "!=":
		try(LogicalNotEquals, 2)
	}
	// The word forms must be whole words only in the sense of longest match:
	// "andy" is a WORD because WORD matches more.
	for _, w := range [...]struct {
		k Kind
		s string
	}{{LogicalAnd, "and"}, {LogicalOr, "or"}, {LogicalLT, "lt"}, {LogicalLE, "le"},
		{LogicalGT, "gt"}, {LogicalGE, "ge"}, {LogicalEquals, "eq"}, {LogicalNotEquals, "ne"},
		{LogicalNot, "not"}} {
		if len(s) >= len(w.s) && s[:len(w.s)] == w.s {
			try(w.k, len(w.s))
		}
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// mWord matches the literal w (the caller's token only wins against a longer
// identifier or word through the longest-match rule).
func mWord(s, w string) int {
	if len(s) >= len(w) && s[:len(w)] == w {
		return len(w)
	}
	return 0
}

func mText(s string) int {
	i := 0
	for i < len(s) && s[i] != '$' && s[i] != '#' && s[i] != '\\' {
		i++
	}
	return i
}

// mDollar: ("\\")* "$"
func mDollar(s string) int {
	i := 0
	for i < len(s) && s[i] == '\\' {
		i++
	}
	if i < len(s) && s[i] == '$' {
		return i + 1
	}
	return 0
}

// mDollarBang: ("\\")* "$" ("\\")* "!"
func mDollarBang(s string) int {
	i := mDollar(s)
	if i == 0 {
		return 0
	}
	for i < len(s) && s[i] == '\\' {
		i++
	}
	if i < len(s) && s[i] == '!' {
		return i + 1
	}
	return 0
}

// mEmptyIndex: "$[" | "$![" | "$\![" | "$."
func mEmptyIndex(s string) int {
	switch {
	case len(s) >= 2 && (s[:2] == "$[" || s[:2] == "$."):
		return 2
	case len(s) >= 3 && s[:3] == "$![":
		return 3
	case len(s) >= 4 && s[:4] == `$\![`:
		return 4
	}
	return 0
}

// mSetDirective: (" "|"\t")* ("#set"|"#{set}") (" ")* "("
func mSetDirective(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	switch {
	case len(s)-i >= 4 && s[i:i+4] == "#set":
		i += 4
	case len(s)-i >= 6 && s[i:i+6] == "#{set}":
		i += 6
	default:
		return 0
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '(' {
		return i + 1
	}
	return 0
}

// mEscapeDirective: ("\\\\")* "\\#" (WORD | BRACKETED_WORD)
func mEscapeDirective(s string) int {
	i := 0
	for i < len(s) && s[i] == '\\' {
		i++
	}
	if i%2 == 0 || i >= len(s) || s[i] != '#' {
		return 0
	}
	i++
	if n := mDirectiveWord(s[i:]); n > 0 {
		return i + n
	}
	if n := mBracketedWord(s[i:]); n > 0 {
		return i + n
	}
	return 0
}

func isDirectiveChar(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c == '@' }

// mDirectiveWord: (LETTER | "_" | "@") (DIRECTIVE_CHAR)*
func mDirectiveWord(s string) int {
	if len(s) == 0 || !(isLetter(s[0]) || s[0] == '_' || s[0] == '@') {
		return 0
	}
	i := 1
	for i < len(s) && isDirectiveChar(s[i]) {
		i++
	}
	return i
}

// mBracketedWord: "{" (LETTER | "_") (DIRECTIVE_CHAR)* "}"
func mBracketedWord(s string) int {
	if len(s) < 3 || s[0] != '{' || !(isLetter(s[1]) || s[1] == '_') {
		return 0
	}
	i := 2
	for i < len(s) && isDirectiveChar(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	return 0
}

// mIdentifier: (ALPHA | "_") (ALPHA | DIGIT | "-" | "_")*
func mIdentifier(s string) int {
	if len(s) == 0 || !(isLetter(s[0]) || s[0] == '_') {
		return 0
	}
	i := 1
	for i < len(s) && (isLetter(s[i]) || isDigit(s[i]) || s[i] == '-' || s[i] == '_') {
		i++
	}
	return i
}

// mDot: "." ALPHA (the letter is given back by the token action).
func mDot(s string) int {
	if len(s) >= 2 && s[0] == '.' && isLetter(s[1]) {
		return 2
	}
	return 0
}

func mWhitespace(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func mNewline(s string) int {
	switch {
	case len(s) >= 2 && s[:2] == "\r\n":
		return 2
	case len(s) >= 1 && (s[0] == '\n' || s[0] == '\r'):
		return 1
	}
	return 0
}

// blanksNewline matches ((" "|"\t")* ("\n"|"\r"|"\r\n")) and returns 0 when absent.
func blanksNewline(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if n := mNewline(s[i:]); n > 0 {
		return i + n
	}
	return 0
}

// mRParen: ")" ((" "|"\t")* ("\n"|"\r"|"\r\n"))?
func mRParen(s string) int {
	if len(s) == 0 || s[0] != ')' {
		return 0
	}
	return 1 + blanksNewline(s[1:])
}

// mEndLike matches w or {w}, each optionally followed by blanks and one newline
// (the END and ELSE tokens).
func mEndLike(s, w string) int {
	n := 0
	switch {
	case len(s) >= len(w) && s[:len(w)] == w:
		n = len(w)
	case len(s) >= len(w)+2 && s[0] == '{' && s[1:len(w)+1] == w && s[len(w)+1] == '}':
		n = len(w) + 2
	default:
		return 0
	}
	return n + blanksNewline(s[n:])
}

// mInteger: ("-")? (DIGIT)+ ("..")?
func mInteger(s string) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i {
		return 0
	}
	if len(s)-j >= 2 && s[j:j+2] == ".." {
		j += 2
	}
	return j
}

// mFloat: ("-")? DIGIT+ "." DIGIT* EXP? | ("-")? "." DIGIT+ EXP? | ("-")? DIGIT+ EXP
func mFloat(s string) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	exp := func(j int) int {
		if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
			k := j + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			d := k
			for d < len(s) && isDigit(s[d]) {
				d++
			}
			if d > k {
				return d
			}
		}
		return j
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j > i {
		if j < len(s) && s[j] == '.' {
			k := j + 1
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			return exp(k)
		}
		if e := exp(j); e > j {
			return e
		}
		return 0
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j+1 {
			return exp(k)
		}
	}
	return 0
}

// mString matches a string literal: "..." where "" stands for one quote, or '...'
// where two single quotes stand for one. Any other character, newlines included, may appear.
func mString(s string) int {
	if len(s) == 0 || (s[0] != '"' && s[0] != '\'') {
		return 0
	}
	q := s[0]
	i := 1
	accepted := 0 // a doubled quote may also end the literal: longest match
	for i < len(s) {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				accepted = i + 1
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return accepted
}

func (e *lexError) describe(src string, lines *lineIndex) (line, col int, msg string) {
	// The reference reports the position after the last character it read when the
	// input ends there, else the position of that character.
	// A character outside the BMP is two chars to the reference: the first half
	// is never its last.
	if r, _ := utf8.DecodeRuneInString(src[min(e.off, len(src)):]); e.off >= lines.lastChar() && r <= 0xFFFF {
		line, col = lines.afterEOF()
		return line, col, "Lexical error: the template ends inside an unfinished token (an unclosed string, or a lone $ or # at the end)"
	}
	line, col = lines.pos(e.off)
	r, _ := utf8.DecodeRuneInString(src[e.off:])
	return line, col, fmt.Sprintf("Lexical error: unexpected %q", r)
}
