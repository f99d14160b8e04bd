package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
)

// TestDamagedFileCommands: random damage to the data file never ends verify, cases
// list or records export in a Go stack trace (a panic here would end the test
// binary); a command that fails says to restore from a backup, or that the
// passphrase does not open the file, and verify names a record it cannot read.
func TestDamagedFileCommands(t *testing.T) {
	dir := laptop(t, "3")
	good, err := os.ReadFile(filepath.Join(dir, localstore.FileName))
	if err != nil {
		t.Fatal(err)
	}
	// Each command unlocks with the real KDF (0.3 s): a few seeds here, 150 in
	// localstore's TestDamagedFileNeverPanics.
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	named := 0
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 1515))
		data := append([]byte(nil), good...)
		for range 1 + rng.IntN(8) {
			at := rng.IntN(len(data))
			for i := range 1 + rng.IntN(16) {
				if at+i < len(data) {
					data[at+i] = byte(rng.UintN(256))
				}
			}
		}
		damaged := t.TempDir()
		if err := os.WriteFile(filepath.Join(damaged, localstore.FileName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"verify"}, {"cases", "list"}, {"records", "export", "--json"}} {
			code, out, errOut := runIn(t, as(damaged, "E001"), "", args...)
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Fatalf("seed %d, %v: a stack trace:\n%s", seed, args, errOut)
			}
			if args[0] == "verify" && strings.Contains(out, "damaged") {
				named++
			}
			if code == 0 || args[0] == "verify" && code == 1 && errOut == "" {
				continue
			}
			if !strings.Contains(errOut, "doorstep backup") && !strings.Contains(errOut, "passphrase") {
				t.Errorf("seed %d, %v: exit %d without the way back:\n%s%s", seed, args, code, out, errOut)
			}
		}
	}
	t.Logf("%d of %d damaged files: verify named a damaged record", named, seeds)
}
