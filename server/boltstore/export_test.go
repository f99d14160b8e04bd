package boltstore

import (
	"bytes"
	"fmt"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

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
