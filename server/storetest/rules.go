package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/survey"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// Run is the conformance suite: every exactly-once and authority rule of the district
// server, end to end through the real handler and client where a laptop is involved,
// and straight to the store where the rule is the store's. Call it from a test of the
// backend's package:
//
//	func TestConformance(t *testing.T) { storetest.Run(t, myKeyedBackend) }
func Run(t *testing.T, kb KeyedBackend) {
	b := kb.Plain()
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"PushExactlyOnce", testPushExactlyOnce},
		{"LeaderThroughServer", testLeaderThroughServer},
		{"WrongVillageRejected", testWrongVillageRejected},
		{"Faults", testFaults},
		{"ServerRestartedMidway", ServerRestartedMidway},
		{"SecurityFailures", testSecurityFailures},
		{"DraftRejected", testDraftRejected},
		{"TamperedRevisionRejected", testTamperedRevisionRejected},
		{"ClockAYearWrong", testClockAYearWrong},
		{"RosterFromServer", testRosterFromServer},
		{"PhotoUploadResumes", testPhotoUploadResumes},
		{"RateLimit", testRateLimit},
		{"EnrolmentCodeExpires", testEnrolmentCodeExpires},
		{"StaleAndConflict", testStaleAndConflict},
		{"ClosedStoreIsAFault", testClosedStoreIsAFault},
		{"DuplicateInterview", testDuplicateInterview},
		{"DuplicateReopen", testDuplicateReopen},
		{"UnknownFormHeld", testUnknownFormHeld},
		{"ListingsAndExport", testListingsAndExport},
		{"RosterLog", testRosterLog},
		{"UsersAndDevices", testUsersAndDevices},
		{"LastPush", testLastPush},
		{"RevokeSpendsCodes", testRevokeSpendsCodes},
		{"WhoMaySayWhat", testWhoMaySayWhat},
		{"SignedEntries", testSignedEntries},
		{"RosterVillageDecides", testRosterVillageDecides},
		{"ReviewQueue", testReviewQueue},
		{"ReviewQueueBounded", testReviewQueueBounded},
		{"AcceptedElsewhere", testAcceptedElsewhere},
		{"HeldRecordNotTakenOver", testHeldRecordNotTakenOver},
		{"LeaderOfTheTeam", testLeaderOfTheTeam},
		{"RevokedLaptop", testRevokedLaptop},
		{"KeyCardKept", testKeyCardKept},
		{"WholeDistrictPull", testWholeDistrictPull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, b) })
	}
	t.Run("OfficeDecisionsSigned", func(t *testing.T) { testOfficeDecisionsSigned(t, kb) })
}

var whole = protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}

// Item is a laptop's record as it is pushed.
func Item(t testing.TB, s *localstore.Session, id string, seq uint64) protocol.PushItem {
	t.Helper()
	rev, err := s.Revision(id)
	if err != nil {
		t.Fatal(err)
	}
	c := protocol.Case{Subject: rev.Record.Subject, Village: rev.Record.Village}
	if rev.Record.CaseID != "" {
		cs, err := s.Case(rev.Record.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		c.Village, c.Name = cs.Row.Village, cs.Row.Name
	}
	rev.Photos = nil
	rev.Audit = record.Unlinked(rev.Audit)
	return protocol.PushItem{Seq: seq, Revision: rev, Case: c}
}

// handOver moves a record from one laptop to another, as a bundle on a USB stick does.
func handOver(t testing.TB, from, to *localstore.Session, id string) {
	t.Helper()
	rev, err := from.Revision(id)
	if err != nil {
		t.Fatal(err)
	}
	if res, reason, err := to.Receive(rev); err != nil || res != localstore.Received {
		t.Fatalf("hand over: %s %s %v", res, reason, err)
	}
}

func completed(t testing.TB, s *localstore.Session) []*localstore.Record {
	t.Helper()
	recs, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	var out []*localstore.Record
	for _, r := range recs {
		if r.Status == localstore.StatusCompleted {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *localstore.Record) int { return strings.Compare(a.Subject, b.Subject) })
	return out
}

// testStaleAndConflict: a revision older than the district's is stale (dropped, not
// refused); two laptops that change a record differently meet a conflict, and the
// second is refused, never merged.
func testStaleAndConflict(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	enum := Laptop(t, 1, "E001")
	lead := Laptop(t, 0, "L001")
	lead2 := Laptop(t, 0, "L001")
	leader := protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}
	d.EnrolKey(whole, enum)
	d.EnrolKey(leader, lead)
	d.EnrolKey(leader, lead2)
	rec := completed(t, enum)[0]
	handOver(t, enum, lead, rec.ID)
	handOver(t, enum, lead2, rec.ID)
	if _, err := lead.Approve(rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := lead2.Return(rec.ID, []localstore.Comment{{Question: "R3", Text: "请核实"}}); err != nil {
		t.Fatal(err)
	}
	if res := d.Put(leader, Item(t, lead, rec.ID, 1)); res.Result != protocol.Stored {
		t.Fatalf("the approval: %+v", res)
	}
	if res := d.Put(whole, Item(t, enum, rec.ID, 2)); res.Result != protocol.Stale {
		t.Errorf("the completed revision after the approval: %+v", res)
	}
	if res := d.Put(leader, Item(t, lead2, rec.ID, 3)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, record.ErrConflict.Error()) {
		t.Errorf("a return after another laptop's approval: %+v", res)
	}
	if res := d.Put(leader, Item(t, lead, rec.ID, 4)); res.Result != protocol.Duplicate || res.ServerID == "" {
		t.Errorf("the approval again: %+v", res)
	}
	rows := d.Rows(store.RecordFilter{All: true})
	if len(rows) != 1 || rows[0].Status != string(localstore.StatusApproved) || rows[0].From != "L001" {
		t.Errorf("the district holds %+v", rows)
	}
}

// testClosedStoreIsAFault: a store that cannot answer says so with an error that is
// neither ErrBadToken nor ErrRevoked, so the handler answers 503, not "enrol again".
func testClosedStoreIsAFault(t *testing.T, b Backend) {
	ctx := context.Background()
	open := b(t)
	st, err := open(nil)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := st.AddEnrolment(ctx, whole)
	tok, _, err := st.Enroll(ctx, code, "x", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Revoke(ctx, "E001"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, tok); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("a revoked token: %v", err)
	}
	st.Close()
	_, err = st.Authenticate(ctx, tok)
	if err == nil || errors.Is(err, store.ErrBadToken) || errors.Is(err, store.ErrRevoked) {
		t.Errorf("a closed store judged the token: %v", err)
	}
	if _, err := st.PutBatch(ctx, store.Caller{User: whole}, nil); err == nil {
		// An empty batch may be answered without the store; a batch with items not.
		t.Log("an empty batch on a closed store answered without error")
	}
}

// testDuplicateInterview: the same person interviewed on two laptops. The district
// keeps both, marks the pair and lists it; it chooses one, and the other is withdrawn
// with a reason that reaches the laptops of both, while counts take each person once.
func testDuplicateInterview(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	one := Laptop(t, 2, "E001")
	two := Laptop(t, 2, "E001") // the same district: the same two persons, other record ids
	syOne := Enrolled(t, d, one, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	syTwo := Enrolled(t, d, two, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	Round(t, syOne)
	if rep := Round(t, syTwo); rep.Pushed != 2 || rep.Rejected != 0 {
		t.Fatalf("the second laptop's round: %+v (both records are kept)", rep)
	}
	if d.Count() != 4 {
		t.Fatalf("the district has %d records, want 4", d.Count())
	}
	groups, err := d.Store.Duplicates(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || len(groups[0].Records) != 2 || groups[0].Kept != "" {
		t.Fatalf("duplicate interviews: %+v", groups)
	}
	for _, r := range d.Rows(store.RecordFilter{}) {
		if !r.Duplicate {
			t.Errorf("record %s is not marked a duplicate interview", r.RecordID)
		}
	}
	if n := len(d.Rows(store.RecordFilter{Duplicates: true})); n != 4 {
		t.Errorf("%d rows in the duplicates' listing", n)
	}
	g := groups[0]
	keep, drop := g.Records[0].RecordID, g.Records[1].RecordID
	if _, err := d.Store.ResolveDuplicate(ctx, store.Resolution{Keep: keep, By: "office"}); err == nil {
		t.Error("resolved without a reason")
	}
	if _, err := d.Store.ResolveDuplicate(ctx, store.Resolution{Keep: "no-such-record", Reason: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("resolving an unknown record: %v", err)
	}
	res, err := d.Store.ResolveDuplicate(ctx, store.Resolution{Keep: keep, Reason: "重复入户，保留先到的记录", By: "office"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kept != keep || res.Reason == "" {
		t.Errorf("resolved: %+v", res)
	}
	if open, _ := d.Store.Duplicates(ctx, false); len(open) != 1 {
		t.Errorf("%d open duplicate interviews after resolving one, want 1", len(open))
	}
	if all, _ := d.Store.Duplicates(ctx, true); len(all) != 2 {
		t.Errorf("%d duplicate interviews in all, want 2", len(all))
	}
	standing := d.Rows(store.RecordFilter{Standing: true})
	if len(standing) != 3 || slices.ContainsFunc(standing, func(r store.RecordRow) bool { return r.RecordID == drop }) {
		t.Errorf("standing records: %d, want 3 without the withdrawn one", len(standing))
	}
	for _, r := range d.Rows(store.RecordFilter{}) {
		if r.RecordID == drop && r.Withdrawn != "重复入户，保留先到的记录" {
			t.Errorf("the withdrawn record lists as %+v", r)
		}
	}
	// The withdrawal reaches the enumerator's laptops and the leader, and no one
	// else's.
	for _, u := range []protocol.User{whole, {Code: "L001", Role: "leader", Villages: []string{g.Records[0].Village}}} {
		resp, err := d.Store.Pull(ctx, u, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Withdrawn) != 1 || resp.Withdrawn[0].RecordID != drop || resp.Withdrawn[0].Kept != keep {
			t.Errorf("%s pulled withdrawals %+v", u.Code, resp.Withdrawn)
		}
	}
	other := protocol.User{Code: "E007", Role: "enumerator", Villages: []string{"*"}}
	if resp, _ := d.Store.Pull(ctx, other, 0, 1000); len(resp.Withdrawn) != 0 {
		t.Errorf("another enumerator pulled %+v", resp.Withdrawn)
	}
	// The leader approves the record that stands: a later revision of a held record
	// leaves the district's decision alone.
	var onOne *localstore.Session
	for _, s := range []*localstore.Session{one, two} {
		if _, err := s.Record(keep); err == nil {
			onOne = s
		}
	}
	lead := Laptop(t, 0, "L001")
	d.EnrolKey(protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: []string{"*"}}, lead)
	handOver(t, onOne, lead, keep)
	if _, err := lead.Approve(keep); err != nil {
		t.Fatal(err)
	}
	if res := d.Put(protocol.User{Code: "L001", Role: "leader", Villages: []string{"*"}}, Item(t, lead, keep, 1)); res.Result != protocol.Stored {
		t.Fatalf("the approval of the record that stands: %+v", res)
	}
	if open, _ := d.Store.Duplicates(ctx, false); len(open) != 1 {
		t.Errorf("an approval reopened a resolved duplicate interview: %d open", len(open))
	}
	// Both laptops hear of it at their next round, and their rounds go through.
	for _, sy := range []*dsync.Syncer{syOne, syTwo} {
		rep := Round(t, sy)
		if rep.Withdrawn != 1 || !slices.ContainsFunc(rep.Reasons, func(r string) bool { return strings.Contains(r, "重复入户") }) {
			t.Errorf("a laptop's round after the withdrawal: %+v", rep)
		}
	}
	// The laptop with the withdrawn record marks it, with the district's reason, on
	// the record and its case; it no longer counts there. The other laptop's stand.
	for _, s := range []*localstore.Session{one, two} {
		wantWithdrawn := 0
		if _, err := s.Record(drop); err == nil {
			wantWithdrawn = 1
		}
		withdrawn, surveyed := 0, 0
		records, err := s.Records()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			if r.Withdrawn != nil {
				withdrawn++
				if r.ID != drop || r.Withdrawn.Kept != keep || r.Withdrawn.Reason != "重复入户，保留先到的记录" {
					t.Errorf("marked withdrawn: %s %+v", r.ID, r.Withdrawn)
				}
				c, err := s.Case(r.CaseID)
				if err != nil || c.Withdrawn != "重复入户，保留先到的记录" {
					t.Errorf("the withdrawn record's case: %+v, %v", c, err)
				}
			}
			if survey.Surveyed(r, time.Time{}) {
				surveyed++
			}
		}
		if withdrawn != wantWithdrawn || surveyed != 2-wantWithdrawn {
			t.Errorf("a laptop after the withdrawal: %d withdrawn (want %d), %d surveyed", withdrawn, wantWithdrawn, surveyed)
		}
		// Again: nothing changes, nothing is counted twice.
		if rep := Round(t, map[*localstore.Session]*dsync.Syncer{one: syOne, two: syTwo}[s]); rep.Withdrawn != 0 {
			t.Errorf("the withdrawal pulled again: %+v", rep)
		}
	}
}

// testListingsAndExport: listings filter by village, enumerator, subject and status,
// page without loss, and export streams every revision once.
func testListingsAndExport(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 9, "E001")
	Round(t, Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*")))
	all := d.Rows(store.RecordFilter{})
	if len(all) != 9 {
		t.Fatalf("%d rows", len(all))
	}
	vs := Villages(t, s)
	n := 0
	for _, v := range vs {
		rows := d.Rows(store.RecordFilter{Village: v})
		for _, r := range rows {
			if r.Village != v {
				t.Errorf("a row of %s listed for %s", r.Village, v)
			}
		}
		n += len(rows)
	}
	if n != 9 {
		t.Errorf("the villages' listings hold %d rows, want 9", n)
	}
	if rows := d.Rows(store.RecordFilter{Subject: all[3].Subject}); len(rows) != 1 || rows[0].RecordID != all[3].RecordID {
		t.Errorf("by subject: %+v", rows)
	}
	if rows := d.Rows(store.RecordFilter{Enumerator: "E001", Status: "completed"}); len(rows) != 9 {
		t.Errorf("by enumerator and status: %d", len(rows))
	}
	if rows := d.Rows(store.RecordFilter{Enumerator: "E002"}); len(rows) != 0 {
		t.Errorf("another enumerator's: %d", len(rows))
	}
	var paged []store.RecordRow
	f := store.RecordFilter{Limit: 4}
	for i := 0; i < 10; i++ {
		rows, next, err := d.Store.Records(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, rows...)
		if next == "" {
			break
		}
		f.After = next
	}
	if len(paged) != 9 {
		t.Errorf("pages hold %d rows, want 9", len(paged))
	}
	for i := range paged {
		if i < len(all) && paged[i].RecordID != all[i].RecordID {
			t.Errorf("page order differs at %d", i)
		}
		if paged[i].Device == "" || paged[i].From != "E001" {
			t.Errorf("a row without its sender: %+v", paged[i])
		}
	}
	seen := map[string]bool{}
	err := d.Store.Export(ctx, store.RecordFilter{All: true}, func(st store.StoredRevision) error {
		if seen[st.ServerID] || len(st.Revision.Audit) == 0 || st.Revision.Record.ID == "" {
			t.Errorf("exported %s twice or empty", st.ServerID)
		}
		seen[st.ServerID] = true
		return nil
	})
	if err != nil || len(seen) != 9 {
		t.Errorf("export: %d revisions, %v", len(seen), err)
	}
	stop := errors.New("enough")
	calls := 0
	if err := d.Store.Export(ctx, store.RecordFilter{}, func(store.StoredRevision) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("an export that fn stops: %v after %d", err, calls)
	}
}

// testRosterLog: each import is logged with what it changed.
func testRosterLog(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	src := Laptop(t, 0, "E001")
	cases, _ := src.Cases(localstore.CaseFilter{})
	var rows []roster.Row
	for _, c := range cases[:5] {
		rows = append(rows, c.Row)
	}
	imp, err := d.Store.ImportRoster(ctx, rows, store.RosterImport{File: "底册.xlsx", By: "office"})
	if err != nil || imp.New != 5 || imp.Rows != 5 {
		t.Fatalf("first import %+v %v", imp, err)
	}
	rows[0].Phone = "13900001111"
	imp, _ = d.Store.ImportRoster(ctx, rows, store.RosterImport{File: "底册2.xlsx"})
	if imp.Changed != 1 || imp.Unchanged != 4 || imp.New != 0 {
		t.Errorf("second import %+v", imp)
	}
	log, err := d.Store.RosterLog(ctx)
	if err != nil || len(log) != 2 || log[0].File != "底册.xlsx" || log[1].Changed != 1 || log[0].At.IsZero() {
		t.Errorf("roster log %+v %v", log, err)
	}
}

// testWhoMaySayWhat: the server judges new audit entries by the device token that sent
// them, not by what the record claims (issue 15 §1): a record "by E001" pushed from
// E002's laptop is refused naming both; a leader's approval pushed from an
// enumerator's laptop is refused; the same approval from the leader is stored.
func testWhoMaySayWhat(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	enum := Laptop(t, 2, "E001")
	lead := Laptop(t, 0, "L001")
	es := Enrolled(t, d, enum, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	ls := Enrolled(t, d, lead, d.Enrol("L001", "王建军", "leader", "*"))
	items, _ := enum.Outbox(0)
	rev, err := enum.Revision(items[0].Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := enum.Case(rev.Record.CaseID)
	item := func(rev record.Revision) protocol.PushItem {
		rev.Photos = nil
		rev.Audit = record.Unlinked(rev.Audit)
		return protocol.PushItem{Seq: 1, Revision: rev, Case: protocol.Case{Subject: rev.Record.Subject, Name: cs.Row.Name, Village: cs.Row.Village}}
	}
	e002 := protocol.User{Code: "E002", Role: "enumerator", Villages: []string{"*"}}
	if res := d.Put(e002, item(rev)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, "E001") || !strings.Contains(res.Reason, "E002") ||
		res.Code != protocol.ReasonForgedAuthor || strings.Join(res.Args, " ") != "E001 E002" {
		t.Errorf("a record by E001 pushed from E002's laptop: %+v", res)
	}
	Round(t, es)
	Round(t, ls)
	if _, err := lead.Approve(rev.Record.ID); err != nil {
		t.Fatal(err)
	}
	approved, err := lead.Revision(rev.Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	e001 := protocol.User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}
	if res := d.Put(e001, item(approved)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, "L001") || res.Code != protocol.ReasonForgedAuthor {
		t.Errorf("the leader's approval pushed from E001's laptop: %+v", res)
	}
	// E001 approves their own record: the entry renamed, the chain relinked.
	self := approved
	self.Audit = append([]record.AuditEntry(nil), approved.Audit...)
	for i := range self.Audit {
		if self.Audit[i].User == "L001" {
			self.Audit[i].User = "E001"
		}
	}
	record.Relink(self.Audit)
	self.Record.AuditHead = self.Audit[len(self.Audit)-1].Hash
	if res := d.Put(e001, item(self)); res.Result != protocol.Rejected || !strings.Contains(res.Reason, "leader") || res.Code != protocol.ReasonLeaderOnly {
		t.Errorf("a self-approved record: %+v", res)
	}
	if rep := Round(t, ls); rep.Pushed != 1 {
		t.Errorf("the leader's own approval: %+v", rep)
	}
}

// testRevokeSpendsCodes: revoking a user also spends the enrolment codes they have
// not used yet: a code handed out before the revocation enrols no laptop after it.
func testRevokeSpendsCodes(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	code := d.Enrol("E001", "李晓梅", "enumerator", "王庄村")
	other := d.Enrol("E002", "张伟", "enumerator", "王庄村")
	if _, err := d.Store.Revoke(ctx, "E001"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Store.Enroll(ctx, code, "a laptop", nil, ""); !errors.Is(err, store.ErrBadCode) {
		t.Errorf("a revoked user's code still enrols: %v", err)
	}
	if _, _, err := d.Store.Enroll(ctx, other, "a laptop", nil, ""); err != nil {
		t.Errorf("another user's code: %v", err)
	}
	// A new code made after the revocation works: the district enrols them again.
	if _, _, err := d.Store.Enroll(ctx, d.Enrol("E001", "李晓梅", "enumerator", "王庄村"), "a new laptop", nil, ""); err != nil {
		t.Errorf("a code made after the revocation: %v", err)
	}
}

// testUsersAndDevices: the district sees its users and each laptop, revoked or not.
func testUsersAndDevices(t *testing.T, b Backend) {
	ctx := context.Background()
	d := NewDistrict(t, b, nil)
	for _, dev := range []string{"笔记本一", "笔记本二"} {
		if _, _, err := d.Store.Enroll(ctx, d.Enrol("E001", "李晓梅", "enumerator", "王庄村"), dev, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	d.Enrol("L001", "王建军", "leader", "*")
	d.Store.Revoke(ctx, "E001")
	users, err := d.Store.Users(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("users %+v %v", users, err)
	}
	for _, u := range users {
		if u.Code == "E001" && (len(u.Devices) != 2 || !u.Devices[0].Revoked || u.Devices[0].Name == "") {
			t.Errorf("E001's devices %+v", u.Devices)
		}
	}
}

// testWholeDistrictPull: a user of every village pulls what a user of some villages
// would, through an index rather than the whole log: an enumerator gets every roster
// case and the decisions on their own records, never another's records nor their own
// pushes back; a leader every record pushed by others. Page by page, the cursor never
// skips nor repeats.
func testWholeDistrictPull(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	ctx := context.Background()
	enum := Laptop(t, 3, "E001")
	lead := Laptop(t, 0, "L001")
	es := Enrolled(t, d, enum, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	ls := Enrolled(t, d, lead, d.Enrol("L001", "王建军", "leader", "*"))
	cases, _ := enum.Cases(localstore.CaseFilter{})
	var rows []roster.Row
	for _, c := range cases {
		rows = append(rows, c.Row)
	}
	if _, err := d.Store.ImportRoster(ctx, rows, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	Round(t, es)
	Round(t, ls)
	recs, _ := lead.Records()
	if len(recs) != 3 {
		t.Fatalf("the leader pulled %d records", len(recs))
	}
	if _, err := lead.Approve(recs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := lead.Return(recs[1].ID, []localstore.Comment{{Question: "R3", Text: "请核实"}}); err != nil {
		t.Fatal(err)
	}
	if rep := Round(t, ls); rep.Pushed != 2 {
		t.Fatalf("the leader pushed %+v", rep)
	}
	pullAll := func(u protocol.User) (ids []string, roster int) {
		t.Helper()
		var cursor uint64
		for range 1000 {
			resp, err := d.Store.Pull(ctx, u, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Cursor < cursor || resp.More && resp.Cursor == cursor {
				t.Fatalf("%s: the cursor went from %d to %d", u.Code, cursor, resp.Cursor)
			}
			for _, r := range resp.Revisions {
				ids = append(ids, r.Record.ID)
			}
			roster += len(resp.Roster)
			if cursor = resp.Cursor; !resp.More {
				return ids, roster
			}
		}
		t.Fatalf("%s: the pull did not end", u.Code)
		return nil, 0
	}
	for _, tt := range []struct {
		user protocol.User
		want []string
	}{
		{whole, []string{recs[0].ID, recs[1].ID}},
		{protocol.User{Code: "E009", Role: "enumerator", Villages: []string{"*"}}, nil},
		{protocol.User{Code: "L002", Role: "leader", Villages: []string{"*"}}, []string{recs[0].ID, recs[1].ID, recs[2].ID, recs[0].ID, recs[1].ID}},
	} {
		ids, n := pullAll(tt.user)
		slices.Sort(ids)
		slices.Sort(tt.want)
		if !slices.Equal(ids, tt.want) || n != len(rows) {
			t.Errorf("%s %s pulled records %v (want %v) and %d roster cases (want %d)", tt.user.Role, tt.user.Code, ids, tt.want, n, len(rows))
		}
	}
}
