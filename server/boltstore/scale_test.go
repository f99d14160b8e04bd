package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// TestSyntheticPasses: a synthetic record is stored like a real one.
func TestSyntheticPasses(t *testing.T) {
	s := storetest.Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	base, _ := s.Revision(items[0].Record.ID)
	st, err := backend(t)(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := storetest.EnrolKey(st, whole(), s); err != nil {
		t.Fatal(err)
	}
	key := storetest.SigningKey(t, s)
	res, err := st.PutBatch(context.Background(), store.Caller{User: whole()}, server.Arrivals(
		[]dsync.PushItem{storetest.Synthetic(base, 1, "村1", key), storetest.Synthetic(base, 2, "村2", key)}, nil))
	if err != nil || res[0].Result != dsync.Stored || res[1].Result != dsync.Stored {
		t.Fatalf("%+v %v", res, err)
	}
}

func whole() dsync.User {
	return dsync.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
}

// BenchmarkScale fills a store with DOORSTEP_SCALE synthetic records (default 100 000)
// in 300 villages, through PutBatch, and then measures the reads a district makes: a new
// laptop's pull of one village, one village's listing, and the whole export (memory
// stays flat: one record at a time). It reports the ingest rate of the first and last
// tenth and the file's size.
//
//	DOORSTEP_SCALE=1000000 go test -run XXX -bench Scale -benchtime 20x ./server/boltstore/
func BenchmarkScale(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("DOORSTEP_SCALE")); err == nil && v > 0 {
		n = v
	}
	const villages, batch = 300, 500
	s := storetest.Laptop(b, 1, "E001")
	items, _ := s.Outbox(0)
	base, _ := s.Revision(items[0].Record.ID)
	dir := b.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := storetest.EnrolKey(st, whole(), s); err != nil {
		b.Fatal(err)
	}
	key := storetest.SigningKey(b, s)
	ctx := context.Background()
	caller := store.Caller{User: whole(), Device: "bench"}
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
	fi, _ := os.Stat(dir + "/" + boltstore.File)
	b.Logf("%d records: ingest %.0f records/s in the first tenth, %.0f in the last; file %d MB", n, firstRate, lastRate, fi.Size()>>20)
	newLaptop := dsync.User{Code: "E777", Role: "enumerator", Villages: []string{"村007"}}
	b.Run("pull-new-laptop", func(b *testing.B) {
		for b.Loop() {
			resp, err := st.Pull(ctx, newLaptop, 0, 200)
			if err != nil || len(resp.Revisions) != 0 {
				b.Fatal(err)
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
