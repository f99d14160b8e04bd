package storetest

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/store"
)

// testSignedEntries: the district takes an audit entry in a user's name only when a
// key enrolled for that user signed it. A record signed with another enrolled user's
// key, or not signed, is refused naming the author it claims; a user whose laptop was
// enrolled without a key is told to enrol again; a leader carrying an enumerator's
// signed entries, with their own approval, is stored.
func testSignedEntries(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	enum := Laptop(t, 2, "E001")
	lead := Laptop(t, 0, "L001")
	e002 := protocol.User{Code: "E002", Name: "张伟", Role: "enumerator", Villages: []string{"*"}}
	leader := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
	d.EnrolKey(whole, enum)
	e002Pub, e002Key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Store.Enroll(context.Background(), d.Enrol(e002.Code, e002.Name, e002.Role, "*"), "E002's laptop", e002Pub, ""); err != nil {
		t.Fatal(err)
	}
	d.EnrolKey(leader, lead)
	recs := completed(t, enum)
	if len(recs) < 2 {
		t.Fatalf("%d completed records, want 2", len(recs))
	}
	id := recs[0].ID
	good := Item(t, enum, id, 1)
	resign := func(key ed25519.PrivateKey) protocol.PushItem {
		rev, err := enum.Revision(id)
		if err != nil {
			t.Fatal(err)
		}
		audit := make([]record.AuditEntry, len(rev.Audit))
		copy(audit, rev.Audit)
		for i := range audit {
			audit[i].Sig = nil
			if key != nil {
				audit[i].Sign(id, key)
			}
		}
		it := good
		it.Revision.Audit = record.Unlinked(audit)
		return it
	}
	if res := d.Put(whole, resign(e002Key)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, "E001") || res.Code != protocol.ReasonSignature {
		t.Errorf("E001's record signed with E002's key: %+v", res)
	}
	if res := d.Put(whole, resign(nil)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, "E001") || !strings.Contains(res.Reason, "not signed") {
		t.Errorf("an unsigned record: %+v", res)
	}
	if res := d.Put(whole, good); res.Result != protocol.Stored {
		t.Fatalf("a record signed by its enumerator: %+v", res)
	}

	// A leader carries E001's second record, approved on the leader's laptop.
	carried := recs[1].ID
	handOver(t, enum, lead, carried)
	if _, err := lead.Approve(carried); err != nil {
		t.Fatal(err)
	}
	if res := d.Put(leader, Item(t, lead, carried, 2)); res.Result != protocol.Stored {
		t.Errorf("the leader carrying E001's signed record with the approval: %+v", res)
	}
	if rows := d.Rows(store.RecordFilter{All: true}); len(rows) != 2 {
		t.Errorf("the district holds %d records, want 2", len(rows))
	}

	// A laptop enrolled before signatures (no key) is told to enrol again.
	old := NewDistrict(t, b, nil)
	if _, _, err := old.Store.Enroll(context.Background(), old.Enrol("E001", "李晓梅", "enumerator", "*"), "old laptop", nil, ""); err != nil {
		t.Fatal(err)
	}
	if res := old.Put(whole, Item(t, enum, id, 1)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, "E001") || !strings.Contains(res.Reason, "enrol the laptop again") ||
		res.Code != protocol.ReasonNoSigningKey {
		t.Errorf("a record from a laptop enrolled without a key: %+v", res)
	}
}
