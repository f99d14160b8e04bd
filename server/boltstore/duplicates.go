package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

// group reads one duplicate interview: the latest row of each of its records.
func group(tx *bolt.Tx, c codec, person string, d dupMeta) (store.DuplicateGroup, error) {
	g := d.group()
	prefix := peoplePrefix(person)
	cur := tx.Bucket(bktPeople).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		var meta recordMeta
		if _, err := getRecord(tx, c, idOf(k[len(prefix):]), &meta); err != nil {
			return g, err
		}
		var rw row
		if _, err := c.get(tx, bktRows, u64(meta.Seq), &rw); err != nil {
			return g, err
		}
		rw.Duplicate, rw.Withdrawn = meta.Duplicate, meta.Withdrawn
		g.Records = append(g.Records, rw.RecordRow)
	}
	slices.SortFunc(g.Records, func(a, b store.RecordRow) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	return g, nil
}

// Duplicates lists the duplicate interviews, open ones unless all.
func (s *Store) Duplicates(ctx context.Context, all bool) ([]store.DuplicateGroup, error) {
	var out []store.DuplicateGroup
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktDups).ForEach(func(k, v []byte) error {
			data, err := s.c.open(bktDups, k, v)
			if err != nil {
				return err
			}
			var d dupMeta
			if err := json.Unmarshal(data, &d); err != nil {
				return err
			}
			if d.Kept != "" && !all {
				return nil
			}
			g, err := group(tx, s.c, string(k), d)
			out = append(out, g)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list duplicate interviews: %w", err)
	}
	return out, nil
}

// ResolveDuplicate keeps one record of a duplicate interview and withdraws the others,
// each withdrawal in the log for the laptops of the person's village.
func (s *Store) ResolveDuplicate(ctx context.Context, res store.Resolution) (store.DuplicateGroup, error) {
	if strings.TrimSpace(res.Reason) == "" {
		return store.DuplicateGroup{}, errors.New("say why the other records are withdrawn: the enumerators will read it")
	}
	if res.At.IsZero() {
		res.At = s.now().UTC()
	}
	var g store.DuplicateGroup
	err := s.db.Update(func(tx *bolt.Tx) error {
		var kept recordMeta
		if key, err := getRecord(tx, s.c, res.Keep, &kept); err != nil || key == nil || !kept.Duplicate {
			if err != nil {
				return err
			}
			return fmt.Errorf("record %s is not one of a duplicate interview: %w", res.Keep, store.ErrNotFound)
		}
		person := s.c.person(kept.Subject, kept.FormID)
		var was dupMeta // its earlier choices stay
		if _, err := s.c.get(tx, bktDups, []byte(person), &was); err != nil {
			return err
		}
		d := dupMetaOf(store.DuplicateGroup{Subject: kept.Subject, FormID: kept.FormID, Kept: res.Keep, Reason: res.Reason, ResolvedBy: res.By,
			ResolvedAt: res.At, Earlier: was.Earlier})
		if err := s.c.put(tx.Bucket(bktDups), bktDups, []byte(person), d); err != nil {
			return err
		}
		w := writer{tx: tx, c: s.c}
		log := tx.Bucket(bktLog)
		for _, id := range append([]string{res.Keep}, othersOf(tx, person, res.Keep)...) {
			var m recordMeta
			key, err := getRecord(tx, s.c, id, &m)
			if err != nil {
				return err
			}
			if id == res.Keep {
				m.Withdrawn = ""
				if err := tx.Bucket(bktWithdrawn).Delete([]byte(id)); err != nil {
					return err
				}
			} else {
				m.Withdrawn = res.Reason
				wd := protocol.Withdrawal{RecordID: id, Subject: m.Subject, FormID: m.FormID, Kept: res.Keep, Reason: res.Reason, At: res.At}
				if err := s.c.put(tx.Bucket(bktWithdrawn), bktWithdrawn, []byte(id), wd); err != nil {
					return err
				}
				seq, err := log.NextSequence()
				if err != nil {
					return err
				}
				// A record the district accepted into another village than its laptop
				// named: its team's laptops hear it too (store.Decision.Named).
				named, err := acceptedFrom(tx, s.c, id)
				if err != nil {
					return err
				}
				if err := w.log(seq, logEntry{Kind: kindWithdraw, Key: id, Village: m.Village, Also: named,
					Enumerators: []string{m.Enumerator, kept.Enumerator}}); err != nil {
					return err
				}
			}
			if key == nil {
				continue // a person's record that was never stored (persons/ names only stored ones)
			}
			if err := putRecord(tx, s.c, key, m); err != nil {
				return err
			}
		}
		var err error
		g, err = group(tx, s.c, person, d)
		return err
	})
	if err != nil {
		return g, fmt.Errorf("resolve a duplicate interview: %w", err)
	}
	return g, nil
}
