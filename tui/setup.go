package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// setupScreen creates the first user of a new data file.
type setupScreen struct {
	env    *Env
	inputs [4]textinput.Model // name, code, passphrase, again
	leader bool
	focus  int // 0 name, 1 code, 2 role, 3 passphrase, 4 again
	busy   bool
	err    string
}

const setupFields = 5

func newSetup(env *Env) *setupScreen {
	s := &setupScreen{env: env, leader: true}
	for i := range s.inputs {
		s.inputs[i] = newInput(64)
	}
	s.inputs[2].EchoMode = textinput.EchoPassword
	s.inputs[3].EchoMode = textinput.EchoPassword
	return s
}

// input maps a field to its text input; the role (field 2) has none.
func (s *setupScreen) input(field int) *textinput.Model {
	switch field {
	case 0, 1:
		return &s.inputs[field]
	case 3, 4:
		return &s.inputs[field-1]
	}
	return nil
}

func (s *setupScreen) Init() tea.Cmd            { return s.inputs[0].Focus() }
func (s *setupScreen) Title(lang string) string { return tr(lang, "app") + " · " + tr(lang, "setup") }
func (s *setupScreen) Typing() bool             { return s.focus != 2 }
func (s *setupScreen) Keys() []key.Binding {
	k := s.env.Keys
	keys := []key.Binding{k.NextField}
	if s.focus == 2 {
		keys = append(keys, k.Toggle)
	}
	return append(keys, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "确定|ok")))
}

func (s *setupScreen) setFocus(i int) tea.Cmd {
	if in := s.input(s.focus); in != nil {
		in.Blur()
	}
	s.focus = (i + setupFields) % setupFields
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
			s.err = tr(s.env.Lang, "err") + cleantext.Line(msg.err.Error())
			return s, nil
		}
		return s, func() tea.Msg { return unlockedMsg{msg.session} }
	case tea.KeyPressMsg:
		if s.busy {
			return s, nil
		}
		k := s.env.Keys
		switch {
		case s.focus == 2 && key.Matches(msg, k.Toggle):
			s.leader = !s.leader
			return s, nil
		case msg.String() == "enter" && s.focus < setupFields-1:
			return s, s.setFocus(s.focus + 1)
		case msg.String() == "enter":
			return s, s.submit()
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

func (s *setupScreen) submit() tea.Cmd {
	lang := s.env.Lang
	if s.inputs[2].Value() != s.inputs[3].Value() {
		s.err = tr(lang, "passmismatch")
		s.inputs[3].SetValue("")
		return s.setFocus(4)
	}
	role := localstore.RoleEnumerator
	if s.leader {
		role = localstore.RoleLeader
	}
	u := localstore.User{Name: cleantext.Line(s.inputs[0].Value()), Code: strings.TrimSpace(s.inputs[1].Value()), Role: role}
	s.busy, s.err = true, ""
	db, pass := s.env.DB, s.inputs[2].Value()
	return func() tea.Msg {
		sess, err := db.Setup(u, pass)
		return setupResultMsg{sess, err}
	}
}

func (s *setupScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	row := func(field int, label, value string) string {
		mark := "  "
		if s.focus == field {
			mark = "▸ "
		}
		return mark + st.Label.Render(textwidth.Pad(label, 16)) + value
	}
	role := "( ) " + tr(lang, "enumerator") + "   (•) " + tr(lang, "leader")
	if !s.leader {
		role = "(•) " + tr(lang, "enumerator") + "   ( ) " + tr(lang, "leader")
	}
	lines := []string{"",
		row(0, tr(lang, "name"), s.inputs[0].View()),
		row(1, tr(lang, "user"), s.inputs[1].View()),
		row(2, tr(lang, "role"), role),
		row(3, tr(lang, "passphrase"), s.inputs[2].View()),
		row(4, tr(lang, "again"), s.inputs[3].View()),
		""}
	switch {
	case s.busy:
		lines = append(lines, "  "+st.Faint.Render(tr(lang, "creating")))
	case s.err != "":
		for _, l := range textwidth.Wrap(s.err, width-4) {
			lines = append(lines, "  "+st.Error.Render(l))
		}
	}
	return strings.Join(lines, "\n")
}
