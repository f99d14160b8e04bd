// Package localstoretest opens data files for the tests of the packages that stand on
// localstore. It must never be imported by a program: its key derivation is cheap, so
// its passphrases protect nothing.
package localstoretest

import (
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
)

// KDF derives keys in microseconds, not the second DefaultKDF takes: a test unlocks
// many times.
var KDF = localstore.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

// Open opens a new data file in a folder of the test's own, with KDF; it is closed when
// the test ends.
func Open(t testing.TB) *localstore.DB {
	t.Helper()
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: KDF})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
