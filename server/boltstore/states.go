package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Schema 9 keeps each record's state (recordMeta: its latest revision, compact) in
// states/, keyed by the log position of the record's first revision, and finds it by
// the entry record id → u64(position) in revseq/, beside the record's revisions there.
// Schema 8 kept it in records/, keyed by record id. Record ids are random (16 random
// bytes from each laptop), so every new record inserted a 460-byte value at a random
// leaf of records/: with revseq/ and persons/ that was three random leaves rewritten, and
// mapped in, for every record stored — the ingest rate fell by a quarter from the empty
// file to a million records, and the leaves touched held the server at 381 MB. Now a
// new record's state appends, and its 8-byte entry in revseq/ goes to the leaf its
// first revision's entry goes to anyway.
//
// The step moves the states in log order (each at its record's latest revision, so
// that they append), in steps of statesChunk log entries, each its own transaction with its progress in meta/states
// (the last log position done), as rekey.go moves revisions: a file of a million
// records moves without holding it all in one transaction, and a move interrupted goes
// on where it stopped at the next open. A record's state in records/ is keyed by the
// position of its latest revision then (Seq): that is its key in states/. Each value is
// opened under its old key and sealed under its new one, with the record's id put in.
// Measured on a sealed file of schema 8 with 200 000 records of random ids: 24 s in
// steps of 500 (others' load 5–6), the server's memory at most 126 MB; in steps of 2 000
// 11 s (load 2.5), but each step's random reads and writes in records/ and revseq/ map
// four times as much of the file in before it is given back.

var keyStates = []byte("states")

// statesChunk is how many log entries one step reads (a variable for the test that
// stops after a step); as rekeyChunk, for the memory a step maps in.
var statesChunk = 500

// moveStates is the step to schema (a derived step of its own transactions).
func (s *Store) moveStates(schema uint64) error {
	var none bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		if none = tx.Bucket(bktRecords) == nil; none { // a file made by this schema's code: nothing to walk the log for
			return tx.Bucket(bktMeta).Put(keySchema, u64(schema))
		}
		return nil
	})
	if err != nil || none {
		return err
	}
	return s.inLogSteps(schema, keyStates, statesChunk, s.moveSomeStates)
}

// moveSomeStates moves the states of the records whose latest revision is at revs; at
// the end it moves any state the log did not lead to and drops records/ (gone: a step
// interrupted after it, nothing to move).
func (s *Store) moveSomeStates(tx *bolt.Tx, revs []logged, end bool) error {
	if _, err := tx.CreateBucketIfNotExists(bktStates); err != nil {
		return err
	}
	records := tx.Bucket(bktRecords)
	if records == nil {
		return nil
	}
	type at struct {
		id  string
		seq uint64 // 0: wherever it is
	}
	var todo []at
	for _, l := range revs {
		todo = append(todo, at{l.e.Key, fromU64(l.seq)})
	}
	if end { // and any state the log did not lead to
		rc := records.Cursor()
		for id, _ := rc.First(); id != nil; id, _ = rc.Next() {
			todo = append(todo, at{string(id), 0})
		}
	}
	// Written after the walk: no writes through a cursor.
	for _, a := range todo {
		if err := s.moveState(tx, records, a.id, a.seq); err != nil {
			return fmt.Errorf("record %s: %w", a.id, err)
		}
	}
	if end {
		return tx.DeleteBucket(bktRecords)
	}
	return nil
}

// moveState moves one record's state from records/ to states/ when its latest
// revision is at seq (0: wherever), and has not moved already.
func (s *Store) moveState(tx *bolt.Tx, records *bolt.Bucket, id string, seq uint64) error {
	old := records.Get([]byte(id))
	if old == nil {
		return nil
	}
	plain, err := s.c.open(bktRecords, []byte(id), old)
	if err != nil {
		return err
	}
	var m recordMeta
	if err := json.Unmarshal(plain, &m); err != nil {
		return err
	}
	if seq != 0 && m.Seq != seq {
		return nil // an earlier revision: the state moves at the latest
	}
	key := u64(m.Seq)
	if m.Seq == 0 || tx.Bucket(bktStates).Get(key) != nil {
		return fmt.Errorf("its latest revision's log position (%d) is not one of its own", m.Seq)
	}
	plain = bytes.Clone(plain)
	if m.ID == "" { // the record's id goes in, every other field as it was
		rest, ok := bytes.CutPrefix(bytes.TrimSpace(plain), []byte("{"))
		if !ok || len(bytes.TrimSpace(rest)) < 2 { // a state is never {}: "rev", "form_id"…
			return fmt.Errorf("its state is not a JSON object of fields: %.40q", plain)
		}
		idJSON, _ := json.Marshal(id)
		plain = append(append(append([]byte(`{"id":`), idJSON...), ','), rest...)
	}
	states := tx.Bucket(bktStates)
	states.FillPercent = appendFill
	if err := states.Put(key, s.c.seal(bktStates, key, plain)); err != nil {
		return err
	}
	if err := tx.Bucket(bktRevSeq).Put([]byte(id), key); err != nil {
		return err
	}
	return records.Delete([]byte(id))
}
