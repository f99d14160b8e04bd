package tui

import "charm.land/bubbles/v2/textinput"

// newInput is a text field as every screen uses it: no prompt, and a steady cursor —
// a blinking one redraws the screen twice a second, which costs battery on a laptop
// that must last a day of visits.
func newInput(limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = limit
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}
