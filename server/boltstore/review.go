package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/server/store"
)

// held is one revision held for the district's review (review/): what the listing
// shows, and the revision in full, packed as revisions/ keeps it.
type heldRev struct {
	Item   store.ReviewItem `json:"item"`
	Head   string           `json:"head"`
	Stored []byte           `json:"stored"` // encodeStored
}

// queued reads what review/ holds of a record: whether a revision of it waits open,
// the revision rev if held, and the last audit hash of the latest held (keys order by
// revision).
func queued(tx *bolt.Tx, c codec, recordID string, rev uint64) (open bool, same *store.HeldRevision, head string, err error) {
	prefix := []byte(recordID + "/")
	cur := tx.Bucket(bktReview).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = cur.Next() {
		var h heldRev
		if err := c.decode(bktReview, k, v, &h); err != nil {
			return false, nil, "", err
		}
		open, head = open || h.Item.Open(), h.Head
		if fromU64(k[len(prefix):]) == rev {
			same = &store.HeldRevision{Head: h.Head, ServerID: h.Item.ServerID, Received: h.Item.ReceivedAt}
		}
	}
	return open, same, head, nil
}

// acceptedFrom is the village the laptop named for a record the district accepted
// from its review (store.Held.AcceptedFrom; "": none): a seek in review/, which
// holds nothing of most records in the log.
func acceptedFrom(tx *bolt.Tx, c codec, recordID string) (string, error) {
	prefix := []byte(recordID + "/")
	cur := tx.Bucket(bktReview).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = cur.Next() {
		var h heldRev
		if err := c.decode(bktReview, k, v, &h); err != nil {
			return "", err
		}
		if h.Item.Accepted != "" {
			return h.Item.Village, nil
		}
	}
	return "", nil
}

// hold keeps a revision for the district's review, out of the log.
func (s *Store) hold(tx *bolt.Tx, st store.StoredRevision, packed []byte, reason string) (store.StoredRevision, error) {
	n, err := tx.Bucket(bktReview).NextSequence()
	if err != nil {
		return st, err
	}
	st.ServerID = fmt.Sprintf("%s-r%d", s.serverID, n)
	r := st.Revision.Record
	item := store.ReviewItem{Reason: reason, RecordRow: store.RecordRow{RecordID: r.ID, Revision: r.Revision, Subject: st.Case.Subject,
		Name: st.Case.Name, Village: st.Case.Village, FormID: r.FormID, Enumerator: r.Enumerator, From: st.From, Device: st.Device,
		Status: string(r.Status), ServerID: st.ServerID, ReceivedAt: st.Received}}
	for _, p := range r.Photos {
		item.Photos = append(item.Photos, p.Hash)
	}
	if packed == nil {
		if packed, err = packRevision(st.Revision); err != nil {
			return st, err
		}
	}
	value, err := encodeStored(st, packed)
	if err != nil {
		return st, err
	}
	h := heldRev{Item: item, Head: st.Revision.Audit[len(st.Revision.Audit)-1].Hash, Stored: value}
	// A record with no revision open yet opens in the queue: it counts against its sender.
	open, _, _, err := queued(tx, s.c, r.ID, r.Revision)
	if err != nil {
		return st, err
	}
	if !open {
		if err := addOpenHeld(tx, s.c, st.From, 1); err != nil {
			return st, err
		}
	}
	k := revKey(r.ID, r.Revision)
	if err := tx.Bucket(bktQueue).Put(k, nil); err != nil {
		return st, err
	}
	return st, s.c.put(tx.Bucket(bktReview), bktReview, k, h)
}

// Review is a page of the revisions held for the district's review, in key order
// (record id, then revision), from f.After: the open ones through reviewq/, so that a
// page reads only what it lists however many the district has decided; every one
// with f.All. The open records by sender come from reviewopen/.
func (s *Store) Review(ctx context.Context, f store.ReviewFilter) (store.ReviewPage, error) {
	var page store.ReviewPage
	id, rev, err := store.ParseReviewCursor(f.After)
	if err != nil {
		return page, err
	}
	limit := f.PageLimit()
	err = s.db.View(func(tx *bolt.Tx) error {
		walk := bktQueue
		if f.All {
			walk = bktReview
		}
		held := tx.Bucket(bktReview)
		cur := tx.Bucket(walk).Cursor()
		k, _ := cur.First()
		if f.After != "" {
			after := revKey(id, rev)
			if k, _ = cur.Seek(after); k != nil && bytes.Equal(k, after) {
				k, _ = cur.Next()
			}
		}
		var items []store.ReviewItem
		for ; k != nil && len(items) <= limit; k, _ = cur.Next() { // one more: the page is not the last
			var h heldRev
			if err := s.c.decode(bktReview, k, held.Get(k), &h); err != nil {
				return err
			}
			items = append(items, h.Item)
		}
		page = store.ReviewPageOf(items, limit)
		page.OpenBySender = map[string]int{}
		return tx.Bucket(bktOpenHeld).ForEach(func(k, v []byte) error {
			plain, err := s.c.open(bktOpenHeld, k, v)
			if n := int(fromU64(plain)); err == nil && n > 0 {
				page.OpenBySender[string(k)] = n
			}
			return err
		})
	})
	if err != nil {
		return store.ReviewPage{}, fmt.Errorf("list the records held for review: %w", err)
	}
	return page, nil
}

// DecideReview accepts a held record into a village (the person joins the roster, the
// record the log) or refuses it (a withdrawal in the log for the sending laptop).
func (s *Store) DecideReview(ctx context.Context, d store.ReviewDecision) ([]store.ReviewItem, error) {
	d, err := d.Taken(s.now)
	if err != nil {
		return nil, err
	}
	var out []store.ReviewItem
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, queue := tx.Bucket(bktReview), tx.Bucket(bktQueue)
		prefix := []byte(d.RecordID + "/")
		var keys [][]byte
		var open []heldRev
		cur := queue.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, _ = cur.Next() {
			var h heldRev
			if err := s.c.decode(bktReview, k, b.Get(k), &h); err != nil {
				return err
			}
			keys, open = append(keys, bytes.Clone(k)), append(open, h)
		}
		if len(open) == 0 {
			return fmt.Errorf("record %s is not held for review: %w", d.RecordID, store.ErrNotFound)
		}
		if err := addOpenHeld(tx, s.c, open[0].Item.From, -1); err != nil {
			return err
		}
		w := writer{tx: tx, c: s.c}
		log := tx.Bucket(bktLog)
		last := open[len(open)-1].Item
		if d.Refuse != "" {
			wd := d.Withdrawal(last)
			if err := s.c.put(tx.Bucket(bktWithdrawn), bktWithdrawn, []byte(d.RecordID), wd); err != nil {
				return err
			}
			seq, err := log.NextSequence()
			if err != nil {
				return err
			}
			// For the laptop that sent it (and its village's leader): the label's village.
			if err := w.log(seq, logEntry{Kind: kindWithdraw, Key: d.RecordID, Village: last.Village,
				Enumerators: []string{last.Enumerator, last.From}}); err != nil {
				return err
			}
		} else {
			row := store.RosterRowOf(last.RecordRow, d.Village)
			data, err := json.Marshal(row)
			if err != nil {
				return err
			}
			key := []byte(s.c.blind(row.Key()))
			old, err := s.c.open(bktRoster, key, tx.Bucket(bktRoster).Get(key))
			if err != nil {
				return err
			}
			if !bytes.Equal(old, data) {
				if err := tx.Bucket(bktRoster).Put(key, s.c.seal(bktRoster, key, data)); err != nil {
					return err
				}
				seq, err := log.NextSequence()
				if err != nil {
					return err
				}
				if err := w.log(seq, logEntry{Kind: kindRoster, Key: string(key), Village: row.Village}); err != nil {
					return err
				}
			}
			for _, h := range open {
				st, err := decodeStored(h.Stored)
				if err != nil {
					return fmt.Errorf("held revision %s: %w", h.Item.ServerID, err)
				}
				named := st.Case.Village // the team's laptops pull it too (store.Decision.Filed)
				if named == d.Village {
					named = ""
				}
				st.Case.Village = d.Village
				var others []string
				if recordKey(tx, d.RecordID) == nil {
					others = othersOf(tx, s.c.person(st.Case.Subject, st.Revision.Record.FormID), d.RecordID)
				}
				seq, err := log.NextSequence()
				if err != nil {
					return err
				}
				st.Seq = seq
				if _, err := w.revision(seq, st, nil, others, named); err != nil {
					return err
				}
			}
		}
		for i, h := range open {
			h.Item = d.Mark(h.Item)
			if err := s.c.put(b, bktReview, keys[i], h); err != nil {
				return err
			}
			if err := queue.Delete(keys[i]); err != nil {
				return err
			}
			out = append(out, h.Item)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decide on a record held for review: %w", err)
	}
	return out, nil
}

// openHeld is how many records the sender has held open for review (reviewopen/).
func openHeld(tx *bolt.Tx, c codec, sender string) (int, error) {
	k := []byte(sender)
	v, err := c.open(bktOpenHeld, k, tx.Bucket(bktOpenHeld).Get(k))
	if err != nil {
		return 0, fmt.Errorf("open held records of %s: %w", sender, err)
	}
	return int(fromU64(v)), nil
}

// addOpenHeld moves the sender's count of records held open by delta.
func addOpenHeld(tx *bolt.Tx, c codec, sender string, delta int) error {
	n, err := openHeld(tx, c, sender)
	if err != nil {
		return err
	}
	k := []byte(sender)
	return tx.Bucket(bktOpenHeld).Put(k, c.seal(bktOpenHeld, k, u64(uint64(max(n+delta, 0)))))
}

// countOpenHeld is the step to schema 6, and what follows every sealing: reviewopen/
// counted afresh from review/ — a record open for review counts against the sender of
// its first open revision (keys order by record, then revision) — under the file's key.
func (s *Store) countOpenHeld(tx *bolt.Tx) error {
	if err := recreate(tx, bktOpenHeld); err != nil {
		return err
	}
	counts := map[string]int{}
	var last string // the record whose open revision was counted last
	err := tx.Bucket(bktReview).ForEach(func(k, v []byte) error {
		var h heldRev
		if err := s.c.decode(bktReview, k, v, &h); err != nil {
			return err
		}
		if h.Item.Open() && h.Item.RecordID != last {
			counts[h.Item.From]++
			last = h.Item.RecordID
		}
		return nil
	})
	if err != nil {
		return err
	}
	for sender, n := range counts {
		if err := addOpenHeld(tx, s.c, sender, n); err != nil {
			return err
		}
	}
	return nil
}

// indexOpenQueue is the step to schema 7: reviewq/ holds the key of every revision of
// review/ still open, so that a page of the open queue reads no decided one.
func indexOpenQueue(s *Store, tx *bolt.Tx) error {
	if err := recreate(tx, bktQueue); err != nil {
		return err
	}
	queue := tx.Bucket(bktQueue)
	return tx.Bucket(bktReview).ForEach(func(k, v []byte) error {
		var h heldRev
		if err := s.c.decode(bktReview, k, v, &h); err != nil || !h.Item.Open() {
			return err
		}
		return queue.Put(k, nil) // another bucket than the one walked
	})
}

// recreate empties a derived bucket, or makes it.
func recreate(tx *bolt.Tx, name []byte) error {
	if tx.Bucket(name) != nil {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
	}
	return create(tx, name)
}
