package parse

import (
	"unicode/utf8"
)

// lineIndex turns byte offsets into the line and column numbers the reference
// parser reports: "\n", "\r" and "\r\n" each end a line; columns count UTF-16 code
// units from 1, and a tab advances the column to the next multiple of 8.
//
// Positions are asked for in increasing order while lexing, so it walks forward
// from the last answer; asking for an earlier offset starts again from the top.
type lineIndex struct {
	src string
	// the cursor: the character at off has position line:col; the flags are the
	// reference character stream's prevCharIsCR / prevCharIsLF after it.
	off, line, col int
	cr, lf         bool
	started        bool
	next           int // byte length of the character at off
}

func newLineIndex(src string) *lineIndex {
	return &lineIndex{src: src}
}

// step advances the cursor over the character at offset p (which must be the next one).
func (li *lineIndex) step(p int) int {
	r, n := utf8.DecodeRuneInString(li.src[p:])
	li.col++
	if li.lf {
		li.lf = false
		li.line++
		li.col = 1
	} else if li.cr {
		li.cr = false
		if r == '\n' {
			li.lf = true
		} else {
			li.line++
			li.col = 1
		}
	}
	switch r {
	case '\r':
		li.cr = true
	case '\n':
		li.lf = true
	case '\t':
		li.col--
		li.col += 8 - (li.col & 7)
	}
	return n
}

// pos returns the line and column of the character at byte offset off.
func (li *lineIndex) pos(off int) (line, col int) {
	if off >= len(li.src) {
		off = len(li.src) - 1
		if off < 0 {
			return 1, 1
		}
	}
	if !li.started || off < li.off {
		li.off, li.line, li.col, li.cr, li.lf, li.started = 0, 1, 0, false, false, true
		li.next = li.step(0)
	}
	for li.off < off {
		next := li.off + li.next
		if next > off {
			break // off is inside the current character
		}
		if r, _ := utf8.DecodeRuneInString(li.src[li.off:]); r >= 0x10000 {
			li.col++ // the second unit of the previous supplementary character
		}
		li.off = next
		li.next = li.step(next)
	}
	return li.line, li.col
}

// lastChar returns the offset of the first byte of the last character, or -1.
func (li *lineIndex) lastChar() int {
	if li.src == "" {
		return -1
	}
	_, n := utf8.DecodeLastRuneInString(li.src)
	return len(li.src) - n
}

// eofPos is where the reference parser puts the end-of-input token: on the last
// character of the template, the second half of a supplementary one.
func (li *lineIndex) eofPos() (line, col int) {
	off := li.lastChar()
	if off < 0 {
		return 1, 1
	}
	line, col = li.pos(off)
	if r, _ := utf8.DecodeRuneInString(li.src[off:]); r >= 0x10000 {
		col++
	}
	return line, col
}

// afterEOF is where the reference token manager reports a token cut short by the
// end of the input: just after the last character, or at column 0 of the next line
// when that character ends a line.
func (li *lineIndex) afterEOF() (line, col int) {
	off := li.lastChar()
	if off < 0 {
		return 1, 1
	}
	line, col = li.pos(off)
	if c := li.src[off]; c == '\n' || c == '\r' {
		return line + 1, 0
	}
	if r, _ := utf8.DecodeRuneInString(li.src[off:]); r >= 0x10000 {
		col++
	}
	return line, col + 1
}
