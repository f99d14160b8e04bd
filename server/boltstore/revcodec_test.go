package boltstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// TestPackedRevision: a revision kept packed comes back exactly, its chain's hashes
// computed again, in a fraction of its JSON.
func TestPackedRevision(t *testing.T) {
	s := storetest.Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	rev, err := s.Revision(items[0].Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	rev.Photos = nil
	st := store.StoredRevision{Revision: rev, Case: protocol.Case{Subject: rev.Record.Subject, Name: "张三", Village: "王庄村"},
		From: "E001", Device: "笔记本", Received: time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC), ServerID: "s-7", Seq: 7}
	packed, err := packRevision(rev)
	if err != nil {
		t.Fatal(err)
	}
	v, err := encodeStored(st, packed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeStored(v)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Errorf("the revision came back otherwise:\n%+v\nwant\n%+v", got.Revision.Audit[0], st.Revision.Audit[0])
	}
	t.Logf("%d bytes for %d audit entries", len(v), len(rev.Audit))
	if _, err := decodeStored(v[:len(v)/2]); err == nil {
		t.Error("a value cut in half decoded")
	}
	if _, err := decodeStored([]byte{9, 9}); err == nil {
		t.Error("an unknown form decoded")
	}
}
