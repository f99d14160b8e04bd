package tui

import (
	"cmp"
	"slices"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

// homeVisitTarget is the share of cases that must be home visits (入户), from the
// district's work plan.
const homeVisitTarget = 0.96

// teamDay is what a team leader checks at the end of a day: per enumerator and village,
// the cases finished today and how; and every record waiting for review.
type teamDay struct {
	rows    []teamRow
	waiting []reviewItem
	// total is the whole team's finished cases (any day), for the home-visit rate.
	total teamRow
	// villages are the team's villages in roster order, with their community form.
	villages []villageForm
}

// villageForm is a village and the status of its community form ("" not started).
type villageForm struct {
	name   string
	status localstore.Status
}

// villageForms lists the villages of the roster the leader sees, in roster order, with
// the status of each one's record of the community form.
func villageForms(cases []localstore.Case, records []*localstore.Record, formID string, villages []string) []villageForm {
	status := map[string]localstore.Status{}
	for _, r := range records {
		if r.Village != "" && r.FormID == formID {
			status[r.Village] = r.Status
		}
	}
	seen := map[string]bool{}
	var out []villageForm
	for _, c := range cases {
		v := c.Row.Village
		if v == "" || seen[v] || len(villages) > 0 && !slices.Contains(villages, v) {
			continue
		}
		seen[v] = true
		out = append(out, villageForm{name: v, status: status[v]})
	}
	return out
}

type teamRow struct {
	enumerator string // user code
	name       string
	village    string
	today      int         // completed today
	outcomes   map[int]int // today's, by outcome code
	finished   int         // completed, submitted or approved, any day
	homeVisits int         // of finished
	flagged    int         // finished records with errors or confirmed warnings
	waiting    int         // completed or submitted, not yet approved or returned
}

// homeRate is the share of finished cases that were home visits; ok is false with none.
func (r teamRow) homeRate() (rate float64, ok bool) {
	if r.finished == 0 {
		return 0, false
	}
	return float64(r.homeVisits) / float64(r.finished), true
}

// reviewItem is a record waiting for the leader.
type reviewItem struct {
	recordID   string
	name       string
	village    string
	enumerator string
	completed  time.Time
	errors     int // error findings and missing answers
	notes      int // warnings confirmed with a note
}

// buildTeamDay gathers the team's day from the records of the villages the leader
// sees (all when villages is empty). day is the leader's today.
func buildTeamDay(f *forms.Form, cases []localstore.Case, records []*localstore.Record, users []localstore.User,
	villages []string, day time.Time) teamDay {
	caseByID := make(map[string]*localstore.Case, len(cases))
	for i := range cases {
		caseByID[cases[i].ID] = &cases[i]
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.Code] = u.Name
	}
	y, m, d := day.Date()
	rows := map[[2]string]*teamRow{}
	var out teamDay
	out.total.outcomes = map[int]int{}
	for _, r := range records {
		c := caseByID[r.CaseID]
		if c == nil || r.FormID != f.ID || len(villages) > 0 && !slices.Contains(villages, c.Row.Village) {
			continue
		}
		finished := r.Status == localstore.StatusCompleted || r.Status == localstore.StatusSubmitted || r.Status == localstore.StatusApproved
		if !finished {
			continue
		}
		k := [2]string{r.Enumerator, c.Row.Village}
		row := rows[k]
		if row == nil {
			row = &teamRow{enumerator: r.Enumerator, name: names[r.Enumerator], village: c.Row.Village, outcomes: map[int]int{}}
			rows[k] = row
		}
		errs, notes := recordFlags(f, r)
		for _, t := range []*teamRow{row, &out.total} {
			t.finished++
			if r.Method == homeVisit {
				t.homeVisits++
			}
			if errs+notes > 0 {
				t.flagged++
			}
			if cy, cm, cd := r.CompletedAt.In(day.Location()).Date(); cy == y && cm == m && cd == d {
				t.today++
				t.outcomes[r.Outcome]++
			}
			if r.Status != localstore.StatusApproved {
				t.waiting++
			}
		}
		if r.Status != localstore.StatusApproved {
			out.waiting = append(out.waiting, reviewItem{recordID: r.ID, name: c.Row.Name, village: c.Row.Village,
				enumerator: r.Enumerator, completed: r.CompletedAt, errors: errs, notes: notes})
		}
	}
	for _, r := range rows {
		out.rows = append(out.rows, *r)
	}
	slices.SortFunc(out.rows, func(a, b teamRow) int {
		return cmp.Or(cmp.Compare(a.enumerator, b.enumerator), cmp.Compare(a.village, b.village))
	})
	// Flagged records first, then the oldest: what most needs the leader's eye.
	slices.SortFunc(out.waiting, func(a, b reviewItem) int {
		return cmp.Or(cmp.Compare(b.errors, a.errors), cmp.Compare(b.notes, a.notes),
			a.completed.Compare(b.completed), cmp.Compare(a.village, b.village), cmp.Compare(a.name, b.name),
			cmp.Compare(a.recordID, b.recordID))
	})
	return out
}

// recordFlags counts what the form engine finds wrong in a record (errors and missing
// answers) and the warnings its enumerator confirmed with a note. A case closed without
// an interview has neither.
func recordFlags(f *forms.Form, r *localstore.Record) (errs, notes int) {
	if r.Outcome != localstore.OutcomeInterviewed {
		return 0, 0
	}
	answers, err := f.DecodeAnswers(r.Answers)
	if err != nil {
		return 1, 0
	}
	res := f.Evaluate(answers, forms.Context{"method": r.Method, "outcome": r.Outcome})
	errs = len(res.Missing)
	for _, fd := range res.Findings {
		if fd.Severity == forms.SeverityError {
			errs++
		} else if r.Notes[fd.Check+"@"+fd.Question] != "" {
			notes++
		}
	}
	return errs, notes
}
