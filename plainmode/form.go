package plainmode

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/doorstep-survey/doorstep/forms"
	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
)

// formState is the interview in hand: the record, its answers and what the engine says.
type formState struct {
	f       *forms.Form
	rec     *localstore.Record
	answers forms.Answers
	ctx     forms.Context
	res     forms.Result
	section string // the section last announced
	// stash keeps the answers cleared in this sitting, brought back if the answer
	// that cleared them changes back.
	stash map[string]any
}

func (st *formState) evaluate() { st.res = st.f.Evaluate(st.answers, st.ctx) }

// errPaused leaves the form for the case list; the draft stays.
var errPaused = errors.New("paused")

// target is what a form is filled for: a case (the person form), or a village (the
// form filled once per village, 社区登记表).
type target struct{ caseID, village string }

// form is the interview, question by question, then the read-back (a village's form:
// its reading and the filler's signature). fix is set when the read-back sends one
// question to correct: it is asked once and form returns. Opened otherwise, a draft of
// last year's form is offered the move to the form new records start with.
func (p *plain) form(to target, fix string) error {
	r, err := p.openForm(to)
	if err != nil {
		p.line(p.errText(err))
		return nil
	}
	if fix == "" {
		moved, err := p.offerMove(to, r)
		if err != nil {
			return err
		}
		if moved {
			if r, err = p.openForm(to); err != nil {
				p.line(p.errText(err))
				return nil
			}
		}
	}
	st := &formState{f: r.Form, rec: r.Rec, answers: r.Answers, ctx: r.Ctx, stash: map[string]any{}}
	st.evaluate()
	cur := p.resumeAt(st, r.Resume)
	if r.Place != "" && slices.Contains(st.res.Relevant, r.Place) {
		cur = r.Place // paused here, nothing answered since
	}
	if fix != "" {
		cur = fix
	}
	for {
		if cur == "" {
			first, missing, errs, warns := steps.FirstProblem(st.res, st.rec)
			if first == "" && to.village != "" {
				return p.villageEnd(to.village)
			}
			if first == "" {
				return p.readBack(to.caseID)
			}
			p.say("form.problems", missing, errs, warns, first)
			cur = first
			continue
		}
		next, err := p.question(st, cur, fix != "")
		if errors.Is(err, errPaused) {
			// The draft opens here again, as the screens' does. A place not kept costs
			// only where it opens: the answers are saved.
			_ = p.sess.SetPlace(st.rec.ID, localstore.Place{Question: cur, AuditLen: st.rec.AuditLen})
			p.say("paused")
			return nil
		}
		if err != nil {
			return err
		}
		if fix != "" && next != cur {
			return nil
		}
		cur = next
	}
}

// openForm opens the target's record for the form: a case's with the roster's
// prefills, a village's with the village's.
func (p *plain) openForm(to target) (steps.Resumed, error) {
	if to.village != "" {
		return steps.OpenVillage(p.sess, p.o.Forms, p.o.CommunityForm, to.village)
	}
	return steps.OpenForForm(p.sess, p.o.Forms, p.o.PersonForm, to.caseID)
}

// resumeAt is where a record opens: a returned record at its first commented question,
// a draft after the last answer given (at it, if it has a problem), else the start.
func (p *plain) resumeAt(st *formState, resume string) string {
	if st.rec.Status == localstore.StatusReturned && len(st.rec.Comments) > 0 {
		last := st.rec.Comments[len(st.rec.Comments)-1].At
		for _, id := range st.res.Relevant {
			for _, cm := range st.rec.Comments {
				if cm.At.Equal(last) && cm.Question == id {
					return id
				}
			}
		}
	}
	if resume != "" {
		if steps.StopAt(st.res, st.rec, st.answers, resume).Kind != steps.GoOn {
			return resume
		}
		return steps.After(st.f, st.res, resume)
	}
	if len(st.res.Relevant) > 0 {
		return st.res.Relevant[0]
	}
	return ""
}

// prompt is the question in one line: where it is, the label, the options or what to
// type, and the answer it has.
func (p *plain) prompt(st *formState, q *forms.Question) string {
	pos := slices.Index(st.res.Relevant, q.ID) + 1
	parts := []string{p.t("q.where", pos, len(st.res.Relevant), q.ID), c(q.Label.In(p.lang)) + p.t("stop")}
	switch {
	case q.Type.IsChoice():
		offered := st.f.Offered(st.answers, st.ctx, q.ID)
		opts := make([]string, len(offered))
		for i, o := range offered {
			opts[i] = fmt.Sprintf("%d %s", o.Code, c(o.Label.In(p.lang)))
		}
		parts = append(parts, strings.Join(opts, p.t("comma"))+p.t("stop"))
		if q.Type == forms.TypeMultiple {
			parts = append(parts, p.t("q.multiple"))
		}
	default:
		parts = append(parts, p.t("q.type."+string(q.Type)))
		if u := q.Unit.In(p.lang); u != "" {
			parts = append(parts, p.t("q.unit", c(u)))
		}
	}
	if v, ok := st.answers[q.ID]; ok {
		parts = append(parts, p.t("q.answer", c(q.FormatAnswer(v, p.lang))))
	}
	// Chinese sentences follow each other without a space, English ones with one.
	return strings.Join(parts, p.t("join"))
}

// question asks one question until it is answered (or kept) and nothing stops there,
// and returns the question to ask next ("" for the end).
func (p *plain) question(st *formState, id string, fixing bool) (string, error) {
	q := st.f.Question(id)
	if q == nil {
		return "", nil
	}
	if sec := q.Section; sec != nil && sec.ID != st.section {
		st.section = sec.ID
		p.say("section", c(sec.Title.In(p.lang)))
	}
	for _, cm := range st.rec.Comments {
		if cm.Question == id && st.rec.Status == localstore.StatusReturned {
			p.say("comment", c(cm.Question), c(cm.Text))
		}
	}
	shown := p.o.Now()
	help := func() string {
		h := q.Help.In(p.lang)
		if h == "" {
			return p.t("nohelp")
		}
		return c(h)
	}
	say := true // after an error the prompt is not said again: r repeats it
	for {
		l, err := p.askAgain(func() string { return p.prompt(st, q) }, func() string { return help() + "\n" + p.t("help.form") }, say)
		say = false
		if err != nil {
			return "", err
		}
		switch lower := strings.ToLower(l); {
		case lower == "q" || l == "暂停":
			return "", errPaused
		case lower == "b" && !fixing:
			i := slices.Index(st.res.Relevant, id)
			if i > 0 {
				return st.res.Relevant[i-1], nil
			}
			p.say("first")
			continue
		case strings.HasPrefix(lower, "j ") && !fixing:
			to := strings.ToUpper(strings.TrimSpace(l[2:]))
			if !slices.Contains(st.res.Relevant, to) {
				p.say("nojump", c(to))
				continue
			}
			return to, nil
		case l == "":
			// Enter keeps the answer there is, and goes on if nothing stops here.
		default:
			v, bad := p.parse(st, q, l)
			if bad != "" {
				p.line(bad)
				continue
			}
			saved, err := p.save(st, q, v, p.o.Now().Sub(shown))
			if err != nil {
				return "", err
			}
			if !saved {
				continue
			}
		}
		stop := steps.StopAt(st.res, st.rec, st.answers, id)
		switch stop.Kind {
		case steps.Required:
			p.say("required")
			continue
		case steps.Error:
			p.say("finding.error", c(stop.Finding.Message.In(p.lang)))
			continue
		case steps.Warning:
			p.say("finding.warning", c(stop.Finding.Message.In(p.lang)))
			note, err := p.ask(func() string { return p.t("warning.note") }, nil)
			if err != nil {
				return "", err
			}
			if note == "" {
				say = true
				continue
			}
			rec, err := p.sess.ConfirmWarning(st.rec.ID, stop.NoteKey, note)
			if err != nil {
				p.line(p.errText(err))
				continue
			}
			st.rec = rec
			p.say("noted")
		}
		return steps.After(st.f, st.res, id), nil
	}
}

// parse turns a typed line into an answer of q: option codes (separated by spaces or
// commas) for a choice, else the text. A problem comes back as the line to say.
func (p *plain) parse(st *formState, q *forms.Question, l string) (any, string) {
	if !q.Type.IsChoice() {
		v, bad := q.Input(l, st.f.ReferenceDate)
		if bad != nil {
			return nil, bad.In(p.lang)
		}
		return v, ""
	}
	offered := st.f.Offered(st.answers, st.ctx, q.ID)
	fields := strings.FieldsFunc(width.Narrow.String(l), func(r rune) bool {
		return r == ' ' || r == ',' || r == '、' || r == '，' || r == ';' || r == '；'
	})
	var codes []int
	for _, fl := range fields {
		n, err := strconv.Atoi(fl)
		ok := err == nil && slices.ContainsFunc(offered, func(o *forms.Option) bool { return o.Code == n })
		if !ok {
			valid := make([]string, len(offered))
			for i, o := range offered {
				valid[i] = strconv.Itoa(o.Code)
			}
			return nil, p.t("notoption.codes", c(fl), strings.Join(valid, p.t("comma")))
		}
		if !slices.Contains(codes, n) {
			codes = append(codes, n)
		}
	}
	if len(codes) == 0 {
		return nil, p.t("notoption", c(l))
	}
	if q.Type == forms.TypeSingle {
		if len(codes) > 1 {
			return nil, p.t("single")
		}
		return codes[0], ""
	}
	// In form order, as the screens keep it and the read-back reads it.
	slices.SortFunc(codes, func(a, b int) int { return optionIndex(q, a) - optionIndex(q, b) })
	if len(codes) > 1 {
		for _, code := range codes {
			if o := q.Option(code); o != nil && o.Exclusive {
				return nil, p.t("exclusive", c(o.Label.In(p.lang)))
			}
		}
	}
	return codes, ""
}

func optionIndex(q *forms.Question, code int) int {
	for i, o := range q.Options {
		if o.Code == code {
			return i
		}
	}
	return len(q.Options)
}

// save keeps the answer with those it clears, asking why when a section already agreed
// at read-back changes. saved is false when nothing was saved (the reason was not given,
// or the store refused, which it says).
func (p *plain) save(st *formState, q *forms.Question, v any, spent time.Duration) (bool, error) {
	edit := steps.Answer(st.f, st.rec, st.answers, st.ctx, st.stash, q, v, spent)
	if edit.Confirmed && st.rec.Status == localstore.StatusReturned {
		// The leader's return is why: the comment is on the record.
		for i := range edit.Changes {
			edit.Changes[i].Reason = steps.ReturnedReason
		}
	} else if edit.Confirmed {
		reason, err := p.ask(func() string { return p.t("reason") }, nil)
		if err != nil {
			return false, err
		}
		if reason == "" {
			p.say("notsaved.back")
			return false, nil
		}
		for i := range edit.Changes {
			edit.Changes[i].Reason = reason
		}
	}
	rec, err := p.sess.SaveAnswers(st.rec.ID, edit.Changes...)
	if err != nil {
		p.line(p.errText(err))
		return false, nil
	}
	st.rec, st.answers = rec, edit.Answers
	st.evaluate()
	names := func(ids []string) string {
		var out []string
		for _, id := range ids {
			out = append(out, id+" "+c(st.f.Question(id).ReadBackLabel().In(p.lang)))
		}
		return strings.Join(out, p.t("comma"))
	}
	if len(edit.Cleared) > 0 {
		p.say("cleared", names(edit.Cleared))
	}
	if len(edit.Restored) > 0 {
		p.say("restored", names(edit.Restored))
	}
	return true, nil
}
