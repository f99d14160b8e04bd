package boltstore

import bolt "go.etcd.io/bbolt"

// ReleaseMapped gives back the pages of the data file that a read has mapped into the
// process, where the system can (Linux; elsewhere it does nothing), and says whether it
// did. bbolt reads the file through a memory map: every page a read touches stays
// resident in the process, counted in its RSS, until the map is replaced — an export
// of a million records, or doorstep-server migrate, would end with the whole file,
// gigabytes, resident. A read that walks far calls this every so often (after some
// thousand records), so the server stays in flat memory however big the file.
//
// tx must be a read transaction of the caller's: while it is open bbolt cannot replace
// the map (its remap waits for every read transaction), so the range given back is
// this file's map and nothing else. Values read from tx before the call stay valid:
// the pages are the file's, unchanged, and come back from the page cache when touched
// again.
func ReleaseMapped(tx *bolt.Tx) bool {
	if tx.Writable() {
		return false // a write transaction may grow the file and replace the map as it commits
	}
	return releaseMapped(tx.DB().Info().Data, uintptr(tx.Size()))
}
