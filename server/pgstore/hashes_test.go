package pgstore

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
)

// A database made before migration 0006, holding chain hashes as hex text, opens with
// them as bytes, and the server judges the next push of the record by them as before.
func TestHashesMigrateToBytes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m Migration) bool { return strings.HasSuffix(m.Name, "hashes_bytea") })
	if i < 0 {
		t.Fatal("no migration hashes_bytea")
	}
	old, err := Open(ctx, url, Options{Migrations: ms[:i]})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	h1, h2 := strings.Repeat("ab", 32), strings.Repeat("0f", 32)
	execSQL(t, url, `INSERT INTO records (record_id, revision, heads) VALUES ('r1', 2, ARRAY['`+h1+`', '`+h2+`']), ('r0', 1, '{}');
		INSERT INTO revisions (seq, record_id, revision, latest, server_id, subject, name, village, form_id, enumerator,
			from_user, device, status, photos, head, received, data)
		VALUES (7, 'r1', 2, true, 'srv-7', 's', 'n', 'v', 'f', 'E001', 'E001', 'd', 'completed', '{}', '`+h2+`', now(), '\x00')`)

	s := openTest(t, url)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT octet_length(heads) FROM records WHERE record_id = 'r1'`).Scan(&n); err != nil || n != 64 {
		t.Fatalf("records.heads after the migration: %d bytes, %v", n, err)
	}
	items := []store.Arrival{
		{Item: protocol.PushItem{Revision: record.Revision{Record: record.Record{ID: "r1", Revision: 2}}}},
		{Item: protocol.PushItem{Revision: record.Revision{Record: record.Record{ID: "r0", Revision: 1}}}},
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	held, err := s.readHeld(ctx, tx, false, items, []int{0, 1}, nil, store.Caller{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if l := held.latest["r1"]; l == nil || l.Revision != 2 || !slices.Equal(l.Heads, []string{h1, h2}) {
		t.Errorf("r1's latest chain: %+v", l)
	}
	if l := held.latest["r0"]; l == nil || len(l.Heads) != 0 {
		t.Errorf("r0's empty chain: %+v", l)
	}
	if same := held.same[revKey{"r1", 2}]; same == nil || same.Head != h2 || same.ServerID != "srv-7" {
		t.Errorf("r1 revision 2: %+v", same)
	}
}

func TestHeadsPackUnpack(t *testing.T) {
	heads := []string{strings.Repeat("01", 32), strings.Repeat("fe", 32)}
	raw, err := packHeads(heads)
	if err != nil || len(raw) != 64 || !slices.Equal(unpackHeads(raw), heads) {
		t.Fatalf("%x %v", raw, err)
	}
	for _, bad := range []string{"", "ab", strings.Repeat("zz", 32), strings.Repeat("ab", 33)} {
		if _, err := packHeads([]string{bad}); err == nil {
			t.Errorf("%q kept as a hash", bad)
		}
	}
}
