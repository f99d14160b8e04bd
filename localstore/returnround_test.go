package localstore

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestReturnKeepsWhatWasAgreed: a return keeps each comment's own time and numbers the
// round; the sections agreed at read-back stay agreed, and an answer changed (with a
// reason) drops only its own section's agreement, to be read back again.
func TestReturnKeepsWhatWasAgreed(t *testing.T) {
	_, s := setupTest(t)
	cases := importTest(t, s)
	r := interview(t, s, cases[0].ID)
	written := time.Date(2021, 10, 12, 9, 0, 0, 0, time.UTC)
	r, err := s.Return(r.ID, []Comment{{Question: "R3", Text: "请核实婚姻状况", At: written}, {Text: "照片不清楚"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Comments; !c[0].At.Equal(written) || c[1].At.IsZero() || c[1].At.Equal(written) || c[0].Round != 1 || c[1].Round != 1 {
		t.Errorf("comments after the first return: %+v", c)
	}
	if !slices.Contains(r.Confirmed, "basic") {
		t.Fatalf("the agreed sections were forgotten by the return: %v", r.Confirmed)
	}
	// The leader's comment is why: no reason asked of the enumerator.
	r, err = s.SaveAnswers(r.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`4`)})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(r.Confirmed, "basic") {
		t.Errorf("the changed section still counts as agreed: %v", r.Confirmed)
	}
}

// TestPlaceKeepsWhereADraftWasPaused: the question on screen at a pause is kept per
// record, and is "" for a record never paused.
func TestPlaceKeepsWhereADraftWasPaused(t *testing.T) {
	_, s := setupTest(t)
	cases := importTest(t, s)
	r, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.Place(r.ID); p != (Place{}) || err != nil {
		t.Errorf("a record never paused has a place: %+v %v", p, err)
	}
	if err := s.SetPlace(r.ID, Place{Question: "R2b", AuditLen: r.AuditLen}); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Place(r.ID); p.Question != "R2b" || p.AuditLen != r.AuditLen || err != nil {
		t.Errorf("place %+v %v", p, err)
	}
}
