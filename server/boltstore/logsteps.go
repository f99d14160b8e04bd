package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// logged is a revision's entry of the log, at its position (u64).
type logged struct {
	seq []byte
	e   logEntry
}

// inLogSteps runs an upgrade that walks the log (rekey.go, states.go) in steps of
// chunk log entries, each step its own transaction, so that a file of a million
// records moves without holding it all in one, and a move interrupted goes on where it
// stopped at the next open: a step reads the entries after the position kept at
// meta/progress, hands apply those of revisions (end: the log's end was reached, and
// apply finishes what the log did not lead to), and keeps the position reached; the
// last drops it and sets the schema. The pages a step read are given back before the
// next.
func (s *Store) inLogSteps(schema uint64, progress []byte, chunk int, apply func(tx *bolt.Tx, revs []logged, end bool) error) error {
	return s.untilDone(func() (bool, error) { return s.logStep(schema, progress, chunk, apply) })
}

// untilDone runs step, an upgrade's step in a transaction of its own, until it says the
// upgrade is done, and gives back the pages of the file each step mapped in before the
// next: an upgrade walks the whole file.
func (s *Store) untilDone(step func() (done bool, err error)) error {
	for {
		done, err := step()
		if err != nil {
			return err
		}
		s.db.View(func(tx *bolt.Tx) error {
			ReleaseMapped(tx)
			return nil
		})
		if done {
			return nil
		}
	}
}

// logStep is one step of inLogSteps.
func (s *Store) logStep(schema uint64, progress []byte, chunk int, apply func(tx *bolt.Tx, revs []logged, end bool) error) (done bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		var revs []logged
		var last []byte
		c := tx.Bucket(bktLog).Cursor()
		k, v := c.First()
		if after := meta.Get(progress); after != nil {
			if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for n := 0; k != nil && n < chunk; k, v = c.Next() {
			n++
			last = bytes.Clone(k)
			var e logEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("log entry %d: %w", fromU64(k), err)
			}
			if e.Kind == kindRevision {
				revs = append(revs, logged{last, e})
			}
		}
		done = k == nil
		// After the walk: no writes through a cursor.
		if err := apply(tx, revs, done); err != nil {
			return err
		}
		if done {
			if err := meta.Delete(progress); err != nil {
				return err
			}
			return meta.Put(keySchema, u64(schema))
		}
		return meta.Put(progress, last)
	})
	return done, err
}
