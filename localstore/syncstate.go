package localstore

import (
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/record"
)

// SyncState is this laptop's enrolment with the district server and how far it has
// pulled. It is sealed like everything else: the device token is a credential.
type SyncState struct {
	Server      string `json:"server"`                // https://host:port
	Fingerprint string `json:"fingerprint,omitempty"` // pinned SHA-256 of the server's certificate, hex
	Token       string `json:"token"`
	User        string `json:"user"` // the enrolled user's code
	ServerID    string `json:"server_id"`
	// Epoch names the server's database: a server restored or reset gets a new one,
	// and the cursor then starts again from zero.
	Epoch    string    `json:"epoch"`
	Cursor   uint64    `json:"cursor"`
	LastSync time.Time `json:"last_sync,omitzero"`
	// DistrictKey is the district's public key (base64) learnt at enrolment: the forms
	// the server sends must be signed by it. Empty for a laptop enrolled before.
	DistrictKey string `json:"district_key,omitempty"`
}

var keySyncState = []byte("state")

// SyncState returns the enrolment; ok is false when the laptop is not enrolled.
func (s *Session) SyncState() (st SyncState, ok bool, err error) {
	err = s.db.view(func(tx *bolt.Tx) error {
		ok, err = s.keys.getSealed(tx.Bucket(bucketSync), string(bucketSync), keySyncState, &st)
		return err
	})
	return st, ok, err
}

// SetSyncState keeps the enrolment and cursor.
func (s *Session) SetSyncState(st SyncState) error {
	return s.update(func(tx *bolt.Tx) error {
		return s.keys.putSealed(tx.Bucket(bucketSync), string(bucketSync), keySyncState, &st)
	})
}

// PushAck is the server's answer to one outbox entry.
type PushAck struct {
	Seq      uint64
	RecordID string
	Receipt  *Receipt // stored or a duplicate: the district has it
	// Code is the server's reason code for a refusal (protocol.Reason*), Args its
	// particulars, Reason the server's words: the entry moves aside with them.
	Code   string
	Args   []string
	Reason string
	// Drop removes the entry and keeps nothing: the district already has a later
	// revision of the record.
	Drop bool
}

// RejectedEntry is an outbox entry the server refused, kept with the reason.
type RejectedEntry struct {
	OutboxEntry
	Code       string    `json:"code,omitempty"` // the server's reason code; "" before codes
	Args       []string  `json:"args,omitempty"`
	Reason     string    `json:"reason"` // the server's words, for a code the laptop does not know
	RejectedAt time.Time `json:"rejected_at"`
}

// Acknowledge removes answered entries from the outbox in one transaction with what
// the answers say: a receipt kept on the record, or the entry moved aside with the
// server's reason. A crash before it commits leaves the entries to be sent again,
// which the server answers as duplicates.
func (s *Session) Acknowledge(acks []PushAck) error {
	return s.update(func(tx *bolt.Tx) error {
		out, rej := tx.Bucket(bucketOutbox), tx.Bucket(bucketRejected)
		for _, a := range acks {
			var e OutboxEntry
			found, err := s.keys.getSealed(out, string(bucketOutbox), u64(a.Seq), &e)
			if err != nil {
				return err
			}
			if !found {
				continue // acknowledged before
			}
			if err := out.Delete(u64(a.Seq)); err != nil {
				return err
			}
			if a.Drop {
				continue
			}
			if a.Receipt == nil {
				re := RejectedEntry{OutboxEntry: e, Code: a.Code, Args: a.Args, Reason: a.Reason, RejectedAt: s.db.opts.Now()}
				if err := s.keys.putSealed(rej, string(bucketRejected), u64(a.Seq), &re); err != nil {
					return err
				}
				continue
			}
			r, err := s.loadRecord(tx, e.RecordID)
			if err != nil {
				return fmt.Errorf("acknowledge %s: %w", shortID(e.RecordID), err)
			}
			r.Receipts = append(r.Receipts, *a.Receipt)
			if err := s.keys.putSealed(tx.Bucket(bucketRecords), string(bucketRecords), []byte(r.ID), r); err != nil {
				return err
			}
			// The case list shows a completed case the district has as submitted (已上报);
			// the record keeps its status: submission is a receipt, not a change.
			if a.Receipt.Revision == r.Revision && r.Status == StatusCompleted && r.CaseID != "" {
				c, err := s.loadCase(tx, r.CaseID)
				if err != nil {
					return err
				}
				c.Status = StatusSubmitted
				key, _ := hex.DecodeString(c.ID)
				if err := s.keys.putSealed(tx.Bucket(bucketCases), string(bucketCases), key, c); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Rejected returns the entries the server refused, oldest first.
func (s *Session) Rejected() ([]RejectedEntry, error) {
	var out []RejectedEntry
	err := s.db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRejected).ForEach(func(k, v []byte) error {
			var e RejectedEntry
			if err := s.keys.decode(string(bucketRejected), k, v, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// VerifyRevision, Unlinked, VerifyRelinked and Relink are the shared record rules;
// these names keep the laptop's callers as they were.
var (
	VerifyRevision = record.VerifyRevision
	Unlinked       = record.Unlinked
	VerifyRelinked = record.VerifyRelinked
	Relink         = record.Relink
)
