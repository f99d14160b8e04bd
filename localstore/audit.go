package localstore

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/record"
)

// Audit actions and entries are the shared record rules (package record).
type AuditEntry = record.AuditEntry

// Audit actions.
const (
	ActionCreate  = record.ActionCreate
	ActionHeader  = record.ActionHeader
	ActionAnswer  = record.ActionAnswer
	ActionNote    = record.ActionNote
	ActionConfirm = record.ActionConfirm
	ActionSign    = record.ActionSign
	ActionPhoto   = record.ActionPhoto
	ActionStatus  = record.ActionStatus
	ActionReturn  = record.ActionReturn
	ActionForm    = record.ActionForm
)

func (s *Session) appendAudit(tx *bolt.Tx, r *Record, e AuditEntry) error {
	b := tx.Bucket(bucketAudit).Bucket([]byte(r.ID))
	if b == nil {
		return fmt.Errorf("%w: record %s has no audit chain", ErrCorrupt, shortID(r.ID))
	}
	e.Seq = r.AuditLen + 1
	e.User = s.user.Code
	e.At = s.db.opts.Now()
	e.Prev = r.AuditHead
	e.Hash = e.ComputeHash()
	if err := s.keys.putSealed(b, auditPath(r.ID), u64(e.Seq), &e); err != nil {
		return err
	}
	r.AuditLen, r.AuditHead = e.Seq, e.Hash
	return nil
}

func auditPath(recordID string) string { return string(bucketAudit) + "/" + recordID }

// Audit returns a record's audit chain in order.
func (s *Session) Audit(recordID string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = s.loadAudit(tx, recordID, 0)
		return err
	})
	return out, err
}

// loadAudit reads the first n entries (all when n is 0).
func (s *Session) loadAudit(tx *bolt.Tx, recordID string, n uint64) ([]AuditEntry, error) {
	b := tx.Bucket(bucketAudit).Bucket([]byte(recordID))
	if b == nil {
		return nil, fmt.Errorf("%w: record %s has no audit chain", ErrCorrupt, shortID(recordID))
	}
	var out []AuditEntry
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n > 0 && uint64(len(out)) >= n {
			break
		}
		var e AuditEntry
		if err := s.keys.decode(auditPath(recordID), k, v, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Problem is one thing Verify found wrong.
type Problem struct {
	RecordID string
	CaseName string
	Msg      string
}

func (p Problem) String() string {
	return fmt.Sprintf("record %s (%s): %s", shortID(p.RecordID), p.CaseName, p.Msg)
}

// Verify checks every record against its audit chain: the chain's hashes link, its head
// is the record's, replaying its answers gives the record's answers, and every completed
// record's signatures match its content. It reports edits made outside the program.
func (s *Session) Verify() ([]Problem, error) {
	var problems []Problem
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			var r Record
			name := "?"
			if err := s.keys.decode(string(bucketRecords), k, v, &r); err != nil {
				problems = append(problems, Problem{RecordID: string(k), CaseName: name, Msg: err.Error()})
				return nil
			}
			if c, err := s.loadCase(tx, r.CaseID); err == nil {
				name = c.Row.Name
			}
			entries, err := s.loadAudit(tx, r.ID, 0)
			if err != nil {
				problems = append(problems, Problem{r.ID, name, err.Error()})
				return nil
			}
			for _, msg := range verifyRecord(&r, entries) {
				problems = append(problems, Problem{r.ID, name, msg})
			}
			return nil
		})
	})
	return problems, err
}

// verifyRecord checks one record against its chain.
func verifyRecord(r *Record, entries []AuditEntry) []string {
	return record.Verify(r, entries)
}
