package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
)

// testRevokedLaptop: an enumerator's laptop is lost and revoked; what it signed before
// the revocation reaches the district when the leader carries it (issue 15 §1). What
// its key signed after the revocation is refused naming the author, and so is the
// author sending it themselves.
func testRevokedLaptop(t *testing.T, b Backend) {
	ctx := context.Background()
	for _, late := range []bool{false, true} {
		d := NewDistrict(t, b, nil)
		if late { // revoked an hour before the laptop signed: what it signed comes after
			d.Now = func() time.Time { return time.Now().Add(-time.Hour) }
			d.Restart()
		}
		enum := Laptop(t, 2, "E001")
		lead := Laptop(t, 0, "L001")
		leader := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
		d.EnrolKey(whole, enum)
		d.EnrolKey(leader, lead)
		recs := completed(t, enum)
		if _, err := d.Store.Revoke(ctx, "E001"); err != nil {
			t.Fatal(err)
		}
		carried := recs[0].ID
		handOver(t, enum, lead, carried)
		if _, err := lead.Approve(carried); err != nil {
			t.Fatal(err)
		}
		res := d.Put(leader, Item(t, lead, carried, 1))
		switch {
		case !late && res.Result != protocol.Stored:
			t.Errorf("the leader carrying what the lost laptop signed before its revocation: %+v", res)
		case late && (res.Result != protocol.Rejected || !strings.Contains(res.Reason, "E001") || !strings.Contains(res.Reason, "revoked") || res.Code != protocol.ReasonRevokedKey):
			t.Errorf("the leader carrying what the lost laptop signed after its revocation: %+v", res)
		}
		if res := d.Put(whole, Item(t, enum, recs[1].ID, 2)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, "revoked") || res.Code != protocol.ReasonRevokedKey {
			t.Errorf("E001 sending what the revoked laptop signed: %+v", res)
		}
	}
}
