package localstore

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SetPlace keeps the question on screen when a draft is paused, so that it opens there
// again. It is the laptop's own bookkeeping, not part of the record: no audit entry,
// nothing sent.
func (s *Session) SetPlace(recordID, question string) error {
	err := s.update(func(tx *bolt.Tx) error {
		return s.keys.putSealed(tx.Bucket(bucketPlaces), string(bucketPlaces), []byte(recordID), &question)
	})
	if err != nil {
		return fmt.Errorf("keep where %s was paused: %w", recordID, err)
	}
	return nil
}

// Place is the question the record was paused at; "" when it never was.
func (s *Session) Place(recordID string) (string, error) {
	var q string
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		_, err := s.keys.getSealed(tx.Bucket(bucketPlaces), string(bucketPlaces), []byte(recordID), &q)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("read where %s was paused: %w", recordID, err)
	}
	return q, nil
}
