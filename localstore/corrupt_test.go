package localstore

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestDamagedFileNeverPanics: random damage to a data file (bytes overwritten
// anywhere) makes every reading operation return an error a person can be told —
// ErrCorrupt ("restore it from a backup") or a refusal to unlock — never a panic,
// and verify names the damaged record where it can.
func TestDamagedFileNeverPanics(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir)
	s, err := db.Setup(leader, "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	cases := importTest(t, s)
	for _, c := range cases {
		interview(t, s, c.ID)
	}
	db.Close()
	good, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	n := 150
	if testing.Short() {
		n = 30
	}
	for seed := range n {
		rng := rand.New(rand.NewPCG(uint64(seed), 15))
		data := append([]byte(nil), good...)
		for range 1 + rng.IntN(8) {
			at := rng.IntN(len(data))
			for i := range 1 + rng.IntN(16) {
				if at+i < len(data) {
					data[at+i] = byte(rng.UintN(256))
				}
			}
		}
		if err := damagedRun(t, data); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
}

// allowed are the errors a damaged file may give.
func allowed(err error) bool {
	return err == nil || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrWrongPassphrase) ||
		errors.Is(err, ErrNotSetUp) || errors.Is(err, ErrNewerSchema)
}

func damagedRun(t *testing.T, data []byte) (failure error) {
	defer func() {
		if p := recover(); p != nil {
			failure = fmt.Errorf("panic: %v", p)
		}
	}()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o600); err != nil {
		return err
	}
	db, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		if !allowed(err) {
			return fmt.Errorf("open: %w", err)
		}
		return nil
	}
	defer db.Close()
	s, err := db.Unlock("L001", "leader-pass")
	if err != nil {
		if !allowed(err) {
			return fmt.Errorf("unlock: %w", err)
		}
		return nil
	}
	if _, err := s.Cases(CaseFilter{}); !allowed(err) {
		return fmt.Errorf("cases: %w", err)
	}
	recs, err := s.Records()
	if !allowed(err) {
		return fmt.Errorf("records: %w", err)
	}
	for _, r := range recs {
		if _, err := s.Revision(r.ID); !allowed(err) && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("revision: %w", err)
		}
	}
	if _, err := s.Verify(); !allowed(err) {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}
