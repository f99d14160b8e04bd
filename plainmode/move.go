package plainmode

import (
	"fmt"
	"strings"

	"github.com/doorstep-survey/doorstep/forms"
	steps "github.com/doorstep-survey/doorstep/interview"
)

// offerMove offers a draft of last year's form the move to the form new records of its
// kind start with, as the screens do when it is opened (once each time): it says what
// the move keeps, recodes and drops, one line each, and moves it when the user agrees.
// moved says whether it did.
func (p *plain) offerMove(to target, r steps.Resumed) (moved bool, err error) {
	next := p.o.PersonForm
	if to.village != "" {
		next = p.o.CommunityForm
	}
	dest := steps.MoveTo(r.Rec, r.Form, next)
	if dest == nil || p.moveAsked[r.Rec.ID] {
		return false, nil
	}
	p.moveAsked[r.Rec.ID] = true
	plan, err := steps.PlanMove(p.sess, p.o.Forms, r.Rec, dest)
	if err != nil {
		p.line(p.errText(err))
		return false, nil
	}
	say := func() string {
		lines := []string{
			p.t("move.offer", c(plan.From.ID+" "+plan.From.Version), c(plan.To.ID+" "+plan.To.Version)),
			p.t("move.counts", len(plan.Carried.Kept), len(plan.Carried.Recoded), len(plan.Carried.Dropped)),
		}
		for _, rc := range plan.Carried.Recoded {
			lines = append(lines, p.t("move.recoded", c(rc.To), p.answerWords(plan.From.Question(rc.From), rc.Old), p.answerWords(plan.To.Question(rc.To), rc.New)))
		}
		for _, d := range plan.Carried.Dropped {
			lines = append(lines, p.t("move.dropped", c(d.Question), p.answerWords(plan.From.Question(d.Question), d.Value), c(d.Reason.In(p.lang))))
		}
		return strings.Join(append(lines, p.t("move.confirm")), "\n")
	}
	l, err := p.ask(say, func() string { return p.t("help.move") })
	if err != nil {
		return false, err
	}
	if !isYes(l) {
		p.say("move.kept", c(plan.From.ID+" "+plan.From.Version))
		return false, nil
	}
	if _, err := steps.Move(p.sess, r.Rec, plan); err != nil {
		p.line(p.errText(err))
		return false, nil
	}
	p.say("move.done", c(plan.To.ID+" "+plan.To.Version))
	return true, nil
}

// answerWords is an answer of q as a line says it: a choice's code with its label, since
// the codes are what a move changes.
func (p *plain) answerWords(q *forms.Question, v any) string {
	if q == nil {
		return c(fmt.Sprint(v))
	}
	if q.Type.IsChoice() {
		return c(fmt.Sprint(v) + " " + q.FormatAnswer(v, p.lang))
	}
	return c(q.FormatAnswer(v, p.lang))
}
