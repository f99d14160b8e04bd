package record

import "errors"

// A record's life is one audit chain, and only one laptop writes to it at a time: the
// enumerator's until it is completed, the leader's until it is approved or returned,
// the enumerator's again after a return. Moving a record between laptops (a bundle on a
// USB stick, or through the district server) is therefore sending the entries the other
// side lacks: a chain that extends the held one is taken, one that the held chain
// already holds is a duplicate or stale, and two chains that part ways are a conflict
// that nobody resolves silently.

// Revision is a record as one side holds it, ready to move to another: the record, its
// whole audit chain, and the photos it names (by sha256 hex; empty on the way to and
// from the server, which takes photos apart).
type Revision struct {
	Record Record            `json:"record"`
	Audit  []AuditEntry      `json:"audit"`
	Photos map[string][]byte `json:"photos,omitempty"`
}

// ErrConflict is a record changed on two laptops in different ways.
var ErrConflict = errors.New("the record was changed differently on two laptops")

// VerifyRevision checks a revision before anyone stores it: it has a chain, the chain
// links and replays to the record's answers, and its signatures bind its content.
func VerifyRevision(rev Revision) []string {
	if len(rev.Audit) == 0 {
		return []string{"the record comes without its audit chain"}
	}
	r := rev.Record
	return Verify(&r, rev.Audit)
}

// VerifyRelinked is VerifyRevision for a chain whose hashes Relink has just computed.
func VerifyRelinked(rev Revision) []string {
	if len(rev.Audit) == 0 {
		return []string{"the record comes without its audit chain"}
	}
	r := rev.Record
	return verify(&r, rev.Audit, false)
}

// Unlinked is the chain without its hashes, for the wire: every hash is recomputed
// from the entries themselves, so sending them would only cost bytes (they do not
// compress). The record's AuditHead still binds the whole chain.
func Unlinked(entries []AuditEntry) []AuditEntry {
	out := make([]AuditEntry, len(entries))
	for i, e := range entries {
		e.Prev, e.Hash = "", ""
		out[i] = e
	}
	return out
}

// Compact is Unlinked without the signature of an entry followed by a signed one of
// the same author: that later signature covers it (CheckAuthors), and 64 random bytes
// an entry nearly doubled a record on the wire (3.6 KB a record with them all, 0.8 KB
// without).
func Compact(entries []AuditEntry) []AuditEntry {
	out := Unlinked(entries)
	for i := range out {
		if i+1 < len(entries) && entries[i+1].User == entries[i].User && len(entries[i+1].Sig) > 0 {
			out[i].Sig = nil
		}
	}
	return out
}

// Relink fills in the hashes of a chain received without them.
func Relink(entries []AuditEntry) {
	prev := ""
	for i := range entries {
		entries[i].Prev = prev
		entries[i].Hash = entries[i].ComputeHash()
		prev = entries[i].Hash
	}
}

// Heads are the hashes of a chain's entries in order: what a store keeps to judge a
// later chain without keeping the entries.
func Heads(entries []AuditEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Hash
	}
	return out
}
