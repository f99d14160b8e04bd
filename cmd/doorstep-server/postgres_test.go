package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServerOnPostgres: the server keeps its data in PostgreSQL when given a database
// (here through server.yaml); /healthz checks the database; the metrics are on the admin
// side only; the office's commands reach the database while the server runs.
func TestServerOnPostgres(t *testing.T) {
	url := pgtest.DB(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte("database: "+url+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	metricsAddr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		cmd := newRoot(out, &syncBuffer{})
		cmd.SetArgs([]string{"--dev", "--data", dir, "--listen", "127.0.0.1:0", "--metrics-listen", metricsAddr})
		done <- cmd.ExecuteContext(ctx)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "doorstep enroll") {
		if time.Now().After(deadline) {
			t.Fatalf("the server said: %q", out.String())
		}
		select {
		case err := <-done:
			t.Fatalf("the server stopped: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "server.db")); err == nil {
		t.Error("a bbolt file was made beside the database")
	}
	base := regexp.MustCompile(`https://127\.0\.0\.1:\d+`).FindString(out.String())
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	get := func(c *http.Client, u string) (int, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(insecure, base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, _ := get(insecure, base+"/metrics"); code == http.StatusOK {
		t.Error("the metrics are on the laptops' port")
	}
	admin := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", filepath.Join(dir, server.AdminSocket))
	}}}
	for _, c := range []struct {
		client *http.Client
		url    string
	}{{admin, "http://admin/metrics"}, {http.DefaultClient, "http://" + metricsAddr + "/metrics"}} {
		if code, body := get(c.client, c.url); code != http.StatusOK || !strings.Contains(body, "doorstep_records_received_total") ||
			!strings.Contains(body, "doorstep_request_duration_seconds_count{code=\"2xx\",endpoint=\"/healthz\"} 1") {
			t.Errorf("%s: %d\n%.400s", c.url, code, body)
		}
	}
	// The office's commands open the database itself: PostgreSQL takes many clients.
	got, err := run(t, "enroll", "--data", dir, "--user", "E002", "--name", "张伟", "--role", "enumerator", "--villages", "王庄村")
	if err != nil || !regexp.MustCompile(`^[A-Z0-9-]{23}\n$`).MatchString(got) {
		t.Errorf("enroll: %q %v", got, err)
	}
	got, err = run(t, "records", "list", "--json", "--data", dir)
	var rows []map[string]any
	if err != nil || json.Unmarshal([]byte(got), &rows) != nil || len(rows) != 0 {
		t.Errorf("records list: %q %v", got, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the server did not shut down")
	}
}

// The database named by --database, the environment or server.yaml, in that order; a
// misspelt key or an unreachable database is said, and no bbolt file is made instead.
func TestDatabaseChoiceAndBadInput(t *testing.T) {
	dir := t.TempDir()
	o := &opts{data: dir}
	if u, err := o.databaseURL(); err != nil || u != "" {
		t.Fatalf("nothing configured: %q %v (want the bbolt file)", u, err)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("database: postgres://file/db\n"), 0o600)
	if u, _ := o.databaseURL(); u != "postgres://file/db" {
		t.Errorf("from the file: %q", u)
	}
	t.Setenv(EnvDatabase, "postgres://env/db")
	if u, _ := o.databaseURL(); u != "postgres://env/db" {
		t.Errorf("from the environment: %q", u)
	}
	o.database = "postgres://flag/db"
	if u, _ := o.databaseURL(); u != "postgres://flag/db" {
		t.Errorf("from the flag: %q", u)
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("databse: postgres://x/y\n"), 0o600)
	t.Setenv(EnvDatabase, "")
	if _, err := (&opts{data: dir}).databaseURL(); err == nil || !strings.Contains(err.Error(), "databse") {
		t.Errorf("a misspelt key: %v", err)
	}
	if _, err := (&opts{data: dir, config: filepath.Join(dir, "nope.yaml")}).databaseURL(); err == nil {
		t.Error("a named configuration file that is missing was ignored")
	}

	empty := t.TempDir()
	testKey(t)
	_, err := run(t, "records", "list", "--data", empty, "--database", fmt.Sprintf("postgres://doorstep:pw@%s/x?sslmode=disable&connect_timeout=3", freeAddr(t)))
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("an unreachable database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(empty, "server.db")); err == nil {
		t.Error("a bbolt file was made when the database could not be reached")
	}
}

// TestBackupWhileServing: a backup of the bbolt file taken through the running server's
// admin socket is whole and checked; on PostgreSQL the command says to use pg_dump.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		cmd := newRoot(out, &syncBuffer{})
		cmd.SetArgs([]string{"--dev", "--data", dir, "--listen", "127.0.0.1:0"})
		done <- cmd.ExecuteContext(ctx)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "doorstep enroll") {
		if time.Now().After(deadline) {
			t.Fatalf("the server said: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	got, err := run(t, "backup", dest, "--data", dir)
	if err != nil || !strings.Contains(got, "checked") {
		t.Fatalf("backup while serving: %q %v", got, err)
	}
	if err := server.CheckBackup(dest); err != nil {
		t.Fatal(err)
	}
	// Restored in place of server.db, the copy is the same server (the enrolment the
	// dev server made is in it).
	restored := t.TempDir()
	data, _ := os.ReadFile(dest)
	os.WriteFile(filepath.Join(restored, "server.db"), data, 0o600)
	// It opens with the server's key alone.
	if _, err := run(t, "records", "list", "--data", restored); err == nil || !strings.Contains(err.Error(), "no data key") {
		t.Errorf("the restored copy without its key: %v", err)
	}
	if users, err := run(t, "records", "list", "--data", restored, "--data-key-file", filepath.Join(dir, DevKeyFile)); err != nil || !strings.Contains(users, "RECEIVED") {
		t.Errorf("the restored copy: %q %v", users, err)
	}
	cancel()
	<-done
	if _, err := run(t, "backup", filepath.Join(t.TempDir(), "x.db"), "--data", dir, "--database", "postgres://u:p@127.0.0.1:1/x"); err == nil ||
		!strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("a backup on PostgreSQL: %v", err)
	}
	if _, err := run(t, "backup", filepath.Join(t.TempDir(), "x.db"), "--data", t.TempDir()); err == nil {
		t.Error("a backup of a folder without a data file made one")
	}
}

// TestMigrateCommand: the office moves a bbolt server to PostgreSQL in one command; the
// server then runs on the database with the same users; a second move is refused.
func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	testKey(t)
	if _, err := run(t, "enroll", "--data", dir, "--user", "E002", "--name", "张伟", "--role", "enumerator", "--villages", "王庄村"); err != nil {
		t.Fatal(err)
	}
	url := pgtest.DB(t)
	got, err := run(t, "migrate", "--data", dir, "--to", url)
	if err != nil || !strings.Contains(got, "all equal") || !regexp.MustCompile(`users\s+1\s+1`).MatchString(got) {
		t.Fatalf("migrate: %v\n%s", err, got)
	}
	if strings.Contains(got, url) {
		t.Error("the database URL, with its password, is in the output")
	}
	got, err = run(t, "records", "list", "--data", dir, "--database", url)
	if err != nil || !strings.Contains(got, "RECEIVED") {
		t.Errorf("on the database after the move: %q %v", got, err)
	}
	if _, err := run(t, "migrate", "--data", dir, "--to", url); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Errorf("a second move into the same database: %v", err)
	}
	if _, err := run(t, "migrate", "--data", t.TempDir(), "--to", url); err == nil || !strings.Contains(err.Error(), "no bbolt data file") {
		t.Errorf("a move from a folder without a file: %v", err)
	}
}
