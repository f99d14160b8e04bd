package boltstore

import (
	"context"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A duplicate interview a new record reopened before the choices were kept as history
// kept its reason: it reads as open, that reason its earlier choice.
func TestReopenedBeforeHistory(t *testing.T) {
	st, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.db.Update(func(tx *bolt.Tx) error {
		return st.c.put(tx.Bucket(bktDups), bktDups, []byte("p1"), dupMeta{Subject: "s1", FormID: "person-2021", Reason: "重复入户"})
	})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := st.Duplicates(context.Background(), false)
	if err != nil || len(groups) != 1 {
		t.Fatalf("%+v %v", groups, err)
	}
	if g := groups[0]; g.Reason != "" || len(g.Earlier) != 1 || g.Earlier[0].Reason != "重复入户" {
		t.Errorf("the interview reopened before the history: %+v", g)
	}
}
