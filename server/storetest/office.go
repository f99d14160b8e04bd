package storetest

import (
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/store"
)

// officeUser is the town's office account as the console names it in the record, with
// the authority PutOffice gives it (office.StoreSource).
var officeUser = protocol.User{Code: record.OfficePrefix + "qu", Name: record.OfficePrefix + "qu", Role: "leader", Villages: []string{"*"}}

// officeReturn is rev (of the case c) returned by the office console, its audit entry signed with key
// (nil: unsigned), as office's return makes it.
func officeReturn(t testing.TB, rev record.Revision, c protocol.Case, key ed25519.PrivateKey) protocol.PushItem {
	t.Helper()
	now := time.Now().UTC()
	comments := []record.Comment{{By: officeUser.Code, At: now, Question: "R3", Text: "请核实"}}
	data, err := json.Marshal(comments)
	if err != nil {
		t.Fatal(err)
	}
	r := rev.Record
	r.Comments = append(slices.Clone(r.Comments), comments...)
	r.Status, r.Confirmed, r.Receipts = record.StatusReturned, nil, nil
	audit := append(slices.Clone(rev.Audit), record.AuditEntry{Seq: r.AuditLen + 1, User: officeUser.Code, At: now, Action: record.ActionReturn, New: data})
	record.Relink(audit)
	if key != nil {
		audit[len(audit)-1].Sign(r.ID, key)
	}
	r.AuditLen, r.AuditHead = uint64(len(audit)), audit[len(audit)-1].Hash
	r.Revision++
	r.UpdatedAt = now
	return protocol.PushItem{Revision: record.Revision{Record: r, Audit: audit}, Case: c}
}

// testOfficeDecisionsSigned: the district office console's return, signed with the
// district's key, is stored by a backend opened with that key (Options.District); one
// signed with another key, or unsigned, is refused naming the office user; a backend
// opened without a district key refuses the office's decisions it cannot check.
func testOfficeDecisionsSigned(t *testing.T, kb KeyedBackend) {
	districtPub, districtKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, forger, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	enum := Laptop(t, 1, "E001")
	recs := completed(t, enum)
	if len(recs) != 1 {
		t.Fatalf("%d completed records, want 1", len(recs))
	}
	rev, err := enum.Revision(recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}

	pushed := Item(t, enum, recs[0].ID, 1)

	d := NewDistrict(t, func(t testing.TB) Opener { return kb(t, districtPub) }, nil)
	d.EnrolKey(whole, enum)
	if res := d.Put(whole, pushed); res.Result != protocol.Stored {
		t.Fatalf("the enumerator's record: %+v", res)
	}
	for _, tc := range []struct {
		name string
		key  ed25519.PrivateKey
	}{
		{"signed with another key", forger},
		{"unsigned", nil},
	} {
		res := d.Put(officeUser, officeReturn(t, rev, pushed.Case, tc.key))
		if res.Result != protocol.Rejected || !strings.Contains(res.Reason, officeUser.Code) {
			t.Errorf("an office return %s: %+v, want refused naming %s", tc.name, res, officeUser.Code)
		}
	}
	if res := d.Put(officeUser, officeReturn(t, rev, pushed.Case, districtKey)); res.Result != protocol.Stored {
		t.Fatalf("an office return signed with the district's key: %+v", res)
	}
	rows := d.Rows(store.RecordFilter{All: true})
	if len(rows) != 2 || rows[1].Status != string(record.StatusReturned) || rows[1].From != officeUser.Code {
		t.Errorf("the district holds %+v, want the record's two revisions, the last returned by %s", rows, officeUser.Code)
	}

	plain := NewDistrict(t, kb.Plain(), nil)
	plain.EnrolKey(whole, enum)
	if res := plain.Put(whole, pushed); res.Result != protocol.Stored {
		t.Fatalf("the enumerator's record: %+v", res)
	}
	if res := plain.Put(officeUser, officeReturn(t, rev, pushed.Case, districtKey)); res.Result != protocol.Rejected || res.Code != protocol.ReasonNoDistrictKey || !strings.Contains(res.Reason, officeUser.Code) {
		t.Errorf("an office return where the server has no district key: %+v", res)
	}
}
