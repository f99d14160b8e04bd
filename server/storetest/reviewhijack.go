package storetest

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
)

// testHeldRecordNotTakenOver: a record held for the district's review is not in the
// log, so the server held no chain for it to extend — another enumerator pushed a
// chain of their own under the held record's id and a later revision number, and it
// was held with it: the district's acceptance then filed both chains as one record,
// the latest one the intruder's. A later revision of a held record (open or refused)
// must extend the chain held, as of a record in the log; another is a conflict.
func testHeldRecordNotTakenOver(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	// The intruder's laptop: another laptop's work, as E002 wrote it.
	e1, e2 := Laptop(t, 1, "E001"), Laptop(t, 1, "E001")
	other := protocol.User{Code: "E002", Name: "王伟", Role: "enumerator", Villages: []string{"*"}}
	d.EnrolKey(whole, e1)
	code, err := d.Store.AddEnrolment(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	key2 := SigningKey(t, e2)
	if _, _, err := d.Store.Enroll(ctx, code, "laptop of E002", key2.Public().(ed25519.PublicKey), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.ImportRoster(ctx, []roster.Row{{Name: "别人", CertificateNumber: "41018800000000000000", Village: "王庄村"}}, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	base1, err := e1.Revision(completed(t, e1)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	base2, err := e2.Revision(completed(t, e2)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	mine := Synthetic(base1, 7, "新华社区", SigningKey(t, e1))
	if res := d.Put(whole, mine); res.Result != protocol.Stored || !res.Review {
		t.Fatalf("a person the roster does not know: %+v, want held for review", res)
	}
	base2.Record.Revision = mine.Revision.Record.Revision + 1
	base2.Record.Enumerator = other.Code
	for i := range base2.Audit {
		base2.Audit[i].User = other.Code
	}
	theirs := Synthetic(base2, 7, "新华社区", key2)
	if theirs.Revision.Record.ID != mine.Revision.Record.ID {
		t.Fatal("the test's two records differ in id")
	}
	if res := d.Put(other, theirs); res.Result != protocol.Rejected || res.Code != protocol.ReasonConflict {
		t.Errorf("another enumerator's chain under a held record's id: %+v, want a conflict", res)
	}
	if held, _ := HeldAll(ctx, d.Store, true); len(held) != 1 {
		t.Errorf("held for review: %+v, want E001's revision only", held)
	}
	// Refused, the record is still its chain's: another's is a conflict still.
	if _, err := d.Store.DecideReview(ctx, store.ReviewDecision{RecordID: mine.Revision.Record.ID, Refuse: "此人不在本区", By: "区残联"}); err != nil {
		t.Fatal(err)
	}
	theirs.Revision.Record.Revision++
	if res := d.Put(other, theirs); res.Result != protocol.Rejected || res.Code != protocol.ReasonConflict {
		t.Errorf("another enumerator's chain under a refused record's id: %+v, want a conflict", res)
	}
}
