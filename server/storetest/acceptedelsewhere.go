package storetest

import (
	"context"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// testAcceptedElsewhere: the district accepts a record held for its review into
// another village than the one its laptop named (it knows better where the person
// lives). The laptops of the record's team were never told, and go on naming the old
// village: their later revisions — the leader's return, the enumerator's correction —
// are filed where the district put the record, not held again, not refused, not moved
// back — and they pull each other's, as before the district moved it. A label moves
// nothing: the same laptop naming a third village it works in is refused, and the
// record stays where the district put it (PROTOCOL.md).
func testAcceptedElsewhere(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	enum := Laptop(t, 1, "E001")
	lead := Laptop(t, 0, "L001")
	rec := completed(t, enum)[0]
	cases, err := enum.Cases(localstore.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []roster.Row // the roster knows someone else, not this person
	for _, c := range cases {
		if c.Row.Key() != rec.Subject {
			rows = append(rows, c.Row)
			break
		}
	}
	if _, err := d.Store.ImportRoster(ctx, rows, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	named := Item(t, enum, rec.ID, 1).Case.Village
	const moved, third = "王庄村", "李家村"
	e001 := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{named, third}}
	l001 := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{named, third}}
	d.EnrolKey(e001, enum)
	d.EnrolKey(l001, lead)
	if res := d.Put(e001, Item(t, enum, rec.ID, 1)); res.Result != protocol.Stored || !res.Review {
		t.Fatalf("the record of a person not on the roster: %+v", res)
	}
	if _, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: rec.ID, Village: moved, By: "区残联"}); err != nil {
		t.Fatal(err)
	}
	filed := func(when string, revision uint64) {
		t.Helper()
		rows := d.Rows(store.RecordFilter{Subject: rec.Subject})
		if len(rows) != 1 || rows[0].Village != moved || rows[0].Revision != revision {
			t.Errorf("%s: the person's records %+v, want revision %d filed under %s", when, rows, revision, moved)
		}
		if n := len(d.Rows(store.RecordFilter{Village: named})); n != 0 {
			t.Errorf("%s: %d records filed under %s", when, n, named)
		}
		if open, err := HeldAll(ctx, d.Store, false); err != nil || len(open) != 0 {
			t.Errorf("%s: held again: %+v %v", when, open, err)
		}
	}
	accepted := Item(t, enum, rec.ID, 1).Revision.Record.Revision
	filed("accepted", accepted)
	pulls := func(who protocol.User, revision uint64) {
		t.Helper()
		resp, err := d.Store.Pull(ctx, who, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range resp.Revisions {
			if r.Record.ID == rec.ID && r.Record.Revision == revision {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s pulled revision %d of the record %d times, want once: the team works on it through the server", who.Code, revision, n)
		}
	}
	pulls(l001, accepted) // the team's leader, who never had it while it was held

	// The team's leader returns it, on a laptop that names the village it was sent from.
	handOver(t, enum, lead, rec.ID)
	if _, err := lead.Return(rec.ID, []localstore.Comment{{Question: "R3", Text: "请核实"}}); err != nil {
		t.Fatal(err)
	}
	returned := Item(t, lead, rec.ID, 2)
	if returned.Case.Village != named {
		t.Fatalf("the leader's laptop names %s, want %s", returned.Case.Village, named)
	}
	if res := d.Put(l001, returned); res.Result != protocol.Stored || res.Review {
		t.Fatalf("the leader's return of the accepted record: %+v", res)
	}
	filed("returned", returned.Revision.Record.Revision)
	pulls(e001, returned.Revision.Record.Revision)

	// The enumerator corrects it. Named after a third village of theirs: refused, moved
	// nowhere; named as before: filed where the district put it.
	handOver(t, lead, enum, rec.ID)
	FixAndComplete(t, enum, rec.ID)
	relabelled := Item(t, enum, rec.ID, 3)
	relabelled.Case.Village = third
	if res := d.Put(e001, relabelled); res.Result != protocol.Rejected || res.Code != protocol.ReasonRosterVillage || len(res.Args) == 0 || res.Args[0] != moved {
		t.Errorf("the record relabelled %s: %+v, want refused naming %s", third, res, moved)
	}
	filed("relabelled", returned.Revision.Record.Revision)
	corrected := Item(t, enum, rec.ID, 4)
	if res := d.Put(e001, corrected); res.Result != protocol.Stored || res.Review {
		t.Fatalf("the enumerator's correction: %+v", res)
	}
	filed("corrected", corrected.Revision.Record.Revision)
	pulls(l001, corrected.Revision.Record.Revision)
	// The district's leader approves it on a laptop that has it where the district put
	// it: the enumerator's laptop hears of it still.
	district := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
	lead2 := Laptop(t, 0, "L001")
	d.EnrolKey(district, lead2)
	handOver(t, enum, lead2, rec.ID)
	if _, err := lead2.Approve(rec.ID); err != nil {
		t.Fatal(err)
	}
	approved := Item(t, lead2, rec.ID, 5)
	approved.Case.Village = moved
	if res := d.Put(district, approved); res.Result != protocol.Stored || res.Review {
		t.Fatalf("the approval, named as the district put it: %+v", res)
	}
	filed("approved", approved.Revision.Record.Revision)
	pulls(e001, approved.Revision.Record.Revision)
	// The person interviewed again, on a laptop of the district's village; the district
	// keeps that record: the team's laptops hear the withdrawal of theirs.
	again := Laptop(t, 1, "E001")
	wholeDistrict := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	d.EnrolKey(wholeDistrict, again)
	second := completed(t, again)[0]
	if second.Subject != rec.Subject {
		t.Fatalf("the second laptop's person is %s, want %s", second.Subject, rec.Subject)
	}
	there := Item(t, again, second.ID, 6)
	there.Case.Village = moved
	if res := d.Put(wholeDistrict, there); res.Result != protocol.Stored || res.Review {
		t.Fatalf("the person's second record: %+v", res)
	}
	if _, err := d.Store.ResolveDuplicate(ctx, store.Resolution{Keep: second.ID, Reason: "保留本村的记录", By: "office"}); err != nil {
		t.Fatal(err)
	}
	resp, err := d.Store.Pull(ctx, e001, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	heard := false
	for _, w := range resp.Withdrawn {
		heard = heard || w.RecordID == rec.ID
	}
	if !heard {
		t.Errorf("the team's enumerator did not hear its record withdrawn: %+v", resp.Withdrawn)
	}
	// A leader of both villages gets it once.
	both := protocol.User{Code: "L002", Name: "赵敏", Role: "leader", Villages: []string{named, moved}}
	pulls(both, approved.Revision.Record.Revision)
}
