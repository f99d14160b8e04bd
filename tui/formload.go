package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// interview is a case's record as the screens after the start use it.
type interview struct {
	rec     *localstore.Record
	row     roster.Row
	name    string
	answers forms.Answers
	ctx     forms.Context
}

// interviewLoadedMsg is a case's record read for the read-back, signature and photo
// screens.
type interviewLoadedMsg struct {
	iv  interview
	err error
}

// loadInterviewCmd reads the case's record for the screen c, as a command.
func loadInterviewCmd(c common, caseID string) tea.Cmd {
	sess, f := c.env.Session, c.env.PersonForm
	return c.do(func() tea.Msg {
		iv, err := openInterview(sess, f, caseID)
		return interviewLoadedMsg{iv, err}
	})
}

// titled is a screen's title with the person's name once it is known.
func titled(lang, key, name string) string {
	if name == "" {
		return tr(lang, key)
	}
	return tr(lang, key) + " · " + name
}

// openInterview reads the case and its record; it runs in a command.
func openInterview(sess *localstore.Session, f *forms.Form, caseID string) (interview, error) {
	c, err := sess.Case(caseID)
	if err != nil {
		return interview{}, err
	}
	rec, err := sess.RecordFor(caseID, f.ID)
	if err != nil {
		return interview{}, err
	}
	answers, err := f.DecodeAnswers(rec.Answers)
	if err != nil {
		return interview{}, err
	}
	return interview{rec: rec, row: c.Row, name: clean(c.Row.Name), answers: answers, ctx: contextOf(rec, c.Row)}, nil
}

// contextOf is what the form's expressions know besides the answers: the case header,
// and the roster's sex, category and level until a certificate number answered says
// otherwise.
func contextOf(rec *localstore.Record, row roster.Row) forms.Context {
	ctx := forms.Context{"method": rec.Method, "outcome": rec.Outcome}
	if row.Category > 0 {
		ctx["category"] = row.Category
	}
	if row.Level > 0 {
		ctx["level"] = row.Level
	}
	if row.Sex > 0 {
		ctx["sex"] = row.Sex
	}
	return ctx
}

// loadInterview opens the case's record for the form; a record opened for the first
// time takes the roster's values for the questions prefilled from it.
func loadInterview(sess *localstore.Session, f *forms.Form, caseID string) formLoadedMsg {
	iv, err := openInterview(sess, f, caseID)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	return prefillAndResume(sess, f, iv, func(field string) any {
		if v := iv.row.Prefill(field); v != "" {
			return v
		}
		return nil
	})
}

// loadVillage opens the village's record of a form filled once per village, prefilled
// with the village's name and code and the number of certificate holders the roster
// has for it.
func loadVillage(sess *localstore.Session, f *forms.Form, village string) formLoadedMsg {
	cases, err := sess.Cases(localstore.CaseFilter{Village: village})
	if err != nil {
		return formLoadedMsg{err: err}
	}
	rec, err := sess.StartVillageRecord(village, f.ID, f.Version)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	answers, err := f.DecodeAnswers(rec.Answers)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	row := roster.Row{Village: village}
	for _, c := range cases {
		if c.Row.VillageCode != "" {
			row.VillageCode = c.Row.VillageCode
			break
		}
	}
	iv := interview{rec: rec, row: row, name: clean(village), answers: answers,
		ctx: forms.Context{"roster_count": len(cases)}}
	return prefillAndResume(sess, f, iv, func(field string) any {
		if field == "roster_count" {
			return len(cases)
		}
		if v := row.Prefill(field); v != "" {
			return v
		}
		return nil
	})
}

// prefillAndResume saves the prefilled answers of a record opened for the first time
// (marked as the roster's in the audit trail), and finds where the enumerator left it.
func prefillAndResume(sess *localstore.Session, f *forms.Form, iv interview, prefill func(field string) any) formLoadedMsg {
	rec := iv.rec
	if len(rec.Answers) == 0 && !rec.Status.Locked() {
		var changes []localstore.AnswerChange
		for _, q := range f.Questions() {
			if q.Prefill == "" {
				continue
			}
			v := prefill(q.Prefill)
			if v == nil {
				continue
			}
			parsed, err := f.ParseAnswers(map[string]any{q.ID: v})
			if err != nil || parsed[q.ID] == nil {
				continue // a roster value the question cannot take: asked, not prefilled
			}
			raw, err := forms.EncodeAnswer(parsed[q.ID])
			if err != nil {
				continue
			}
			changes = append(changes, localstore.AnswerChange{Question: q.ID, Section: q.Section.ID, Value: raw, Reason: prefillReason})
		}
		if len(changes) > 0 {
			var err error
			if rec, err = sess.SaveAnswers(rec.ID, changes...); err != nil {
				return formLoadedMsg{err: err}
			}
			if iv.answers, err = f.DecodeAnswers(rec.Answers); err != nil {
				return formLoadedMsg{err: err}
			}
		}
	}
	audit, err := sess.Audit(rec.ID)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	resume := ""
	fromRoster := map[string]bool{}
	for _, e := range audit {
		if e.Action == localstore.ActionAnswer {
			fromRoster[e.Question] = e.Reason == prefillReason
			if e.Reason != prefillReason {
				resume = e.Question
			}
		}
	}
	place, err := sess.Place(rec.ID)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	for _, e := range audit {
		if e.Action == localstore.ActionAnswer && e.Reason != prefillReason && e.Seq > place.AuditLen {
			place.Question = "" // answered since the pause: the last answer says more
		}
	}
	return formLoadedMsg{rec: rec, name: iv.name, answers: iv.answers, ctx: iv.ctx, resume: resume, place: place.Question, fromRoster: fromRoster}
}
