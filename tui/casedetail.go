package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// caseScreen shows one case's roster details.
type caseScreen struct {
	common
	id    string
	c     *localstore.Case
	err   string
	start key.Binding
}

// caseMsg delivers a case read from the store, with the id of the screen that asked.
type caseMsg struct {
	id  string
	c   localstore.Case
	err error
}

func newCaseScreen(c common, id string) *caseScreen {
	return &caseScreen{common: c, id: id, start: binding([]string{"enter"}, "enter", "key.start")}
}

func (s *caseScreen) Init() tea.Cmd {
	sess, id := s.env.Session, s.id
	return s.do(func() tea.Msg {
		c, err := sess.Case(id)
		return caseMsg{id, c, err}
	})
}

func (s *caseScreen) Title(lang string) string {
	t := tr(lang, "case")
	if s.c != nil {
		t += " · " + clean(s.c.Row.Name)
	}
	return t
}
func (s *caseScreen) Typing() bool { return false }
func (s *caseScreen) ShortHelp() []key.Binding {
	start := s.start
	start.SetEnabled(s.c != nil)
	return []key.Binding{start, s.env.Keys.Back}
}

func (s *caseScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// Refresh reloads the case: its status changes when it is started or completed.
func (s *caseScreen) Refresh() tea.Cmd { return s.Init() }

func (s *caseScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case caseMsg:
		if msg.id != s.id {
			return s, nil
		}
		if msg.err != nil {
			s.err = clean(msg.err.Error())
			return s, nil
		}
		s.c = &msg.c
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.env.Keys.Back):
			return s, back
		case key.Matches(msg, s.start) && s.c != nil:
			return s, navigate(Page{Kind: KindStart, ID: s.id})
		}
	}
	return s, nil
}

func (s *caseScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	if s.err != "" {
		return st.Error.Render(tr(lang, "err") + s.err)
	}
	if s.c == nil {
		return st.Faint.Render(tr(lang, "loading"))
	}
	r := s.c.Row
	li := langIndex(lang)
	sex := ""
	switch r.Sex {
	case 1:
		sex = tr(lang, "male")
	case 2:
		sex = tr(lang, "female")
	}
	rows := [][2]string{
		{"name", r.Name}, {"cert", roster.Mask(r.CertificateNumber)}, {"idnum", roster.Mask(r.IDNumber)}, {"sex", sex},
		{"category", categoryNames[r.Category%8][li]}, {"level", levelNames[r.Level%5][li]},
		{"town", r.Town}, {"village", r.Village}, {"villagecode", r.VillageCode},
		{"address", r.HouseholdAddress}, {"current", r.CurrentAddress}, {"phone", r.Phone},
		{"guardian", r.Guardian}, {"guardianphone", r.GuardianPhone}, {"status", statusName(lang, s.c.Status)},
	}
	labelW := 0
	for _, kv := range rows {
		labelW = max(labelW, textwidth.Width(tr(lang, kv[0]))+2)
	}
	lines := []string{""}
	for _, kv := range rows {
		if kv[1] == "" {
			continue
		}
		// Values wrap rather than being cut: an address is how the house is found.
		label := st.Label.Render(textwidth.PadRight(tr(lang, kv[0]), labelW))
		for i, l := range textwidth.Wrap(clean(kv[1]), width-2-labelW) {
			if i > 0 {
				label = strings.Repeat(" ", labelW)
			}
			lines = append(lines, "  "+label+l)
		}
	}
	return strings.Join(lines, "\n")
}
