package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
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
	// ActionForm is a draft moved to another form: Old and New name the forms, New also
	// what was kept, recoded and dropped (each answer changed has its own answer entry).
	ActionForm = "form"
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
	// Sig is the author's Ed25519 signature of the record id and Hash (Sign): who wrote
	// the entry is proven, not claimed. Empty on entries of a Doorstep from before
	// signatures. Not covered by Hash, which it signs.
	Sig []byte `json:"sig,omitempty"`
}

// ComputeHash is sha256 over the entry's JSON with Hash and Sig empty: what Hash must be.
func (e AuditEntry) ComputeHash() string {
	e.Hash, e.Sig = "", nil
	var buf [512]byte
	data, ok := hashJSON(buf[:0], &e)
	if !ok {
		data, _ = json.Marshal(e)
	}
	sum := sha256.Sum256(data)
	var text [2 * sha256.Size]byte // one allocation, the string's, not two
	hex.Encode(text[:], sum[:])
	return string(text[:])
}

// Verify checks a record against its whole audit chain: the entries are numbered in
// order, each links to the one before and hashes to its Hash, the chain ends where the
// record says (AuditLen, AuditHead), replaying its answers gives the record's answers,
// a locked interviewed record carries current signatures of the respondent (or a
// proxy) and the enumerator, the record was started by its enumerator, a decided
// record's status is the one its chain last recorded, and each of its signatures is in
// the chain. Each message names one thing wrong, in words. Who made each entry is
// CheckAuthors's to prove.
func Verify(r *Record, entries []AuditEntry) []string {
	return verify(r, entries, true)
}

// verify is Verify; hashes is false for a chain whose hashes were just computed from its
// entries (Relink), where checking them again would only cost time.
func verify(r *Record, entries []AuditEntry, hashes bool) []string {
	var msgs []string
	prev := ""
	answers := map[string]json.RawMessage{} // as the chain last wrote them; compacted only to compare
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			msgs = append(msgs, fmt.Sprintf("audit entry %d is numbered %d: entries are missing or reordered", i+1, e.Seq))
		}
		if e.Prev != prev {
			msgs = append(msgs, fmt.Sprintf("audit entry %d does not follow entry %d", e.Seq, i))
		}
		if hashes && e.ComputeHash() != e.Hash {
			msgs = append(msgs, fmt.Sprintf("audit entry %d was changed after it was written", e.Seq))
		}
		prev = e.Hash
		if e.Action == ActionAnswer {
			if e.New == nil {
				delete(answers, e.Question)
			} else {
				answers[e.Question] = e.New
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
		if a, ok := answers[q]; !(ok && bytes.Equal(a, v)) && compactJSON(a) != compactJSON(v) {
			msgs = append(msgs, fmt.Sprintf("answer %s is not the one the audit chain recorded", q))
		}
	}
	for q := range answers {
		if _, ok := r.Answers[q]; !ok {
			msgs = append(msgs, fmt.Sprintf("answer %s was removed without an audit entry", q))
		}
	}
	if r.Status.Locked() && r.Outcome == OutcomeInterviewed {
		hash := r.ContentHash() // once: it is the costly part of finding a current signature
		if _, ok := r.signedWith(hash, SignerRespondent, SignerProxy); !ok {
			msgs = append(msgs, "the respondent's signature does not match the record's content")
		}
		if _, ok := r.signedWith(hash, SignerEnumerator); !ok {
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

// statusOf is the status an ActionStatus entry sets.
func statusOf(e AuditEntry) Status {
	var st string
	_ = json.Unmarshal(e.New, &st)
	return Status(st)
}

func compactJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
