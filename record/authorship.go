package record

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Who wrote an audit entry is proven by its signature, not claimed by its User field:
// each entry is signed by its author's own key (made with the user, kept wrapped under
// their passphrase), and checked against the key cards this laptop keeps. A record
// "by E001" written by someone else, or approved by anyone but a team leader, shows.

// Author is a user as a kept key card names them.
type Author struct {
	Code string
	Name string
	Role string // enumerator, leader or district
	Key  ed25519.PublicKey
}

// Authors are the known signing keys by user code: one for each laptop the user has
// an account on.
type Authors map[string][]Author

// signer returns the kept author whose key made sig over msg, looking at code's keys
// first; verify is ed25519.Verify or what answers for it (AuthorCheck.Verify).
func (a Authors) signer(code string, msg, sig []byte, verify func(ed25519.PublicKey, []byte, []byte) bool) (Author, bool) {
	for _, who := range a[code] {
		if verify(who.Key, msg, sig) {
			return who, true
		}
	}
	codes := make([]string, 0, len(a))
	for c := range a {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		if c == code {
			continue
		}
		for _, who := range a[c] {
			if verify(who.Key, msg, sig) {
				return who, true
			}
		}
	}
	return Author{}, false
}

// hasDistrict reports whether the district's key is kept.
func (a Authors) hasDistrict() bool {
	for _, who := range a {
		for _, x := range who {
			if x.Role == RoleDistrict {
				return true
			}
		}
	}
	return false
}

// auditMessage is what an entry's signature covers: the record it belongs to and the
// entry's hash (which covers its author, time, change and the entry before).
func AuditMessage(recordID, hash string) []byte {
	return []byte("doorstep audit v1\n" + recordID + "\n" + hash)
}

// Sign signs the entry (its Hash set) of record recordID with its author's key.
func (e *AuditEntry) Sign(recordID string, key ed25519.PrivateKey) {
	e.Sig = ed25519.Sign(key, AuditMessage(recordID, e.Hash))
}

// AuthorCheck says how strictly entries are checked.
type AuthorCheck struct {
	// UnsignedBefore: an entry without a signature is accepted only if written before
	// this time, by a Doorstep from before signatures.
	UnsignedBefore time.Time
	// NeedCard refuses an entry signed by a key kept for nobody (a bundle, where the
	// team's cards are kept on every laptop of the team); otherwise such an entry is
	// left to the district server, which checks it against the keys its users enrolled
	// (records pulled from it, and verify of them). An entry signed by the key of
	// someone other than its author is refused either way.
	NeedCard bool
	// Verify answers for ed25519.Verify when set: the district server works out the
	// verdicts of a batch before it takes its write lock (store.PreVerify).
	Verify func(key ed25519.PublicKey, msg, sig []byte) bool
}

// CheckAuthors checks entries[from:] of record r: each signed by a key of the user it
// names, the record started, signed and completed by its enumerator, an approval or a
// return made by a team leader, and the enumerator's signatures binding the
// enumerator's key. Every problem names the author the entry claims.
func CheckAuthors(r *Record, entries []AuditEntry, from int, authors Authors, c AuthorCheck) []string {
	var msgs []string
	verify := c.Verify
	if verify == nil {
		verify = ed25519.Verify
	}
	cover := coveringSignatures(entries)
	type verdict struct {
		who Author
		ok  bool
	}
	verdicts := map[int]verdict{} // by the index of the signed entry
	for i := from; i < len(entries); i++ {
		e := entries[i]
		if cover[i] < 0 {
			if !e.At.Before(c.UnsignedBefore) {
				msgs = append(msgs, fmt.Sprintf("audit entry %d says it is by %s but is not signed: refused", e.Seq, e.User))
			}
			continue
		}
		v, seen := verdicts[cover[i]]
		if !seen {
			signed := entries[cover[i]]
			v.who, v.ok = authors.signer(e.User, AuditMessage(r.ID, signed.Hash), signed.Sig, verify)
			verdicts[cover[i]] = v
		}
		who, ok := v.who, v.ok
		switch {
		case ok && who.Code != e.User && !(who.Role == RoleDistrict && IsOffice(e.User)):
			msgs = append(msgs, fmt.Sprintf("audit entry %d says it is by %s but was signed with the key of %s %s: forged, refused", e.Seq, e.User, who.Code, who.Name))
			continue
		case !ok && IsOffice(e.User) && authors.hasDistrict():
			// The district's key is the only one an office entry may carry: known
			// here, nothing is left to the server.
			msgs = append(msgs, fmt.Sprintf("audit entry %d says it is a decision of the district office (%s) but is not signed with the district's key: forged, refused", e.Seq, e.User))
			continue
		case !ok && c.NeedCard && IsOffice(e.User):
			msgs = append(msgs, fmt.Sprintf("audit entry %d is a decision of the district office (%s), but the district's key is not kept here: enrol the laptop again", e.Seq, e.User))
			continue
		case !ok && c.NeedCard && len(authors[e.User]) == 0:
			msgs = append(msgs, fmt.Sprintf("audit entry %d is by %s, whose key card is not kept here: add their key card and try again", e.Seq, e.User))
			continue
		case !ok && c.NeedCard:
			msgs = append(msgs, fmt.Sprintf("audit entry %d says it is by %s but is not signed with a key of %s kept here: forged, or written on a laptop whose card of %s is not kept; refused", e.Seq, e.User, e.User, e.User))
			continue
		case !ok:
			continue
		}
		msgs = append(msgs, roleProblems(r, e, who)...)
	}
	return collapse(msgs)
}

// coveringSignatures gives, for each entry, the index of the signature that vouches
// for it, or -1. An entry's signature covers its hash, which covers every entry before
// it: so where an author wrote several entries in a row, the last one's signature
// vouches for the run, and the wire leaves the others out (Unlinked). Only the same
// author's later signature covers an entry: another's proves nothing of who wrote it.
func coveringSignatures(entries []AuditEntry) []int {
	cover := make([]int, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		switch {
		case len(entries[i].Sig) > 0:
			cover[i] = i
		case i+1 < len(entries) && entries[i+1].User == entries[i].User:
			cover[i] = cover[i+1]
		default:
			cover[i] = -1
		}
	}
	return cover
}

// collapse keeps the first of messages that differ only in their entry number, with
// how many more there are: a forged record of fifty entries is one line, not fifty.
func collapse(msgs []string) []string {
	var out []string
	count := map[string]int{}
	first := map[string]int{}
	for _, m := range msgs {
		k := entryNumber.ReplaceAllString(m, "audit entry N")
		if _, ok := first[k]; !ok {
			first[k] = len(out)
			out = append(out, m)
		}
		count[k]++
	}
	for k, n := range count {
		if n > 1 {
			out[first[k]] += fmt.Sprintf(" (and %d more entries alike)", n-1)
		}
	}
	return out
}

var entryNumber = regexp.MustCompile(`audit entry \d+`)

// roleProblems checks that the entry's author, whose signature verified, may make it.
func roleProblems(r *Record, e AuditEntry, who Author) []string {
	var msgs []string
	switch {
	case e.Action == ActionCreate && e.User != r.Enumerator:
		msgs = append(msgs, fmt.Sprintf("the record says it was started by %s, but %s started it: refused", r.Enumerator, e.User))
	case e.Action == ActionSign && e.User != r.Enumerator:
		msgs = append(msgs, fmt.Sprintf("audit entry %d: %s took a signature on a record of %s; only its enumerator does: refused", e.Seq, e.User, r.Enumerator))
	case e.Action == ActionSign:
		var bound struct {
			Key string `json:"enumerator_key"`
		}
		_ = json.Unmarshal(e.New, &bound)
		key, err := base64.StdEncoding.DecodeString(bound.Key)
		if err != nil || !bytes.Equal(key, who.Key) {
			msgs = append(msgs, fmt.Sprintf("audit entry %d: the signature does not bind the key of %s, its enumerator: refused", e.Seq, r.Enumerator))
		}
	case e.Action == ActionStatus && statusOf(e) == StatusCompleted && e.User != r.Enumerator:
		msgs = append(msgs, fmt.Sprintf("audit entry %d: %s completed a record of %s; only its enumerator does: refused", e.Seq, e.User, r.Enumerator))
	case (e.Action == ActionStatus && statusOf(e) == StatusApproved || e.Action == ActionReturn) && who.Role != "leader" && who.Role != RoleDistrict:
		verb := "approved"
		if e.Action == ActionReturn {
			verb = "returned"
		}
		msgs = append(msgs, fmt.Sprintf("audit entry %d: %s %s the record, but %s is not a team leader: refused", e.Seq, e.User, verb, e.User))
	}
	return msgs
}

// RoleDistrict is the role of the district's own key (a laptop learns it at enrolment;
// the server holds its private half): it signs the decisions the district office's
// console makes, whose author is an office user (IsOffice).
const RoleDistrict = "district"

// OfficePrefix starts the user code of the district office's console users in an
// audit entry ("office:qu"): their entries are signed by the district's key, not by a
// key of their own.
const OfficePrefix = "office:"

// IsOffice reports whether the user code is one of the district office's console
// users, whose entries the district's key signs.
func IsOffice(code string) bool { return strings.HasPrefix(code, OfficePrefix) }

// EnumeratorKeyText is how a signature and its audit entry name the enumerator's key.
func EnumeratorKeyText(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }
