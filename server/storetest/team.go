package storetest

import (
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
)

// testLeaderOfTheTeam: a leader carries, approves and returns only the records of
// their own team (issue 15 §1). A leader of one village carrying, or approving, the
// record of an enumerator who also works in a village the leader does not lead is
// refused naming the enumerator; with the enumerator enrolled in the leader's village
// only, both are stored.
func testLeaderOfTheTeam(t *testing.T, b Backend) {
	for _, inTeam := range []bool{false, true} {
		d := NewDistrict(t, b, nil)
		enum := Laptop(t, 8, "E001")
		lead := Laptop(t, 0, "L001")
		vs := Villages(t, enum)
		if len(vs) < 2 {
			t.Fatalf("the laptop's villages %q: want two", vs)
		}
		e001 := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: vs}
		if inTeam {
			e001.Villages = vs[:1]
		}
		l001 := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: vs[:1]}
		d.EnrolKey(e001, enum)
		d.EnrolKey(l001, lead)
		var mine []*localstore.Record // completed records of the leader's village
		for _, r := range completed(t, enum) {
			if cs, err := enum.Case(r.CaseID); err == nil && cs.Row.Village == vs[0] {
				mine = append(mine, r)
			}
		}
		if len(mine) < 2 {
			t.Fatalf("%d completed records in %s, want 2", len(mine), vs[0])
		}
		// The leader carries one record, with an approval, brought by USB.
		carried := mine[0].ID
		handOver(t, enum, lead, carried)
		if _, err := lead.Approve(carried); err != nil {
			t.Fatal(err)
		}
		res := d.Put(l001, Item(t, lead, carried, 1))
		switch {
		case inTeam && res.Result != protocol.Stored:
			t.Errorf("the leader carrying a record of their team: %+v", res)
		case !inTeam && (res.Result != protocol.Rejected || !strings.Contains(res.Reason, "E001") || !strings.Contains(res.Reason, "team") || res.Code != protocol.ReasonNotInTeam):
			t.Errorf("the leader carrying a record of an enumerator not of their team: %+v", res)
		}
		// The enumerator pushes the other; the leader returns it.
		other := mine[1].ID
		if res := d.Put(e001, Item(t, enum, other, 2)); res.Result != protocol.Stored {
			t.Fatalf("the enumerator's own record: %+v", res)
		}
		handOver(t, enum, lead, other)
		if _, err := lead.Return(other, []localstore.Comment{{Question: "R3", Text: "请核实"}}); err != nil {
			t.Fatal(err)
		}
		res = d.Put(l001, Item(t, lead, other, 3))
		switch {
		case inTeam && res.Result != protocol.Stored:
			t.Errorf("the leader returning a record of their team: %+v", res)
		case !inTeam && (res.Result != protocol.Rejected || !strings.Contains(res.Reason, "E001") || !strings.Contains(res.Reason, "returned") || res.Code != protocol.ReasonNotInTeam):
			t.Errorf("the leader returning a record of an enumerator not of their team: %+v", res)
		}
	}
}
