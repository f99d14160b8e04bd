package tui

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

func TestBuildTeamDay(t *testing.T) {
	f := formstest.Person2021(t)
	day := time.Date(2021, 10, 12, 18, 0, 0, 0, time.UTC)
	today, yesterday := day.Add(-3*time.Hour), day.Add(-27*time.Hour)
	cases := []localstore.Case{
		{ID: "c1", Row: roster.Row{Name: "甲", Village: "王庄村"}},
		{ID: "c2", Row: roster.Row{Name: "乙", Village: "王庄村"}},
		{ID: "c3", Row: roster.Row{Name: "丙", Village: "李家村"}},
		{ID: "c4", Row: roster.Row{Name: "丁", Village: "东风社区"}}, // not the leader's
		{ID: "c5", Row: roster.Row{Name: "戊", Village: "王庄村"}},
		{ID: "c6", Row: roster.Row{Name: "己", Village: "李家村"}},
	}
	rec := func(id, caseID, by string, st localstore.Status, method, outcome int, at time.Time) *localstore.Record {
		return &localstore.Record{ID: id, CaseID: caseID, FormID: f.ID, FormVersion: f.Version, Enumerator: by, Status: st, Method: method,
			Outcome: outcome, CompletedAt: at, Answers: map[string]json.RawMessage{}}
	}
	records := []*localstore.Record{
		// An interview with no answers: every required question is missing.
		rec("r1", "c1", "E001", localstore.StatusCompleted, 1, 1, today),
		rec("r2", "c2", "E001", localstore.StatusApproved, 2, 2, yesterday), // by phone: below 96 %
		rec("r3", "c3", "E002", localstore.StatusCompleted, 1, 3, today),
		rec("r4", "c4", "E002", localstore.StatusCompleted, 1, 2, today),
		rec("r5", "c5", "E001", localstore.StatusDraft, 1, 1, time.Time{}), // not finished
		// Returned and being fixed: finished by its method and outcome as the reports
		// count it, but not waiting for the leader.
		rec("r6", "c6", "E002", localstore.StatusReturned, 2, 1, yesterday),
	}
	users := []localstore.User{{Code: "E001", Name: "李晓梅"}, {Code: "E002", Name: "张伟"}}
	d := buildTeamDay(registryOf(f), cases, records, users, []string{"王庄村", "李家村"}, day)

	if len(d.rows) != 2 {
		t.Fatalf("rows %+v", d.rows)
	}
	e1, e2 := d.rows[0], d.rows[1]
	if e1.name != "李晓梅" || e1.village != "王庄村" || e1.today != 1 || e1.finished != 2 || e1.homeVisits != 1 ||
		e1.waiting != 1 || e1.flagged != 1 || e1.outcomes[1] != 1 {
		t.Errorf("E001 %+v", e1)
	}
	if rate, ok := e1.homeRate(); !ok || rate != 0.5 {
		t.Errorf("E001 home rate %v %v", rate, ok)
	}
	if e2.village != "李家村" || e2.today != 1 || e2.outcomes[3] != 1 || e2.finished != 2 || e2.homeVisits != 1 || e2.waiting != 1 || e2.flagged != 1 {
		t.Errorf("E002 %+v", e2)
	}
	if d.total.finished != 4 || d.total.homeVisits != 2 || d.total.today != 2 || d.total.waiting != 2 {
		t.Errorf("total %+v", d.total)
	}
	if len(d.waiting) != 2 || d.waiting[0].recordID != "r1" || d.waiting[0].errors == 0 {
		t.Errorf("waiting %+v (the flagged one first)", d.waiting)
	}
	if _, ok := (teamRow{}).homeRate(); ok {
		t.Error("a rate with nothing finished")
	}
}
