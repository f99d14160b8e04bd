package localstore

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxEntry is a record revision waiting to be sent to the district. It holds a
// snapshot of the record as it was queued, so a later change cannot alter what this
// revision says; the audit chain up to that point is append-only and read at send time.
type OutboxEntry struct {
	Seq         uint64    `json:"seq"`
	RecordID    string    `json:"record_id"`
	Revision    uint64    `json:"revision"`
	ContentHash string    `json:"content_hash"`
	QueuedAt    time.Time `json:"queued_at"`
	Record      Record    `json:"record"`
}

// OutboxItem is an entry with the audit chain of its revision, ready to send.
type OutboxItem struct {
	OutboxEntry
	Audit []AuditEntry
}

// queue adds the record's current revision to the outbox, in the caller's transaction.
func (s *Session) queue(tx *bolt.Tx, r *Record) error {
	b := tx.Bucket(bucketOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e := OutboxEntry{Seq: seq, RecordID: r.ID, Revision: r.Revision, ContentHash: r.ContentHash(), QueuedAt: s.db.opts.Now(), Record: *r}
	return s.keys.putSealed(b, string(bucketOutbox), u64(seq), &e)
}

// Outbox returns up to limit entries (all when limit ≤ 0), oldest first.
func (s *Session) Outbox(limit int) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			var e OutboxEntry
			if err := s.keys.decode(string(bucketOutbox), k, v, &e); err != nil {
				return err
			}
			audit, err := s.loadAudit(tx, e.RecordID, e.Record.AuditLen)
			if err != nil {
				return err
			}
			out = append(out, OutboxItem{OutboxEntry: e, Audit: audit})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// OutboxLen is how many revisions wait to be sent.
func (db *DB) OutboxLen() (int, error) {
	var n int
	err := db.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOutbox).Stats().KeyN
		return nil
	})
	return n, err
}

// Ack removes sent entries in one transaction, with whatever the caller records in the
// same transaction (a receipt), so an acknowledgement is never half applied.
func (s *Session) Ack(seqs ...uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		for _, seq := range seqs {
			if err := b.Delete(u64(seq)); err != nil {
				return err
			}
		}
		return nil
	})
}
