package survey_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/survey"
)

func registry(t *testing.T) (*forms.Registry, *forms.Form) {
	t.Helper()
	f := formstest.Person2021(t)
	reg, err := forms.NewRegistry(f)
	if err != nil {
		t.Fatal(err)
	}
	return reg, f
}

func TestReadUsesTheRecordsForm(t *testing.T) {
	reg, f := registry(t)
	rec := &localstore.Record{ID: "r1", CaseID: "c1", FormID: f.ID, FormVersion: f.Version, Method: 1, Outcome: 1,
		Answers: map[string]json.RawMessage{"R3": json.RawMessage("2")}, Notes: map[string]string{}}
	rd, err := survey.Read(reg, rec, survey.About{Row: roster.Row{Category: 4, Level: 2, Sex: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if rd.Form != f || rd.Answers["R3"] != 2 {
		t.Errorf("read %v with %s", rd.Answers, rd.Form.ID)
	}
	// The roster's category, level and sex are the context until the certificate says otherwise.
	if rd.Context["category"] != 4 || rd.Context["level"] != 2 || rd.Context["sex"] != 1 || rd.Context["method"] != 1 {
		t.Errorf("context %v", rd.Context)
	}
	errs, notes := rd.Flags()
	if errs != len(rd.Result.Missing) || errs == 0 || notes != 0 {
		t.Errorf("flags %d, %d; missing %v", errs, notes, rd.Result.Missing)
	}

	rec.FormVersion = "2099.1"
	_, err = survey.Read(reg, rec, survey.About{})
	var missing *forms.MissingFormError
	if !errors.As(err, &missing) || missing.ID != f.ID || missing.Version != "2099.1" {
		t.Errorf("a record of a form not installed: %v", err)
	}
}

func TestFlagsOfARecordNotInterviewed(t *testing.T) {
	reg, f := registry(t)
	rec := &localstore.Record{ID: "r2", CaseID: "c2", FormID: f.ID, FormVersion: f.Version, Method: 1, Outcome: 2}
	rd, err := survey.Read(reg, rec, survey.About{})
	if err != nil {
		t.Fatal(err)
	}
	if e, n := rd.Flags(); e != 0 || n != 0 {
		t.Errorf("a death has no flags: %d, %d", e, n)
	}
}

func TestCodes(t *testing.T) {
	if m, ok := survey.Method(survey.HomeVisit); !ok || m.Label.ZH != "入户" {
		t.Errorf("home visit: %+v", m)
	}
	if _, ok := survey.Outcome(7); ok {
		t.Error("7 is no outcome")
	}
	for _, o := range survey.Outcomes {
		if survey.Cancelled(o.Code) != (o.Code == 2 || o.Code == 3 || o.Code == 4) {
			t.Errorf("Cancelled(%d)", o.Code)
		}
	}
	if k := survey.NoteKey(forms.Finding{Check: "C5", Question: "R3"}); k != "C5@R3" {
		t.Errorf("NoteKey = %q", k)
	}
}

func TestCategoriesAndLevels(t *testing.T) {
	if c, ok := survey.Category(4); !ok || c.Label.ZH != "肢体" || c.Label.EN != "physical" {
		t.Errorf("category 4: %+v", c)
	}
	if l, ok := survey.Level(2); !ok || l.Label.ZH != "二级" {
		t.Errorf("level 2: %+v", l)
	}
	for _, code := range []int{0, 8} {
		if _, ok := survey.Category(code); ok {
			t.Errorf("%d is no category", code)
		}
	}
	if _, ok := survey.Level(5); ok {
		t.Error("5 is no level")
	}
}
