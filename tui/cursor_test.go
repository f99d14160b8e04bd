package tui

import (
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// TestRealCursorFollowsWideText checks that the terminal's cursor (tea.View's Cursor) is
// where the typing is, counted in cells: after 王芳 it is four cells past the field's
// start, after "ab" two — where bubbles' own placement (runes) would put it at two for
// both. A dialog's field takes the cursor from the screen under it.
func TestRealCursorFollowsWideText(t *testing.T) {
	for _, tt := range []struct {
		typed string
		cells int
	}{{"王芳", 4}, {"ab", 2}, {"a王b", 4}, {"阿依古丽·买买提", 15}} {
		t.Run(tt.typed, func(t *testing.T) {
			env := fixture(t, newClock(), true)
			m := press(t, toSign(t, env), "2", "tab", tt.typed)
			v := m.View()
			if v.Cursor == nil {
				t.Fatal("no cursor in a focused field")
			}
			lines := strings.Split(screenText(m), "\n")
			if v.Cursor.Y >= len(lines) {
				t.Fatalf("cursor below the screen: %+v", v.Cursor.Position)
			}
			line := lines[v.Cursor.Y]
			i := strings.Index(line, tt.typed)
			if i < 0 {
				t.Fatalf("the cursor's line %d is not the field: %q", v.Cursor.Y, line)
			}
			if want := textwidth.Width(line[:i]) + tt.cells; v.Cursor.X != want {
				t.Errorf("cursor at column %d, want %d (after %q in %q)", v.Cursor.X, want, tt.typed, line)
			}
			if strings.Contains(v.Content, cursorMark) {
				t.Error("the cursor mark is drawn")
			}
			// Moving left over one character moves the cursor by its width.
			m = press(t, m, "left")
			r := []rune(tt.typed)
			if got, want := m.View().Cursor.X, v.Cursor.X-textwidth.Width(string(r[len(r)-1])); got != want {
				t.Errorf("after ←: column %d, want %d", got, want)
			}
		})
	}
	// No field focused (the signer choice): no cursor.
	env := fixture(t, newClock(), true)
	m := toSign(t, env)
	if c := m.View().Cursor; c != nil {
		t.Errorf("a cursor with no field focused: %+v", c.Position)
	}
}
