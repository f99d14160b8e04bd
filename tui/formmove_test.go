package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

// The district names next year's form while a 2021 draft is open on a laptop: opening
// the draft offers the move; enter moves it (widowed recoded 4 → 5, the dropped R20
// listed), and the form goes on with the new form's questions where it was left.
func TestFormOffersToMoveADraftToNextYear(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	m := jump(t, startInterview(t, env, 80, 24), "R3")
	m = press(t, m, "4")
	m = jump(t, m, "R20")
	m = press(t, m, "1")
	rec := stored(t, m)
	if string(rec.Answers["R3"]) != "4" || string(rec.Answers["R20"]) != "1" || rec.FormID != "person-2021" {
		t.Fatalf("the 2021 draft: %s %s", rec.FormID, rec.Answers)
	}
	left := form(t, m).cur
	m = press(t, m, "esc")

	next, err := forms.LoadFile("../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Forms.Add(next); err != nil {
		t.Fatal(err)
	}
	old := env.PersonForm
	env.PersonForm = next
	m = send(t, m, navigateMsg{Page{Kind: KindForm, ID: rec.CaseID}})
	if fs := form(t, m); fs.form != old {
		t.Fatalf("the draft opened with %s, want its own 2021 form until it moves", fs.form.ID)
	}
	if !strings.Contains(screenText(m), "person-2022 2022.1") {
		t.Fatalf("the move is not offered:\n%s", screenText(m))
	}
	clock.Add(time.Second)
	m = press(t, m, "enter")
	moved := stored(t, m)
	if moved.FormID != "person-2022" || string(moved.Answers["R3"]) != "5" || moved.Answers["R20"] != nil {
		t.Errorf("after the move: %s %s", moved.FormID, moved.Answers)
	}
	if text := screenText(m); !strings.Contains(text, "已移到新表") || !strings.Contains(text, "R20") || !strings.Contains(text, "R3 4 丧偶 → 5 丧偶") {
		t.Errorf("the screen does not say what moved:\n%s", text)
	}
	if fs := form(t, m); fs.form != next || fs.cur != left {
		// The answers the move changed are not the enumerator's: the draft opens where
		// it was left, not after the last of them.
		t.Errorf("the form goes on with %s at %s, want %s", fs.form.ID, fs.cur, left)
	}
	audit, _ := m.env.Session.Audit(moved.ID)
	found := false
	for _, e := range audit {
		found = found || e.Action == localstore.ActionForm
	}
	if !found {
		t.Error("the move is not in the audit trail")
	}

	// Opened again, a moved draft is not asked again.
	m = press(t, m, "esc", "esc")
	m = send(t, m, navigateMsg{Page{Kind: KindForm, ID: rec.CaseID}})
	if strings.Contains(screenText(m), "移到新表？") {
		t.Errorf("a draft on the new form is offered the move again:\n%s", screenText(m))
	}
}

// A record whose form this laptop lacks is not read with another: the review says which
// form and version is missing, in both languages.
func TestReviewOfARecordWhoseFormIsMissing(t *testing.T) {
	env := fixture(t, newClock(), true)
	rec := &localstore.Record{ID: "r1", CaseID: "c1", FormID: "person-2022", FormVersion: "2022.1", Method: 1, Outcome: 1}
	lines := reviewLines(registryOf(env.PersonForm, env.CommunityForm), rec, localstore.Case{})
	if len(lines) != 1 || lines[0].kind != lineError ||
		!strings.Contains(lines[0].text[0], "这台电脑没有表单 person-2022（版本 2022.1）") ||
		!strings.Contains(lines[0].text[1], "form person-2022 version 2022.1 is not installed here") {
		t.Errorf("lines %+v", lines)
	}
}
