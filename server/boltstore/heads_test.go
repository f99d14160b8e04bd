package boltstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// TestHeadsOfSchema6: records a file of schema 6 holds keep their chain's hashes in
// heads/; they are judged by them (stale, conflict, a later revision stored), and a
// record's next revision moves it to the length and head in records/.
func TestHeadsOfSchema6(t *testing.T) {
	dir := t.TempDir()
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(dir, boltstore.Options{Now: now})
		}
	}, nil)
	enum := storetest.Laptop(t, 2, "E001")
	lead := storetest.Laptop(t, 0, "L001")
	lead2 := storetest.Laptop(t, 0, "L001")
	whole := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	leader := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
	d.EnrolKey(whole, enum)
	d.EnrolKey(leader, lead)
	d.EnrolKey(leader, lead2)
	recs, _ := enum.Records()
	var done []string
	for _, r := range recs {
		if r.Status == localstore.StatusCompleted {
			done = append(done, r.ID)
		}
	}
	if len(done) < 2 {
		t.Fatalf("%d completed records", len(done))
	}
	a, b := done[0], done[1]
	for _, id := range done[:2] {
		for _, l := range []*localstore.Session{lead, lead2} {
			rev, _ := enum.Revision(id)
			if res, reason, err := l.Receive(rev); err != nil || res != localstore.Received {
				t.Fatalf("hand over: %s %s %v", res, reason, err)
			}
		}
	}
	if _, err := lead.Approve(a); err != nil {
		t.Fatal(err)
	}
	if _, err := lead.Approve(b); err != nil {
		t.Fatal(err)
	}
	if _, err := lead2.Return(a, []localstore.Comment{{Question: "R3", Text: "请核实"}}); err != nil {
		t.Fatal(err)
	}
	put := func(u protocol.User, s *localstore.Session, id string, seq uint64) protocol.PushResult {
		return pushOf(t, d, u, s, id, seq)
	}
	if res := put(leader, lead, a, 1); res.Result != protocol.Stored {
		t.Fatalf("a's approval: %+v", res)
	}
	if res := put(whole, enum, b, 2); res.Result != protocol.Stored {
		t.Fatalf("b completed: %+v", res)
	}
	d.Stop()
	if err := boltstore.AsSchema6Heads(dir); err != nil {
		t.Fatal(err)
	}
	d.Start()
	st := d.Store.(*boltstore.Store)
	if n := st.HeadsKept(); n != 2 {
		t.Fatalf("%d records in heads/ after the rewrite", n)
	}
	if res := put(whole, enum, a, 3); res.Result != protocol.Stale {
		t.Errorf("a completed, after its approval: %+v", res)
	}
	if res := put(leader, lead2, a, 4); res.Result != protocol.Rejected || !strings.Contains(res.Reason, record.ErrConflict.Error()) {
		t.Errorf("a returned by another laptop after the approval: %+v", res)
	}
	if res := put(leader, lead, b, 5); res.Result != protocol.Stored {
		t.Errorf("b's approval: %+v", res)
	}
	if n := st.HeadsKept(); n != 1 {
		t.Errorf("%d records in heads/ after b's next revision, want a's alone", n)
	}
	if res := put(whole, enum, b, 6); res.Result != protocol.Duplicate {
		t.Errorf("b completed again: %+v", res)
	}
	if res := put(leader, lead, b, 7); res.Result != protocol.Duplicate {
		t.Errorf("b's approval again: %+v", res)
	}
}
