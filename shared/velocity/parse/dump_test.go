package parse

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// dump renders a tree in the format of testdata/Dump.java, the reference parser's
// dump: the token chain, then the nodes with their first and last tokens.
func dump(t *Tree) string {
	var b strings.Builder
	for tok := t.Root.FirstToken(); tok != nil; tok = tok.Next {
		b.WriteString(dumpToken(tok))
		b.WriteByte('\n')
		if tok.Kind == EOF {
			break
		}
	}
	b.WriteString("--\n")
	dumpNode(&b, t.Root, "")
	return b.String()
}

func dumpToken(t *Token) string {
	var b strings.Builder
	if t.Special != nil {
		var sp []string
		for s := t.Special; s != nil; s = s.Special {
			sp = append([]string{strings.ReplaceAll(s.Kind.String(), `"`, "'") + javaQuote(s.Image)}, sp...)
		}
		b.WriteString("{" + strings.Join(sp, " ") + "} ")
	}
	fmt.Fprintf(&b, "%d %s %d:%d", int(t.Kind), javaQuote(t.Image), t.Line, t.Col)
	return b.String()
}

func dumpNode(b *strings.Builder, n Node, ind string) {
	b.WriteString(ind + n.Type().String())
	if f := n.FirstToken(); f != nil {
		fmt.Fprintf(b, " %s %d:%d", javaQuote(f.Image), f.Line, f.Col)
	}
	if l := n.LastToken(); l != nil {
		b.WriteString(" .. " + javaQuote(l.Image))
	}
	if d, ok := n.(*DirectiveNode); ok {
		b.WriteString(" #" + d.Name)
	}
	b.WriteByte('\n')
	for _, c := range n.Children() {
		dumpNode(b, c, ind+"  ")
	}
}

func javaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, u := range utf16.Encode([]rune(s)) {
		switch u {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			if u < 32 || u > 126 {
				fmt.Fprintf(&b, `\u%04x`, u)
			} else {
				b.WriteByte(byte(u))
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
