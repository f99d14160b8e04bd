package pgstore

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// arrivals are the queued records of a demo laptop with k completed interviews, as a
// push sends them.
func arrivals(t testing.TB, k int) ([]store.Arrival, []string, ed25519.PublicKey) {
	t.Helper()
	s := storetest.Laptop(t, k, "E001")
	keys, err := s.BundleKeys()
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.Outbox(1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Arrival
	seen := map[string]bool{}
	var villages []string
	for _, it := range items {
		rec := it.Record
		c := protocol.Case{Subject: rec.Subject, Village: rec.Village}
		if rec.CaseID != "" {
			cs, err := s.Case(rec.CaseID)
			if err != nil {
				t.Fatal(err)
			}
			c.Village, c.Name = cs.Row.Village, cs.Row.Name
			if c.Subject == "" {
				c.Subject = cs.Row.Key()
			}
		}
		if !seen[c.Village] {
			seen[c.Village] = true
			villages = append(villages, c.Village)
		}
		out = append(out, store.Arrival{Item: protocol.PushItem{Seq: it.Seq, Revision: localstore.Revision{Record: rec, Audit: localstore.Unlinked(it.Audit)}, Case: c}})
	}
	return out, villages, keys.Card().Verify
}

// enrolKey enrols a device of u with the signing key.
func enrolKey(t testing.TB, s store.Store, u protocol.User, key ed25519.PublicKey) string {
	t.Helper()
	code, err := s.AddEnrolment(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.Enroll(context.Background(), code, "laptop", key, "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestStoreSmoke(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, pgtest.DB(t))
	items, villages, key := arrivals(t, 6)
	if len(items) != 6 {
		t.Fatalf("%d items", len(items))
	}
	e := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages}
	l := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: villages}
	enrolKey(t, s, e, key)
	enrolKey(t, s, l, nil)
	from := store.Caller{User: e, Device: "laptop"}
	res, err := s.PutBatch(ctx, from, items)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Result != protocol.Stored {
			t.Fatalf("%+v", r)
		}
	}
	again, err := s.PutBatch(ctx, from, items)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if r.Result != protocol.Duplicate || r.ServerID != res[i].ServerID || !r.Received.Equal(res[i].Received) {
			t.Fatalf("resent: %+v, first %+v", r, res[i])
		}
	}
	rows, next, err := s.Records(ctx, store.RecordFilter{Limit: 4})
	if err != nil || len(rows) != 4 || next == "" {
		t.Fatalf("page 1: %d rows, next %q, %v", len(rows), next, err)
	}
	rest, next, err := s.Records(ctx, store.RecordFilter{Limit: 4, After: next})
	if err != nil || len(rest) != 2 || next != "" {
		t.Fatalf("page 2: %d rows, next %q, %v", len(rest), next, err)
	}
	p, err := s.Pull(ctx, l, 0, 200)
	if err != nil || len(p.Revisions) != 6 || p.More || p.Cursor == 0 {
		t.Fatalf("leader's pull: %d revisions, more %v, cursor %d, %v", len(p.Revisions), p.More, p.Cursor, err)
	}
	p, err = s.Pull(ctx, e, 0, 200)
	if err != nil || len(p.Revisions) != 0 {
		t.Fatalf("the enumerator got their own records back: %d, %v", len(p.Revisions), err)
	}
	n := 0
	if err := s.Export(ctx, store.RecordFilter{}, func(st store.StoredRevision) error { n++; return nil }); err != nil || n != 6 {
		t.Fatalf("export: %d, %v", n, err)
	}

	// The same persons interviewed again on another laptop: duplicate interviews.
	other, _, key2 := arrivals(t, 2)
	enrolKey(t, s, e, key2)
	res, err = s.PutBatch(ctx, from, other)
	if err != nil || res[0].Result != protocol.Stored {
		t.Fatalf("%+v %v", res, err)
	}
	dups, err := s.Duplicates(ctx, false)
	if err != nil || len(dups) != 2 || len(dups[0].Records) != 2 {
		t.Fatalf("duplicates: %+v, %v", dups, err)
	}
	keep := dups[0].Records[1].RecordID
	g, err := s.ResolveDuplicate(ctx, store.Resolution{Keep: keep, Reason: "二次入户，以后者为准", By: "office"})
	if err != nil || g.Kept != keep {
		t.Fatalf("resolve: %+v, %v", g, err)
	}
	p, err = s.Pull(ctx, e, p.Cursor, 200)
	if err != nil || len(p.Withdrawn) != 1 || p.Withdrawn[0].RecordID != dups[0].Records[0].RecordID {
		t.Fatalf("withdrawal not pulled: %+v, %v", p.Withdrawn, err)
	}
	standing, _, err := s.Records(ctx, store.RecordFilter{Standing: true})
	if err != nil || len(standing) != 7 {
		t.Fatalf("standing: %d, %v", len(standing), err)
	}
}

// A NUL in a field the database keeps as text is refused as the record's fault, not a
// fault of the server that the laptop would retry for ever; the rest of the batch is kept.
func TestNULRefusedNotRetried(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, pgtest.DB(t))
	items, villages, key := arrivals(t, 2)
	enrolKey(t, s, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages}, key)
	items[0].Item.Case.Name = "王\x00芳"
	res, err := s.PutBatch(ctx, store.Caller{User: protocol.User{Code: "E001", Role: "enumerator", Villages: villages}, Device: "laptop"}, items)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Result != protocol.Rejected || res[0].Retry || res[1].Result != protocol.Stored {
		t.Fatalf("%+v", res)
	}
}
