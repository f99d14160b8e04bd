package plainmode

import (
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
)

// TestPlainSaysWithdrawn: a case whose record the district withdrew is said so, with
// the district's reason, when it is found.
func TestPlainSaysWithdrawn(t *testing.T) {
	f := formstest.Person2021(t)
	db, rows := store(t)
	s, err := db.Unlock("L001", pass)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := s.Cases(localstore.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.StartRecord(cases[0].ID, f.ID, f.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCaseHeader(r.ID, 1, 2, "2021年6月病故"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Complete(r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkWithdrawn(r.ID, localstore.Withdrawal{Kept: "other", Reason: "重复入户，保留另一条", At: time.Now()}); err != nil {
		t.Fatal(err)
	}

	d := start(t, db, f)
	d.until("用户代码")
	d.send("E001")
	d.until("口令")
	d.send(pass)
	d.until("调查对象共")
	d.send(rows[0].Name)
	d.until("已被区县撤销，不计入统计（重复入户，保留另一条）")
}
