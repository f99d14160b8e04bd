package store

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
)

// DecideFrom is Decide, then what the sender may say (Authorship), then whether the
// new entries' authors signed them (Signed): every backend calls it, so the rule is
// written once.
func DecideFrom(from protocol.User, held Held, a Arrival) Decision {
	d := Decide(held, a)
	if d.Result != protocol.Stored {
		return d
	}
	village, reason := FiledIn(held, a)
	if reason != "" {
		return Decision{Result: protocol.Rejected, Code: protocol.ReasonRosterVillage,
			Args: []string{held.RosterVillage, a.Item.Case.Village}, Reason: reason}
	}
	if village != a.Item.Case.Village {
		d.Village = village
	}
	d.Named = held.AcceptedFrom
	if no := Authorship(from, held, a); no.Code != "" {
		return no.Decision()
	}
	if no := Signed(from, held, a); no.Code != "" {
		return no.Decision()
	}
	if reason := ForReview(held, a); reason != "" {
		if full := QueueFull(from, held); full.Result != "" {
			return full
		}
		d.Review, d.Code, d.Reason, d.DuplicateOf = true, protocol.ReasonReview, reason, nil
	}
	return d
}

// MaxOpenHeld is how many records one sender may have held open for the district's
// review at once. A real enumerator meets a handful of persons missing from the
// roster (a certificate issued after the roster was drawn, a person who moved in);
// two hundred is far past that, and small enough that a sender inventing certificate
// numbers cannot fill the server's disk or the district's queue: the queue of a
// district of a hundred enumerators stays in the tens of thousands at worst.
const MaxOpenHeld = 200

// QueueFull is the decision on a record that would open a new held record for the
// sender when the sender already has MaxOpenHeld open (the zero Decision otherwise):
// not kept, and not refused either — a hold (Retry) the laptop keeps and sends again,
// so nothing a real enumerator collected is lost once the district works through the
// queue. A later revision of a record already held open adds nothing to the queue.
func QueueFull(from protocol.User, held Held) Decision {
	if held.Queued || held.OpenHeld < MaxOpenHeld {
		return Decision{}
	}
	n := strconv.Itoa(MaxOpenHeld)
	return Decision{Result: protocol.Rejected, Retry: true, Code: protocol.ReasonReviewFull, Args: []string{n},
		Reason: fmt.Sprintf("held on the laptop: %s already has %s records of persons not on the district's roster waiting for the district's review; this one is sent again once the district has decided on some of them", from.Code, n)}
}

// Refusal is why an arrival is refused: a code (protocol.Reason*), the particulars
// the laptop names with it, and the server's sentence. The zero Refusal refuses
// nothing.
type Refusal struct {
	Code string
	Args []string
	Text string
}

// Decision is the refusal as a decision.
func (r Refusal) Decision() Decision {
	return Decision{Result: protocol.Rejected, Code: r.Code, Args: r.Args, Reason: r.Text}
}

// ForReview: a person the district's roster does not know is kept, but held for the
// district's review, not filed under the village the record's own label names — the
// label is the sender's word, and an enumerator could otherwise count anyone as their
// village's. The district then accepts the record into a village (the person joins
// the roster, and the record the pull log) or refuses it with a reason that reaches
// the sending laptop (DecideReview). A village's own form has no person: never held.
// A later revision of a held record is held with it. The reason is what the laptop is
// told ("" when the record is not held).
func ForReview(held Held, a Arrival) string {
	subject := a.Item.Case.Subject
	switch {
	case held.Queued:
		return fmt.Sprintf("held for the district's review: an earlier revision of this record is waiting for the district's decision on %s", subject)
	case subject == "" || a.Item.Revision.Record.Village != "" || held.Latest != nil:
		return ""
	case held.Roster && held.RosterVillage == "":
		return fmt.Sprintf("held for the district's review: certificate number %s is not on the district's roster; the district decides whether the record is filed under %s", subject, a.Item.Case.Village)
	}
	return ""
}

// FiledIn is the village a person's record is filed under, and why its label is
// refused ("" when it is not). It is the village the district's roster gives the
// person, not the label the record carries — otherwise an enumerator of one village
// could file another village's person as their own, and be believed. The label must
// be that village, or, for a record the district accepted from its review into
// another village than its laptop named (Held.AcceptedFrom), the village named then:
// the laptops of the record's team were never told, and the district, accepting,
// took that village's laptops' record as it stood. Either way the record is filed
// where the roster puts the person: a label moves nothing. A person the roster does
// not know is held for the district's review (ForReview).
func FiledIn(held Held, a Arrival) (village, refused string) {
	label := a.Item.Case.Village
	switch {
	case held.RosterVillage == "":
		return label, ""
	case label == held.RosterVillage || label == held.AcceptedFrom:
		return held.RosterVillage, ""
	}
	return "", fmt.Sprintf("the district's roster puts this person in %s, but the record says %s: refused", held.RosterVillage, label)
}

// Authorship judges the audit entries new to the server (those past the chain it
// holds) by who sent them, as the server knows the sender from the device token, not
// as the record claims:
//   - an entry by user X comes from X's own laptop, or from a team leader carrying it
//     (review on the leader's laptop, records brought by USB);
//   - an approval or a return comes from a team leader, never from an enumerator's
//     laptop, whoever the entry names;
//   - a leader carries entries only of their own team, and approves or returns only
//     records of their team's enumerators (InTeam); the village is the record's
//     (Check, and the roster's: FiledIn).
//
// The refusal names the user the entry claims and the sender. The entries' signatures
// are Signed's to check.
func Authorship(from protocol.User, held Held, a Arrival) Refusal {
	audit := a.Item.Revision.Audit
	have := 0
	if held.Latest != nil {
		have = min(len(held.Latest.Heads), len(audit))
	}
	enumerator := a.Item.Revision.Record.Enumerator
	for _, e := range audit[have:] {
		leader := from.Role == "leader"
		switch {
		case e.User != from.Code && !leader:
			return Refusal{protocol.ReasonForgedAuthor, []string{e.User, from.Code},
				fmt.Sprintf("audit entry %d says it is by %s, but came from %s's laptop: forged, refused", e.Seq, e.User, from.Code)}
		case !leader && decides(e):
			return Refusal{protocol.ReasonLeaderOnly, []string{e.User},
				fmt.Sprintf("audit entry %d: %s %s the record from an enumerator's laptop; only a team leader approves or returns: refused", e.Seq, e.User, verb(e))}
		case e.User != from.Code:
			if reason := InTeam(from, e.User, held.Users); reason != "" {
				return Refusal{protocol.ReasonNotInTeam, []string{e.User, from.Code},
					fmt.Sprintf("audit entry %d by %s, carried by %s: %s", e.Seq, e.User, from.Code, reason)}
			}
		case decides(e):
			if reason := InTeam(from, enumerator, held.Users); reason != "" {
				return Refusal{protocol.ReasonNotInTeam, []string{enumerator, from.Code},
					fmt.Sprintf("audit entry %d: %s %s a record of %s: %s", e.Seq, e.User, verb(e), enumerator, reason)}
			}
		}
	}
	return Refusal{}
}

// InTeam says why the user code is not in the leader's team ("" when they are): the
// district knows the user, the villages the leader leads contain every village the
// user works in (only a leader of the whole district leads a user of the whole
// district), and where both name a team it is the same. A leader carries, approves and
// returns only their own team's records: a leader of one village cannot vouch for an
// enumerator of others. The reason names the user.
func InTeam(leader protocol.User, code string, users map[string]protocol.User) string {
	u, ok := users[code]
	switch {
	case !ok:
		return fmt.Sprintf("%s is not a user the district enrolled, so not in %s's team: refused", code, leader.Code)
	case leader.Team != "" && u.Team != "" && leader.Team != u.Team:
		return fmt.Sprintf("%s is in team %s, not in %s's team %s: refused", code, u.Team, leader.Code, leader.Team)
	case leader.AllVillages():
		return ""
	case u.AllVillages():
		return fmt.Sprintf("%s works in every village of the district, not only in those %s leads: not in %s's team, refused", code, leader.Code, leader.Code)
	}
	for _, v := range u.Villages {
		if !leader.MayVillage(v) {
			return fmt.Sprintf("%s works in %s, which %s does not lead: not in %s's team, refused", code, v, leader.Code, leader.Code)
		}
	}
	return ""
}

// decides reports whether the entry is a leader's decision: an approval or a return.
func decides(e record.AuditEntry) bool {
	if e.Action == record.ActionReturn {
		return true
	}
	if e.Action != record.ActionStatus {
		return false
	}
	var st string
	_ = json.Unmarshal(e.New, &st)
	return record.Status(st) == record.StatusApproved
}

func verb(e record.AuditEntry) string {
	if e.Action == record.ActionReturn {
		return "returned"
	}
	return "approved"
}
