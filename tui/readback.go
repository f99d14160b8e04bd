package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// readBackScreen is the read-back (宣读): every relevant answer as a sentence, one
// section at a time, in a calm layout for reading aloud. The enumerator marks each
// section agreed, or opens a question to correct it and comes back here.
type readBackScreen struct {
	common
	caseID  string
	iv      interview
	loaded  bool
	err     [2]string
	section int // the section shown
	line    int // the sentence selected, for a correction
	busy    bool
	// complete is false when the form has something missing or wrong: the read-back
	// waits for the form.
	complete bool
	keys     struct{ confirm, fix, prev, next, leave key.Binding }
	// speech: s speaks the selected sentence, a the section; v turns the read-back
	// toward the respondent (speak.go, respondent.go).
	talk      talker
	speakKeys struct{ one, all, view key.Binding }
}

// sectionConfirmedMsg is the store's word on a section agreed; done is set when it was
// the last and the record is marked read back.
type sectionConfirmedMsg struct {
	rec  *localstore.Record
	done bool
	err  error
}

func newReadBack(c common, caseID string) *readBackScreen {
	s := &readBackScreen{common: c, caseID: caseID}
	s.keys.confirm = binding([]string{"enter"}, "enter", "key.agree")
	s.keys.fix = binding([]string{"f4"}, "F4", "key.fix")
	s.keys.prev = binding([]string{"pgup", "left"}, "←→", "key.section")
	s.keys.next = binding([]string{"pgdown", "right"}, "", "")
	s.keys.leave = binding([]string{"esc"}, "esc", "key.pause")
	s.speakKeys.one = binding([]string{"s"}, "s/a", "key.speak2")
	s.speakKeys.all = binding([]string{"a"}, "", "")
	s.speakKeys.view = binding([]string{"v"}, "v", "key.respview")
	return s
}

func (s *readBackScreen) Init() tea.Cmd {
	return loadInterviewCmd(s.common, s.caseID)
}

// Refresh reloads the record after a correction.
func (s *readBackScreen) Refresh() tea.Cmd { return s.Init() }

func (s *readBackScreen) Title(lang string) string {
	return titled(lang, "readback", s.iv.name)
}

func (s *readBackScreen) Typing() bool { return false }

func (s *readBackScreen) ShortHelp() []key.Binding {
	k := s.keys
	sk := s.speakKeys
	return []key.Binding{k.confirm, s.env.Keys.Up, k.fix, k.prev, sk.one, sk.all, sk.view, k.leave}
}

func (s *readBackScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// sections is the read-back in the screen's language, computed from the answers in
// memory (12 µs for the person form).
func (s *readBackScreen) sections() []forms.ReadBackSection {
	return s.iv.form.ReadBack(s.iv.answers, s.iv.ctx, s.env.Lang)
}

func (s *readBackScreen) confirmed(id string) bool { return slices.Contains(s.iv.rec.Confirmed, id) }

func (s *readBackScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case interviewLoadedMsg:
		s.loaded, s.busy = true, false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.iv = msg.iv
		s.complete = s.iv.form.Evaluate(s.iv.answers, s.iv.ctx).Complete
		// Open at the first section not yet agreed.
		secs := s.sections()
		s.section = min(s.section, max(0, len(secs)-1))
		if s.line == 0 {
			for i, sec := range secs {
				if !s.confirmed(sec.ID) {
					s.section = i
					break
				}
			}
		}
		return s, nil
	case sectionConfirmedMsg:
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.iv.rec = msg.rec
		if msg.done {
			return s, replace(Page{Kind: KindSign, ID: s.caseID})
		}
		secs := s.sections()
		for i := range secs {
			j := (s.section + 1 + i) % len(secs)
			if !s.confirmed(secs[j].ID) {
				s.section, s.line = j, 0
				break
			}
		}
		return s, nil
	case spokenMsg:
		s.err = s.talk.done(msg)
		return s, nil
	case tea.KeyPressMsg:
		if cmd, ok := s.speechKey(msg); ok {
			return s, cmd
		}
		s.talk.quiet() // any other key moves on: the voice stops
		return s, s.key(msg)
	}
	return s, nil
}

// speechKey handles the keys that speak or show the read-back to the respondent.
func (s *readBackScreen) speechKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := s.speakKeys
	if !s.loaded || !s.complete || s.iv.rec == nil {
		return nil, false
	}
	secs := s.sections()
	if len(secs) == 0 {
		return nil, false
	}
	sec := secs[s.section]
	switch {
	case key.Matches(msg, k.one):
		return s.talk.say(s.common, clean(sec.Lines[s.line].Text), s.env.Lang), true
	case key.Matches(msg, k.all):
		return s.talk.say(s.common, sectionSpeech(sec, s.env.Lang), s.env.Lang), true
	case key.Matches(msg, k.view):
		s.talk.quiet()
		return navigate(Page{Kind: KindRespondent, ID: s.caseID, At: sec.Lines[s.line].Question}), true
	}
	return nil, false
}

func (s *readBackScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	if key.Matches(msg, k.leave) {
		return back
	}
	if !s.loaded || s.busy || s.iv.rec == nil {
		return nil
	}
	if !s.complete {
		if msg.String() == "enter" {
			return replace(Page{Kind: KindForm, ID: s.caseID})
		}
		return nil
	}
	secs := s.sections()
	if len(secs) == 0 {
		return nil
	}
	sec := secs[s.section]
	switch {
	case key.Matches(msg, k.confirm):
		return s.confirm(sec.ID, secs)
	case key.Matches(msg, s.env.Keys.Up):
		s.line = max(0, s.line-1)
	case key.Matches(msg, s.env.Keys.Down):
		s.line = min(len(sec.Lines)-1, s.line+1)
	case key.Matches(msg, k.prev):
		s.section, s.line = max(0, s.section-1), 0
	case key.Matches(msg, k.next):
		s.section, s.line = min(len(secs)-1, s.section+1), 0
	case key.Matches(msg, k.fix):
		return navigate(Page{Kind: KindForm, ID: s.caseID, At: sec.Lines[s.line].Question, Fix: true})
	}
	return nil
}

// confirm marks the section agreed; the last one marks the record read back.
func (s *readBackScreen) confirm(id string, secs []forms.ReadBackSection) tea.Cmd {
	s.busy, s.err = true, [2]string{}
	left := 0
	for _, sec := range secs {
		if sec.ID != id && !s.confirmed(sec.ID) {
			left++
		}
	}
	sess, rid := s.env.Session, s.iv.rec.ID
	return s.do(func() tea.Msg {
		rec, err := sess.ConfirmSection(rid, id)
		if err != nil || left > 0 {
			return sectionConfirmedMsg{rec: rec, err: err}
		}
		rec, err = sess.MarkReadBack(rid)
		return sectionConfirmedMsg{rec: rec, done: err == nil, err: err}
	})
}

func (s *readBackScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	if !s.loaded {
		return st.Faint.Render(tr(lang, "loading"))
	}
	if s.iv.rec == nil {
		return strings.Join(textwidth.Wrap(s.err[li], width), "\n")
	}
	if !s.complete {
		return strings.Join([]string{"", "  " + st.Warning.Render(textwidth.Truncate(tr(lang, "notcomplete"), width-4))}, "\n")
	}
	secs := s.sections()
	if len(secs) == 0 {
		return ""
	}
	sec := secs[s.section]
	done := 0
	for _, x := range secs {
		if s.confirmed(x.ID) {
			done++
		}
	}
	var head []string
	title := st.Section.Render(clean(sec.Title))
	if s.confirmed(sec.ID) {
		title += "  " + st.OK.Render(tr(lang, "agreed"))
	}
	progress := fmt.Sprintf(tr(lang, "rbprogress"), s.section+1, len(secs), done)
	gap := width - 4 - textwidth.Width(title) - textwidth.Width(progress)
	head = append(head, "", "  "+title+strings.Repeat(" ", max(1, gap))+st.Faint.Render(progress),
		"  "+st.Faint.Render(textwidth.Rule(width-4)))

	var tail []string
	if s.err[li] != "" {
		tail = append(tail, "  "+st.Error.Render(textwidth.Truncate(s.err[li], width-4)))
	}
	hint := tr(lang, "rbhint")
	if done == len(secs)-1 && !s.confirmed(sec.ID) {
		hint = tr(lang, "rblast")
	}
	for _, l := range textwidth.Wrap(hint, width-4) {
		tail = append(tail, "  "+st.Faint.Render(l))
	}

	// The sentences, a blank line between them when there is room: read aloud, a
	// line at a time, they are easier to follow spaced out.
	room := height - len(head) - len(tail) - 1
	var wrapped [][]string
	total := 0
	for _, l := range sec.Lines {
		w := textwidth.Wrap(clean(l.Text), width-8)
		wrapped = append(wrapped, w)
		total += len(w)
	}
	spaced := total+len(wrapped) <= room
	var body []string
	selStart := 0
	for i, w := range wrapped {
		if i == s.line {
			selStart = len(body)
		}
		for j, l := range w {
			mark := "    "
			if i == s.line && j == 0 {
				mark = "  ▸ "
			}
			if i == s.line {
				l = st.Selected.Render(l)
			}
			body = append(body, mark+l)
		}
		if spaced {
			body = append(body, "")
		}
	}
	return page(head, body, tail, selStart, height)
}

// page lays out a screen of a head, a body scrolled so that line sel shows (a third of
// the way down, so what follows it is read next), and a tail kept at the bottom.
func page(head, body, tail []string, sel, height int) string {
	room := max(1, height-len(head)-len(tail)-1)
	if len(body) > room {
		first := min(max(0, sel-room/3), len(body)-room)
		body = body[first : first+room]
	}
	lines := append(head[:len(head):len(head)], "")
	lines = append(lines, body...)
	for len(lines) < height-len(tail) {
		lines = append(lines, "")
	}
	return strings.Join(append(lines, tail...), "\n")
}
