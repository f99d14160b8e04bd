package localstore

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

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
	if s.own == nil {
		return fmt.Errorf("%w: user %s has no signing key", ErrCorrupt, s.user.Code)
	}
	e.Sign(r.ID, s.own.Signing)
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
	err := s.db.view(func(tx *bolt.Tx) error {
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
	// Damaged is a record the file cannot give back (a damaged page or value): a
	// backup is the way back, not a fix by hand.
	Damaged bool
}

func (p Problem) String() string {
	return fmt.Sprintf("record %s (%s): %s", shortID(p.RecordID), p.CaseName, p.Msg)
}

// Verify checks every record against its audit chain: the chain's hashes link, its head
// is the record's, replaying its answers gives the record's answers, every completed
// record's signatures match its content, and every entry is signed by a key the kept
// cards give its author (an approval or return by a team leader's). It reports edits
// made outside the program and entries forged in another's name. A record that cannot
// be read is a problem naming it; Verify goes on with the others.
func (s *Session) Verify() ([]Problem, error) {
	var problems []Problem
	err := s.db.view(func(tx *bolt.Tx) error {
		authors, check, err := s.authorsAndCheck(tx)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) (err error) {
			var r Record
			name := "?"
			// A damaged page under one record (bbolt panics on it) is that record's
			// problem, named; the others are still checked.
			defer func() {
				if p := recover(); p != nil {
					problems = append(problems, Problem{RecordID: string(k), CaseName: name,
						Msg: fmt.Sprintf("%v: %v", ErrCorrupt, p), Damaged: true})
					err = nil
				}
			}()
			if err := s.keys.decode(string(bucketRecords), k, v, &r); err != nil {
				problems = append(problems, Problem{RecordID: string(k), CaseName: name, Msg: err.Error(), Damaged: true})
				return nil
			}
			if c, err := s.loadCase(tx, r.CaseID); err == nil {
				name = c.Row.Name
			}
			entries, err := s.loadAudit(tx, r.ID, 0)
			if err != nil {
				problems = append(problems, Problem{RecordID: r.ID, CaseName: name, Msg: err.Error(), Damaged: errors.Is(err, ErrCorrupt)})
				return nil
			}
			for _, msg := range record.Verify(&r, entries) {
				problems = append(problems, Problem{RecordID: r.ID, CaseName: name, Msg: msg})
			}
			for _, msg := range record.CheckAuthors(&r, entries, 0, authors, check) {
				problems = append(problems, Problem{RecordID: r.ID, CaseName: name, Msg: msg})
			}
			return nil
		})
	})
	return problems, err
}

// authorsAndCheck reads the kept key cards and from when entries must be signed.
func (s *Session) authorsAndCheck(tx *bolt.Tx) (record.Authors, record.AuthorCheck, error) {
	cards, err := s.cardsIn(tx)
	if err != nil {
		return nil, record.AuthorCheck{}, err
	}
	authors := record.Authors{}
	for _, c := range cards {
		authors[c.Code] = append(authors[c.Code], record.Author{Code: c.Code, Name: c.Name, Role: c.Role, Key: c.Verify})
	}
	// The district's key, learnt at enrolment, signs the district office's decisions
	// (a town's return): pulled, carried in a bundle or verified, they are checked
	// against it like any other entry.
	var st SyncState
	if ok, err := s.keys.getSealed(tx.Bucket(bucketSync), string(bucketSync), keySyncState, &st); err != nil {
		return nil, record.AuthorCheck{}, err
	} else if ok && st.DistrictKey != "" {
		if k, err := base64.StdEncoding.DecodeString(st.DistrictKey); err == nil && len(k) == ed25519.PublicKeySize {
			authors[record.RoleDistrict] = append(authors[record.RoleDistrict], record.Author{Code: record.RoleDistrict, Name: "区县 district", Role: record.RoleDistrict, Key: k})
		}
	}
	var check record.AuthorCheck
	if v := tx.Bucket(bucketMeta).Get(keySignedSince); v != nil {
		if check.UnsignedBefore, err = time.Parse(time.RFC3339Nano, string(v)); err != nil {
			return nil, record.AuthorCheck{}, fmt.Errorf("%w: meta/signed_since: %v", ErrCorrupt, err)
		}
	}
	return authors, check, nil
}
