package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// reviewScreen is a team leader's look at one record, read-only: the case header, the
// signatures, every answer as read back, every finding and every note confirming a
// warning. The leader approves it, or returns it with comments on the record or on
// single questions; the enumerator finds the comments at those questions.
type reviewScreen struct {
	common
	recordID string
	rec      *localstore.Record
	c        localstore.Case
	loaded   bool
	items    []reviewLine
	cursor   int // index into items, on a line with a question
	comments []localstore.Comment
	busy     bool
	done     [2]string // what the leader decided
	err      [2]string
	keys     struct{ comment, approve, ret, leave key.Binding }
}

// reviewLine is one line of the review: a section title, an answer, or a finding or a
// note under it.
type reviewLine struct {
	kind     int // lineSection, lineAnswer, lineError, lineWarning
	question string
	text     [2]string
}

const (
	lineSection = iota
	lineAnswer
	lineError
	lineWarning
	lineHistory // an earlier return's comment, or why an answer changed after read-back
)

type reviewLoadedMsg struct {
	rec   *localstore.Record
	c     localstore.Case
	audit []localstore.AuditEntry
	err   error
}

// decideMsg is the leader's yes to an approval or a return, asked for first.
type decideMsg struct{ approve bool }

// commentAddedMsg is a comment typed for the selected question (or the record).
type commentAddedMsg struct {
	question string
	text     string
}

// decidedMsg is the store's word on an approval or a return.
type decidedMsg struct {
	approved bool
	err      error
}

func newReview(c common, recordID string) *reviewScreen {
	s := &reviewScreen{common: c, recordID: recordID}
	s.keys.comment = binding([]string{"f4"}, "F4", "key.comment")
	s.keys.approve = binding([]string{"f9"}, "F9", "key.approve")
	// Not F10: gnome-terminal and others open their menu with it.
	s.keys.ret = binding([]string{"f8"}, "F8", "key.return")
	s.keys.leave = binding([]string{"esc"}, "esc", "key.back")
	return s
}

func (s *reviewScreen) Init() tea.Cmd {
	sess, id := s.env.Session, s.recordID
	return s.do(func() tea.Msg {
		rec, err := sess.Record(id)
		if err != nil {
			return reviewLoadedMsg{err: err}
		}
		c, err := sess.Case(rec.CaseID)
		if err != nil {
			return reviewLoadedMsg{err: err}
		}
		// The audit says why answers changed after the read-back.
		audit, err := sess.Audit(rec.ID)
		return reviewLoadedMsg{rec: rec, c: c, audit: audit, err: err}
	})
}

func (s *reviewScreen) Title(lang string) string {
	t := tr(lang, "review")
	if s.loaded && s.rec != nil {
		t += " · " + clean(s.c.Row.Name)
	}
	return t
}

func (s *reviewScreen) Typing() bool { return false }

func (s *reviewScreen) ShortHelp() []key.Binding {
	if s.done[0] != "" {
		return []key.Binding{s.keys.leave}
	}
	return []key.Binding{s.env.Keys.Up, s.keys.comment, s.keys.approve, s.keys.ret, s.keys.leave}
}

func (s *reviewScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *reviewScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case reviewLoadedMsg:
		s.loaded = true
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.rec, s.c = msg.rec, msg.c
		s.items = withHistory(reviewLines(s.env.Forms, s.rec, s.c), s.rec, msg.audit)
		s.cursor = s.nextAnswer(-1, 1)
	case decideMsg:
		return s, s.decide(msg.approve)
	case commentAddedMsg:
		// Written now: the store keeps this time, not the time of the return.
		s.comments = append(s.comments, localstore.Comment{Question: msg.question, Text: msg.text, At: s.env.Now()})
	case decidedMsg:
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		if msg.approved {
			s.done = both("approved")
		} else {
			s.done = both("returned")
		}
		return s, requeued(s.env.DB)
	case tea.KeyPressMsg:
		return s, s.key(msg)
	}
	return s, nil
}

func (s *reviewScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.env.Keys
	if key.Matches(msg, s.keys.leave) {
		return back
	}
	if s.rec == nil || s.busy || s.done[0] != "" {
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		s.cursor = s.nextAnswer(s.cursor, -1)
	case key.Matches(msg, k.Down):
		s.cursor = s.nextAnswer(s.cursor, 1)
	case key.Matches(msg, k.PageUp):
		for range 10 {
			s.cursor = s.nextAnswer(s.cursor, -1)
		}
	case key.Matches(msg, k.PageDown):
		for range 10 {
			s.cursor = s.nextAnswer(s.cursor, 1)
		}
	case msg.String() == "home":
		s.cursor = s.nextAnswer(-1, 1)
	case msg.String() == "end":
		s.cursor = s.nextAnswer(len(s.items), -1)
	case key.Matches(msg, s.keys.comment):
		// On the selected answer; on the whole record when there is none (a case
		// closed without an interview has no answers to point at).
		q, about := "", both("comment.record")
		if s.cursor >= 0 && s.cursor < len(s.items) {
			it := s.items[s.cursor]
			q, about = it.question, [2]string{it.question + " " + it.text[0], it.question + " " + it.text[1]}
		}
		return showOverlay(newAsk(s.common, both("commenttitle"), about,
			both("comment.label"), func(text string) tea.Msg { return commentAddedMsg{q, text} }))
	case key.Matches(msg, s.keys.approve):
		if !s.decidable() {
			s.err = both("notreviewable")
			return nil
		}
		if len(s.comments) > 0 {
			s.err = both("hascomments")
			return nil
		}
		return showOverlay(newConfirm(s.common, both("confirmapprove"), s.confirmBody("confirmapprove.body"),
			func() tea.Msg { return decideMsg{approve: true} }))
	case key.Matches(msg, s.keys.ret):
		if !s.decidable() {
			s.err = both("notreviewable")
			return nil
		}
		if len(s.comments) == 0 {
			// A return says what to fix: one comment on the whole record at least.
			return showOverlay(newAsk(s.common, both("returntitle"), both("returnbody"), both("comment.label"),
				func(text string) tea.Msg { return commentAddedMsg{"", text} }))
		}
		return showOverlay(newConfirm(s.common, both("confirmreturn"), s.confirmBody("confirmreturn.body"),
			func() tea.Msg { return decideMsg{approve: false} }))
	}
	return nil
}

// confirmBody names the record and, for a return, how many comments go with it.
func (s *reviewScreen) confirmBody(key string) [2]string {
	name := clean(s.c.Row.Name)
	return [2]string{fmt.Sprintf(tr("zh", key), name, len(s.comments)), fmt.Sprintf(tr("en", key), name, len(s.comments))}
}

// decide approves or returns the record, once the leader said yes.
func (s *reviewScreen) decide(approve bool) tea.Cmd {
	if s.rec == nil || s.busy || s.done[0] != "" {
		return nil
	}
	s.busy = true
	sess, id, comments := s.env.Session, s.rec.ID, s.comments
	return s.do(func() tea.Msg {
		var err error
		if approve {
			_, err = sess.Approve(id)
		} else {
			_, err = sess.Return(id, comments)
		}
		return decidedMsg{approved: approve, err: err}
	})
}

// withHistory adds to the review what happened before: the comments of an earlier
// return under their questions (a record sent back and completed again), and the
// reasons given for answers changed after the read-back.
func withHistory(lines []reviewLine, rec *localstore.Record, audit []localstore.AuditEntry) []reviewLine {
	earlier := map[string][]localstore.Comment{}
	var whole []localstore.Comment
	if rec.Status != localstore.StatusReturned {
		for _, c := range roundComments(rec) {
			if c.Question == "" {
				whole = append(whole, c)
			}
			earlier[c.Question] = append(earlier[c.Question], c)
		}
	}
	reasons := map[string][]string{}
	for _, e := range audit {
		if e.Action == localstore.ActionAnswer && e.Reason != "" && e.Reason != prefillReason && !slices.Contains(reasons[e.Question], e.Reason) {
			reasons[e.Question] = append(reasons[e.Question], e.Reason)
		}
	}
	var out []reviewLine
	for _, c := range whole {
		out = append(out, reviewLine{kind: lineHistory, text: [2]string{tr("zh", "earlier") + clean(c.Text), tr("en", "earlier") + clean(c.Text)}})
	}
	for _, l := range lines {
		out = append(out, l)
		if l.kind != lineAnswer {
			continue
		}
		for _, c := range earlier[l.question] {
			if c.Question != "" {
				out = append(out, reviewLine{kind: lineHistory, question: l.question,
					text: [2]string{tr("zh", "earlier") + clean(c.Text), tr("en", "earlier") + clean(c.Text)}})
			}
		}
		for _, r := range reasons[l.question] {
			// A reason the screens wrote is said in the screen's language; one the
			// enumerator typed is shown as typed.
			why := [2]string{clean(r), clean(r)}
			if r == returnedReason {
				why = both("reason.returned")
			}
			out = append(out, reviewLine{kind: lineHistory, question: l.question,
				text: [2]string{tr("zh", "corrected") + why[0], tr("en", "corrected") + why[1]}})
		}
	}
	return out
}

func (s *reviewScreen) decidable() bool {
	return s.rec.Status == localstore.StatusCompleted || s.rec.Status == localstore.StatusSubmitted
}

// nextAnswer is the next line from i in direction d that is an answer, or i.
func (s *reviewScreen) nextAnswer(i, d int) int {
	for j := i + d; j >= 0 && j < len(s.items); j += d {
		if s.items[j].kind == lineAnswer {
			return j
		}
	}
	return max(i, 0)
}

// reviewLines is the record as the leader reads it: the answers as sentences, each
// followed by what the engine finds wrong with it and the enumerator's notes.
func reviewLines(reg *forms.Registry, rec *localstore.Record, c localstore.Case) []reviewLine {
	var out []reviewLine
	if rec.Outcome != localstore.OutcomeInterviewed {
		return out
	}
	rd, err := survey.Read(reg, rec, survey.About{Row: c.Row})
	if err != nil {
		return []reviewLine{{kind: lineError, text: loadErrText(err)}}
	}
	f, res := rd.Form, rd.Result
	zh, en := f.ReadBack(rd.Answers, rd.Context, "zh"), f.ReadBack(rd.Answers, rd.Context, "en")
	findings := map[string][]forms.Finding{}
	for _, fd := range res.Findings {
		findings[fd.Question] = append(findings[fd.Question], fd)
	}
	for i, sec := range zh {
		out = append(out, reviewLine{kind: lineSection, text: [2]string{clean(sec.Title), clean(en[i].Title)}})
		for j, l := range sec.Lines {
			out = append(out, reviewLine{kind: lineAnswer, question: l.Question, text: [2]string{clean(l.Text), clean(en[i].Lines[j].Text)}})
			for _, fd := range findings[l.Question] {
				msg := findingText(f, fd, rd.Answers, rd.Context)
				if fd.Severity == forms.SeverityError {
					out = append(out, reviewLine{kind: lineError, question: l.Question, text: [2]string{"✗ " + msg[0], "✗ " + msg[1]}})
					continue
				}
				note := clean(rd.Note(fd))
				out = append(out, reviewLine{kind: lineWarning, question: l.Question,
					text: [2]string{"! " + msg[0] + "　说明：" + note, "! " + msg[1] + " Note: " + note}})
			}
		}
	}
	for _, id := range res.Missing {
		q := f.Question(id)
		out = append(out, reviewLine{kind: lineError, question: id,
			text: [2]string{"✗ 漏答：" + id + " " + clean(q.ReadBackLabel().ZH), "✗ Missing: " + id + " " + clean(q.ReadBackLabel().In("en"))}})
	}
	return out
}

func (s *reviewScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	if !s.loaded {
		return st.Faint.Render(tr(lang, "loading"))
	}
	if s.rec == nil {
		return strings.Join(textwidth.Wrap(s.err[li], width), "\n")
	}
	r := s.rec
	var head []string
	add := func(lines *[]string, style func(...string) string, text string) {
		for _, l := range textwidth.Wrap(text, width-4) {
			*lines = append(*lines, "  "+style(l))
		}
	}
	method, outcome := "", ""
	if m, ok := survey.Method(r.Method); ok {
		method = m.Label.In(lang)
	}
	if o, ok := survey.Outcome(r.Outcome); ok {
		outcome = o.Label.In(lang)
	}
	info := fmt.Sprintf(tr(lang, "reviewinfo"), clean(s.c.Row.Village), r.Enumerator, method, outcome, statusName(lang, r.Status))
	if sig, ok := r.RespondentSignature(); ok {
		info += " · " + tr(lang, "signedby") + clean(sig.DisplayName())
	}
	if n := len(r.Photos); n > 0 {
		info += " · " + fmt.Sprintf(tr(lang, "photos.n"), n)
	}
	if rc, ok := r.Received(); ok {
		info += " · " + fmt.Sprintf(tr(lang, "receipt"), rc.ServerID, rc.ReceivedAt.In(s.env.Now().Location()).Format("01-02 15:04"))
	}
	add(&head, st.Faint.Render, info)
	if n := len(roundComments(r)); n > 0 && r.Status != localstore.StatusReturned {
		add(&head, st.Warning.Render, fmt.Sprintf(tr(lang, "resubmitted"), r.Comments[len(r.Comments)-1].Round, n))
	}
	if r.OutcomeNote != "" {
		add(&head, st.Warning.Render, tr(lang, "note")+colon(lang)+clean(r.OutcomeNote))
	}

	var tail []string
	switch {
	case s.done[li] != "":
		add(&tail, st.OK.Render, "✓ "+s.done[li])
	case s.busy:
		add(&tail, st.Faint.Render, tr(lang, "saving"))
	case s.err[li] != "":
		add(&tail, st.Error.Render, s.err[li])
	case len(s.comments) > 0:
		add(&tail, st.Warning.Render, fmt.Sprintf(tr(lang, "comments.n"), len(s.comments)))
	default:
		add(&tail, st.Faint.Render, tr(lang, "reviewhint"))
	}

	var body []string
	sel := 0
	for i, it := range s.items {
		text := it.text[li]
		style := st.Faint.Render
		indent := "    "
		switch it.kind {
		case lineSection:
			style, indent = st.Section.Render, "  "
		case lineAnswer:
			style = func(s ...string) string { return strings.Join(s, "") }
		case lineError:
			style, indent = st.Error.Render, "      "
		case lineWarning:
			style, indent = st.Warning.Render, "      "
		case lineHistory:
			style, indent = st.Faint.Render, "      "
		}
		if i == s.cursor {
			sel = len(body)
			indent = "  ▸ "
			style = st.Selected.Render
		}
		for j, l := range textwidth.Wrap(text, width-len(indent)-2) {
			if j > 0 {
				indent = strings.Repeat(" ", len(indent))
			}
			body = append(body, indent+style(l))
		}
		for _, c := range s.comments {
			if c.Question != "" && c.Question == it.question && it.kind == lineAnswer {
				body = append(body, "      "+st.Warning.Render(textwidth.Truncate("✎ "+clean(c.Text), width-8)))
			}
		}
	}
	return page(head, body, tail, sel, height)
}
