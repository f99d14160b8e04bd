package boltstore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/seal"
)

// SealStep runs one step of sealing the file in dir (of n entries) as Open would, and
// stops: an interrupted sealing, for the test that resumes it.
func SealStep(dir string, sealer *seal.Sealer, n int) (done bool, err error) {
	old := sealChunk
	sealChunk = n
	defer func() { sealChunk = old }()
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, nil)
	if err != nil {
		return false, err
	}
	defer db.Close()
	s := &Store{db: db, c: codec{sealer}}
	var start bool
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		start, err = s.checkKey(meta, fromU64(meta.Get(keySchema)))
		return err
	})
	if err != nil || !start {
		return !start, err
	}
	return s.sealSome()
}

// OpenHeldOf is reviewopen/'s count for the sender.
func (s *Store) OpenHeldOf(sender string) (n int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		n, err = openHeld(tx, s.c, sender)
		return err
	})
	return n, err
}

// BackToSchema5 makes the file in dir one of schema 5, before reviewopen/ and reviewq/ were kept.
func BackToSchema5(dir string) error {
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bktOpenHeld); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bktQueue); err != nil {
			return err
		}
		return tx.Bucket(bktMeta).Put(keySchema, u64(5))
	})
}

// AsSchema6Heads rewrites the records of the plain file in dir as schema 6 kept them:
// every hash of the latest chain in heads/, none in their states (records/ then).
func AsSchema6Heads(dir string) error {
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		type rec struct{ k, v []byte }
		var recs []rec // collected first: no writes while a cursor walks
		tx.Bucket(bktStates).ForEach(func(k, v []byte) error {
			recs = append(recs, rec{bytes.Clone(k), bytes.Clone(v)})
			return nil
		})
		for _, r := range recs {
			var m map[string]any
			if err := json.Unmarshal(r.v, &m); err != nil {
				return err
			}
			st, err := decodeStored(tx.Bucket(bktRevisions).Get(u64(uint64(m["seq"].(float64)))))
			if err != nil {
				return err
			}
			var heads []byte
			for _, h := range record.Heads(st.Revision.Audit) {
				b, _ := hex.DecodeString(h)
				heads = append(heads, b...)
			}
			delete(m, "chain")
			delete(m, "head")
			if err := putJSON(tx.Bucket(bktStates), r.k, m); err != nil {
				return err
			}
			if err := tx.Bucket(bktHeads).Put([]byte(st.Revision.Record.ID), heads); err != nil {
				return err
			}
		}
		return nil
	})
}

// DamageHeld overwrites what review/ holds of each revision of a record with bytes no
// key opens: a read of it fails, so a listing that succeeds did not read it.
func (s *Store) DamageHeld(recordID string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		prefix := []byte(recordID + "/")
		var keys [][]byte
		c := tx.Bucket(bktReview).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		if len(keys) == 0 {
			return fmt.Errorf("%s is not held", recordID)
		}
		for _, k := range keys {
			if err := tx.Bucket(bktReview).Put(k, []byte("damaged")); err != nil {
				return err
			}
		}
		return nil
	})
}

// HeadsKept is how many records have their hashes in heads/ (schema 6's form).
func (s *Store) HeadsKept() (n int) {
	s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bktHeads).Stats().KeyN
		return nil
	})
	return n
}

// RekeyStep runs one step of keying revisions by log position (n log entries) on the
// file in dir, as Open would, and stops: an interrupted upgrade, for the test that
// resumes it.
func RekeyStep(dir string, sealer *seal.Sealer, n int) (done bool, err error) {
	old := rekeyChunk
	rekeyChunk = n
	defer func() { rekeyChunk = old }()
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, nil)
	if err != nil {
		return false, err
	}
	defer db.Close()
	for i, step := range derived {
		if step.steps != nil {
			st := &Store{db: db, c: codec{sealer}}
			return st.logStep(sealedSchema()+uint64(i)+1, keyRekey, rekeyChunk, st.rekey)
		}
	}
	return false, errors.New("no step keys revisions by log position")
}

// RevisionKeys counts the keys of revisions/: by log position (schema 8), and by
// record id and revision (before).
func (s *Store) RevisionKeys() (bySeq, byRecord int, schema uint64) {
	return revisionKeys(s.db)
}

// FileRevisionKeys is RevisionKeys of the file in dir, not opened as a store.
func FileRevisionKeys(dir string) (bySeq, byRecord int, schema uint64, err error) {
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	bySeq, byRecord, schema = revisionKeys(db)
	return bySeq, byRecord, schema, nil
}

func revisionKeys(db *bolt.DB) (bySeq, byRecord int, schema uint64) {
	db.View(func(tx *bolt.Tx) error {
		tx.Bucket(bktRevisions).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				bySeq++
			} else {
				byRecord++
			}
			return nil
		})
		schema = fromU64(tx.Bucket(bktMeta).Get(keySchema))
		return nil
	})
	return
}

// StatesStep runs one step of moving the records' states to states/ (schema 9) on the
// file in dir, of n log entries, as Open would, and stops: an upgrade interrupted.
func StatesStep(dir string, sealer *seal.Sealer, n int) (done bool, err error) {
	old := statesChunk
	statesChunk = n
	defer func() { statesChunk = old }()
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, nil)
	if err != nil {
		return false, err
	}
	defer db.Close()
	st := &Store{db: db, c: codec{sealer}}
	return st.logStep(9, keyStates, statesChunk, st.moveSomeStates)
}

// FileStates counts the records' states of the file in dir: in states/ (schema 9) and
// in records/ (before), and the schema it says it has.
func FileStates(dir string) (states, records int, schema uint64, err error) {
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	states, records, schema = countStates(db)
	return states, records, schema, nil
}

// States is FileStates of the open store.
func (s *Store) States() (states, records int, schema uint64) { return countStates(s.db) }

func countStates(db *bolt.DB) (states, records int, schema uint64) {
	db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bktStates); b != nil {
			states = b.Stats().KeyN
		}
		if b := tx.Bucket(bktRecords); b != nil {
			records = b.Stats().KeyN
		}
		schema = fromU64(tx.Bucket(bktMeta).Get(keySchema))
		return nil
	})
	return
}

// StatesAstray counts the states of states/ that do not say their record's id, or whose
// record revseq/ does not find there.
func (s *Store) StatesAstray() (n int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktStates).ForEach(func(k, v []byte) error {
			var m recordMeta
			if err := s.c.decode(bktStates, k, v, &m); err != nil {
				return err
			}
			if m.ID == "" || !bytes.Equal(recordKey(tx, m.ID), k) {
				n++
			}
			return nil
		})
	})
	return n, err
}

// UpgradeTo brings the file in dir to schema v, as Open would, and stops there.
func UpgradeTo(dir string, sealer *seal.Sealer, v uint64) error {
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	st := &Store{db: db, c: codec{sealer}, now: time.Now}
	return st.migrateTo(nil, v)
}

// PeriodStep runs one step of keying the logs and rows by village by period (schema
// 10), of n entries, on the file in dir, and stops: an upgrade interrupted.
func PeriodStep(dir string, sealer *seal.Sealer, n int) (done bool, err error) {
	old := periodChunk
	periodChunk = n
	defer func() { periodChunk = old }()
	return oneStep(dir, sealer, func(st *Store) (bool, error) { return st.periodStep(10) })
}

// PeopleStep runs one step of keying a person's records compactly (schema 11), of n
// keys, on the file in dir, and stops: an upgrade interrupted.
func PeopleStep(dir string, sealer *seal.Sealer, n int) (done bool, err error) {
	old := peopleChunk
	peopleChunk = n
	defer func() { peopleChunk = old }()
	return oneStep(dir, sealer, func(st *Store) (bool, error) { return st.peopleStep(11) })
}

func oneStep(dir string, sealer *seal.Sealer, step func(*Store) (bool, error)) (bool, error) {
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, nil)
	if err != nil {
		return false, err
	}
	defer db.Close()
	return step(&Store{db: db, c: codec{sealer}})
}

// FileKeys counts the keys of the buckets named of the file in dir (0 for one it
// lacks), and says its schema.
func FileKeys(dir string, buckets ...string) (keys []int, schema uint64, err error) {
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	keys, schema = countKeys(db, buckets)
	return keys, schema, nil
}

// Keys is FileKeys of the open store.
func (s *Store) Keys(buckets ...string) (keys []int, schema uint64) { return countKeys(s.db, buckets) }

func countKeys(db *bolt.DB, buckets []string) (keys []int, schema uint64) {
	keys = make([]int, len(buckets))
	db.View(func(tx *bolt.Tx) error {
		for i, name := range buckets {
			if b := tx.Bucket([]byte(name)); b != nil {
				keys[i] = b.Stats().KeyN
			}
		}
		schema = fromU64(tx.Bucket(bktMeta).Get(keySchema))
		return nil
	})
	return keys, schema
}
