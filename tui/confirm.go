package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// confirm asks before a step that cannot be undone from this laptop (a case closed
// without an interview, a leader's approval or return): enter does it, esc does not.
// It ignores keys for graceTime, so an enter typed ahead for the step before does not
// answer it.
type confirm struct {
	to    common
	title [2]string
	body  [2]string
	yes   func() tea.Msg
	until time.Time // keys before this are ignored
	keys  []key.Binding
}

func newConfirm(to common, title, body [2]string, yes func() tea.Msg) *confirm {
	return &confirm{to: to, title: title, body: body, yes: yes,
		until: to.env.Now().Add(graceTime),
		keys: []key.Binding{binding([]string{"enter"}, "enter", "key.confirm"),
			binding([]string{"esc"}, "esc", "key.cancel")}}
}

func (c *confirm) ShortHelp() []key.Binding  { return c.keys }
func (c *confirm) FullHelp() [][]key.Binding { return [][]key.Binding{c.keys} }

func (c *confirm) Update(msg tea.Msg) (Overlay, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || c.to.env.Now().Before(c.until) {
		return c, nil
	}
	switch k.String() {
	case "esc":
		return c, closeOverlay
	case "enter":
		return c, tea.Batch(closeOverlay, c.to.do(c.yes))
	}
	return c, nil
}

func (c *confirm) View(width int) []string {
	st, li := c.to.env.Styles, langIndex(c.to.env.Lang)
	lines := []string{"", "  " + st.Warning.Render(textwidth.Truncate(c.title[li], width-4)), ""}
	for _, l := range textwidth.Wrap(c.body[li], width-4) {
		lines = append(lines, "  "+l)
	}
	return append(lines, "")
}
