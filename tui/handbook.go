package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	fullwidth "golang.org/x/text/width"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// handbookScreen is the 指标解释: every question of the person form, then of the
// community form, with its help text, searchable by id, label or any word of the
// explanation, in either language.
type handbookScreen struct {
	common
	search textinput.Model
	all    []*forms.Question
	hay    []string // per question: id, label and help in both languages, lower case
	shown  []*forms.Question
	cursor int
}

func newHandbook(c common) *handbookScreen {
	s := &handbookScreen{common: c, search: newInput(40), all: c.env.PersonForm.Questions()}
	if cf := c.env.CommunityForm; cf != nil {
		s.all = append(s.all[:len(s.all):len(s.all)], cf.Questions()...)
	}
	for _, q := range s.all {
		s.hay = append(s.hay, strings.ToLower(strings.Join([]string{q.ID, q.Label.ZH, q.Label.EN, q.Help.ZH, q.Help.EN}, "\x00")))
	}
	s.refilter()
	return s
}

func (s *handbookScreen) Init() tea.Cmd { return s.search.Focus() }
func (s *handbookScreen) Title(lang string) string {
	return tr(lang, "handbook")
}
func (s *handbookScreen) Typing() bool { return true }
func (s *handbookScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.env.Keys.Up, s.env.Keys.Back}
}

func (s *handbookScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *handbookScreen) refilter() {
	q := strings.ToLower(strings.TrimSpace(fullwidth.Narrow.String(s.search.Value())))
	s.shown = s.shown[:0]
	for i, question := range s.all {
		if q == "" || strings.Contains(s.hay[i], q) {
			s.shown = append(s.shown, question)
		}
	}
	s.cursor = 0
}

func (s *handbookScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		k := s.env.Keys
		switch {
		case key.Matches(msg, k.Back):
			return s, back
		case key.Matches(msg, k.Up):
			s.cursor = max(0, s.cursor-1)
			return s, nil
		case key.Matches(msg, k.Down):
			s.cursor = min(len(s.shown)-1, s.cursor+1)
			return s, nil
		}
	}
	before := s.search.Value()
	var cmd tea.Cmd
	s.search, cmd = s.search.Update(msg)
	if s.search.Value() != before {
		s.refilter()
	}
	return s, cmd
}

func (s *handbookScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	lines := []string{st.Label.Render(tr(lang, "search")+colon(lang)) + fieldView(s.search), ""}
	if len(s.shown) == 0 {
		return strings.Join(append(lines, st.Faint.Render(tr(lang, "nomatch"))), "\n")
	}
	// A window of the matches around the cursor, then the selected item's explanation.
	listRows := min(len(s.shown), max(3, (height-len(lines))/3))
	top := max(0, min(s.cursor-listRows/2, len(s.shown)-listRows))
	for i := top; i < top+listRows; i++ {
		q := s.shown[i]
		line := " " + textwidth.PadRight(clean(q.ID), 5) + " " + textwidth.Truncate(clean(q.Label.In(lang)), width-8)
		if i == s.cursor {
			line = st.Selected.Render(textwidth.PadRight(line, width))
		}
		lines = append(lines, line)
	}
	q := s.shown[s.cursor]
	lines = append(lines, st.Faint.Render(textwidth.Rule(width)))
	for _, l := range textwidth.Wrap(clean(q.Label.In(lang)), width-2) {
		lines = append(lines, " "+st.Section.Render(l))
	}
	for _, l := range textwidth.Wrap(clean(q.Help.In(lang)), width-2) {
		lines = append(lines, " "+l)
	}
	return strings.Join(lines, "\n")
}
