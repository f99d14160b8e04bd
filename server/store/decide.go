package store

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
)

// Arrival is one pushed item as the server receives it.
type Arrival struct {
	Item protocol.PushItem
	// Missing are the photos the record names that the attachment folder does not hold
	// whole when the batch arrives (the handler asks Attachments.Has).
	Missing []string
	// UnknownForm is set when the district's form shelf does not hold the record's
	// form (id@version): the district cannot read the record until it adds the form
	// (the handler asks its FormShelf; a server without a shelf knows every form).
	UnknownForm bool
}

// Check is what can be judged of an arrival from the sender and the item alone: it
// says what the record is and where, its village is one of the sender's, the status is
// one the district takes, and its audit chain is whole, links, replays to its answers
// and carries signatures that bind its content. A chain sent without its hashes
// (PROTOCOL.md) is relinked in place first. ok is false with the rejection in res.
//
// It hashes the whole chain: call it before taking a write lock.
func Check(from protocol.User, a Arrival) (res protocol.PushResult, ok bool) {
	rev := a.Item.Revision
	r := rev.Record
	res = protocol.PushResult{Seq: a.Item.Seq, RecordID: r.ID, Result: protocol.Rejected}
	switch {
	case r.ID == "" || a.Item.Case.Village == "":
		res.Code, res.Reason = protocol.ReasonIncomplete, "the record does not say what it is or where"
	case !recordIDOK(r.ID):
		res.Code, res.Reason = protocol.ReasonIncomplete, "the record does not say what it is: its id is not one a laptop makes"
	case strings.ContainsFunc(a.Item.Case.Subject, unicode.IsControl):
		// A certificate number is letters and digits; bbolt keys a person's records by
		// it (blinded), and a control character there could pose as a key's own marks.
		res.Code, res.Reason = protocol.ReasonIncomplete, "the record does not say who it is: its subject holds a control character"
	case !from.MayVillage(a.Item.Case.Village):
		res.Code, res.Args = protocol.ReasonWrongVillage, []string{a.Item.Case.Village, from.Code}
		res.Reason = fmt.Sprintf("%s is not one of %s's villages", a.Item.Case.Village, from.Code)
	case r.Village == "" && (a.Item.Case.Subject == "" || a.Item.Case.Subject != r.Subject):
		res.Code, res.Reason = protocol.ReasonCaseMismatch, "the record's case does not match the case it is sent with"
	case r.Village != "" && r.Village != a.Item.Case.Village:
		res.Code, res.Reason = protocol.ReasonCaseMismatch, "the record's village does not match the case it is sent with"
	case !r.Status.Locked() && r.Status != record.StatusReturned:
		// A laptop queues a record when it is completed, returned or approved; a
		// draft sent anyway is not the district's yet.
		res.Code, res.Args = protocol.ReasonNotCompleted, []string{string(r.Status)}
		res.Reason = fmt.Sprintf("a %s record is not sent to the district: only completed, returned or approved ones", r.Status)
	case len(rev.Audit) == 0:
		res.Code, res.Reason = protocol.ReasonNoAuditChain, "the record comes without its audit chain"
	default:
		verify := record.VerifyRevision
		if rev.Audit[0].Hash == "" {
			record.Relink(rev.Audit) // sent without its hashes (PROTOCOL.md)
			verify = record.VerifyRelinked
		}
		if msgs := verify(rev); len(msgs) > 0 {
			res.Code, res.Reason = protocol.ReasonAuditChain, strings.Join(msgs, "; ")
		} else if uint64(len(rev.Audit)) != r.AuditLen {
			res.Code, res.Reason = protocol.ReasonAuditChain, "the audit chain does not end where the record says"
		} else {
			return res, true
		}
	}
	return res, false
}

// Held is what the server holds of one record when an arrival of it is decided, read
// in the deciding transaction. Its zero value is a record the server has never seen.
type Held struct {
	// Latest is the record's latest stored revision (nil: none).
	Latest *HeldLatest
	// Same is the stored revision with the arriving revision number (nil: none).
	Same *HeldRevision
	// Others are the ids of the other records of the same person and form
	// (PersonKey), withdrawn ones included.
	Others []string
	// Keys are the public signing keys enrolled with the users' devices not revoked,
	// by user code, with the user's name and role: of at least the authors the
	// arriving chain names (AuthorsOf). Signed checks the new entries against them.
	Keys record.Authors
	// Revoked are the signing keys of the authors' revoked devices, with when each was
	// revoked (a device revoked before the time was kept: the zero time): a leader
	// carrying what an enumerator signed before losing the laptop is believed (Signed).
	Revoked map[string][]RevokedKey
	// Users are the district's users the arriving chain names (AuthorsOf), as it
	// enrolled them: whose team a carried entry's author, or an approved record's
	// enumerator, is in (InTeam). A user the district does not know is absent.
	Users map[string]protocol.User
	// District is the district's public signing key (nil: none configured): it signs
	// the decisions of the district office's console, whose authors are office users
	// (record.IsOffice), as laptops check them too. No one else may sign as them.
	District ed25519.PublicKey
	// RosterVillage is the village the district's roster gives the record's person
	// ("": not on the roster, or a village's own record).
	RosterVillage string
	// AcceptedFrom is the village the sending laptop named for the record when the
	// district, reviewing it, accepted it into another (RosterVillage): the laptops of
	// the record's team were never told, and go on naming it (FiledIn). "": none.
	AcceptedFrom string
	// Roster says the district has imported a roster (any row): only then is a person
	// it does not know held for review (ForReview) — a server without a roster believes
	// the laptops' labels, as before there was one.
	Roster bool
	// Queued says an earlier revision of the record is held for the district's review
	// (ForReview): a later one waits with it.
	Queued bool
	// QueuedHead is the last audit hash of the record's latest revision held for
	// review, open or refused, when the log holds none of it ("": none held): a later
	// revision extends that chain, as one of a record in the log extends Latest's.
	QueuedHead string
	// OpenHeld is how many records the sender has held open for the district's review
	// (each counted against the sender of the revision that put it in the queue): past
	// MaxOpenHeld a new one is not kept (ForReview).
	OpenHeld int
	// Verdicts are the batch's signatures verified before the write lock (PreVerify);
	// nil: Signed verifies them itself.
	Verdicts *Verdicts
}

// HeldLatest is the latest stored revision of a record: enough to judge a later chain
// without its entries.
type HeldLatest struct {
	Revision uint64
	// Heads are the hashes of its audit entries in order (record.Heads).
	Heads []string
}

// HeldRevision is one stored revision: its chain's last hash and its receipt.
type HeldRevision struct {
	Head     string
	ServerID string
	Received time.Time
}

// Decision is what to do with a checked arrival.
type Decision struct {
	// Result is protocol.Stored (write it), Duplicate (answer with Receipt), Stale or
	// Rejected (Code, Args and Reason; Retry when it is not the record's fault).
	Result string
	Code   string   // protocol.Reason*
	Args   []string // the particulars the laptop names with Code
	Reason string   // the server's sentence
	Retry  bool
	// Receipt is the first receipt of a duplicate.
	Receipt HeldRevision
	// Review, on Stored, is a record kept for the district's review, not put into the
	// pull log (ForReview; Reason says why): the laptop is answered with its receipt.
	Review bool
	// Village, on Stored, is where the record is filed when it is not the village its
	// laptop named: the district's (FiledIn). "": the laptop's (Filed).
	Village string
	// Named, on Stored, is the village the laptop named for a record the district
	// accepted into another (Held.AcceptedFrom): that village's laptops — the record's
	// team — pull its revisions too, whatever a later one names. "": none.
	Named string
	// DuplicateOf, on Stored of a record the server did not have, are the other
	// records of the same person and form. The backend marks them all and opens the
	// person's duplicate interview — or reopens it when the district had chosen, for
	// the district has not weighed this record: it chooses again among all of them,
	// those it withdrew staying withdrawn until it does. A later revision of a record
	// already held (the kept one approved, the withdrawn one revised) never comes with
	// it, and leaves the district's decision alone. The backend judges nothing more.
	DuplicateOf []string
}

// Filed is the case a stored arrival is filed under — the laptop's, in the district's
// village when the decision names one — and the other village whose laptops pull it
// (Named; "" when none, or it is filed there).
func (d Decision) Filed(c protocol.Case) (filed protocol.Case, also string) {
	if d.Village != "" {
		c.Village = d.Village
	}
	if d.Named != c.Village {
		also = d.Named
	}
	return c, also
}

// conflict is a chain that does not extend the one held.
var conflict = Decision{Result: protocol.Rejected, Code: protocol.ReasonConflict, Reason: record.ErrConflict.Error()}

// extends reports whether the chain passes through the entry hashed head.
func extends(audit []record.AuditEntry, head string) bool {
	for _, e := range audit {
		if e.Hash == head {
			return true
		}
	}
	return false
}

// Decide is the exactly-once rule over what is held and what arrives (already through
// Check):
//   - the same revision again with the same chain is a duplicate, answered with its
//     first receipt; with another chain it is a conflict;
//   - a chain no longer than the held one is stale when it is the held chain's start,
//     else a conflict; a longer chain must extend the held one, else a conflict; a
//     record held for review must extend its latest held revision's chain;
//   - a record of a form the district does not hold, or whose photos are not all
//     uploaded, is rejected, to be sent again (Retry): held, not refused;
//   - anything else is stored, and if it is a record new to the server whose person
//     already has another record of the same form, it is a duplicate interview
//     (DuplicateOf): both are kept.
func Decide(held Held, a Arrival) Decision {
	audit := a.Item.Revision.Audit
	n := len(audit)
	if n == 0 { // Check refuses it first; never index an empty chain
		return Decision{Result: protocol.Rejected, Code: protocol.ReasonNoAuditChain, Reason: "the record comes without its audit chain"}
	}
	head := audit[n-1].Hash
	if s := held.Same; s != nil {
		if s.Head == head {
			return Decision{Result: protocol.Duplicate, Receipt: *s}
		}
		return conflict
	}
	if l := held.Latest; l != nil && len(l.Heads) > 0 {
		have := len(l.Heads)
		if n <= have {
			if l.Heads[n-1] == head {
				return Decision{Result: protocol.Stale}
			}
			return conflict
		}
		if audit[have-1].Hash != l.Heads[have-1] {
			return conflict
		}
	}
	if held.Latest == nil && held.QueuedHead != "" && !extends(audit, held.QueuedHead) {
		// A held record is in no log, so Latest cannot guard it: another chain under
		// its id would be held with it, and filed with it when the district accepts.
		return conflict
	}
	if a.UnknownForm {
		r := a.Item.Revision.Record
		form := r.FormID + "@" + r.FormVersion
		return Decision{Result: protocol.Rejected, Retry: true, Code: protocol.ReasonFormUnknown, Args: []string{form},
			Reason: "form " + form + " is not one the district holds: the record waits on the laptop until the district adds it"}
	}
	if len(a.Missing) > 0 {
		short := fmt.Sprintf("%.8s", a.Missing[0])
		return Decision{Result: protocol.Rejected, Retry: true, Code: protocol.ReasonPhotoMissing, Args: []string{short},
			Reason: "photo " + short + " has not been uploaded"}
	}
	d := Decision{Result: protocol.Stored}
	if held.Latest == nil {
		d.DuplicateOf = held.Others
	}
	return d
}

// recordIDOK says whether id is one a laptop makes, or could: laptops make 32 hex
// digits (16 random bytes); up to 64 letters, digits, '-', '_' and '.' are taken. A
// store keys by record id inside composite keys ("id/revision" in bbolt's revseq/,
// beside the bare id): an id holding a '/' could be another record's key there and
// read or overwrite that record's state — a hostile laptop's way into another
// village's records — and a control character has no place in a listing.
func recordIDOK(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
