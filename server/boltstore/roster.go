package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// ImportRoster keeps the roster rows; a row new or changed goes into the log.
func (s *Store) ImportRoster(ctx context.Context, rows []roster.Row, imp store.RosterImport) (store.RosterImport, error) {
	imp.Rows, imp.New, imp.Changed, imp.Unchanged = len(rows), 0, 0, 0
	if imp.At.IsZero() {
		imp.At = s.now().UTC()
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, log := tx.Bucket(bktRoster), tx.Bucket(bktLog)
		w := writer{tx: tx, c: s.c}
		for _, r := range rows {
			data, err := json.Marshal(r)
			if err != nil {
				return err
			}
			key := []byte(s.c.blind(r.Key()))
			old, err := s.c.open(bktRoster, key, b.Get(key))
			if err != nil {
				return err
			}
			switch {
			case old == nil:
				imp.New++
			case bytes.Equal(old, data):
				imp.Unchanged++
				continue
			default:
				imp.Changed++
			}
			if err := b.Put(key, s.c.seal(bktRoster, key, data)); err != nil {
				return err
			}
			seq, err := log.NextSequence()
			if err != nil {
				return err
			}
			if err := w.log(seq, logEntry{Kind: kindRoster, Key: string(key), Village: r.Village}); err != nil {
				return err
			}
		}
		rl := tx.Bucket(bktRosterLog)
		n, err := rl.NextSequence()
		if err != nil {
			return err
		}
		return putJSON(rl, u64(n), imp)
	})
	if err != nil {
		return imp, fmt.Errorf("import the roster: %w", err)
	}
	return imp, nil
}

// RosterLog lists the imports, oldest first.
func (s *Store) RosterLog(ctx context.Context) ([]store.RosterImport, error) {
	var out []store.RosterImport
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktRosterLog).ForEach(func(_, v []byte) error {
			var imp store.RosterImport
			if err := json.Unmarshal(v, &imp); err != nil {
				return err
			}
			out = append(out, imp)
			return nil
		})
	})
	return out, err
}
