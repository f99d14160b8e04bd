package tui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// caseScreen shows one case's roster details, and a returned record's comments.
type caseScreen struct {
	common
	id    string
	c     *localstore.Case
	rec   *localstore.Record // the case's interview, nil before it starts
	err   [2]string
	start key.Binding
}

// caseMsg delivers a case read from the store, with the id of the screen that asked.
type caseMsg struct {
	id  string
	c   localstore.Case
	rec *localstore.Record
	err error
}

func newCaseScreen(c common, id string) *caseScreen {
	return &caseScreen{common: c, id: id, start: binding([]string{"enter"}, "enter", "key.start")}
}

func (s *caseScreen) Init() tea.Cmd {
	sess, id, f := s.env.Session, s.id, s.env.PersonForm
	return s.do(func() tea.Msg {
		c, err := sess.Case(id)
		if err != nil {
			return caseMsg{id: id, err: err}
		}
		// A draft of the form the new one carries from is this case's too (a new form
		// arrived while it was under way): it resumes, with its own form.
		rec, err := sess.RecordFor(id, f.ID, f.Carries.From...)
		if errors.Is(err, localstore.ErrNotFound) {
			return caseMsg{id: id, c: c}
		}
		return caseMsg{id, c, rec, err}
	})
}

// resumes reports whether enter goes on with an interview under way rather than
// starting the case: a draft opens at the form directly (the method is changed from
// there), a returned record at its first commented question.
func (s *caseScreen) resumes() bool {
	r := s.rec
	return r != nil && r.Method != 0 && r.Outcome == localstore.OutcomeInterviewed && !r.Status.Locked()
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
	switch {
	case s.resumes() && s.rec.Status == localstore.StatusReturned:
		start.SetHelp("enter", "key.fixrec")
	case s.resumes():
		start.SetHelp("enter", "key.resume")
	}
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
			s.err = loadErrText(msg.err)
			return s, nil
		}
		s.c, s.rec = &msg.c, msg.rec
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.env.Keys.Back):
			return s, back
		case key.Matches(msg, s.start) && s.resumes():
			p, _ := stepAfterStart(s.rec)
			return s, navigate(p)
		case key.Matches(msg, s.start) && s.c != nil:
			return s, navigate(Page{Kind: KindStart, ID: s.id})
		}
	}
	return s, nil
}

func (s *caseScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	if s.err[0] != "" {
		return strings.Join(textwidth.Wrap(s.err[langIndex(lang)], width), "\n")
	}
	if s.c == nil {
		return st.Faint.Render(tr(lang, "loading"))
	}
	r := s.c.Row
	sex := ""
	switch r.Sex {
	case 1:
		sex = tr(lang, "male")
	case 2:
		sex = tr(lang, "female")
	}
	rows := [][2]string{
		{"name", r.Name}, {"cert", roster.Mask(r.CertificateNumber)}, {"idnum", roster.Mask(r.IDNumber)}, {"sex", sex},
		{"category", categoryName(lang, r.Category)}, {"level", levelName(lang, r.Level)},
		{"town", r.Town}, {"village", r.Village}, {"villagecode", r.VillageCode},
		{"address", r.HouseholdAddress}, {"current", r.CurrentAddress}, {"phone", r.Phone},
		{"guardian", r.Guardian}, {"guardianphone", r.GuardianPhone}, {"status", statusName(lang, listStatus(*s.c))},
		{"withdrawnwhy", s.c.Withdrawn},
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
	if s.rec != nil && s.rec.Status == localstore.StatusReturned {
		// What the leader wants fixed, before the form opens.
		lines = append(lines, "", "  "+st.Warning.Render(textwidth.Truncate(tr(lang, "returnedhead"), width-2)))
		for _, c := range roundComments(s.rec) {
			text := tr(lang, "comment") + clean(c.Text)
			if c.Question != "" {
				text = c.Question + " " + text
			}
			for _, l := range textwidth.Wrap(text, width-4) {
				lines = append(lines, "    "+st.Warning.Render(l))
			}
		}
	}
	return strings.Join(lines, "\n")
}
