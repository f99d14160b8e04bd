package localstore

import (
	"testing"
	"time"
)

// TestMarkWithdrawn: the district's withdrawal is kept on the record and its case, once;
// a later revision received keeps it; a record received never brings one.
func TestMarkWithdrawn(t *testing.T) {
	a, b, casesA, _ := twoLaptops(t)
	done := completeRecord(t, a, casesA[0].ID)
	rev, err := a.Revision(done.ID)
	if err != nil {
		t.Fatal(err)
	}
	forged := rev
	forged.Record.Withdrawn = &Withdrawal{Kept: "other", Reason: "forged by the sender"}
	receive(t, b, forged, Received)
	if got, _ := b.Record(done.ID); got.Withdrawn != nil {
		t.Fatalf("a received record brought its own withdrawal: %+v", got.Withdrawn)
	}

	w := Withdrawal{Kept: "rec-kept", Reason: "重复入户，保留先到的记录", At: time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC)}
	if mine, err := a.MarkWithdrawn(done.ID, w); !mine || err != nil {
		t.Fatalf("MarkWithdrawn = %v, %v", mine, err)
	}
	got, _ := a.Record(done.ID)
	if got.Withdrawn == nil || got.Withdrawn.Reason != w.Reason || got.Withdrawn.Kept != w.Kept {
		t.Fatalf("the record: %+v", got.Withdrawn)
	}
	if c, _ := a.Case(casesA[0].ID); c.Withdrawn != w.Reason || c.Status != StatusCompleted {
		t.Errorf("the case: withdrawn %q, status %q", c.Withdrawn, c.Status)
	}
	if mine, err := a.MarkWithdrawn(done.ID, w); !mine || err != nil {
		t.Fatalf("again: %v, %v", mine, err)
	}
	if again, _ := a.Record(done.ID); !again.UpdatedAt.Equal(got.UpdatedAt) {
		t.Error("marking it again wrote the record again")
	}
	if mine, err := a.MarkWithdrawn("no-such-record", w); mine || err != nil {
		t.Errorf("a record this laptop has not: %v, %v", mine, err)
	}

	// The leader returns it on B; the return reaches A, which keeps the withdrawal.
	if _, err := b.Return(done.ID, []Comment{{Question: "R3", Text: "请核实"}}); err != nil {
		t.Fatal(err)
	}
	rev2, _ := b.Revision(done.ID)
	receive(t, a, rev2, Received)
	back, _ := a.Record(done.ID)
	if back.Status != StatusReturned || back.Withdrawn == nil || back.Withdrawn.Reason != w.Reason {
		t.Errorf("after a later revision: %s, %+v", back.Status, back.Withdrawn)
	}
	if c, _ := a.Case(casesA[0].ID); c.Withdrawn != w.Reason || c.Status != StatusReturned {
		t.Errorf("the case after a later revision: withdrawn %q, status %q", c.Withdrawn, c.Status)
	}
	if probs, _ := a.Verify(); len(probs) != 0 {
		t.Errorf("verify: %v", probs)
	}
}
