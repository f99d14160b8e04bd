package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// TestOfficeDuplicates: the office lists a duplicate interview, keeps one record, and
// the listings and the export say so; each person counts once with --standing.
func TestOfficeDuplicates(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: key})
	if err != nil {
		t.Fatal(err)
	}
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	interview := func(st store.Store) { // a laptop of the same two persons
		s := storetest.Laptop(t, 2, "E001")
		if err := storetest.EnrolKey(st, u, s); err != nil {
			t.Fatal(err)
		}
		items, _ := s.Outbox(0)
		var push []protocol.PushItem
		for _, it := range items {
			rev, _ := s.Revision(it.Record.ID)
			cs, _ := s.Case(it.Record.CaseID)
			rev.Photos = nil
			push = append(push, protocol.PushItem{Seq: it.Seq, Revision: rev, Case: protocol.Case{Subject: rev.Record.Subject, Name: cs.Row.Name, Village: cs.Row.Village}})
		}
		res, err := st.PutBatch(context.Background(), store.Caller{User: u, Device: "笔记本"}, server.Arrivals(push, nil))
		if err != nil || res[0].Result != protocol.Stored {
			t.Fatalf("%+v %v", res, err)
		}
	}
	interview(st)
	interview(st)
	st.Close()

	out, err := run(t, "duplicates", "--data", dir)
	if err != nil || strings.Count(out, "open 待定") != 4 {
		t.Fatalf("duplicates:\n%s %v", out, err)
	}
	keep := regexp.MustCompile(`[0-9a-f]{32}`).FindString(out)
	if _, err := run(t, "duplicates", "resolve", "--keep", keep, "--data", dir); err == nil {
		t.Error("resolved without a reason")
	}
	if out, err := run(t, "duplicates", "resolve", "--keep", keep, "--reason", "重复入户", "--data", dir); err != nil || !strings.Contains(out, "1 withdrawn") {
		t.Fatalf("resolve: %s %v", out, err)
	}
	out, _ = run(t, "records", "list", "--data", dir)
	if !strings.Contains(out, "withdrawn 已撤销: 重复入户") || strings.Count(out, "duplicate interview 重复调查") != 3 {
		t.Errorf("records list:\n%s", out)
	}
	out, _ = run(t, "records", "list", "--standing", "--json", "--data", dir)
	var rows []store.RecordRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Errorf("standing: %d rows, %v", len(rows), err)
	}
	out, _ = run(t, "records", "export", "--standing", "--data", dir)
	var all []store.StoredRevision
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != 3 || all[0].Revision.Record.ID == "" {
		t.Errorf("export: %d, %v", len(all), err)
	}
	if out, _ := run(t, "duplicates", "--all", "--json", "--data", dir); !strings.Contains(out, `"kept":"`+keep) {
		t.Errorf("duplicates --all: %s", out)
	}
	// A third laptop: the interview opens again, its choice history.
	if st, err = boltstore.Open(dir, boltstore.Options{Sealer: key}); err != nil {
		t.Fatal(err)
	}
	interview(st)
	st.Close()
	out, _ = run(t, "duplicates", "--data", dir)
	if strings.Count(out, "open 待定") != 6 || strings.Contains(out, "stands 保留") {
		t.Errorf("the reopened interview reads as decided:\n%s", out)
	}
	if !strings.Contains(out, "withdrawn until chosen again 重新选择前仍撤销: 重复入户") || !strings.Contains(out, "earlier "+keep+" (") {
		t.Errorf("the withdrawn record and the earlier choice are not said:\n%s", out)
	}
}

// TestRecordsListIsCleaned: what a laptop sent — a name, a device name — reaches the
// office's terminal without its escape sequences (OSC 52 writes the clipboard), its
// bidi controls or its line breaks; the FROM column names user and device.
func TestRecordsListIsCleaned(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	s := storetest.Laptop(t, 1, "E001")
	if err := storetest.EnrolKey(st, u, s); err != nil {
		t.Fatal(err)
	}
	items, _ := s.Outbox(0)
	rev, _ := s.Revision(items[0].Record.ID)
	rev.Photos = nil
	evil := "王\x1b]52;c;cm0gLXJmIH4=\x07芳\u202e\x1b[2J\nfake row"
	push := []protocol.PushItem{{Seq: 1, Revision: rev, Case: protocol.Case{Subject: rev.Record.Subject, Name: evil, Village: "王庄村"}}}
	res, err := st.PutBatch(context.Background(), store.Caller{User: u, Device: "笔记本\x1b[31m"}, server.Arrivals(push, nil))
	if err != nil || res[0].Result != protocol.Stored {
		t.Fatalf("%+v %v", res, err)
	}
	st.Close()
	out, err := run(t, "records", "list", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out, "\x1b\x07\u202e") || strings.Count(out, "\n") != 2 {
		t.Errorf("records list passes control characters through:\n%q", out)
	}
	if !strings.Contains(out, "FROM") || !strings.Contains(out, "E001/笔记本") {
		t.Errorf("no from column:\n%s", out)
	}
}

// TestDevUserMadeOnce: --dev makes E001 and a code on the first start; on the next
// start it leaves the district's E001 (its villages, as the district set them) alone
// and makes no new code for every village.
func TestDevUserMadeOnce(t *testing.T) {
	st, err := boltstore.Open(t.TempDir(), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var out strings.Builder
	if err := devUser(ctx, st, "https://x", "fp", &out); err != nil || !strings.Contains(out.String(), "doorstep enroll") {
		t.Fatalf("first start: %q %v", out.String(), err)
	}
	if _, err := st.AddEnrolment(ctx, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"王庄村"}}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := devUser(ctx, st, "https://x", "fp", &out); err != nil || strings.Contains(out.String(), "doorstep enroll") {
		t.Errorf("second start: %q %v", out.String(), err)
	}
	users, _ := st.Users(ctx)
	if len(users) != 1 || len(users[0].Villages) != 1 || users[0].Villages[0] != "王庄村" {
		t.Errorf("E001 after a second start: %+v", users)
	}
}

// TestOfficeReview: records of persons the district's roster does not know are listed
// for review; the office accepts one into a village (it then appears in records list)
// and refuses the other with a reason.
func TestOfficeReview(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.ImportRoster(ctx, []roster.Row{{Name: "某人", CertificateNumber: "11010119800101001X11", Village: "王庄村"}}, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	u := protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}
	s := storetest.Laptop(t, 2, "E001")
	if err := storetest.EnrolKey(st, u, s); err != nil {
		t.Fatal(err)
	}
	items, _ := s.Outbox(0)
	var push []protocol.PushItem
	for _, it := range items {
		rev, _ := s.Revision(it.Record.ID)
		cs, _ := s.Case(it.Record.CaseID)
		rev.Photos = nil
		push = append(push, protocol.PushItem{Seq: it.Seq, Revision: rev, Case: protocol.Case{Subject: rev.Record.Subject, Name: cs.Row.Name, Village: cs.Row.Village}})
	}
	res, err := st.PutBatch(ctx, store.Caller{User: u, Device: "笔记本"}, server.Arrivals(push, nil))
	if err != nil || len(res) != 2 || !res[0].Review || !res[1].Review {
		t.Fatalf("%+v %v", res, err)
	}
	st.Close()

	out, err := run(t, "review", "list", "--data", dir)
	if err != nil || strings.Count(out, "open 待审核") != 3 || !strings.Contains(out, "open 待审核: 2 — by sender 按发送人: E001 2") {
		t.Fatalf("review list:\n%s %v", out, err)
	}
	ids := regexp.MustCompile(`[0-9a-f]{32}`).FindAllString(out, -1)
	if len(ids) != 2 {
		t.Fatalf("record ids in %q", out)
	}
	if _, err := run(t, "review", "refuse", ids[1], "--data", dir); err == nil {
		t.Error("refused without a reason")
	}
	if out, err := run(t, "review", "accept", ids[0], "--village", "柳树沟村", "--data", dir); err != nil || !strings.Contains(out, "accepted into 柳树沟村") {
		t.Fatalf("accept: %s %v", out, err)
	}
	if out, err := run(t, "review", "refuse", ids[1], "--reason", "户籍不在本区", "--data", dir); err != nil || !strings.Contains(out, "户籍不在本区") {
		t.Fatalf("refuse: %s %v", out, err)
	}
	if out, _ := run(t, "records", "list", "--data", dir); !strings.Contains(out, ids[0]) || strings.Contains(out, ids[1]) {
		t.Errorf("records list after the review:\n%s", out)
	}
	if out, _ := run(t, "review", "list", "--all", "--data", dir); !strings.Contains(out, "accepted into 已归入 柳树沟村") || !strings.Contains(out, "refused 不予收录: 户籍不在本区") {
		t.Errorf("review list --all:\n%s", out)
	}
}

// TestUsersShowFingerprint: doorstep-server users shows each laptop's key card
// fingerprint, the one the laptop itself shows, for the district to read aloud.
func TestUsersShowFingerprint(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, boltstore.Options{Sealer: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.Laptop(t, 0, "E001")
	if err := storetest.EnrolKey(st, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"王庄村"}}, s); err != nil {
		t.Fatal(err)
	}
	st.Close()
	keys, err := s.BundleKeys()
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "users", "--data", dir)
	if err != nil || !strings.Contains(out, keys.Card().Fingerprint()) || !strings.Contains(out, "active 使用中") || !strings.Contains(out, "none yet 尚未上传") {
		t.Errorf("users:\n%s %v\nwant the fingerprint %s", out, err, keys.Card().Fingerprint())
	}
}
