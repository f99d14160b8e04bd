// Package textwidth is the one place where the TUI measures, cuts and pads text for the
// terminal. Chinese characters take two cells; measuring by bytes or runes misplaces
// every column after a name.
//
// What was checked (tmux 3.3, Bubble Tea v2.1.1): the unlock, today and case screens
// with Chinese names, labels and the ellipsis render with every column where
// lipgloss.Width says, at 80×24 and 120×40; the golden tests assert that no line is
// wider than the window. Not yet checked: the person form's long labels and help text
// (the interview screens), and terminals that draw East Asian Ambiguous characters
// (“ ” … ·) two cells wide, which is where bubbletea #1777 points. Any workaround for
// those belongs here, in one place.
package textwidth

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Width is the number of terminal cells s occupies (escape sequences count zero).
func Width(s string) int { return lipgloss.Width(s) }

// Truncate cuts s to at most w cells, ending with "…" when something was cut; a wide
// character that does not fit whole is left out, not split.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Pad cuts or pads s with spaces to exactly w cells.
func Pad(s string, w int) string {
	s = Truncate(s, w)
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// Wrap breaks s into lines of at most w cells. Chinese text has no spaces to break at,
// so a line breaks between any two characters when no space is near.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		wrapped := ansi.Wrap(para, w, "")
		out = append(out, strings.Split(wrapped, "\n")...)
	}
	return out
}
