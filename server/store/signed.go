package store

import (
	"crypto/ed25519"
	"fmt"
	"slices"

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

// Signed judges the audit entries new to the server (past the chain it holds) by their
// signatures, record.CheckAuthors over the keys the users enrolled (Held.Keys): each
// entry signed, by itself or by its author's next entry, with a key enrolled for the
// user it names; an approval or a return by a team leader's key; the enumerator's
// signatures binding their key. The record cannot vouch for itself: a key is the
// district's only when a one-time code enrolled it. A user whose devices were all
// enrolled before signatures has no key here, and is told to enrol again. The office
// console's decisions at the chain's end (Held.Office) are the district's own.
func Signed(held Held, a Arrival) Refusal {
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
			return Refusal{protocol.ReasonNoSigningKey, []string{e.User}, fmt.Sprintf("audit entry %d by %s is not signed by a key enrolled for %s: no laptop of %s enrolled a signing key (enrolled before signatures); enrol the laptop again with a new code: refused", e.Seq, e.User, e.User, e.User)}
		}
	}
	r := a.Item.Revision.Record
	if msgs := record.CheckAuthors(&r, audit, have, held.Keys, record.AuthorCheck{NeedCard: true}); len(msgs) > 0 {
		return Refusal{Code: protocol.ReasonSignature, Text: msgs[0]}
	}
	return Refusal{}
}
