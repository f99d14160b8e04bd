package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
)

// testReviewQueueBounded: an enrolled enumerator inventing certificate numbers fills
// the review queue only up to store.MaxOpenHeld open records; past it a new record is
// held on the laptop (review_full, Retry), not kept and not refused, and it is kept
// once the district has decided on one of the sender's. The count holds across batches
// and a restart of the server, and another sender's queue is their own.
func testReviewQueueBounded(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	base, err := s.Revision(items[0].Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.EnrolKey(whole, s)
	key := SigningKey(t, s)
	// A roster that knows none of the invented persons.
	if _, err := d.Store.ImportRoster(ctx, []roster.Row{{Name: "张三", CertificateNumber: "41018819990101000X", Village: "村000"}}, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	put := func(from int, n int) []protocol.PushResult {
		t.Helper()
		push := make([]protocol.PushItem, n)
		for i := range push {
			push[i] = Synthetic(base, from+i, "村000", key)
		}
		res, err := d.Store.PutBatch(ctx, store.Caller{User: whole, Device: "test"}, server.Arrivals(push, nil))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	reviewed := func(res []protocol.PushResult) (held, full int) {
		for _, r := range res {
			switch {
			case r.Result == protocol.Stored && r.Review:
				held++
			case r.Result == protocol.Rejected && r.Retry && r.Code == protocol.ReasonReviewFull && len(r.Args) == 1 && r.Args[0] == fmt.Sprint(store.MaxOpenHeld):
				full++
			default:
				t.Errorf("invented person %s: %+v", r.RecordID, r)
			}
		}
		return held, full
	}
	first := store.MaxOpenHeld - 10
	if held, full := reviewed(put(0, first)); held != first || full != 0 {
		t.Fatalf("the first %d invented persons: %d held for review, %d held back", first, held, full)
	}
	// The rest of the bound and past it, in one batch: its own holds count too.
	if held, full := reviewed(put(first, 15)); held != 10 || full != 5 {
		t.Errorf("15 more, 10 short of the bound: %d held for review, %d held back, want 10 and 5", held, full)
	}
	d.Restart()
	if held, full := reviewed(put(first+15, 1)); held != 0 || full != 1 {
		t.Errorf("after a restart: %d held for review, %d held back, want 0 and 1", held, full)
	}
	open, err := HeldAll(ctx, d.Store, false)
	if err != nil || len(open) != store.MaxOpenHeld {
		t.Fatalf("%d records open for review, want %d (%v)", len(open), store.MaxOpenHeld, err)
	}
	// The queue is read a page at a time, each with the whole queue's count by sender.
	var paged []string
	f := store.ReviewFilter{Limit: 70}
	for pages := 0; ; pages++ {
		page, err := d.Store.Review(ctx, f)
		if err != nil || len(page.Items) > 70 || pages > 3 {
			t.Fatalf("page %d: %d rows, %v", pages, len(page.Items), err)
		}
		if page.OpenBySender["E001"] != store.MaxOpenHeld || len(page.OpenBySender) != 1 {
			t.Errorf("page %d: open by sender %v", pages, page.OpenBySender)
		}
		for _, it := range page.Items {
			paged = append(paged, store.ReviewCursor(it.RecordID, it.Revision))
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	if len(paged) != store.MaxOpenHeld || !slices.IsSorted(paged) || len(slices.Compact(slices.Clone(paged))) != len(paged) {
		t.Errorf("paged through %d rows, want %d, each once, in order", len(paged), store.MaxOpenHeld)
	}
	if _, err := d.Store.Review(ctx, store.ReviewFilter{After: "no position"}); err == nil {
		t.Error("a position that is none was taken")
	}
	// A later revision of a record already open is held with it, the bound reached.
	if res := d.Put(whole, Synthetic(base, 0, "村000", key)); res.Result != protocol.Duplicate {
		t.Errorf("a held record sent again: %+v", res)
	}
	// The enumerator's own laptop, its real record of a person not on the roster: held
	// on the laptop, told why, neither sent aside nor lost.
	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	rep := Round(t, sy)
	if rep.Pushed != 0 || rep.Held != 1 || rep.Queued != 1 || len(rep.Refused) != 1 || !rep.Refused[0].Held || rep.Refused[0].Code != protocol.ReasonReviewFull {
		t.Errorf("the laptop's round, the queue full: %+v", rep)
	}
	if rej, _ := s.Rejected(); len(rej) != 0 {
		t.Errorf("a record held back was moved aside: %+v", rej)
	}
	// The district decides on one: the laptop's record goes at its next round, and the
	// bound holds again.
	if _, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: open[0].RecordID, Refuse: "查无此人", By: "区残联"}); err != nil {
		t.Fatal(err)
	}
	if rep := Round(t, sy); rep.Review != 1 || rep.Held != 0 || rep.Queued != 0 {
		t.Errorf("the laptop's round after one decision: %+v", rep)
	}
	if held, full := reviewed(put(first+15, 1)); held != 0 || full != 1 {
		t.Errorf("after the laptop's record took the place: %d held for review, %d held back, want 0 and 1", held, full)
	}
	// Another sender's queue is their own: a team leader carrying E001's record.
	leader := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
	if res := d.Put(leader, Synthetic(base, 9000, "村000", key)); res.Result != protocol.Stored || !res.Review {
		t.Errorf("another sender's invented person: %+v, want it held for review", res)
	}
	if page, err := d.Store.Review(ctx, store.ReviewFilter{Limit: 1}); err != nil || page.OpenBySender["L001"] != 1 || page.OpenBySender["E001"] != store.MaxOpenHeld || page.Next == "" {
		t.Errorf("open by sender after the leader's: %v %q %v", page.OpenBySender, page.Next, err)
	}
}

// HeldAll is every revision held for review (open ones unless all), page by page.
func HeldAll(ctx context.Context, st store.Store, all bool) ([]store.ReviewItem, error) {
	var out []store.ReviewItem
	f := store.ReviewFilter{All: all}
	for {
		page, err := st.Review(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		f.After = page.Next
	}
}
