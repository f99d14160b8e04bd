package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// testReviewQueue: a person the district's roster does not know is held for the
// district's review, not filed under the village the record's own label names (issue
// 15 §1). The laptop is told so and sends nothing again; the record is in no listing
// and no leader's pull until the district accepts it into a village (the person joins
// the roster, the record the log); a refusal reaches the sending laptop.
func testReviewQueue(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	enum := Laptop(t, 3, "E001")
	lead := Laptop(t, 0, "L001")
	recs := completed(t, enum)
	if len(recs) != 3 {
		t.Fatalf("%d completed records, want 3", len(recs))
	}
	// The district's roster knows the first person only.
	cases, err := enum.Cases(localstore.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []roster.Row
	for _, c := range cases {
		if c.Row.Key() == recs[0].Subject {
			rows = append(rows, c.Row)
		}
	}
	if _, err := d.Store.ImportRoster(ctx, rows, store.RosterImport{}); err != nil || len(rows) != 1 {
		t.Fatalf("roster of %d rows: %v", len(rows), err)
	}
	es := Enrolled(t, d, enum, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	ls := Enrolled(t, d, lead, d.Enrol("L001", "王建军", "leader", "*"))
	rep := Round(t, es)
	if rep.Pushed != 3 || rep.Review != 2 || rep.Rejected != 0 || rep.Queued != 0 {
		t.Fatalf("the enumerator's round: %+v", rep)
	}
	if len(rep.Refused) != 2 || !rep.Refused[0].Review || rep.Refused[0].Code != protocol.ReasonReview || !strings.Contains(rep.Refused[0].Server, "review") {
		t.Errorf("the laptop is not told its records are held for review: %+v", rep.Refused)
	}
	if rep := Round(t, es); rep.Pushed+rep.Duplicates+rep.Rejected != 0 {
		t.Errorf("held records sent again: %+v", rep)
	}
	if n := d.Count(); n != 1 {
		t.Errorf("the district lists %d records, want 1 (the roster's person)", n)
	}
	held, err := HeldAll(ctx, d.Store, false)
	if err != nil || len(held) != 2 {
		t.Fatalf("held for review: %+v %v", held, err)
	}
	for _, h := range held {
		if !strings.Contains(h.Reason, h.Subject) || h.From != "E001" || h.ServerID == "" {
			t.Errorf("held item %+v", h)
		}
	}
	// The same revision again (its answer lost) is answered with its first receipt.
	if res := d.Put(whole, Item(t, enum, held[0].RecordID, 9)); res.Result != protocol.Duplicate || res.ServerID != held[0].ServerID {
		t.Errorf("a held record sent again: %+v, want its receipt %s", res, held[0].ServerID)
	}
	if rep := Round(t, ls); rep.Pulled != 1 {
		t.Errorf("the leader pulled %+v, want the roster's person's record only", rep)
	}

	// Accepted into a village: the person joins the roster, the record the log.
	accept, refuse := held[0], held[1]
	got, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: accept.RecordID, Village: accept.Village, By: "区残联"})
	if err != nil || len(got) != 1 || got[0].Accepted != accept.Village {
		t.Fatalf("accept: %+v %v", got, err)
	}
	if n := d.Count(); n != 2 {
		t.Errorf("after the acceptance the district lists %d records, want 2", n)
	}
	if rows := d.Rows(store.RecordFilter{Village: accept.Village, Subject: accept.Subject}); len(rows) != 1 {
		t.Errorf("the accepted record is not filed under %s: %+v", accept.Village, rows)
	}
	if rep := Round(t, ls); rep.Pulled != 1 || rep.Roster != 1 {
		t.Errorf("after the acceptance the leader pulled %+v, want the record and its roster case", rep)
	}
	// A later revision of the accepted record (the leader's approval) is not held.
	if _, err := lead.Approve(accept.RecordID); err != nil {
		t.Fatal(err)
	}
	if rep := Round(t, ls); rep.Pushed != 1 || rep.Review != 0 {
		t.Errorf("the leader's approval of an accepted record: %+v", rep)
	}

	// Refused: the reason reaches the sending laptop; the record stays out.
	if _, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: refuse.RecordID}); err == nil {
		t.Error("a decision that neither accepts nor refuses was taken")
	}
	if _, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: refuse.RecordID, Refuse: "此人户籍不在本区", By: "区残联"}); err != nil {
		t.Fatal(err)
	}
	rep = Round(t, es)
	if rep.Withdrawn != 1 || !strings.Contains(strings.Join(rep.Reasons, "\n"), "此人户籍不在本区") {
		t.Errorf("the refusal did not reach the enumerator: %+v", rep)
	}
	if n := d.Count(); n != 2 {
		t.Errorf("after the refusal the district lists %d records, want 2", n)
	}
	if _, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: refuse.RecordID, Village: "王庄村"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deciding again on a refused record: %v", err)
	}
	if open, _ := HeldAll(ctx, d.Store, false); len(open) != 0 {
		t.Errorf("still open: %+v", open)
	}
	if all, _ := HeldAll(ctx, d.Store, true); len(all) != 2 || all[0].Open() || all[1].Open() {
		t.Errorf("every decision kept: %+v", all)
	}
}
