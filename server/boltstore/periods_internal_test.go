package boltstore

import (
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestPartCursorAcrossPeriods: a village's entries, filed period by period among
// others', are walked in log order from any position, across periods with none of
// its entries and up to the log's last.
func TestPartCursorAcrossPeriods(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "p.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const p = 1 << periodBits
	mine := []uint64{1, p - 1, p, 3*p + 5, 5*p - 1, 6*p + 2}
	others := []uint64{2, p + 1, 2*p + 7, 4 * p, 6*p + 1, 6*p + 3}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := create(tx, bktLog, bktVLogP); err != nil {
			return err
		}
		for _, s := range append(slices.Clone(mine), others...) {
			village := "村A"
			if slices.Contains(others, s) {
				village = "村AB" // sorts after 村A's entries, and before 村B's
				if err := tx.Bucket(bktVLogP).Put(periodKey(cat("村B"), s), []byte("b")); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bktVLogP).Put(periodKey(cat(village), s), []byte(village)); err != nil {
				return err
			}
			if err := tx.Bucket(bktLog).Put(u64(s), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		for _, after := range []uint64{0, 1, p - 2, p - 1, p, 2 * p, 3*p + 5, 6*p + 2, 7 * p} {
			var got []uint64
			for c := newPartCursor(tx, tx.Bucket(bktVLogP), cat("村A"), true, after); c.k != nil; c.next() {
				if string(c.v) != "村A" {
					t.Fatalf("after %d: walked into %q", after, c.v)
				}
				got = append(got, c.seq())
			}
			var want []uint64
			for _, s := range mine {
				if s > after {
					want = append(want, s)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("after %d: walked %v, want %v", after, got, want)
			}
		}
		return nil
	})
}
