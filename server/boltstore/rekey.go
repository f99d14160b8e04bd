package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Schema 8 keys revisions/ by the revision's position in the log, u64(seq), where
// schema 7 and before keyed it by record id "/" u64(revision). Record ids are random
// (16 random bytes from each laptop), so every revision stored landed at a random
// place in the file's largest bucket: pages split half empty (608 MB at 200 000
// records with random ids, 65 % used; 398 MB, 98 %, once appended), a random leaf of
// 2 KB values rewritten for each record, and those leaves mapped in all over the
// file. Keyed by seq, storing appends at the bucket's end; revseq/ (record id "/"
// revision → seq, a few bytes a revision) is what stays keyed at random.
//
// Rekeying runs in steps of rekeyChunk log entries, each its own transaction with its
// progress in meta/rekey (the last log position done): a district's file of a million
// revisions moves without holding it all in one transaction, and a move interrupted
// goes on where it stopped at the next open. Each value is opened under its old key
// and sealed under its new one (a sealed value is bound to its key). Measured on a
// sealed file of schema 6 with 200 000 records of random ids (1 494 MB): 19 s, the
// server's memory at most 187 MB (steps of 2 000: 13 s, but 500 MB). The places the
// revisions left are free pages the file keeps (bbolt never gives them back): what is
// stored next fills them before the file grows. The file is not compacted here: bbolt's
// Compact maps both files whole (1.5 GB resident for that file).

var keyRekey = []byte("rekey")

// rekeyChunk is how many revisions one step moves (a variable for the test that stops
// after a step).
var rekeyChunk = 500

// rekeyRevisions is the step to schema (a derived step of its own transactions).
func (s *Store) rekeyRevisions(schema uint64) error {
	for {
		done, err := s.rekeySome(schema)
		if err != nil {
			return err
		}
		s.db.View(func(tx *bolt.Tx) error { // the pages a step read, given back
			ReleaseMapped(tx)
			return nil
		})
		if done {
			return nil
		}
	}
}

// rekeySome moves up to rekeyChunk revisions, in log order (so that they append), and
// notes how far it got; at the end it sets the schema.
func (s *Store) rekeySome(schema uint64) (done bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta, revs := tx.Bucket(bktMeta), tx.Bucket(bktRevisions)
		type move struct{ old, seq []byte }
		var todo []move
		var last []byte
		c := tx.Bucket(bktLog).Cursor()
		k, v := c.First()
		if after := meta.Get(keyRekey); after != nil {
			if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(todo) < rekeyChunk; k, v = c.Next() {
			last = bytes.Clone(k)
			var e logEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("log entry %d: %w", fromU64(k), err)
			}
			if e.Kind == kindRevision {
				todo = append(todo, move{revKey(e.Key, e.Revision), last})
			}
		}
		if k == nil { // and any revision the log does not name, by its row
			done = true
			rc := revs.Cursor()
			for rk, _ := rc.Seek([]byte{1}); rk != nil; rk, _ = rc.Next() { // past every u64(seq) below 2⁵⁶
				if len(rk) == 8 {
					continue
				}
				seq := tx.Bucket(bktRevSeq).Get(rk)
				if len(seq) != 8 {
					return fmt.Errorf("revision %q has no place in the log", rk)
				}
				todo = append(todo, move{bytes.Clone(rk), bytes.Clone(seq)})
			}
		}
		// Written after the walks: no writes through a cursor.
		revs.FillPercent = appendFill
		for _, m := range todo {
			old := revs.Get(m.old)
			if old == nil {
				continue // moved already
			}
			if revs.Get(m.seq) == nil { // else schema 2's migration stored it there
				plain, err := s.c.open(bktRevisions, m.old, old)
				if err != nil {
					return err
				}
				if err := revs.Put(m.seq, s.c.seal(bktRevisions, m.seq, bytes.Clone(plain))); err != nil {
					return err
				}
			}
			if err := revs.Delete(m.old); err != nil {
				return err
			}
		}
		if done {
			if err := meta.Delete(keyRekey); err != nil {
				return err
			}
			return meta.Put(keySchema, u64(schema))
		}
		return meta.Put(keyRekey, last)
	})
	return done, err
}
