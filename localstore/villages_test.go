package localstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
)

func TestVillageRecord(t *testing.T) {
	db, s := setupTest(t)
	cases := importTest(t, s)
	if _, err := s.VillageRecord("王庄村", "community-2021"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before start: %v", err)
	}
	r, err := s.StartVillageRecord("王庄村", "community-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.StartVillageRecord("王庄村", "community-2021", "2021.1")
	if err != nil || again.ID != r.ID || r.Village != "王庄村" || r.CaseID != "" {
		t.Fatalf("second start: %+v %v", again, err)
	}
	other, err := s.StartVillageRecord("柳树沟村", "community-2021", "2021.1")
	if err != nil || other.ID == r.ID {
		t.Fatalf("another village shares the record: %v", err)
	}
	if _, err := s.StartVillageRecord(" ", "community-2021", "2021.1"); err == nil {
		t.Error("a record for no village")
	}
	if r, err = s.SaveAnswers(r.ID, AnswerChange{Question: "S3", Section: "identification", Value: json.RawMessage(`2`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Complete(r.ID); !errors.Is(err, ErrNotReady) {
		t.Errorf("completed unsigned: %v", err)
	}
	if _, err := s.Sign(r.ID, Signature{Role: SignerEnumerator, Name: "王组长"}); err != nil {
		t.Fatal(err)
	}
	if r, err = s.Complete(r.ID); err != nil || r.Status != StatusCompleted {
		t.Fatalf("complete: %v", err)
	}
	if n, _ := db.OutboxLen(); n != 1 {
		t.Errorf("not queued: %d", n)
	}
	// No case took the village record's status.
	for _, c := range cases {
		got, _ := s.Case(c.ID)
		if got.Status != "" {
			t.Errorf("case %s has status %s", c.Row.Name, got.Status)
		}
	}
	if found, err := s.VillageRecord("王庄村", "community-2021"); err != nil || found.ID != r.ID {
		t.Errorf("lookup: %v", err)
	}
	if problems, err := s.Verify(); err != nil || len(problems) != 0 {
		t.Errorf("verify: %v %v", problems, err)
	}
	// A person's record hashes as it did before villages had records.
	p := &Record{ID: "x", CaseID: "c", FormID: "person-2021", FormVersion: "2021.1", Method: 1, Outcome: 1,
		Answers: map[string]json.RawMessage{"R3": json.RawMessage(`2`)}}
	want := sha256.Sum256([]byte(`{"id":"x","case_id":"c","form_id":"person-2021","form_version":"2021.1","method":1,"outcome":1,"outcome_note":"","answers":{"R3":2},"notes":null}`))
	if h := p.ContentHash(); h != hex.EncodeToString(want[:]) {
		t.Errorf("a person's record hashes differently now: %s", h)
	}
}
