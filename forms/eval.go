package forms

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/doorstep-survey/doorstep/forms/validate"
)

// Answers holds a case's answers by question id. Values are normalised (ParseAnswers does
// that for input from outside): single and integer → int, multiple → []int (codes in the
// order chosen), decimal → float64, date → time.Time at UTC midnight, every other type →
// string. An absent key is an unanswered question.
type Answers map[string]any

// Context is what is known about the case besides its answers: method, outcome, age, sex,
// category, level, roster_count. An absent key is unknown.
type Context map[string]int

// Result is what the engine says about a set of answers.
type Result struct {
	Relevant []string  // relevant questions, in form order
	Missing  []string  // relevant, required and unanswered
	Findings []Finding // failed checks and constraints, in the order of their questions
	// Cleared lists questions whose answer (or some chosen options) no longer apply because
	// of other answers; Apply removes them.
	Cleared []string
	// Held lists questions whose answer (or some chosen options) is kept but not shown,
	// counted or checked, because whether it applies depends on a context value (age,
	// sex, category, level, …) that is unknown or invalid just now — a mistyped
	// certificate number, say. Apply leaves them; they come back when the value is known.
	Held     []string
	Complete bool // nothing missing and no error

	kept []any // by Cleared index: what remains of the answer, nil when none
}

// Finding is one failed check at one question.
type Finding struct {
	Check    string   `json:"check"`
	Question string   `json:"question"`
	Severity Severity `json:"severity"`
	Message  Text     `json:"message"`
}

// Check ids of findings that come from the question itself rather than a form check.
const (
	CheckConstraint = "constraint" // min, max, max_length or the question's constraint
	CheckFormat     = "format"     // a validator (ID, phone, …) or a value of the wrong type
	CheckExpression = "expression" // an expression failed at run time: a fault in the form
)

// evalState is the scratch space of one evaluation. It is pooled per form so evaluating
// after each keystroke allocates nothing that grows with the answers given.
type evalState struct {
	form     *Form
	env      map[string]any
	has      []bool // answered, by question index, after clearing
	relevant []bool // by question index
	// unsure marks questions not relevant only because their relevance could not be
	// decided (a context value unknown or invalid): their answers are held, not cleared.
	unsure   []bool
	known    contextSet
	vm       vm.VM
	findings []Finding
	at       []int // question index of each finding, for ordering
}

type envPool struct {
	form *Form
	pool sync.Pool
}

func (p *envPool) get() *evalState {
	if st, ok := p.pool.Get().(*evalState); ok {
		return st
	}
	f := p.form
	st := &evalState{
		form:     f,
		env:      f.typeEnv(),
		has:      make([]bool, len(f.questions)),
		relevant: make([]bool, len(f.questions)),
		unsure:   make([]bool, len(f.questions)),
	}
	st.env["reference_date"] = f.ReferenceDate
	st.env["answered"] = st.answered
	return st
}

func (p *envPool) put(st *evalState) {
	st.findings = st.findings[:0]
	st.at = st.at[:0]
	p.pool.Put(st)
}

func (st *evalState) answered(id string) bool {
	q := st.form.byID[id]
	return q != nil && st.has[q.index]
}

// eval runs a compiled expression. One that cannot be decided (see evalKnown) is false:
// nothing is asked or flagged on a guess.
func (st *evalState) eval(p *program, qi int) bool {
	v, _ := st.evalKnown(p, qi)
	return v
}

// evalKnown runs a compiled expression and says whether it could be decided: not when it
// needs a context value that is not known, nor when it reads a question whose own
// relevance could not be decided (its answer, if any, is held).
func (st *evalState) evalKnown(p *program, qi int) (value, known bool) {
	if p.uses&^st.known != 0 {
		return false, false
	}
	for _, r := range p.reads {
		if st.unsure[r] {
			return false, false
		}
	}
	out, err := st.vm.Run(p.prog, st.env)
	if err != nil {
		st.add(qi, Finding{Check: CheckExpression, Severity: SeverityError, Message: Text{
			ZH: "表单定义有误，请联系区县管理员：" + err.Error(),
			EN: "the form definition is faulty, tell the district: " + err.Error(),
		}})
		return false, true
	}
	b, _ := out.(bool)
	return b, true
}

func (st *evalState) add(qi int, fd Finding) {
	if qi >= 0 {
		fd.Question = st.form.questions[qi].ID
	}
	st.findings = append(st.findings, fd)
	st.at = append(st.at, qi)
}

// Evaluate says which questions are relevant, which are missing, which checks fail and
// which answers no longer apply. It does not change a; see Result.Apply.
func (f *Form) Evaluate(a Answers, c Context) Result {
	st := f.envPool.get()
	defer f.envPool.put(st)
	res, formRelevant := f.relevance(st, a, c)
	if formRelevant {
		f.checkAnswers(st, a)
		f.runChecks(st)
	}
	if len(st.findings) > 0 {
		idx := make([]int, len(st.findings))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(x, y int) bool { return st.at[idx[x]] < st.at[idx[y]] })
		res.Findings = make([]Finding, len(idx))
		for i, j := range idx {
			res.Findings[i] = st.findings[j]
		}
	}
	res.Complete = len(res.Missing) == 0 && !res.HasErrors()
	return res
}

// relevance is Evaluate's first pass, in form order: which questions apply, which answers
// are cleared, what is missing. It leaves st's environment as the checks must see it.
func (f *Form) relevance(st *evalState, a Answers, c Context) (Result, bool) {
	st.known = 0
	for i, name := range contextVars {
		v, ok := c[name]
		if ok {
			st.known |= 1 << i
		}
		st.env[name] = v
	}
	f.deriveSubject(st, a)

	res := Result{Relevant: make([]string, 0, len(f.questions))}
	formRelevant, formKnown := true, true
	if f.relevant != nil {
		formRelevant, formKnown = st.evalKnown(f.relevant, -1)
	}
	for i, q := range f.questions {
		v, answered := a[q.ID]
		if answered && reflect.TypeOf(v) != reflect.TypeOf(q.spec.zero) {
			st.add(i, Finding{Check: CheckFormat, Severity: SeverityError, Message: Text{
				ZH: fmt.Sprintf("答案类型不对（%T）", v), EN: fmt.Sprintf("answer of the wrong kind (%T)", v)}})
			answered = false
		}
		rel, unsure := formRelevant, !formKnown
		if rel && q.Parent != nil {
			rel, unsure = st.relevant[q.Parent.index], st.unsure[q.Parent.index]
		}
		if rel && q.relevant != nil {
			var known bool
			rel, known = st.evalKnown(q.relevant, i)
			unsure = !known
		}
		if rel && q.spec.editor != EditLine {
			rel, unsure = st.anyOptionOffered(q, i)
		}
		st.relevant[i], st.unsure[i] = rel, !rel && unsure
		if !rel {
			if answered && unsure {
				res.Held = append(res.Held, q.ID)
			} else if answered {
				res.Cleared = append(res.Cleared, q.ID)
				res.kept = append(res.kept, nil)
			}
			st.has[i] = false
			st.env[q.ID] = q.spec.zero
			continue
		}
		heldAll := false
		if answered && q.spec.editor != EditLine {
			shown, stored, dropped, held := st.splitChosen(q, i, v)
			if dropped {
				res.Cleared = append(res.Cleared, q.ID)
				res.kept = append(res.kept, stored)
			}
			if held {
				res.Held = append(res.Held, q.ID)
			}
			v, answered = shown, shown != nil
			heldAll = shown == nil && stored != nil
		}
		st.has[i] = answered
		if answered {
			st.env[q.ID] = v
		} else {
			st.env[q.ID] = q.spec.zero
		}
		res.Relevant = append(res.Relevant, q.ID)
		if !answered && !heldAll && q.Required {
			res.Missing = append(res.Missing, q.ID)
		}
	}
	return res, formRelevant
}

// Offered returns the options of a choice question that apply now, given the answers
// and the context: what a screen shows. It is empty for a question that is not relevant.
func (f *Form) Offered(a Answers, c Context, id string) []*Option {
	q := f.byID[id]
	if q == nil || !q.Type.IsChoice() {
		return nil
	}
	st := f.envPool.get()
	defer f.envPool.put(st)
	f.relevance(st, a, c)
	if !st.relevant[q.index] {
		return nil
	}
	var out []*Option
	for _, o := range q.Options {
		if o.relevant == nil || st.eval(o.relevant, q.index) {
			out = append(out, o)
		}
	}
	return out
}

// HasErrors reports whether any finding is an error.
func (r Result) HasErrors() bool {
	for _, fd := range r.Findings {
		if fd.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Apply removes from a what the result cleared: answers of questions that no longer apply,
// and chosen options that are no longer offered.
func (r Result) Apply(a Answers) {
	for i, id := range r.Cleared {
		if keep := r.kept[i]; keep != nil {
			a[id] = keep
		} else {
			delete(a, id)
		}
	}
}

// anyOptionOffered says whether any option of a choice question is offered now, and
// when none is, whether that is only because some could not be decided.
func (st *evalState) anyOptionOffered(q *Question, qi int) (offered, unsure bool) {
	for _, o := range q.Options {
		if o.relevant == nil {
			return true, false
		}
		v, known := st.evalKnown(o.relevant, qi)
		if v {
			return true, false
		}
		unsure = unsure || !known
	}
	return false, unsure
}

// optionState is whether a chosen code is offered now: yes, no, or not decidable (held).
type optionState int

const (
	optionOffered optionState = iota
	optionDropped
	optionHeld
)

func (st *evalState) optionState(q *Question, qi, code int) optionState {
	o := q.Option(code)
	if o == nil {
		return optionDropped
	}
	if o.relevant == nil {
		return optionOffered
	}
	switch v, known := st.evalKnown(o.relevant, qi); {
	case !known:
		return optionHeld
	case v:
		return optionOffered
	}
	return optionDropped
}

// splitChosen sorts the chosen codes: shown is what is offered now (what the checks
// see; nil when nothing), stored what the record keeps (offered and held codes; nil
// when nothing); dropped and held say whether any code is cleared or held.
func (st *evalState) splitChosen(q *Question, qi int, v any) (shown, stored any, dropped, held bool) {
	switch x := v.(type) {
	case int:
		switch st.optionState(q, qi, x) {
		case optionOffered:
			return v, v, false, false
		case optionHeld:
			return nil, v, false, true
		}
		return nil, nil, true, false
	case []int:
		var states []optionState
		nShown, nStored := 0, 0
		for _, code := range x {
			s := st.optionState(q, qi, code)
			states = append(states, s)
			if s == optionOffered {
				nShown++
			}
			if s != optionDropped {
				nStored++
			}
		}
		if nShown == len(x) {
			return v, v, false, false
		}
		shownCodes, storedCodes := make([]int, 0, nShown), make([]int, 0, nStored)
		for i, code := range x {
			if states[i] == optionOffered {
				shownCodes = append(shownCodes, code)
			}
			if states[i] != optionDropped {
				storedCodes = append(storedCodes, code)
			}
		}
		if nShown > 0 {
			shown = shownCodes
		}
		if nStored > 0 {
			stored = storedCodes
		}
		return shown, stored, nStored < len(x), nShown < nStored
	}
	return v, v, false, false
}

// deriveSubject fills age, sex, category and level from a valid certificate answer, which
// wins over the context: the enumerator may have corrected the roster's number at the door.
func (f *Form) deriveSubject(st *evalState, a Answers) {
	if f.Subject.Certificate == "" {
		return
	}
	s, _ := a[f.Subject.Certificate].(string)
	if s == "" {
		return
	}
	cert, err := validate.ParseCertificate(s, f.ReferenceDate)
	if err != nil {
		return
	}
	set := func(name string, v int) {
		st.env[name] = v
		st.known |= contextBit(name)
	}
	set("age", cert.ID.AgeAt(f.ReferenceDate))
	set("sex", cert.ID.Sex)
	if !cert.Legacy {
		set("category", cert.Category)
		set("level", cert.Level)
		return
	}
	if v, ok := a[f.Subject.Category].(int); ok && f.Subject.Category != "" {
		set("category", v)
	}
	if v, ok := a[f.Subject.Level].(int); ok && f.Subject.Level != "" {
		set("level", v)
	}
}

// checkAnswers applies each relevant answered question's own rules: its type's validator,
// min, max, length and constraint.
func (f *Form) checkAnswers(st *evalState, a Answers) {
	for i, q := range f.questions {
		if !st.relevant[i] || !st.has[i] {
			continue
		}
		v := st.env[q.ID]
		spec := q.spec
		if spec.check != nil {
			if msg := spec.check(q, v); msg != nil {
				st.add(i, Finding{Check: CheckConstraint, Severity: SeverityError, Message: *msg})
			}
		}
		if spec.validate != nil && !f.hasInvalidCheck[q.ID] {
			if err := spec.validate(v.(string), f.ReferenceDate); err != nil {
				st.add(i, Finding{Check: CheckFormat, Severity: SeverityError, Message: reasonText(err)})
			}
		}
		if q.constraint != nil && !st.eval(q.constraint, i) && !st.lastIsExpressionError(i) {
			st.add(i, Finding{Check: CheckConstraint, Severity: SeverityError, Message: q.ConstraintMessage})
		}
	}
}

// lastIsExpressionError tells a constraint that failed to run from one that ran and was
// false, so a broken form is not also blamed on the enumerator's answer.
func (st *evalState) lastIsExpressionError(qi int) bool {
	n := len(st.findings)
	return n > 0 && st.at[n-1] == qi && st.findings[n-1].Check == CheckExpression
}

func (f *Form) runChecks(st *evalState) {
	for _, c := range f.Checks {
		switch {
		case c.Exclusive:
			for i, q := range f.questions {
				if q.spec.editor == EditPickMany && st.relevant[i] && st.has[i] && exclusiveViolated(q, st.env[q.ID].([]int)) {
					st.add(i, Finding{Check: c.ID, Severity: c.Severity, Message: c.Message})
				}
			}
		case c.Invalid:
			q := f.byID[c.At]
			if !st.relevant[q.index] || !st.has[q.index] {
				continue
			}
			if err := validateAnswer(q.Type, st.env[q.ID].(string), f.ReferenceDate); err != nil {
				r := reasonText(err)
				st.add(q.index, Finding{Check: c.ID, Severity: c.Severity, Message: Text{
					ZH: c.Message.ZH + "：" + r.ZH, EN: joinEN(c.Message.EN, r.EN)}})
			}
		default:
			q := f.byID[c.At]
			if st.relevant[q.index] && st.eval(c.when, q.index) {
				st.add(q.index, Finding{Check: c.ID, Severity: c.Severity, Message: c.Message})
			}
		}
	}
}

func joinEN(a, b string) string {
	if a == "" {
		return b
	}
	return a + ": " + b
}

func exclusiveViolated(q *Question, codes []int) bool {
	if len(codes) < 2 {
		return false
	}
	return slices.ContainsFunc(codes, func(code int) bool {
		o := q.Option(code)
		return o != nil && o.Exclusive
	})
}

func validateAnswer(t Type, s string, ref time.Time) error {
	if v := t.spec().validate; v != nil {
		return v(s, ref)
	}
	return nil
}

func reasonText(err error) Text {
	var ve *validate.Error
	if errors.As(err, &ve) {
		return Text{ZH: ve.Message("zh"), EN: ve.Message("en")}
	}
	return Text{ZH: err.Error(), EN: err.Error()}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func rangeMessage(q *Question) Text {
	num := func(p *float64) string { return fmt.Sprintf("%g", *p) }
	switch {
	case q.Min != nil && q.Max != nil:
		return Text{ZH: fmt.Sprintf("应在 %s 到 %s 之间", num(q.Min), num(q.Max)),
			EN: fmt.Sprintf("must be between %s and %s", num(q.Min), num(q.Max))}
	case q.Min != nil:
		return Text{ZH: "不能小于 " + num(q.Min), EN: "must be at least " + num(q.Min)}
	default:
		return Text{ZH: "不能大于 " + num(q.Max), EN: "must be at most " + num(q.Max)}
	}
}
