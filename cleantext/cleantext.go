// Package cleantext makes text from outside — roster names and addresses, server
// messages, anything a person did not type on this laptop — safe to show on a terminal
// or print in a report. It removes what could move the cursor, recolour or clear the
// screen, set the window title, or make text read differently from what it is. It never
// rejects: the caller keeps the person, with a clean name.
package cleantext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s as one clean line: escape sequences (CSI, OSC, DCS, APC, PM, SOS and
// two-byte ESC sequences, in 7- and 8-bit form) removed whole, other control characters
// removed (tab and line breaks become spaces), bidirectional controls and invisible
// zero-width characters removed, invalid UTF-8 dropped, runs of spaces (the ideographic
// space too) collapsed to one, and the ends trimmed.
func Line(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	emit := func(r rune) {
		if r == ' ' {
			space = b.Len() > 0
			return
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			continue
		}
		switch {
		case r == 0x1b: // ESC
			i = skipEscape(s, i+size)
			continue
		case r == 0x9b: // 8-bit CSI
			i = skipCSI(s, i+size)
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // 8-bit OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size)
			continue
		case r == '\t' || r == '\n' || r == '\r' || r == 0x3000 || r == 0x00a0 || unicode.Is(unicode.Zs, r):
			emit(' ')
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c:
		case (r >= 0x200b && r <= 0x200d) || r == 0xfeff || r == 0x2060:
		default:
			emit(r)
		}
		i += size
	}
	return b.String()
}

// skipEscape skips what follows an ESC: a CSI, a string command, or one more character.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// A two-character sequence (ESC c, ESC 7, ESC ( B …): intermediates then a final.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI skips parameter and intermediate bytes up to and including the final byte.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		i++
		if c >= 0x40 && c <= 0x7e {
			return i
		}
		if c < 0x20 || c > 0x3f && c < 0x40 {
			return i
		}
	}
	return i
}

// skipString skips a string command up to BEL, ESC \ or the 8-bit ST.
func skipString(s string, i int) int {
	for i < len(s) {
		if s[i] == 0x07 {
			return i + 1
		}
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
			return i + 2
		}
		if r, size := utf8.DecodeRuneInString(s[i:]); r == 0x9c {
			return i + size
		}
		i++
	}
	return i
}
