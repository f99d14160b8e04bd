package pgstore

import (
	"context"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
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
	s := storetest.Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	base, err := s.Revision(items[0].Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	if err := storetest.EnrolKey(st, u, s); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportRoster(ctx, []roster.Row{{Name: "张三", CertificateNumber: "41018819990101000X", Village: "村000"}}, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	key := storetest.SigningKey(t, s)
	push := []protocol.PushItem{storetest.Synthetic(base, 1, "村000", key), storetest.Synthetic(base, 2, "村000", key), storetest.Synthetic(base, 3, "村000", key)}
	res, err := st.PutBatch(ctx, store.Caller{User: u, Device: "test"}, server.Arrivals(push, nil))
	if err != nil || !res[0].Review || !res[1].Review || !res[2].Review {
		t.Fatalf("%+v %v", res, err)
	}
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
