package store

import (
	"crypto/ed25519"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
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

// RevokedKey is the signing key of a device the district revoked, and when.
type RevokedKey struct {
	Key    ed25519.PublicKey
	At     time.Time
	Device string
}

// Signed judges the audit entries new to the server (past the chain it holds) by their
// signatures, record.CheckAuthors over the keys the users enrolled (Held.Keys): each
// entry signed, by itself or by its author's next entry, with a key enrolled for the
// user it names; an approval or a return by a team leader's key; the enumerator's
// signatures binding their key. The record cannot vouch for itself: a key is the
// district's only when a one-time code enrolled it. A user whose devices were all
// enrolled before signatures has no key here, and is told to enrol again. The district
// office console's decisions are signed by the district's key (Held.District), and
// checked against it as laptops check them.
//
// A revoked device's key (Held.Revoked: a lost laptop) still vouches for what it
// signed before the revocation, when someone else — the author's leader, who had the
// records by USB — carries it: the enumerator's work done before the loss is not lost
// with the laptop. Nothing signed at or after the revocation is taken, and nothing
// the author sends themselves (their revoked laptop has no token; a new laptop signs
// with its own key). The time is the entry's own, which the revoked key signed.
func Signed(from protocol.User, held Held, a Arrival) Refusal {
	audit := a.Item.Revision.Audit
	have := 0
	if held.Latest != nil {
		have = min(len(held.Latest.Heads), len(audit))
	}
	keys := held.Keys
	cloned := false
	if held.District != nil {
		keys, cloned = maps.Clone(held.Keys), true
		if keys == nil {
			keys = record.Authors{}
		}
		keys[record.RoleDistrict] = []record.Author{{Code: record.RoleDistrict, Name: "district", Role: record.RoleDistrict, Key: held.District}}
	}
	for code, rks := range held.Revoked {
		if code == from.Code {
			continue
		}
		if !cloned {
			keys, cloned = maps.Clone(held.Keys), true
			if keys == nil {
				keys = record.Authors{}
			}
		}
		for _, rk := range rks {
			if who, ok := authorOf(held, code); ok && len(rk.Key) == ed25519.PublicKeySize {
				who.Key = rk.Key
				keys[code] = append(slices.Clip(keys[code]), who)
			}
		}
	}
	for _, e := range audit[have:] {
		switch {
		case len(keys[e.User]) > 0:
		case record.IsOffice(e.User) && held.District == nil:
			return Refusal{protocol.ReasonNoDistrictKey, []string{e.User},
				fmt.Sprintf("audit entry %d is a decision of the district office (%s), but the server has no district key to check it: refused", e.Seq, e.User)}
		case record.IsOffice(e.User):
		case len(held.Revoked[e.User]) > 0:
			return Refusal{protocol.ReasonRevokedKey, []string{e.User}, fmt.Sprintf("audit entry %d by %s is signed only by keys of %s's revoked laptops: what a revoked laptop signed is taken only when %s's leader carries it, signed before the revocation; refused", e.Seq, e.User, e.User, e.User)}
		default:
			return Refusal{protocol.ReasonNoSigningKey, []string{e.User}, fmt.Sprintf("audit entry %d by %s is not signed by a key enrolled for %s: no laptop of %s enrolled a signing key (enrolled before signatures); enrol the laptop again with a new code: refused", e.Seq, e.User, e.User, e.User)}
		}
	}
	r := a.Item.Revision.Record
	if msgs := record.CheckAuthors(&r, audit, have, keys, record.AuthorCheck{NeedCard: true, Verify: held.Verdicts.Verify}); len(msgs) > 0 {
		return Refusal{Code: protocol.ReasonSignature, Text: msgs[0]}
	}
	if len(held.Revoked) > 0 {
		for _, e := range audit[have:] {
			if len(e.Sig) == 0 || e.User == from.Code {
				continue
			}
			for _, rk := range held.Revoked[e.User] {
				if ed25519.Verify(rk.Key, record.AuditMessage(r.ID, e.Hash), e.Sig) && !e.At.Before(rk.At) {
					return Refusal{protocol.ReasonRevokedKey, []string{e.User}, fmt.Sprintf("audit entry %d by %s was signed at %s with the key of %s's laptop %q, revoked at %s: signed after the revocation, refused",
						e.Seq, e.User, e.At.UTC().Format(time.RFC3339), e.User, rk.Device, rk.At.UTC().Format(time.RFC3339))}
				}
			}
		}
	}
	return Refusal{}
}

// authorOf is the user code as an author (name, role): from an enrolled key or the
// district's users.
func authorOf(held Held, code string) (record.Author, bool) {
	if ks := held.Keys[code]; len(ks) > 0 {
		return record.Author{Code: code, Name: ks[0].Name, Role: ks[0].Role}, true
	}
	if u, ok := held.Users[code]; ok {
		return record.Author{Code: code, Name: u.Name, Role: u.Role}, true
	}
	return record.Author{}, false
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
