package store

import (
	"crypto/ed25519"
	"fmt"
	"slices"

	"github.com/doorstep-survey/doorstep/record"
)

// AuthorsOf are the user codes the audit entries of the arrivals name, sorted, once
// each: whose enrolled keys a backend reads (KeysOf) before deciding a batch.
func AuthorsOf(items []Arrival) []string {
	var codes []string
	for _, a := range items {
		for _, e := range a.Item.Revision.Audit {
			codes = append(codes, e.User)
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// KeysOf makes Held.Keys of the user u from the keys enrolled with their devices not
// revoked (a device from before signatures has none).
func KeysOf(keys record.Authors, u UserKeys) {
	for _, k := range u.Keys {
		if len(k) == ed25519.PublicKeySize {
			keys[u.Code] = append(keys[u.Code], record.Author{Code: u.Code, Name: u.Name, Role: u.Role, Key: k})
		}
	}
}

// UserKeys is a user with the signing keys of their devices, as a backend reads them.
type UserKeys struct {
	Code, Name, Role string
	Keys             []ed25519.PublicKey
}

// Signed judges the audit entries new to the server (past the chain it holds) by their
// signatures, record.CheckAuthors over the keys the users enrolled (Held.Keys): each
// entry signed, by itself or by its author's next entry, with a key enrolled for the
// user it names; an approval or a return by a team leader's key; the enumerator's
// signatures binding their key. The record cannot vouch for itself: a key is the
// district's only when a one-time code enrolled it. A user whose devices were all
// enrolled before signatures has no key here, and is told to enrol again. The office
// console's decisions at the chain's end (Held.Office) are the district's own.
func Signed(held Held, a Arrival) string {
	audit := a.Item.Revision.Audit
	have := 0
	if held.Latest != nil {
		have = min(len(held.Latest.Heads), len(audit))
	}
	end := len(audit)
	for held.Office != "" && end > have && audit[end-1].User == held.Office {
		end-- // the office console's decision, written in the server's own process
	}
	audit = audit[:end]
	for _, e := range audit[have:] {
		if len(held.Keys[e.User]) == 0 {
			return fmt.Sprintf("audit entry %d by %s is not signed by a key enrolled for %s: no laptop of %s enrolled a signing key (enrolled before signatures); enrol the laptop again with a new code: refused", e.Seq, e.User, e.User, e.User)
		}
	}
	r := a.Item.Revision.Record
	if msgs := record.CheckAuthors(&r, audit, have, held.Keys, record.AuthorCheck{NeedCard: true, Verify: held.Verdicts.Verify}); len(msgs) > 0 {
		return msgs[0]
	}
	return ""
}

// Verdicts are the ed25519 verdicts on a batch's signatures, worked out before a
// backend takes its write lock (PreVerify), so that the lock is held for deciding, not
// for cryptography. A verdict depends only on key, message and signature: one worked
// out early is the one Signed would work out under the lock; a signature or key it did
// not see (keys changed in between) is verified then.
type Verdicts struct{ ok map[verdictKey]bool }

type verdictKey struct{ key, msg, sig string }

// PreVerify works out the verdicts Signed will ask for: each signature of the checked
// arrivals (ok[i], after Check relinked their chains) against the keys enrolled for the
// user its entry names, in the order Signed tries them, up to the one that made it.
func PreVerify(items []Arrival, ok []bool, keys record.Authors) *Verdicts {
	v := &Verdicts{ok: map[verdictKey]bool{}}
	for i, a := range items {
		if !ok[i] {
			continue
		}
		id := a.Item.Revision.Record.ID
		for _, e := range a.Item.Revision.Audit {
			if len(e.Sig) == 0 {
				continue
			}
			msg := record.AuditMessage(id, e.Hash)
			for _, who := range keys[e.User] {
				k := verdictKey{string(who.Key), string(msg), string(e.Sig)}
				good, seen := v.ok[k]
				if !seen {
					good = ed25519.Verify(who.Key, msg, e.Sig)
					v.ok[k] = good
				}
				if good {
					break
				}
			}
		}
	}
	return v
}

// Verify is ed25519.Verify, answered from the verdicts worked out before when it can.
func (v *Verdicts) Verify(key ed25519.PublicKey, msg, sig []byte) bool {
	if v != nil {
		if good, seen := v.ok[verdictKey{string(key), string(msg), string(sig)}]; seen {
			return good
		}
	}
	return ed25519.Verify(key, msg, sig)
}
