package localstore

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/bundle"
	"github.com/doorstep-survey/doorstep/record"
)

// fixtureMate is the teammate whose card the fixtures keep from schema 5 on.
var fixtureMate = bundle.Card{Code: "E207", Name: "欧阳秀芝", Role: "enumerator"}

// The fixtures in testdata are data files written by each released schema version, with
// user L001 / "leader-pass" (test KDF), the two testRows cases and one completed record;
// from schema 5 on, the key card of a teammate (fixtureMate) too.
// Every migration must open them; regenerate the current one with
//
//	DOORSTEP_WRITE_FIXTURE=1 go test -run TestWriteFixture ./localstore/
func TestWriteFixture(t *testing.T) {
	if os.Getenv("DOORSTEP_WRITE_FIXTURE") == "" {
		t.Skip("set DOORSTEP_WRITE_FIXTURE=1 to rewrite the current schema's fixture")
	}
	dir := t.TempDir()
	db, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	cases := importTest(t, s)
	interview(t, s, cases[0].ID)
	mate, err := bundle.NewKeys(fixtureMate.Code, fixtureMate.Name, fixtureMate.Role)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.TrustCard(mate.Card()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join("testdata", "schema-v"+strconv.FormatUint(SchemaVersion(), 10)+".db")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFixturesOpen opens each older version's file, migrates it and checks nothing was
// lost: the user unlocks, the cases and the record are there and verify.
func TestFixturesOpen(t *testing.T) {
	fixtures, _ := filepath.Glob("testdata/schema-v*.db")
	if len(fixtures) == 0 {
		t.Fatal("no fixture files in testdata")
	}
	for _, fx := range fixtures {
		t.Run(filepath.Base(fx), func(t *testing.T) {
			data, err := os.ReadFile(fx)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o600); err != nil {
				t.Fatal(err)
			}
			db := openTest(t, dir)
			s, err := db.Unlock("L001", "leader-pass")
			if err != nil {
				t.Fatal(err)
			}
			cases, err := s.Cases(CaseFilter{})
			if err != nil || len(cases) != 2 || cases[0].Status != StatusCompleted {
				t.Fatalf("cases %+v, %v", cases, err)
			}
			if problems, err := s.Verify(); err != nil || len(problems) != 0 {
				t.Fatalf("verify %v %v", problems, err)
			}
			// The user of an older file has their own keys now, and what they write
			// from now on is signed with them.
			if s.own == nil {
				t.Fatal("no signing key after the migration")
			}
			r, err := s.StartRecord(cases[1].ID, "person-2021", "2021.1")
			if err != nil {
				t.Fatal(err)
			}
			audit, _ := s.Audit(r.ID)
			if last := audit[len(audit)-1]; !ed25519.Verify(s.own.Card().Verify, record.AuditMessage(r.ID, last.Hash), last.Sig) {
				t.Error("a new entry is not signed with the user's key")
			}
			if problems, err := s.Verify(); err != nil || len(problems) != 0 {
				t.Fatalf("verify after a signed entry: %v %v", problems, err)
			}
			var version uint64
			if err := db.bolt.View(func(tx *bolt.Tx) error {
				version = fromU64(tx.Bucket(bucketMeta).Get(keySchema))
				return nil
			}); err != nil || version != SchemaVersion() {
				t.Fatalf("schema %d after open, want %d (%v)", version, SchemaVersion(), err)
			}
			// The kept cards moved to their keyed names at the unlock: the same cards,
			// and no bbolt key says whose they are.
			cards, err := s.Cards()
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"L001": "王组长"}
			if fx >= "testdata/schema-v5" {
				want[fixtureMate.Code] = fixtureMate.Name
			}
			got := map[string]string{}
			for _, c := range cards {
				got[c.Code] = c.Name
			}
			if len(got) != len(want) || got["L001"] != want["L001"] || got[fixtureMate.Code] != want[fixtureMate.Code] {
				t.Errorf("cards after the migration %v, want %v", got, want)
			}
			if err := db.bolt.View(func(tx *bolt.Tx) error {
				if tx.Bucket(bucketPlainCards) != nil {
					t.Error("the cards under their codes are still there")
				}
				return tx.Bucket(bucketCards).ForEach(func(k, _ []byte) error {
					if bytes.Contains(k, []byte("L001")) || bytes.Contains(k, []byte(fixtureMate.Code)) {
						t.Errorf("a card is kept under %q", k)
					}
					return nil
				})
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
