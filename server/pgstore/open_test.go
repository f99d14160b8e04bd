package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openTest(t *testing.T, url string) *Store { return openSealed(t, url, nil) }

// openSealed opens the database under a key (nil: plain).
func openSealed(t *testing.T, url string, sealer *seal.Sealer) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
}

// The server's name and epoch are made once and kept: a laptop's cursor stays valid
// across restarts.
func TestOpenKeepsItsNameAcrossRestarts(t *testing.T) {
	url := pgtest.DB(t)
	a := openTest(t, url)
	id, epoch := a.ID(), a.Epoch()
	a.Close()
	b := openTest(t, url)
	if b.ID() != id || b.Epoch() != epoch || id == "" || epoch == "" {
		t.Fatalf("reopened as %s/%s, was %s/%s", b.ID(), b.Epoch(), id, epoch)
	}
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	url := pgtest.DB(t)
	openTest(t, url).Close()
	execSQL(t, url, "UPDATE doorstep_meta SET value = '999' WHERE key = 'schema_version'")
	_, err := Open(context.Background(), url, Options{})
	var newer *ErrNewerSchema
	if !errors.As(err, &newer) || newer.Have != 999 {
		t.Fatalf("a newer schema was not refused: %v", err)
	}
	if !strings.Contains(err.Error(), "newer than this doorstep-server knows") {
		t.Errorf("unclear: %v", err)
	}
	var v string
	ctx := context.Background()
	conn, _ := pgx.Connect(ctx, url)
	defer conn.Close(ctx)
	conn.QueryRow(ctx, "SELECT value FROM doorstep_meta WHERE key = 'schema_version'").Scan(&v)
	if v != "999" {
		t.Errorf("the refused database was changed: version %s", v)
	}
}

func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	for name, sql := range map[string]string{
		"tables of its own":        "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1)",
		"a doorstep_meta not ours": "CREATE TABLE doorstep_meta (key text PRIMARY KEY, value text); INSERT INTO doorstep_meta VALUES ('program', 'other')",
	} {
		t.Run(name, func(t *testing.T) {
			url := pgtest.DB(t)
			execSQL(t, url, sql)
			_, err := Open(context.Background(), url, Options{})
			var foreign *ErrForeignDatabase
			if !errors.As(err, &foreign) {
				t.Fatalf("another program's database was not refused: %v", err)
			}
			if !strings.Contains(err.Error(), "not doorstep-server's") {
				t.Errorf("unclear: %v", err)
			}
			ctx := context.Background()
			conn, _ := pgx.Connect(ctx, url)
			defer conn.Close(ctx)
			var log bool
			conn.QueryRow(ctx, "SELECT to_regclass('log') IS NOT NULL").Scan(&log)
			if log {
				t.Error("our tables were created in another program's database")
			}
		})
	}
}

// A migration that fails halfway leaves the database at the version before it, with
// its data, and the next start with a good migration finishes.
func TestInterruptedMigrationLosesNothing(t *testing.T) {
	url := pgtest.DB(t)
	ctx := context.Background()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	s := openTest(t, url)
	serverID := s.ID()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := appendLog(ctx, tx, []logEntry{{Kind: kindRoster, Village: "V1", Subject: "S1"}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	next := len(ms) + 1
	broken := append(append([]Migration(nil), ms...), Migration{Version: next, Name: "broken",
		SQL: "CREATE TABLE halfway (x int); ALTER TABLE log ADD COLUMN extra int; SELECT 1/0"})
	_, err = Open(ctx, url, Options{Migrations: broken})
	var mig *ErrMigration
	if !errors.As(err, &mig) || mig.From != len(ms) {
		t.Fatalf("the broken migration was not reported: %v", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("unchanged at version %d", len(ms))) {
		t.Errorf("unclear: %v", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var halfway bool
	conn.QueryRow(ctx, "SELECT to_regclass('halfway') IS NOT NULL").Scan(&halfway)
	if halfway {
		t.Error("half a migration stayed")
	}

	fixed := append(append([]Migration(nil), ms...), Migration{Version: next, Name: "fixed",
		SQL: "CREATE TABLE halfway (x int); ALTER TABLE log ADD COLUMN extra int"})
	s2, err := Open(ctx, url, Options{Migrations: fixed})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	entries, _, _, err := readLog(ctx, s2.pool, logFilter{Leader: true}, 0, 10)
	if err != nil || len(entries) != 1 || entries[0].Subject != "S1" || s2.ID() != serverID {
		t.Fatalf("after the fixed migration: %v, %+v, id %s", err, entries, s2.ID())
	}
}

// Two servers started at once on an empty database: the advisory lock lets one
// migrate, the other finds it done.
func TestConcurrentStartsMigrateOnce(t *testing.T) {
	url := pgtest.DB(t)
	errs := make(chan error, 4)
	ids := make(chan string, 4)
	for range 4 {
		go func() {
			s, err := Open(context.Background(), url, Options{})
			if err == nil {
				ids <- s.ID()
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	first := <-ids
	for range 3 {
		if id := <-ids; id != first {
			t.Fatalf("two server names: %s and %s", first, id)
		}
	}
}

func TestOpenSaysWhyItCannotConnect(t *testing.T) {
	url := pgtest.DB(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := fmt.Sprintf("127.0.0.1:%d", cfg.Port)
	for _, c := range []struct{ name, url, want string }{
		{"not a URL", "postgres://doorstep:pw@127.0.0.1:notaport/db", "not a PostgreSQL URL"},
		{"nobody listening", fmt.Sprintf("postgres://doorstep:secret-pw@127.0.0.1:%d/x?sslmode=disable&connect_timeout=5", deadPort), "does not answer"},
		{"wrong password", "postgres://doorstep:secret-pw@" + base + "/postgres?sslmode=disable", "refused the user name or password"},
		{"no such database", "postgres://doorstep:" + cfg.Password + "@" + base + "/nosuchdb?sslmode=disable", "does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := Open(ctx, c.url, Options{})
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %q, want it to say %q", err, c.want)
			}
			if strings.Contains(err.Error(), "secret-pw") || strings.Contains(err.Error(), cfg.Password) {
				t.Errorf("the password is in the message: %v", err)
			}
		})
	}
}
