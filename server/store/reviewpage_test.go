package store_test

import (
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server/store"
)

func TestReviewPageOf(t *testing.T) {
	items := func(n int) []store.ReviewItem {
		var out []store.ReviewItem
		for i := range n {
			out = append(out, store.ReviewItem{RecordRow: store.RecordRow{RecordID: string(rune('a' + i)), Revision: 2}})
		}
		return out
	}
	for _, tt := range []struct {
		read, limit, rows int
		next              string
	}{
		{0, 3, 0, ""},
		{2, 3, 2, ""},
		{3, 3, 3, ""},
		{4, 3, 3, "c/2"}, // the one past the limit is the next page's
		{2, 1, 1, "a/2"},
	} {
		page := store.ReviewPageOf(items(tt.read), tt.limit)
		if len(page.Items) != tt.rows || page.Next != tt.next {
			t.Errorf("%d read, limit %d: %d rows, next %q; want %d, %q", tt.read, tt.limit, len(page.Items), page.Next, tt.rows, tt.next)
		}
		if id, rev, err := store.ParseReviewCursor(page.Next); page.Next != "" && (err != nil || store.ReviewCursor(id, rev) != page.Next) {
			t.Errorf("next %q does not read back: %v", page.Next, err)
		}
	}
}

func TestReviewDecisionMarks(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	if _, err := (store.ReviewDecision{RecordID: "r"}).Taken(now); err == nil {
		t.Error("a decision that neither accepts nor refuses was taken")
	}
	for _, d := range []store.ReviewDecision{
		{RecordID: "r", Village: "王庄村", By: "区残联"},
		{RecordID: "r", Refuse: "查无此人", By: "区残联"},
	} {
		d, err := d.Taken(now)
		if err != nil || !d.At.Equal(at) {
			t.Fatalf("%+v %v", d, err)
		}
		it := d.Mark(store.ReviewItem{Reason: "held"})
		if it.Open() || it.Accepted != d.Village || it.Refused != d.Refuse || it.DecidedBy != "区残联" || !it.DecidedAt.Equal(at) {
			t.Errorf("%+v marked %+v", d, it)
		}
	}
}

func TestDuplicateHistory(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	resolved := store.DuplicateGroup{Kept: "a", Reason: "先到", ResolvedBy: "office", ResolvedAt: at}
	g := resolved.Reopen()
	if g.Kept != "" || g.Reason != "" || g.ResolvedBy != "" || !g.ResolvedAt.IsZero() {
		t.Errorf("reopened, it still reads as decided: %+v", g)
	}
	if len(g.Earlier) != 1 || g.Earlier[0] != (store.DuplicateChoice{Kept: "a", Reason: "先到", By: "office", At: at}) {
		t.Errorf("the choice is not history: %+v", g.Earlier)
	}
	if again := g.Reopen(); len(again.Earlier) != 1 {
		t.Errorf("an open interview reopened gains history: %+v", again.Earlier)
	}
	if g := resolved.WithHistory(); g.Reason != "先到" || len(g.Earlier) != 0 {
		t.Errorf("a decided interview changed: %+v", g)
	}
	old := store.DuplicateGroup{Reason: "先到"} // reopened by a server before the history
	if g := old.WithHistory(); g.Reason != "" || len(g.Earlier) != 1 || g.Earlier[0].Reason != "先到" {
		t.Errorf("an interview reopened before the history: %+v", g)
	}
}
