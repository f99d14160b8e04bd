package pgstore

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
	bolt "go.etcd.io/bbolt"
)

// snapshot is what a district and its laptops see of a server.
type snapshot struct {
	id, epoch  string
	rows       []store.RecordRow
	export     []store.StoredRevision
	pull       protocol.PullResponse
	users      []store.UserRow
	duplicates []store.DuplicateGroup
	rosterLog  []store.RosterImport
	review     []store.ReviewItem
}

func snap(t *testing.T, st store.Store, leader protocol.User) snapshot {
	t.Helper()
	ctx := context.Background()
	s := snapshot{id: st.ID(), epoch: st.Epoch()}
	var err error
	if s.rows, _, err = st.Records(ctx, store.RecordFilter{All: true}); err != nil {
		t.Fatal(err)
	}
	for i := range s.rows { // PostgreSQL keeps microseconds
		s.rows[i].ReceivedAt = s.rows[i].ReceivedAt.Truncate(time.Microsecond)
	}
	if err := st.Export(ctx, store.RecordFilter{All: true}, func(r store.StoredRevision) error {
		r.Received = r.Received.Truncate(time.Microsecond)
		s.export = append(s.export, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if s.pull, err = st.Pull(ctx, leader, 0, 1000); err != nil {
		t.Fatal(err)
	}
	if s.users, err = st.Users(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range s.users {
		for j := range s.users[i].Devices {
			s.users[i].Devices[j].Created = s.users[i].Devices[j].Created.Truncate(time.Microsecond)
		}
	}
	if s.duplicates, err = st.Duplicates(ctx, true); err != nil {
		t.Fatal(err)
	}
	for i := range s.duplicates {
		s.duplicates[i].ResolvedAt = s.duplicates[i].ResolvedAt.Truncate(time.Microsecond)
		for j := range s.duplicates[i].Records {
			s.duplicates[i].Records[j].ReceivedAt = s.duplicates[i].Records[j].ReceivedAt.Truncate(time.Microsecond)
		}
	}
	if s.rosterLog, err = st.RosterLog(ctx); err != nil {
		t.Fatal(err)
	}
	if s.review, err = storetest.HeldAll(ctx, st, true); err != nil {
		t.Fatal(err)
	}
	for i := range s.review {
		s.review[i].ReceivedAt = s.review[i].ReceivedAt.Truncate(time.Microsecond)
		s.review[i].DecidedAt = s.review[i].DecidedAt.Truncate(time.Microsecond)
	}
	return s
}

// TestMigrateFromBolt: a populated bbolt server moves to PostgreSQL with nothing lost —
// the same server for its laptops (id, epoch, tokens, cursors, receipts), the same
// listings, export, pulls, users, duplicate interviews and roster log — and a migration
// interrupted halfway refuses to serve and finishes when run again.
func TestMigrateFromBolt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sealer := seal.New(seal.NewKey()) // both sides: the server's one key
	bs, err := boltstore.Open(dir, boltstore.Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	items, villages, key := arrivals(t, 6)
	e := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages}
	l := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: villages}
	tokens := map[string]string{}
	for _, u := range []protocol.User{e, l} {
		code, err := bs.AddEnrolment(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var k ed25519.PublicKey
		if u.Code == e.Code {
			k = key
		}
		if tokens[u.Code], _, err = bs.Enroll(ctx, code, "laptop of "+u.Code, k, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bs.AddEnrolment(ctx, protocol.User{Code: "E002", Name: "张伟", Role: "enumerator", Villages: villages}); err != nil {
		t.Fatal(err)
	}
	from := store.Caller{User: e, Device: "laptop of E001"}
	first, err := bs.PutBatch(ctx, from, items)
	if err != nil {
		t.Fatal(err)
	}
	other, _, key2 := arrivals(t, 2) // the same persons again: duplicate interviews
	enrolKey(t, bs, e, key2)
	if _, err := bs.PutBatch(ctx, from, other); err != nil {
		t.Fatal(err)
	}
	dups, err := bs.Duplicates(ctx, false)
	if err != nil || len(dups) != 2 {
		t.Fatalf("duplicates: %d %v", len(dups), err)
	}
	if _, err := bs.ResolveDuplicate(ctx, store.Resolution{Keep: dups[0].Records[0].RecordID, Reason: "以先到者为准", By: "office"}); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.ImportRoster(ctx, []roster.Row{{Name: "王芳", CertificateNumber: "41018819500101002X21", Village: villages[0]},
		{Name: "李强", CertificateNumber: "41018819600101003X12", Village: villages[0]}}, store.RosterImport{By: "office", File: "底册.xlsx"}); err != nil {
		t.Fatal(err)
	}
	// With a roster, persons not on it are held for review: one refused, one open.
	held, _, key3 := arrivals(t, 2)
	enrolKey(t, bs, e, key3)
	if res, err := bs.PutBatch(ctx, from, held); err != nil || !res[0].Review || !res[1].Review {
		t.Fatalf("held for review: %+v %v", res, err)
	}
	if _, err := bs.DecideReview(ctx, store.ReviewDecision{RecordID: held[0].Item.Revision.Record.ID, Refuse: "不在本区", By: "office"}); err != nil {
		t.Fatal(err)
	}
	before := snap(t, bs, l)
	if len(before.review) != 2 || len(before.pull.Withdrawn) != 2 {
		t.Fatalf("before the move: %d held, %d withdrawals", len(before.review), len(before.pull.Withdrawn))
	}
	bs.Close()

	url := pgtest.DB(t)
	ps, err := Open(ctx, url, Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	// Interrupted when the revisions are being copied.
	cut, cancel := context.WithCancel(ctx)
	_, err = ps.FromBolt(cut, filepath.Join(dir, boltstore.File), func(what string) {
		if strings.Contains(what, "records") {
			cancel()
		}
	})
	cancel()
	if err == nil {
		t.Fatal("the interrupted migration said it was done")
	}
	ps.Close()
	if _, err := Open(ctx, url, Options{Sealer: sealer}); !errors.Is(err, ErrMigrating) {
		t.Fatalf("a half-filled database was opened to serve: %v", err)
	}
	ps, err = Open(ctx, url, Options{Migrating: true, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ps.FromBolt(ctx, filepath.Join(dir, boltstore.File), nil)
	if err != nil {
		t.Fatal(err)
	}
	var analysed int
	if err := ps.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('records', 'revisions', 'log')
		AND last_analyze IS NOT NULL`).Scan(&analysed); err != nil || analysed != 3 {
		t.Errorf("%d of the three tables pushes read have planner statistics after the move (%v)", analysed, err)
	}
	ps.Close()
	for _, c := range rep.Counts {
		if c.Bolt != c.Here {
			t.Errorf("%s: %d and %d", c.What, c.Bolt, c.Here)
		}
	}
	if rep.Hashed != len(before.export)+2 {
		t.Errorf("%d compared by hash, want %d revisions and 2 roster cases", rep.Hashed, len(before.export))
	}

	ps = openSealed(t, url, sealer)
	after := snap(t, ps, l)
	if !reflect.DeepEqual(before, after) {
		for _, f := range []struct {
			name string
			a, b any
		}{{"id", before.id, after.id}, {"rows", before.rows, after.rows}, {"export", before.export, after.export},
			{"pull", before.pull, after.pull}, {"users", before.users, after.users}, {"duplicates", before.duplicates, after.duplicates},
			{"roster log", before.rosterLog, after.rosterLog}, {"review", before.review, after.review}} {
			if !reflect.DeepEqual(f.a, f.b) {
				t.Errorf("%s differ:\nbolt     %+v\npostgres %+v", f.name, f.a, f.b)
			}
		}
	}
	// The laptops notice nothing: the token works, a resend gets its first receipt, a
	// pull from the cursor they had brings nothing new, and the log goes on after it.
	if c, err := ps.Authenticate(ctx, tokens["E001"]); err != nil || c.User.Code != "E001" {
		t.Fatalf("the enumerator's token after the move: %v", err)
	}
	// The signing keys the laptops enrolled moved with their tokens.
	var keyed int
	if err := ps.pool.QueryRow(ctx, `SELECT count(*) FROM tokens WHERE signing_key = ANY($1)`, [][]byte{key, key2}).Scan(&keyed); err != nil || keyed != 2 {
		t.Errorf("%d devices keep their signing key after the move, want 2 (%v)", keyed, err)
	}
	// Each record's chain hashes, which the file keeps only the last of, moved whole.
	for _, it := range items {
		audit := slices.Clone(it.Item.Revision.Audit)
		record.Relink(audit)
		want, _ := packHeads(record.Heads(audit))
		var got []byte
		if err := ps.pool.QueryRow(ctx, `SELECT heads FROM records WHERE record_id = $1`, it.Item.Revision.Record.ID).Scan(&got); err != nil || !bytes.Equal(got, want) {
			t.Errorf("record %s's chain hashes after the move: %d bytes, want %d (%v)", it.Item.Revision.Record.ID, len(got), len(want), err)
		}
	}
	again, err := ps.PutBatch(ctx, from, items[:1])
	if err != nil || again[0].Result != protocol.Duplicate || again[0].ServerID != first[0].ServerID {
		t.Fatalf("a resend after the move: %+v, first %+v, %v", again, first[0], err)
	}
	p, err := ps.Pull(ctx, l, before.pull.Cursor, 100)
	if err != nil || len(p.Revisions)+len(p.Roster)+len(p.Withdrawn) != 0 || p.Epoch != before.pull.Epoch {
		t.Fatalf("a pull from the old cursor: %+v %v", p, err)
	}
	if _, err := ps.ImportRoster(ctx, []roster.Row{{Name: "赵敏", CertificateNumber: "41018819700101004X13", Village: villages[0]}}, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	if p, err = ps.Pull(ctx, l, before.pull.Cursor, 100); err != nil || len(p.Roster) != 1 || p.Cursor != before.pull.Cursor+1 {
		t.Fatalf("the log does not go on after the moved one: %+v %v", p, err)
	}

	// Into a database that holds another district: refused.
	bs2, err := boltstore.Open(t.TempDir(), boltstore.Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	bs2.Close()
	if _, err := ps.FromBolt(ctx, filepath.Join(dir, boltstore.File), nil); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("a migration into a used database: %v", err)
	}
}

// A file at this program's schema that lacks one of its buckets is refused by name,
// not copied as if that part were empty: a migration that moved no records must not
// report itself done.
func TestMigrateRefusesAMissingBucket(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bs, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bs.Close()
	db, err := bolt.Open(filepath.Join(dir, boltstore.File), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("states")) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ps, err := Open(ctx, pgtest.DB(t), Options{Migrating: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if _, err := ps.FromBolt(ctx, filepath.Join(dir, boltstore.File), nil); err == nil || !strings.Contains(err.Error(), "states/") {
		t.Fatalf("a file without states/ migrated: %v", err)
	}
}
