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
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
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
	Record *record.Record
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
	// TempDir is where the XLSX writer may spill a large sheet for a moment: the data
	// folder's scratch folder, never the shared temp folder ("" is the system's).
	TempDir string
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
		return writeXLSX(t, w, in.TempDir)
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

// surveyed reports whether a case counts as surveyed on the report's day.
func (in Input) surveyed(c Case) bool { return Surveyed(c.Record, in.AsOf) }

func (in Input) userName(code string) string {
	if n := in.Users[code]; n != "" {
		return n
	}
	return code
}

// Listed is a roster case as a store lists it: the id its person's record names
// (record.Record.CaseID) and the roster's row.
type Listed struct {
	ID  string
	Row roster.Row
}

// Assemble joins what a store reads — the roster's cases in roster order, the records,
// the users' names by code — into a report's input: each case with its person record,
// of whichever form and year (the latest changed, should a case have two; one the
// district withdrew only when none stands), each read with its own form. It takes the shared record types, not a store's, so the district
// server's reports link no laptop store.
func Assemble(reg *forms.Registry, cases []Listed, records []*record.Record, users map[string]string) Input {
	byCase := map[string]*record.Record{}
	for _, r := range records {
		if r.CaseID == "" || r.Village != "" {
			continue
		}
		// A record the district withdrew gives way to any that stands.
		prev := byCase[r.CaseID]
		switch {
		case prev == nil,
			r.Withdrawn == nil && prev.Withdrawn != nil,
			(r.Withdrawn == nil) == (prev.Withdrawn == nil) && r.UpdatedAt.After(prev.UpdatedAt):
			byCase[r.CaseID] = r
		}
	}
	in := Input{Forms: reg, Users: map[string]string{}}
	for _, c := range cases {
		in.Cases = append(in.Cases, Case{Row: c.Row, Record: byCase[c.ID]})
	}
	for code, name := range users {
		in.Users[code] = name
	}
	return in
}
