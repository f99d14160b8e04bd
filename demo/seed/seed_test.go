package seed

import (
	"testing"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
)

func TestSeed(t *testing.T) {
	db := localstoretest.Open(t)
	rep, err := Fill(db, Options{Form: formstest.Person2021(t), Options: demo.Options{Seed: 7, Cases: 60}, Completed: 12})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Completed != 12 || len(rep.District.Rows) != 60 {
		t.Fatalf("report %+v", rep)
	}
	s, err := db.Unlock("L001", Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	done, err := s.Cases(localstore.CaseFilter{Status: localstore.StatusCompleted})
	if err != nil || len(done) != 12 {
		t.Fatalf("%d completed, %v", len(done), err)
	}
	if n, _ := db.OutboxLen(); n != 12 {
		t.Errorf("outbox %d", n)
	}
	if problems, err := s.Verify(); err != nil || len(problems) != 0 {
		t.Errorf("verify: %v %v", problems, err)
	}
	f := formstest.Person2021(t)
	records, _ := s.Records()
	interviewed := 0
	for _, r := range records {
		if r.Outcome != 1 {
			continue
		}
		interviewed++
		a, err := f.DecodeAnswers(r.Answers)
		if err != nil {
			t.Fatal(err)
		}
		if res := f.Evaluate(a, forms.Context{"method": r.Method, "outcome": r.Outcome}); !res.Complete {
			t.Errorf("record %s not complete: %v", r.ID, res.Missing)
		}
		if _, ok := r.RespondentSignature(); !ok {
			t.Errorf("record %s unsigned", r.ID)
		}
	}
	if interviewed == 0 {
		t.Error("no interviews among 12 completed cases")
	}
	// A second seed into the same file is refused: the demo never mixes districts.
	if _, err := Fill(db, Options{Form: formstest.Person2021(t), Options: demo.Options{Seed: 8, Cases: 5}}); err == nil {
		t.Error("seeded twice")
	}
}
