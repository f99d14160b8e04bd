package tui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// unlockScreen asks for the user code and passphrase. The key derivation takes about
// 0.3 s, so it runs in a command while the screen says so.
type unlockScreen struct {
	env   *Env
	codes []string
	code  textinput.Model
	pass  textinput.Model
	focus int // 0 code, 1 passphrase
	busy  bool
	err   string
}

// unlockResultMsg is the outcome of an unlock attempt.
type unlockResultMsg struct {
	session *localstore.Session
	err     error
}

func newUnlock(env *Env, codes []string) *unlockScreen {
	s := &unlockScreen{env: env, codes: codes, code: newInput(32), pass: newInput(256)}
	s.pass.EchoMode = textinput.EchoPassword
	if len(codes) == 1 {
		s.code.SetValue(codes[0])
		s.focus = 1
	}
	return s
}

func (s *unlockScreen) Init() tea.Cmd {
	if s.focus == 1 {
		return s.pass.Focus()
	}
	return s.code.Focus()
}

func (s *unlockScreen) Title(lang string) string {
	return tr(lang, "app") + " · " + tr(lang, "unlock")
}
func (s *unlockScreen) Typing() bool { return true }
func (s *unlockScreen) Keys() []key.Binding {
	k := s.env.Keys
	return []key.Binding{k.NextField, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "解锁|unlock"))}
}

func (s *unlockScreen) setFocus(i int) tea.Cmd {
	s.focus = i
	if i == 0 {
		s.pass.Blur()
		return s.code.Focus()
	}
	s.code.Blur()
	return s.pass.Focus()
}

func (s *unlockScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case unlockResultMsg:
		s.busy = false
		if msg.err != nil {
			s.err = unlockError(s.env.Lang, msg.err)
			s.pass.SetValue("")
			return s, nil
		}
		return s, func() tea.Msg { return unlockedMsg{msg.session} }
	case tea.KeyPressMsg:
		if s.busy {
			return s, nil // held while unlocking: nothing typed now is lost, it is ignored
		}
		k := s.env.Keys
		switch {
		case msg.String() == "enter" && s.focus == 0:
			return s, s.setFocus(1)
		case msg.String() == "enter":
			code := strings.TrimSpace(s.code.Value())
			if code == "" {
				return s, s.setFocus(0)
			}
			s.busy, s.err = true, ""
			db, pass := s.env.DB, s.pass.Value()
			return s, func() tea.Msg {
				sess, err := db.Unlock(code, pass)
				return unlockResultMsg{sess, err}
			}
		case key.Matches(msg, k.NextField), key.Matches(msg, k.PrevField):
			return s, s.setFocus(1 - s.focus)
		}
	}
	var cmd tea.Cmd
	if s.focus == 0 {
		s.code, cmd = s.code.Update(msg)
	} else {
		s.pass, cmd = s.pass.Update(msg)
	}
	return s, cmd
}

func unlockError(lang string, err error) string {
	switch {
	case errors.Is(err, localstore.ErrWrongPassphrase):
		return tr(lang, "wrongpass")
	case errors.Is(err, localstore.ErrTooManyTries):
		return tr(lang, "toomany") + "（" + strings.TrimPrefix(err.Error(), localstore.ErrTooManyTries.Error()+": ") + "）"
	}
	return tr(lang, "err") + cleantext.Line(err.Error())
}

func (s *unlockScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	field := func(i int, label string, in textinput.Model) string {
		mark := "  "
		if s.focus == i {
			mark = "▸ "
		}
		return mark + st.Label.Render(textwidth.Pad(label, 10)) + in.View()
	}
	lines := []string{"", field(0, tr(lang, "user"), s.code), field(1, tr(lang, "passphrase"), s.pass), ""}
	switch {
	case s.busy:
		lines = append(lines, "  "+st.Faint.Render(tr(lang, "unlocking")))
	case s.err != "":
		lines = append(lines, "  "+st.Error.Render(s.err))
	default:
		lines = append(lines, "")
	}
	if len(s.codes) > 0 {
		lines = append(lines, "", "  "+st.Faint.Render(tr(lang, "known")+colon(lang)+strings.Join(s.codes, "  ")))
	}
	if n := s.env.Notice[langIndex(lang)]; n != "" {
		lines = append(lines, "", "  "+st.OK.Render(textwidth.Truncate(cleantext.Line(n), width-4)))
	}
	return strings.Join(lines, "\n")
}
