package pgstore

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
)

// groupOf prepares three pushes of two records each, as writeGroup gets them from
// pushes waiting together, and the records' ids by push.
func groupOf(t *testing.T, s *Store) ([]*write, [][]string) {
	t.Helper()
	items, villages, key := arrivals(t, 6)
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages}
	enrolKey(t, s, u, key)
	from := store.Caller{User: u, Device: "laptop"}
	var group []*write
	var ids [][]string
	for p := range 3 {
		w, err := s.prepare(context.Background(), from, items[2*p:2*p+2])
		if err != nil || len(w.checked) != 2 {
			t.Fatalf("push %d: %v", p, err)
		}
		group = append(group, w)
		ids = append(ids, []string{items[2*p].Item.Revision.Record.ID, items[2*p+1].Item.Revision.Record.ID})
	}
	return group, ids
}

// stored is what the database holds: the records, revisions and log entries.
func stored(t *testing.T, s *Store) (records, revisions, logged int, seqs []int64) {
	t.Helper()
	ctx := context.Background()
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM revisions),
		(SELECT count(*) FROM log)`).Scan(&records, &revisions, &logged); err != nil {
		t.Fatal(err)
	}
	rows, err := s.pool.Query(ctx, `SELECT seq FROM log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var seq int64
		rows.Scan(&seq)
		seqs = append(seqs, seq)
	}
	return records, revisions, logged, seqs
}

// failOn makes PostgreSQL refuse the log entry of record id, after the push's revisions
// and records are written in the same round trip: a push that fails halfway. deferred
// refuses it at the commit instead.
func failOn(t *testing.T, s *Store, id string, deferred bool) {
	t.Helper()
	when := "AFTER INSERT ON log FOR EACH ROW"
	if deferred {
		when = "AFTER INSERT ON log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
	}
	sql := fmt.Sprintf(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.record_id = %s THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NULL; END $$;
		CREATE CONSTRAINT TRIGGER refuse %s EXECUTE FUNCTION refuse();`, quoteLiteral(id), when)
	if _, err := s.pool.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

func quoteLiteral(s string) string { return "'" + s + "'" }

// A push of a group that fails halfway is undone alone, to its savepoint, and told so;
// the pushes before and after it are stored and numbered in the log without a gap.
// Sent again once the fault is gone, it is stored whole.
func TestGroupPushFailsAlone(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, pgtest.DB(t))
	group, ids := groupOf(t, s)
	failOn(t, s, ids[1][1], false)
	s.writeGroup(group)
	if group[0].err != nil || group[2].err != nil {
		t.Fatalf("the others failed with it: %v, %v", group[0].err, group[2].err)
	}
	if group[1].err == nil {
		t.Fatal("the refused push was told it was stored")
	}
	for _, p := range []int{0, 2} {
		for _, r := range group[p].results {
			if r.Result != protocol.Stored {
				t.Errorf("push %d: %+v", p, r)
			}
		}
	}
	records, revisions, logged, seqs := stored(t, s)
	if records != 4 || revisions != 4 || logged != 4 || fmt.Sprint(seqs) != "[1 2 3 4]" {
		t.Errorf("stored %d records, %d revisions, log %v; want 4 of each, seq 1–4", records, revisions, seqs)
	}
	var half int
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM records WHERE record_id = ANY($1)) +
		(SELECT count(*) FROM revisions WHERE record_id = ANY($1))`, ids[1]).Scan(&half); err != nil || half != 0 {
		t.Errorf("%d rows of the refused push were kept (%v)", half, err)
	}

	if _, err := s.pool.Exec(ctx, `DROP TRIGGER refuse ON log`); err != nil {
		t.Fatal(err)
	}
	res, err := s.PutBatch(ctx, group[1].from, group[1].items)
	if err != nil || res[0].Result != protocol.Stored || res[1].Result != protocol.Stored {
		t.Fatalf("sent again: %+v %v", res, err)
	}
	if records, revisions, logged, seqs = stored(t, s); records != 6 || revisions != 6 || logged != 6 || fmt.Sprint(seqs) != "[1 2 3 4 5 6]" {
		t.Errorf("after: %d records, %d revisions, log %v", records, revisions, seqs)
	}
}

// A group whose commit fails fails every push of it, and keeps nothing of any: none is
// told "stored" of what is not.
func TestGroupCommitFailsAll(t *testing.T) {
	s := openTest(t, pgtest.DB(t))
	group, ids := groupOf(t, s)
	failOn(t, s, ids[2][0], true)
	s.writeGroup(group)
	for p, w := range group {
		if w.err == nil {
			t.Errorf("push %d was told it was stored", p)
		}
	}
	if records, revisions, logged, _ := stored(t, s); records+revisions+logged != 0 {
		t.Errorf("kept %d records, %d revisions, %d log entries", records, revisions, logged)
	}
}

// A push whose laptop has gone before its turn is not stored; the group's others are.
func TestGroupPushGoneBeforeItsTurn(t *testing.T) {
	s := openTest(t, pgtest.DB(t))
	group, _ := groupOf(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	group[0].ctx = ctx
	s.writeGroup(group)
	if group[0].err == nil || group[1].err != nil || group[2].err != nil {
		t.Fatalf("errors %v, %v, %v", group[0].err, group[1].err, group[2].err)
	}
	if records, _, logged, seqs := stored(t, s); records != 4 || logged != 4 || fmt.Sprint(seqs) != "[1 2 3 4]" {
		t.Errorf("%d records, log %v", records, seqs)
	}
}

// Pushes at once from many laptops — written in groups as they wait — are each stored
// once, answered each with their own receipts, and logged without a gap; records of one
// push in several at once (two laptops sending the same) are stored once.
func TestGroupsUnderConcurrentPushes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, pgtest.DB(t))
	items, villages, key := arrivals(t, 40)
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages}
	enrolKey(t, s, u, key)
	from := store.Caller{User: u, Device: "laptop"}
	const pushes = 20
	results := make([][]protocol.PushResult, pushes)
	errs := make([]error, pushes)
	var wg sync.WaitGroup
	for p := range pushes {
		// Pushes p and p+10 send the same four records: one stores them, the other
		// is told they are duplicates, with the same receipts.
		part := items[4*(p%10) : 4*(p%10)+4]
		wg.Go(func() { results[p], errs[p] = s.PutBatch(ctx, from, part) })
	}
	wg.Wait()
	for p := range pushes {
		if errs[p] != nil {
			t.Fatalf("push %d: %v", p, errs[p])
		}
	}
	for p := range 10 {
		for i := range 4 {
			a, b := results[p][i], results[p+10][i]
			if a.ServerID == "" || a.ServerID != b.ServerID || (a.Result == protocol.Stored) == (b.Result == protocol.Stored) {
				t.Errorf("record %d of push %d: %+v and %+v", i, p, a, b)
			}
		}
	}
	records, revisions, logged, seqs := stored(t, s)
	if records != 40 || revisions != 40 || logged != 40 || seqs[0] != 1 || seqs[len(seqs)-1] != 40 {
		t.Errorf("%d records, %d revisions, %d log entries, seq %d–%d", records, revisions, logged, seqs[0], seqs[len(seqs)-1])
	}
	if s.writers.busy || len(s.writers.queue) != 0 {
		t.Errorf("writers left busy %v with %d queued", s.writers.busy, len(s.writers.queue))
	}
}
