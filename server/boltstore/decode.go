package boltstore

import "github.com/doorstep-survey/doorstep/server/store"

// DecodeRevision reads a value of revisions/ (packed, or schema 1's plain JSON) as the
// stored revision it is: for a program that reads the file without opening it as a
// store (doorstep-server migrate, which moves it to PostgreSQL).
func DecodeRevision(v []byte) (store.StoredRevision, error) { return decodeStored(v) }
