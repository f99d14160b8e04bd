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
