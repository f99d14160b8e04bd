// Package report makes the paperwork a town federation hands in: the validation report
// (校验报告), the statistics table (调查情况统计表, attachment 1), the progress register
// (进度登记表) that enumerator and respondent sign on paper, the cancellation list
// (死亡, 空挂户, 查无此人) and the count of cases per enumerator for the allowance —
// each as XLSX (to print) or CSV (to load elsewhere).
//
// It is pure: it is handed the cases and records and writes bytes. It must never open
// the store, and never print a full certificate number where the report is passed
// round (the register masks them unless asked not to).
package report

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

// Kind is a report.
type Kind string

// The reports.
const (
	Validation    Kind = "validation"
	Stats         Kind = "stats"
	Register      Kind = "register"
	Cancellations Kind = "cancellations"
	Allowance     Kind = "allowance"
)

// Kinds are the reports, in the order a menu lists them.
var Kinds = []Kind{Validation, Stats, Register, Cancellations, Allowance}

// Format is a file format.
type Format string

// Formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// Case is a roster case with its person-form record, nil before it is started.
type Case struct {
	Row    roster.Row
	Record *localstore.Record
}

// Input is what every report is made from.
type Input struct {
	Unit string // who reports, e.g. "马集镇残联"
	// Forms are the forms the records were started with: each is checked with its own.
	Forms *forms.Registry
	Cases []Case            // roster order
	Users map[string]string // user code → name
	// Villages limit the report to a team's villages; empty for all.
	Villages []string
	// AsOf is the day the report is made for: records completed after it are not yet
	// counted.
	AsOf time.Time
	// Unmasked prints full certificate numbers in the register.
	Unmasked bool
}

// Write makes the report of kind in format.
func Write(kind Kind, format Format, in Input, w io.Writer) error {
	var t *table
	switch kind {
	case Validation:
		t = validationTable(in)
	case Stats:
		t = statsTable(in)
	case Register:
		t = registerTable(in)
	case Cancellations:
		t = cancellationTable(in)
	case Allowance:
		t = allowanceTable(in)
	default:
		return fmt.Errorf("report: unknown report %q (one of %v)", kind, Kinds)
	}
	switch format {
	case XLSX:
		return writeXLSX(t, w)
	case CSV:
		return writeCSV(t, w)
	}
	return fmt.Errorf("report: unknown format %q (xlsx or csv)", format)
}

// cases are the input's cases of its villages, in roster order.
func (in Input) cases() []Case {
	if len(in.Villages) == 0 {
		return in.Cases
	}
	var out []Case
	for _, c := range in.Cases {
		if slices.Contains(in.Villages, c.Row.Village) {
			out = append(out, c)
		}
	}
	return out
}

// finished reports whether the case's record counts as surveyed by the report's day:
// completed (or later) on or before it.
func (in Input) finished(c Case) bool {
	r := c.Record
	if r == nil || !r.Status.Locked() {
		return false
	}
	if in.AsOf.IsZero() || r.CompletedAt.IsZero() {
		return true
	}
	y, m, d := in.AsOf.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, in.AsOf.Location())
	return r.CompletedAt.Before(end)
}

func (in Input) userName(code string) string {
	if n := in.Users[code]; n != "" {
		return n
	}
	return code
}

// Labels of the case header's codes, as the national form words them (survey holds
// them), and of the certificate's category and level.
var (
	methodNames  = labels(survey.Methods, true)
	outcomeNames = labels(survey.Outcomes, false)
	categoryName = map[int]string{1: "视力", 2: "听力", 3: "言语", 4: "肢体", 5: "智力", 6: "精神", 7: "多重"}
	levelName    = map[int]string{1: "一级", 2: "二级", 3: "三级", 4: "四级"}
)

// methods and outcomes in the order the tables give them.
var (
	methodOrder  = []int{1, 2, 3, 4}
	outcomeOrder = []int{1, 2, 3, 4, 5, 6, 9}
)

// homeVisitTarget is the work plan's minimum share of home visits.
const homeVisitTarget = survey.HomeVisitTarget

// labels maps codes to their Chinese labels; short takes the column label (系统归集).
func labels(codes []survey.Code, short bool) map[int]string {
	out := make(map[int]string, len(codes))
	for _, c := range codes {
		out[c.Code] = c.Label.ZH
		if short {
			out[c.Code] = c.Short.ZH
		}
	}
	return out
}

// Assemble joins what a session reads — the roster's cases in roster order, the records,
// the users — into a report's input: each case with its person record, of whichever form
// and year (the latest changed, should a case have two), each read with its own form.
func Assemble(reg *forms.Registry, cases []localstore.Case, records []*localstore.Record, users []localstore.User) Input {
	byCase := map[string]*localstore.Record{}
	for _, r := range records {
		if r.CaseID == "" || r.Village != "" {
			continue
		}
		if prev := byCase[r.CaseID]; prev == nil || r.UpdatedAt.After(prev.UpdatedAt) {
			byCase[r.CaseID] = r
		}
	}
	in := Input{Forms: reg, Users: map[string]string{}}
	for _, c := range cases {
		in.Cases = append(in.Cases, Case{Row: c.Row, Record: byCase[c.ID]})
	}
	for _, u := range users {
		in.Users[u.Code] = u.Name
	}
	return in
}
