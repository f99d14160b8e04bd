package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/server/seal"
)

// Sealing a file is the step to schema 5, and what a plain file of schema 5 (opened
// once without a key) goes through when it is first opened with one. It runs in steps
// of sealChunk entries, each its own transaction with its progress in meta/sealing:
// a district's file of a million revisions is sealed without holding it all in one
// transaction, and a sealing interrupted (a kill, a full disk) goes on where it
// stopped at the next open. The key check value is written before the first sealed
// value, so an interrupted sealing can only go on under the same key.

var (
	keyCheck   = []byte("keycheck")
	keySealing = []byte("sealing")
	// keyCompact marks a file sealed in place: the pages its plain values were on
	// are free but not blank, so the file is rewritten (compact) before it is used.
	keyCompact = []byte("compact")
)

// sealChunk is how many entries one step seals (a variable for the test that stops
// after every step).
var sealChunk = 2000

// sealProgress is meta/sealing: the step, and the last key of its bucket done.
type sealProgress struct {
	Step   int    `json:"step"`
	After  []byte `json:"after,omitempty"`
	Sealed bool   `json:"sealed"` // under a key; false: the plain layout of schema 5
}

// checkKey compares the key given with the file's and says whether the file is to be
// sealed (or brought to schema 5's layout) now; it starts that sealing.
func (s *Store) checkKey(meta *bolt.Bucket, have uint64) (bool, error) {
	kc := meta.Get(keyCheck)
	switch {
	case kc != nil && s.c.s == nil:
		return false, fmt.Errorf("%w: it cannot be opened without its key", seal.ErrNoKey)
	case kc != nil:
		if err := s.c.s.Verify(kc); err != nil {
			return false, err
		}
	}
	var p sealProgress
	running := meta.Get(keySealing) != nil
	if running {
		if err := json.Unmarshal(meta.Get(keySealing), &p); err != nil {
			return false, fmt.Errorf("the sealing progress: %w", err)
		}
	}
	plainToSeal := kc == nil && s.c.s != nil
	if !running && have >= sealedSchema() && !plainToSeal {
		return false, nil
	}
	if plainToSeal {
		if err := meta.Put(keyCheck, s.c.s.Check()); err != nil {
			return false, err
		}
		if meta.Get([]byte("server_id")) != nil { // not a new file: it held plain data
			if err := meta.Put(keyCompact, []byte{1}); err != nil {
				return false, err
			}
		}
	}
	if !running || p.Sealed != (s.c.s != nil) {
		// A plain layout interrupted and now sealed starts again: every step tells
		// what it has done already.
		p = sealProgress{Sealed: s.c.s != nil}
	}
	data, _ := json.Marshal(p)
	return true, meta.Put(keySealing, data)
}

// sealStep is one bucket's part of sealing: move gives an entry's key and value in
// schema 5 under c, or keep when it has them already (or nothing changes).
type sealStep struct {
	bucket []byte
	move   func(c codec, k, v []byte) (nk, nv []byte, keep bool, err error)
}

var sealSteps = []sealStep{
	{bktRoster, moveRoster},
	{bktLog, moveLogEntry},
	{bktVLog, moveLogEntry},
	{bktULog, moveLogEntry},
	{bktIdx, moveIdx},
	{bktPersons, movePerson},
	{bktDups, moveDup},
	{bktRevisions, sealValue(bktRevisions)},
	{bktRows, sealValue(bktRows)},
	{bktRecords, sealValue(bktRecords)},
	{bktWithdrawn, sealValue(bktWithdrawn)},
	{bktReview, sealValue(bktReview)},
	// Appended (a sealing interrupted keeps its step's number): records/ above is
	// schema 8's, states/ what schema 9 keeps there instead. A file has one or the other.
	{bktStates, sealValue(bktStates)},
	// Schema 10's log by village, keyed by period first (periods.go): vlog/ above is
	// schema 9's.
	{bktVLogP, moveLogEntry},
	// Schema 11's persons/, its keys compact (people.go).
	{bktPeople, movePeople},
}

func isBlind(s []byte) bool { return bytes.HasPrefix(s, []byte(seal.BlindPrefix)) }

func sealValue(bucket []byte) func(c codec, k, v []byte) ([]byte, []byte, bool, error) {
	return func(c codec, k, v []byte) ([]byte, []byte, bool, error) {
		if c.s == nil || seal.IsSealed(v) {
			return nil, nil, true, nil
		}
		return k, c.seal(bucket, k, v), false, nil
	}
}

func moveRoster(c codec, k, v []byte) ([]byte, []byte, bool, error) {
	if c.s == nil || isBlind(k) {
		return nil, nil, true, nil
	}
	nk := []byte(c.blind(string(k)))
	return nk, c.seal(bktRoster, nk, v), false, nil
}

// moveLogEntry blinds the key of a roster case's entry.
func moveLogEntry(c codec, k, v []byte) ([]byte, []byte, bool, error) {
	if c.s == nil || !bytes.Contains(v, []byte(`"k":"`+kindRoster+`"`)) {
		return nil, nil, true, nil
	}
	var e logEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return nil, nil, false, err
	}
	if e.Kind != kindRoster || strings.HasPrefix(e.Key, seal.BlindPrefix) {
		return nil, nil, true, nil
	}
	e.Key = c.blind(e.Key)
	nv, err := json.Marshal(e)
	return k, nv, false, err
}

// moveIdx blinds the subject of "s\x00" subject "\x00" u64(seq).
func moveIdx(c codec, k, _ []byte) ([]byte, []byte, bool, error) {
	if c.s == nil || !bytes.HasPrefix(k, []byte("s\x00")) || len(k) < 2+1+8 {
		return nil, nil, true, nil
	}
	subject := k[2 : len(k)-9]
	if len(subject) == 0 || isBlind(subject) {
		return nil, nil, true, nil
	}
	return append(cat("s", c.blind(string(subject))), k[len(k)-8:]...), nil, false, nil
}

// movePerson blinds the subject of subject "\x00" form "\x00" record id.
func movePerson(c codec, k, _ []byte) ([]byte, []byte, bool, error) {
	subject, rest, ok := bytes.Cut(k, []byte{0})
	if c.s == nil || !ok || isBlind(subject) {
		return nil, nil, true, nil
	}
	return append([]byte(c.blind(string(subject))+"\x00"), rest...), nil, false, nil
}

// moveDup keeps the person in the value (schema 2 had it only in the key) and blinds
// the key.
func moveDup(c codec, k, v []byte) ([]byte, []byte, bool, error) {
	if seal.IsSealed(v) {
		return nil, nil, true, nil
	}
	var d dupMeta
	if err := json.Unmarshal(v, &d); err != nil {
		return nil, nil, false, err
	}
	if d.Subject != "" && c.s == nil {
		return nil, nil, true, nil
	}
	if d.Subject == "" {
		d.Subject, d.FormID, _ = strings.Cut(string(k), "\x00")
	}
	nk := []byte(c.person(d.Subject, d.FormID))
	data, err := json.Marshal(d)
	return nk, c.seal(bktDups, nk, data), false, err
}

// sealFile runs the sealing's steps, a transaction each, to its end.
func (s *Store) sealFile() error {
	for {
		done, err := s.sealSome()
		if err != nil {
			return fmt.Errorf("encrypt the data file (it goes on where it stopped at the next start): %w", err)
		}
		if done {
			return nil
		}
	}
}

// sealSome moves up to sealChunk entries, across as many steps as that takes, and
// notes how far it got; at the end it sets the schema.
func (s *Store) sealSome() (done bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		var p sealProgress
		if err := json.Unmarshal(meta.Get(keySealing), &p); err != nil {
			return fmt.Errorf("the sealing progress: %w", err)
		}
		moved := 0
		for p.Step < len(sealSteps) && moved < sealChunk {
			st := sealSteps[p.Step]
			b := tx.Bucket(st.bucket)
			if b == nil { // a bucket of an earlier or a later schema than the file's
				p.Step, p.After = p.Step+1, nil
				continue
			}
			type entry struct{ k, nk, nv []byte }
			var todo []entry
			c := b.Cursor()
			k, v := c.First()
			if p.After != nil {
				if k, v = c.Seek(p.After); k != nil && bytes.Equal(k, p.After) {
					k, v = c.Next()
				}
			}
			for ; k != nil && moved+len(todo) < sealChunk; k, v = c.Next() {
				p.After = bytes.Clone(k)
				nk, nv, keep, err := st.move(s.c, k, v)
				if err != nil {
					return fmt.Errorf("%s %q: %w", st.bucket, k, err)
				}
				if !keep {
					todo = append(todo, entry{bytes.Clone(k), nk, nv})
				}
			}
			if k == nil {
				p.Step, p.After = p.Step+1, nil
			}
			// Written after the walk: no writes through a cursor.
			for _, e := range todo {
				if !bytes.Equal(e.k, e.nk) {
					if err := b.Delete(e.k); err != nil {
						return err
					}
				}
				if err := b.Put(e.nk, e.nv); err != nil {
					return err
				}
			}
			moved += len(todo)
		}
		if p.Step == len(sealSteps) {
			done = true
			if err := meta.Delete(keySealing); err != nil {
				return err
			}
			if fromU64(meta.Get(keySchema)) >= sealedSchema() {
				return nil // a plain file of a later schema, sealed: its layout stays that schema's
			}
			return meta.Put(keySchema, u64(sealedSchema()))
		}
		data, _ := json.Marshal(p)
		return meta.Put(keySealing, data)
	})
	return done, err
}

// compactSealed rewrites a file sealed in place into a new one that holds only its
// live pages, and puts it in place of the old: what the free pages of the old still
// said in plain is gone from the data file (not from the disk's free blocks, nor from
// earlier backups: the README says so).
func (s *Store) compactSealed(opts *bolt.Options) error {
	var need bool
	s.db.View(func(tx *bolt.Tx) error {
		need = tx.Bucket(bktMeta).Get(keyCompact) != nil
		return nil
	})
	if !need {
		return nil
	}
	path := s.db.Path()
	tmp := path + ".compact"
	os.Remove(tmp) // left by an interrupted compaction
	dst, err := bolt.Open(tmp, 0o600, nil)
	if err != nil {
		return fmt.Errorf("rewrite the encrypted data file: %w", err)
	}
	err = bolt.Compact(dst, s.db, 16<<20)
	if err == nil {
		err = dst.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktMeta).Delete(keyCompact) })
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rewrite the encrypted data file: %w", err)
	}
	if err := s.db.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rewrite the encrypted data file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	s.db, err = bolt.Open(path, 0o600, opts)
	return err
}
