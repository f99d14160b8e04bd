package boltstore

import (
	"bytes"
	"encoding/hex"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Schema 11 keeps a person's records in people/, persons/ with compact keys: the blind
// index as its 16 bytes, and a record id of 32 hex digits (as laptops make them) as its
// 16, each after "\x01" — no record id (letters, digits, - _ .) starts with it, and
// store.Check refuses a subject holding a control character. persons/ spelt both in hex: 78 bytes a key for the
// person form, 45 now. It is the tree every new record adds a key to at a random
// place, so each batch rewrites a leaf and a branch above it for most of its records;
// shorter keys are fewer leaves, and more of them under each branch: fewer branch pages
// rewritten (and mapped in) a batch as the file grows.
//
// The step moves persons/ in steps of peopleChunk keys, each its own transaction that
// moves the first keys left and deletes them, as periods.go does; persons/ is dropped
// once empty.

// compactMark starts a blind index or record id kept as its bytes.
const compactMark = 0x01

// compactBlind is a blind index ("~" and 32 hex digits) as its bytes after compactMark;
// a subject in a plain file stays itself.
func compactBlind(blind string) []byte {
	if len(blind) == 33 && blind[0] == '~' {
		if raw, err := hex.DecodeString(blind[1:]); err == nil && hex.EncodeToString(raw) == blind[1:] {
			return append([]byte{compactMark}, raw...)
		}
	}
	return []byte(blind)
}

// compactID is a record id of 32 lowercase hex digits as its bytes after compactMark;
// any other stays itself.
func compactID(id string) []byte {
	if len(id) == 32 {
		if raw, err := hex.DecodeString(id); err == nil && hex.EncodeToString(raw) == id {
			return append([]byte{compactMark}, raw...)
		}
	}
	return []byte(id)
}

// idOf is the record id compactID gave b for.
func idOf(b []byte) string {
	if len(b) == 17 && b[0] == compactMark {
		return hex.EncodeToString(b[1:])
	}
	return string(b)
}

// peoplePrefix is where the records of a person and form (codec.person: blind(subject)
// "\x00" form) are in people/; nil for none.
func peoplePrefix(person string) []byte {
	if person == "" {
		return nil
	}
	blind, form, _ := bytes.Cut([]byte(person), []byte{0})
	return append(append(compactBlind(string(blind)), 0), cat(string(form))...)
}

// subjectPrefix is where the records of a person are in people/, every form's.
func subjectPrefix(blind string) []byte { return append(compactBlind(blind), 0) }

// isCompactBlind: k starts with a blind index's bytes (compactBlind).
func isCompactBlind(k []byte) bool { return len(k) > 17 && k[0] == compactMark && k[17] == 0 }

// movePeople blinds the subject of a key of people/ in a plain file being sealed.
func movePeople(c codec, k, _ []byte) ([]byte, []byte, bool, error) {
	if c.s == nil || isCompactBlind(k) {
		return nil, nil, true, nil
	}
	subject, rest, ok := bytes.Cut(k, []byte{0})
	if !ok {
		return nil, nil, false, fmt.Errorf("not a person, a form and a record")
	}
	return append(append(compactBlind(c.blind(string(subject))), 0), rest...), nil, false, nil
}

// peopleChunk is how many keys one step of the move to schema 11 moves (a variable for
// the test that stops after a step).
var peopleChunk = 5000

// movePersons is the step to schema 11 (a derived step of its own transactions).
func (s *Store) movePersons(schema uint64) error {
	return s.untilDone(func() (bool, error) { return s.peopleStep(schema) })
}

// peopleStep moves up to peopleChunk keys of persons/ to people/; when none are left
// it drops persons/ and sets the schema.
func (s *Store) peopleStep(schema uint64) (done bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		people, err := tx.CreateBucketIfNotExists(bktPeople)
		if err != nil {
			return err
		}
		persons := tx.Bucket(bktPersons)
		if persons == nil {
			done = true
			return tx.Bucket(bktMeta).Put(keySchema, u64(schema))
		}
		var todo [][]byte
		c := persons.Cursor()
		for k, _ := c.First(); k != nil && len(todo) < peopleChunk; k, _ = c.Next() {
			todo = append(todo, bytes.Clone(k))
		}
		if len(todo) == 0 {
			return tx.DeleteBucket(bktPersons) // the next step sets the schema
		}
		// Written after the walk: no writes through a cursor.
		for _, k := range todo {
			subject, rest, ok := bytes.Cut(k, []byte{0})
			form, id, ok2 := bytes.Cut(rest, []byte{0})
			if !ok || !ok2 {
				return fmt.Errorf("persons/ key %q is not a person, a form and a record", k)
			}
			nk := append(append(compactBlind(string(subject)), 0), cat(string(form))...)
			if err := people.Put(append(nk, compactID(string(id))...), nil); err != nil {
				return err
			}
			if err := persons.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	return done, err
}
