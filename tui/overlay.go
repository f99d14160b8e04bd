package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// Overlay is a dialog drawn over the active screen. While one is open it gets the keys
// first (only quit still works); the screen underneath keeps receiving its own
// results. Overlays stack: the last opened is on top.
type Overlay interface {
	help.KeyMap
	Update(msg tea.Msg) (Overlay, tea.Cmd)
	// View returns the dialog's lines, each at most width cells wide; the root draws
	// them full width across the middle of the screen (rules and padding, no box
	// edges beside mixed-width text).
	View(width int) []string
}

// openOverlayMsg puts an overlay on top of the stack.
type openOverlayMsg struct{ o Overlay }

// closeOverlayMsg removes the top overlay.
type closeOverlayMsg struct{}

func showOverlay(o Overlay) tea.Cmd { return func() tea.Msg { return openOverlayMsg{o} } }

func closeOverlay() tea.Msg { return closeOverlayMsg{} }

// graceTime is how long a dialog that opened by itself ignores keys, so that a key
// typed for the screen underneath is not taken as an answer to it.
const graceTime = 500 * time.Millisecond

// dialog is a message in both languages, closed with enter or esc.
type dialog struct {
	env    *Env
	title  [2]string
	body   [2]string
	until  time.Time // keys before this are ignored
	isErr  bool
	closer key.Binding
}

// newDialog makes a dialog; unasked is true when it opens by itself rather than in
// answer to a key, and then it ignores keys for a moment.
func newDialog(env *Env, title, body [2]string, unasked bool) *dialog {
	d := &dialog{env: env, title: title, body: body,
		closer: binding([]string{"enter", "esc"}, "enter", "key.close")}
	if unasked {
		d.until = env.Now().Add(graceTime)
	}
	return d
}

// errorDialog reports a failure that no screen shows by itself.
func errorDialog(env *Env, what [2]string, err error) *dialog {
	d := newDialog(env, both("err.title"),
		[2]string{what[0] + "\n" + clean(err.Error()), what[1] + "\n" + clean(err.Error())}, true)
	d.isErr = true
	return d
}

func (d *dialog) ShortHelp() []key.Binding  { return []key.Binding{d.closer} }
func (d *dialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *dialog) Update(msg tea.Msg) (Overlay, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		if d.env.Now().Before(d.until) {
			return d, nil
		}
		if key.Matches(msg, d.closer) {
			return d, closeOverlay
		}
	}
	return d, nil
}

func (d *dialog) View(width int) []string {
	st, li := d.env.Styles, langIndex(d.env.Lang)
	title := st.Section
	if d.isErr {
		title = st.Error
	}
	lines := []string{"", "  " + title.Render(textwidth.Truncate(d.title[li], width-4)), ""}
	for _, l := range textwidth.Wrap(d.body[li], width-4) {
		lines = append(lines, "  "+l)
	}
	return append(lines, "")
}
