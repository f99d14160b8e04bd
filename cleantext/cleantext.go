// Package cleantext makes text from outside (roster names and addresses, server
// messages, anything not typed on this laptop) safe to show on a terminal or print in
// a report. It removes whatever could move the cursor, recolour or clear the screen,
// set the window title, or make text read differently from what it holds: escape
// sequences, control characters, bidirectional overrides, invisible characters.
//
// It never refuses: a caller keeps the person, with a clean name. It never changes
// visible text either, apart from collapsing spaces, so it is no substitute for
// validation.
package cleantext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s as one clean line:
//   - escape sequences removed whole: CSI (ESC [ … final), OSC (ESC ] … BEL or ST),
//     DCS, SOS, PM and APC strings, two-byte ESC sequences, and their 8-bit C1 forms
//     (U+009B, and a stray 0x9B byte not inside a UTF-8 sequence);
//   - other C0 and C1 control characters removed, except that tab, line feed, CR,
//     VT, FF, NEL and the Unicode line and paragraph separators become spaces;
//   - format characters (Unicode Cf: bidirectional embeddings, overrides and
//     isolates, zero-width space and joiners, BOM, soft hyphen, tags …) and the
//     Hangul fillers that show as nothing removed;
//   - invalid UTF-8 dropped;
//   - runs of spaces of any width (U+3000 ideographic space too) collapsed to one
//     ASCII space, and the ends trimmed.
//
// Line(Line(s)) == Line(s). A string that is already clean is returned as it is,
// without allocating.
func Line(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is owed before the next visible character
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == 0x1b:
				i = skipEscape(s, i+1)
				continue
			case c == ' ' || (c >= '\t' && c <= '\r'):
				space = b.Len() > 0
			case c < 0x20 || c == 0x7f:
			default:
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// A byte that is not UTF-8. 0x80–0x9F on their own are the 8-bit C1
			// controls to a terminal in 8-bit mode; skip what they introduce. A
			// continuation byte after a broken multi-byte sequence is just dropped.
			if i == 0 || s[i-1] < utf8.RuneSelf {
				switch c {
				case 0x9b:
					i = skipCSI(s, i+1)
					continue
				case 0x90, 0x98, 0x9d, 0x9e, 0x9f:
					i = skipString(s, i+1)
					continue
				}
			}
			i++
			continue
		}
		i += size
		switch classify(r) {
		case keep:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		case blank:
			space = b.Len() > 0
		case drop:
			switch r {
			case 0x9b:
				i = skipCSI(s, i)
			case 0x90, 0x98, 0x9d, 0x9e, 0x9f:
				i = skipString(s, i)
			}
		}
	}
	return b.String()
}

type class uint8

const (
	keep  class = iota
	blank       // shown as one space
	drop        // removed
)

// classify says what Line does with a valid non-ASCII rune.
func classify(r rune) class {
	switch {
	case r >= 0x3400 && r <= 0x9fff: // CJK: by far the most common, none special
		return keep
	case r <= 0x9f: // C1 controls
		if r == 0x85 { // NEL
			return blank
		}
		return drop
	case r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Zs, r):
		return blank
	case unicode.Is(unicode.Cf, r),
		r == 0x034f, // combining grapheme joiner
		r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0: // Hangul fillers
		return drop
	}
	return keep
}

// isClean reports whether Line(s) == s, so the common case costs one read.
func isClean(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || (c == ' ' && prevSpace) {
				return false
			}
			prevSpace = c == ' '
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || classify(r) != keep {
			return false
		}
		prevSpace = false
		i += size
	}
	return true
}

// skipEscape returns the index after the sequence an ESC at s[i-1] introduces: a CSI,
// a control string, or a two-byte sequence with its intermediates. An ESC followed by
// anything else is dropped alone.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC
		return skipString(s, i+1)
	}
	j := i
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f { // intermediates: ESC ( B, ESC # 8
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e { // final
		return j + 1
	}
	return i
}

// skipCSI returns the index after a control sequence whose parameters start at i:
// parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
// C0 controls inside are skipped as terminals execute them; any other byte ends
// the sequence without being consumed, so text after a cut-off sequence survives.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		case c >= 0x20 && c <= 0x3f, c < 0x20 && c != 0x1b:
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after a control string (OSC, DCS, SOS, PM, APC)
// whose body starts at i: up to BEL, ESC \ or ST (U+009C or a lone 0x9C byte). An
// unterminated string runs to the end, as it would swallow the rest on a terminal.
func skipString(s string, i int) int {
	for i < len(s) {
		switch c := s[i]; {
		case c == 0x07:
			return i + 1
		case c == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		case c == 0x9c && (i == 0 || s[i-1] < utf8.RuneSelf):
			return i + 1
		}
		i++
	}
	return i
}
