package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
)

// ReviewQueue measures the review queue on st: "hold" stores batches of 100 records of
// persons the roster does not know, each batch from a sender of its own (a leader
// carrying E001's records), so each is held and counted against its sender; "page"
// reads one page of the open queue (store.MaxReviewPage rows) with the count by
// sender, the queue as "hold" left it.
func ReviewQueue(b *testing.B, st store.Store) {
	ctx := context.Background()
	s := Laptop(b, 1, "E001")
	items, _ := s.Outbox(0)
	base, err := s.Revision(items[0].Record.ID)
	if err != nil {
		b.Fatal(err)
	}
	if err := EnrolKey(st, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}, s); err != nil {
		b.Fatal(err)
	}
	if _, err := st.ImportRoster(ctx, []roster.Row{{Name: "张三", CertificateNumber: "41018819990101000X", Village: "村000"}}, store.RosterImport{}); err != nil {
		b.Fatal(err)
	}
	key := SigningKey(b, s)
	const batch = 100
	next, decided := 0, 0
	b.Run("hold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			push := make([]protocol.PushItem, batch)
			for i := range push {
				push[i] = Synthetic(base, next+i, "村000", key)
			}
			from := store.Caller{User: protocol.User{Code: fmt.Sprintf("L%05d", next/batch), Role: "leader", Villages: []string{"*"}}, Device: "bench"}
			next += batch
			b.StartTimer()
			res, err := st.PutBatch(ctx, from, server.Arrivals(push, nil))
			if err != nil || !res[0].Review || !res[batch-1].Review {
				b.Fatalf("%+v %v", res[0], err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch)/1e3, "µs/record")
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			page, err := st.Review(ctx, store.ReviewFilter{})
			if err != nil || len(page.Items) != min(next, store.MaxReviewPage) || len(page.OpenBySender) != next/batch {
				b.Fatalf("%d rows, %d senders, %v", len(page.Items), len(page.OpenBySender), err)
			}
		}
		b.ReportMetric(float64(next), "queued")
	})
	// The district has decided on all but a few: a page of the open queue reads those
	// few, however many it has decided.
	const left = 100
	b.Run("page-mostly-decided", func(b *testing.B) {
		if next <= left {
			b.Skip("too few held to decide on")
		}
		page, err := st.Review(ctx, store.ReviewFilter{})
		for err == nil && len(page.Items) > 0 && next-decided > left {
			for _, it := range page.Items[:min(len(page.Items), next-decided-left)] {
				if _, err = st.DecideReview(ctx, store.ReviewDecision{RecordID: it.RecordID, Refuse: "查无此人"}); err != nil {
					break
				}
				decided++
			}
			if err == nil {
				page, err = st.Review(ctx, store.ReviewFilter{})
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			page, err := st.Review(ctx, store.ReviewFilter{})
			if err != nil || len(page.Items) != left {
				b.Fatalf("%d rows, %v", len(page.Items), err)
			}
		}
		b.ReportMetric(float64(decided), "decided")
	})
}
