package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// interview is a case's record as the screens after the start use it, with the form
// it was started with.
type interview struct {
	form    *forms.Form
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
	sess, f, reg := c.env.Session, c.env.PersonForm, c.env.Forms
	return c.do(func() tea.Msg {
		iv, err := openInterview(sess, reg, f, caseID)
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

// openInterview reads the case and its record of the person form f's id, with the
// form and version the record was started with; it runs in a command.
func openInterview(sess *localstore.Session, reg *forms.Registry, f *forms.Form, caseID string) (interview, error) {
	c, err := sess.Case(caseID)
	if err != nil {
		return interview{}, err
	}
	rec, err := sess.RecordFor(caseID, f.ID)
	if err != nil {
		return interview{}, err
	}
	rd, err := survey.Read(reg, rec, survey.About{Row: c.Row})
	if err != nil {
		return interview{}, err
	}
	return interview{form: rd.Form, rec: rec, row: c.Row, name: clean(c.Row.Name), answers: rd.Answers, ctx: rd.Context}, nil
}

// loadInterview opens the case's record for the form; a record opened for the first
// time takes the roster's values for the questions prefilled from it.
func loadInterview(sess *localstore.Session, reg *forms.Registry, f *forms.Form, caseID string) formLoadedMsg {
	iv, err := openInterview(sess, reg, f, caseID)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	return prefillAndResume(sess, iv, func(field string) any {
		if v := iv.row.Prefill(field); v != "" {
			return v
		}
		return nil
	})
}

// loadVillage opens the village's record of a form filled once per village, prefilled
// with the village's name and code and the number of certificate holders the roster
// has for it.
func loadVillage(sess *localstore.Session, reg *forms.Registry, f *forms.Form, village string) formLoadedMsg {
	cases, err := sess.Cases(localstore.CaseFilter{Village: village})
	if err != nil {
		return formLoadedMsg{err: err}
	}
	rec, err := sess.StartVillageRecord(village, f.ID, f.Version)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	rd, err := survey.Read(reg, rec, survey.About{RosterCount: len(cases)})
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
	iv := interview{form: rd.Form, rec: rec, row: row, name: clean(village), answers: rd.Answers, ctx: rd.Context}
	return prefillAndResume(sess, iv, func(field string) any {
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
// A roster value for a question that does not apply (a 20-digit card's category, asked
// only of an 18-digit one) is not prefilled: nobody would see it, and the first answer
// would clear it.
func prefillAndResume(sess *localstore.Session, iv interview, prefill func(field string) any) formLoadedMsg {
	rec, f := iv.rec, iv.form
	if len(rec.Answers) == 0 && !rec.Status.Locked() {
		filled := forms.Answers{}
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
			filled[q.ID] = parsed[q.ID]
		}
		f.Evaluate(filled, iv.ctx).Apply(filled)
		var changes []localstore.AnswerChange
		for _, q := range f.Questions() {
			v, ok := filled[q.ID]
			if !ok {
				continue
			}
			raw, err := forms.EncodeAnswer(v)
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
	return formLoadedMsg{form: f, rec: rec, name: iv.name, answers: iv.answers, ctx: iv.ctx, resume: resume, fromRoster: fromRoster}
}

// registryOf is the registry of a program that was handed only the forms for new
// records (tests do): those two, never in conflict with each other.
func registryOf(fs ...*forms.Form) *forms.Registry {
	reg := &forms.Registry{}
	for _, f := range fs {
		if f != nil {
			_ = reg.Add(f) // the person and community forms have different ids: no conflict
		}
	}
	return reg
}

// Collection methods and case outcomes, by their official codes (survey holds them).
var (
	methods  = choicesOf(survey.Methods)
	outcomes = choicesOf(survey.Outcomes)
)

func choicesOf(codes []survey.Code) []choice {
	out := make([]choice, len(codes))
	for i, c := range codes {
		out[i] = choice{c.Code, c.Label.ZH, c.Label.EN}
	}
	return out
}
