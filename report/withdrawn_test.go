package report

import (
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
)

// TestWithdrawnCountsNowhere: a record the district withdrew gives way to one that
// stands for its case, and alone it leaves the case not surveyed — as on the server.
func TestWithdrawnCountsNowhere(t *testing.T) {
	at := time.Date(2021, 10, 12, 9, 0, 0, 0, time.UTC)
	done := func(id, caseID string, updated time.Time, withdrawn bool) *record.Record {
		r := &record.Record{ID: id, CaseID: caseID, FormID: "person-2021", Status: record.StatusCompleted, Method: 1,
			Outcome: record.OutcomeInterviewed, CompletedAt: at, UpdatedAt: updated}
		if withdrawn {
			r.Withdrawn = &record.Withdrawal{Kept: "other", Reason: "重复入户"}
		}
		return r
	}
	cases := []Listed{{ID: "c1", Row: roster.Row{Name: "甲"}}, {ID: "c2", Row: roster.Row{Name: "乙"}}, {ID: "c3", Row: roster.Row{Name: "丙"}}}
	records := []*record.Record{
		done("r1", "c1", at, false),
		done("r1w", "c1", at.Add(time.Hour), true), // newer, but withdrawn: r1 stands for c1
		done("r2w", "c2", at, true),                // withdrawn alone: c2 is not surveyed here
	}
	in := Assemble(nil, cases, records, nil)
	if in.Cases[0].Record.ID != "r1" {
		t.Errorf("case 1 stands by %s", in.Cases[0].Record.ID)
	}
	k := NewCounts()
	for _, c := range in.Cases {
		k.Add(c, at)
	}
	if k.Roster != 3 || k.Surveyed != 1 || k.Interviews() != 1 {
		t.Errorf("counts: roster %d, surveyed %d, interviews %d; want 3, 1, 1", k.Roster, k.Surveyed, k.Interviews())
	}
}
