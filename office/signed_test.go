package office

import (
	"crypto/ed25519"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/record"
)

// TestReturnSignedByTheDistrict: the console's return is signed with the district's key
// (issue 15 §1): the server stores it because the signature verifies, not because the
// console sent it; the laptop takes it and verify finds nothing wrong; a return "by the
// office" signed with any other key is refused by the laptop naming the office user.
func TestReturnSignedByTheDistrict(t *testing.T) {
	f := newFixture(t, fixtureOpts{cases: 40, completed: 8})
	f.clock.advance(time.Hour) // after the laptop began signing: nothing unsigned is excused
	b := f.signedIn("qu")
	r := f.recordIn(t, true, localstore.StatusCompleted)
	path := "/office/review/" + r.ID
	if res := b.post(path, url.Values{"csrf": {b.csrf(path)}, "action": {"return"}, "comment": {"请核实"}}); res.code != 303 {
		t.Fatalf("return: %d %.400s", res.code, res.body)
	}
	if rep := f.sync(); rep.Pulled != 1 {
		t.Fatalf("the laptop pulled %+v, want the return", rep)
	}
	rev, err := f.laptop.Revision(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := rev.Audit[len(rev.Audit)-1]
	if last.User != "office:qu" || !ed25519.Verify(f.districtKey.Public().(ed25519.PublicKey), record.AuditMessage(r.ID, last.Hash), last.Sig) {
		t.Errorf("the return's entry %+v is not signed by the district", last)
	}
	if probs, err := f.laptop.Verify(); err != nil || len(probs) != 0 {
		t.Errorf("verify after the district's return: %+v %v", probs, err)
	}

	// A forged return: the same entry signed with another key.
	other := f.recordIn(t, true, localstore.StatusCompleted)
	orev, err := f.laptop.Revision(other.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, forger, _ := ed25519.GenerateKey(nil)
	forged, err := returned(orev, "office:qu", f.clock.now(), forger, record.Comment{Text: "伪造"})
	if err != nil {
		t.Fatal(err)
	}
	res, reason, err := f.leader.Receive(forged)
	if err != nil || res != localstore.Rejected || !strings.Contains(reason, "office:qu") {
		t.Errorf("a return forged as the office's: %s %q %v", res, reason, err)
	}
}
