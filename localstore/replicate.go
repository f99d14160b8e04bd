package localstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/record"
)

// Revision is a record ready to move to another laptop or the server: the wire form
// the record package defines, with the photos it names.
type Revision = record.Revision

// ReceiveResult is what became of a revision received.
type ReceiveResult string

// Results of Receive.
const (
	Received  ReceiveResult = "stored"    // new here, or newer than here
	Duplicate ReceiveResult = "duplicate" // this laptop has exactly this revision
	Stale     ReceiveResult = "stale"     // this laptop has a later one
	Rejected  ReceiveResult = "rejected"  // see the reason
)

// ErrConflict is a record changed on two laptops in different ways.
var ErrConflict = record.ErrConflict

// Revision returns the record as it is here, with its chain and photos, to send.
func (s *Session) Revision(recordID string) (Revision, error) {
	var rev Revision
	err := s.db.view(func(tx *bolt.Tx) error {
		r, err := s.loadRecord(tx, recordID)
		if err != nil {
			return err
		}
		audit, err := s.loadAudit(tx, recordID, 0)
		if err != nil {
			return err
		}
		rev = Revision{Record: *r, Audit: audit}
		for _, p := range r.Photos {
			sealed := tx.Bucket(bucketAttachments).Get([]byte(p.Hash))
			if sealed == nil {
				return fmt.Errorf("record %s: photo %s: %w", shortID(r.ID), shortID(p.Hash), ErrNotFound)
			}
			data, err := s.keys.open(string(bucketAttachments), []byte(p.Hash), sealed)
			if err != nil {
				return err
			}
			if rev.Photos == nil {
				rev.Photos = map[string][]byte{}
			}
			rev.Photos[p.Hash] = data
		}
		return nil
	})
	if err != nil {
		return Revision{}, fmt.Errorf("read revision: %w", err)
	}
	return rev, nil
}

// Receive takes a revision from another laptop. It is checked first — the chain links,
// replays to the record's answers, the signatures bind its content, its photos are
// there and are what their hashes say, its case is on this laptop's roster — and stored
// only if it extends what is here. Each entry new here must be signed by the key of the
// author it names where this laptop keeps that author's card (the district server
// checks the rest against the keys its users enrolled). The reason says why a revision
// was rejected, in words for the person importing it. One transaction: nothing
// half-stored.
func (s *Session) Receive(rev Revision) (ReceiveResult, string, error) {
	return s.receive(rev, false)
}

// receive is Receive; needCard refuses entries by authors without a kept card, as a
// bundle from the team must (every laptop of a team keeps the team's cards).
func (s *Session) receive(rev Revision, needCard bool) (ReceiveResult, string, error) {
	r := rev.Record
	if len(rev.Audit) == 0 {
		return Rejected, "the record comes without its audit chain", nil
	}
	if msgs := record.Verify(&r, rev.Audit); len(msgs) > 0 {
		return Rejected, strings.Join(msgs, "; "), nil
	}
	for _, p := range r.Photos {
		data, ok := rev.Photos[p.Hash]
		if !ok {
			continue // checked against this laptop's photos below
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != p.Hash || len(data) > MaxPhotoSize {
			return Rejected, fmt.Sprintf("photo %s is not the one the record names", shortID(p.Hash)), nil
		}
	}
	result, reason := Received, ""
	err := s.update(func(tx *bolt.Tx) error {
		// Which case, as this laptop names it.
		var ik []byte
		switch {
		case r.Village != "":
			if len(s.user.Villages) > 0 && !slices.Contains(s.user.Villages, r.Village) {
				result, reason = Rejected, fmt.Sprintf("%s is not one of your villages", r.Village)
				return nil
			}
			r.CaseID = ""
			ik = s.villageKey(r.Village, r.FormID)
		case r.Subject != "":
			c, err := s.caseBySubject(tx, r.Subject)
			if errors.Is(err, ErrNotFound) {
				result, reason = Rejected, "the case is not on this laptop's roster: import the same roster first"
				return nil
			}
			if err != nil {
				return err
			}
			if len(s.user.Villages) > 0 && !slices.Contains(s.user.Villages, c.Row.Village) {
				result, reason = Rejected, fmt.Sprintf("%s is not one of your villages", c.Row.Village)
				return nil
			}
			r.CaseID = c.ID
			ik = s.recordKey(c.ID, r.FormID)
		default:
			result, reason = Rejected, "the record does not say which case it is (written by an older Doorstep)"
			return nil
		}
		idx := tx.Bucket(bucketRecordIndex)
		if id := idx.Get(ik); id != nil && string(id) != r.ID {
			// The record the district kept takes the place of the one it withdrew for
			// the case; any other second record is a conflict.
			other, err := s.loadRecord(tx, string(id))
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if other == nil || other.Withdrawn == nil || other.Withdrawn.Kept != r.ID {
				result, reason = Rejected, fmt.Sprintf("%v: this laptop has another record of the same case and form", ErrConflict)
				return nil
			}
		}
		local, err := s.loadRecord(tx, r.ID)
		var have []AuditEntry
		switch {
		case errors.Is(err, ErrNotFound):
			if err := idx.Put(ik, []byte(r.ID)); err != nil {
				return err
			}
			if _, err := tx.Bucket(bucketAudit).CreateBucket([]byte(r.ID)); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if have, err = s.loadAudit(tx, r.ID, 0); err != nil {
				return err
			}
			n := len(have)
			if len(rev.Audit) <= n {
				if rev.Audit[len(rev.Audit)-1].Hash != have[len(rev.Audit)-1].Hash {
					result, reason = Rejected, ErrConflict.Error()
				} else if len(rev.Audit) == n {
					result = Duplicate
				} else {
					result = Stale
				}
				return nil
			}
			if rev.Audit[n-1].Hash != local.AuditHead {
				result, reason = Rejected, ErrConflict.Error()
				return nil
			}
		}
		authors, check, err := s.authorsAndCheck(tx)
		if err != nil {
			return err
		}
		check.NeedCard = needCard
		if msgs := record.CheckAuthors(&r, rev.Audit, len(have), authors, check); len(msgs) > 0 {
			result, reason = Rejected, strings.Join(msgs, "; ")
			// Nothing written is kept: the transaction is rolled back.
			return errRefused
		}
		b := tx.Bucket(bucketAudit).Bucket([]byte(r.ID))
		for _, e := range rev.Audit[len(have):] {
			if err := s.keys.putSealed(b, auditPath(r.ID), u64(e.Seq), &e); err != nil {
				return err
			}
		}
		att := tx.Bucket(bucketAttachments)
		for _, p := range r.Photos {
			if att.Get([]byte(p.Hash)) != nil {
				continue
			}
			data, ok := rev.Photos[p.Hash]
			if !ok {
				// Nothing written is kept: the transaction is rolled back.
				return errMissingPhoto{p.Hash}
			}
			if err := att.Put([]byte(p.Hash), s.keys.seal(string(bucketAttachments), []byte(p.Hash), data)); err != nil {
				return err
			}
		}
		r.Withdrawn = nil // the district says it in pull, never the record
		if local != nil {
			r.Withdrawn = local.Withdrawn
		}
		return s.saveRecord(tx, &r)
	})
	if errors.Is(err, errRefused) {
		return result, reason, nil
	}
	var missing errMissingPhoto
	if errors.As(err, &missing) {
		return Rejected, fmt.Sprintf("photo %s is missing", shortID(missing.hash)), nil
	}
	if err != nil {
		return "", "", fmt.Errorf("receive record %s: %w", shortID(r.ID), err)
	}
	return result, reason, nil
}

// errRefused rolls back a receive whose reason is already set.
var errRefused = errors.New("refused")

type errMissingPhoto struct{ hash string }

func (e errMissingPhoto) Error() string { return "photo " + e.hash + " is missing" }

// caseBySubject finds the case by its certificate (or ID) number.
func (s *Session) caseBySubject(tx *bolt.Tx, subject string) (*Case, error) {
	key := s.keys.lookup("case", strings.ToUpper(strings.TrimSpace(subject)))
	var c Case
	found, err := s.keys.getSealed(tx.Bucket(bucketCases), string(bucketCases), key, &c)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("case %s: %w", shortID(subject), ErrNotFound)
	}
	return &c, nil
}

// MarkWithdrawn keeps the district's withdrawal of a record (pulled: a duplicate
// interview resolved for the other record) on the record and its case, so the lists say
// it and no count takes it (survey.Surveyed). It reports whether this laptop has the
// record; a withdrawal of a record it has not is nothing to keep. Marking it again
// changes nothing.
func (s *Session) MarkWithdrawn(recordID string, w Withdrawal) (bool, error) {
	found := false
	err := s.update(func(tx *bolt.Tx) error {
		r, err := s.loadRecord(tx, recordID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		if o := r.Withdrawn; o != nil && o.Kept == w.Kept && o.Reason == w.Reason && o.At.Equal(w.At) {
			return nil
		}
		r.Withdrawn = &w
		return s.saveRecord(tx, r)
	})
	if err != nil {
		return false, fmt.Errorf("mark record %s withdrawn: %w", shortID(recordID), err)
	}
	return found, nil
}
