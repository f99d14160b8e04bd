package localstore

import (
	"encoding/json"
	"strings"
	"testing"
)

// completeRecord takes a case through an interview to completion, with a photo.
func completeRecord(t *testing.T, s *Session, caseID string) *Record {
	t.Helper()
	r, err := s.StartRecord(caseID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() (*Record, error){
		func() (*Record, error) { return s.SetCaseHeader(r.ID, 1, 1, "") },
		func() (*Record, error) {
			return s.SaveAnswers(r.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`2`)})
		},
		func() (*Record, error) {
			return s.AddPhoto(r.ID, []byte("\xff\xd8 a photo of the house"), "image/jpeg")
		},
		func() (*Record, error) { return s.MarkReadBack(r.ID) },
		func() (*Record, error) {
			return s.Sign(r.ID, Signature{Role: SignerProxy, Name: "王芳", Relation: "女儿"})
		},
		func() (*Record, error) { return s.Sign(r.ID, Signature{Role: SignerEnumerator, Name: s.User().Name}) },
		func() (*Record, error) { return s.Complete(r.ID) },
	}
	for _, step := range steps {
		if r, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// twoLaptops are two data files of the same team with the same roster: the
// enumerator's (a) and the leader's (b), each keeping the other's key card. Different
// data keys, so the same case has a different id on each.
func twoLaptops(t *testing.T) (a, b *Session, casesA, casesB []Case) {
	t.Helper()
	la, err := openTest(t, t.TempDir()).Setup(enumerator, "enum-pass1")
	if err != nil {
		t.Fatal(err)
	}
	lb, err := openTest(t, t.TempDir()).Setup(leader, "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	exchangeCards(t, la, lb)
	casesA, casesB = importTest(t, la), importTest(t, lb)
	if casesA[0].ID == casesB[0].ID {
		t.Fatal("the laptops share case ids")
	}
	return la, lb, casesA, casesB
}

// exchangeCards keeps each user's key card on the other's laptop.
func exchangeCards(t *testing.T, sessions ...*Session) {
	t.Helper()
	for _, from := range sessions {
		for _, to := range sessions {
			if from != to {
				if err := to.TrustCard(from.own.Card()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func receive(t *testing.T, s *Session, rev Revision, want ReceiveResult) string {
	t.Helper()
	got, reason, err := s.Receive(rev)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("received %s (%s), want %s", got, reason, want)
	}
	return reason
}

func TestReceiveAcrossLaptops(t *testing.T) {
	a, b, casesA, casesB := twoLaptops(t)
	done := completeRecord(t, a, casesA[0].ID)
	rev1, err := a.Revision(done.ID)
	if err != nil || len(rev1.Photos) != 1 {
		t.Fatalf("revision: %v, %d photos", err, len(rev1.Photos))
	}
	receive(t, b, rev1, Received)
	receive(t, b, rev1, Duplicate)

	got, err := b.Record(done.ID)
	if err != nil || got.CaseID != casesB[0].ID || got.Status != StatusCompleted {
		t.Fatalf("on B: %+v %v", got, err)
	}
	if sig, ok := got.RespondentSignature(); !ok || sig.DisplayName() != "王芳(代)" {
		t.Error("the signatures do not hold on the other laptop")
	}
	if c, _ := b.Case(casesB[0].ID); c.Status != StatusCompleted {
		t.Errorf("the case on B is %q", c.Status)
	}
	if probs, _ := b.Verify(); len(probs) != 0 {
		t.Errorf("verify on B: %v", probs)
	}
	if photo, err := b.Photo(done.Photos[0].Hash); err != nil || string(photo) != "\xff\xd8 a photo of the house" {
		t.Errorf("photo on B: %q %v", photo, err)
	}

	// The leader on B returns it; the return goes back to A.
	if _, err := b.Return(done.ID, []Comment{{Question: "R3", Text: "请核实"}}); err != nil {
		t.Fatal(err)
	}
	rev2, _ := b.Revision(done.ID)
	receive(t, a, rev2, Received)
	back, _ := a.Record(done.ID)
	if back.Status != StatusReturned || len(back.Comments) != 1 || back.CaseID != casesA[0].ID {
		t.Errorf("on A after the return: %+v", back)
	}
	receive(t, a, rev1, Stale)
	if probs, _ := a.Verify(); len(probs) != 0 {
		t.Errorf("verify on A: %v", probs)
	}

	// Both change the returned record: the second to arrive is a conflict.
	if _, err := a.SaveAnswers(done.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`1`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SaveAnswers(done.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`4`)}); err != nil {
		t.Fatal(err)
	}
	revA, _ := a.Revision(done.ID)
	if reason := receive(t, b, revA, Rejected); !strings.Contains(reason, "changed differently") {
		t.Errorf("conflict reason %q", reason)
	}
}

func TestReceiveRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(rev *Revision)
		reason string
	}{
		{"an answer changed outside the program", func(rev *Revision) {
			rev.Record.Answers["R3"] = json.RawMessage(`1`)
		}, "answer R3 is not the one the audit chain recorded"},
		{"an audit entry dropped", func(rev *Revision) {
			rev.Audit = append(rev.Audit[:2:2], rev.Audit[3:]...)
		}, "audit entry"},
		{"a signature no longer matching", func(rev *Revision) {
			rev.Record.Notes = map[string]string{"C1@R3": "added later"}
		}, "signature does not match"},
		{"a photo missing", func(rev *Revision) { rev.Photos = nil }, "photo"},
		{"a photo replaced", func(rev *Revision) {
			for h := range rev.Photos {
				rev.Photos[h] = []byte("another picture")
			}
		}, "not the one the record names"},
		{"a subject changed", func(rev *Revision) { rev.Record.Subject = "110101199001011234" }, "signature does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, casesA, _ := twoLaptops(t)
			done := completeRecord(t, a, casesA[0].ID)
			rev, err := a.Revision(done.ID)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(&rev)
			if reason := receive(t, b, rev, Rejected); !strings.Contains(reason, tt.reason) {
				t.Errorf("reason %q, want %q", reason, tt.reason)
			}
			if recs, _ := b.Records(); len(recs) != 0 {
				t.Errorf("a rejected record was kept: %d records", len(recs))
			}
		})
	}
}

func TestReceiveCaseNotOnRoster(t *testing.T) {
	_, a := setupTest(t)
	casesA := importTest(t, a)
	_, b := setupTest(t)
	if _, err := b.ImportRoster(testRows()[1:], "other.xlsx"); err != nil {
		t.Fatal(err)
	}
	done := completeRecord(t, a, casesA[0].ID)
	rev, _ := a.Revision(done.ID)
	if reason := receive(t, b, rev, Rejected); !strings.Contains(reason, "not on this laptop's roster") {
		t.Errorf("reason %q", reason)
	}
}
