package localstore

import (
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func userKDF(t *testing.T, db *DB, code string) (KDFParams, []byte) {
	t.Helper()
	var rec userRecord
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketUsers), []byte(code), &rec)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rec.KDF, rec.Salt
}

// TestOldWrapOpensAndMigrates: a file whose keys were wrapped with other argon2id
// parameters (an older default) still opens, and each user's wrap is redone with the
// current parameters at that user's next unlock — not at a wrong passphrase, and not
// for a user who has not unlocked.
func TestOldWrapOpensAndMigrates(t *testing.T) {
	dir := t.TempDir()
	old := KDFParams{Time: 2, MemoryKiB: 128, Threads: 2}
	db, err := Open(dir, Options{KDF: old})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(enumerator, "enum-pass1"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openTest(t, dir) // testKDF is now the file's policy
	if _, err := db.Unlock("L001", "not-the-pass"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if p, _ := userKDF(t, db, "L001"); p != old {
		t.Errorf("a wrong passphrase rewrapped the key: %+v", p)
	}
	_, oldSalt := userKDF(t, db, "L001")
	if _, err := db.Unlock("L001", "leader-pass"); err != nil {
		t.Fatalf("the old wrap does not open: %v", err)
	}
	p, salt := userKDF(t, db, "L001")
	if p != testKDF || string(salt) == string(oldSalt) {
		t.Errorf("after unlock the wrap has %+v (salt changed: %v), want %+v with a new salt", p, string(salt) != string(oldSalt), testKDF)
	}
	if p, _ := userKDF(t, db, "E001"); p != old {
		t.Errorf("a user who has not unlocked was rewrapped: %+v", p)
	}
	s, err = db.Unlock("L001", "leader-pass")
	if err != nil {
		t.Fatalf("the new wrap does not open: %v", err)
	}
	if _, err := db.Unlock("L001", "enum-pass1"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("the new wrap opens with another passphrase: %v", err)
	}
	if users, err := s.Users(); err != nil || len(users) != 2 {
		t.Errorf("after migration: %v %v", users, err)
	}
	if db.KDFEstimate() <= 0 || db.KDFEstimate() > time.Minute {
		t.Errorf("estimate %v", db.KDFEstimate())
	}
}
