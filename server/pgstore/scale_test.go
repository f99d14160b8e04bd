package pgstore

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// BenchmarkScale is the bbolt backend's BenchmarkScale (server/boltstore) on
// PostgreSQL with fsync on: DOORSTEP_SCALE synthetic records (default 100 000) in 300
// villages through PutBatch, then a new laptop's pull of one village, one village's
// listing and the whole export. It reports the ingest rate of the first and last tenth
// and the database's size.
//
//	DOORSTEP_SCALE=1000000 go test -run XXX -bench Scale -benchtime 20x ./server/pgstore/
func BenchmarkScale(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("DOORSTEP_SCALE")); err == nil && v > 0 {
		n = v
	}
	const villages, batch = 300, 500
	s := storetest.Laptop(b, 1, "E001")
	items, _ := s.Outbox(0)
	base, _ := s.Revision(items[0].Record.ID)
	ctx := context.Background()
	c := pgtest.Own(b, pgtest.Options{Durable: true})
	url, err := c.CreateDatabase(ctx)
	if err != nil {
		b.Fatal(err)
	}
	st, err := Open(ctx, url, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	caller := store.Caller{User: dsync.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}, Device: "bench"}
	if err := storetest.EnrolKey(st, caller.User, s); err != nil {
		b.Fatal(err)
	}
	key := storetest.SigningKey(b, s)
	var firstRate, lastRate float64
	tenth := max(n/10, batch)
	start := time.Now()
	for i := 0; i < n; i += batch {
		var push []dsync.PushItem
		for j := i; j < min(i+batch, n); j++ {
			push = append(push, storetest.Synthetic(base, j, fmt.Sprintf("村%03d", j%villages), key))
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
	var size int64
	st.pool.Exec(ctx, "VACUUM ANALYZE") // as autovacuum would have by now
	st.pool.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&size)
	b.Logf("%d records: ingest %.0f records/s in the first tenth, %.0f in the last; database %d MB", n, firstRate, lastRate, size>>20)
	newLaptop := dsync.User{Code: "E777", Role: "enumerator", Villages: []string{"村007"}}
	b.Run("pull-new-laptop", func(b *testing.B) {
		for b.Loop() {
			resp, err := st.Pull(ctx, newLaptop, 0, 200)
			if err != nil || len(resp.Revisions) != 0 {
				b.Fatal(err)
			}
		}
	})
	leader := dsync.User{Code: "L777", Role: "leader", Villages: []string{"村007"}}
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
