package storetest

import (
	"context"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
)

// HoldThree has E001 (an enumerator of every village) push three records of persons
// the roster of 村000 does not know, and fails unless st holds all three for the
// district's review: what a backend's own tests of the review queue's upgrades start
// from.
func HoldThree(t *testing.T, st store.Store) []protocol.PushResult {
	t.Helper()
	ctx := context.Background()
	s := Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	base, err := s.Revision(items[0].Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	if err := EnrolKey(st, u, s); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportRoster(ctx, []roster.Row{{Name: "张三", CertificateNumber: "41018819990101000X", Village: "村000"}}, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	key := SigningKey(t, s)
	push := []protocol.PushItem{Synthetic(base, 1, "村000", key), Synthetic(base, 2, "村000", key), Synthetic(base, 3, "村000", key)}
	res, err := st.PutBatch(ctx, store.Caller{User: u, Device: "test"}, server.Arrivals(push, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.Review {
			t.Fatalf("not held for review: %+v", r)
		}
	}
	return res
}
