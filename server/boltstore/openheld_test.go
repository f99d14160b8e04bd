package boltstore_test

import (
	"context"
	"testing"

	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// The count of records held open by sender is kept across the file's life: a file of
// schema 5 gets it counted from review/ (schema 6), and a plain file sealed at its
// first open with a key gets it again under the key.
func TestOpenHeldCounted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{}) // plain, as other packages' tests open it
	if err != nil {
		t.Fatal(err)
	}
	res := storetest.HoldThree(t, st)
	if _, err := st.DecideReview(ctx, store.ReviewDecision{RecordID: res[0].RecordID, Refuse: "查无此人"}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, st *boltstore.Store) {
		t.Helper()
		if n, err := st.OpenHeldOf("E001"); err != nil || n != 2 {
			t.Errorf("%s: E001 has %d records open for review (%v), want 2", when, n, err)
		}
	}
	check("as held", st)
	st.Close()
	if err := boltstore.BackToSchema5(dir); err != nil {
		t.Fatal(err)
	}
	st, err = boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check("a file of schema 5 opened", st)
	st.Close()
	st, err = boltstore.Open(dir, boltstore.Options{Sealer: seal.New(seal.NewKey())})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	check("the plain file sealed", st)
}
