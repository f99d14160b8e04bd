package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// unlockScreen asks for the user code and passphrase. The code is typed or chosen
// from the users of this laptop with ↑↓. The key derivation takes a fraction of a
// second, so it runs in a command while the screen shows its progress.
type unlockScreen struct {
	common
	codes []string
	code  textinput.Model
	pass  textinput.Model
	focus int // 0 code, 1 passphrase
	busy  bool
	// started is when the passphrase check began, for its progress bar.
	started time.Time
	idle    bool // locked for lack of use: say so
	err     string
	// failure is the store's failure in both languages, when err is "!".
	failure [2]string
	// waitUntil is when the store takes another try after too many wrong ones.
	waitUntil time.Time
	submit    key.Binding
	choose    key.Binding
}

// unlockResultMsg is the outcome of an unlock attempt.
type unlockResultMsg struct {
	session *localstore.Session
	err     error
}

// waitTickMsg counts down the wait after too many wrong passphrases.
type waitTickMsg struct{}

// newUnlock makes the unlock screen; user, when set, is filled in (the user who was
// locked out); idle says the lock came from lack of use.
func newUnlock(c common, codes []string, user string, idle bool) *unlockScreen {
	s := &unlockScreen{common: c, codes: codes, code: newInput(32), pass: newInput(256), idle: idle,
		submit: binding([]string{"enter"}, "enter", "key.unlock"),
		choose: binding([]string{"up", "down"}, "↑↓", "key.user")}
	s.pass.EchoMode = textinput.EchoPassword
	if user == "" && len(codes) == 1 {
		user = codes[0]
	}
	if user != "" {
		s.code.SetValue(user)
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
	return tr(lang, "unlock")
}

func (s *unlockScreen) Typing() bool { return true }

func (s *unlockScreen) ShortHelp() []key.Binding {
	choose := s.choose
	choose.SetEnabled(s.focus == 0 && len(s.codes) > 1)
	return []key.Binding{s.env.Keys.NextField, choose, s.submit}
}

func (s *unlockScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

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
			s.pass.SetValue("")
			return s, s.failed(msg.err)
		}
		return s, func() tea.Msg { return unlockedMsg{msg.session, nil} }
	case kdfTickMsg:
		if s.busy {
			return s, s.after(kdfTick, kdfTickMsg{})
		}
		return s, nil
	case waitTickMsg:
		if s.waiting() {
			return s, s.after(time.Second, waitTickMsg{})
		}
		s.err = ""
		return s, nil
	case tea.KeyPressMsg:
		if s.busy {
			return s, nil // the passphrase is being checked; keys now would be lost anyway
		}
		k := s.env.Keys
		switch {
		case key.Matches(msg, s.submit) && s.focus == 0:
			return s, s.setFocus(1)
		case key.Matches(msg, s.submit):
			return s, s.try()
		case s.focus == 0 && len(s.codes) > 1 && key.Matches(msg, s.choose):
			s.chooseUser(msg.String() == "down")
			return s, nil
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

// chooseUser puts the next (or previous) known user code in the field.
func (s *unlockScreen) chooseUser(next bool) {
	i := slices.Index(s.codes, strings.TrimSpace(s.code.Value()))
	switch {
	case i < 0:
		i = 0
	case next:
		i = (i + 1) % len(s.codes)
	default:
		i = (i - 1 + len(s.codes)) % len(s.codes)
	}
	s.code.SetValue(s.codes[i])
	s.code.CursorEnd()
}

func (s *unlockScreen) waiting() bool { return s.env.Now().Before(s.waitUntil) }

// try unlocks in a command: the key derivation must not hold up the screen.
func (s *unlockScreen) try() tea.Cmd {
	code := strings.TrimSpace(s.code.Value())
	if code == "" {
		return s.setFocus(0)
	}
	if s.waiting() {
		return nil
	}
	s.busy, s.err, s.idle, s.started = true, "", false, s.env.Now()
	db, pass := s.env.DB, s.pass.Value()
	return tea.Batch(s.do(func() tea.Msg {
		sess, err := db.Unlock(code, pass)
		return unlockResultMsg{sess, err}
	}), s.after(kdfTick, kdfTickMsg{}))
}

func (s *unlockScreen) failed(err error) tea.Cmd {
	switch {
	case errors.Is(err, localstore.ErrWrongPassphrase):
		s.err = "wrongpass"
	case errors.Is(err, localstore.ErrTooManyTries):
		s.err = "toomany"
		var we *localstore.WaitError
		if errors.As(err, &we) {
			s.waitUntil = s.env.Now().Add(we.Wait)
			return s.after(time.Second, waitTickMsg{})
		}
	default:
		s.err, s.failure = "!", loadErrText(err)
	}
	return nil
}

func (s *unlockScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	labelW := max(textwidth.Width(tr("zh", "user")), textwidth.Width(tr("en", "passphrase"))) + 2
	field := func(i int, label string, in textinput.Model) string {
		mark := "  "
		if s.focus == i {
			mark = "▸ "
		}
		return "  " + mark + st.Label.Render(textwidth.PadRight(label, labelW)) + fieldView(in)
	}
	lines := []string{""}
	if s.idle {
		lines = append(lines, "  "+st.Warning.Render(textwidth.Truncate(
			fmt.Sprintf(tr(lang, "idlelocked"), int(s.env.LockAfter.Minutes())), width-2)), "")
	} else {
		lines = append(lines, "  "+st.Faint.Render(textwidth.Truncate(tr(lang, "unlockhint"), width-2)), "")
	}
	lines = append(lines, field(0, tr(lang, "user"), s.code), field(1, tr(lang, "passphrase"), s.pass), "")
	switch {
	case s.busy:
		lines = append(lines, "    "+st.Faint.Render(tr(lang, "unlocking")+" "+kdfProgress(s.env.Now().Sub(s.started), s.env.DB.KDFEstimate())))
	case s.err == "toomany" && s.waiting():
		left := int(s.waitUntil.Sub(s.env.Now()).Seconds() + 0.999)
		lines = append(lines, "    "+st.Error.Render(textwidth.Truncate(fmt.Sprintf(tr(lang, "toomany.wait"), left), width-4)))
	case s.err == "toomany":
		lines = append(lines, "    "+st.Error.Render(textwidth.Truncate(tr(lang, "toomany"), width-4)))
	case s.err == "!":
		for _, l := range textwidth.Wrap(s.failure[langIndex(lang)], width-4) {
			lines = append(lines, "    "+st.Error.Render(l))
		}
	case s.err != "":
		lines = append(lines, "    "+st.Error.Render(tr(lang, s.err)))
	default:
		lines = append(lines, "")
	}
	if len(s.codes) > 0 {
		var users []string
		for _, c := range s.codes {
			c = clean(c)
			if c == strings.TrimSpace(s.code.Value()) {
				c = st.Selected.Render(" " + c + " ")
			} else {
				c = " " + c + " "
			}
			users = append(users, c)
		}
		lines = append(lines, "", "  "+st.Faint.Render(tr(lang, "known")+colon(lang))+strings.Join(users, " "))
	}
	if n := s.env.Notice[langIndex(lang)]; n != "" {
		lines = append(lines, "")
		for _, l := range textwidth.Wrap(clean(n), width-4) {
			lines = append(lines, "  "+st.OK.Render(l))
		}
	}
	return strings.Join(lines, "\n")
}
