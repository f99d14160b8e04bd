// Package interview is the doorstep interview's steps over the form engine and the store,
// shared by the screens (tui) and plain mode (plainmode): opening a case's record with
// the roster's prefills and where to resume, what an answer saves (with the answers it
// clears or brings back), and what stops the enumerator at a question. The survey's own
// rules (codes, the note key, reading a stored record) are survey's; the question types'
// are forms'.
//
// It holds no screen and no text layout, and it never decides a survey rule itself: the
// form engine (forms) says what is relevant, wrong or cleared, and the store (localstore)
// keeps it. It must never import tui or plainmode.
package interview

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// PrefillReason marks the audit entries of answers taken from the roster when a record
// is first opened: an auditor sees where they came from, and the form does not resume
// after them as if the enumerator had answered.
const PrefillReason = "底册预填 (prefilled from the roster)"

// ReturnedReason is why an agreed answer of a returned record changes: the leader's
// comment on the record says the rest.
const ReturnedReason = "按组长退回意见修改 (corrected as the leader's return asked)"

// Interview is a case's record with the form it was started with, as the steps after
// the start use it.
type Interview struct {
	Form    *forms.Form
	Rec     *localstore.Record
	Row     roster.Row
	Name    string // the roster's name, as stored (callers clean it before drawing)
	Answers forms.Answers
	Ctx     forms.Context
}

// Open reads the case and its record of the person form f's id, with the form and
// version the record was started with (found in reg).
func Open(sess *localstore.Session, reg *forms.Registry, f *forms.Form, caseID string) (Interview, error) {
	c, err := sess.Case(caseID)
	if err != nil {
		return Interview{}, err
	}
	rec, err := sess.RecordFor(caseID, f.ID, f.Carries.From...) // a draft of last year's form is this case's
	if err != nil {
		return Interview{}, err
	}
	rd, err := survey.Read(reg, rec, survey.About{Row: c.Row})
	if err != nil {
		return Interview{}, err
	}
	return Interview{Form: rd.Form, Rec: rec, Row: c.Row, Name: c.Row.Name, Answers: rd.Answers, Ctx: rd.Context}, nil
}

// Resumed is a record opened for the form: prefilled if it was new, and where the
// enumerator left it.
type Resumed struct {
	Interview
	// Resume is the last question the enumerator answered ("" for none); Place is where
	// the draft was paused, when nothing was answered since.
	Resume, Place string
	// FromRoster are the answers still as the roster prefilled them.
	FromRoster map[string]bool
}

// OpenForForm opens the case's record for the form; a record opened for the first time
// takes the roster's values for the questions prefilled from it.
func OpenForForm(sess *localstore.Session, reg *forms.Registry, f *forms.Form, caseID string) (Resumed, error) {
	iv, err := Open(sess, reg, f, caseID)
	if err != nil {
		return Resumed{}, err
	}
	return PrefillAndResume(sess, iv, func(field string) any {
		if v := iv.Row.Prefill(field); v != "" {
			return v
		}
		return nil
	})
}

// PrefillAndResume saves the prefilled answers of a record opened for the first time
// (marked as the roster's in the audit trail), and finds where the enumerator left it.
// A roster value for a question that does not apply (a 20-digit card's category, asked
// only of an 18-digit one) is not prefilled: nobody would see it, and the first answer
// would clear it.
func PrefillAndResume(sess *localstore.Session, iv Interview, prefill func(field string) any) (Resumed, error) {
	rec, f := iv.Rec, iv.Form
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
		f.Evaluate(filled, iv.Ctx).Apply(filled)
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
			changes = append(changes, localstore.AnswerChange{Question: q.ID, Section: q.Section.ID, Value: raw, Reason: PrefillReason})
		}
		if len(changes) > 0 {
			var err error
			if rec, err = sess.SaveAnswers(rec.ID, changes...); err != nil {
				return Resumed{}, err
			}
			if iv.Answers, err = f.DecodeAnswers(rec.Answers); err != nil {
				return Resumed{}, err
			}
			iv.Rec = rec
		}
	}
	audit, err := sess.Audit(rec.ID)
	if err != nil {
		return Resumed{}, err
	}
	out := Resumed{Interview: iv, FromRoster: map[string]bool{}}
	answered := answeredBy(audit)
	for _, e := range audit {
		if e.Action == localstore.ActionAnswer {
			out.FromRoster[e.Question] = e.Reason == PrefillReason
			// An answer to a question a move dropped has no place on this form: the
			// draft goes on after the last answer it kept.
			if answered[e.Seq] && f.Question(e.Question) != nil {
				out.Resume = e.Question
			}
		}
	}
	place, err := sess.Place(rec.ID)
	if err != nil {
		return Resumed{}, err
	}
	out.Place = place.Question
	for _, e := range audit {
		if answered[e.Seq] && e.Seq > place.AuditLen {
			out.Place = "" // answered since the pause: the last answer says more
		}
	}
	return out, nil
}

// answeredBy are the audit entries (by Seq) of answers the enumerator gave: not the
// roster's prefills, nor the answers a move to another form changed (a dropped
// question, a recoded code), which would otherwise open a moved draft at its first
// question instead of where it was left.
func answeredBy(audit []localstore.AuditEntry) map[uint64]bool {
	out := map[uint64]bool{}
	moved := "" // the reason of the last move's answers
	for _, e := range audit {
		switch e.Action {
		case localstore.ActionForm:
			var to struct{ Form string }
			if json.Unmarshal(e.New, &to) == nil {
				moved = localstore.MovedAnswerReason(to.Form)
			}
		case localstore.ActionAnswer:
			out[e.Seq] = e.Reason != PrefillReason && (moved == "" || e.Reason != moved)
		}
	}
	return out
}

// Edit is one answer given (nil: cleared), with what it does to the others.
type Edit struct {
	// Answers are all the answers once it is saved: the engine's clearing applied, and
	// answers cleared earlier in this sitting brought back where they apply again.
	Answers forms.Answers
	// Changes are what the store saves: the answer, and every other answer it cleared
	// or brought back; each withdraws the notes confirming a warning at its question,
	// since a note confirms one value.
	Changes []localstore.AnswerChange
	// Cleared and Restored are the questions whose answers it cleared and brought back.
	Cleared, Restored []string
	// Confirmed is set when a change touches a section agreed at read-back: the store
	// wants a reason (AnswerChange.Reason) for it.
	Confirmed bool
}

// Answer works out what answering q with v (nil: clearing it) saves. stash keeps, for
// the sitting, the answers other answers cleared, so that changing an answer back
// brings them back; Answer updates it. spent is the time on the question.
func Answer(f *forms.Form, rec *localstore.Record, answers forms.Answers, ctx forms.Context, stash map[string]any,
	q *forms.Question, v any, spent time.Duration) Edit {
	candidate := maps.Clone(answers)
	if v == nil {
		delete(candidate, q.ID)
	} else {
		candidate[q.ID] = v
	}
	delete(stash, q.ID) // answered anew: nothing of before to bring back
	res := f.Evaluate(candidate, ctx)
	res.Apply(candidate)
	cleared := res.Cleared
	restored := restore(f, ctx, stash, candidate)
	if len(restored) > 0 {
		res = f.Evaluate(candidate, ctx)
		res.Apply(candidate)
		cleared = append(cleared, res.Cleared...)
	}
	change := func(cq *forms.Question) localstore.AnswerChange {
		ch := localstore.AnswerChange{Question: cq.ID, Section: cq.Section.ID, Withdraw: survey.NotesAt(rec, cq.ID)}
		if v, ok := candidate[cq.ID]; ok {
			ch.Value, _ = forms.EncodeAnswer(v)
		}
		if cq == q {
			ch.Spent = spent
		}
		return ch
	}
	e := Edit{Answers: candidate, Cleared: cleared, Restored: restored}
	e.Changes = append(e.Changes, change(q))
	for _, cq := range f.Questions() {
		if cq != q && answerChanged(answers, candidate, cq.ID) {
			e.Changes = append(e.Changes, change(cq))
		}
	}
	for _, ch := range e.Changes {
		e.Confirmed = e.Confirmed || slices.Contains(rec.Confirmed, ch.Section)
	}
	for _, id := range cleared {
		if _, ok := stash[id]; !ok && answers[id] != nil {
			stash[id] = answers[id]
		}
	}
	return e
}

// restore brings back into candidate the stashed answers that apply again, in form
// order, and returns their questions.
func restore(f *forms.Form, ctx forms.Context, stash map[string]any, candidate forms.Answers) []string {
	var out []string
	for again := true; again; {
		again = false
		for _, q := range f.Questions() {
			v, ok := stash[q.ID]
			if _, has := candidate[q.ID]; !ok || has {
				continue
			}
			candidate[q.ID] = v
			r := f.Evaluate(candidate, ctx)
			if slices.Contains(r.Relevant, q.ID) && !slices.Contains(r.Cleared, q.ID) {
				delete(stash, q.ID)
				out = append(out, q.ID)
				again = true
				continue
			}
			delete(candidate, q.ID)
		}
	}
	order := func(id string) int {
		return slices.IndexFunc(f.Questions(), func(q *forms.Question) bool { return q.ID == id })
	}
	slices.SortFunc(out, func(a, b string) int { return order(a) - order(b) })
	return out
}

func answerChanged(a, b forms.Answers, id string) bool {
	x, inA := a[id]
	y, inB := b[id]
	return inA != inB || inA && !reflect.DeepEqual(x, y)
}

// StopKind is why the enumerator cannot go on from a question.
type StopKind int

// Reasons to stop at a question.
const (
	GoOn     StopKind = iota
	Required          // relevant, required and unanswered
	Error             // a check or constraint with severity error fails
	Warning           // a warning fails and no note confirms it yet
)

// Stop is what stands at a question.
type Stop struct {
	Kind    StopKind
	Finding forms.Finding // the check that fails (zero for Required)
	NoteKey string        // for a Warning: where its confirming note goes
}

// StopAt says whether the question's answer stops the enumerator, and why: missing,
// an error, or a warning without its note.
func StopAt(res forms.Result, rec *localstore.Record, answers forms.Answers, id string) Stop {
	if _, ok := answers[id]; !ok && slices.Contains(res.Missing, id) {
		return Stop{Kind: Required}
	}
	for _, fd := range res.Findings {
		if fd.Question != id {
			continue
		}
		if fd.Severity == forms.SeverityError {
			return Stop{Kind: Error, Finding: fd}
		}
		if k := survey.NoteKey(fd); rec.Notes[k] == "" {
			return Stop{Kind: Warning, Finding: fd, NoteKey: k}
		}
	}
	return Stop{}
}

// FirstProblem is the earliest question in form order that stops the read-back ("" when
// nothing does), with the counts of each kind of problem.
func FirstProblem(res forms.Result, rec *localstore.Record) (first string, missing, errs, warns int) {
	for _, fd := range res.Findings {
		switch {
		case fd.Severity == forms.SeverityError:
			errs++
		case rec.Notes[survey.NoteKey(fd)] == "":
			warns++
		default:
			continue
		}
		if first == "" {
			first = fd.Question
		}
	}
	missing = len(res.Missing)
	if missing > 0 {
		// The earliest problem in form order comes first.
		m := res.Missing[0]
		if first == "" || slices.Index(res.Relevant, m) < slices.Index(res.Relevant, first) {
			first = m
		}
	}
	return first, missing, errs, warns
}

// After is the relevant question following id in form order ("" at the end). id may no
// longer be relevant: then the first relevant one after its place.
func After(f *forms.Form, res forms.Result, id string) string {
	if i := slices.Index(res.Relevant, id); i >= 0 {
		if i+1 < len(res.Relevant) {
			return res.Relevant[i+1]
		}
		return ""
	}
	pos := -1
	for i, q := range f.Questions() {
		if q.ID == id {
			pos = i
		}
	}
	for i, q := range f.Questions() {
		if i > pos && slices.Contains(res.Relevant, q.ID) {
			return q.ID
		}
	}
	return ""
}
