package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	// steps: the interview's steps shared with plain mode (the name interview is this
	// package's type).
	steps "github.com/doorstep-survey/doorstep/interview"
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
// form and version the record was started with (steps.Open); it runs in a command.
func openInterview(sess *localstore.Session, reg *forms.Registry, f *forms.Form, caseID string) (interview, error) {
	iv, err := steps.Open(sess, reg, f, caseID)
	if err != nil {
		return interview{}, err
	}
	return interview{form: iv.Form, rec: iv.Rec, row: iv.Row, name: clean(iv.Name), answers: iv.Answers, ctx: iv.Ctx}, nil
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
// from the roster (steps.OpenVillage).
func loadVillage(sess *localstore.Session, reg *forms.Registry, f *forms.Form, village string) formLoadedMsg {
	r, err := steps.OpenVillage(sess, reg, f, village)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	return formLoadedMsg{form: r.Form, rec: r.Rec, name: clean(village), answers: r.Answers, ctx: r.Ctx, resume: r.Resume, place: r.Place, fromRoster: r.FromRoster}
}

// prefillAndResume saves the prefilled answers of a record opened for the first time,
// and finds where the enumerator left it (steps.PrefillAndResume).
func prefillAndResume(sess *localstore.Session, iv interview, prefill func(field string) any) formLoadedMsg {
	r, err := steps.PrefillAndResume(sess, steps.Interview{Form: iv.form, Rec: iv.rec, Row: iv.row, Name: iv.name, Answers: iv.answers, Ctx: iv.ctx}, prefill)
	if err != nil {
		return formLoadedMsg{err: err}
	}
	return formLoadedMsg{form: r.Form, rec: r.Rec, name: iv.name, answers: r.Answers, ctx: r.Ctx, resume: r.Resume, place: r.Place, fromRoster: r.FromRoster}
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
