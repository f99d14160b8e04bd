package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

// testDuplicateReopen pins when a duplicate interview the district resolved opens
// again (store.Reopens): a new record of the person does — the district has not seen
// it, and chooses again among all of them — while a later revision of a record it
// has already weighed (the withdrawn one approved by its leader, the kept one
// revised) does not. The records withdrawn stay withdrawn until it chooses again.
func testDuplicateReopen(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	var laptops []*localstore.Session
	for range 3 {
		laptops = append(laptops, Laptop(t, 1, "E001")) // one person, three laptops
	}
	first, second, third := laptops[0], laptops[1], laptops[2]
	Round(t, Enrolled(t, d, first, d.Enrol("E001", "李晓梅", "enumerator", "*")))
	Round(t, Enrolled(t, d, second, d.Enrol("E001", "李晓梅", "enumerator", "*")))
	open := func() []store.DuplicateGroup {
		t.Helper()
		g, err := d.Store.Duplicates(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	groups := open()
	if len(groups) != 1 || len(groups[0].Records) != 2 {
		t.Fatalf("duplicate interviews: %+v", groups)
	}
	keep, drop := completed(t, first)[0].ID, completed(t, second)[0].ID
	const reason = "重复入户，保留先到的记录"
	if _, err := d.Store.ResolveDuplicate(ctx, store.Resolution{Keep: keep, Reason: reason, By: "office"}); err != nil {
		t.Fatal(err)
	}
	standing := func() []string {
		t.Helper()
		var ids []string
		for _, r := range d.Rows(store.RecordFilter{Standing: true}) {
			ids = append(ids, r.RecordID)
		}
		slices.Sort(ids)
		return ids
	}

	// The withdrawn record's leader approves it: a revision of a record the district
	// weighed, which leaves its choice alone.
	leader := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
	lead := Laptop(t, 0, "L001")
	d.EnrolKey(leader, lead)
	handOver(t, second, lead, drop)
	if _, err := lead.Approve(drop); err != nil {
		t.Fatal(err)
	}
	if res := d.Put(leader, Item(t, lead, drop, 1)); res.Result != protocol.Stored {
		t.Fatalf("the withdrawn record approved: %+v", res)
	}
	if g := open(); len(g) != 0 {
		t.Errorf("a revision of the withdrawn record reopened the duplicate interview: %+v", g)
	}
	if got := standing(); !slices.Equal(got, []string{keep}) {
		t.Errorf("standing after the withdrawn record's revision: %v, want only %s", got, keep)
	}
	// The kept record revised, the same (on the leader's other laptop: one laptop
	// holds one record of a person's form).
	lead2 := Laptop(t, 0, "L001")
	d.EnrolKey(leader, lead2)
	handOver(t, first, lead2, keep)
	if _, err := lead2.Approve(keep); err != nil {
		t.Fatal(err)
	}
	if res := d.Put(leader, Item(t, lead2, keep, 2)); res.Result != protocol.Stored {
		t.Fatalf("the kept record approved: %+v", res)
	}
	if g := open(); len(g) != 0 {
		t.Errorf("a revision of the kept record reopened the duplicate interview: %+v", g)
	}

	// A third record of the person: the district has not seen it, and chooses again.
	if rep := Round(t, Enrolled(t, d, third, d.Enrol("E001", "李晓梅", "enumerator", "*"))); rep.Pushed != 1 {
		t.Fatalf("the third record: %+v", rep)
	}
	groups = open()
	if len(groups) != 1 || len(groups[0].Records) != 3 || groups[0].Kept != "" {
		t.Fatalf("a third record did not reopen the duplicate interview: %+v", groups)
	}
	// It reads as open — no reason, no one who decided — and the choice it had made is
	// kept beside it, as history.
	if g := groups[0]; g.Reason != "" || g.ResolvedBy != "" || !g.ResolvedAt.IsZero() {
		t.Errorf("the reopened interview still shows the decision it had: %q by %q at %v", g.Reason, g.ResolvedBy, g.ResolvedAt)
	}
	if e := groups[0].Earlier; len(e) != 1 || e[0].Kept != keep || e[0].Reason != reason || e[0].By != "office" || e[0].At.IsZero() {
		t.Errorf("the earlier choice is not kept as history: %+v", e)
	}
	for _, r := range groups[0].Records {
		if !r.Duplicate {
			t.Errorf("record %s of the reopened interview is not marked", r.RecordID)
		}
		if want := map[bool]string{true: reason}[r.RecordID == drop]; r.Withdrawn != want {
			t.Errorf("record %s withdrawn %q before the district chose again, want %q", r.RecordID, r.Withdrawn, want)
		}
	}
	newID := completed(t, third)[0].ID
	if got, want := standing(), sorted(keep, newID); !slices.Equal(got, want) {
		t.Errorf("standing while the district chooses again: %v, want %v (the withdrawn one stays withdrawn)", got, want)
	}
	// It chooses the record it had withdrawn: that one stands, the others do not.
	if _, err := d.Store.ResolveDuplicate(ctx, store.Resolution{Keep: drop, Reason: "第二次入户信息更完整", By: "office"}); err != nil {
		t.Fatal(err)
	}
	if g := open(); len(g) != 0 {
		t.Errorf("still open after choosing again: %+v", g)
	}
	all, err := d.Store.Duplicates(ctx, true)
	if err != nil || len(all) != 1 {
		t.Fatalf("every duplicate interview: %+v %v", all, err)
	}
	if g := all[0]; g.Kept != drop || g.Reason != "第二次入户信息更完整" || len(g.Earlier) != 1 || g.Earlier[0].Kept != keep {
		t.Errorf("chosen again: kept %s (%q), earlier %+v; want %s, the first choice as history", g.Kept, g.Reason, g.Earlier, drop)
	}
	for _, id := range []string{keep, newID} {
		if slices.Contains(standing(), id) {
			t.Errorf("record %s stands after the district chose %s", id, drop)
		}
	}
	if !slices.Contains(standing(), drop) {
		t.Errorf("the record chosen again does not stand: %v", standing())
	}
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
