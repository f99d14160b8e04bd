package boltstore

import (
	"bytes"
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

// rekeyChunk is how many log entries one step reads (a variable for the test that
// stops after a step).
var rekeyChunk = 500

// rekeyRevisions is the step to schema (a derived step of its own transactions).
func (s *Store) rekeyRevisions(schema uint64) error {
	return s.inLogSteps(schema, keyRekey, rekeyChunk, s.rekey)
}

// rekey moves the revisions the log names at revs, in log order (so that they append);
// at the end, any revision the log does not name, by its row.
func (s *Store) rekey(tx *bolt.Tx, revs []logged, end bool) error {
	bucket := tx.Bucket(bktRevisions)
	type move struct{ old, seq []byte }
	var todo []move
	for _, l := range revs {
		todo = append(todo, move{revKey(l.e.Key, l.e.Revision), l.seq})
	}
	if end {
		rc := bucket.Cursor()
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
	// Written after the walk: no writes through a cursor.
	bucket.FillPercent = appendFill
	for _, m := range todo {
		old := bucket.Get(m.old)
		if old == nil {
			continue // moved already
		}
		if bucket.Get(m.seq) == nil { // else schema 2's migration stored it there
			plain, err := s.c.open(bktRevisions, m.old, old)
			if err != nil {
				return err
			}
			if err := bucket.Put(m.seq, s.c.seal(bktRevisions, m.seq, bytes.Clone(plain))); err != nil {
				return err
			}
		}
		if err := bucket.Delete(m.old); err != nil {
			return err
		}
	}
	return nil
}
