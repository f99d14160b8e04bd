package pgtest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestFreshDatabasePerTest(t *testing.T) {
	ctx := context.Background()
	a, b := DB(t), DB(t)
	if a == b {
		t.Fatal("two tests got the same database")
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
	conn2, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(ctx)
	var n int
	if err := conn2.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 't'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the second database sees the first's table: %d, %v", n, err)
	}
}

// A test's own cluster stops and starts again on the same port, with its data.
func TestOwnClusterRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := Own(t, Options{})
	url, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop("immediate"); err != nil {
		t.Fatal(err)
	}
	if err := exec("SELECT 1"); err == nil {
		t.Fatal("a stopped cluster answered")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := exec("INSERT INTO kept VALUES (2)"); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
}

func TestWrongPasswordRefused(t *testing.T) {
	ctx := context.Background()
	url := DB(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = "not-the-password"
	if conn, err := pgx.ConnectConfig(ctx, cfg); err == nil {
		conn.Close(ctx)
		t.Fatal("a wrong password was let in: the cluster does not check passwords over TCP")
	}
}

// Where PostgreSQL is missing a test is skipped — and fails when CI is set or
// DOORSTEP_E2E=require. Run in a child process with no PostgreSQL to be found.
func TestMissingSkipsOrFails(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		DB(t)
		return
	}
	for _, c := range []struct {
		env  []string
		fail bool
		want string
	}{
		{[]string{"CI=", "DOORSTEP_E2E="}, false, "PostgreSQL is not available, skipped"},
		{[]string{"CI=true", "DOORSTEP_E2E="}, true, "PostgreSQL is required here"},
		{[]string{"CI=", "DOORSTEP_E2E=require"}, true, "PostgreSQL is required here"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingSkipsOrFails$", "-test.v")
		cmd.Env = append(os.Environ(), append(c.env, "PGTEST_CHILD=1", "DOORSTEP_PG_BIN=/nonexistent")...)
		out, err := cmd.CombinedOutput()
		if (err != nil) != c.fail || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: failed %v, want %v; said:\n%s", c.env, err != nil, c.fail, out)
		}
	}
}
