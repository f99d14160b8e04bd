package localstore

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/record"
)

// The record and its parts are the rules every side shares (package record); these
// names keep the laptop's callers as they were.
type (
	Status     = record.Status
	SignerRole = record.SignerRole
	Point      = record.Point
	Signature  = record.Signature
	Attachment = record.Attachment
	Comment    = record.Comment
	Record     = record.Record
	Receipt    = record.Receipt
	Withdrawal = record.Withdrawal
)

// Record statuses.
const (
	StatusDraft     = record.StatusDraft
	StatusReadBack  = record.StatusReadBack
	StatusSigned    = record.StatusSigned
	StatusCompleted = record.StatusCompleted
	StatusSubmitted = record.StatusSubmitted
	StatusApproved  = record.StatusApproved
	StatusReturned  = record.StatusReturned
)

// OutcomeInterviewed is the case outcome that opens the form (正常调查).
const OutcomeInterviewed = record.OutcomeInterviewed

// Signer roles.
const (
	SignerRespondent = record.SignerRespondent
	SignerProxy      = record.SignerProxy
	SignerEnumerator = record.SignerEnumerator
)

// ProxyMark follows a proxy's name wherever a signature is shown or printed.
const ProxyMark = record.ProxyMark

// Errors of record changes.
var (
	ErrNotFound       = errors.New("not found")
	ErrRecordLocked   = errors.New("the record is completed; only a team leader's return reopens it")
	ErrReasonRequired = errors.New("this section was confirmed at read-back: say why the answer changes")
	ErrNotReady       = errors.New("the record is not ready")
	ErrTooLarge       = errors.New("too large")
	ErrDiskFull       = errors.New("the disk is full: nothing was saved; free some space (delete old files or copies) and try again")
)

// MaxPhotoSize caps one photo: a phone or laptop camera's JPEG is 1–5 MB.
const MaxPhotoSize = record.MaxPhotoSize

// recordKey looks up a case's record of a form.
func (s *Session) recordKey(caseID, formID string) []byte {
	return s.keys.lookup("record", caseID+"\x00"+formID)
}

// StartRecord returns the case's record of the form, creating a draft if there is none.
// A record of one of the earlier forms (next year's form names the one it follows) is
// returned instead: a case has one record, which keeps the form it was started with.
func (s *Session) StartRecord(caseID, formID, formVersion string, earlier ...string) (*Record, error) {
	var rec *Record
	err := s.update(func(tx *bolt.Tx) error {
		c, err := s.loadCase(tx, caseID)
		if err != nil {
			return err
		}
		idx := tx.Bucket(bucketRecordIndex)
		ik := s.recordKey(caseID, formID)
		for _, f := range append([]string{formID}, earlier...) {
			if id := idx.Get(s.recordKey(caseID, f)); id != nil {
				r, err := s.loadRecord(tx, string(id))
				rec = r
				return err
			}
		}
		rec = s.newRecord(formID, formVersion)
		rec.CaseID, rec.Subject = caseID, c.Row.Key()
		return s.createRecord(tx, ik, rec, map[string]string{"form": formID + " " + formVersion})
	})
	if err != nil {
		return nil, fmt.Errorf("start record: %w", err)
	}
	return rec, nil
}

// newRecord is a new draft of the form, started by this user.
func (s *Session) newRecord(formID, formVersion string) *Record {
	now := s.db.opts.Now()
	return &Record{ID: hex.EncodeToString(randomBytes(16)), FormID: formID, FormVersion: formVersion,
		Enumerator: s.user.Code, Answers: map[string]json.RawMessage{}, Status: StatusDraft, CreatedAt: now, UpdatedAt: now}
}

// createRecord indexes a new record under ik, opens its audit chain with what is
// created, and saves it, in the caller's transaction.
func (s *Session) createRecord(tx *bolt.Tx, ik []byte, rec *Record, created map[string]string) error {
	if err := tx.Bucket(bucketRecordIndex).Put(ik, []byte(rec.ID)); err != nil {
		return err
	}
	if _, err := tx.Bucket(bucketAudit).CreateBucket([]byte(rec.ID)); err != nil {
		return err
	}
	if err := s.appendAudit(tx, rec, AuditEntry{Action: ActionCreate, New: mustJSON(created)}); err != nil {
		return err
	}
	return s.saveRecord(tx, rec)
}

// RecordFor returns the case's record of the form, or of one of the earlier forms, or
// ErrNotFound.
func (s *Session) RecordFor(caseID, formID string, earlier ...string) (*Record, error) {
	var rec *Record
	err := s.db.view(func(tx *bolt.Tx) error {
		var id []byte
		for _, f := range append([]string{formID}, earlier...) {
			if id = tx.Bucket(bucketRecordIndex).Get(s.recordKey(caseID, f)); id != nil {
				break
			}
		}
		if id == nil {
			return fmt.Errorf("record of case %s, form %s: %w", shortID(caseID), formID, ErrNotFound)
		}
		var err error
		rec, err = s.loadRecord(tx, string(id))
		return err
	})
	return rec, err
}

// Record returns a record by id.
func (s *Session) Record(id string) (*Record, error) {
	var rec *Record
	err := s.db.view(func(tx *bolt.Tx) error {
		var err error
		rec, err = s.loadRecord(tx, id)
		return err
	})
	return rec, err
}

// Records returns every record, in no particular order.
func (s *Session) Records() ([]*Record, error) {
	var out []*Record
	err := s.db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			var r Record
			if err := s.keys.decode(string(bucketRecords), k, v, &r); err != nil {
				return err
			}
			out = append(out, &r)
			return nil
		})
	})
	return out, err
}

func (s *Session) loadRecord(tx *bolt.Tx, id string) (*Record, error) {
	var r Record
	found, err := s.keys.getSealed(tx.Bucket(bucketRecords), string(bucketRecords), []byte(id), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("record %s: %w", shortID(id), ErrNotFound)
	}
	if r.Answers == nil {
		r.Answers = map[string]json.RawMessage{}
	}
	return &r, nil
}

func (s *Session) loadCase(tx *bolt.Tx, id string) (*Case, error) {
	key, err := hex.DecodeString(id)
	if err != nil {
		return nil, fmt.Errorf("case %q: %w", id, ErrNotFound)
	}
	var c Case
	found, err := s.keys.getSealed(tx.Bucket(bucketCases), string(bucketCases), key, &c)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("case %s: %w", shortID(id), ErrNotFound)
	}
	return &c, nil
}

// saveRecord writes the record and mirrors its status on the case, in the caller's
// transaction.
func (s *Session) saveRecord(tx *bolt.Tx, r *Record) error {
	return s.putRecord(tx, r, true)
}

// putRecord writes the record, and its status on the case when mirror is set.
func (s *Session) putRecord(tx *bolt.Tx, r *Record, mirror bool) error {
	r.UpdatedAt = s.db.opts.Now()
	if err := s.keys.putSealed(tx.Bucket(bucketRecords), string(bucketRecords), []byte(r.ID), r); err != nil {
		return err
	}
	if r.CaseID == "" || !mirror {
		return nil // a village's record: no case to mirror its status on
	}
	c, err := s.loadCase(tx, r.CaseID)
	if err != nil {
		return err
	}
	withdrawn := ""
	if r.Withdrawn != nil {
		withdrawn = cmp.Or(r.Withdrawn.Reason, "-")
	}
	if c.Status == r.Status && c.Outcome == r.Outcome && c.Withdrawn == withdrawn {
		return nil
	}
	c.Status, c.Outcome, c.Withdrawn = r.Status, r.Outcome, withdrawn
	key, _ := hex.DecodeString(c.ID)
	return s.keys.putSealed(tx.Bucket(bucketCases), string(bucketCases), key, c)
}

// update runs fn in one durable transaction.
func (s *Session) update(fn func(tx *bolt.Tx) error) error {
	return diskFull(s.db.update(fn))
}

// diskFull names a full disk (or a file-size limit, which looks the same) in words; the
// transaction was rolled back, so the last saved state is intact.
func diskFull(err error) error {
	if err == nil {
		return nil
	}
	// bbolt formats some I/O errors with %s, losing the errno, so the text is checked too.
	msg := err.Error()
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) ||
		strings.Contains(msg, syscall.ENOSPC.Error()) || strings.Contains(msg, syscall.EFBIG.Error()) {
		return fmt.Errorf("%w (%v)", ErrDiskFull, err)
	}
	return err
}

// change loads a record, lets fn change it, appends fn's audit entries and saves it, all
// in one durable transaction: when it returns nil, the change survives a power cut.
func (s *Session) change(id string, fn func(tx *bolt.Tx, r *Record) ([]AuditEntry, error)) (*Record, error) {
	var out *Record
	err := s.update(func(tx *bolt.Tx) error {
		r, err := s.loadRecord(tx, id)
		if err != nil {
			return err
		}
		oldStatus, oldOutcome := r.Status, r.Outcome
		entries, err := fn(tx, r)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			out = r
			return nil
		}
		for _, e := range entries {
			if err := s.appendAudit(tx, r, e); err != nil {
				return err
			}
		}
		r.Revision++
		if r.Status != oldStatus && (r.Status == StatusCompleted || r.Status == StatusReturned || r.Status == StatusApproved) {
			// What the district must learn of is queued with the change itself.
			if err := s.queue(tx, r); err != nil {
				return err
			}
		}
		// An answer changes neither status nor outcome: the case's mirror of them is
		// left alone, which spares decrypting the case on every keystroke's save.
		mirror := r.Status != oldStatus || r.Outcome != oldOutcome
		if err := s.putRecord(tx, r, mirror); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// AnswerChange is one answer set or cleared.
type AnswerChange struct {
	Question string
	Section  string          // the question's section, for the read-back rule
	Value    json.RawMessage // nil clears the answer
	Spent    time.Duration   // time on the question, from a monotonic clock (paradata)
	Reason   string          // why, when the section was already confirmed
	// Withdraw are notes (by key, as Record.Notes) that confirmed a warning about the
	// value this change replaces: a note confirms one value, and a new one asks again.
	Withdraw []string
}

// SaveAnswers applies changes (one answer, and any answers it made irrelevant) in one
// durable transaction with an audit entry each. Unchanged values are skipped.
func (s *Session) SaveAnswers(recordID string, changes ...AnswerChange) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() {
			return nil, ErrRecordLocked
		}
		var entries []AuditEntry
		for _, ch := range changes {
			old, had := r.Answers[ch.Question]
			if had && ch.Value != nil && bytes.Equal(old, ch.Value) || !had && ch.Value == nil {
				continue
			}
			if i := slices.Index(r.Confirmed, ch.Section); i >= 0 {
				// A returned record is changed because the leader asked (the comments
				// say why); otherwise the respondent's agreement needs a reason to undo.
				if ch.Reason == "" && r.Status != StatusReturned {
					return nil, fmt.Errorf("%s: %w", ch.Question, ErrReasonRequired)
				}
				// The respondent agreed to the old answer: the section is read back again.
				r.Confirmed = slices.Delete(r.Confirmed, i, i+1)
			}
			if ch.Value == nil {
				delete(r.Answers, ch.Question)
			} else {
				if !json.Valid(ch.Value) {
					return nil, fmt.Errorf("%s: the value is not JSON", ch.Question)
				}
				r.Answers[ch.Question] = slices.Clone(ch.Value)
			}
			entries = append(entries, AuditEntry{Action: ActionAnswer, Question: ch.Question,
				Old: slices.Clone(old), New: slices.Clone(ch.Value), Reason: ch.Reason, SpentMS: ch.Spent.Milliseconds()})
			for _, key := range ch.Withdraw {
				if note, ok := r.Notes[key]; ok {
					delete(r.Notes, key)
					entries = append(entries, AuditEntry{Action: ActionNote, Question: key, Old: jsonString(note), New: jsonString(""), Reason: ch.Reason})
				}
			}
		}
		if len(entries) > 0 && r.Status == StatusSigned {
			// The signatures no longer match: read back and sign again.
			r.Status = StatusReadBack
		}
		return entries, nil
	})
}

// SetCaseHeader records the collection method and the case outcome (with a note for an
// outcome other than an interview).
func (s *Session) SetCaseHeader(recordID string, method, outcome int, note string) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() {
			return nil, ErrRecordLocked
		}
		if r.Method == method && r.Outcome == outcome && r.OutcomeNote == note {
			return nil, nil
		}
		old := mustJSON(map[string]any{"method": r.Method, "outcome": r.Outcome, "note": r.OutcomeNote})
		r.Method, r.Outcome, r.OutcomeNote = method, outcome, note
		return []AuditEntry{{Action: ActionHeader, Old: old, New: mustJSON(map[string]any{"method": method, "outcome": outcome, "note": note})}}, nil
	})
}

// ConfirmWarning keeps the enumerator's note confirming a warning ("check@question").
func (s *Session) ConfirmWarning(recordID, key, note string) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() {
			return nil, ErrRecordLocked
		}
		if r.Notes == nil {
			r.Notes = map[string]string{}
		}
		old := r.Notes[key]
		if old == note {
			return nil, nil
		}
		r.Notes[key] = note
		return []AuditEntry{{Action: ActionNote, Question: key, Old: jsonString(old), New: jsonString(note)}}, nil
	})
}

// ConfirmSection marks a section as agreed at read-back; when sections is every section
// of the form, the caller moves on with MarkReadBack.
func (s *Session) ConfirmSection(recordID, section string) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() {
			return nil, ErrRecordLocked
		}
		if slices.Contains(r.Confirmed, section) {
			return nil, nil
		}
		r.Confirmed = append(r.Confirmed, section)
		return []AuditEntry{{Action: ActionConfirm, Question: section}}, nil
	})
}

// MarkReadBack records that the whole form was read back and agreed.
func (s *Session) MarkReadBack(recordID string) (*Record, error) {
	return s.setStatus(recordID, StatusReadBack, StatusDraft, StatusReturned, StatusReadBack)
}

// Sign adds a signature bound to the record's current content. A respondent's or
// proxy's signature needs the read-back first.
func (s *Session) Sign(recordID string, sig Signature) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() {
			return nil, ErrRecordLocked
		}
		if r.Outcome == OutcomeInterviewed && r.Status != StatusReadBack && r.Status != StatusSigned {
			return nil, fmt.Errorf("sign: %w: read the answers back first", ErrNotReady)
		}
		switch sig.Role {
		case SignerRespondent, SignerEnumerator:
		case SignerProxy:
			if sig.Relation == "" {
				return nil, fmt.Errorf("sign: a proxy's relation to the respondent is needed")
			}
		default:
			return nil, fmt.Errorf("sign: unknown signer role %q", sig.Role)
		}
		if sig.Name == "" {
			return nil, fmt.Errorf("sign: the signer's name is needed")
		}
		sig.At = s.db.opts.Now()
		if s.user.Code != r.Enumerator {
			return nil, fmt.Errorf("sign: %w: the record is %s's; signatures are taken by its enumerator", ErrNotAllowed, r.Enumerator)
		}
		sig.ContentHash = r.ContentHash()
		sig.EnumeratorKey = record.EnumeratorKeyText(s.own.Card().Verify)
		r.Signatures = append(r.Signatures, sig)
		_, resp := r.RespondentSignature()
		_, enum := r.SignedBy(SignerEnumerator)
		if resp && enum {
			r.Status = StatusSigned
		}
		return []AuditEntry{{Action: ActionSign, Question: string(sig.Role), New: mustJSON(map[string]string{"name": sig.DisplayName(), "relation": sig.Relation,
			"content_hash": sig.ContentHash, "enumerator_key": sig.EnumeratorKey})}}, nil
	})
}

// AddPhoto stores a photo of the visit with the record.
func (s *Session) AddPhoto(recordID string, data []byte, mimeType string) (*Record, error) {
	if len(data) > MaxPhotoSize {
		return nil, fmt.Errorf("photo is %.1f MB; at most %d MB: %w", float64(len(data))/(1<<20), MaxPhotoSize>>20, ErrTooLarge)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("photo is empty")
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	return s.change(recordID, func(tx *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() {
			return nil, ErrRecordLocked
		}
		if slices.ContainsFunc(r.Photos, func(a Attachment) bool { return a.Hash == hash }) {
			return nil, nil
		}
		b := tx.Bucket(bucketAttachments)
		if b.Get([]byte(hash)) == nil {
			if err := b.Put([]byte(hash), s.keys.seal(string(bucketAttachments), []byte(hash), data)); err != nil {
				return nil, err
			}
		}
		r.Photos = append(r.Photos, Attachment{Hash: hash, Size: len(data), Type: mimeType, AddedAt: s.db.opts.Now()})
		return []AuditEntry{{Action: ActionPhoto, New: jsonString(hash)}}, nil
	})
}

// Photo returns a photo's bytes.
func (s *Session) Photo(hash string) ([]byte, error) {
	var out []byte
	err := s.db.view(func(tx *bolt.Tx) error {
		sealed := tx.Bucket(bucketAttachments).Get([]byte(hash))
		if sealed == nil {
			return fmt.Errorf("photo %s: %w", shortID(hash), ErrNotFound)
		}
		var err error
		out, err = s.keys.open(string(bucketAttachments), []byte(hash), sealed)
		return err
	})
	return out, err
}

// Complete closes the record and queues its revision for the district in the same
// transaction. An interview needs the respondent's (or proxy's) and the enumerator's
// current signatures; another outcome needs a note. The form's own completeness (nothing
// missing, no error) is the caller's to check with the form engine before calling.
func (s *Session) Complete(recordID string) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() {
			return nil, ErrRecordLocked
		}
		switch {
		case r.Village != "":
			// The community form is answered by the village committee and signed by
			// whoever filled it in.
			if _, ok := r.SignedBy(SignerEnumerator); !ok {
				return nil, fmt.Errorf("complete: %w: sign the current answers first", ErrNotReady)
			}
		case r.Method == 0 || r.Outcome == 0:
			return nil, fmt.Errorf("complete: %w: the collection method and case outcome are not recorded", ErrNotReady)
		case r.Outcome == OutcomeInterviewed:
			if _, ok := r.RespondentSignature(); !ok {
				return nil, fmt.Errorf("complete: %w: the respondent (or a proxy) has not signed the current answers", ErrNotReady)
			}
			if _, ok := r.SignedBy(SignerEnumerator); !ok {
				return nil, fmt.Errorf("complete: %w: the enumerator has not signed the current answers", ErrNotReady)
			}
		case r.OutcomeNote == "":
			return nil, fmt.Errorf("complete: %w: a case without an interview needs a note", ErrNotReady)
		}
		r.Status = StatusCompleted
		r.CompletedAt = s.db.opts.Now()
		return []AuditEntry{{Action: ActionStatus, New: jsonString(string(StatusCompleted))}}, nil
	})
}

// Return reopens a completed record with the leader's comments; only a team leader may,
// and the return is queued for sync like a completion.
func (s *Session) Return(recordID string, comments []Comment) (*Record, error) {
	if s.user.Role != RoleLeader {
		return nil, fmt.Errorf("return: %w: only a team leader can return a record", ErrNotAllowed)
	}
	if len(comments) == 0 {
		return nil, fmt.Errorf("return: say what must be fixed")
	}
	return s.change(recordID, func(tx *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if err := s.leadsVillageOf(tx, r); err != nil {
			return nil, fmt.Errorf("return: %w", err)
		}
		if r.Status != StatusCompleted && r.Status != StatusSubmitted {
			return nil, fmt.Errorf("return: %w: only a completed or submitted record can be returned (it is %s)", ErrNotReady, r.Status)
		}
		now := s.db.opts.Now()
		round := 1
		for _, c := range r.Comments {
			round = max(round, c.Round+1)
		}
		for i := range comments {
			comments[i].By, comments[i].Round = s.user.Code, round
			if comments[i].At.IsZero() || comments[i].At.After(now) {
				comments[i].At = now
			}
		}
		r.Comments = append(r.Comments, comments...)
		r.Status = StatusReturned
		// The sections the respondent agreed to stay agreed: an answer changed for the
		// leader drops its own section's agreement (SaveAnswers), and only that section
		// is read back again.
		return []AuditEntry{{Action: ActionReturn, New: mustJSON(comments)}}, nil
	})
}

// Approve accepts a completed record; only a team leader of its village may.
func (s *Session) Approve(recordID string) (*Record, error) {
	if s.user.Role != RoleLeader {
		return nil, fmt.Errorf("approve: %w: only a team leader can approve a record", ErrNotAllowed)
	}
	return s.change(recordID, func(tx *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if err := s.leadsVillageOf(tx, r); err != nil {
			return nil, fmt.Errorf("approve: %w", err)
		}
		if r.Status == StatusApproved {
			return nil, nil
		}
		if r.Status != StatusCompleted && r.Status != StatusSubmitted {
			return nil, fmt.Errorf("approve: %w: a %s record cannot be approved", ErrNotReady, r.Status)
		}
		old := r.Status
		r.Status = StatusApproved
		return []AuditEntry{{Action: ActionStatus, Old: jsonString(string(old)), New: jsonString(string(StatusApproved))}}, nil
	})
}

// leadsVillageOf refuses a leader with villages of their own a record of another
// village: leaders see and decide on their team's villages only.
func (s *Session) leadsVillageOf(tx *bolt.Tx, r *Record) error {
	if len(s.user.Villages) == 0 {
		return nil
	}
	village := r.Village
	if r.CaseID != "" {
		c, err := s.loadCase(tx, r.CaseID)
		if err != nil {
			return err
		}
		village = c.Row.Village
	}
	if !slices.Contains(s.user.Villages, village) {
		return fmt.Errorf("%w: %s is not one of your team's villages", ErrNotAllowed, village)
	}
	return nil
}

// Reopen turns a returned record back into a draft for the enumerator to fix.
func (s *Session) Reopen(recordID string) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status == StatusDraft {
			return nil, nil
		}
		if r.Status != StatusReturned {
			return nil, fmt.Errorf("%w: a %s record cannot become %s", ErrNotReady, r.Status, StatusDraft)
		}
		// A draft again: read back whole, as a new one is.
		r.Status, r.Confirmed = StatusDraft, nil
		return []AuditEntry{{Action: ActionStatus, Old: jsonString(string(StatusReturned)), New: jsonString(string(StatusDraft))}}, nil
	})
}

func (s *Session) setStatus(recordID string, to Status, from ...Status) (*Record, error) {
	return s.change(recordID, func(_ *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status == to {
			return nil, nil
		}
		if !slices.Contains(from, r.Status) {
			return nil, fmt.Errorf("%w: a %s record cannot become %s", ErrNotReady, r.Status, to)
		}
		old := r.Status
		r.Status = to
		return []AuditEntry{{Action: ActionStatus, Old: jsonString(string(old)), New: jsonString(string(to))}}, nil
	})
}

func mustJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return data
}

func jsonString(s string) json.RawMessage { return mustJSON(s) }

// Move is a draft taken to another form: the answers as the new form has them, and what
// the move did, for the audit trail.
type Move struct {
	FormID, FormVersion string
	Answers             map[string]json.RawMessage
	// Summary is what was kept, recoded and dropped (JSON), kept in the move's entry.
	Summary json.RawMessage
	// Withdraw are notes confirming warnings about answers the move changed.
	Withdraw []string
	Reason   string
}

// MovedAnswerReason is the reason of the audit entry of an answer a move to the form
// ("id version") changed: the move's, not the enumerator's, so the form does not resume
// after it as if answered.
func MovedAnswerReason(form string) string { return "移至 " + form }

// ErrHasRecord is a move to a form the case already has a record of.
var ErrHasRecord = errors.New("the case already has a record of that form")

// MoveRecord takes a record that is not completed to another form, in one durable
// transaction: an entry naming both forms and what moved, and an entry for each answer
// that changed, so the chain still replays to the answers. Read-back and signatures are
// of the old content: a record read back or signed goes back to draft.
func (s *Session) MoveRecord(recordID string, m Move) (*Record, error) {
	return s.change(recordID, func(tx *bolt.Tx, r *Record) ([]AuditEntry, error) {
		if r.Status.Locked() || r.Status == StatusReturned {
			return nil, ErrRecordLocked // a record the district had keeps its form
		}
		if r.FormID == m.FormID && r.FormVersion == m.FormVersion {
			return nil, fmt.Errorf("move record: it is of form %s %s already", m.FormID, m.FormVersion)
		}
		if r.FormID != m.FormID {
			idx := tx.Bucket(bucketRecordIndex)
			oldKey, newKey := s.recordKey(r.CaseID, r.FormID), s.recordKey(r.CaseID, m.FormID)
			if r.Village != "" {
				oldKey, newKey = s.villageKey(r.Village, r.FormID), s.villageKey(r.Village, m.FormID)
			}
			if idx.Get(newKey) != nil {
				return nil, fmt.Errorf("move record to %s: %w", m.FormID, ErrHasRecord)
			}
			if err := idx.Delete(oldKey); err != nil {
				return nil, err
			}
			if err := idx.Put(newKey, []byte(r.ID)); err != nil {
				return nil, err
			}
		}
		from := r.FormID + " " + r.FormVersion
		entries := []AuditEntry{{Action: ActionForm, Old: mustJSON(map[string]string{"form": from}),
			New: mustJSON(map[string]any{"form": m.FormID + " " + m.FormVersion, "moved": m.Summary}), Reason: m.Reason}}
		ids := make([]string, 0, len(r.Answers)+len(m.Answers))
		for q := range r.Answers {
			ids = append(ids, q)
		}
		for q := range m.Answers {
			if _, ok := r.Answers[q]; !ok {
				ids = append(ids, q)
			}
		}
		slices.Sort(ids)
		for _, q := range ids {
			old, had := r.Answers[q]
			v, has := m.Answers[q]
			if had && has && bytes.Equal(old, v) {
				continue
			}
			e := AuditEntry{Action: ActionAnswer, Question: q, Old: slices.Clone(old), Reason: MovedAnswerReason(m.FormID + " " + m.FormVersion)}
			if has {
				if !json.Valid(v) {
					return nil, fmt.Errorf("move record: %s: the value is not JSON", q)
				}
				e.New = slices.Clone(v)
			}
			entries = append(entries, e)
		}
		for _, key := range m.Withdraw {
			if note, ok := r.Notes[key]; ok {
				delete(r.Notes, key)
				entries = append(entries, AuditEntry{Action: ActionNote, Question: key, Old: jsonString(note), New: jsonString("")})
			}
		}
		r.FormID, r.FormVersion = m.FormID, m.FormVersion
		r.Answers = make(map[string]json.RawMessage, len(m.Answers))
		for q, v := range m.Answers {
			r.Answers[q] = slices.Clone(v)
		}
		r.Confirmed = nil
		if r.Status == StatusReadBack || r.Status == StatusSigned {
			r.Status = StatusDraft
		}
		return entries, nil
	})
}
