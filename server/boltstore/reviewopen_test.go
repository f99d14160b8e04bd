package boltstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
)

// v6Fixture is what testdata/v6-server.json says of its file: records held for review,
// one accepted, one refused, the others open, sealed under key.
type v6Fixture struct {
	Key      string   `json:"key"`
	Accepted string   `json:"accepted"`
	Refused  string   `json:"refused"`
	Open     []string `json:"open"`
}

// openV6 opens a copy of testdata/v6-server.db (schema 6, sealed) with its key.
func openV6(t *testing.T) (*boltstore.Store, v6Fixture) {
	t.Helper()
	var fx v6Fixture
	dir := copyFixture(t, "v6-server", &fx)
	key, err := seal.ParseKey(fx.Key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: seal.New(key)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, fx
}

func heldIDs(t *testing.T, st store.Store, f store.ReviewFilter) []string {
	t.Helper()
	var ids []string
	for {
		page, err := st.Review(context.Background(), f)
		if err != nil {
			t.Fatalf("review %+v: %v", f, err)
		}
		for _, it := range page.Items {
			ids = append(ids, it.RecordID)
		}
		if page.Next == "" {
			return ids
		}
		f.After = page.Next
	}
}

// TestOpenQueueReadsOpenOnly: a page of the open review queue reads the records still
// open and no decided one — a district that has decided on thousands lists the few
// left without unsealing the rest. A decided record's value, damaged, shows it: the
// open queue still lists, the whole one does not.
func TestOpenQueueReadsOpenOnly(t *testing.T) {
	st, fx := openV6(t)
	if err := st.DamageHeld(fx.Accepted); err != nil {
		t.Fatal(err)
	}
	if err := st.DamageHeld(fx.Refused); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, 1, 2} {
		if got := heldIDs(t, st, store.ReviewFilter{Limit: limit}); !slices.Equal(got, fx.Open) {
			t.Errorf("open queue in pages of %d: %v, want %v", limit, got, fx.Open)
		}
	}
	if _, err := st.Review(context.Background(), store.ReviewFilter{All: true}); err == nil {
		t.Error("the whole queue listed past a damaged record: the test shows nothing")
	}
}

// TestSchema6FileOpens: a sealed file of schema 6 opens with its key, its held records
// as they were — the open ones listed as the queue, every one with All, the count by
// sender kept — and a decision taken after the upgrade leaves the open queue.
func TestSchema6FileOpens(t *testing.T) {
	ctx := context.Background()
	st, fx := openV6(t)
	if got := heldIDs(t, st, store.ReviewFilter{}); !slices.Equal(got, fx.Open) {
		t.Errorf("open queue %v, want %v", got, fx.Open)
	}
	want := slices.Sorted(slices.Values(append([]string{fx.Accepted, fx.Refused}, fx.Open...)))
	if got := heldIDs(t, st, store.ReviewFilter{All: true}); !slices.Equal(got, want) {
		t.Errorf("whole queue %v, want %v", got, want)
	}
	if n, err := st.OpenHeldOf("E001"); err != nil || n != len(fx.Open) {
		t.Errorf("E001 has %d open (%v), want %d", n, err, len(fx.Open))
	}
	if _, err := st.DecideReview(ctx, store.ReviewDecision{RecordID: fx.Open[0], Refuse: "查无此人"}); err != nil {
		t.Fatal(err)
	}
	if got := heldIDs(t, st, store.ReviewFilter{}); !slices.Equal(got, fx.Open[1:]) {
		t.Errorf("open queue after a decision %v, want %v", got, fx.Open[1:])
	}
	if err := st.DamageHeld(fx.Open[0]); err != nil {
		t.Fatal(err)
	}
	if got := heldIDs(t, st, store.ReviewFilter{}); !slices.Equal(got, fx.Open[1:]) {
		t.Errorf("open queue after a decision, the decided record damaged: %v", got)
	}
}
