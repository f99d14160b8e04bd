package tui

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// setupScreen creates the first user of a new data file and opens a session for it;
// with adding set, it is a team leader adding another user to the laptop, with the
// villages the user works in.
type setupScreen struct {
	common
	adding  bool
	inputs  [5]textinput.Model // name, code, passphrase, again, villages
	leader  bool
	focus   int // a setupField
	busy    bool
	err     string // a text key, or "!" for the store's failure
	failure [2]string
	submit  key.Binding
}

// The fields of the setup screen, in order.
const (
	fieldName = iota
	fieldCode
	fieldRole
	fieldPass
	fieldAgain
	fieldVillages // adding only
	setupFields
)

// userCodeRE is the store's rule for user codes, checked here to say what is wrong in
// the person's language before the store refuses it.
var userCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

func newSetup(c common) *setupScreen {
	// The first user is usually the team leader, who can then add the others.
	s := &setupScreen{common: c, leader: true, submit: binding([]string{"enter"}, "enter", "key.ok")}
	for i := range s.inputs {
		s.inputs[i] = newInput(64)
	}
	s.inputs[1].CharLimit = 32
	s.inputs[2].EchoMode = textinput.EchoPassword
	s.inputs[3].EchoMode = textinput.EchoPassword
	s.inputs[4].CharLimit = 400
	return s
}

// newAddUser is the screen on which a team leader adds a user; villages are the
// roster's, offered as a hint.
func newAddUser(c common) *setupScreen {
	s := newSetup(c)
	s.adding, s.leader = true, false
	return s
}

// fields is how many fields the screen has.
func (s *setupScreen) fields() int {
	if s.adding {
		return setupFields
	}
	return setupFields - 1
}

// input maps a field to its text input; the role has none.
func (s *setupScreen) input(field int) *textinput.Model {
	switch field {
	case fieldName, fieldCode:
		return &s.inputs[field]
	case fieldPass, fieldAgain, fieldVillages:
		return &s.inputs[field-1]
	}
	return nil
}

func (s *setupScreen) Init() tea.Cmd { return s.inputs[0].Focus() }
func (s *setupScreen) Title(lang string) string {
	if s.adding {
		return tr(lang, "adduser")
	}
	return tr(lang, "setup")
}
func (s *setupScreen) Typing() bool { return s.focus != fieldRole }

func (s *setupScreen) ShortHelp() []key.Binding {
	k := s.env.Keys
	toggle := k.Toggle
	toggle.SetEnabled(s.focus == fieldRole)
	keys := []key.Binding{k.NextField, toggle, s.submit}
	if s.adding {
		keys = append(keys, k.Back)
	}
	return keys
}

func (s *setupScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *setupScreen) setFocus(i int) tea.Cmd {
	if in := s.input(s.focus); in != nil {
		in.Blur()
	}
	s.focus = (i + s.fields()) % s.fields()
	if in := s.input(s.focus); in != nil {
		return in.Focus()
	}
	return nil
}

// setupResultMsg is the outcome of creating the first user.
type setupResultMsg struct {
	session *localstore.Session
	err     error
}

func (s *setupScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case setupResultMsg:
		s.busy = false
		if msg.err != nil {
			s.err, s.failure = "!", loadErrText(msg.err)
			return s, nil
		}
		if s.adding {
			return s, back
		}
		// A new laptop has no roster yet: its import is the next step.
		return s, func() tea.Msg { return unlockedMsg{msg.session, &Page{Kind: KindImport}} }
	case tea.KeyPressMsg:
		if s.busy {
			return s, nil
		}
		k := s.env.Keys
		switch {
		case s.focus == fieldRole && key.Matches(msg, k.Toggle):
			s.leader = !s.leader
			return s, nil
		case s.adding && key.Matches(msg, k.Back):
			return s, back
		case key.Matches(msg, s.submit) && s.focus < s.fields()-1:
			return s, s.setFocus(s.focus + 1)
		case key.Matches(msg, s.submit):
			return s, s.create()
		case key.Matches(msg, k.NextField):
			return s, s.setFocus(s.focus + 1)
		case key.Matches(msg, k.PrevField):
			return s, s.setFocus(s.focus - 1)
		}
	}
	if in := s.input(s.focus); in != nil {
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		return s, cmd
	}
	return s, nil
}

// check says what is wrong with the fields, as a text key and the field to fix.
func (s *setupScreen) check() (string, int) {
	switch {
	case clean(s.inputs[0].Value()) == "":
		return "need.name", fieldName
	case !userCodeRE.MatchString(strings.TrimSpace(s.inputs[1].Value())):
		return "need.code", fieldCode
	case utf8.RuneCountInString(s.inputs[2].Value()) < localstore.MinPassphraseLength:
		return "need.pass", fieldPass
	case s.inputs[2].Value() != s.inputs[3].Value():
		return "passmismatch", fieldAgain
	}
	return "", 0
}

func (s *setupScreen) create() tea.Cmd {
	if problem, field := s.check(); problem != "" {
		s.err = problem
		if field == fieldAgain {
			s.inputs[3].SetValue("")
		}
		return s.setFocus(field)
	}
	role := localstore.RoleEnumerator
	if s.leader {
		role = localstore.RoleLeader
	}
	u := localstore.User{Name: clean(s.inputs[0].Value()), Code: strings.TrimSpace(s.inputs[1].Value()), Role: role}
	s.busy, s.err = true, ""
	db, pass := s.env.DB, s.inputs[2].Value()
	if s.adding {
		u.Villages = strings.FieldsFunc(clean(s.inputs[4].Value()), func(r rune) bool {
			return r == ',' || r == '，' || r == '、' || r == ' ' || r == '　'
		})
		u.Team = s.env.Session.User().Team
		sess := s.env.Session
		return s.do(func() tea.Msg { return setupResultMsg{nil, sess.AddUser(u, pass)} })
	}
	return s.do(func() tea.Msg {
		sess, err := db.Setup(u, pass)
		return setupResultMsg{sess, err}
	})
}

func (s *setupScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	labelW := 0
	for _, k := range []string{"name", "user", "role", "passphrase", "again", "villages"} {
		labelW = max(labelW, textwidth.Width(tr(lang, k))+2)
	}
	row := func(field int, label, value string) string {
		mark := "  "
		if s.focus == field {
			mark = "▸ "
		}
		return "  " + mark + st.Label.Render(textwidth.PadRight(label, labelW)) + value
	}
	role := "( ) " + tr(lang, "enumerator") + "   (•) " + tr(lang, "leader")
	if !s.leader {
		role = "(•) " + tr(lang, "enumerator") + "   ( ) " + tr(lang, "leader")
	}
	hint := tr(lang, "setuphint")
	if s.adding {
		hint = tr(lang, "adduserhint")
	}
	lines := []string{""}
	for _, l := range textwidth.Wrap(hint, width-4) {
		lines = append(lines, "  "+st.Faint.Render(l))
	}
	lines = append(lines, "",
		row(fieldName, tr(lang, "name"), fieldView(s.inputs[0])),
		row(fieldCode, tr(lang, "user"), fieldView(s.inputs[1])),
		row(fieldRole, tr(lang, "role"), role),
		row(fieldPass, tr(lang, "passphrase"), fieldView(s.inputs[2])),
		row(fieldAgain, tr(lang, "again"), fieldView(s.inputs[3])))
	if s.adding {
		s.inputs[4].SetWidth(max(10, width-labelW-8))
		lines = append(lines, row(fieldVillages, tr(lang, "villages"), fieldView(s.inputs[4])),
			"    "+strings.Repeat(" ", labelW)+st.Faint.Render(textwidth.Truncate(tr(lang, "villageshint"), width-labelW-6)))
	}
	lines = append(lines, "")
	msg := ""
	switch {
	case s.busy:
		lines = append(lines, "    "+st.Faint.Render(tr(lang, "creating")))
	case s.err == "!":
		msg = s.failure[langIndex(lang)]
	case s.err == "need.pass":
		msg = fmt.Sprintf(tr(lang, s.err), localstore.MinPassphraseLength)
	case s.err != "":
		msg = tr(lang, s.err)
	}
	if msg != "" {
		for _, l := range textwidth.Wrap(msg, width-4) {
			lines = append(lines, "    "+st.Error.Render(l))
		}
	}
	return strings.Join(lines, "\n")
}
