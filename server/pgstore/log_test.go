package pgstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	gosync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/server/pgtest"
)

// A writer that has numbered its entries and not yet committed holds the log: a second
// writer waits, and a reader's cursor does not pass the uncommitted entry.
func TestLogCursorWaitsForAnUncommittedWriter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := openTest(t, pgtest.DB(t))
	a, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Rollback(ctx)
	if err := appendLog(ctx, a, []logEntry{{Kind: kindRoster, Village: "V1", Subject: "A"}}); err != nil {
		t.Fatal(err)
	}
	bDone := make(chan error, 1)
	go func() {
		bDone <- pgx.BeginFunc(ctx, s.pool, func(b pgx.Tx) error {
			return appendLog(ctx, b, []logEntry{{Kind: kindRoster, Village: "V1", Subject: "B"}})
		})
	}()
	select {
	case err := <-bDone:
		t.Fatalf("a second writer committed while the first held the log: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	got, cursor, _, err := readLog(ctx, s.pool, logFilter{Leader: true}, 0, 10)
	if err != nil || len(got) != 0 || cursor != 0 {
		t.Fatalf("with A uncommitted the reader got %+v and cursor %d (%v)", got, cursor, err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	got, cursor, _, err = readLog(ctx, s.pool, logFilter{Leader: true}, cursor, 10)
	if err != nil || len(got) != 2 || got[0].Subject != "A" || got[1].Subject != "B" || cursor != 2 {
		t.Fatalf("after both commits: %+v, cursor %d, %v", got, cursor, err)
	}
}

// Writers append concurrently (some roll back), readers page the log with small pages
// all the while; when the writers are done each reader catches up, and must have seen
// every committed entry of its villages exactly once, in order.
func TestLogConcurrentWritersNoReaderSkips(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := openTest(t, pgtest.DB(t))
	villages := []string{"V1", "V2", "V3"}
	const writers, perWriter = 6, 25

	var wg gosync.WaitGroup
	committed := make(chan logEntry, writers*perWriter*3)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range perWriter {
				n := 1 + rng.IntN(3)
				entries := make([]logEntry, n)
				for j := range entries {
					entries[j] = logEntry{Kind: kindRoster, Village: villages[rng.IntN(len(villages))], Subject: fmt.Sprintf("w%d-%d-%d", w, i, j)}
				}
				rollback := rng.IntN(5) == 0
				err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
					if err := appendLog(ctx, tx, entries); err != nil {
						return err
					}
					// Hold the log a little, as a batch's inserts do: the window a
					// reader could slip through.
					time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
					if rollback {
						return errRollback
					}
					return nil
				})
				if rollback && err == errRollback {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				for _, e := range entries {
					committed <- e
				}
			}
		})
	}

	type reader struct {
		filter logFilter
		seen   []logEntry
	}
	readers := []*reader{{filter: logFilter{Leader: true}}, {filter: logFilter{Villages: []string{"V1"}, Leader: true}},
		{filter: logFilter{Villages: []string{"V2", "V3"}, Leader: true}}}
	stop := make(chan struct{})
	var rg gosync.WaitGroup
	read := func(r *reader, cursor uint64) (uint64, error) {
		for {
			got, next, more, err := readLog(ctx, s.pool, r.filter, cursor, 4)
			if err != nil {
				return cursor, err
			}
			if next < cursor {
				return cursor, fmt.Errorf("the cursor went back from %d to %d", cursor, next)
			}
			r.seen = append(r.seen, got...)
			cursor = next
			if !more {
				return cursor, nil
			}
		}
	}
	cursors := make([]uint64, len(readers))
	for i, r := range readers {
		rg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := read(r, cursors[i])
				if err != nil {
					t.Error(err)
					return
				}
				cursors[i] = c
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(committed)
	var all []logEntry
	for e := range committed {
		all = append(all, e)
	}
	for i, r := range readers {
		if _, err := read(r, cursors[i]); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, e := range all {
			if r.filter.Villages == nil || contains(r.filter.Villages, e.Village) {
				want[e.Subject] = true
			}
		}
		got := map[string]bool{}
		var last uint64
		for _, e := range r.seen {
			if e.Seq <= last {
				t.Fatalf("reader %d: seq %d after %d", i, e.Seq, last)
			}
			last = e.Seq
			if got[e.Subject] || !want[e.Subject] {
				t.Fatalf("reader %d: %s seen twice or never committed", i, e.Subject)
			}
			got[e.Subject] = true
		}
		if len(got) != len(want) {
			t.Fatalf("reader %d skipped %d of %d committed entries", i, len(want)-len(got), len(want))
		}
	}
	if len(all) < writers*perWriter/2 {
		t.Fatalf("only %d entries committed", len(all))
	}
}

var errRollback = fmt.Errorf("roll back on purpose")

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
