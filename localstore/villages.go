package localstore

import (
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// villageKey is the record index's key for a village's record of a form: the village
// name takes the place of a case id, under a prefix no case id has.
func (s *Session) villageKey(village, formID string) []byte {
	return s.recordKey("village\x00"+village, formID)
}

// StartVillageRecord returns the village's record of a form filled once per village
// (the community form, 社区登记表), or of one of the earlier forms, creating a draft if
// there is none.
func (s *Session) StartVillageRecord(village, formID, formVersion string, earlier ...string) (*Record, error) {
	village = strings.TrimSpace(village)
	if village == "" {
		return nil, fmt.Errorf("start village record: no village named")
	}
	var rec *Record
	err := s.update(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketRecordIndex)
		ik := s.villageKey(village, formID)
		for _, f := range append([]string{formID}, earlier...) {
			if id := idx.Get(s.villageKey(village, f)); id != nil {
				r, err := s.loadRecord(tx, string(id))
				rec = r
				return err
			}
		}
		rec = s.newRecord(formID, formVersion)
		rec.Village = village
		return s.createRecord(tx, ik, rec, map[string]string{"form": formID + " " + formVersion, "village": village})
	})
	if err != nil {
		return nil, fmt.Errorf("start record of %s: %w", village, err)
	}
	return rec, nil
}

// VillageRecord returns the village's record of the form, or ErrNotFound.
func (s *Session) VillageRecord(village, formID string) (*Record, error) {
	var rec *Record
	err := s.db.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketRecordIndex).Get(s.villageKey(village, formID))
		if id == nil {
			return fmt.Errorf("record of %s, form %s: %w", village, formID, ErrNotFound)
		}
		r, err := s.loadRecord(tx, string(id))
		rec = r
		return err
	})
	return rec, err
}
