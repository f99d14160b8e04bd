package localstore

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Place is where a draft was paused: the question on screen, and the length of the
// record's audit chain then. An answer in the chain after it makes the place stale (the
// program left without a pause since): the last answer tells more.
type Place struct {
	Question string `json:"question"`
	AuditLen uint64 `json:"audit_len"`
}

// SetPlace keeps the question on screen when a draft is paused, so that it opens there
// again. It is the laptop's own bookkeeping, not part of the record: no audit entry,
// nothing sent.
func (s *Session) SetPlace(recordID string, p Place) error {
	err := s.update(func(tx *bolt.Tx) error {
		return s.keys.putSealed(tx.Bucket(bucketPlaces), string(bucketPlaces), []byte(recordID), &p)
	})
	if err != nil {
		return fmt.Errorf("keep where %s was paused: %w", recordID, err)
	}
	return nil
}

// Place is where the record was paused; the zero Place when it never was.
func (s *Session) Place(recordID string) (Place, error) {
	var p Place
	err := s.db.view(func(tx *bolt.Tx) error {
		_, err := s.keys.getSealed(tx.Bucket(bucketPlaces), string(bucketPlaces), []byte(recordID), &p)
		return err
	})
	if err != nil {
		return Place{}, fmt.Errorf("read where %s was paused: %w", recordID, err)
	}
	return p, nil
}
