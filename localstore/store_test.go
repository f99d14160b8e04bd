package localstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// testKDF keeps tests fast; the real cost is measured by BenchmarkUnlock.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func openTest(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(dir, Options{KDF: testKDF, LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var (
	leader     = User{Code: "L001", Name: "王组长", Role: RoleLeader, Team: "一组", Villages: []string{"王庄村", "柳树沟村"}}
	enumerator = User{Code: "E001", Name: "李登记", Role: RoleEnumerator, Team: "一组", Villages: []string{"王庄村"}}
)

func setupTest(t testing.TB) (*DB, *Session) {
	t.Helper()
	db := openTest(t, t.TempDir())
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(enumerator, "enum-pass1"); err != nil {
		t.Fatal(err)
	}
	return db, s
}

func TestOpenTwiceIsRefused(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	_, err := Open(dir, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrAlreadyOpen) || !strings.Contains(err.Error(), "already open in another Doorstep window") {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion()+1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(filepath.Join(dir, FileName))
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !bytes.Equal(before, after) {
		t.Error("a newer file was rewritten")
	}
}

// TestDamagedSchemaIsNotANewerProgram: a schema number no Doorstep wrote — damage —
// says the file is damaged (restore from a backup), not "use the newer program", and
// is never migrated as if the file were new.
func TestDamagedSchemaIsNotANewerProgram(t *testing.T) {
	for _, bad := range [][]byte{{0x00, 0x36, 0x14, 0xcb, 0, 0, 0, 6}, {0, 0, 6}} {
		dir := t.TempDir()
		db := openTest(t, dir)
		if err := db.bolt.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(keySchema, bad)
		}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := Open(dir, Options{}); !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNewerSchema) {
			t.Errorf("schema %x: %v, want the file damaged", bad, err)
		}
	}
}

func TestOpenRefusesDamagedFile(t *testing.T) {
	tests := []struct {
		name   string
		damage func(data []byte) []byte
	}{
		{"truncated", func(d []byte) []byte { return d[:100] }},
		{"zeroed meta pages", func(d []byte) []byte {
			out := bytes.Clone(d)
			for i := range 8192 {
				out[i] = 0
			}
			return out
		}},
		{"not a database", func([]byte) []byte { return []byte(strings.Repeat("this is a spreadsheet, not a data file\n", 400)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openTest(t, dir)
			db.Close()
			p := filepath.Join(dir, FileName)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			damaged := tt.damage(data)
			if err := os.WriteFile(p, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = Open(dir, Options{})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "doorstep backup") {
				t.Fatalf("err = %v", err)
			}
			after, _ := os.ReadFile(p)
			if !bytes.Equal(after, damaged) {
				t.Error("damaged file was changed")
			}
		})
	}
}

func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

func TestSetupAndUnlock(t *testing.T) {
	db, _ := setupTest(t)
	if _, err := db.Setup(enumerator, "another-pass"); !errors.Is(err, ErrAlreadySetUp) {
		t.Errorf("second setup: %v", err)
	}
	s, err := db.Unlock("E001", "enum-pass1")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.User(); got.Name != "李登记" || got.Role != RoleEnumerator || got.Villages[0] != "王庄村" {
		t.Errorf("user = %+v", got)
	}
	if _, err := db.Unlock("E001", "wrong-pass"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if _, err := db.Unlock("NOBODY", "enum-pass1"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("unknown user: %v", err)
	}
	users, err := s.Users()
	if err != nil || len(users) != 2 || users[0].Code != "E001" || users[1].Name != "王组长" {
		t.Errorf("users = %+v, %v", users, err)
	}
}

func TestUnlockBeforeSetup(t *testing.T) {
	db := openTest(t, t.TempDir())
	if _, err := db.Unlock("L001", "whatever1"); !errors.Is(err, ErrNotSetUp) {
		t.Errorf("err = %v", err)
	}
}

func TestOnlyLeadersAddUsers(t *testing.T) {
	db, _ := setupTest(t)
	s, err := db.Unlock("E001", "enum-pass1")
	if err != nil {
		t.Fatal(err)
	}
	err = s.AddUser(User{Code: "E002", Name: "张三", Role: RoleEnumerator}, "pass-word-2")
	if !errors.Is(err, ErrNotAllowed) {
		t.Errorf("enumerator added a user: %v", err)
	}
}

func TestAddUserValidates(t *testing.T) {
	_, s := setupTest(t)
	tests := []struct {
		name string
		u    User
		pass string
		want string
	}{
		{"duplicate code", enumerator, "enum-pass1", "already exists"},
		{"short passphrase", User{Code: "E002", Name: "甲", Role: RoleEnumerator}, "short", "at least 8"},
		{"bad role", User{Code: "E002", Name: "甲", Role: "admin"}, "long-enough", "role"},
		{"bad code", User{Code: "E 002", Name: "甲", Role: RoleEnumerator}, "long-enough", "user code"},
		{"no name", User{Code: "E002", Name: " ", Role: RoleEnumerator}, "long-enough", "name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.AddUser(tt.u, tt.pass)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWrongPassphrasesSlowDown(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: time.Date(2021, 10, 10, 9, 0, 0, 0, time.UTC)}
	db, err := Open(dir, Options{KDF: testKDF, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Setup(leader, "leader-pass"); err != nil {
		t.Fatal(err)
	}
	for i := range freeTries {
		if _, err := db.Unlock("L001", "nope-nope"); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	// Now even the right passphrase must wait, and the count survives reopening.
	db.Close()
	db, err = Open(dir, Options{KDF: testKDF, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Unlock("L001", "leader-pass"); !errors.Is(err, ErrTooManyTries) {
		t.Fatalf("no delay after %d failures: %v", freeTries, err)
	}
	clock.t = clock.t.Add(unlockDelay(freeTries))
	if _, err := db.Unlock("L001", "leader-pass"); err != nil {
		t.Fatalf("after the delay: %v", err)
	}
	// Success resets the count.
	if _, err := db.Unlock("L001", "nope-nope"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("after reset: %v", err)
	}
}

func TestUnlockDelayGrows(t *testing.T) {
	prev := time.Duration(0)
	for n := range 20 {
		d := unlockDelay(n)
		if d < prev || d > 5*time.Minute {
			t.Fatalf("delay(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
	if unlockDelay(freeTries-1) != 0 || unlockDelay(freeTries) == 0 {
		t.Error("free tries wrong")
	}
}

func TestSealedValueBoundToItsPlace(t *testing.T) {
	k, err := newKeys(randomBytes(32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.seal("records", []byte("a"), []byte("张三"))
	if _, err := k.open("records", []byte("b"), sealed); !errors.Is(err, errDecrypt) {
		t.Error("value opened under another key")
	}
	if _, err := k.open("cases", []byte("a"), sealed); !errors.Is(err, errDecrypt) {
		t.Error("value opened in another bucket")
	}
	if got, err := k.open("records", []byte("a"), sealed); err != nil || string(got) != "张三" {
		t.Errorf("open = %q, %v", got, err)
	}
	again := k.seal("records", []byte("a"), []byte("张三"))
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one value are equal: nonce reused")
	}
}

func TestBackupIsAUsableCopy(t *testing.T) {
	db, _ := setupTest(t)
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	copyDB := openTest(t, dir)
	if _, err := copyDB.Unlock("E001", "enum-pass1"); err != nil {
		t.Fatalf("unlock the copy: %v", err)
	}
	if err := copyDB.Check(); err != nil {
		t.Fatal(err)
	}
}
