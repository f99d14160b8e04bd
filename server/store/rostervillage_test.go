package store

import (
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
)

func TestFiledIn(t *testing.T) {
	for _, tc := range []struct {
		name, roster, accepted, label string
		filed                         string // "": refused
	}{
		{"the roster agrees", "新华社区", "", "新华社区", "新华社区"},
		{"not on the roster: the label is judged by Check", "", "", "新华社区", "新华社区"},
		{"the roster puts the person elsewhere", "王庄村", "", "新华社区", ""},
		{"accepted from the label into another village: filed there", "王庄村", "新华社区", "新华社区", "王庄村"},
		{"accepted from another village, labelled a third: refused", "王庄村", "新华社区", "李家村", ""},
		{"accepted, labelled as the district put it", "王庄村", "新华社区", "王庄村", "王庄村"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Arrival{Item: protocol.PushItem{Case: protocol.Case{Village: tc.label}}}
			village, reason := FiledIn(Held{RosterVillage: tc.roster, AcceptedFrom: tc.accepted}, a)
			if village != tc.filed || (reason != "") != (tc.filed == "") {
				t.Fatalf("filed in %q (refused %q), want %q", village, reason, tc.filed)
			}
			if reason != "" && (!strings.Contains(reason, tc.roster) || !strings.Contains(reason, tc.label)) {
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
