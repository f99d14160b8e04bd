package forms

import (
	"slices"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/doorstep-survey/doorstep/forms/validate"
)

// CheckReads returns the questions a check's condition reads, in form order, its own
// question among them: where an enumerator may look when the check fires, since the
// answer to fix may be another than the one it is shown at. A case variable derived
// from the subject's questions (age, sex from the certificate number; category and
// level from it or an old card's questions) counts as those questions. Nil for an
// unknown check.
func (f *Form) CheckReads(checkID string) []string {
	c := f.check(checkID)
	if c == nil {
		return nil
	}
	qs, vars := f.checkRefs(c)
	reads := map[string]bool{}
	for _, id := range qs {
		reads[id] = true
	}
	for _, v := range vars {
		switch v {
		case "age", "sex":
			reads[f.Subject.Certificate] = true
		case "category":
			reads[f.Subject.Certificate], reads[f.Subject.Category] = true, true
		case "level":
			reads[f.Subject.Certificate], reads[f.Subject.Level] = true, true
		}
	}
	var out []string
	for _, q := range f.questions {
		if reads[q.ID] {
			out = append(out, q.ID)
		}
	}
	return out
}

// CheckUsesAge reports whether a check's condition reads the age, so that its message
// can say the age it was judged on.
func (f *Form) CheckUsesAge(checkID string) bool {
	c := f.check(checkID)
	if c == nil {
		return false
	}
	_, vars := f.checkRefs(c)
	return slices.Contains(vars, "age")
}

// Age is the subject's age at the reference date as the checks see it: from a valid
// certificate number answered, else the context's; ok is false when it is not known.
func (f *Form) Age(a Answers, ctx Context) (age int, ok bool) {
	if s, _ := a[f.Subject.Certificate].(string); s != "" && f.Subject.Certificate != "" {
		if cert, err := validate.ParseCertificate(s, f.ReferenceDate); err == nil {
			return cert.ID.AgeAt(f.ReferenceDate), true
		}
	}
	age, ok = ctx["age"]
	return age, ok
}

func (f *Form) check(id string) *Check {
	for _, c := range f.Checks {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// checkRefs are the questions (its own first) and case variables a check reads. The
// source compiled at load; parsed again here, it cannot fail.
func (f *Form) checkRefs(c *Check) (questions, vars []string) {
	if f.byID[c.At] != nil {
		questions = append(questions, c.At)
	}
	if c.When == "" {
		return questions, nil
	}
	tree, err := parser.Parse(c.When)
	if err != nil {
		return questions, nil
	}
	refs := &refCollector{}
	ast.Walk(&tree.Node, refs)
	for _, name := range slices.Concat(refs.names, refs.answeredArgs) {
		switch {
		case f.byID[name] != nil:
			questions = append(questions, name)
		case contextBit(name) != 0:
			vars = append(vars, name)
		}
	}
	return questions, vars
}
