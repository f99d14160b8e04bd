package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// newInput is a text field as every screen uses it: no prompt, and the terminal's own
// cursor rather than a drawn one (fieldView places it), so that a Chinese input
// method's candidate window and a screen reader's focus follow the typing. A drawn
// cursor that blinks would also redraw the screen twice a second, which costs battery
// on a laptop that must last a day of visits.
func newInput(limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = limit
	in.SetVirtualCursor(false)
	return in
}

// cursorMark is where a focused field's cursor is in a screen's text: an escape
// sequence (APC) every width function counts as zero cells and keeps when cutting.
// The root finds it in the frame, takes it out, and puts the terminal's cursor there.
const cursorMark = "\x1b_doorstep-cursor\x1b\\"

// fieldView draws a text field, as wide as its SetWidth plus one cell for the cursor
// (textinput's own layout), measured in cells by textwidth.Field; a focused field marks
// its cursor for the root.
func fieldView(in textinput.Model) string {
	value := in.Value()
	if in.EchoMode == textinput.EchoPassword {
		value = strings.Repeat(string(in.EchoCharacter), len([]rune(value)))
	}
	before, after := textwidth.Field(value, in.Position(), in.Width())
	if !in.Focused() {
		return before + after
	}
	return before + cursorMark + after
}

// placeCursor takes the cursor mark out of a frame and returns where it was (nil when
// no field is focused). Only the last mark counts: a dialog is drawn after the screen
// under it.
func placeCursor(frame string) (string, *tea.Cursor) {
	i := strings.LastIndex(frame, cursorMark)
	if i < 0 {
		return frame, nil
	}
	head := frame[:i]
	y := strings.Count(head, "\n")
	x := textwidth.Width(head[strings.LastIndex(head, "\n")+1:])
	c := tea.NewCursor(x, y)
	c.Blink = false
	return strings.ReplaceAll(frame, cursorMark, ""), c
}
