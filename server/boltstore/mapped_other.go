//go:build !linux

package boltstore

// releaseMapped does nothing where madvise's MADV_DONTNEED is not at hand: the pages
// stay mapped until bbolt replaces the map.
func releaseMapped(data, size uintptr) bool { return false }
