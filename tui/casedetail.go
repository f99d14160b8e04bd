package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// caseScreen shows one case's roster details.
type caseScreen struct {
	env *Env
	id  string
	c   *localstore.Case
	err string
}

// caseMsg delivers a case read from the store, with the id of the screen that asked.
type caseMsg struct {
	id  string
	c   localstore.Case
	err error
}

func newCaseScreen(env *Env, id string) *caseScreen { return &caseScreen{env: env, id: id} }

func (s *caseScreen) Init() tea.Cmd {
	sess, id := s.env.Session, s.id
	return func() tea.Msg {
		c, err := sess.Case(id)
		return caseMsg{id, c, err}
	}
}

func (s *caseScreen) Title(lang string) string {
	t := tr(lang, "app") + " · " + tr(lang, "case")
	if s.c != nil {
		t += " · " + cleantext.Line(s.c.Row.Name)
	}
	return t
}
func (s *caseScreen) Typing() bool { return false }
func (s *caseScreen) Keys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "开始调查|start")), s.env.Keys.Back}
}

// Refresh reloads the case: its status changes when it is started or completed.
func (s *caseScreen) Refresh() tea.Cmd { return s.Init() }

func (s *caseScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case caseMsg:
		if msg.id != s.id {
			return s, nil
		}
		if msg.err != nil {
			s.err = cleantext.Line(msg.err.Error())
			return s, nil
		}
		s.c = &msg.c
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.env.Keys.Back):
			return s, back
		case key.Matches(msg, s.env.Keys.Open) && s.c != nil:
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
		{"name", r.Name}, {"cert", maskNumber(r.CertificateNumber)}, {"idnum", maskNumber(r.IDNumber)}, {"sex", sex},
		{"category", categoryNames[r.Category%8][li]}, {"level", levelNames[r.Level%5][li]},
		{"town", r.Town}, {"village", r.Village}, {"villagecode", r.VillageCode},
		{"address", r.HouseholdAddress}, {"current", r.CurrentAddress}, {"phone", r.Phone},
		{"guardian", r.Guardian}, {"guardianphone", r.GuardianPhone}, {"status", statusName(lang, s.c.Status)},
	}
	lines := []string{""}
	for _, kv := range rows {
		if kv[1] == "" {
			continue
		}
		label := st.Label.Render(textwidth.Pad(tr(lang, kv[0]), 18))
		lines = append(lines, "  "+label+textwidth.Truncate(cleantext.Line(kv[1]), width-22))
	}
	return strings.Join(lines, "\n")
}
