package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// startScreen opens a case: how it is collected (调查方式) and what came of it. An
// outcome other than an interview completes the case here, with a note, and queues it
// for the district.
type startScreen struct {
	common
	caseID  string
	name    string
	method  int // index into methods
	outcome int // index into outcomes
	note    textinput.Model
	focus   int // 0 method, 1 outcome, 2 note
	busy    bool
	err     [2]string
	loaded  bool
	locked  bool
	rec     *localstore.Record
}

// startLoadedMsg carries the case and its record, if any.
type startLoadedMsg struct {
	caseID string
	c      localstore.Case
	rec    *localstore.Record
	err    error
}

// startDoneMsg is the outcome of saving the case header.
type startDoneMsg struct {
	caseID string
	rec    *localstore.Record
	err    error
}

func newStartScreen(c common, caseID string) *startScreen {
	return &startScreen{common: c, caseID: caseID, note: newInput(100)}
}

func (s *startScreen) Init() tea.Cmd {
	sess, id, f := s.env.Session, s.caseID, s.env.PersonForm
	return s.do(func() tea.Msg {
		c, err := sess.Case(id)
		if err != nil {
			return startLoadedMsg{caseID: id, err: err}
		}
		rec, err := sess.RecordFor(id, f.ID, f.Carries.From...)
		if errors.Is(err, localstore.ErrNotFound) {
			return startLoadedMsg{caseID: id, c: c}
		}
		return startLoadedMsg{caseID: id, c: c, rec: rec, err: err}
	})
}

func (s *startScreen) Title(lang string) string {
	if s.name == "" {
		return tr(lang, "start")
	}
	return tr(lang, "start") + " · " + s.name
}
func (s *startScreen) Typing() bool { return s.focus == 2 }
func (s *startScreen) ShortHelp() []key.Binding {
	k := s.env.Keys
	return []key.Binding{binding([]string{"1"}, "1-9", "key.choose"), k.NextField,
		binding([]string{"enter"}, "enter", "key.ok"), k.Back}
}

func (s *startScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *startScreen) interview() bool {
	return outcomes[s.outcome].code == localstore.OutcomeInterviewed
}

func (s *startScreen) fields() int {
	if s.interview() {
		return 2
	}
	return 3
}

func (s *startScreen) setFocus(i int) tea.Cmd {
	s.focus = (i + s.fields()) % s.fields()
	if s.focus == 2 {
		return s.note.Focus()
	}
	s.note.Blur()
	return nil
}

func (s *startScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case startLoadedMsg:
		if msg.caseID != s.caseID {
			return s, nil
		}
		s.loaded = true
		if msg.err != nil {
			s.err = loadErrText(msg.err)
			return s, nil
		}
		s.name = clean(msg.c.Row.Name)
		if r := msg.rec; r != nil {
			s.rec = r
			s.locked = r.Status.Locked()
			for i, m := range methods {
				if m.code == r.Method {
					s.method = i
				}
			}
			for i, o := range outcomes {
				if o.code == r.Outcome {
					s.outcome = i
				}
			}
			s.note.SetValue(r.OutcomeNote)
		}
		return s, nil
	case outcomeConfirmedMsg:
		return s, s.saveHeader(clean(s.note.Value()))
	case startDoneMsg:
		if msg.caseID != s.caseID {
			return s, nil
		}
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		return s, next(msg.rec)
	case tea.KeyPressMsg:
		if s.busy || !s.loaded {
			return s, nil
		}
		k := s.env.Keys
		switch {
		case key.Matches(msg, k.Back):
			return s, back
		case s.locked:
			return s, nil
		case msg.String() == "enter" && s.focus < s.fields()-1:
			// Enter walks method, outcome (and note) the same on every case, new or
			// under way, so a habit of keys does the same everywhere.
			return s, s.setFocus(s.focus + 1)
		case msg.String() == "enter" && s.resumable():
			// An interview under way goes on where it was, without saving the header again.
			return s, next(s.rec)
		case msg.String() == "enter":
			return s, s.save()
		case key.Matches(msg, k.NextField) && !(s.focus < 2 && msg.String() == "down"):
			return s, s.setFocus(s.focus + 1)
		case key.Matches(msg, k.PrevField) && !(s.focus < 2 && msg.String() == "up"):
			return s, s.setFocus(s.focus - 1)
		case s.focus < 2:
			s.choose(msg)
			return s, nil
		}
		var cmd tea.Cmd
		s.note, cmd = s.note.Update(msg)
		return s, cmd
	}
	return s, nil
}

// choose picks an option by its code digit, or moves with the arrows.
func (s *startScreen) choose(msg tea.KeyPressMsg) {
	list, cur := methods, &s.method
	if s.focus == 1 {
		list, cur = outcomes, &s.outcome
	}
	switch msg.String() {
	case "up", "left":
		*cur = max(0, *cur-1)
	case "down", "right":
		*cur = min(len(list)-1, *cur+1)
	default:
		for i, c := range list {
			if msg.Text == fmt.Sprint(c.code) {
				*cur = i
				if s.focus == 1 && !s.interview() {
					s.setFocus(2)
				}
			}
		}
	}
}

// outcomeConfirmedMsg is the enumerator's yes to closing the case without an interview.
type outcomeConfirmedMsg struct{}

func (s *startScreen) save() tea.Cmd {
	note := clean(s.note.Value())
	if !s.interview() && note == "" {
		s.err = both("needNote")
		return s.setFocus(2)
	}
	if !s.interview() {
		// Completed at once and sent for cancellation: only a leader can reopen it.
		o := outcomes[s.outcome]
		return showOverlay(newConfirm(s.common, both("confirmoutcome"),
			[2]string{fmt.Sprintf(tr("zh", "confirmoutcome.body"), s.name, o.zh, note), fmt.Sprintf(tr("en", "confirmoutcome.body"), s.name, o.en, note)},
			func() tea.Msg { return outcomeConfirmedMsg{} }))
	}
	return s.saveHeader("")
}

func (s *startScreen) saveHeader(note string) tea.Cmd {
	s.busy, s.err = true, [2]string{}
	sess, f, id := s.env.Session, s.env.PersonForm, s.caseID
	method, outcome := methods[s.method].code, outcomes[s.outcome].code
	return s.do(func() tea.Msg {
		r, err := sess.StartRecord(id, f.ID, f.Version, f.Carries.From...)
		if err == nil {
			r, err = sess.SetCaseHeader(r.ID, method, outcome, note)
		}
		if err == nil && outcome != localstore.OutcomeInterviewed {
			r, err = sess.Complete(r.ID)
		}
		return startDoneMsg{id, r, err}
	})
}

func (s *startScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	if !s.loaded {
		return st.Faint.Render(tr(lang, "loading"))
	}
	var lines []string
	list := func(field int, title string, options []choice, cur int) {
		head := "  "
		if s.focus == field {
			head = "▸ "
		}
		lines = append(lines, head+st.Section.Render(title))
		for i, c := range options {
			mark := "( )"
			if i == cur {
				mark = "(•)"
			}
			line := fmt.Sprintf("    %s %d %s", mark, c.code, c.label(lang))
			if i == cur && s.focus == field {
				line = st.Selected.Render(line)
			}
			lines = append(lines, textwidth.Truncate(line, width))
		}
	}
	list(0, tr(lang, "method"), methods, s.method)
	list(1, tr(lang, "outcome"), outcomes, s.outcome)
	if !s.interview() {
		head := "  "
		if s.focus == 2 {
			head = "▸ "
		}
		lines = append(lines, head+st.Section.Render(tr(lang, "note"))+" "+fieldView(s.note))
		lines = append(lines, "    "+st.Faint.Render(textwidth.Truncate(tr(lang, "noteHint"), width-4)))
	}
	lines = append(lines, "")
	switch {
	case s.locked:
		lines = append(lines, "  "+st.Warning.Render(textwidth.Truncate(tr(lang, "isLocked"), width-2)))
	case s.busy:
		lines = append(lines, "  "+st.Faint.Render(tr(lang, "saving")))
	case s.err[0] != "":
		for _, l := range textwidth.Wrap(s.err[langIndex(lang)], width-2) {
			lines = append(lines, "  "+st.Error.Render(l))
		}
	default:
		hint := "completeHint"
		if s.interview() {
			hint = "startHint"
		}
		for _, l := range textwidth.Wrap(tr(lang, hint), width-2) {
			lines = append(lines, "  "+st.Faint.Render(l))
		}
	}
	return strings.Join(lines, "\n")
}

// resumable reports whether the case has an interview under way, unchanged here.
func (s *startScreen) resumable() bool {
	r := s.rec
	return r != nil && r.Outcome == localstore.OutcomeInterviewed && s.interview() && methods[s.method].code == r.Method
}

// next is the step after the start for the record's state: the form, the read-back, the
// signatures or the photo; a case closed here goes back to its details.
func next(r *localstore.Record) tea.Cmd {
	p, ok := stepAfterStart(r)
	if !ok {
		return back
	}
	return replace(p)
}

// stepAfterStart is the page an interview under way goes on at; ok is false when the
// record is not an interview that can go on.
func stepAfterStart(r *localstore.Record) (p Page, ok bool) {
	if r == nil || r.Outcome != localstore.OutcomeInterviewed || r.Status.Locked() {
		return Page{}, false
	}
	p = Page{ID: r.CaseID, Kind: KindForm}
	switch r.Status {
	case localstore.StatusReadBack:
		p.Kind = KindSign // read back and agreed: the signatures are next
	case localstore.StatusSigned:
		p.Kind = KindPhoto
	}
	return p, true
}
