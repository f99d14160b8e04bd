package localstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/bundle"
)

// Audit actions.
const (
	ActionCreate  = "create"
	ActionHeader  = "header"  // method and outcome
	ActionAnswer  = "answer"  // Question, Old, New
	ActionNote    = "note"    // a warning confirmed with a note
	ActionConfirm = "confirm" // a section agreed at read-back (Question holds the section)
	ActionSign    = "sign"
	ActionPhoto   = "photo"
	ActionStatus  = "status"
	ActionReturn  = "return"
)

// AuditEntry is one change to a record. Each entry hashes the one before, so an entry
// removed, reordered or edited outside the program breaks the chain.
type AuditEntry struct {
	Seq      uint64          `json:"seq"`
	User     string          `json:"user"`
	At       time.Time       `json:"at"`
	Action   string          `json:"action"`
	Question string          `json:"question,omitempty"`
	Old      json.RawMessage `json:"old,omitempty"`
	New      json.RawMessage `json:"new,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	// SpentMS is the time spent on the question, measured with a monotonic clock by the
	// screen, so a laptop clock set wrong does not distort it.
	SpentMS int64  `json:"spent_ms,omitempty"`
	Prev    string `json:"prev"`
	Hash    string `json:"hash"`
	// Sig is the author's Ed25519 signature of the record id and Hash (schema 4): who
	// wrote the entry is proven, not claimed. Empty on entries of an older Doorstep.
	Sig []byte `json:"sig,omitempty"`
}

// computeHash is sha256 over the entry's JSON with Hash and Sig empty.
func (e AuditEntry) computeHash() string {
	e.Hash, e.Sig = "", nil
	data, _ := json.Marshal(e)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func (s *Session) appendAudit(tx *bolt.Tx, r *Record, e AuditEntry) error {
	b := tx.Bucket(bucketAudit).Bucket([]byte(r.ID))
	if b == nil {
		return fmt.Errorf("%w: record %s has no audit chain", ErrCorrupt, shortID(r.ID))
	}
	e.Seq = r.AuditLen + 1
	e.User = s.user.Code
	e.At = s.db.opts.Now()
	e.Prev = r.AuditHead
	e.Hash = e.computeHash()
	if s.own == nil {
		return fmt.Errorf("%w: user %s has no signing key", ErrCorrupt, s.user.Code)
	}
	e.sign(r.ID, s.own.Signing)
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
// is the record's, replaying its answers gives the record's answers, every completed
// record's signatures match its content, and every entry is signed by the key the kept
// card of its author holds (an approval or return by a team leader's). It reports edits
// made outside the program and entries forged in another's name. A record that cannot
// be read is a problem naming it; Verify goes on with the others.
func (s *Session) Verify() ([]Problem, error) {
	var problems []Problem
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		authors, check, err := s.authorsAndCheck(tx)
		if err != nil {
			return err
		}
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
			for _, msg := range checkAuthors(&r, entries, 0, authors, check) {
				problems = append(problems, Problem{r.ID, name, msg})
			}
			return nil
		})
	})
	return problems, err
}

// authorsAndCheck reads the kept key cards and from when entries must be signed.
func (s *Session) authorsAndCheck(tx *bolt.Tx) (Authors, authorCheck, error) {
	authors := Authors{}
	err := tx.Bucket(bucketCards).ForEach(func(k, v []byte) error {
		var line string
		if err := s.keys.decode(string(bucketCards), k, v, &line); err != nil {
			return err
		}
		c, err := bundle.ParseCard(line)
		if err != nil {
			return fmt.Errorf("%w: key card of %s: %v", ErrCorrupt, k, err)
		}
		authors[c.Code] = append(authors[c.Code], Author{Code: c.Code, Name: c.Name, Role: c.Role, Key: c.Verify})
		return nil
	})
	if err != nil {
		return nil, authorCheck{}, err
	}
	var check authorCheck
	if v := tx.Bucket(bucketMeta).Get(keySignedSince); v != nil {
		if check.unsignedBefore, err = time.Parse(time.RFC3339Nano, string(v)); err != nil {
			return nil, authorCheck{}, fmt.Errorf("%w: meta/signed_since: %v", ErrCorrupt, err)
		}
	}
	return authors, check, nil
}

// verifyRecord checks one record against its chain.
func verifyRecord(r *Record, entries []AuditEntry) []string {
	return verifyChain(r, entries, true)
}

// verifyChain checks one record against its chain; hashes is false for a chain whose
// hashes were just computed from its entries (Relink), where checking them again would
// only cost time.
func verifyChain(r *Record, entries []AuditEntry, hashes bool) []string {
	var msgs []string
	prev := ""
	answers := map[string]string{}
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			msgs = append(msgs, fmt.Sprintf("audit entry %d is numbered %d: entries are missing or reordered", i+1, e.Seq))
		}
		if e.Prev != prev {
			msgs = append(msgs, fmt.Sprintf("audit entry %d does not follow entry %d", e.Seq, i))
		}
		if hashes && e.computeHash() != e.Hash {
			msgs = append(msgs, fmt.Sprintf("audit entry %d was changed after it was written", e.Seq))
		}
		prev = e.Hash
		if e.Action == ActionAnswer {
			if e.New == nil {
				delete(answers, e.Question)
			} else {
				answers[e.Question] = compactJSON(e.New)
			}
		}
	}
	if len(entries) > 0 && entries[0].User != r.Enumerator {
		msgs = append(msgs, fmt.Sprintf("the record says it was started by %s, but its first audit entry is by %s", r.Enumerator, entries[0].User))
	}
	msgs = append(msgs, statusProblems(r, entries)...)
	if uint64(len(entries)) != r.AuditLen || prev != r.AuditHead {
		msgs = append(msgs, fmt.Sprintf("the record does not end its audit chain (%d entries, record says %d)", len(entries), r.AuditLen))
	}
	for q, v := range r.Answers {
		if answers[q] != compactJSON(v) {
			msgs = append(msgs, fmt.Sprintf("answer %s is not the one the audit chain recorded", q))
		}
	}
	for q := range answers {
		if _, ok := r.Answers[q]; !ok {
			msgs = append(msgs, fmt.Sprintf("answer %s was removed without an audit entry", q))
		}
	}
	if r.Status.Locked() && r.Outcome == OutcomeInterviewed {
		if _, ok := r.RespondentSignature(); !ok {
			msgs = append(msgs, "the respondent's signature does not match the record's content")
		}
		if _, ok := r.SignedBy(SignerEnumerator); !ok {
			msgs = append(msgs, "the enumerator's signature does not match the record's content")
		}
	}
	return msgs
}

// statusProblems checks that a decided record's status is the one its chain last
// recorded, and that each of its signatures was recorded in the chain: neither an
// approval nor a signature can be written into a record without an audit entry.
func statusProblems(r *Record, entries []AuditEntry) []string {
	var msgs []string
	last := StatusDraft
	signed := map[string]bool{}
	for _, e := range entries {
		switch e.Action {
		case ActionStatus:
			last = statusOf(e)
		case ActionReturn:
			last = StatusReturned
		case ActionSign:
			var v struct {
				Hash string `json:"content_hash"`
			}
			_ = json.Unmarshal(e.New, &v)
			signed[e.Question+" "+v.Hash] = true
		}
	}
	want := r.Status
	if want == StatusSubmitted {
		want = StatusCompleted
	}
	switch r.Status {
	case StatusCompleted, StatusSubmitted, StatusApproved, StatusReturned:
		if last != want {
			msgs = append(msgs, fmt.Sprintf("the record says it is %s, but its audit chain last recorded %s", r.Status, last))
		}
	}
	for _, sig := range r.Signatures {
		if !signed[string(sig.Role)+" "+sig.ContentHash] {
			msgs = append(msgs, fmt.Sprintf("the %s's signature (%s) is not in the audit chain", sig.Role, sig.Name))
		}
	}
	return msgs
}

func compactJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
