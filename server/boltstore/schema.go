package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/store"
)

// migration brings a file from schema i to i+1 (its index in migrations + 1).
type migration struct {
	name string
	run  func(tx *bolt.Tx, att *attachments.Dir) error
}

// migrations run in order, all in one transaction, at Open: a file made by every
// released version must still open (testdata/v1-server.db is the first server's,
// written before the schema had a number; testdata/v6-server.db and v6-records.db
// files of schema 6). Closed: sealing (schema 5) and the derived steps follow these, so
// a step appended here would take number 5 and every file already past it would skip
// it. A new step goes at the end of derived.
var migrations = []migration{
	{"the first server's buckets", func(tx *bolt.Tx, _ *attachments.Dir) error {
		return create(tx, bktMeta, bktEnroll, bktTokens, bktUsers, bktRevisions, bktLatestV1, bktLog, bktRoster, bktAttachV1, bktPartialV1)
	}},
	{"indexes, compact rows, duplicate interviews, photos as files", migrateIndexes},
	{"records held for the district's review", func(tx *bolt.Tx, _ *attachments.Dir) error { return create(tx, bktReview) }},
	{"the log by enumerator", migrateUserLog},
}

// derived are the steps after sealing, in order from schema 6: each builds buckets
// derived from others, read through the file's key, in a transaction of its own that
// sets the schema it brings the file to. After a sealing they all run again: what
// they read has just been sealed. A step too big for one transaction gives steps
// instead of run: it runs in transactions of its own, sets the schema itself when it
// is done, goes on where it stopped if interrupted, and does not run again after a
// sealing (it moves values as they are). A new step is appended here.
var derived = []struct {
	name  string
	run   func(s *Store, tx *bolt.Tx) error
	steps func(s *Store, schema uint64) error
}{
	{"the count of open held records by sender", (*Store).countOpenHeld, nil},               // 6
	{"the revisions of the review queue the district has not decided", indexOpenQueue, nil}, // 7
	{"the stored revisions keyed by log position", nil, (*Store).rekeyRevisions},            // 8
	{"the records' states keyed by log position", nil, (*Store).moveStates},                 // 9
	{"the log and rows by village keyed by period first", nil, (*Store).movePeriods},        // 10
	{"a person's records keyed compactly", nil, (*Store).movePersons},                       // 11
}

// SchemaVersion is the version this program writes: the migrations above, then
// sealing (sealing.go), which runs in steps of its own transactions, then derived.
func SchemaVersion() uint64 { return sealedSchema() + uint64(len(derived)) }

// sealedSchema is the schema sealing brings a file to (5).
func sealedSchema() uint64 { return uint64(len(migrations)) + 1 }

func create(tx *bolt.Tx, names ...[]byte) error {
	for _, b := range names {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) migrate(att *attachments.Dir) error { return s.migrateTo(att, SchemaVersion()) }

// migrateTo brings the file to schema upTo (an upgrade stopped there, for tests of the
// steps after it).
func (s *Store) migrateTo(att *attachments.Dir, upTo uint64) error {
	var have uint64
	var seal bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bktMeta)
		if err != nil {
			return err
		}
		have = fromU64(meta.Get(keySchema))
		if have > SchemaVersion() {
			return fmt.Errorf("%w (file schema %d, this program %d): run the newer doorstep-server; the file has not been changed", ErrNewerSchema, have, SchemaVersion())
		}
		if seal, err = s.checkKey(meta, have); err != nil {
			return err
		}
		for v := have; v < uint64(len(migrations)); v++ {
			if err := migrations[v].run(tx, att); err != nil {
				return fmt.Errorf("migrate the data file to schema %d (%s): %w", v+1, migrations[v].name, err)
			}
		}
		for _, k := range []string{"server_id", "epoch"} {
			if meta.Get([]byte(k)) == nil {
				if err := meta.Put([]byte(k), []byte(randomHex(8))); err != nil {
					return err
				}
			}
		}
		s.serverID, s.epoch = string(meta.Get([]byte("server_id"))), string(meta.Get([]byte("epoch")))
		if have >= uint64(len(migrations)) {
			return nil
		}
		return meta.Put(keySchema, u64(uint64(len(migrations))))
	})
	if err != nil {
		return err
	}
	if seal || have < sealedSchema() {
		if err := s.sealFile(); err != nil {
			return err
		}
	}
	for i, step := range derived {
		v := sealedSchema() + uint64(i) + 1
		if v > upTo {
			break
		}
		if have >= v && (!seal || step.steps != nil) {
			continue
		}
		if step.steps != nil {
			if err := step.steps(s, v); err != nil {
				return fmt.Errorf("migrate the data file to schema %d (%s; it goes on where it stopped at the next start): %w", v, step.name, err)
			}
			continue
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			if err := step.run(s, tx); err != nil {
				return err
			}
			meta := tx.Bucket(bktMeta)
			if fromU64(meta.Get(keySchema)) >= v {
				return nil // run again after a sealing: the file keeps its later schema
			}
			return meta.Put(keySchema, u64(v))
		})
		if err != nil {
			return fmt.Errorf("migrate the data file to schema %d (%s): %w", v, step.name, err)
		}
	}
	return nil
}

// migrateIndexes rebuilds schema 1's log as schema 2's: every stored revision gets its
// compact row and index entries in log order, the log entries say what they are, the
// records of one person are found, and the photos move to the attachments folder.
// Partial uploads are dropped: their owner is unknown, and the laptop starts again.
func migrateIndexes(tx *bolt.Tx, att *attachments.Dir) error {
	if err := create(tx, bktVLogP, bktRows, bktRevSeq, bktIdxP, bktStates, bktHeads, bktPeople, bktDups, bktWithdrawn, bktRosterLog); err != nil {
		return err
	}
	// The old log's values are keys (a revision's, or "roster\x00"+subject); rewrite
	// them in place, collecting first (no writes through a cursor).
	type old struct {
		seq uint64
		val []byte
	}
	var entries []old
	err := tx.Bucket(bktLog).ForEach(func(k, v []byte) error {
		entries = append(entries, old{fromU64(k), bytes.Clone(v)})
		return nil
	})
	if err != nil {
		return err
	}
	w := writer{tx: tx}
	for _, e := range entries {
		if subject, ok := strings.CutPrefix(string(e.val), "roster\x00"); ok {
			var row struct{ Village string }
			if err := json.Unmarshal(tx.Bucket(bktRoster).Get([]byte(subject)), &row); err != nil {
				return fmt.Errorf("roster case in the log: %w", err)
			}
			if err := w.log(e.seq, logEntry{Kind: kindRoster, Key: subject, Village: row.Village}); err != nil {
				return err
			}
			continue
		}
		var st store.StoredRevision
		if err := json.Unmarshal(tx.Bucket(bktRevisions).Get(e.val), &st); err != nil {
			return fmt.Errorf("revision %q in the log: %w", e.val, err)
		}
		var others []string // a record new to the log: a second record of its person?
		if recordKey(tx, st.Revision.Record.ID) == nil {
			others = othersOf(tx, store.PersonKey(st.Case.Subject, st.Revision.Record.FormID), st.Revision.Record.ID)
		}
		if _, err := w.revision(e.seq, st, nil, others, ""); err != nil {
			return err
		}
	}
	// Photos: whole ones become files; partial ones are dropped.
	if b := tx.Bucket(bktAttachV1); b != nil {
		err := b.ForEach(func(k, v []byte) error { return att.Put(string(k), v) })
		if err != nil {
			return fmt.Errorf("move photos to %s: %w", "the attachments folder", err)
		}
	}
	for _, b := range [][]byte{bktAttachV1, bktPartialV1, bktLatestV1} {
		if tx.Bucket(b) != nil {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateUserLog files every log entry in ulog/ as writer.log does from schema 4 on.
func migrateUserLog(tx *bolt.Tx, _ *attachments.Dir) error {
	if err := create(tx, bktULog); err != nil {
		return err
	}
	type entry struct {
		seq  uint64
		e    logEntry
		data []byte
	}
	var entries []entry // collected first: no writes while a cursor walks
	err := tx.Bucket(bktLog).ForEach(func(k, v []byte) error {
		var e logEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("log entry %d: %w", fromU64(k), err)
		}
		entries = append(entries, entry{fromU64(k), e, bytes.Clone(v)})
		return nil
	})
	if err != nil {
		return err
	}
	w := writer{tx: tx}
	for _, e := range entries {
		if err := w.userLog(e.seq, e.e, e.data); err != nil {
			return err
		}
	}
	return nil
}
