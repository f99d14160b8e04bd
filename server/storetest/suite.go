package storetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

func testPushExactlyOnce(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 6, "E001")
	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", Villages(t, s)...))
	rep := Round(t, sy)
	if rep.Pushed != 6 || rep.Queued != 0 || rep.Rejected != 0 {
		t.Fatalf("first round %+v", rep)
	}
	if d.Count() != 6 {
		t.Errorf("server has %d records", d.Count())
	}
	recs, _ := s.Records()
	for _, r := range recs {
		if r.Status == localstore.StatusCompleted {
			if rc, ok := r.Received(); !ok || !strings.HasPrefix(rc.ServerID, d.Store.ID()) {
				t.Errorf("record %s has no receipt: %+v", r.ID, r.Receipts)
			}
		}
	}
	if rep := Round(t, sy); rep.Pushed != 0 || rep.Duplicates != 0 {
		t.Errorf("second round %+v", rep)
	}
	sent, _ := s.Cases(localstore.CaseFilter{Status: localstore.StatusSubmitted})
	if len(sent) != 6 {
		t.Errorf("%d cases show as submitted (已上报), want 6", len(sent))
	}
	if d.Count() != 6 {
		t.Errorf("server has %d records after a second round", d.Count())
	}
}

// TestLeaderThroughServer: the enumerator pushes; the leader's laptop pulls the team's
// records, returns one; the enumerator's next round brings the return back.
func testLeaderThroughServer(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	enum := Laptop(t, 4, "E001")
	lead := Laptop(t, 0, "L001")
	vs := Villages(t, enum)
	es := Enrolled(t, d, enum, d.Enrol("E001", "李晓梅", "enumerator", vs...))
	ls := Enrolled(t, d, lead, d.Enrol("L001", "王建军", "leader", "*"))
	Round(t, es)
	rep := Round(t, ls)
	if rep.Pulled != 4 {
		t.Fatalf("the leader pulled %+v", rep)
	}
	recs, _ := lead.Records()
	if len(recs) != 4 {
		t.Fatalf("the leader's laptop has %d records", len(recs))
	}
	if _, err := lead.Return(recs[0].ID, []localstore.Comment{{Question: "R3", Text: "请核实"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lead.Approve(recs[1].ID); err != nil {
		t.Fatal(err)
	}
	if rep := Round(t, ls); rep.Pushed != 2 {
		t.Fatalf("the leader pushed %+v", rep)
	}
	rep = Round(t, es)
	if rep.Pulled != 2 {
		t.Fatalf("the enumerator pulled %+v", rep)
	}
	back, _ := enum.Record(recs[0].ID)
	ok, _ := enum.Record(recs[1].ID)
	if back.Status != localstore.StatusReturned || len(back.Comments) != 1 || ok.Status != localstore.StatusApproved {
		t.Errorf("on the enumerator's laptop: %s %+v, %s", back.Status, back.Comments, ok.Status)
	}
	// The enumerator fixes the returned record and completes it again; the leader
	// approves it: the loop closes through the server.
	FixAndComplete(t, enum, back.ID)
	if rep := Round(t, es); rep.Pushed != 1 {
		t.Fatalf("the fix was not pushed: %+v", rep)
	}
	if rep := Round(t, ls); rep.Pulled != 1 {
		t.Fatalf("the leader did not get the fix: %+v", rep)
	}
	if _, err := lead.Approve(back.ID); err != nil {
		t.Fatal(err)
	}
	Round(t, ls)
	Round(t, es)
	if r, _ := enum.Record(back.ID); r.Status != localstore.StatusApproved {
		t.Errorf("after the loop, the enumerator's record is %s", r.Status)
	}
	for _, s := range []*localstore.Session{enum, lead} {
		if probs, _ := s.Verify(); len(probs) != 0 {
			t.Errorf("verify: %v", probs)
		}
	}
	rows := d.Rows(store.RecordFilter{})
	for _, r := range rows {
		if r.RecordID == back.ID && r.Status != string(localstore.StatusApproved) {
			t.Errorf("the district has %s for the record", r.Status)
		}
	}
}

func testWrongVillageRejected(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 3, "E001")
	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "别的村"))
	rep := Round(t, sy)
	if rep.Rejected != 3 || rep.Queued != 0 || len(rep.Refused) != 3 || rep.Refused[0].Code != protocol.ReasonWrongVillage ||
		len(rep.Refused[0].Args) != 2 || rep.Refused[0].Args[1] != "E001" || rep.Refused[0].Held {
		t.Fatalf("round %+v", rep)
	}
	if d.Count() != 0 {
		t.Error("records of a village not the user's were stored")
	}
	rej, _ := s.Rejected()
	if len(rej) != 3 || rej[0].Reason == "" || rej[0].Code != protocol.ReasonWrongVillage {
		t.Errorf("refused entries not kept aside with their reason: %+v", rej)
	}
}

// nth wraps a handler: on the requests for which bad says so (by their number), fault
// answers instead of (or as well as) the server.
func nth(bad func(n int, r *http.Request) bool, fault func(next http.Handler, w http.ResponseWriter, r *http.Request)) func(http.Handler) http.Handler {
	var mu gosync.Mutex
	n := 0
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n++
			hit := bad(n, r)
			mu.Unlock()
			if hit {
				fault(next, w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// faults: each wraps the server; every completed record must end on the server exactly
// once and the laptop's outbox empty.
func testFaults(t *testing.T, b Backend) {
	tests := []struct {
		name string
		wrap func() func(http.Handler) http.Handler
		// rounds the laptop may need before all is through
		rounds int
	}{
		{"a 500 on every third request", func() func(http.Handler) http.Handler {
			return nth(func(n int, _ *http.Request) bool { return n%3 == 0 },
				func(_ http.Handler, w http.ResponseWriter, _ *http.Request) {
					http.Error(w, "boom", http.StatusInternalServerError)
				})
		}, 6},
		{"the answer lost after the server committed", func() func(http.Handler) http.Handler {
			return nth(func(n int, r *http.Request) bool { return r.URL.Path == "/v1/push" && n%2 == 1 },
				func(next http.Handler, w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(httptest.NewRecorder(), r) // committed, answer thrown away
					if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
						conn.Close()
					}
				})
		}, 6},
		{"a captive portal's page now and then", func() func(http.Handler) http.Handler {
			return nth(func(n int, _ *http.Request) bool { return n%4 == 2 },
				func(_ http.Handler, w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					io.WriteString(w, "<html><body>请登录 Wi-Fi</body></html>")
				})
		}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDistrict(t, b, tt.wrap())
			s := Laptop(t, 8, "E001")
			code := d.Enrol("E001", "李晓梅", "enumerator", Villages(t, s)...)
			var sy *dsync.Syncer
			for i := 0; sy == nil && i < 5; i++ { // enrolment itself may meet the fault
				func() {
					sy, _ = EnrolledErr(d, s, code)
				}()
			}
			if sy == nil {
				t.Fatal("could not enrol through the fault")
			}
			for i := 0; i < tt.rounds; i++ {
				rep, err := sy.Round(context.Background())
				var se *dsync.Error
				if err != nil && (!errors.As(err, &se) || se.Kind != dsync.Transient) {
					t.Fatalf("round %d: %v", i, err)
				}
				if err == nil && rep.Queued == 0 {
					break
				}
			}
			if n, _ := s.DB().OutboxLen(); n != 0 {
				t.Errorf("%d still queued", n)
			}
			if d.Count() != 8 {
				t.Errorf("the server has %d records, want 8", d.Count())
			}
		})
	}
}

// ServerRestartedMidway: the server's store closes and opens again while a laptop's
// round is under way. Requests that meet the closed store are a fault of the server
// (503, Retry-After), never "enrol again"; what the round did is in one state or the
// other, and the next round, once the server is back, finishes the job exactly once.
func ServerRestartedMidway(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 10, "E001")
	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", Villages(t, s)...))
	ctx, cancel := context.WithCancel(context.Background())
	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
		time.Sleep(5 * time.Millisecond)
		d.Restart()
		cancel()
	}()
	_, err := sy.Round(ctx) // cut short: whatever it did is in one state or the other
	var se *dsync.Error
	if errors.As(err, &se) && se.Kind == dsync.Security {
		t.Fatalf("a restarting server told the laptop: %v", err)
	}
	<-restarted
	Round(t, sy)
	if n, _ := s.DB().OutboxLen(); n != 0 || d.Count() != 10 {
		t.Errorf("queued %d, server %d", n, d.Count())
	}
}

func testSecurityFailures(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 3, "E001")
	code := d.Enrol("E001", "李晓梅", "enumerator", Villages(t, s)...)

	// A wrong pin: nothing is sent, not even the code.
	c, _ := dsync.NewClient(d.Srv.URL, "", strings.Repeat("ab", 32), "")
	_, err := c.Enroll(context.Background(), code, "x")
	var se *dsync.Error
	if !errors.As(err, &se) || se.Kind != dsync.Security || !strings.Contains(se.Message("zh"), "指纹不符") {
		t.Fatalf("wrong pin: %v", err)
	}
	// No pin and a self-signed certificate: not trusted.
	c, _ = dsync.NewClient(d.Srv.URL, "", "", "")
	if _, err := c.Enroll(context.Background(), code, "x"); !errors.As(err, &se) || se.Kind != dsync.Security || se.Message("zh") != "证书不受信任，已停止同步" {
		t.Fatalf("untrusted certificate: %v", err)
	}
	sy := Enrolled(t, d, s, code) // the code was never used above
	if _, err := d.Store.Revoke(context.Background(), "E001"); err != nil {
		t.Fatal(err)
	}
	_, err = sy.Round(context.Background())
	if !errors.As(err, &se) || se.Kind != dsync.Security || !strings.Contains(se.Message("zh"), "撤销") {
		t.Fatalf("revoked: %v", err)
	}
	if d.Count() != 0 {
		t.Error("a revoked device's records were stored")
	}
	if n, _ := s.DB().OutboxLen(); n != 3 {
		t.Errorf("the outbox lost entries: %d", n)
	}
	// A used code does not enrol twice.
	if _, err := EnrolledErr(d, Laptop(t, 0, "E001"), code); err == nil {
		t.Error("a one-time code enrolled twice")
	}
}

func testDraftRejected(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 1, "E001")
	cases, _ := s.Cases(localstore.CaseFilter{Status: localstore.StatusNew})
	r, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := s.Revision(r.ID)
	res := d.Put(protocol.User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}, protocol.PushItem{Seq: 1, Revision: rev,
		Case: protocol.Case{Subject: r.Subject, Village: cases[0].Row.Village}})
	if res.Result != protocol.Rejected || !strings.Contains(res.Reason, "draft") {
		t.Errorf("a draft: %+v", res)
	}
}

func testTamperedRevisionRejected(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	rev := record.Revision{Record: items[0].Record, Audit: items[0].Audit}
	rev.Record.Answers["R3"] = []byte("99")
	u := protocol.User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}
	res := d.Put(u, protocol.PushItem{Seq: 1, Revision: rev, Case: protocol.Case{Subject: rev.Record.Subject, Village: "x"}})
	if res.Result != protocol.Rejected || !strings.Contains(res.Reason, "R3") {
		t.Errorf("tampered: %+v", res)
	}
}

func testClockAYearWrong(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: TestKDF, Now: func() time.Time { return time.Now().AddDate(1, 0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := seed.Fill(db, seed.Options{Form: PersonForm(t), Options: demo.Options{Seed: 5, Cases: 20, Villages: 2}, Completed: 3}); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Unlock("E001", seed.Passphrase)
	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	if rep := Round(t, sy); rep.Pushed != 3 {
		t.Errorf("round %+v", rep)
	}
}

// TestRosterFromServer: the district's roster reaches each laptop, its villages only.
func testRosterFromServer(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	src := Laptop(t, 0, "E001")
	cases, _ := src.Cases(localstore.CaseFilter{})
	var rows []roster.Row
	for _, c := range cases {
		rows = append(rows, c.Row)
	}
	if _, err := d.Store.ImportRoster(context.Background(), rows, store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	village := rows[0].Village
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fresh, err := db.Setup(localstore.User{Code: "E009", Name: "新人", Role: localstore.RoleEnumerator}, "pass-word-9")
	if err != nil {
		t.Fatal(err)
	}
	sy := Enrolled(t, d, fresh, d.Enrol("E009", "新人", "enumerator", village))
	rep := Round(t, sy)
	got, _ := fresh.Cases(localstore.CaseFilter{})
	want := 0
	for _, r := range rows {
		if r.Village == village {
			want++
		}
	}
	if rep.Roster != want || len(got) != want || want == 0 || want == len(rows) {
		t.Errorf("roster %d, cases %d, want %d of %d", rep.Roster, len(got), want, len(rows))
	}
	for _, c := range got {
		if c.Row.Village != village {
			t.Errorf("a case of %s reached a laptop of %s", c.Row.Village, village)
		}
	}
	// The district corrects a phone number in the village, and one elsewhere: only the
	// first reaches this laptop, at its next round; re-importing the same rows sends
	// nothing.
	var mine, other roster.Row
	for _, r := range rows {
		if r.Village == village && mine.Name == "" {
			mine = r
		}
		if r.Village != village && other.Name == "" {
			other = r
		}
	}
	mine.Phone, other.Phone = "13911112222", "13933334444"
	if _, err := d.Store.ImportRoster(context.Background(), append(rows, mine, other), store.RosterImport{}); err != nil {
		t.Fatal(err)
	}
	if rep := Round(t, sy); rep.Roster != 1 {
		t.Errorf("after a correction: %+v", rep)
	}
	c, _ := fresh.CaseByNumber(mine.Key())
	if c.Row.Phone != "13911112222" {
		t.Errorf("the correction did not reach the laptop: %q", c.Row.Phone)
	}
	if rep := Round(t, sy); rep.Roster != 0 {
		t.Errorf("an unchanged roster was sent again: %+v", rep)
	}
}

// TestPhotoUploadResumes: a record's photo is uploaded before the record; an upload cut
// off halfway resumes from the server's offset, not from zero.
func testPhotoUploadResumes(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	s := Laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	rec := items[0].Record
	// A draft with a photo, taken to completion: its outbox entry names the photo.
	cases, _ := s.Cases(localstore.CaseFilter{Status: localstore.StatusNew})
	r, err := s.StartRecord(cases[0].ID, rec.FormID, rec.FormVersion)
	if err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte("入户照片 "), 60000) // 780 KB
	steps := []func() (*localstore.Record, error){
		func() (*localstore.Record, error) { return s.SetCaseHeader(r.ID, 1, 3, "空挂户，村委会证实") },
		func() (*localstore.Record, error) { return s.AddPhoto(r.ID, photo, "image/jpeg") },
		func() (*localstore.Record, error) { return s.Complete(r.ID) },
	}
	for _, step := range steps {
		if r, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	hash := r.Photos[0].Hash
	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	// The first 300 000 bytes arrived before the link dropped.
	if _, _, err := d.Att.Append(hash, server.UploadOwner(sy.Client.Token), 0, photo[:300000], record.MaxPhotoSize); err != nil {
		t.Fatal(err)
	}
	rep := Round(t, sy)
	if rep.Pushed != 2 || rep.PhotoBytes != int64(len(photo)-300000) {
		t.Errorf("round %+v: sent %d photo bytes, want %d", rep, rep.PhotoBytes, len(photo)-300000)
	}
	if n, complete, _ := d.Att.Offset(hash, "someone-else"); !complete || n != int64(len(photo)) {
		t.Errorf("the server has %d bytes, complete %v", n, complete)
	}
	// A record naming a photo the server lacks waits for it rather than being refused.
	own, err := s.Revision(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh := NewDistrict(t, b, nil)
	res := fresh.Put(protocol.User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}, protocol.PushItem{Seq: 9,
		Revision: record.Revision{Record: withPhoto(r, strings.Repeat("ab", 32)), Audit: own.Audit}, Case: protocol.Case{Subject: r.Subject, Village: "x"}})
	if res.Result != protocol.Rejected || !res.Retry || !strings.Contains(res.Reason, "photo") {
		t.Errorf("a record with a missing photo: %+v", res)
	}
}

func withPhoto(r *localstore.Record, hash string) localstore.Record {
	c := *r
	c.Photos = append([]localstore.Attachment{}, localstore.Attachment{Hash: hash})
	return c
}

func testRateLimit(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	d.Handler.RatePerMinute = 3
	s := Laptop(t, 0, "E001")
	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	var err error
	for i := 0; i < 6 && err == nil; i++ {
		_, err = sy.Round(context.Background())
	}
	var se *dsync.Error
	if !errors.As(err, &se) || se.Kind != dsync.Transient || !strings.Contains(se.Message("zh"), "服务器忙") {
		t.Errorf("a device over its rate: %v", err)
	}
}

func testEnrolmentCodeExpires(t *testing.T, b Backend) {
	ctx := context.Background()
	now := time.Date(2021, 10, 1, 9, 0, 0, 0, time.UTC)
	st, err := b(t)(func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, err := st.AddEnrolment(ctx, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(8 * 24 * time.Hour)
	if _, _, err := st.Enroll(ctx, code, "x", nil, ""); !errors.Is(err, store.ErrBadCode) {
		t.Errorf("a code a week old enrolled: %v", err)
	}
	code, _ = st.AddEnrolment(ctx, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	tok, u, err := st.Enroll(ctx, " "+strings.ToLower(code), "x", nil, "") // typed in lower case
	if err != nil || u.Code != "E001" {
		t.Fatalf("enrol: %v", err)
	}
	if c, err := st.Authenticate(ctx, tok); err != nil || c.User.Code != "E001" || c.Device != "x" {
		t.Errorf("authenticate: %+v, %v", c, err)
	}
	if _, err := st.Authenticate(ctx, tok+"0"); !errors.Is(err, store.ErrBadToken) {
		t.Errorf("a made-up token: %v", err)
	}
	if _, _, err := st.Enroll(ctx, code, "y", nil, ""); !errors.Is(err, store.ErrBadCode) {
		t.Errorf("a code enrolled twice: %v", err)
	}
	if _, err := st.AddEnrolment(ctx, protocol.User{Code: "E002", Role: "enumerator"}); err == nil {
		t.Error("a user without a name or villages was enrolled")
	}
}

// testRosterVillageDecides: a person's record is filed under the village the district's
// roster gives the person, not under the record's own label (issue 15 §1). With the
// true roster the laptop's records are stored; with a roster that puts its persons in
// 王庄村 the same records, labelled with the laptop's villages, are refused naming it.
func testRosterVillageDecides(t *testing.T, b Backend) {
	for _, moved := range []bool{false, true} {
		d := NewDistrict(t, b, nil)
		s := Laptop(t, 3, "E001")
		cases, err := s.Cases(localstore.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var rows []roster.Row
		for _, c := range cases {
			row := c.Row
			if moved {
				row.Village = "王庄村"
			}
			rows = append(rows, row)
		}
		if _, err := d.Store.ImportRoster(context.Background(), rows, store.RosterImport{}); err != nil {
			t.Fatal(err)
		}
		sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
		rep := Round(t, sy)
		switch {
		case !moved && (rep.Pushed != 3 || d.Count() != 3):
			t.Errorf("with the true roster: %+v, %d stored", rep, d.Count())
		case moved && (rep.Rejected != 3 || d.Count() != 0):
			t.Errorf("with the roster's persons in another village: %+v, %d stored", rep, d.Count())
		case moved && (len(rep.Refused) == 0 || rep.Refused[0].Code != protocol.ReasonRosterVillage || rep.Refused[0].Args[0] != "王庄村"):
			t.Errorf("the refusal does not name the roster's village: %+v", rep.Refused)
		}
	}
}
