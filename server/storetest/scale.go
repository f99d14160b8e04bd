package storetest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Scale is every backend's BenchmarkScale: it fills st with DOORSTEP_SCALE synthetic
// records (default 100 000) in 300 villages through PutBatch, then measures the reads a
// district makes: a new laptop's pull of one village, a leader's first page of one
// village, one village's listing, and the whole export (memory stays flat: one record
// at a time). It logs the ingest rate of the first and last tenth and, from size, what
// the backend occupies once filled.
func Scale(b *testing.B, st store.Store, size func() string) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("DOORSTEP_SCALE")); err == nil && v > 0 {
		n = v
	}
	const villages, batch = 300, 500
	s := Laptop(b, 1, "E001")
	items, _ := s.Outbox(0)
	base, _ := s.Revision(items[0].Record.ID)
	ctx := context.Background()
	caller := store.Caller{User: protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}, Device: "bench"}
	if err := EnrolKey(st, caller.User, s); err != nil {
		b.Fatal(err)
	}
	key := SigningKey(b, s)
	var firstRate, lastRate float64
	tenth := max(n/10, batch)
	start := time.Now()
	for i := 0; i < n; i += batch {
		var push []protocol.PushItem
		for j := i; j < min(i+batch, n); j++ {
			push = append(push, Synthetic(base, j, fmt.Sprintf("村%03d", j%villages), key))
		}
		if _, err := st.PutBatch(ctx, caller, server.Arrivals(push, nil)); err != nil {
			b.Fatal(err)
		}
		if done := i + batch; done%tenth == 0 {
			rate := float64(tenth) / time.Since(start).Seconds()
			if firstRate == 0 {
				firstRate = rate
			}
			lastRate = rate
			start = time.Now()
		}
	}
	b.Logf("%d records: ingest %.0f records/s in the first tenth, %.0f in the last; %s", n, firstRate, lastRate, size())
	newLaptop := protocol.User{Code: "E777", Role: "enumerator", Villages: []string{"村007"}}
	b.Run("pull-new-laptop", func(b *testing.B) {
		for b.Loop() {
			resp, err := st.Pull(ctx, newLaptop, 0, 200)
			if err != nil || len(resp.Revisions) != 0 {
				b.Fatal(err)
			}
		}
	})
	leader := protocol.User{Code: "L777", Role: "leader", Villages: []string{"村007"}}
	b.Run("pull-leader-first-page", func(b *testing.B) {
		for b.Loop() {
			resp, err := st.Pull(ctx, leader, 0, 200)
			if want := min(200, n/villages); err != nil || len(resp.Revisions) != want && len(resp.Revisions) != want+1 {
				b.Fatalf("%d, %v", len(resp.Revisions), err)
			}
		}
	})
	b.Run("list-one-village", func(b *testing.B) {
		for b.Loop() {
			rows, _, err := st.Records(ctx, store.RecordFilter{Village: "村007"})
			if err != nil || len(rows) != n/villages && len(rows) != n/villages+1 {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("export-all", func(b *testing.B) {
		for b.Loop() {
			var peak uint64
			var ms runtime.MemStats
			count := 0
			err := st.Export(ctx, store.RecordFilter{}, func(store.StoredRevision) error {
				if count++; count%10000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				return nil
			})
			if err != nil || count != n {
				b.Fatalf("%d, %v", count, err)
			}
			b.ReportMetric(float64(peak>>20), "peak-heap-MB")
		}
	})
}
