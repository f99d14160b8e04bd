package localstore

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// migration brings a file from schema version i to i+1 (its index in migrations + 1).
type migration struct {
	name string
	run  func(tx *bolt.Tx, now time.Time) error
}

// migrations run in order, all in one transaction, at Open. Append only: a file made by
// every released version must still open (testdata holds one of each).
var migrations = []migration{
	{"create the buckets", func(tx *bolt.Tx, _ time.Time) error {
		for _, b := range [][]byte{bucketUsers, bucketCases, bucketRecords, bucketRecordIndex, bucketAudit, bucketAttachments, bucketOutbox} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	{"keys and key cards for bundles", func(tx *bolt.Tx, _ time.Time) error {
		for _, b := range [][]byte{bucketBundleKeys, bucketPlainCards} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	{"sync state and refused revisions", func(tx *bolt.Tx, _ time.Time) error {
		for _, b := range [][]byte{bucketSync, bucketRejected} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	{"where each draft was paused", func(tx *bolt.Tx, _ time.Time) error {
		_, err := tx.CreateBucketIfNotExists(bucketPlaces)
		return err
	}},
	{"signed audit entries", func(tx *bolt.Tx, now time.Time) error {
		// Each user's keys move under their passphrase at their next unlock (it is
		// needed to wrap them); here the file only notes from when every audit entry
		// must be signed: entries written before by an older Doorstep carry none.
		return tx.Bucket(bucketMeta).Put(keySignedSince, []byte(now.UTC().Format(time.RFC3339Nano)))
	}},
	{"key cards under keyed names", func(tx *bolt.Tx, _ time.Time) error {
		// The cards themselves were sealed, but their bbolt keys said whose card and
		// which signing key. They move under a keyed hash at the next unlock (the data
		// key is needed: moveCards); a file that keeps none loses the old bucket now.
		if _, err := tx.CreateBucketIfNotExists(bucketCards); err != nil {
			return err
		}
		if k, _ := tx.Bucket(bucketPlainCards).Cursor().First(); k == nil {
			return tx.DeleteBucket(bucketPlainCards)
		}
		return nil
	}},
}

// maxSchemaAhead is how far ahead of this program a newer one's schema can plausibly
// be; a file that claims more was damaged, and is told to be restored rather than
// opened with a newer program.
const maxSchemaAhead = 1000

// SchemaVersion is the version this program writes.
func SchemaVersion() uint64 { return uint64(len(migrations)) }

func (db *DB) migrate() error {
	return db.update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		raw := meta.Get(keySchema)
		have := fromU64(raw)
		switch {
		case raw != nil && len(raw) != 8, have > SchemaVersion()+maxSchemaAhead:
			// Not a number any Doorstep wrote: damage, not a newer program.
			return fmt.Errorf("%w: meta/schema is %x", ErrCorrupt, raw)
		case have > SchemaVersion():
			return fmt.Errorf("%w (file schema %d, this program %d): use the newer program; the file has not been changed", ErrNewerSchema, have, SchemaVersion())
		}
		for v := have; v < SchemaVersion(); v++ {
			if err := migrations[v].run(tx, db.opts.Now()); err != nil {
				return fmt.Errorf("migrate data file to schema %d (%s): %w", v+1, migrations[v].name, err)
			}
		}
		if have == SchemaVersion() {
			return nil
		}
		return meta.Put(keySchema, u64(SchemaVersion()))
	})
}
