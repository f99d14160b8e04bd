package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/survey"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// ask is a dialog that asks for a short text (a note confirming a warning, the reason
// for changing a confirmed answer) and hands it to the screen that asked.
type ask struct {
	to     common
	title  [2]string
	body   [2]string
	label  [2]string
	input  textinput.Model
	need   bool // enter was pressed with nothing typed
	answer func(string) tea.Msg
	keys   []key.Binding
}

func newAsk(to common, title, body, label [2]string, answer func(string) tea.Msg) *ask {
	a := &ask{to: to, title: title, body: body, label: label, input: newInput(100), answer: answer,
		keys: []key.Binding{binding([]string{"enter"}, "enter", "key.ok"), binding([]string{"esc"}, "esc", "key.cancel")}}
	a.input.Focus()
	return a
}

// secret hides what is typed (a passphrase).
func (a *ask) secret() { a.input.EchoMode = textinput.EchoPassword }

func (a *ask) ShortHelp() []key.Binding  { return a.keys }
func (a *ask) FullHelp() [][]key.Binding { return [][]key.Binding{a.keys} }

func (a *ask) Update(msg tea.Msg) (Overlay, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return a, closeOverlay
		case "enter":
			text := strings.TrimSpace(clean(a.input.Value()))
			if a.input.EchoMode == textinput.EchoPassword {
				text = a.input.Value() // a passphrase is taken as typed
			}
			if text == "" {
				a.need = true
				return a, nil
			}
			answer := a.answer
			return a, tea.Batch(closeOverlay, a.to.do(func() tea.Msg { return answer(text) }))
		}
	}
	var cmd tea.Cmd
	a.input, cmd = a.input.Update(msg)
	return a, cmd
}

func (a *ask) View(width int) []string {
	st, li := a.to.env.Styles, langIndex(a.to.env.Lang)
	lines := []string{"", "  " + st.Section.Render(textwidth.Truncate(a.title[li], width-4)), ""}
	for _, l := range textwidth.Wrap(a.body[li], width-4) {
		lines = append(lines, "  "+l)
	}
	label := a.label[li] + colon(a.to.env.Lang)
	a.input.SetWidth(max(10, width-6-textwidth.Width(label)))
	lines = append(lines, "", "  "+st.Label.Render(label)+fieldView(a.input))
	if a.need {
		lines = append(lines, "  "+st.Error.Render(tr(a.to.env.Lang, "needtext")))
	}
	return append(lines, "")
}

// jumpList is every relevant question with its answer and state; enter opens one.
type jumpList struct {
	to     common
	items  []jumpItem
	cursor int
	rows   int // the rows shown, as the window allows; a page for pgup and pgdown
	keys   []key.Binding
}

type jumpItem struct {
	id     string
	label  [2]string
	answer [2]string
	state  string // ✓ answered, · unanswered, ✗ error, ! warning to confirm, ✎ the leader's comment
}

// jumpRows is how many rows a list shows where the window's height is not known: it
// fits an 80×24 window with the help line in two rows.
const jumpRows = 12

func newJumpList(s *formScreen) *jumpList {
	j := &jumpList{to: s.common, rows: jumpRows, keys: []key.Binding{s.env.Keys.Up,
		binding([]string{"enter"}, "enter", "key.goto"), binding([]string{"esc", "f4"}, "esc", "key.close")}}
	for _, id := range s.res.Relevant {
		q := s.form.Question(id)
		it := jumpItem{id: id, label: [2]string{clean(q.ReadBackLabel().ZH), clean(q.ReadBackLabel().In("en"))}, state: "·"}
		if v, ok := s.answers[id]; ok {
			it.state = "✓"
			it.answer = [2]string{clean(q.FormatAnswer(v, "zh")), clean(q.FormatAnswer(v, "en"))}
		}
		for _, fd := range s.res.Findings {
			if fd.Question != id {
				continue
			}
			if fd.Severity == forms.SeverityError {
				it.state = "✗"
			} else if it.state != "✗" && s.rec.Notes[survey.NoteKey(fd)] == "" {
				it.state = "!"
			}
		}
		if len(s.commentsAt(id)) > 0 {
			it.state = "✎"
		}
		if id == s.cur {
			j.cursor = len(j.items)
		}
		j.items = append(j.items, it)
	}
	return j
}

func (j *jumpList) ShortHelp() []key.Binding  { return j.keys }
func (j *jumpList) FullHelp() [][]key.Binding { return [][]key.Binding{j.keys} }

func (j *jumpList) Update(msg tea.Msg) (Overlay, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return j, nil
	}
	switch k.String() {
	case "up":
		j.cursor = max(0, j.cursor-1)
	case "down":
		j.cursor = min(len(j.items)-1, j.cursor+1)
	case "pgup":
		j.cursor = max(0, j.cursor-max(1, j.rows))
	case "pgdown":
		j.cursor = min(len(j.items)-1, j.cursor+max(1, j.rows))
	case "home":
		j.cursor = 0
	case "end":
		j.cursor = len(j.items) - 1
	case "esc", "f4":
		return j, closeOverlay
	case "enter":
		if len(j.items) == 0 {
			return j, closeOverlay
		}
		id := j.items[j.cursor].id
		return j, tea.Batch(closeOverlay, j.to.do(func() tea.Msg { return jumpMsg{id} }))
	}
	return j, nil
}

func (j *jumpList) View(width int) []string { return j.ViewSized(width, jumpRows+1) }

// ViewSized draws the list as tall as the window lets it be: a title and a row a
// question, the selected one marked ▸ (seen without colours too).
func (j *jumpList) ViewSized(width, height int) []string {
	st, lang := j.to.env.Styles, j.to.env.Lang
	li := langIndex(lang)
	j.rows = max(3, height-1)
	lines := []string{"  " + st.Section.Render(fmt.Sprintf(tr(lang, "jumptitle"), len(j.items)))}
	first := min(max(0, j.cursor-j.rows/2), max(0, len(j.items)-j.rows))
	idW, longest := 0, 0
	for _, it := range j.items {
		idW = max(idW, len(it.id))
		longest = max(longest, textwidth.Width(it.label[li]))
	}
	// The label as wide as the longest one, up to half of what the row has: the
	// answer gets the rest.
	labelW := min(longest, max(12, (width-10-idW)/2))
	for i := first; i < len(j.items) && i < first+j.rows; i++ {
		it := j.items[i]
		state := it.state
		switch state {
		case "✓":
			state = st.OK.Render(state)
		case "✗":
			state = st.Error.Render(state)
		case "!", "✎":
			state = st.Warning.Render(state)
		}
		row := fmt.Sprintf("%-*s  %s  %s", idW, it.id, textwidth.PadRight(textwidth.Truncate(it.label[li], labelW), labelW), it.answer[li])
		row = textwidth.Truncate(row, width-8)
		mark := "  "
		if i == j.cursor {
			mark = "▸ "
			row = st.Selected.Render(textwidth.PadRight(row, width-8))
		}
		lines = append(lines, mark+state+" "+row)
	}
	return lines
}

// pickList is a short list to choose one from (a village); enter hands the choice to
// the screen that asked, as the message pick makes.
type pickList struct {
	to     common
	title  [2]string
	items  [][2]string
	cursor int
	pick   func(int) tea.Msg
	keys   []key.Binding
}

func newPickList(to common, title [2]string, items [][2]string, pick func(int) tea.Msg) *pickList {
	return &pickList{to: to, title: title, items: items, pick: pick, keys: []key.Binding{to.env.Keys.Up,
		binding([]string{"enter"}, "enter", "key.open"), binding([]string{"esc"}, "esc", "key.close")}}
}

func (p *pickList) ShortHelp() []key.Binding  { return p.keys }
func (p *pickList) FullHelp() [][]key.Binding { return [][]key.Binding{p.keys} }

func (p *pickList) Update(msg tea.Msg) (Overlay, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	switch k.String() {
	case "up":
		p.cursor = max(0, p.cursor-1)
	case "down":
		p.cursor = min(len(p.items)-1, p.cursor+1)
	case "esc":
		return p, closeOverlay
	case "enter":
		i, pick := p.cursor, p.pick
		return p, tea.Batch(closeOverlay, func() tea.Msg { return pick(i) })
	}
	return p, nil
}

func (p *pickList) View(width int) []string {
	st, li := p.to.env.Styles, langIndex(p.to.env.Lang)
	lines := []string{"", "  " + st.Section.Render(textwidth.Truncate(p.title[li], width-4)), ""}
	first := min(max(0, p.cursor-jumpRows/2), max(0, len(p.items)-jumpRows))
	for i := first; i < len(p.items) && i < first+jumpRows; i++ {
		row := textwidth.Truncate(p.items[i][li], width-8)
		if i == p.cursor {
			lines = append(lines, "  ▸ "+st.Selected.Render(textwidth.PadRight(row, width-8)))
		} else {
			lines = append(lines, "    "+row)
		}
	}
	return append(lines, "")
}
