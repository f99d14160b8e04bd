// Package boltstore is the district server's embedded backend: store.Store in one
// bbolt file (server.db in the data folder), nothing to install.
//
// The bucket tree (schema 11; keys that order are big-endian uint64, written u64; "sealed"
// is a value sealed under the server's data key for its bucket and key, server/seal;
// blind(subject) is the keyed hash that stands for a certificate or ID number):
//
//	meta/       server_id, epoch: random at creation; schema: u64 version of the file;
//	            keycheck: the data key's check value (none: a plain file); sealing:
//	            JSON progress of sealing the file, while it runs
//	enroll/     sha256(one-time code) → JSON enrolment (user, expiry)
//	tokens/     sha256(device token) → JSON token (user code, device, created, revoked)
//	users/      user code → JSON protocol.User
//	revisions/  u64(seq) → sealed: a stored revision in full, packed (revcodec.go: its
//	            chain without hashes, deflated); keyed by its log position, so storing
//	            appends (before schema 8: record id "/" u64(revision); rekey.go)
//	log/        u64(seq) → JSON logEntry: every revision, roster case and withdrawal,
//	            in the order stored; seq is the pull cursor and the server order; a
//	            roster case's key is its blind key
//	vlogp/      u64(period) village "\x00" u64(seq) → JSON logEntry: the log by village
//	            (pull), period first (seq >> 16: periods.go), so that the tails of all
//	            villages are together (schema 10; before, vlog/ without the period)
//	ulog/       enumerator "\x00" u64(seq) → JSON logEntry: the log by the enumerators an
//	            entry names, roster cases under "" (every enumerator's): the pull of an
//	            enumerator of every village (schema 4)
//	rows/       u64(seq) → sealed JSON row: a stored revision, compact (listing, receipts)
//	revseq/     record id "/" u64(revision) → u64(seq): a revision's row; the least
//	            seq of a record's is where its state is in states/ (recordKey); a
//	            record whose state schema 9's step moved has record id → u64(k), where
//	            it is instead (schema 9 wrote that entry for every record)
//	idxp/       u64(period) "v\x00" village | "e\x00" enumerator, u64(seq) → nothing:
//	            the rows by village and enumerator, period first as in vlogp/ (a
//	            person's are found through persons/ and revseq/; schema 9's idx/ had
//	            no period, and before schema 8 it also held "s\x00" blind(subject)
//	            "\x00" u64(seq), left unread and dropped at schema 10)
//	states/     u64(k) → sealed JSON recordMeta: a record's state — its id, its latest
//	            revision, compact, with its chain's length and last hash (what a later
//	            chain must pass through); k is the log position of its first revision
//	            stored, so a new record's state appends (schema 9, states.go; before,
//	            records/ keyed it by record id: a random leaf rewritten per record)
//	heads/      record id → the 32-byte hashes of its latest chain's entries, for a
//	            record last stored before the length and hash were in its state (its
//	            next revision deletes it); a third of the file when it held them all
//	people/     blind(subject) "\x00" form "\x00" record id → nothing: a person's records;
//	            a blind index and a record id of 32 hex digits are kept as their 16
//	            bytes after "\x01" (schema 11, people.go; before, persons/ in hex)
//	dups/       blind(subject) "\x00" form → sealed JSON dupMeta: a duplicate interview
//	withdrawn/  record id → sealed JSON protocol.Withdrawal
//	roster/     blind(roster.Row.Key) → sealed JSON roster.Row
//	rosterlog/  u64(n) → JSON store.RosterImport
//	review/     record id "/" u64(revision) → sealed JSON heldRev: a revision held for the
//	            district's review (a person the roster does not know), out of the log
//	reviewopen/ sender's user code → sealed u64: how many records the sender has
//	            held open in review/, each counted against the sender of its first open
//	            revision (store.Held.OpenHeld); derived from review/, rebuilt at schema 6
//	            and whenever the file is sealed
//	reviewq/    record id "/" u64(revision) → nothing: the revisions of review/ the
//	            district has not decided on (the open queue, read a page at a time
//	            without opening decided ones); derived from review/ at schema 7
//
// Users, devices and the roster log (enumerators' names and codes, file names) are not
// sealed: they are the district's staff, not the persons surveyed.
//
// Photos are files (server/attachments); schema 1 kept them in attachments/ and
// partial/, and the migration to schema 2 moves them out. Codes and tokens are kept only
// as hashes: a copy of the file gives no one a device.
//
// Every read that answers a laptop or a listing goes through an index or a compact row;
// only an export, or the revisions a pull returns, decode a revision in full.
//
// It must never:
//   - judge an arrival itself: store.Check and store.Decide do, as for every backend;
//   - open a file written by a newer schema (ErrNewerSchema): it is left untouched;
//   - keep a photo's bytes: the attachments folder holds them.
package boltstore

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
)

var (
	bktMeta      = []byte("meta")
	bktEnroll    = []byte("enroll")
	bktTokens    = []byte("tokens")
	bktUsers     = []byte("users")
	bktRevisions = []byte("revisions")
	bktLog       = []byte("log")
	bktVLogP     = []byte("vlogp")
	bktULog      = []byte("ulog")
	bktRows      = []byte("rows")
	bktRevSeq    = []byte("revseq")
	bktIdxP      = []byte("idxp")
	bktStates    = []byte("states")
	bktHeads     = []byte("heads")
	bktPeople    = []byte("people")
	bktDups      = []byte("dups")
	bktWithdrawn = []byte("withdrawn")
	bktRoster    = []byte("roster")
	bktRosterLog = []byte("rosterlog")
	bktReview    = []byte("review")
	bktOpenHeld  = []byte("reviewopen")
	bktQueue     = []byte("reviewq")

	// Schema 9's, moved to vlogp/ and idxp/ (keyed by period first) by the step to
	// schema 10.
	bktVLog = []byte("vlog")
	bktIdx  = []byte("idx")

	// Schema 10's, its keys made compact in people/ by the step to schema 11.
	bktPersons = []byte("persons")

	// Schema 8's, moved to states/ (keyed by log position) by the step to schema 9.
	bktRecords = []byte("records")

	// Schema 1's, moved or rebuilt by the migration to schema 2.
	bktLatestV1  = []byte("latest")
	bktAttachV1  = []byte("attachments")
	bktPartialV1 = []byte("partial")

	keySchema = []byte("schema")
)

// File is the data file in the server's data folder.
const File = "server.db"

// ErrNewerSchema is a data file written by a newer doorstep-server.
var ErrNewerSchema = errors.New("the server's data file was written by a newer doorstep-server")

// Options of Open.
type Options struct {
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Attachments is where photos are kept; a file of schema 1 moves its photos there
	// (nil: the folder "attachments" in the data folder).
	Attachments *attachments.Dir
	// Sealer is the server's data key: personal data is sealed under it, and a plain
	// file is sealed in place at open. nil keeps a plain file plain — for other
	// packages' tests only; doorstep-server always gives one. An encrypted file opened
	// without it, or with another key, is refused (seal.ErrNoKey, seal.ErrWrongKey).
	Sealer *seal.Sealer
	// District is the district's public signing key, which signs the decisions of the
	// district office's console (store.Held.District; nil: they are refused).
	District ed25519.PublicKey
}

// Store is store.Store in a bbolt file.
type Store struct {
	db       *bolt.DB
	serverID string
	epoch    string
	now      func() time.Time
	c        codec
	district ed25519.PublicKey
	// arrived counts the records stored since ingest last gave back the pages of the
	// file it mapped in (PutBatch, ReleaseMapped).
	arrived atomic.Int64
}

var _ store.Store = (*Store)(nil)

// Open opens (creating) the data file in dir and brings it to this program's schema.
// A file held by a running server is store.ErrBusy.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server data: %w", err)
	}
	// The freelist stays bbolt's default, an array synced at each commit. etcd's
	// FreelistMapType with NoFreelistSync loses nothing on a crash (the list is found
	// again by reading the whole file at open), but measured side by side on 200 000
	// sealed records (1.1 GB, storetest.Scale, in both orders) it stored no faster —
	// 3 639 then 3 243 records/s in the first and last tenth, against 3 818 and 3 286 —
	// and opened in 0.4–0.6 s instead of 0.4 ms: an append-mostly file has a short
	// freelist to write.
	bopts := &bolt.Options{Timeout: 500 * time.Millisecond}
	db, err := bolt.Open(filepath.Join(dir, File), 0o600, bopts)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, store.ErrBusy
		}
		return nil, fmt.Errorf("server data: %w", err)
	}
	att := opts.Attachments
	if att == nil {
		if att, err = attachments.Open(filepath.Join(dir, "attachments")); err != nil {
			db.Close()
			return nil, err
		}
	}
	// PutBatch's transactions are bbolt's Batch: pushes arriving together share one
	// commit. bbolt waits up to 10 ms by default for more to join, made for many
	// small writers; here at most a few pushes (the server's MaxPushing, 4) reach the
	// store at once, each holding its push place while it waits — the wait idled the
	// places and the cores (BenchmarkIngest on two cores, runs alternated: 3 340–3 580
	// records/s with 10 ms, 3 700–4 290 with 2 ms). Only the wait is shorter: every
	// commit still syncs before any push in it is answered. A batch closed as soon as
	// all four places joined (MaxBatchSize 4) was measured too and gained nothing
	// (alternated on a loaded machine: 1 791–4 230 records/s against 1 064–4 295,
	// 2 423–2 660 records/cpu-s against 2 271–2 643).
	db.MaxBatchDelay = 2 * time.Millisecond
	s := &Store{db: db, now: opts.Now, c: codec{opts.Sealer}, district: opts.District}
	err = s.migrate(att)
	if err == nil {
		err = s.compactSealed(bopts)
	}
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("server data %s: %w", filepath.Join(dir, File), err)
	}
	return s, nil
}

// Path is the data file's.
func (s *Store) Path() string { return s.db.Path() }

// Close closes the data file.
func (s *Store) Close() error { return s.db.Close() }

// ID names the server.
func (s *Store) ID() string { return s.serverID }

// Epoch names the database.
func (s *Store) Epoch() string { return s.epoch }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func hashKey(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
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

func revKey(recordID string, revision uint64) []byte {
	return append([]byte(recordID+"/"), u64(revision)...)
}

// cat is key parts, each followed by "\x00": a prefix that no longer part extends.
func cat(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	return b
}
