package pgstore

import (
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Migration 0015: a record keeps its chain's length and last hash, not every hash. The
// server judges the next push of it by the chain all the same: taken from an arrival
// that passes through the last hash, read from the stored latest revision for one that
// does not, and from heads for a record stored before — in a database upgraded from 14.
func TestChainLengthAndHead(t *testing.T) {
	ctx := context.Background()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m Migration) bool { return strings.HasSuffix(m.Name, "chain_head") })
	if i < 0 {
		t.Fatal("no migration chain_head")
	}
	url := pgtest.DB(t)
	old, err := Open(ctx, url, Options{Migrations: ms[:i]})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	s := openTest(t, url)
	items, villages, key := arrivals(t, 3)
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages}
	enrolKey(t, s, u, key)
	res, err := s.PutBatch(ctx, store.Caller{User: u, Device: "laptop"}, items)
	if err != nil || res[0].Result != protocol.Stored {
		t.Fatalf("%+v %v", res, err)
	}
	want := map[string][]string{}
	for _, a := range items {
		rev := a.Item.Revision
		want[rev.Record.ID] = record.Heads(rev.Audit)
		var chain int
		var head []byte
		var heads bool
		if err := s.pool.QueryRow(ctx, `SELECT chain, head, heads IS NOT NULL FROM records WHERE record_id = $1`, rev.Record.ID).Scan(&chain, &head, &heads); err != nil {
			t.Fatal(err)
		}
		if h := want[rev.Record.ID]; chain != len(h) || hex.EncodeToString(head) != h[len(h)-1] || heads {
			t.Errorf("record %s kept chain %d head %x (every hash kept: %v); want %d, %.8s", rev.Record.ID, chain, head, heads, len(h), h[len(h)-1])
		}
	}
	// The first as a record stored before 0015 keeps it; the second arrives short of
	// its last hash (a stale resend's chain); the third whole.
	first, second := items[0].Item.Revision.Record.ID, items[1].Item.Revision.Record.ID
	packed, err := packHeads(want[first])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE records SET heads = $2, chain = NULL, head = NULL WHERE record_id = $1`, first, packed); err != nil {
		t.Fatal(err)
	}
	short := items[1]
	short.Item.Revision.Audit = short.Item.Revision.Audit[:len(short.Item.Revision.Audit)-1]
	arriving := []store.Arrival{items[0], short, items[2]}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	held, err := s.readHeld(ctx, tx, false, arriving, []int{0, 1, 2}, nil, store.Caller{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range items {
		id := a.Item.Revision.Record.ID
		if l := held.latest[id]; l == nil || !slices.Equal(l.Heads, want[id]) {
			t.Errorf("record %s: held chain %v, want %d hashes", id, l, len(want[id]))
		}
	}
	// A record whose latest revision is gone is never judged against no chain.
	if _, err := tx.Exec(ctx, `DELETE FROM revisions WHERE record_id = $1`, second); err != nil {
		t.Fatal(err)
	}
	if _, err := s.readHeld(ctx, tx, false, arriving, []int{0, 1, 2}, nil, store.Caller{}, time.Time{}); err == nil {
		t.Error("a record without its latest revision was read as held")
	}
}
