package store

import (
	"encoding/json"
	"fmt"

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
	if reason := InRosterVillage(held, a); reason != "" {
		return Decision{Result: protocol.Rejected, Reason: reason}
	}
	if reason := Authorship(from, held, a); reason != "" {
		return Decision{Result: protocol.Rejected, Reason: reason}
	}
	if reason := Signed(held, a); reason != "" {
		return Decision{Result: protocol.Rejected, Reason: reason}
	}
	return d
}

// InRosterVillage: a person's record is filed under the village the district's roster
// gives that person, not under the label the record carries — otherwise an enumerator
// of one village could file another village's person as their own, and be believed.
// A person the roster does not know is judged by the label alone (Check).
func InRosterVillage(held Held, a Arrival) string {
	if held.RosterVillage == "" || a.Item.Case.Village == held.RosterVillage {
		return ""
	}
	return fmt.Sprintf("the district's roster puts this person in %s, but the record says %s: refused", held.RosterVillage, a.Item.Case.Village)
}

// Authorship judges the audit entries new to the server (those past the chain it
// holds) by who sent them, as the server knows the sender from the device token, not
// as the record claims:
//   - an entry by user X comes from X's own laptop, or from a team leader carrying it
//     (review on the leader's laptop, records brought by USB);
//   - an approval or a return comes from a team leader, never from an enumerator's
//     laptop, whoever the entry names.
//
// The refusal names the user the entry claims and the sender. The entries' signatures
// are Signed's to check.
func Authorship(from protocol.User, held Held, a Arrival) string {
	audit := a.Item.Revision.Audit
	have := 0
	if held.Latest != nil {
		have = min(len(held.Latest.Heads), len(audit))
	}
	for _, e := range audit[have:] {
		leader := from.Role == "leader"
		switch {
		case e.User != from.Code && !leader:
			return fmt.Sprintf("audit entry %d says it is by %s, but came from %s's laptop: forged, refused", e.Seq, e.User, from.Code)
		case !leader && decides(e):
			return fmt.Sprintf("audit entry %d: %s %s the record from an enumerator's laptop; only a team leader approves or returns: refused", e.Seq, e.User, verb(e))
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
