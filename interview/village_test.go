package interview

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
)

const pass = "test-pass-1"

// leaderStore is a data file with a leader of the demo roster's two villages.
func leaderStore(t *testing.T) (*localstore.DB, *localstore.Session, []string) {
	t.Helper()
	db := localstoretest.Open(t)
	rows := demo.Generate(demo.Options{Seed: 3, Cases: 12, Villages: 2}).Rows
	sess, err := db.Setup(localstore.User{Code: "L001", Name: "王组长", Role: localstore.RoleLeader}, pass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.ImportRoster(rows, "roster.xlsx"); err != nil {
		t.Fatal(err)
	}
	var villages []string
	for _, r := range rows {
		if !slices.Contains(villages, r.Village) {
			villages = append(villages, r.Village)
		}
	}
	return db, sess, villages
}

func community(t *testing.T) (*forms.Form, *forms.Registry) {
	t.Helper()
	f, err := forms.Builtin("community-2021")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := forms.NewRegistry(f)
	if err != nil {
		t.Fatal(err)
	}
	return f, reg
}

// A village's form opens prefilled from the roster, once per village; it is listed with
// its status; the filler's wrong passphrase signs nothing, the right one completes it.
func TestOpenAndFinishVillage(t *testing.T) {
	db, sess, villages := leaderStore(t)
	f, reg := community(t)
	if len(villages) < 2 {
		t.Fatalf("villages %q", villages)
	}
	v := villages[0]
	r, err := OpenVillage(sess, reg, f, v)
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := sess.Cases(localstore.CaseFilter{Village: v})
	if r.Rec.Village != v || r.Rec.CaseID != "" || r.Name != v || r.Answers["S1"] != v ||
		string(r.Rec.Answers["S3"]) != strconv.Itoa(len(cases)) || !r.FromRoster["S1"] || r.Resume != "" {
		t.Errorf("opened %+v, answers %v, from roster %v", r.Rec, r.Answers, r.FromRoster)
	}
	again, err := OpenVillage(sess, reg, f, v)
	if err != nil || again.Rec.ID != r.Rec.ID {
		t.Fatalf("opened again: %v, %s want %s", err, again.Rec.ID, r.Rec.ID)
	}
	all, _ := sess.Cases(localstore.CaseFilter{})
	recs, _ := sess.Records()
	got := VillageForms(all, recs, f, nil)
	want := []VillageForm{{villages[0], localstore.StatusDraft}, {villages[1], ""}}
	if !slices.Equal(got, want) {
		t.Errorf("VillageForms = %v, want %v", got, want)
	}
	if got := VillageForms(all, recs, f, villages[1:]); !slices.Equal(got, want[1:]) {
		t.Errorf("VillageForms of the user's own villages = %v, want %v", got, want[1:])
	}
	if got := VillageForms(all, recs, nil, nil); got != nil {
		t.Errorf("VillageForms without a community form = %v", got)
	}

	if _, err := FinishVillage(db, sess, r.Rec.ID, "wrong-pass"); !errors.Is(err, localstore.ErrWrongPassphrase) {
		t.Fatalf("a wrong passphrase: %v", err)
	}
	if rec, _ := sess.VillageRecord(v, f.ID); len(rec.Signatures) != 0 || rec.Status != localstore.StatusDraft {
		t.Fatalf("a wrong passphrase signed: %+v", rec)
	}
	done, err := FinishVillage(db, sess, r.Rec.ID, pass)
	if err != nil {
		t.Fatal(err)
	}
	sig, ok := done.SignedBy(localstore.SignerEnumerator)
	if done.Status != localstore.StatusCompleted || !ok || sig.Name != "王组长" {
		t.Errorf("finished: %s, signed %v %+v", done.Status, ok, sig)
	}
}

func TestMoveTo(t *testing.T) {
	old, err := forms.Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	next, err := forms.LoadFile("../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := community(t)
	for _, tt := range []struct {
		name   string
		status localstore.Status
		f, to  *forms.Form
		want   *forms.Form
	}{
		{"a draft of last year's form", localstore.StatusDraft, old, next, next},
		{"read back", localstore.StatusReadBack, old, next, next},
		{"signed", localstore.StatusSigned, old, next, next},
		{"completed", localstore.StatusCompleted, old, next, nil},
		{"returned", localstore.StatusReturned, old, next, nil},
		{"already on it", localstore.StatusDraft, next, next, nil},
		{"a form that takes nothing of it", localstore.StatusDraft, old, cf, nil},
		{"no form named", localstore.StatusDraft, old, nil, nil},
	} {
		rec := &localstore.Record{Status: tt.status}
		if got := MoveTo(rec, tt.f, tt.to); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestMovedDraftResumesAfterItsLastKeptAnswer: a draft whose last answer was to a
// question the new form dropped, never paused, goes on after the last answer the move
// kept — not at the first question, as if nothing had been answered.
func TestMovedDraftResumesAfterItsLastKeptAnswer(t *testing.T) {
	_, sess, villages := leaderStore(t)
	old, _ := community(t)
	next := formstest.Community2022(t)
	reg, err := forms.NewRegistry(old, next)
	if err != nil {
		t.Fatal(err)
	}
	v := villages[0]
	r, err := OpenVillage(sess, reg, old, v)
	if err != nil {
		t.Fatal(err)
	}
	answer := func(q, raw string) {
		t.Helper()
		if _, err := sess.SaveAnswers(r.Rec.ID, localstore.AnswerChange{Question: q, Section: old.Question(q).Section.ID, Value: json.RawMessage(raw)}); err != nil {
			t.Fatal(err)
		}
	}
	answer("S2", "1")
	answer("S3", "99") // the roster said otherwise
	answer("S4", "1")  // the last answer, to a question next year's form drops
	rec, err := sess.VillageRecord(v, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if to := MoveTo(rec, old, next); to != next {
		t.Fatalf("the draft is not offered the move: %v", to)
	}
	plan, err := PlanMove(sess, reg, rec, next)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Move(sess, rec, plan); err != nil {
		t.Fatal(err)
	}
	moved, err := OpenVillage(sess, reg, next, v)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Form != next || moved.Answers["S4"] != nil {
		t.Fatalf("not moved: %s, answers %v", moved.Form.ID, moved.Answers)
	}
	if moved.Resume != "S3" || moved.Place != "" {
		t.Errorf("resumes after %q (paused at %q), want after S3, the last answer the move kept", moved.Resume, moved.Place)
	}
	if at := After(next, next.Evaluate(moved.Answers, moved.Ctx), moved.Resume); at != "S4x" {
		t.Errorf("opens at %q, want S4x", at)
	}
}
