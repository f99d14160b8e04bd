package tui

import (
	"cmp"
	"slices"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	steps "github.com/doorstep-survey/doorstep/interview"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
)

// teamDay is what a team leader checks at the end of a day: per enumerator and village,
// the cases finished today and how; and every record waiting for review.
type teamDay struct {
	rows    []teamRow
	waiting []reviewItem
	// withdrawn are the team's records the district withdrew (duplicate interviews
	// resolved for the other record), with its reason: not to review, counted nowhere.
	withdrawn []withdrawnItem
	// total is the whole team's finished cases (any day), for the home-visit rate.
	total teamRow
	// villages are the team's villages in roster order, with their community form.
	villages []steps.VillageForm
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
// withdrawnItem is a record the district withdrew, as the leader's review lists it.
type withdrawnItem struct {
	name, village, enumerator, reason string
}

type reviewItem struct {
	recordID   string
	name       string
	village    string
	enumerator string
	completed  time.Time
	errors     int // error findings and missing answers
	notes      int // warnings confirmed with a note
	// round is the number of returns behind it (0: never returned): a record fixed
	// and completed again, to be read with its earlier comments.
	round int
}

// buildTeamDay gathers the team's day from the records of the villages the leader
// sees (all when villages is empty). day is the leader's today.
func buildTeamDay(reg *forms.Registry, cases []localstore.Case, records []*localstore.Record, users []localstore.User,
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
		if c == nil || len(villages) > 0 && !slices.Contains(villages, c.Row.Village) {
			continue
		}
		if r.Withdrawn != nil {
			out.withdrawn = append(out.withdrawn, withdrawnItem{name: c.Row.Name, village: c.Row.Village, enumerator: r.Enumerator, reason: r.Withdrawn.Reason})
			continue
		}
		// Finished as the reports count it: a returned record being fixed still counts
		// by its method and outcome, so this screen's home-visit rate is the statistics
		// table's.
		if !survey.Surveyed(r, time.Time{}) {
			continue
		}
		awaiting := r.Status == localstore.StatusCompleted || r.Status == localstore.StatusSubmitted
		k := [2]string{r.Enumerator, c.Row.Village}
		row := rows[k]
		if row == nil {
			row = &teamRow{enumerator: r.Enumerator, name: names[r.Enumerator], village: c.Row.Village, outcomes: map[int]int{}}
			rows[k] = row
		}
		errs, notes := recordFlags(reg, r, c)
		for _, t := range []*teamRow{row, &out.total} {
			t.finished++
			if r.Method == survey.HomeVisit {
				t.homeVisits++
			}
			if errs+notes > 0 {
				t.flagged++
			}
			if cy, cm, cd := r.CompletedAt.In(day.Location()).Date(); cy == y && cm == m && cd == d {
				t.today++
				t.outcomes[r.Outcome]++
			}
			if awaiting {
				t.waiting++
			}
		}
		if awaiting {
			item := reviewItem{recordID: r.ID, name: c.Row.Name, village: c.Row.Village,
				enumerator: r.Enumerator, completed: r.CompletedAt, errors: errs, notes: notes}
			if n := len(r.Comments); n > 0 {
				item.round = max(1, r.Comments[n-1].Round)
			}
			out.waiting = append(out.waiting, item)
		}
	}
	for _, r := range rows {
		out.rows = append(out.rows, *r)
	}
	slices.SortFunc(out.rows, func(a, b teamRow) int {
		return cmp.Or(cmp.Compare(a.enumerator, b.enumerator), cmp.Compare(a.village, b.village))
	})
	slices.SortFunc(out.withdrawn, func(a, b withdrawnItem) int {
		return cmp.Or(cmp.Compare(a.village, b.village), cmp.Compare(a.name, b.name))
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
// answers, one error for a record that cannot be read) and the warnings its enumerator
// confirmed with a note.
func recordFlags(reg *forms.Registry, r *localstore.Record, c *localstore.Case) (errs, notes int) {
	if r.Outcome != survey.OutcomeInterviewed {
		return 0, 0
	}
	rd, err := survey.Read(reg, r, survey.About{Row: c.Row})
	if err != nil {
		return 1, 0
	}
	return rd.Flags()
}
