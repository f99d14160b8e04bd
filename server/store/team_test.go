package store

import (
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
)

func TestInTeam(t *testing.T) {
	leader := protocol.User{Code: "L001", Role: "leader", Villages: []string{"王庄村", "李家村"}}
	users := map[string]protocol.User{
		"E001": {Code: "E001", Villages: []string{"王庄村"}},
		"E002": {Code: "E002", Villages: []string{"王庄村", "新华社区"}},
		"E003": {Code: "E003", Villages: []string{"*"}},
		"E004": {Code: "E004", Villages: []string{"李家村"}, Team: "二组"},
	}
	for _, tc := range []struct {
		name   string
		leader protocol.User
		code   string
		in     bool
	}{
		{"an enumerator of the leader's village", leader, "E001", true},
		{"an enumerator of a village the leader does not lead", leader, "E002", false},
		{"an enumerator of the whole district", leader, "E003", false},
		{"not a user of the district", leader, "E999", false},
		{"a leader of the whole district", protocol.User{Code: "L9", Villages: []string{"*"}}, "E003", true},
		{"the same villages, another team", protocol.User{Code: "L2", Villages: []string{"李家村"}, Team: "一组"}, "E004", false},
		{"the same team", protocol.User{Code: "L2", Villages: []string{"李家村"}, Team: "二组"}, "E004", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason := InTeam(tc.leader, tc.code, users)
			if (reason == "") != tc.in {
				t.Fatalf("reason %q, want in the team %v", reason, tc.in)
			}
			if !tc.in && !strings.Contains(reason, tc.code) {
				t.Errorf("the refusal does not name %s: %q", tc.code, reason)
			}
		})
	}
}
