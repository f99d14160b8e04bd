package pgstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
)

// A push whose write fails halfway — PostgreSQL refuses the log entry of its last record,
// after the batch's revisions and records are written in the same round trip — keeps
// nothing and is told it failed; sent again once the fault is gone, it is stored whole,
// logged without a gap. The same when the refusal comes at the commit.
func TestPushFailingHalfwayKeepsNothing(t *testing.T) {
	for _, when := range []string{"AFTER INSERT ON log FOR EACH ROW", "AFTER INSERT ON log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"} {
		t.Run(when, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t, pgtest.DB(t))
			items, villages, key := arrivals(t, 4)
			u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages}
			enrolKey(t, s, u, key)
			from := store.Caller{User: u, Device: "laptop"}
			if res, err := s.PutBatch(ctx, from, items[:1]); err != nil || res[0].Result != protocol.Stored {
				t.Fatalf("%+v %v", res, err)
			}
			_, err := s.pool.Exec(ctx, fmt.Sprintf(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.record_id = '%s' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NULL; END $$;
				CREATE CONSTRAINT TRIGGER refuse %s EXECUTE FUNCTION refuse()`, items[3].Item.Revision.Record.ID, when))
			if err != nil {
				t.Fatal(err)
			}
			count := func() (n [4]int) {
				t.Helper()
				if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM revisions),
					(SELECT count(*) FROM log), (SELECT coalesce(max(seq), 0) FROM log)`).Scan(&n[0], &n[1], &n[2], &n[3]); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if res, err := s.PutBatch(ctx, from, items[1:]); err == nil {
				t.Fatalf("a refused write was answered %+v", res)
			}
			if n := count(); n != [4]int{1, 1, 1, 1} {
				t.Errorf("after the failed push: %d records, %d revisions, %d log entries up to seq %d; want the first record's alone", n[0], n[1], n[2], n[3])
			}
			if _, err := s.pool.Exec(ctx, `DROP TRIGGER refuse ON log`); err != nil {
				t.Fatal(err)
			}
			res, err := s.PutBatch(ctx, from, items[1:])
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Result != protocol.Stored {
					t.Errorf("sent again: %+v", r)
				}
			}
			if n := count(); n != [4]int{4, 4, 4, 4} {
				t.Errorf("sent again: %d records, %d revisions, %d log entries up to seq %d", n[0], n[1], n[2], n[3])
			}
		})
	}
}
