// Package forms is the survey's form model: it loads form definitions (YAML, with the two
// official 2021 forms built in), compiles their skip logic and checks once, evaluates a set
// of answers against them, and renders answers as sentences to read back to the respondent.
//
// It is pure: no I/O beyond reading the form files it is asked to load, no clocks, no global
// mutable state; a loaded *Form is immutable and safe for concurrent use. It must never
// import the store, the TUI or sync: they depend on it, not the other way round.
package forms

import (
	"time"

	"github.com/expr-lang/expr/vm"
)

// Text is a string in the two languages the program speaks.
type Text struct {
	ZH string `yaml:"zh" json:"zh"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in lang ("zh" or "en"), falling back to Chinese, the form's
// authoritative language, when the English is missing.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// Type is what kind of answer a question takes.
type Type string

// The question types of FORMAT.md; types (types.go) holds what each one does.
const (
	TypeSingle      Type = "single"
	TypeMultiple    Type = "multiple"
	TypeInteger     Type = "integer"
	TypeDecimal     Type = "decimal"
	TypeDate        Type = "date"
	TypeText        Type = "text"
	TypeResidentID  Type = "resident-id"
	TypeCertificate Type = "certificate-number"
	TypePhone       Type = "phone"
)

// Severity says whether a finding blocks completion.
type Severity string

// Severities of checks.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Prefill fields: the roster values a question can be prefilled from.
var prefillFields = map[string]bool{
	"name": true, "certificate": true, "resident_id": true, "phone": true, "guardian": true,
	"guardian_phone": true, "village": true, "village_code": true, "roster_count": true,
	"address": true, "category": true, "level": true,
}

// defaultMaxLength bounds free text so a pasted document cannot become an answer.
const defaultMaxLength = 200

// Form is a loaded, compiled form definition.
type Form struct {
	ID            string
	Version       string
	Title         Text
	ReferenceDate time.Time
	Relevant      string
	Subject       Subject
	Sections      []*Section
	Checks        []*Check
	// Carries says what drafts of earlier forms keep when moved to this one.
	Carries Carries
	// Source is the file the form was loaded from, for messages.
	Source string
	// Digest is the sha256 (hex) of the file's bytes: two files that claim one id and
	// version are the same form only if their digests agree.
	Digest string

	questions []*Question // every question, sub-questions right after their parent
	byID      map[string]*Question
	relevant  *program
	// hasInvalidCheck marks questions whose validator failures are reported by a declared
	// `invalid` check rather than the generic "format" finding.
	hasInvalidCheck map[string]bool
	envPool         envPool
}

// Subject names the questions that identify the person the form is about; age, sex,
// category and level derive from them.
type Subject struct {
	Certificate string `yaml:"certificate"`
	Category    string `yaml:"category"`
	Level       string `yaml:"level"`
}

// Section is a titled group of questions.
type Section struct {
	ID        string
	Title     Text
	Questions []*Question // top-level questions only; sub-questions hang off their parent
}

// Question is one item of the form.
type Question struct {
	ID                string
	Type              Type
	Label             Text
	Short             Text
	Help              Text
	Required          bool
	Relevant          string
	Constraint        string
	ConstraintMessage Text
	Min, Max          *float64
	MaxLength         int
	Unit              Text
	Prefill           string
	Options           []*Option
	Questions         []*Question
	Parent            *Question
	Section           *Section
	Line              int

	index      int
	spec       *typeSpec // its type's entry of types
	relevant   *program
	constraint *program
}

// Option is one answer of a choice question, with its official code.
type Option struct {
	Code      int
	Label     Text
	Exclusive bool
	Relevant  string
	Line      int

	relevant *program
}

// Check is a form-level rule; see FORMAT.md for its three kinds.
type Check struct {
	ID        string
	At        string
	Severity  Severity
	When      string
	Invalid   bool
	Exclusive bool
	Message   Text
	Line      int

	when *program
}

// program is a compiled expression, the context variables it needs known and the
// questions it reads (by index): one that reads a held answer is not evaluated either.
type program struct {
	prog  *vm.Program
	uses  contextSet
	reads []int
}

// Questions returns every question in order, sub-questions right after their parent.
func (f *Form) Questions() []*Question { return f.questions }

// Question returns the question with the id, or nil.
func (f *Form) Question(id string) *Question { return f.byID[id] }

// ReadBackLabel is the label used when reading an answer back: the short label if set.
func (q *Question) ReadBackLabel() Text {
	if q.Short.ZH != "" {
		return q.Short
	}
	return q.Label
}

// Option returns the option with the code, or nil.
func (q *Question) Option(code int) *Option {
	for _, o := range q.Options {
		if o.Code == code {
			return o
		}
	}
	return nil
}
