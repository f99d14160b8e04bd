package boltstore

import "syscall"

// releaseMapped is madvise(MADV_DONTNEED) over the map's first size bytes. Why this is
// safe on bbolt's map: it is a shared, read-only map of a file (bbolt writes with
// pwrite, never through the map), so no page in it is dirty or private; MADV_DONTNEED
// only removes the process's mappings of the pages, and the next access maps the
// file's page again, the same bytes, from the page cache (a minor fault), or reads
// it from disk. Nothing can be lost or read differently. The range is the map's:
// size is the file's size as the transaction sees it, and bbolt maps at least that.
func releaseMapped(data, size uintptr) bool {
	if data == 0 || size == 0 {
		return false
	}
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, data, size, syscall.MADV_DONTNEED)
	return errno == 0
}
