package boltstore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// readable is which of secrets the raw bytes show, as UTF-8 (and so as JSON's
// strings, which the store writes unescaped).
func readable(raw []byte, secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			out = append(out, s)
		}
	}
	return out
}

// TestNoPlaintextOnDisk: after a survey's records, a duplicate interview and a roster,
// the data file shows no name, ID number or certificate number.
func TestNoPlaintextOnDisk(t *testing.T) {
	dir := t.TempDir()
	sealer := seal.New(seal.NewKey())
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(dir, boltstore.Options{Now: now, Sealer: sealer})
		}
	}, nil)
	secrets := storetest.Personal(t, d)
	d.Stop()
	raw, err := os.ReadFile(filepath.Join(dir, boltstore.File))
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets) < 8 {
		t.Fatalf("only %d personal strings to look for", len(secrets))
	}
	if found := readable(raw, secrets); len(found) > 0 {
		t.Errorf("the data file shows %d of %d personal strings, e.g. %q", len(found), len(secrets), found[0])
	}
	// The same district without a key shows them: the test can fail.
	plainDir := t.TempDir()
	p := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(plainDir, boltstore.Options{Now: now})
		}
	}, nil)
	storetest.Personal(t, p)
	p.Stop()
	raw, _ = os.ReadFile(filepath.Join(plainDir, boltstore.File))
	if len(readable(raw, []string{storetest.KnownPerson.Name, storetest.KnownPerson.IDNumber})) != 2 {
		t.Error("a plain file does not show the roster's person: the search is blind")
	}
}

// TestKeyRefusals: an encrypted file opened without its key, or with another, is
// refused with a sentence, and left as it was.
func TestKeyRefusals(t *testing.T) {
	dir := t.TempDir()
	sealer := seal.New(seal.NewKey())
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	path := filepath.Join(dir, boltstore.File)
	before, _ := os.ReadFile(path)
	_, err = boltstore.Open(dir, boltstore.Options{})
	if !errors.Is(err, seal.ErrNoKey) || !strings.Contains(err.Error(), "encrypted and no data key was given") {
		t.Errorf("no key: %v", err)
	}
	other := seal.New(seal.NewKey())
	_, err = boltstore.Open(dir, boltstore.Options{Sealer: other})
	if !errors.Is(err, seal.ErrWrongKey) || !strings.Contains(err.Error(), sealer.CheckID()) || !strings.Contains(err.Error(), other.CheckID()) {
		t.Errorf("wrong key: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused open changed the file")
	}
	if st, err := boltstore.Open(dir, boltstore.Options{Sealer: sealer}); err != nil {
		t.Errorf("the right key: %v", err)
	} else {
		st.Close()
	}
}

// TestMovedValueRefused: a sealed value copied over another record's (an insider with
// the file but not the key, swapping two persons' rows) is refused, not shown as the
// other's.
func TestMovedValueRefused(t *testing.T) {
	dir := t.TempDir()
	sealer := seal.New(seal.NewKey())
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(dir, boltstore.Options{Now: now, Sealer: sealer})
		}
	}, nil)
	storetest.Personal(t, d)
	d.Stop()
	db, err := bolt.Open(filepath.Join(dir, boltstore.File), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("rows"))
		c := b.Cursor()
		_, v1 := c.First()
		k2, _ := c.Next()
		return b.Put(bytes.Clone(k2), bytes.Clone(v1)) // row 1's value at row 2's key
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, _, err = st.Records(context.Background(), store.RecordFilter{All: true})
	if !errors.Is(err, seal.ErrOpen) {
		t.Errorf("a row moved to another key: %v, want seal.ErrOpen", err)
	}
}

// TestFirstServerFileSealed: the first server's file, opened with a key, is migrated
// and sealed in place, and then shows none of its persons — not even in the pages its
// plain values were on.
func TestFirstServerFileSealed(t *testing.T) {
	st, _, _ := openFixture(t, "v1-server") // sealed, as doorstep-server opens it
	var secrets []string
	err := st.Export(context.Background(), store.RecordFilter{All: true}, func(s store.StoredRevision) error {
		secrets = append(secrets, s.Case.Name, s.Case.Subject)
		return nil
	})
	if err != nil || len(secrets) == 0 {
		t.Fatalf("export: %v", err)
	}
	path := st.Path()
	st.Close()
	raw, _ := os.ReadFile(path)
	if found := readable(raw, secrets); len(found) > 0 {
		t.Errorf("the sealed file still shows %q", found)
	}
	plain, _ := os.ReadFile(filepath.Join("testdata", "v1-server.db"))
	if len(readable(plain, secrets)) == 0 {
		t.Error("the fixture shows none of its persons: the search is blind")
	}
}

// TestSealingResumes: sealing a plain file stopped after every step goes on where it
// stopped, under the same key only, and ends with the same records.
func TestSealingResumes(t *testing.T) {
	dir := t.TempDir()
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(dir, boltstore.Options{Now: now})
		}
	}, nil)
	storetest.Personal(t, d)
	want := d.Rows(store.RecordFilter{All: true})
	d.Stop()
	sealer := seal.New(seal.NewKey())
	steps := 0
	for {
		done, err := boltstore.SealStep(dir, sealer, 7)
		if err != nil {
			t.Fatal(err)
		}
		steps++
		if done {
			break
		}
		if steps == 3 {
			if _, err := boltstore.Open(dir, boltstore.Options{Sealer: seal.New(seal.NewKey())}); !errors.Is(err, seal.ErrWrongKey) {
				t.Errorf("another key halfway: %v", err)
			}
			if _, err := boltstore.Open(dir, boltstore.Options{}); !errors.Is(err, seal.ErrNoKey) {
				t.Errorf("no key halfway: %v", err)
			}
		}
	}
	if steps < 5 {
		t.Errorf("sealed in %d steps: the test interrupts nothing", steps)
	}
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, _, err := st.Records(context.Background(), store.RecordFilter{All: true})
	if err != nil || len(got) != len(want) {
		t.Fatalf("%d rows after sealing, want %d (%v)", len(got), len(want), err)
	}
	for i := range got {
		if got[i].Name != want[i].Name || got[i].Subject != want[i].Subject || got[i].Duplicate != want[i].Duplicate {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if rows, _, _ := st.Records(context.Background(), store.RecordFilter{Subject: want[0].Subject, All: true}); len(rows) == 0 {
		t.Error("the subject index finds nothing after sealing")
	}
	if groups, _ := st.Duplicates(context.Background(), true); len(groups) == 0 || groups[0].Subject == "" {
		t.Errorf("duplicate interviews after sealing: %+v", groups)
	}
	// The plain file was of this program's schema: sealed, it keeps it.
	if bySeq, byRecord, schema := st.RevisionKeys(); bySeq != len(want) || byRecord != 0 || schema != boltstore.SchemaVersion() {
		t.Errorf("after sealing: %d revisions by log position, %d by record, schema %d", bySeq, byRecord, schema)
	}
	n := 0
	if err := st.Export(context.Background(), store.RecordFilter{All: true}, func(store.StoredRevision) error { n++; return nil }); err != nil || n != len(want) {
		t.Errorf("exported %d revisions after sealing, want %d (%v)", n, len(want), err)
	}
}

// TestPlainFileSealedAtOpen: a plain file of this program's schema, opened with a key,
// is sealed at open and keeps its schema: the steps after sealing that run again do
// not take it back, nor leave a step of its own transactions undone.
func TestPlainFileSealedAtOpen(t *testing.T) {
	dir := t.TempDir()
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(dir, boltstore.Options{Now: now})
		}
	}, nil)
	storetest.Personal(t, d)
	want := d.Rows(store.RecordFilter{All: true})
	d.Stop()
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: seal.New(seal.NewKey())})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if bySeq, byRecord, schema := st.RevisionKeys(); bySeq != len(want) || byRecord != 0 || schema != boltstore.SchemaVersion() {
		t.Errorf("sealed at open: %d revisions by log position, %d by record, schema %d", bySeq, byRecord, schema)
	}
}
