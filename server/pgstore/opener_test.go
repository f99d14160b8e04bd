package pgstore

import (
	"context"
	"testing"

	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// Rows held for review before schema 10 have no opener: the server fills it in at its
// start, a record open for review counting against the sender of its first open
// revision, a decided one against no one.
func TestOpenersFilledIn(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	sealer := seal.New(seal.NewKey())
	st, err := Open(ctx, url, Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	res := storetest.HoldThree(t, st)
	if _, err := st.DecideReview(ctx, store.ReviewDecision{RecordID: res[0].RecordID, Refuse: "查无此人"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.pool.Exec(ctx, `UPDATE review SET opener = NULL`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = Open(ctx, url, Options{Sealer: sealer}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.Review(ctx, store.ReviewFilter{})
	if err != nil || len(page.Items) != 2 || len(page.OpenBySender) != 1 || page.OpenBySender["E001"] != 2 {
		t.Errorf("after the fill: %d open, by sender %v (%v), want 2 of E001", len(page.Items), page.OpenBySender, err)
	}
	var nulls int
	if err := st.pool.QueryRow(ctx, `SELECT count(*) FROM review WHERE opener IS NULL`).Scan(&nulls); err != nil || nulls != 0 {
		t.Errorf("%d rows without an opener (%v)", nulls, err)
	}
}
