// Package interview is the doorstep interview's steps over the form engine and the store,
// shared by the screens (tui) and plain mode (plainmode): opening a case's record with the
// roster's prefills and where to resume, turning typed text into an answer, what an answer
// saves (with the answers it makes irrelevant), and what stops the enumerator at a question.
//
// It holds no screen and no text layout, and it never decides a survey rule itself: the
// form engine (forms) says what is relevant, wrong or cleared, and the store (localstore)
// keeps it. It must never import tui or plainmode.
package interview

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/validate"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// PrefillReason marks the audit entries of answers taken from the roster when a record
// is first opened: an auditor sees where they came from, and the form does not resume
// after them as if the enumerator had answered.
const PrefillReason = "底册预填 (prefilled from the roster)"

// Interview is a case's record as the steps after the start use it.
type Interview struct {
	Rec     *localstore.Record
	Row     roster.Row
	Name    string // the roster's name, as stored (callers clean it before drawing)
	Answers forms.Answers
	Ctx     forms.Context
}

// Open reads the case and its record of the form.
func Open(sess *localstore.Session, f *forms.Form, caseID string) (Interview, error) {
	c, err := sess.Case(caseID)
	if err != nil {
		return Interview{}, err
	}
	rec, err := sess.RecordFor(caseID, f.ID)
	if err != nil {
		return Interview{}, err
	}
	answers, err := f.DecodeAnswers(rec.Answers)
	if err != nil {
		return Interview{}, err
	}
	return Interview{Rec: rec, Row: c.Row, Name: c.Row.Name, Answers: answers, Ctx: ContextOf(rec, c.Row)}, nil
}

// ContextOf is what the form's expressions know besides the answers: the case header,
// and the roster's sex, category and level until a certificate number answered says
// otherwise.
func ContextOf(rec *localstore.Record, row roster.Row) forms.Context {
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

// Resumed is a record opened for the form: prefilled if it was new, and where the
// enumerator left it.
type Resumed struct {
	Interview
	// Resume is the last question the enumerator answered ("" for none).
	Resume string
	// FromRoster are the answers still as the roster prefilled them.
	FromRoster map[string]bool
}

// OpenForForm opens the case's record for the form; a record opened for the first time
// takes the roster's values for the questions prefilled from it.
func OpenForForm(sess *localstore.Session, f *forms.Form, caseID string) (Resumed, error) {
	iv, err := Open(sess, f, caseID)
	if err != nil {
		return Resumed{}, err
	}
	return PrefillAndResume(sess, f, iv, func(field string) any {
		if v := iv.Row.Prefill(field); v != "" {
			return v
		}
		return nil
	})
}

// PrefillAndResume saves the prefilled answers of a record opened for the first time
// (marked as the roster's in the audit trail), and finds where the enumerator left it.
func PrefillAndResume(sess *localstore.Session, f *forms.Form, iv Interview, prefill func(field string) any) (Resumed, error) {
	rec := iv.Rec
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
	for _, e := range audit {
		if e.Action == localstore.ActionAnswer {
			out.FromRoster[e.Question] = e.Reason == PrefillReason
			if e.Reason != PrefillReason {
				out.Resume = e.Question
			}
		}
	}
	return out, nil
}

// ParseTyped turns what was typed for a question answered in words or numbers into the
// answer the engine takes: nil when the text is empty. A problem means the text cannot
// be an answer of the question's type at all; everything else (a range, an invalid ID)
// is for the engine to judge. Full-width digits from a Chinese input method are fine.
func ParseTyped(q *forms.Question, text string, ref time.Time) (any, *forms.Text) {
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, nil
	}
	narrow := width.Narrow.String(s)
	switch q.Type {
	case forms.TypeInteger:
		n, err := strconv.Atoi(narrow)
		if err != nil {
			return nil, &forms.Text{ZH: "请输入整数，如 3", EN: "Enter a whole number, e.g. 3"}
		}
		return n, nil
	case forms.TypeDecimal:
		x, err := strconv.ParseFloat(narrow, 64)
		if err != nil || strings.ContainsAny(narrow, "eExXpP") {
			return nil, &forms.Text{ZH: "请输入数字，如 2.5", EN: "Enter a number, e.g. 2.5"}
		}
		return x, nil
	case forms.TypeDate:
		d, err := validate.ParseDate(narrow)
		if err != nil {
			if ve, ok := err.(*validate.Error); ok {
				return nil, &forms.Text{ZH: ve.Message("zh"), EN: ve.Message("en")}
			}
			return nil, &forms.Text{ZH: "请输入日期，如 2021-06-15", EN: "Enter a date, e.g. 2021-06-15"}
		}
		return d, nil
	case forms.TypeResidentID:
		if id, err := validate.ParseResidentID(s, ref); err == nil {
			return id.Number, nil
		}
	case forms.TypeCertificate:
		if c, err := validate.ParseCertificate(s, ref); err == nil {
			return c.Number, nil
		}
	case forms.TypePhone:
		if p, err := validate.ParsePhone(s); err == nil {
			return p, nil
		}
	}
	// Text, or a number the engine will find invalid and say why.
	return s, nil
}

// NoteKey is the key of the enumerator's note confirming a warning finding.
func NoteKey(fd forms.Finding) string { return fd.Check + "@" + fd.Question }

// Edit is one answer given (nil v clears it), with what it does to the others.
type Edit struct {
	// Answers are all the answers once it is saved: the engine's clearing applied.
	Answers forms.Answers
	// Changes are what the store saves: the answer, and each answer it made irrelevant.
	Changes []localstore.AnswerChange
	// Cleared are the questions whose answer no longer applies.
	Cleared []string
	// Confirmed is set when a change touches a section agreed at read-back: the store
	// wants a reason (AnswerChange.Reason) for it.
	Confirmed bool
}

// Answer works out what answering q with v (nil: clearing it) saves. spent is the time
// on the question, for the paradata.
func Answer(f *forms.Form, rec *localstore.Record, answers forms.Answers, ctx forms.Context, q *forms.Question, v any, spent time.Duration) Edit {
	candidate := maps.Clone(answers)
	if v == nil {
		delete(candidate, q.ID)
	} else {
		candidate[q.ID] = v
	}
	res := f.Evaluate(candidate, ctx)
	res.Apply(candidate)
	change := func(q *forms.Question) localstore.AnswerChange {
		ch := localstore.AnswerChange{Question: q.ID, Section: q.Section.ID}
		if v, ok := candidate[q.ID]; ok {
			ch.Value, _ = forms.EncodeAnswer(v)
		}
		return ch
	}
	e := Edit{Answers: candidate, Cleared: res.Cleared}
	first := change(q)
	first.Spent = spent
	e.Changes = append(e.Changes, first)
	for _, id := range res.Cleared {
		e.Changes = append(e.Changes, change(f.Question(id)))
	}
	for _, ch := range e.Changes {
		e.Confirmed = e.Confirmed || slices.Contains(rec.Confirmed, ch.Section)
	}
	return e
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
	Message forms.Text // the finding's message (empty for Required)
	NoteKey string     // for a Warning: where its confirming note goes
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
			return Stop{Kind: Error, Message: fd.Message}
		}
		if k := NoteKey(fd); rec.Notes[k] == "" {
			return Stop{Kind: Warning, Message: fd.Message, NoteKey: k}
		}
	}
	return Stop{}
}

// FirstProblem is the earliest question in form order that stops the read-back ("" when
// nothing does), with the counts of each kind of problem.
func FirstProblem(res forms.Result, rec *localstore.Record) (first string, missing, errs, warns int) {
	pos := func(id string) int { return slices.Index(res.Relevant, id) }
	note := func(id string) {
		if first == "" || pos(id) < pos(first) {
			first = id
		}
	}
	for _, fd := range res.Findings {
		switch {
		case fd.Severity == forms.SeverityError:
			errs++
			note(fd.Question)
		case rec.Notes[NoteKey(fd)] == "":
			warns++
			note(fd.Question)
		}
	}
	missing = len(res.Missing)
	if missing > 0 {
		note(res.Missing[0])
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
