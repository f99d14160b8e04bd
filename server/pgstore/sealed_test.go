package pgstore

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// dump is every row of every table of the database as text (bytea as PostgreSQL
// prints it, \x and hex): what pg_dump, a replica or a stolen disk would show.
func dump(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tb := range tables {
		var text string
		q := `SELECT coalesce(string_agg(t::text, E'\n'), '') FROM ` + pgx.Identifier{tb}.Sanitize() + ` t`
		if err := conn.QueryRow(ctx, q).Scan(&text); err != nil {
			t.Fatal(err)
		}
		b.WriteString(text + "\n")
	}
	return b.String()
}

// shown is which of secrets the dump shows, as text or as the hex of bytea.
func shown(d string, secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if strings.Contains(d, s) || strings.Contains(d, hex.EncodeToString([]byte(s))) {
			out = append(out, s)
		}
	}
	return out
}

func district(t *testing.T, url string, sealer *seal.Sealer) *storetest.District {
	return storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return Open(context.Background(), url, Options{Now: now, Sealer: sealer})
		}
	}, nil)
}

// TestNoPlaintextInDatabase: after a survey's records, a duplicate interview and a
// roster, no table shows a name, an ID number or a certificate number.
func TestNoPlaintextInDatabase(t *testing.T) {
	url := pgtest.DB(t)
	d := district(t, url, seal.New(seal.NewKey()))
	secrets := storetest.Personal(t, d)
	d.Stop()
	if found := shown(dump(t, url), secrets); len(found) > 0 {
		t.Errorf("the database shows %d of %d personal strings, e.g. %q", len(found), len(secrets), found[0])
	}
	// Without a key, the same shows them: the search can fail.
	plain := pgtest.DB(t)
	p := district(t, plain, nil)
	secrets = storetest.Personal(t, p)
	p.Stop()
	if found := shown(dump(t, plain), secrets); len(found) != len(secrets) {
		t.Errorf("a plain database shows %d of %d: the search is blind", len(found), len(secrets))
	}
}

// TestKeyRefused: a sealed database opened without its key, or with another, is
// refused with a sentence.
func TestKeyRefused(t *testing.T) {
	url := pgtest.DB(t)
	sealer := seal.New(seal.NewKey())
	openSealed(t, url, sealer).Close()
	ctx := context.Background()
	if _, err := Open(ctx, url, Options{}); !errors.Is(err, seal.ErrNoKey) {
		t.Errorf("no key: %v", err)
	}
	other := seal.New(seal.NewKey())
	if _, err := Open(ctx, url, Options{Sealer: other}); !errors.Is(err, seal.ErrWrongKey) || !strings.Contains(err.Error(), sealer.CheckID()) {
		t.Errorf("another key: %v", err)
	}
}

// TestMovedValueRefused: one person's sealed row copied over another's (someone with
// the database but not the key) is refused, not shown as the other's.
func TestMovedValueRefused(t *testing.T) {
	url := pgtest.DB(t)
	sealer := seal.New(seal.NewKey())
	d := district(t, url, sealer)
	storetest.Personal(t, d)
	d.Stop()
	execSQL(t, url, `UPDATE revisions SET person = (SELECT person FROM revisions ORDER BY seq LIMIT 1)
		WHERE seq = (SELECT seq FROM revisions ORDER BY seq OFFSET 1 LIMIT 1)`)
	s := openSealed(t, url, sealer)
	if _, _, err := s.Records(context.Background(), store.RecordFilter{All: true}); !errors.Is(err, seal.ErrOpen) {
		t.Errorf("a moved row: %v, want seal.ErrOpen", err)
	}
	execSQL(t, url, `UPDATE roster SET data = (SELECT data FROM revisions ORDER BY seq LIMIT 1)`)
	err := s.Export(context.Background(), store.RecordFilter{All: true}, func(store.StoredRevision) error { return nil })
	if !errors.Is(err, seal.ErrOpen) {
		t.Errorf("an export over a moved row: %v", err)
	}
}

// TestPlainDatabaseSealed: a database kept plain (schema 3 without a key) is sealed in
// place at its first open with a key, and answers as before.
func TestPlainDatabaseSealed(t *testing.T) {
	url := pgtest.DB(t)
	p := district(t, url, nil)
	secrets := storetest.Personal(t, p)
	want := p.Rows(store.RecordFilter{All: true})
	groups, _ := p.Store.Duplicates(context.Background(), true)
	p.Stop()
	sealer := seal.New(seal.NewKey())
	s := openSealed(t, url, sealer)
	if found := shown(dump(t, url), secrets); len(found) > 0 {
		t.Errorf("after sealing the database shows %q", found)
	}
	ctx := context.Background()
	got, _, err := s.Records(ctx, store.RecordFilter{All: true})
	if err != nil || len(got) != len(want) {
		t.Fatalf("%d rows after sealing, want %d (%v)", len(got), len(want), err)
	}
	for i := range got {
		if got[i].Name != want[i].Name || got[i].Subject != want[i].Subject || got[i].Withdrawn != want[i].Withdrawn {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if rows, _, _ := s.Records(ctx, store.RecordFilter{Subject: want[0].Subject, All: true}); len(rows) == 0 {
		t.Error("the subject index finds nothing after sealing")
	}
	after, err := s.Duplicates(ctx, true)
	subjects := func(gs []store.DuplicateGroup) []string { // the order is the blind keys'
		var out []string
		for _, g := range gs {
			out = append(out, g.Subject+"/"+g.Kept)
		}
		slices.Sort(out)
		return out
	}
	if err != nil || !slices.Equal(subjects(after), subjects(groups)) {
		t.Errorf("duplicate interviews after sealing: %v, want %v (%v)", subjects(after), subjects(groups), err)
	}
	resp, err := s.Pull(ctx, protocol.User{Code: "L009", Role: "leader", Villages: []string{"*"}}, 0, 1000)
	if err != nil || len(resp.Roster) == 0 || len(resp.Withdrawn) == 0 || resp.Roster[0].Name == "" {
		t.Errorf("a leader's pull after sealing: %d roster, %d withdrawn, %v", len(resp.Roster), len(resp.Withdrawn), err)
	}
}

// TestSchema2Sealed: a database of schema 2, with a person's revision and a duplicate
// interview in its plain columns, is brought to schema 3 and sealed.
func TestSchema2Sealed(t *testing.T) {
	url := pgtest.DB(t)
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	old, err := Open(ctx, url, Options{Migrations: ms[:2]})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	execSQL(t, url, `INSERT INTO revisions (seq, record_id, revision, latest, server_id, subject, name, village, form_id, enumerator,
		from_user, device, status, photos, head, received, data) VALUES
		(1, 'r1', 1, true, 's-1', '11010119500307123643', '欧阳秀英', '王家庄村', 'person-2021', 'E001', 'E001', 'laptop', 'completed',
		'{}', 'abababababababababababababababababababababababababababababababab', now(), '\x00');
		INSERT INTO records (record_id, revision, heads, person_key, duplicate) VALUES ('r1', 1, '{}', '["11010119500307123643","person-2021"]', true);
		INSERT INTO duplicates (person_key, subject, form_id, found) VALUES ('["11010119500307123643","person-2021"]', '11010119500307123643', 'person-2021', 1);
		INSERT INTO log (seq, kind, village, record_id, from_user) VALUES (1, 'revision', '王家庄村', 'r1', 'E001')`)
	s := openSealed(t, url, seal.New(seal.NewKey()))
	if found := shown(dump(t, url), []string{"11010119500307123643", "110101195003071236", "欧阳秀英"}); len(found) > 0 {
		t.Errorf("after the migration the database shows %q", found)
	}
	rows, _, err := s.Records(ctx, store.RecordFilter{Subject: "11010119500307123643"})
	if err != nil || len(rows) != 1 || rows[0].Name != "欧阳秀英" {
		t.Errorf("the migrated revision: %+v %v", rows, err)
	}
	if groups, err := s.Duplicates(ctx, false); err != nil || len(groups) != 1 || groups[0].Subject != "11010119500307123643" {
		t.Errorf("the migrated duplicate interview: %+v %v", groups, err)
	}
}
