// Package pgtest starts a real PostgreSQL for tests: Debian's binaries, run as the
// postgres user when the tests run as root (initdb refuses root), on a temporary folder,
// a free loopback port and a unix socket in that folder. One cluster serves a whole test
// binary, with a fresh database per test; a test that stops and restarts the database
// gets a cluster of its own.
//
// Where PostgreSQL is not installed a test is skipped with a message, except when the
// environment variable CI is set or DOORSTEP_E2E=require: there it fails.
//
// It must never touch a PostgreSQL someone started by hand, nor stop any process it did
// not start.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Required says whether a missing PostgreSQL fails the tests instead of skipping them.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("DOORSTEP_E2E") == "require"
}

// BinDir finds the folder of initdb, pg_ctl and postgres: Debian's
// /usr/lib/postgresql/NN/bin (the newest), else pg_config --bindir, else PATH.
func BinDir() (string, error) {
	if d := os.Getenv("DOORSTEP_PG_BIN"); d != "" {
		if !isExec(filepath.Join(d, "initdb")) {
			return "", fmt.Errorf("DOORSTEP_PG_BIN=%s has no initdb", d)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if isExec(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH; apt-get install postgresql)")
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Options shape a cluster.
type Options struct {
	// Durable keeps fsync on, as in production (benchmarks). Tests run without it:
	// a commit still reaches the kernel before it is acknowledged (synchronous_commit
	// stays on), so a crash of PostgreSQL alone loses nothing, as in production.
	Durable bool
}

// Cluster is one PostgreSQL server this package started.
type Cluster struct {
	bin, dir, sock string
	port           int
	password       string
	opts           Options
	asUser         *user.User // nil: run as ourselves

	mu      gosync.Mutex
	running bool
	nextDB  int
}

// Superuser is the name of the cluster's superuser.
const Superuser = "doorstep"

// initOnce makes one initdb'd folder per test binary, copied for every cluster: initdb
// takes seconds, a copy milliseconds.
var (
	initMu       gosync.Mutex
	initDone     bool
	initTemplate string
	initPassword string
	initErr      error
	initAs       *user.User
	initBin      string
)

// workDirs holds every folder this package made, removed by Cleanup, and clusters
// every cluster it started, stopped by Cleanup if a test left one running.
var (
	workMu   gosync.Mutex
	workDirs []string
	clusters []*Cluster
)

func prepare() error {
	initMu.Lock()
	defer initMu.Unlock()
	if initDone {
		return initErr
	}
	initDone = true
	reapOrphans()
	func() {
		initBin, initErr = BinDir()
		if initErr != nil {
			return
		}
		if os.Geteuid() == 0 {
			if initAs, initErr = user.Lookup("postgres"); initErr != nil {
				initErr = fmt.Errorf("the tests run as root and initdb refuses root, but there is no postgres user to run it as: %w", initErr)
				return
			}
		}
		var dir string
		if dir, initErr = mkdir("doorstep-pgtemplate-"); initErr != nil {
			return
		}
		initTemplate = filepath.Join(dir, "data")
		initPassword = randomHex(12)
		pwfile := filepath.Join(dir, "pw")
		if initErr = os.WriteFile(pwfile, []byte(initPassword+"\n"), 0o600); initErr != nil {
			return
		}
		if initErr = chown(pwfile); initErr != nil {
			return
		}
		initErr = run(initAs, filepath.Join(initBin, "initdb"), "-D", initTemplate, "-U", Superuser,
			"--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
			"--locale=C", "--no-sync")
		os.Remove(pwfile)
	}()
	return initErr
}

// mkdir makes a temporary folder the cluster's user owns, under the system's temporary
// folder (t.TempDir's folders are 0700 and root's: postgres could not enter them).
func mkdir(prefix string) (string, error) {
	dir, err := os.MkdirTemp(baseDir(), prefix)
	if err != nil {
		return "", err
	}
	// The test binary that owns it: a binary killed before its cleanup (a test timeout)
	// leaves its cluster running, and the next binary stops it (reapOrphans).
	if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return "", err
	}
	workMu.Lock()
	workDirs = append(workDirs, dir)
	workMu.Unlock()
	return dir, chown(dir)
}

func chown(p string) error {
	if initAs == nil {
		return nil
	}
	uid, _ := strconv.Atoi(initAs.Uid)
	gid, _ := strconv.Atoi(initAs.Gid)
	return os.Chown(p, uid, gid)
}

// baseDir is where the clusters' folders go: the system's temporary folder, which the
// postgres user must be able to enter — as root, /tmp itself, whatever TMPDIR says (a
// TMPDIR under /root would be closed to postgres).
func baseDir() string {
	if os.Geteuid() == 0 {
		if fi, err := os.Stat("/tmp"); err == nil && fi.IsDir() {
			return "/tmp"
		}
	}
	return os.TempDir()
}

// reapOrphans stops the clusters and removes the folders of test binaries that died
// before cleaning up: only folders this package made (their owner file names a process
// that is gone), never any other PostgreSQL.
func reapOrphans() {
	dirs, _ := filepath.Glob(filepath.Join(baseDir(), "doorstep-pg*-*"))
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			if bin, err := BinDir(); err == nil {
				var as *user.User
				if os.Geteuid() == 0 {
					as, _ = user.Lookup("postgres")
				}
				run(as, filepath.Join(bin, "pg_ctl"), "stop", "-w", "-m", "immediate", "-D", filepath.Join(dir, "data"))
			}
		}
		os.RemoveAll(dir)
	}
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// run runs a PostgreSQL program, as u when given; its output goes into the error.
func run(u *user.User, prog string, args ...string) error {
	var cmd *exec.Cmd
	if u != nil {
		cmd = exec.Command("runuser", append([]string{"-u", u.Username, "--", prog}, args...)...)
	} else {
		cmd = exec.Command(prog, args...)
	}
	cmd.Dir = os.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(prog), strings.Join(args, " "), err, out.String())
	}
	return nil
}

// NewCluster starts a cluster of its own (a copy of the binary's initdb'd folder).
func NewCluster(opts Options) (*Cluster, error) {
	if err := prepare(); err != nil {
		return nil, err
	}
	dir, err := mkdir("doorstep-pg-")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	// cp -a as root keeps the owner; as ourselves we own it already.
	if out, err := exec.Command("cp", "-a", initTemplate, data).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copy the initdb'd folder: %w: %s", err, out)
	}
	c := &Cluster{bin: initBin, dir: dir, sock: dir, password: initPassword, opts: opts, asUser: initAs}
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	workMu.Lock()
	clusters = append(clusters, c)
	workMu.Unlock()
	return c, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the cluster (again, after Stop: same folder, same port).
func (c *Cluster) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return nil
	}
	o := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c max_connections=200 -c shared_buffers=64MB", c.port, c.sock)
	if !c.opts.Durable {
		o += " -c fsync=off -c full_page_writes=off"
	}
	err := run(c.asUser, filepath.Join(c.bin, "pg_ctl"), "start", "-w", "-t", "60", "-D", filepath.Join(c.dir, "data"),
		"-l", filepath.Join(c.dir, "log"), "-o", o)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("start PostgreSQL: %w\n%s", err, log)
	}
	c.running = true
	return nil
}

// Stop stops the cluster; mode is pg_ctl's: "fast" (clients disconnected, a clean
// shutdown) or "immediate" (as a crash: recovery at the next start).
func (c *Cluster) Stop(mode string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return nil
	}
	if mode == "" {
		mode = "fast"
	}
	if err := run(c.asUser, filepath.Join(c.bin, "pg_ctl"), "stop", "-w", "-t", "60", "-m", mode, "-D", filepath.Join(c.dir, "data")); err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	c.running = false
	return nil
}

// Close stops the cluster and removes its folder.
func (c *Cluster) Close() error {
	err := c.Stop("fast")
	if err == nil {
		os.RemoveAll(c.dir)
	}
	return err
}

// Port is the cluster's TCP port on 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// URL is a connection URL for database db as the superuser, over TCP with its password.
func (c *Cluster) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(Superuser, c.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// CreateDatabase makes a new empty database and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context) (string, error) {
	c.mu.Lock()
	c.nextDB++
	name := fmt.Sprintf("test_%d", c.nextDB)
	c.mu.Unlock()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("connect to the test cluster: %w", err)
	}
	defer conn.Close(ctx)
	// template0: nothing a previous test left in template1 leaks in.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.URL(name), nil
}

// shared is the cluster of the test binary, started by the first test that asks.
var (
	sharedMu  gosync.Mutex
	shared    *Cluster
	sharedErr error
)

// unavailable skips or fails t for a cluster that could not be had.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if Required() {
		t.Fatalf("PostgreSQL is required here (CI or DOORSTEP_E2E=require): %v", err)
	}
	t.Skipf("PostgreSQL is not available, skipped: %v", err)
}

// DB returns the URL of a fresh database on the test binary's shared cluster. A test
// package that calls it has a TestMain that calls Main, which stops the cluster.
func DB(t testing.TB) string {
	t.Helper()
	sharedMu.Lock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = NewCluster(Options{})
	}
	c, err := shared, sharedErr
	sharedMu.Unlock()
	if err != nil {
		unavailable(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Own starts a cluster for t alone (to stop and restart it mid-test), stopped when t ends.
func Own(t testing.TB, opts Options) *Cluster {
	t.Helper()
	c, err := NewCluster(opts)
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
		if !mainActive.Load() {
			// No Main to clean up after the binary: the last cluster out removes the
			// initdb'd folder (a later test makes it again).
			forget(c)
		}
	})
	return c
}

// mainActive says Main runs the tests, and will clean up after them all.
var mainActive atomic.Bool

// forget drops a closed cluster and, when none is left, the initdb'd folder.
func forget(c *Cluster) {
	workMu.Lock()
	defer workMu.Unlock()
	clusters = slices.DeleteFunc(clusters, func(x *Cluster) bool { return x == c })
	workDirs = slices.DeleteFunc(workDirs, func(d string) bool { return d == c.dir })
	if len(clusters) > 0 {
		return
	}
	initMu.Lock()
	defer initMu.Unlock()
	for _, d := range workDirs {
		os.RemoveAll(d)
	}
	workDirs, initDone, initErr = nil, false, nil
}

// Main runs the tests and then stops the shared cluster and removes every folder this
// package made; a package's TestMain is `os.Exit(pgtest.Main(m))`.
func Main(m *testing.M) int {
	mainActive.Store(true)
	code := m.Run()
	if err := Cleanup(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Cleanup stops the shared cluster and removes the folders.
func Cleanup() error {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	shared, sharedErr = nil, nil
	workMu.Lock()
	defer workMu.Unlock()
	var errs []error
	for _, c := range clusters {
		errs = append(errs, c.Stop("fast"))
	}
	clusters = nil
	for _, d := range workDirs {
		os.RemoveAll(d)
	}
	workDirs = nil
	return errors.Join(errs...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
