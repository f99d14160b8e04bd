package record

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// chain builds a record of n answers with a linked chain ending where the record says.
func chain(t *testing.T, n int) (*Record, []AuditEntry) {
	t.Helper()
	r := &Record{ID: "r1", Enumerator: "E001", Subject: "11010119800101001X11", FormID: "person", FormVersion: "1",
		Status: StatusDraft, Answers: map[string]json.RawMessage{}}
	var entries []AuditEntry
	prev := ""
	for i := range n {
		q := string(rune('A' + i))
		e := AuditEntry{Seq: uint64(i + 1), User: "E001", At: time.Date(2026, 10, 1, 9, i, 0, 0, time.UTC),
			Action: ActionAnswer, Question: q, New: json.RawMessage(`"x"`), Prev: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		entries = append(entries, e)
		r.Answers[q] = json.RawMessage(`"x"`)
	}
	r.AuditLen, r.AuditHead = uint64(n), prev
	return r, entries
}

// extend appends entries by E001 to a chain, linked, and ends the record there.
func extend(r *Record, chain []AuditEntry, more ...AuditEntry) []AuditEntry {
	for _, e := range more {
		e.Seq, e.User, e.Prev = uint64(len(chain)+1), "E001", r.AuditHead
		e.Hash = e.ComputeHash()
		chain = append(chain, e)
		r.AuditLen, r.AuditHead = e.Seq, e.Hash
	}
	return chain
}

// signAndComplete signs the record's content as the proxy and the enumerator and
// completes it, each with its audit entry.
func signAndComplete(r *Record, e []AuditEntry) []AuditEntry {
	r.Status, r.Outcome = StatusCompleted, OutcomeInterviewed
	h := r.ContentHash()
	r.Signatures = []Signature{{Role: SignerProxy, Name: "x", ContentHash: h}, {Role: SignerEnumerator, Name: "y", ContentHash: h}}
	hash := json.RawMessage(`{"content_hash":"` + h + `"}`)
	return extend(r, e, AuditEntry{Action: ActionSign, Question: "proxy", New: hash},
		AuditEntry{Action: ActionSign, Question: "enumerator", New: hash},
		AuditEntry{Action: ActionStatus, New: json.RawMessage(`"completed"`)})
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(r *Record, e []AuditEntry) []AuditEntry
		want   string // a message containing this; "" for none
	}{
		{"intact", func(r *Record, e []AuditEntry) []AuditEntry { return e }, ""},
		{"entry edited", func(r *Record, e []AuditEntry) []AuditEntry { e[1].User = "E002"; return e }, "changed after it was written"},
		{"entry removed", func(r *Record, e []AuditEntry) []AuditEntry { return append(e[:1], e[2:]...) }, "missing or reordered"},
		{"entries swapped", func(r *Record, e []AuditEntry) []AuditEntry { e[0], e[1] = e[1], e[0]; return e }, "missing or reordered"},
		{"chain cut short", func(r *Record, e []AuditEntry) []AuditEntry { return e[:2] }, "does not end its audit chain"},
		{"answer edited", func(r *Record, e []AuditEntry) []AuditEntry { r.Answers["B"] = json.RawMessage(`"y"`); return e }, "answer B is not the one"},
		{"answer removed", func(r *Record, e []AuditEntry) []AuditEntry { delete(r.Answers, "C"); return e }, "answer C was removed"},
		{"locked unsigned", func(r *Record, e []AuditEntry) []AuditEntry {
			r.Status, r.Outcome = StatusCompleted, OutcomeInterviewed
			return e
		}, "respondent's signature"},
		{"locked signed", signAndComplete, ""},
		{"approved without an entry", func(r *Record, e []AuditEntry) []AuditEntry {
			e = signAndComplete(r, e)
			r.Status = StatusApproved
			return e
		}, "says it is approved, but its audit chain last recorded completed"},
		{"a signature without an entry", func(r *Record, e []AuditEntry) []AuditEntry {
			e = signAndComplete(r, e)
			r.Signatures = append(r.Signatures, Signature{Role: SignerRespondent, Name: "z", ContentHash: r.ContentHash()})
			return e
		}, "respondent's signature (z) is not in the audit chain"},
		{"started by another", func(r *Record, e []AuditEntry) []AuditEntry { r.Enumerator = "E002"; return e }, "started by E002, but its first audit entry is by E001"},
		{"signed then changed", func(r *Record, e []AuditEntry) []AuditEntry {
			r.Status, r.Outcome = StatusCompleted, OutcomeInterviewed
			h := r.ContentHash()
			r.Signatures = []Signature{{Role: SignerRespondent, Name: "x", ContentHash: h}, {Role: SignerEnumerator, Name: "y", ContentHash: h}}
			r.Notes = map[string]string{"c@A": "late note"}
			return e
		}, "enumerator's signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, e := chain(t, 3)
			msgs := Verify(r, tt.tamper(r, e))
			got := strings.Join(msgs, "; ")
			if tt.want == "" && len(msgs) > 0 || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("Verify = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestUnlinkedRelinked: a chain sent without its hashes is relinked to the same chain,
// and a relinked chain whose entries were changed no longer ends at the record's head.
func TestUnlinkedRelinked(t *testing.T) {
	r, e := chain(t, 4)
	wire := Unlinked(e)
	Relink(wire)
	if msgs := VerifyRelinked(Revision{Record: *r, Audit: wire}); len(msgs) > 0 {
		t.Fatalf("relinked chain: %v", msgs)
	}
	if strings.Join(Heads(wire), ",") != strings.Join(Heads(e), ",") {
		t.Error("relinked hashes differ")
	}
	wire = Unlinked(e)
	wire[2].New = json.RawMessage(`"forged"`)
	r.Answers["C"] = json.RawMessage(`"forged"`)
	Relink(wire)
	if msgs := VerifyRelinked(Revision{Record: *r, Audit: wire}); len(msgs) == 0 {
		t.Error("a forged entry relinked to a chain the record does not end")
	}
	if msgs := VerifyRevision(Revision{Record: *r}); len(msgs) == 0 {
		t.Error("a revision without a chain passed")
	}
}

// TestContentHashIgnoresLife: receipts, status and signatures are not content.
func TestContentHashIgnoresLife(t *testing.T) {
	r, _ := chain(t, 2)
	h := r.ContentHash()
	r.Status, r.Receipts, r.Revision = StatusApproved, []Receipt{{Revision: 1}}, 9
	if r.ContentHash() != h {
		t.Error("life changed the content hash")
	}
	r.Answers["A"] = json.RawMessage(` "x" `)
	if r.ContentHash() != h {
		t.Error("whitespace in an answer changed the content hash")
	}
	r.Answers["A"] = json.RawMessage(`"z"`)
	if r.ContentHash() == h {
		t.Error("an answer changed and the hash did not")
	}
}
