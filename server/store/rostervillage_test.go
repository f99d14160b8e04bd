package store

import (
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
)

func TestInRosterVillage(t *testing.T) {
	for _, tc := range []struct {
		name, roster, label string
		refused             bool
	}{
		{"the roster agrees", "新华社区", "新华社区", false},
		{"not on the roster: the label is judged by Check", "", "新华社区", false},
		{"the roster puts the person elsewhere", "王庄村", "新华社区", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Arrival{Item: protocol.PushItem{Case: protocol.Case{Village: tc.label}}}
			reason := InRosterVillage(Held{RosterVillage: tc.roster}, a)
			if (reason != "") != tc.refused {
				t.Fatalf("reason %q, refused %v", reason, tc.refused)
			}
			if tc.refused && (!strings.Contains(reason, tc.roster) || !strings.Contains(reason, tc.label)) {
				t.Errorf("the reason names neither village: %q", reason)
			}
		})
	}
}

func TestForReview(t *testing.T) {
	person := Arrival{Item: protocol.PushItem{Case: protocol.Case{Subject: "11010119800101001X11", Village: "新华社区"}}}
	village := Arrival{Item: protocol.PushItem{Case: protocol.Case{Village: "新华社区"}}}
	village.Item.Revision.Record.Village = "新华社区"
	for _, tc := range []struct {
		name string
		held Held
		a    Arrival
		want bool
	}{
		{"on the roster", Held{Roster: true, RosterVillage: "新华社区"}, person, false},
		{"not on the roster", Held{Roster: true}, person, true},
		{"no roster imported: the label is believed", Held{}, person, false},
		{"a village's form has no person", Held{Roster: true}, village, false},
		{"accepted earlier: in the log", Held{Roster: true, Latest: &HeldLatest{Revision: 1}}, person, false},
		{"an earlier revision waits", Held{Roster: true, RosterVillage: "新华社区", Queued: true}, person, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason := ForReview(tc.held, tc.a)
			if (reason != "") != tc.want {
				t.Fatalf("reason %q, want held %v", reason, tc.want)
			}
			if tc.want && !strings.Contains(reason, "review") {
				t.Errorf("the reason does not say it is held for review: %q", reason)
			}
		})
	}
}
