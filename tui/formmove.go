package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/survey"
)

// A draft started on last year's form, opened once the district has named next year's,
// is offered the move (once per opening): enter moves it, with its audit entry; esc goes
// on with the form it was started on. A completed or returned record never moves.

// draftMovedMsg is the store's word on moving the draft.
type draftMovedMsg struct {
	plan *survey.MovePlan
	err  error
}

// offerMove asks whether the draft moves to the form new records are started with.
func (s *formScreen) offerMove() tea.Cmd {
	next := s.env.PersonForm
	if s.village != "" {
		next = s.env.CommunityForm
	}
	to := steps.MoveTo(s.rec, s.form, next)
	if s.moveOffered || to == nil {
		return nil
	}
	s.moveOffered = true
	from := s.form.ID + " " + s.form.Version
	dest := to.ID + " " + to.Version
	body := [2]string{
		fmt.Sprintf(tr("zh", "move.body"), from, dest),
		fmt.Sprintf(tr("en", "move.body"), from, dest),
	}
	sess, reg, rec := s.env.Session, s.env.Forms, s.rec
	return showOverlay(newConfirm(s.common, both("move.title"), body, func() tea.Msg {
		plan, err := steps.PlanMove(sess, reg, rec, to)
		if err != nil {
			return draftMovedMsg{err: err}
		}
		_, err = steps.Move(sess, rec, plan)
		return draftMovedMsg{plan: plan, err: err}
	}))
}

// moved shows what the move did and opens the draft again, on its new form.
func (s *formScreen) moved(msg draftMovedMsg) tea.Cmd {
	if msg.err != nil {
		s.err = errText(msg.err)
		return nil
	}
	s.stash = nil        // answers of the old form's questions
	s.form = msg.plan.To // the record is found under it now
	return tea.Batch(showOverlay(newDialog(s.env, both("move.done"), movedText(msg.plan), false)), s.Init())
}

// movedText lists what was kept, recoded and dropped, in both languages.
func movedText(p *survey.MovePlan) [2]string {
	var out [2]string
	for li, lang := range []string{"zh", "en"} {
		var b strings.Builder
		fmt.Fprintf(&b, tr(lang, "move.counts"), len(p.Carried.Kept), len(p.Carried.Recoded), len(p.Carried.Dropped))
		for _, r := range p.Carried.Recoded {
			fmt.Fprintf(&b, "\n%s %s → %s", r.To, answerWords(p.From.Question(r.From), r.Old, lang), answerWords(p.To.Question(r.To), r.New, lang))
		}
		for _, d := range p.Carried.Dropped {
			fmt.Fprintf(&b, "\n%s ✗ %s", d.Question, d.Reason.In(lang))
		}
		out[li] = clean(b.String())
	}
	return out
}

func answerWords(q *forms.Question, v any, lang string) string {
	if q == nil {
		return fmt.Sprint(v)
	}
	if q.Type.IsChoice() {
		return fmt.Sprint(v) + " " + q.FormatAnswer(v, lang) // the codes are what changed
	}
	return q.FormatAnswer(v, lang)
}
