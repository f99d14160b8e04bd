package localstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/forms/validate"
	"github.com/doorstep-survey/doorstep/roster"
)

func idWithCheck(first17 string) string {
	id, err := validate.CompleteID(first17)
	if err != nil {
		panic(err) // a test's own constant is wrong
	}
	return id
}

func testRows() []roster.Row {
	id1 := idWithCheck("41010219800101123")
	id2 := idWithCheck("41010219550302124")
	return []roster.Row{
		{Line: 2, Name: "张秀英", CertificateNumber: id1 + "42", IDNumber: id1, Sex: 1, Category: 4, Level: 2, Town: "青石镇", Village: "王庄村", Phone: "13812345678"},
		{Line: 3, Name: "刘建国", CertificateNumber: id2 + "11", IDNumber: id2, Sex: 2, Category: 1, Level: 1, Town: "青石镇", Village: "柳树沟村"},
	}
}

func importTest(t *testing.T, s *Session) []Case {
	t.Helper()
	rep, err := s.ImportRoster(testRows(), "roster.xlsx")
	if err != nil || rep.Added != 2 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	cases, err := s.Cases(CaseFilter{})
	if err != nil || len(cases) != 2 {
		t.Fatalf("cases: %v, %v", cases, err)
	}
	return cases
}

func TestRosterReimportSaysWhatChanged(t *testing.T) {
	_, s := setupTest(t)
	cases := importTest(t, s)
	if cases[0].Row.Name != "张秀英" || cases[1].Seq != 2 {
		t.Errorf("order: %+v", cases)
	}
	rec, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	rows := testRows()
	rows[0].Phone = "13900000000"
	rows[0].Village = "柳树沟村"
	rep, err := s.ImportRoster(rows, "roster2.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 0 || rep.Unchanged != 1 || len(rep.Updated) != 1 || !slices.Equal(rep.Updated[0].Fields, []string{"所属村（社区）", "联系电话"}) {
		t.Errorf("report = %+v", rep)
	}
	again, err := s.RecordFor(cases[0].ID, "person-2021")
	if err != nil || again.ID != rec.ID {
		t.Errorf("record lost on re-import: %v", err)
	}
	got, err := s.Cases(CaseFilter{Village: "柳树沟村"})
	if err != nil || len(got) != 2 {
		t.Errorf("village filter: %d, %v", len(got), err)
	}
	byNum, err := s.CaseByNumber(rows[1].CertificateNumber)
	if err != nil || byNum.Row.Name != "刘建国" {
		t.Errorf("by number: %+v, %v", byNum, err)
	}
}

// interview takes a record from draft to completed, as the screens will.
func interview(t *testing.T, s *Session, caseID string) *Record {
	t.Helper()
	r, err := s.StartRecord(caseID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() (*Record, error){
		func() (*Record, error) { return s.SetCaseHeader(r.ID, 1, 1, "") },
		func() (*Record, error) {
			return s.SaveAnswers(r.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`2`), Spent: 4 * time.Second})
		},
		func() (*Record, error) {
			return s.SaveAnswers(r.ID, AnswerChange{Question: "R12", Section: "social", Value: json.RawMessage(`[1, 2]`)})
		},
		func() (*Record, error) { return s.ConfirmSection(r.ID, "basic") },
		func() (*Record, error) { return s.MarkReadBack(r.ID) },
		func() (*Record, error) {
			return s.Sign(r.ID, Signature{Role: SignerProxy, Name: "张大山", Relation: "子女"})
		},
		func() (*Record, error) { return s.Sign(r.ID, Signature{Role: SignerEnumerator, Name: "李登记"}) },
		func() (*Record, error) { return s.AddPhoto(r.ID, []byte("\xff\xd8 a jpeg"), "image/jpeg") },
		func() (*Record, error) { return s.Complete(r.ID) },
	}
	for i, step := range steps {
		if r, err = step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	return r
}

func TestInterviewLifecycle(t *testing.T) {
	db, s := setupTest(t)
	cases := importTest(t, s)
	r := interview(t, s, cases[0].ID)
	if r.Status != StatusCompleted || r.Revision != 9 {
		t.Errorf("status %s revision %d", r.Status, r.Revision)
	}
	sig, ok := r.RespondentSignature()
	if !ok || sig.DisplayName() != "张大山(代)" {
		t.Errorf("respondent signature %+v %v", sig, ok)
	}
	c, _ := s.Case(cases[0].ID)
	if c.Status != StatusCompleted || c.Outcome != 1 {
		t.Errorf("case mirrors %s/%d", c.Status, c.Outcome)
	}
	audit, err := s.Audit(r.ID)
	if err != nil || len(audit) != 10 || audit[2].Question != "R3" || audit[2].SpentMS != 4000 || audit[2].User != "L001" {
		t.Fatalf("audit %+v, %v", audit, err)
	}
	// Completed answers do not change.
	if _, err := s.SaveAnswers(r.ID, AnswerChange{Question: "R3", Value: json.RawMessage(`1`)}); !errors.Is(err, ErrRecordLocked) {
		t.Errorf("changed a completed record: %v", err)
	}
	out, err := s.Outbox(0)
	if err != nil || len(out) != 1 || out[0].Revision != r.Revision || out[0].ContentHash != r.ContentHash() || len(out[0].Audit) != 10 {
		t.Fatalf("outbox %+v, %v", out, err)
	}
	if n, _ := db.OutboxLen(); n != 1 {
		t.Errorf("outbox len %d", n)
	}
	if problems, err := s.Verify(); err != nil || len(problems) != 0 {
		t.Errorf("verify: %v %v", problems, err)
	}
	photo, err := s.Photo(r.Photos[0].Hash)
	if err != nil || string(photo) != "\xff\xd8 a jpeg" {
		t.Errorf("photo %q %v", photo, err)
	}

	// The leader returns it; the enumerator reopens, fixes with a reason, and the
	// confirmed-section rule applies again only after a new confirmation.
	r, err = s.Return(r.ID, []Comment{{Question: "R3", Text: "请核实婚姻状况"}})
	if err != nil || r.Status != StatusReturned {
		t.Fatalf("return: %v", err)
	}
	if out, _ := s.Outbox(0); len(out) != 2 {
		t.Errorf("return not queued: %d", len(out))
	}
	enum, err := db.Unlock("E001", "enum-pass1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := enum.Approve(r.ID); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("enumerator approved: %v", err)
	}
	if r, err = enum.Reopen(r.ID); err != nil || r.Status != StatusDraft {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := enum.SaveAnswers(r.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`4`)}); err != nil {
		t.Fatalf("fix after return: %v", err)
	}
	if _, err := enum.ConfirmSection(r.ID, "basic"); err != nil {
		t.Fatal(err)
	}
	if _, err := enum.SaveAnswers(r.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`1`)}); !errors.Is(err, ErrReasonRequired) {
		t.Errorf("confirmed section changed without reason: %v", err)
	}
	r, err = enum.SaveAnswers(r.ID, AnswerChange{Question: "R3", Section: "basic", Value: json.RawMessage(`1`), Reason: "受访者更正"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.RespondentSignature(); ok {
		t.Error("old signature still counts after the answers changed")
	}
	if _, err := enum.Complete(r.ID); !errors.Is(err, ErrNotReady) {
		t.Errorf("completed with stale signatures: %v", err)
	}
	if problems, _ := s.Verify(); len(problems) != 0 {
		t.Errorf("verify after return: %v", problems)
	}
}

func TestNonInterviewOutcome(t *testing.T) {
	_, s := setupTest(t)
	cases := importTest(t, s)
	r, err := s.StartRecord(cases[1].ID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCaseHeader(r.ID, 1, 2, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Complete(r.ID); !errors.Is(err, ErrNotReady) {
		t.Errorf("completed a death without a note: %v", err)
	}
	if _, err := s.SetCaseHeader(r.ID, 1, 2, "2021年6月病故，家属告知"); err != nil {
		t.Fatal(err)
	}
	if r, err = s.Complete(r.ID); err != nil || r.Status != StatusCompleted {
		t.Fatalf("complete: %v", err)
	}
}

func TestPhotoTooLarge(t *testing.T) {
	_, s := setupTest(t)
	cases := importTest(t, s)
	r, _ := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	_, err := s.AddPhoto(r.ID, make([]byte, MaxPhotoSize+1), "image/jpeg")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "at most 8 MB") {
		t.Errorf("err = %v", err)
	}
}

// TestVerifyFindsOutsideEdits: a record changed with the key but not through the program
// (its answers re-sealed, an audit entry dropped) is reported.
func TestVerifyFindsOutsideEdits(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *Session, tx *bolt.Tx, r *Record)
		want   string
	}{
		{"answer changed", func(t *testing.T, s *Session, tx *bolt.Tx, r *Record) {
			r.Answers["R3"] = json.RawMessage(`1`)
			if err := s.keys.putSealed(tx.Bucket(bucketRecords), "records", []byte(r.ID), r); err != nil {
				t.Fatal(err)
			}
		}, "answer R3 is not the one the audit chain recorded"},
		{"audit entry deleted", func(t *testing.T, s *Session, tx *bolt.Tx, r *Record) {
			if err := tx.Bucket(bucketAudit).Bucket([]byte(r.ID)).Delete(u64(3)); err != nil {
				t.Fatal(err)
			}
		}, "does not follow"},
		{"audit entry rewritten", func(t *testing.T, s *Session, tx *bolt.Tx, r *Record) {
			b := tx.Bucket(bucketAudit).Bucket([]byte(r.ID))
			var e AuditEntry
			if _, err := s.keys.getSealed(b, auditPath(r.ID), u64(3), &e); err != nil {
				t.Fatal(err)
			}
			e.New = json.RawMessage(`1`)
			if err := s.keys.putSealed(b, auditPath(r.ID), u64(3), &e); err != nil {
				t.Fatal(err)
			}
		}, "audit entry 3 was changed"},
		{"value moved between keys", func(t *testing.T, s *Session, tx *bolt.Tx, r *Record) {
			b := tx.Bucket(bucketAudit).Bucket([]byte(r.ID))
			if err := b.Put(u64(3), slices.Clone(b.Get(u64(4)))); err != nil {
				t.Fatal(err)
			}
		}, "cannot decrypt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, s := setupTest(t)
			cases := importTest(t, s)
			r := interview(t, s, cases[0].ID)
			if err := db.bolt.Update(func(tx *bolt.Tx) error { tt.tamper(t, s, tx, r); return nil }); err != nil {
				t.Fatal(err)
			}
			problems, err := s.Verify()
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tt.want) || !strings.Contains(strings.Join(all, "\n"), "张秀英") {
				t.Errorf("problems %q lack %q", all, tt.want)
			}
		})
	}
}

// TestNoPersonalDataInTheClear: what `strings` would find in the file holds no name, ID
// number, answer or note.
func TestNoPersonalDataInTheClear(t *testing.T) {
	db, s := setupTest(t)
	cases := importTest(t, s)
	r := interview(t, s, cases[0].ID)
	if _, err := s.Return(r.ID, []Comment{{Text: "请核实联系电话号码"}}); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := testRows()
	secrets := []string{rows[0].Name, rows[0].CertificateNumber, rows[0].IDNumber, rows[0].IDNumber[:14], rows[1].Name,
		rows[0].Phone, "王庄村", "张大山", "李登记", "王组长", "请核实联系电话号码", "enum-pass1", "leader-pass"}
	for _, secret := range secrets {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%q is in the file in the clear", secret)
		}
	}
}

// TestLeaderDecidesOnTeamVillagesOnly: a leader with villages of their own cannot
// approve or return a record of another village; one without villages (a district
// laptop) can.
func TestLeaderDecidesOnTeamVillagesOnly(t *testing.T) {
	db, s := setupTest(t)
	cases := importTest(t, s)
	other := User{Code: "L002", Name: "赵组长", Role: RoleLeader, Team: "二组", Villages: []string{"柳树沟村"}}
	district := User{Code: "D001", Name: "区残联", Role: RoleLeader}
	for _, u := range []User{other, district} {
		if err := s.AddUser(u, "leader-pass2"); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1") // 王庄村
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCaseHeader(r.ID, 1, 3, "空挂户，村委会证实"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Complete(r.ID); err != nil {
		t.Fatal(err)
	}
	l2, err := db.Unlock("L002", "leader-pass2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l2.Approve(r.ID); !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "王庄村") {
		t.Errorf("another team's leader approved: %v", err)
	}
	if _, err := l2.Return(r.ID, []Comment{{Text: "x"}}); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("another team's leader returned: %v", err)
	}
	d, err := db.Unlock("D001", "leader-pass2")
	if err != nil {
		t.Fatal(err)
	}
	if r, err = d.Approve(r.ID); err != nil || r.Status != StatusApproved {
		t.Errorf("the district's leader could not approve: %v", err)
	}
	if _, err := s.Approve(r.ID); err != nil {
		t.Errorf("approving twice: %v", err)
	}
}
