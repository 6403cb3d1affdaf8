package parse

import (
	"strconv"
	"strings"
)

// Kind is the kind of a token. The values are those of Apache Velocity 1.7's
// generated ParserConstants, so token dumps can be compared with the reference parser.
type Kind int

// Token kinds. Kinds that the reference grammar declares private (DIGIT, LETTER,
// ...) or that only ever continue a token (MORE kinds such as DOLLAR) never appear
// in a token stream and are not listed.
const (
	EOF                 Kind = 0
	IndexLBracket       Kind = 1  // "[" right after a reference: $a[
	IndexRBracket       Kind = 2  // "]" closing an index
	LBracket            Kind = 3  // "[" in a directive
	RBracket            Kind = 4  // "]"
	Comma               Kind = 5  // ","
	DoubleDot           Kind = 6  // ".."
	Colon               Kind = 7  // ":"
	LeftCurley          Kind = 8  // "{" in a directive (map literal)
	RightCurley         Kind = 9  // "}"
	LParen              Kind = 10 // "("
	RParen              Kind = 11 // ")" of a directive, with trailing blanks and one newline
	RefMod2RParen       Kind = 12 // ")" closing a method call
	EscapeDirective     Kind = 13 // \#if and the like
	SetDirective        Kind = 14 // "#set(" with leading blanks
	SingleLineCommentSt Kind = 21 // "##"
	DoubleEscape        Kind = 22 // "\\"
	Escape              Kind = 23 // "\"
	Text                Kind = 24 // plain text
	SingleLineComment   Kind = 25 // the newline ending a ## comment
	FormalComment       Kind = 26 // "*#" ending #** ... *#
	MultiLineComment    Kind = 27 // "*#" ending #* ... *#
	Textblock           Kind = 28 // #[[ ... ]]#
	Whitespace          Kind = 31
	StringLiteral       Kind = 32
	True                Kind = 33
	False               Kind = 34
	Newline             Kind = 35
	Minus               Kind = 36
	Plus                Kind = 37
	Multiply            Kind = 38
	Divide              Kind = 39
	Modulus             Kind = 40
	LogicalAnd          Kind = 41
	LogicalOr           Kind = 42
	LogicalLT           Kind = 43
	LogicalLE           Kind = 44
	LogicalGT           Kind = 45
	LogicalGE           Kind = 46
	LogicalEquals       Kind = 47
	LogicalNotEquals    Kind = 48
	LogicalNot          Kind = 49
	Equals              Kind = 50
	End                 Kind = 51
	IfDirective         Kind = 52
	ElseIfDirective     Kind = 53
	ElseDirective       Kind = 54
	IntegerLiteral      Kind = 56
	FloatingLiteral     Kind = 57
	Word                Kind = 61
	BracketedWord       Kind = 62
	Identifier          Kind = 66
	Dot                 Kind = 67
	LCurly              Kind = 68
	RCurly              Kind = 69
	ReferenceTerminator Kind = 70 // special token: the character ending a reference
	DirectiveTerminator Kind = 71 // special token: the character after a # that starts no directive
	EmptyIndex          Kind = 72 // "$[", "$![", "$\![" or "$."

	// Kinds of the alternate-value extension ${a|'default'}, which Velocity 1.7 lacks.
	Pipe      Kind = 100 // "|" after the name in ${a|...}
	AltRCurly Kind = 101 // "}" ending ${a|...}
)

// MORE and SKIP kinds of the reference token manager; internal to the lexer.
const (
	kDollar        Kind = 15
	kDollarBang    Kind = 16
	kTextblockOpen Kind = 17 // "#[["
	kFormalOpen    Kind = 18 // "#**" and one character that is not "#"
	kCommentOpen   Kind = 19 // "#*"
	kHash          Kind = 20
	kCommentSkip   Kind = 29 // any character inside a comment
	kTextblockMore Kind = 30 // any character inside #[[ ]]#
)

var kindNames = map[Kind]string{
	EOF: "<EOF>", IndexLBracket: `"["`, IndexRBracket: `"]"`, LBracket: `"["`, RBracket: `"]"`,
	Comma: `","`, DoubleDot: `".."`, Colon: `":"`, LeftCurley: `"{"`, RightCurley: `"}"`,
	LParen: `"("`, RParen: "<RPAREN>", RefMod2RParen: `")"`, EscapeDirective: "<ESCAPE_DIRECTIVE>",
	SetDirective: "<SET_DIRECTIVE>", SingleLineCommentSt: `"##"`, DoubleEscape: `"\\\\"`,
	Escape: `"\\"`, Text: "<TEXT>", SingleLineComment: "<SINGLE_LINE_COMMENT>",
	FormalComment: `"*#"`, MultiLineComment: `"*#"`, Textblock: `"]]#"`, Whitespace: "<WHITESPACE>",
	StringLiteral: "<STRING_LITERAL>", True: `"true"`, False: `"false"`, Newline: "<NEWLINE>",
	Minus: `"-"`, Plus: `"+"`, Multiply: `"*"`, Divide: `"/"`, Modulus: `"%"`,
	LogicalAnd: "<LOGICAL_AND>", LogicalOr: "<LOGICAL_OR>", LogicalLT: "<LOGICAL_LT>",
	LogicalLE: "<LOGICAL_LE>", LogicalGT: "<LOGICAL_GT>", LogicalGE: "<LOGICAL_GE>",
	LogicalEquals: "<LOGICAL_EQUALS>", LogicalNotEquals: "<LOGICAL_NOT_EQUALS>",
	LogicalNot: "<LOGICAL_NOT>", Equals: `"="`, End: "<END>", IfDirective: "<IF_DIRECTIVE>",
	ElseIfDirective: "<ELSEIF_DIRECTIVE>", ElseDirective: "<ELSE_DIRECTIVE>",
	IntegerLiteral: "<INTEGER_LITERAL>", FloatingLiteral: "<FLOATING_POINT_LITERAL>",
	Word: "<WORD>", BracketedWord: "<BRACKETED_WORD>", Identifier: "<IDENTIFIER>", Dot: "<DOT>",
	LCurly: `"{"`, RCurly: `"}"`, ReferenceTerminator: "<REFERENCE_TERMINATOR>",
	DirectiveTerminator: "<DIRECTIVE_TERMINATOR>", EmptyIndex: "<EMPTY_INDEX>",
	Pipe: `"|"`, AltRCurly: `"}"`,
}

// String returns the kind's name as the reference parser's token image table spells it.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "<token of kind " + strconv.Itoa(int(k)) + ">"
}

// Token is one token of a template, linked to the next one as in the reference
// parser. Special tokens (the characters that end a reference or follow a lone #)
// hang off the token after them through Special, the most recent first.
type Token struct {
	Kind Kind
	// Image is the token's text, including any prefix the lexer consumed before
	// it (the "$" of a reference, the backslashes of an escape). The parser may
	// rewrite it, as the reference parser does for escaped directives.
	Image string
	// Off and EndOff are the byte offsets of the token in the source.
	Off, EndOff int
	// Next is the following token (nil until the parser has read it).
	Next *Token
	// Special is the special token just before this one, if any.
	Special *Token
	// Line and Col are the 1-based line and column of the token's first character,
	// counted as the reference parser counts them (UTF-16 units, tabs to multiples of 8).
	Line, Col int
}

// specialText returns the text that the special tokens before t contribute to
// rendered output: the "#" and "$" characters they hold and any run of backslashes
// ending in "$", in source order, as Velocity's NodeUtils.getSpecialText.
func (t *Token) specialText() string {
	first := t.Special
	if first == nil {
		return ""
	}
	var chain []*Token
	for s := first; s != nil; s = s.Special {
		chain = append(chain, s)
	}
	var b strings.Builder
	for i := len(chain) - 1; i >= 0; i-- {
		st := chain[i].Image
		for j := 0; j < len(st); j++ {
			c := st[j]
			if c == '#' || c == '$' {
				b.WriteByte(c)
			}
			if c == '\\' {
				k := j
				term := false
				for ; k < len(st); k++ {
					if st[k] != '\\' {
						term = st[k] == '$'
						k++
						break
					}
				}
				if term {
					b.WriteString(st[j:k])
					j = k
				}
			}
		}
	}
	return b.String()
}

// Literal returns the text the token contributes to a node's literal form: its
// image preceded by the text of the special tokens before it, as Velocity's
// NodeUtils.tokenLiteral. A multi-line comment contributes nothing.
func (t *Token) Literal() string {
	if t.Kind == MultiLineComment {
		return ""
	}
	if t.Special == nil || strings.HasPrefix(t.Special.Image, "##") {
		return t.Image
	}
	if s := t.specialText(); s != "" {
		return s + t.Image
	}
	return t.Image
}
