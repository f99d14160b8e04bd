package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// respondentScreen is the read-back turned toward the respondent, for one who is deaf
// or hard of hearing: one sentence at a time, large (spaced out, on a black panel in the
// most contrasted colours the terminal has), with the respondent's own numbers in full.
// It shows this record's answers and nothing else: no list, no other person's name.
type respondentScreen struct {
	common
	caseID string
	start  string // the question whose sentence opens first
	iv     interview
	loaded bool
	at     int // index into sentences()
	err    [2]string
	talk   talker
	keys   struct{ prev, next, speak, leave key.Binding }
}

// respondentSentence is one sentence of the read-back with its section's title.
type respondentSentence struct {
	section, text, question string
}

func newRespondentScreen(c common, caseID, at string) *respondentScreen {
	s := &respondentScreen{common: c, caseID: caseID, start: at}
	s.keys.prev = binding([]string{"left", "up", "pgup"}, "←→", "key.sentence")
	s.keys.next = binding([]string{"right", "down", "pgdown", "space", "enter"}, "", "")
	s.keys.speak = binding([]string{"s"}, "s", "key.speak")
	s.keys.leave = binding([]string{"esc"}, "esc", "key.back")
	return s
}

func (s *respondentScreen) Init() tea.Cmd { return loadInterviewCmd(s.common, s.caseID) }

func (s *respondentScreen) Title(lang string) string { return titled(lang, "respondent", s.iv.name) }
func (s *respondentScreen) Typing() bool             { return false }
func (s *respondentScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.prev, s.keys.speak, s.keys.leave}
}
func (s *respondentScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// sentences are the record's read-back with its own form; none before it is loaded.
func (s *respondentScreen) sentences() []respondentSentence {
	if s.iv.form == nil {
		return nil
	}
	var out []respondentSentence
	for _, sec := range s.iv.form.ReadBack(s.iv.answers, s.iv.ctx, s.env.Lang) {
		for _, l := range sec.Lines {
			out = append(out, respondentSentence{clean(sec.Title), clean(l.Text), l.Question})
		}
	}
	return out
}

func (s *respondentScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case interviewLoadedMsg:
		s.loaded = true
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.iv = msg.iv
		for i, x := range s.sentences() {
			if x.question == s.start {
				s.at = i
			}
		}
		return s, nil
	case spokenMsg:
		s.err = s.talk.done(msg)
		return s, nil
	case tea.KeyPressMsg:
		n := len(s.sentences())
		switch {
		case key.Matches(msg, s.keys.leave):
			s.talk.quiet()
			return s, back
		case !s.loaded || n == 0:
		case key.Matches(msg, s.keys.prev):
			s.talk.quiet()
			s.at = max(0, s.at-1)
		case key.Matches(msg, s.keys.next):
			s.talk.quiet()
			s.at = min(n-1, s.at+1)
		case key.Matches(msg, s.keys.speak):
			return s, s.talk.say(s.common, s.sentences()[s.at].text, s.env.Lang)
		}
	}
	return s, nil
}

// spaceOut puts a space after each wide character, so that Chinese text reads larger
// and each character stands apart; Latin words are left whole, and long numbers are
// grouped (a phone 3-4-4, an ID or certificate number by fours) as people check them.
func spaceOut(text string) string {
	var b strings.Builder
	runes := []rune(text)
	for i := 0; i < len(runes); i++ {
		j := i
		for j < len(runes) && (runes[j] >= '0' && runes[j] <= '9' || j > i && (runes[j] == 'X' || runes[j] == 'x')) {
			j++
		}
		if j-i >= 11 {
			b.WriteString(groupDigits(string(runes[i:j])))
			i = j - 1
			continue
		}
		b.WriteRune(runes[i])
		if textwidth.Width(string(runes[i])) > 1 {
			b.WriteByte(' ')
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// groupDigits writes an 11-digit phone number 3-4-4 and longer numbers in fours.
func groupDigits(n string) string {
	var parts []string
	if len(n) == 11 {
		return n[:3] + " " + n[3:7] + " " + n[7:]
	}
	for len(n) > 4 {
		parts, n = append(parts, n[:4]), n[4:]
	}
	return strings.Join(append(parts, n), " ")
}

func (s *respondentScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	panel := func(l string) string { return st.Respondent.Render(textwidth.PadRight(l, width)) }
	var lines []string
	sents := s.sentences()
	switch {
	case !s.loaded:
		lines = append(lines, "", "  "+tr(lang, "loading"))
	case len(sents) == 0:
		lines = append(lines, "", "  "+s.err[li])
	default:
		cur := sents[s.at]
		count := fmt.Sprintf(tr(lang, "resp.count"), s.at+1, len(sents))
		head := "  " + cur.section
		lines = append(lines, "", head+strings.Repeat(" ", max(1, width-2-textwidth.Width(head)-textwidth.Width(count)))+count, "")
		// The sentence, spaced out and double-spaced, in the middle of the window.
		text := textwidth.Wrap(spaceOut(cur.text), max(10, width-12))
		var body []string
		for _, l := range text {
			body = append(body, textwidth.Center(l, width), "")
		}
		if s.at == len(sents)-1 {
			body = append(body, "", textwidth.Center(tr(lang, "resp.end"), width))
		}
		room := height - len(lines) - 2
		top := max(0, (room-len(body))/2)
		for range top {
			lines = append(lines, "")
		}
		lines = append(lines, body...)
	}
	for len(lines) < height-1 {
		lines = append(lines, "")
	}
	lines = lines[:height-1]
	out := make([]string, 0, height)
	for _, l := range lines {
		out = append(out, panel(l))
	}
	foot := ""
	switch {
	case s.talk.speaking:
		foot = "  " + tr(lang, "speaking")
	case s.err[li] != "" && len(sents) > 0:
		foot = "  " + s.err[li]
	}
	return strings.Join(append(out, panel(textwidth.Truncate(foot, width))), "\n")
}
