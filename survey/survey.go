// Package survey holds the rules of the survey that are not in a form file, each in one
// place: the collection methods and case outcomes with their official codes and labels,
// the certificate's disability categories and levels, the home-visit code and its 96 %
// target, the key of a note confirming a warning — and how a stored record is read: decoded and evaluated with the form and version it was
// started with, in the context every screen and report shares.
//
// It stands on forms and record only, so the laptop and the district server read a
// record alike. It must never open a store, read a setting or name a form: it is handed
// the record, the forms and what the roster says.
package survey

import (
	"fmt"
	"slices"
	"strings"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
)

// Code is an official code with its label.
type Code struct {
	Code  int
	Label forms.Text
	// Short is the label for a narrow table column.
	Short forms.Text
}

// The collection methods (调查方式), in the order the national form lists them.
var Methods = []Code{
	{HomeVisit, forms.Text{ZH: "入户", EN: "home visit"}, forms.Text{ZH: "入户", EN: "home"}},
	{MethodPhone, forms.Text{ZH: "电话", EN: "telephone"}, forms.Text{ZH: "电话", EN: "phone"}},
	{MethodWindow, forms.Text{ZH: "窗口服务", EN: "service window"}, forms.Text{ZH: "窗口", EN: "window"}},
	{MethodSystem, forms.Text{ZH: "智能化残疾人证系统归集", EN: "smart-certificate system"}, forms.Text{ZH: "系统归集", EN: "system"}},
}

// The case outcomes (调查结果), in the order the national form lists them.
var Outcomes = []Code{
	// The English short labels are words (a count goes before them: "3 interviewed,
	// 1 died"), not abbreviations nobody can read.
	{OutcomeInterviewed, forms.Text{ZH: "正常调查", EN: "interviewed"}, forms.Text{ZH: "正常", EN: "interviewed"}},
	{OutcomeDeceased, forms.Text{ZH: "死亡", EN: "deceased"}, forms.Text{ZH: "死亡", EN: "died"}},
	{OutcomeEmptyHome, forms.Text{ZH: "空挂户", EN: "registered, nobody lives there"}, forms.Text{ZH: "空挂", EN: "empty"}},
	{OutcomeNotFound, forms.Text{ZH: "查无此人", EN: "person not found"}, forms.Text{ZH: "查无", EN: "not found"}},
	{OutcomeRefused, forms.Text{ZH: "拒访", EN: "refused"}, forms.Text{ZH: "拒访", EN: "refused"}},
	{OutcomeMovedOut, forms.Text{ZH: "迁出", EN: "moved out of the district"}, forms.Text{ZH: "迁出", EN: "moved"}},
	{OutcomeOther, forms.Text{ZH: "其他", EN: "other"}, forms.Text{ZH: "其他", EN: "other"}},
}

// The disability categories (残疾类别) and levels (残疾等级) of the certificate, as the
// roster gives them and the national tables word them.
var (
	Categories = []Code{
		{1, forms.Text{ZH: "视力", EN: "visual"}, forms.Text{ZH: "视力", EN: "visual"}},
		{2, forms.Text{ZH: "听力", EN: "hearing"}, forms.Text{ZH: "听力", EN: "hearing"}},
		{3, forms.Text{ZH: "言语", EN: "speech"}, forms.Text{ZH: "言语", EN: "speech"}},
		{4, forms.Text{ZH: "肢体", EN: "physical"}, forms.Text{ZH: "肢体", EN: "physical"}},
		{5, forms.Text{ZH: "智力", EN: "intellectual"}, forms.Text{ZH: "智力", EN: "intellectual"}},
		{6, forms.Text{ZH: "精神", EN: "mental"}, forms.Text{ZH: "精神", EN: "mental"}},
		{7, forms.Text{ZH: "多重", EN: "multiple"}, forms.Text{ZH: "多重", EN: "multiple"}},
	}
	Levels = []Code{
		{1, forms.Text{ZH: "一级", EN: "level 1"}, forms.Text{ZH: "一级", EN: "level 1"}},
		{2, forms.Text{ZH: "二级", EN: "level 2"}, forms.Text{ZH: "二级", EN: "level 2"}},
		{3, forms.Text{ZH: "三级", EN: "level 3"}, forms.Text{ZH: "三级", EN: "level 3"}},
		{4, forms.Text{ZH: "四级", EN: "level 4"}, forms.Text{ZH: "四级", EN: "level 4"}},
	}
)

// The codes that rules and reports name, as the national form numbers them.
const (
	// HomeVisit is the method code of a home visit (入户).
	HomeVisit    = 1
	MethodPhone  = 2 // 电话
	MethodWindow = 3 // 窗口服务
	MethodSystem = 4 // 智能化残疾人证系统归集
	// OutcomeInterviewed is the outcome that opens the form (正常调查).
	OutcomeInterviewed = record.OutcomeInterviewed
	OutcomeDeceased    = 2 // 死亡
	OutcomeEmptyHome   = 3 // 空挂户
	OutcomeNotFound    = 4 // 查无此人
	OutcomeRefused     = 5 // 拒访
	OutcomeMovedOut    = 6 // 迁出
	OutcomeOther       = 9 // 其他
)

// HomeVisitTarget is the work plan's minimum share of cases visited at home.
const HomeVisitTarget = 0.96

// Cancelled reports whether an outcome goes on the district's cancellation list
// (死亡, 空挂户, 查无此人).
func Cancelled(outcome int) bool {
	return outcome == OutcomeDeceased || outcome == OutcomeEmptyHome || outcome == OutcomeNotFound
}

// Method returns the method with the code; ok is false for an unknown code.
func Method(code int) (Code, bool) { return find(Methods, code) }

// Outcome returns the outcome with the code; ok is false for an unknown code.
func Outcome(code int) (Code, bool) { return find(Outcomes, code) }

// Category returns the disability category with the code; ok is false for an unknown
// code (0 where the roster gives none).
func Category(code int) (Code, bool) { return find(Categories, code) }

// Level returns the disability level with the code; ok is false for an unknown code.
func Level(code int) (Code, bool) { return find(Levels, code) }

func find(list []Code, code int) (Code, bool) {
	for _, c := range list {
		if c.Code == code {
			return c, true
		}
	}
	return Code{}, false
}

// NoteKey is the key under which a record keeps the note confirming a warning finding:
// "check@question".
func NoteKey(fd forms.Finding) string { return fd.Check + "@" + fd.Question }

// NotesAt are the keys of the record's notes confirming warnings at the question, in
// key order: what a new answer there withdraws, since a note confirms one value.
func NotesAt(rec *record.Record, question string) []string {
	var out []string
	for key := range rec.Notes {
		if _, q, ok := strings.Cut(key, "@"); ok && q == question {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// About is what is known of a record's case besides the record: the roster's row (its
// sex, category and level stand until a certificate number answered says otherwise),
// and for a village's form the number of certificate holders the roster has there.
type About struct {
	Row         roster.Row
	RosterCount int
}

// Context is what a form's expressions know of a record besides its answers.
func Context(rec *record.Record, about About) forms.Context {
	if rec.Village != "" {
		return forms.Context{"roster_count": about.RosterCount}
	}
	ctx := forms.Context{"method": rec.Method, "outcome": rec.Outcome}
	if about.Row.Category > 0 {
		ctx["category"] = about.Row.Category
	}
	if about.Row.Level > 0 {
		ctx["level"] = about.Row.Level
	}
	if about.Row.Sex > 0 {
		ctx["sex"] = about.Row.Sex
	}
	return ctx
}

// Reading is a stored record read with its form.
type Reading struct {
	Form    *forms.Form
	Record  *record.Record
	Answers forms.Answers
	Context forms.Context
	Result  forms.Result
}

// Read decodes a record's answers and evaluates them with the form and version the
// record was started with, found in reg. A form this program lacks is a
// *forms.MissingFormError naming it; answers that do not decode are an error too.
func Read(reg *forms.Registry, rec *record.Record, about About) (*Reading, error) {
	f, err := reg.Form(rec.FormID, rec.FormVersion)
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", shortID(rec.ID), err)
	}
	return ReadWith(f, rec, about)
}

// ReadWith is Read with the form already in hand (it must be the record's).
func ReadWith(f *forms.Form, rec *record.Record, about About) (*Reading, error) {
	if f.ID != rec.FormID || f.Version != rec.FormVersion {
		return nil, fmt.Errorf("record %s is of form %s version %s, not %s version %s",
			shortID(rec.ID), rec.FormID, rec.FormVersion, f.ID, f.Version)
	}
	answers, err := f.DecodeAnswers(rec.Answers)
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", shortID(rec.ID), err)
	}
	ctx := Context(rec, about)
	return &Reading{Form: f, Record: rec, Answers: answers, Context: ctx, Result: f.Evaluate(answers, ctx)}, nil
}

// Note returns the enumerator's note confirming a warning finding, "" when none.
func (r *Reading) Note(fd forms.Finding) string { return r.Record.Notes[NoteKey(fd)] }

// Flags counts what is wrong with the record — error findings and missing answers — and
// the warnings its enumerator confirmed with a note. A case closed without an interview
// has neither.
func (r *Reading) Flags() (errs, notes int) {
	if r.Record.Village == "" && r.Record.Outcome != OutcomeInterviewed {
		return 0, 0
	}
	errs = len(r.Result.Missing)
	for _, fd := range r.Result.Findings {
		if fd.Severity == forms.SeverityError {
			errs++
		} else if r.Note(fd) != "" {
			notes++
		}
	}
	return errs, notes
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
