package localstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The bucket tree. Keys and values:
//
//	meta/
//	  schema            uint64 big-endian: the schema version of the file
//	  signed_since      RFC 3339 time from which every audit entry is signed (schema 4)
//	  data_key          the data key sealed under keys derived from itself, so an
//	                    unlocked leader can wrap it for a new user
//	users/
//	  <user code>       JSON userRecord: role, argon2id salt and parameters, the data key
//	                    and the user's own keys (signing, bundles; schema 4) wrapped
//	                    under this user's passphrase, the public signing key,
//	                    failed-unlock count; name, team and villages sealed
//	cases/
//	  <lookup(cert)>    sealed JSON Case (a roster row and its import history)
//	records/
//	  <record id>       sealed JSON Record (answers, status, signatures, comments)
//	record_index/
//	  <lookup(case+form)> record id
//	audit/
//	  <record id>/      one bucket per record
//	    <seq uint64>    sealed JSON AuditEntry, each hashing the one before
//	attachments/
//	  <sha256>          sealed bytes of a photo
//	outbox/
//	  <seq uint64>      sealed JSON OutboxEntry: a record revision waiting to be sent
//	bundle_keys/        (schema 2; emptied as each user unlocks under schema 4)
//	  <user code>       sealed secret of the user's bundle keys (age identity, Ed25519)
//	bundle_cards/       (schema 2; emptied into key_cards at the first unlock under
//	                    schema 6, then removed)
//	  <code>/<hex key>  sealed key card, under its user's code and signing key in the
//	                    clear (<code> alone before schema 4)
//	key_cards/          (schema 6)
//	  <lookup(card)>    sealed key card of a team member, a user of this laptop or the
//	                    district, trusted for bundles and audit signatures; card is
//	                    "<code>/<hex signing key>", so a card with a new key is another
//	                    entry and one with a corrected name replaces its own
//	sync/               (schema 3)
//	  state             sealed JSON SyncState: server, device token, pin, cursor
//	rejected/           (schema 3)
//	  <seq uint64>      sealed JSON RejectedEntry: an outbox entry the server refused,
//	                    with its reason, kept to be shown and not sent again
//	places/             (schema 4)
//	  <record id>       sealed JSON Place: the question on screen when the draft was
//	                    paused (and the audit chain's length then), where it opens again
//
// "sealed" is AES-256-GCM under the data key with the bucket path and key as associated
// data; lookup() is an HMAC under a key derived from the data key.
var (
	bucketMeta        = []byte("meta")
	bucketUsers       = []byte("users")
	bucketCases       = []byte("cases")
	bucketRecords     = []byte("records")
	bucketRecordIndex = []byte("record_index")
	bucketAudit       = []byte("audit")
	bucketAttachments = []byte("attachments")
	bucketOutbox      = []byte("outbox")
	bucketBundleKeys  = []byte("bundle_keys")
	bucketPlainCards  = []byte("bundle_cards")
	bucketCards       = []byte("key_cards")
	bucketSync        = []byte("sync")
	bucketRejected    = []byte("rejected")
	bucketPlaces      = []byte("places")

	keySchema      = []byte("schema")
	keySignedSince = []byte("signed_since")
	keyDataKey     = []byte("data_key")
)

// FileName is the data file's name inside the data folder. Beside it, tmp/ is the
// scratch folder (scratch.go), emptied at every Open.
const FileName = "doorstep.db"

// Errors a caller turns into a sentence for a person.
var (
	ErrAlreadyOpen = errors.New("the data file is already open in another Doorstep window")
	ErrNewerSchema = errors.New("the data file was written by a newer version of Doorstep")
	ErrCorrupt     = errors.New("the data file is damaged")
	ErrNotSetUp    = errors.New("no user has been set up yet")
)

// Options tune Open; the zero value is right for the program.
type Options struct {
	// LockTimeout is how long to wait for another program to release the file.
	LockTimeout time.Duration
	// KDF is the argon2id cost for new passphrases; zero means DefaultKDF. Tests lower it.
	KDF KDFParams
	// Now is the wall clock, for timestamps and unlock delays; nil means time.Now.
	Now func() time.Time
}

// DB is an open data file. It holds no key: Unlock returns a Session that does.
type DB struct {
	bolt *bolt.DB
	path string
	opts Options
	// kdfTook is the last unlock's key derivation, in nanoseconds (KDFEstimate).
	kdfTook atomic.Int64
}

// Open opens (creating if needed) the data file in dir, migrating an older schema.
func Open(dir string, opts Options) (*DB, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	if opts.KDF == (KDFParams{}) {
		opts.KDF = DefaultKDF
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	bdb, err := openBolt(path, opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	db := &DB{bolt: bdb, path: path, opts: opts}
	if err := db.migrate(); err != nil {
		bdb.Close()
		return nil, err
	}
	if err := db.cleanScratch(); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// openBolt opens the file, turning bbolt's failures into the errors above. bbolt can panic
// on a damaged file; that must become a refusal, not a crash, and the file is not touched.
func openBolt(path string, timeout time.Duration) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w (%s): %v; restore it from a copy made with `doorstep backup`; it has not been changed", ErrCorrupt, path, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w (%s)", ErrAlreadyOpen, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("%w (%s): %v; restore it from a copy made with `doorstep backup`; it has not been changed", ErrCorrupt, path, err)
	case err != nil:
		return nil, fmt.Errorf("open data file %s: %w", path, err)
	}
	return db, nil
}

// Path is the data file's path.
func (db *DB) Path() string { return db.path }

// Close releases the file.
func (db *DB) Close() error { return db.bolt.Close() }

// Backup writes a consistent copy of the file to w while the program keeps working; the
// copy is as encrypted as the original.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Check runs bbolt's consistency check over the whole file.
func (db *DB) Check() error {
	return db.view(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("%w: %w", ErrCorrupt, errors.Join(errs...))
		}
		return nil
	})
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func fromU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// view and update run a transaction, turning a panic of bbolt's on a damaged page (it
// panics rather than return an error when a page is not what it should be) into
// ErrCorrupt: a damaged file is a sentence for a person, never a stack trace. bbolt
// reads the file through a memory map, so a damaged offset is a memory fault, which
// is made a panic too while the transaction runs. bbolt rolls the transaction back as
// the panic passes.
func (db *DB) view(fn func(*bolt.Tx) error) (err error) {
	defer recoverDamage(db.path, &err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return db.bolt.View(fn)
}

func (db *DB) update(fn func(*bolt.Tx) error) (err error) {
	defer recoverDamage(db.path, &err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return db.bolt.Update(fn)
}

// recoverDamage turns a panic into ErrCorrupt naming the file.
func recoverDamage(path string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w (%s): %v", ErrCorrupt, path, r)
	}
}
