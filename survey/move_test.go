package survey_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/survey"
)

// A draft started on 2021 moves to next year's form with an audit entry saying what was
// kept, recoded and dropped; the chain still replays; a completed 2021 record stays on
// 2021 and is still read with it.
func TestMoveADraftToNextYear(t *testing.T) {
	f21 := formstest.Person2021(t)
	f22, err := forms.LoadFile("../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := forms.NewRegistry(f21, f22)
	if err != nil {
		t.Fatal(err)
	}
	db := localstoretest.Open(t)
	if _, err := seed.Fill(db, seed.Options{Form: f21, Options: demo.Options{Seed: 4, Cases: 6, Villages: 1}, Completed: 2}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock(seed.Enumerator.Code, seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := s.Cases(localstore.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var draftCase, doneCase *localstore.Case
	for i := range cases {
		c := &cases[i]
		r, err := s.RecordFor(c.ID, f21.ID)
		switch {
		case errors.Is(err, localstore.ErrNotFound) && draftCase == nil:
			draftCase = c
		case err == nil && r.Status == localstore.StatusCompleted && doneCase == nil:
			doneCase = c
		}
	}
	if draftCase == nil || doneCase == nil {
		t.Fatal("the demo district has no untouched case or no completed one")
	}

	// A 2021 draft: widowed (4), the family doctor (R20) answered, a note on R3.
	r, err := s.StartRecord(draftCase.ID, f21.ID, f21.Version)
	if err != nil {
		t.Fatal(err)
	}
	if r, err = s.SetCaseHeader(r.ID, 1, 1, ""); err != nil {
		t.Fatal(err)
	}
	var changes []localstore.AnswerChange
	for q, v := range map[string]string{"R1": `"王五"`, "R3": `4`, "R6": `2`, "R20": `1`} {
		changes = append(changes, localstore.AnswerChange{Question: q, Section: f21.Question(q).Section.ID, Value: json.RawMessage(v)})
	}
	if _, err = s.SaveAnswers(r.ID, changes...); err != nil {
		t.Fatal(err)
	}
	if r, err = s.ConfirmWarning(r.ID, "C7@R3", "已核实"); err != nil {
		t.Fatal(err)
	}

	// With next year's form configured, the case still finds its 2021 draft.
	found, err := s.RecordFor(draftCase.ID, f22.ID, f22.Carries.From...)
	if err != nil || found.ID != r.ID {
		t.Fatalf("the 2021 draft is not found under 2022: %v", err)
	}
	if again, err := s.StartRecord(draftCase.ID, f22.ID, f22.Version, f22.Carries.From...); err != nil || again.ID != r.ID {
		t.Fatalf("a second record was started for the case: %v", err)
	}

	about := survey.About{Row: draftCase.Row}
	plan, err := survey.PlanMove(reg, r, about, f22)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := s.MoveRecord(r.ID, localstore.Move{FormID: f22.ID, FormVersion: f22.Version,
		Answers: plan.Answers, Summary: plan.Summary, Withdraw: plan.Withdraw, Reason: "换用2022年表"})
	if err != nil {
		t.Fatal(err)
	}
	if moved.FormID != f22.ID || string(moved.Answers["R3"]) != "5" || moved.Answers["R20"] != nil || string(moved.Answers["R1"]) != `"王五"` {
		t.Errorf("moved: form %s, answers %s", moved.FormID, moved.Answers)
	}
	if _, ok := moved.Notes["C7@R3"]; ok {
		t.Error("the note confirming R3 = 4 outlived the recode")
	}
	audit, err := s.Audit(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if msgs := record.Verify(moved, audit); len(msgs) != 0 {
		t.Errorf("the moved record's chain does not verify: %v", msgs)
	}
	var entry *localstore.AuditEntry
	for i := range audit {
		if audit[i].Action == localstore.ActionForm {
			entry = &audit[i]
		}
	}
	if entry == nil || !strings.Contains(string(entry.Old), "person-2021 2021.1") ||
		!strings.Contains(string(entry.New), `"recoded":[{"from":"R3","to":"R3","old":4,"new":5}]`) ||
		!strings.Contains(string(entry.New), `"question":"R20"`) {
		t.Errorf("the move's audit entry: %+v", entry)
	}
	rd, err := survey.Read(reg, moved, about)
	if err != nil || rd.Form != f22 {
		t.Fatalf("the moved draft is read with %v (%v)", rd, err)
	}
	if got, err := s.RecordFor(draftCase.ID, f22.ID); err != nil || got.ID != r.ID {
		t.Errorf("the case's record is not under its new form: %v", err)
	}

	// A completed record stays on 2021.
	done, err := s.RecordFor(doneCase.ID, f22.ID, f22.Carries.From...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := survey.PlanMove(reg, done, survey.About{Row: doneCase.Row}, f22); !errors.Is(err, survey.ErrCompletedStays) {
		t.Errorf("planning to move a completed record: %v", err)
	}
	if _, err := s.MoveRecord(done.ID, localstore.Move{FormID: f22.ID, FormVersion: f22.Version}); !errors.Is(err, localstore.ErrRecordLocked) {
		t.Errorf("moving a completed record: %v", err)
	}
	if rd, err := survey.Read(reg, done, survey.About{Row: doneCase.Row}); err != nil || rd.Form != f21 {
		t.Errorf("the completed record is read with %v (%v), want 2021", rd, err)
	}
}
