package interview

import (
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
)

// A draft started on last year's form, opened once the district has named next year's,
// is offered the move to it (once each time it is opened, never moved unasked): the
// screens and plain mode both ask with MoveTo, work it out with PlanMove and save it
// with Move, so that the record and its audit entry are the same whichever did it.

// MoveReason is the reason of a move's audit entry when the enumerator agreed to it on
// opening the draft.
const MoveReason = "调查员确认移至新表 (moved on the form screen)"

// MoveTo is the form a record opened on form f is offered to move to: next, the form
// new records of its kind start with, when next takes drafts of f. nil when it stays:
// a completed or returned record keeps its form, and so does a record already on next.
func MoveTo(rec *localstore.Record, f, next *forms.Form) *forms.Form {
	st := rec.Status
	if next == nil || f == nil || next == f || !next.CarriesFrom(f) || st.Locked() || st == localstore.StatusReturned {
		return nil
	}
	return next
}

// PlanMove works out moving the record to the form to, with the context the skip rules
// see when the form is open (the case's roster row, or a village's count of certificate
// holders): a wrong one would drop answers the new form asks.
func PlanMove(sess *localstore.Session, reg *forms.Registry, rec *localstore.Record, to *forms.Form) (*survey.MovePlan, error) {
	about := survey.About{}
	if rec.CaseID != "" {
		c, err := sess.Case(rec.CaseID)
		if err != nil {
			return nil, err
		}
		about.Row = c.Row
	} else {
		cases, err := sess.Cases(localstore.CaseFilter{Village: rec.Village})
		if err != nil {
			return nil, err
		}
		about = villageAbout(cases)
	}
	return survey.PlanMove(reg, rec, about, to)
}

// Move saves the planned move of the record: its answers on the new form, and the
// audit entry (localstore.ActionForm) saying what was kept, recoded and dropped.
func Move(sess *localstore.Session, rec *localstore.Record, plan *survey.MovePlan) (*localstore.Record, error) {
	return sess.MoveRecord(rec.ID, localstore.Move{FormID: plan.To.ID, FormVersion: plan.To.Version,
		Answers: plan.Answers, Summary: plan.Summary, Withdraw: plan.Withdraw, Reason: MoveReason})
}
