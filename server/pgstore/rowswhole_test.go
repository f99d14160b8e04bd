package pgstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/server/pgtest"
)

// toasted is how many chunks revisions keeps out of its rows, in its TOAST table.
func toasted(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	ctx := context.Background()
	var toast string
	if err := conn.QueryRow(ctx, `SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'revisions'`).Scan(&toast); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+toast).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// insertWide stores a revision whose data is 3 000 bytes that do not compress, as a
// sealed record's are: a row past TOAST's 2 KB.
func insertWide(t *testing.T, conn *pgx.Conn, seq int) {
	t.Helper()
	_, err := conn.Exec(context.Background(), `INSERT INTO revisions (seq, record_id, revision, latest, server_id, subject_blind, person, village,
		form_id, enumerator, from_user, device, status, photos, head, received, data)
		SELECT $1::bigint, 'r' || $1::bigint, 1, true, 's-' || $1::bigint, '', '\x00', 'V1', 'f', 'E001', 'E001', 'laptop', 'completed', '{}', '\x00', now(),
			decode(string_agg(md5(random()::text), ''), 'hex') FROM generate_series(1, 188)`, seq)
	if err != nil {
		t.Fatal(err)
	}
}

// Migration 0014: a revision's row is kept whole, never sent to TOAST, up to a page —
// in a new database and in one made before it, for the rows stored after.
func TestRowsKeptWhole(t *testing.T) {
	ctx := context.Background()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m Migration) bool { return strings.HasSuffix(m.Name, "rows_whole") })
	if i < 0 {
		t.Fatal("no migration rows_whole")
	}
	url := pgtest.DB(t)
	old, err := Open(ctx, url, Options{Migrations: ms[:i]})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	insertWide(t, conn, 1)
	before := toasted(t, conn)
	if before == 0 {
		t.Fatal("before 0014 a wide row was kept whole: the test shows nothing")
	}
	s := openTest(t, url)
	var storage string
	if err := s.pool.QueryRow(ctx, `SELECT string_agg(attname || '=' || attstorage::text, ' ' ORDER BY attname) FROM pg_attribute
		WHERE (attrelid = 'revisions'::regclass AND attname = 'data') OR (attrelid = 'records'::regclass AND attname = 'heads')`).Scan(&storage); err != nil {
		t.Fatal(err)
	}
	if storage != "data=e heads=e" {
		t.Errorf("storage %s, want external (not compressed)", storage)
	}
	insertWide(t, conn, 2)
	if after := toasted(t, conn); after != before {
		t.Errorf("a wide row after 0014 went to TOAST: %d chunks, %d before", after, before)
	}
	// And in a database made new.
	s = openTest(t, pgtest.DB(t))
	fresh, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Release()
	insertWide(t, fresh.Conn(), 1)
	if n := toasted(t, fresh.Conn()); n != 0 {
		t.Errorf("a new database sent a wide row to TOAST: %d chunks", n)
	}
}
