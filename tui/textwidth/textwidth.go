// Package textwidth is the one place where the TUI measures, cuts, wraps and pads text
// for the terminal. Chinese characters take two cells; measuring by bytes or runes
// misplaces every column after a name. Nothing else in tui may measure text any other
// way, so that a workaround for a terminal lands here and nowhere else.
//
// # What was checked
//
// Bubble Tea v2.1.1, lipgloss v2.1.0, x/ansi v0.11.9, in tmux 3.3a at 80×24 and 120×40:
// every question label, option, help text (指标解释) of person-2021 in zh and en, the
// read-back sentences of two synthetic interviews in both languages, and lines with
// rare characters (CJK Extension B 𠈌𠮷, private-use code points that rare-name fonts
// use, the middle dot of minority names 阿依古丽·买买提, dashes, “quotes”, ①, full-width
// ＡＢＣ), each cut with Truncate or wrapped with Wrap, padded to the window, paged
// through forwards and backwards (so the renderer draws by differences, not whole
// screens). What tmux shows (capture-pane) was, line for line, what the model drew,
// and every line's right edge was where lipgloss.Width put it (checked with glibc's
// wcwidth, which tmux uses): 51 pages, 1 411 lines, no difference.
//
// Findings:
//   - lipgloss.Width (grapheme clusters) and the renderer's cell width (wcwidth, unless
//     the terminal reports mode 2027) agree on all of that text: 590 strings, none
//     differs. The trouble in bubbletea #1777 (Hindi, Traditional Chinese) comes from
//     clusters where the two methods differ; our forms and roster names have none.
//   - The real risk for Chinese laptops is East Asian Ambiguous characters: the form
//     text uses “ ” — – (54, 54, 8 and 5 times) and the program draws … · │ ─ • ← →.
//     Western terminals (tmux, Windows Terminal, gnome-terminal) draw them one cell
//     wide, as x/ansi counts them. Terminals set up for CJK draw them two cells wide
//     (xterm -cjkwidth, PuTTY's "treat CJK ambiguous characters as wide", and by
//     reports the legacy Windows console with a Chinese font such as 新宋体; not tried
//     here); there a line that fills the window overflows and the screen is garbled.
//     The workaround is the environment variable RUNEWIDTH_EASTASIAN=1: lipgloss, this
//     package and the renderer then all count those characters as two cells and stay
//     in agreement (checked: with it set, the pages above still drew exactly as the
//     model said, only narrower in tmux). x/ansi reads it once, before main runs, so
//     it cannot be a config setting; it belongs in the notes for whoever sets up the
//     laptops. The classic Windows console with a CJK code page (936 and the like) is
//     recognised by itself (no WT_SESSION, TERM_PROGRAM or TERM): textwidth/eastasian
//     sets the variable for the process before x/ansi reads it, unless the user has
//     set it. For it to work no code may assume the width of such a character: use
//     Width, Rule and Truncate, never a count of characters. (The tui tests that check
//     every screen fits the window pass with RUNEWIDTH_EASTASIAN=1 too; only the golden
//     files differ, by padding.)
//   - Chinese text has no spaces, and x/ansi's wrapping then cuts anywhere, so lines
//     began with "，" or "）". Wrap here breaks between any two Chinese characters but
//     never before closing punctuation nor after opening punctuation (the usual
//     line-breaking rules, 避头尾), and keeps Latin words and numbers whole.
//   - A private-use character is one cell to every width table; a Chinese rare-name
//     font draws its glyph wider, overlapping the next cell. That spoils the look of
//     one name, not the layout.
package textwidth

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Ellipsis ends text that was cut.
const Ellipsis = "…"

// Width is the number of terminal cells s occupies; escape sequences count zero. For a
// string of several lines it is the widest line.
func Width(s string) int {
	if !strings.Contains(s, "\n") {
		return ansi.StringWidth(s)
	}
	w := 0
	for l := range strings.SplitSeq(s, "\n") {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// Truncate cuts s to at most w cells, ending with Ellipsis when something was cut; a
// wide character that does not fit whole is left out, never split. Escape sequences
// are kept.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, Ellipsis)
}

// PadRight cuts or pads s with spaces to exactly w cells.
func PadRight(s string, w int) string {
	s = Truncate(s, w)
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// PadLeft cuts s to w cells, or pads it on the left with spaces: numbers in columns.
func PadLeft(s string, w int) string {
	s = Truncate(s, w)
	if n := w - Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// Center pads s on both sides to w cells (cut when wider).
func Center(s string, w int) string {
	s = Truncate(s, w)
	n := w - Width(s)
	if n <= 0 {
		return s
	}
	return strings.Repeat(" ", n/2) + s + strings.Repeat(" ", n-n/2)
}

// Rule is a horizontal line w cells wide. The line character is East Asian Ambiguous,
// so it is measured, not assumed one cell.
func Rule(w int) string {
	const line = "─"
	cw := max(ansi.StringWidth(line), 1)
	return strings.Repeat(line, w/cw) + strings.Repeat(" ", w%cw)
}

// noStart are characters a line must not begin with: closing punctuation and marks
// that belong to what comes before them.
const noStart = "，。、；：？！）」』”’》〉】〕｝］…—–·％‰,.;:?!)]}%"

// noEnd are characters a line must not end with: opening punctuation.
const noEnd = "（「『“‘《〈【〔｛［([{"

// Wrap breaks plain text (no escape sequences: style after wrapping) into lines of at
// most w cells. Lines break at spaces, and between two characters when one of them is
// wide (Chinese has no spaces), but not before closing punctuation or after opening
// punctuation; a word wider than a line is cut. Newlines in s are kept.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		out = wrapParagraph(out, para, w)
	}
	return out
}

// oneOf reports whether the cluster c is a single character of set.
func oneOf(set, c string) bool {
	r, n := utf8.DecodeRuneInString(c)
	return n == len(c) && strings.ContainsRune(set, r)
}

type cluster struct {
	s string
	w int
}

func wrapParagraph(out []string, para string, w int) []string {
	var cs []cluster
	for rest := para; rest != ""; {
		c, cw := ansi.FirstGraphemeCluster(rest, ansi.GraphemeWidth)
		cs = append(cs, cluster{c, cw})
		rest = rest[len(c):]
	}
	if len(cs) == 0 {
		return append(out, "")
	}
	// canBreak reports whether a line may end before cs[i].
	canBreak := func(i int) bool {
		prev, next := cs[i-1], cs[i]
		switch {
		case next.s == " " || prev.s == " ":
			return true
		case oneOf(noStart, next.s), oneOf(noEnd, prev.s):
			return false
		}
		return prev.w > 1 || next.w > 1
	}
	start := 0
	for start < len(cs) {
		for start < len(cs) && cs[start].s == " " && start > 0 {
			start++ // spaces at a break are dropped
		}
		end, width := start, 0
		for end < len(cs) && width+cs[end].w <= w {
			width += cs[end].w
			end++
		}
		if end < len(cs) {
			// Back up to the last place a line may end; cut the word when there is none.
			b := end
			for b > start && !canBreak(b) {
				b--
			}
			if b > start {
				end = b
			} else if end == start {
				end++ // a single cluster wider than the line
			}
		}
		var line strings.Builder
		for _, c := range cs[start:end] {
			line.WriteString(c.s)
		}
		out = append(out, strings.TrimRight(line.String(), " "))
		start = end
	}
	return out
}

// Field lays out a one-line text field w cells wide (plus one cell for the cursor after
// the last character) holding value with the cursor before its rune pos, and returns
// the text before the cursor and from it on: the terminal's cursor goes at the cell
// Width(before). Positions are counted in cells, so a Chinese input method's candidate
// window and a screen reader's focus land on the character being typed (bubbles'
// textinput counts runes, which puts the cursor short of the end of Chinese text —
// bubbles issue #920). A value wider than the field scrolls so the cursor shows. w ≤ 0
// is a field as wide as its value.
func Field(value string, pos, w int) (before, after string) {
	runes := []rune(value)
	pos = min(max(pos, 0), len(runes))
	before, after = string(runes[:pos]), string(runes[pos:])
	if w <= 0 {
		return before, after + " "
	}
	// Scroll: drop whole clusters from the left until the cursor's cell fits.
	for Width(before) > w {
		c, _ := ansi.FirstGraphemeCluster(before, ansi.GraphemeWidth)
		before = before[len(c):]
	}
	room := w + 1 - Width(before)
	if Width(after) > room {
		after = ansi.Truncate(after, room, "")
	}
	return before, PadRight(after, room)
}
