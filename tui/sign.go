package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// signScreen takes the signatures: the respondent's, or a proxy's with their name and
// relation (shown and printed with “(代)”), drawn on a pad where the terminal has a
// mouse; then the enumerator's, by entering the passphrase again. Both bind the
// record's content hash (the store).
type signScreen struct {
	common
	caseID   string
	iv       interview
	loaded   bool
	proxy    bool
	name     textinput.Model
	relation textinput.Model
	pass     textinput.Model
	pad      sigPad
	padTop   int // the pad's first row in the window, set by View
	padLeft  int
	focus    signField
	busy     bool
	started  time.Time // of the passphrase check, for its progress bar
	err      [2]string
	keys     struct{ next, prev, clearPad, leave key.Binding }
}

type signField int

const (
	signWho signField = iota
	signName
	signRelation
	signPad
	signPass
)

// signedMsg is the store's word on the signatures.
type signedMsg struct{ err error }

// padRows is the pad's height in cells: 24 braille dots, room for a name in Chinese
// characters written by hand.
const padRows = 6

func newSignScreen(c common, caseID string) *signScreen {
	s := &signScreen{common: c, caseID: caseID, name: newInput(50), relation: newInput(20), pass: newInput(200)}
	s.pass.EchoMode = textinput.EchoPassword
	s.keys.next = binding([]string{"enter", "tab"}, "enter", "key.next")
	s.keys.prev = binding([]string{"shift+tab"}, "S-tab", "key.prevfield")
	s.keys.clearPad = binding([]string{"f8"}, "F8", "key.clearpad")
	s.keys.leave = binding([]string{"esc"}, "esc", "key.pause")
	s.pad.h = padRows
	return s
}

func (s *signScreen) Init() tea.Cmd {
	return loadInterviewCmd(s.common, s.caseID)
}

func (s *signScreen) Title(lang string) string {
	return titled(lang, "signatures", s.iv.name)
}

func (s *signScreen) Typing() bool {
	return s.focus == signName || s.focus == signRelation || s.focus == signPass
}

// WantsMouse turns the terminal's mouse reporting on while this screen shows: the pad.
func (s *signScreen) WantsMouse() bool { return true }

func (s *signScreen) ShortHelp() []key.Binding {
	keys := []key.Binding{}
	if s.focus == signWho {
		keys = append(keys, binding([]string{"1"}, "1/2", "key.choose"))
	}
	return append(keys, s.keys.next, s.keys.prev, s.keys.clearPad, s.keys.leave)
}

func (s *signScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *signScreen) fields() []signField {
	if s.proxy {
		return []signField{signWho, signName, signRelation, signPad, signPass}
	}
	return []signField{signWho, signName, signPad, signPass}
}

func (s *signScreen) setFocus(f signField) tea.Cmd {
	s.focus = f
	s.name.Blur()
	s.relation.Blur()
	s.pass.Blur()
	switch f {
	case signName:
		return s.name.Focus()
	case signRelation:
		return s.relation.Focus()
	case signPass:
		return s.pass.Focus()
	}
	return nil
}

func (s *signScreen) step(d int) tea.Cmd {
	fs := s.fields()
	for i, f := range fs {
		if f == s.focus {
			return s.setFocus(fs[min(max(0, i+d), len(fs)-1)])
		}
	}
	return s.setFocus(signWho)
}

func (s *signScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case interviewLoadedMsg:
		s.loaded = true
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.iv = msg.iv
		s.name.SetValue(s.iv.name)
		// Signing again (a returned record, an answer changed after signing): the one
		// who signed before is offered, a proxy as a proxy, until changed here.
		for i := len(s.iv.rec.Signatures) - 1; i >= 0; i-- {
			sig := s.iv.rec.Signatures[i]
			if sig.Role == localstore.SignerProxy || sig.Role == localstore.SignerRespondent {
				s.proxy = sig.Role == localstore.SignerProxy
				s.name.SetValue(clean(sig.Name))
				s.relation.SetValue(clean(sig.Relation))
				break
			}
		}
		return s, nil
	case kdfTickMsg:
		if s.busy {
			return s, s.after(kdfTick, kdfTickMsg{})
		}
		return s, nil
	case signedMsg:
		s.busy = false
		s.pass.SetValue("")
		if msg.err != nil {
			if errors.Is(msg.err, localstore.ErrWrongPassphrase) {
				s.err = both("wrongpassonly")
			} else {
				s.err = errText(msg.err)
			}
			return s, s.setFocus(signPass)
		}
		return s, replace(Page{Kind: KindPhoto, ID: s.caseID})
	case tea.MouseClickMsg:
		m := msg.Mouse()
		s.pad.press(m.X-s.padLeft, m.Y-s.padTop)
		if s.pad.drawing {
			s.focus = signPad
			s.name.Blur()
			s.relation.Blur()
			s.pass.Blur()
		}
	case tea.MouseMotionMsg:
		m := msg.Mouse()
		s.pad.drag(m.X-s.padLeft, m.Y-s.padTop)
	case tea.MouseReleaseMsg:
		s.pad.release()
	case tea.PasteMsg:
		return s, s.typeInto(msg)
	case tea.KeyPressMsg:
		if !s.loaded || s.busy || s.iv.rec == nil {
			if key.Matches(msg, s.keys.leave) {
				return s, back
			}
			return s, nil
		}
		return s, s.key(msg)
	}
	return s, nil
}

func (s *signScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, s.keys.leave):
		return back
	case key.Matches(msg, s.keys.clearPad):
		s.pad.clear()
		return nil
	case key.Matches(msg, s.keys.prev):
		return s.step(-1)
	case key.Matches(msg, s.keys.next):
		s.err = [2]string{}
		if s.focus == signPass {
			return s.sign()
		}
		return s.step(1)
	}
	if s.focus == signWho {
		switch msg.String() {
		case "1", "up":
			s.setProxy(false)
		case "2", "down":
			s.setProxy(true)
		}
		return nil
	}
	if s.focus == signPad && (msg.String() == "backspace" || msg.String() == "delete") {
		s.pad.clear()
		return nil
	}
	return s.typeInto(msg)
}

func (s *signScreen) typeInto(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch s.focus {
	case signName:
		s.name, cmd = s.name.Update(msg)
	case signRelation:
		s.relation, cmd = s.relation.Update(msg)
	case signPass:
		s.pass, cmd = s.pass.Update(msg)
	}
	return cmd
}

// setProxy switches who signs; the name field follows: the respondent's own name, or
// empty for the proxy's.
func (s *signScreen) setProxy(proxy bool) {
	if s.proxy == proxy {
		return
	}
	s.proxy = proxy
	if proxy && s.name.Value() == s.iv.name {
		s.name.SetValue("")
	}
	if !proxy && s.name.Value() == "" {
		s.name.SetValue(s.iv.name)
	}
}

func (s *signScreen) sign() tea.Cmd {
	name := strings.TrimSpace(clean(s.name.Value()))
	relation := strings.TrimSpace(clean(s.relation.Value()))
	switch {
	case name == "":
		s.err = both("need.signer")
		return s.setFocus(signName)
	case s.proxy && relation == "":
		s.err = both("need.relation")
		return s.setFocus(signRelation)
	case s.pass.Value() == "":
		s.err = both("need.enumpass")
		return nil
	}
	sig := localstore.Signature{Role: localstore.SignerRespondent, Name: name, Strokes: s.pad.strokes}
	if s.proxy {
		sig.Role, sig.Relation = localstore.SignerProxy, relation
	}
	s.busy, s.started = true, s.env.Now()
	sess, db, pass, rid := s.env.Session, s.env.DB, s.pass.Value(), s.iv.rec.ID
	user := sess.User()
	return tea.Batch(s.after(kdfTick, kdfTickMsg{}), s.do(func() tea.Msg {
		// The enumerator signs by proving who they are again, at the door.
		if _, err := db.Unlock(user.Code, pass); err != nil {
			return signedMsg{err}
		}
		if _, err := sess.Sign(rid, sig); err != nil {
			return signedMsg{err}
		}
		_, err := sess.Sign(rid, localstore.Signature{Role: localstore.SignerEnumerator, Name: user.Name})
		return signedMsg{err}
	}))
}

func (s *signScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	if !s.loaded {
		return st.Faint.Render(tr(lang, "loading"))
	}
	if s.iv.rec == nil {
		return strings.Join(textwidth.Wrap(s.err[li], width), "\n")
	}
	var lines []string
	mark := func(f signField) string {
		if s.focus == f {
			return "▸ "
		}
		return "  "
	}
	labelW := 0
	for _, k := range []string{"signer", "signername", "proxyname", "relation", "enumpass"} {
		labelW = max(labelW, textwidth.Width(tr(lang, k))+2)
	}
	label := func(k string) string { return st.Label.Render(textwidth.PadRight(tr(lang, k), labelW)) }

	lines = append(lines, "")
	who := []string{fmt.Sprintf("(%s) 1 %s", dot(!s.proxy), tr(lang, "self")), fmt.Sprintf("(%s) 2 %s", dot(s.proxy), tr(lang, "proxy"))}
	lines = append(lines, mark(signWho)+label("signer")+who[0]+"   "+who[1])
	s.name.SetWidth(max(10, width-labelW-8))
	if s.proxy {
		lines = append(lines, mark(signName)+label("proxyname")+fieldView(s.name))
		shown := localstore.Signature{Role: localstore.SignerProxy, Name: strings.TrimSpace(clean(s.name.Value()))}.DisplayName()
		lines = append(lines, "  "+strings.Repeat(" ", labelW)+st.Warning.Render(textwidth.Truncate(fmt.Sprintf(tr(lang, "shownas"), shown), width-labelW-4)))
	} else {
		lines = append(lines, mark(signName)+label("signername")+fieldView(s.name))
	}
	if s.proxy {
		s.relation.SetWidth(max(10, width-labelW-8))
		lines = append(lines, mark(signRelation)+label("relation")+fieldView(s.relation))
		lines = append(lines, "  "+strings.Repeat(" ", labelW)+st.Faint.Render(textwidth.Truncate(tr(lang, "relationhint"), width-labelW-4)))
	}
	lines = append(lines, "", mark(signPad)+st.Label.Render(textwidth.Truncate(tr(lang, "padhint"), width-4)))
	var below []string
	s.pass.SetWidth(max(10, width-labelW-8))
	below = append(below, "", mark(signPass)+label("enumpass")+fieldView(s.pass), "")
	switch {
	case s.busy:
		below = append(below, "  "+st.Faint.Render(tr(lang, "signing")+" "+kdfProgress(s.env.Now().Sub(s.started), s.env.DB.KDFEstimate())))
	case s.err[li] != "":
		below = append(below, "  "+st.Error.Render(textwidth.Truncate(s.err[li], width-4)))
	default:
		for _, l := range textwidth.Wrap(fmt.Sprintf(tr(lang, "signhint"), clean(s.env.Session.User().Name)), width-4) {
			below = append(below, "  "+st.Faint.Render(l))
		}
	}
	// The pad takes the room left, up to padRows: at 80×24 with a proxy it has 4.
	s.pad.w = max(20, min(60, width-8))
	s.pad.h = min(padRows, max(2, height-len(lines)-len(below)-2))
	s.padLeft = 4
	lines = append(lines, "  "+st.Faint.Render("┌"+strings.Repeat("─", s.pad.w)+"┐"))
	// The window's first line is the title: the pad's rows start one further down.
	s.padTop = 1 + len(lines)
	for _, row := range s.pad.lines() {
		lines = append(lines, "  "+st.Faint.Render("│")+row+st.Faint.Render("│"))
	}
	lines = append(lines, "  "+st.Faint.Render("└"+strings.Repeat("─", s.pad.w)+"┘"))
	return strings.Join(append(lines, below...), "\n")
}

func dot(on bool) string {
	if on {
		return "•"
	}
	return " "
}
