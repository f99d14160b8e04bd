package sync

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	bolt "go.etcd.io/bbolt"
)

var testKDF = localstore.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

// district is a server on a real TLS listener over a real store, and its fingerprint.
type district struct {
	t       testing.TB
	dir     string
	store   *Store
	handler *Handler
	srv     *httptest.Server
	pin     string
	// wrap, when set, stands between the listener and the handler: faults go here.
	wrap func(http.Handler) http.Handler
}

func newDistrict(t testing.TB) *district {
	t.Helper()
	d := &district{t: t, dir: t.TempDir()}
	d.start()
	t.Cleanup(d.stop)
	return d
}

func (d *district) start() {
	d.t.Helper()
	st, err := OpenStore(d.dir, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	d.store = st
	d.handler = &Handler{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var h http.Handler = d.handler
	if d.wrap != nil {
		h = d.wrap(h)
	}
	if d.srv == nil {
		d.srv = httptest.NewUnstartedServer(h)
		d.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are tested
		d.srv.StartTLS()
		d.t.Cleanup(d.srv.Close)
	} else {
		d.srv.Config.Handler = h
	}
	d.pin = FingerprintDER(d.srv.Certificate().Raw)
}

func (d *district) stop() {
	if d.store != nil {
		d.store.Close()
		d.store = nil
	}
}

// restart closes and reopens the store behind the same address (the server killed and
// started again).
func (d *district) restart() {
	d.t.Helper()
	d.stop()
	d.start()
}

func (d *district) enrol(code, name, role string, villages ...string) string {
	d.t.Helper()
	c, err := d.store.AddEnrolment(User{Code: code, Name: name, Role: role, Villages: villages})
	if err != nil {
		d.t.Fatal(err)
	}
	return c
}

func (d *district) count() int {
	d.t.Helper()
	rows, err := d.store.Records(false)
	if err != nil {
		d.t.Fatal(err)
	}
	return len(rows)
}

// laptop is a demo store of 40 cases with k completed interviews, unlocked as user.
func laptop(t testing.TB, k int, user string) *localstore.Session {
	t.Helper()
	return laptopOf(t, 40, k, user)
}

func laptopOf(t testing.TB, cases, k int, user string) *localstore.Session {
	t.Helper()
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := demo.Seed(db, demo.SeedOptions{Form: personForm2021(t), Options: demo.Options{Seed: 5, Cases: cases, Villages: 2}, Completed: k}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock(user, demo.DemoPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// enrolled makes a syncer of s enrolled with d under code.
func enrolled(t testing.TB, d *district, s *localstore.Session, code string) *Syncer {
	t.Helper()
	c, err := NewClient(d.srv.URL, "", d.pin, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Enroll(context.Background(), code, "test laptop")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSyncState(localstore.SyncState{Server: d.srv.URL, Fingerprint: d.pin, Token: resp.Token,
		User: resp.User.Code, ServerID: resp.ServerID, Epoch: resp.Epoch}); err != nil {
		t.Fatal(err)
	}
	c.Token = resp.Token
	return &Syncer{Session: s, Client: c, Batch: 2}
}

func round(t *testing.T, s *Syncer) Report {
	t.Helper()
	rep, err := s.Round(context.Background())
	if err != nil {
		t.Fatalf("round: %v (%+v)", err, rep)
	}
	return rep
}

func villages(t testing.TB, s *localstore.Session) []string {
	t.Helper()
	cases, _ := s.Cases(localstore.CaseFilter{})
	seen := map[string]bool{}
	var out []string
	for _, c := range cases {
		if !seen[c.Row.Village] {
			seen[c.Row.Village] = true
			out = append(out, c.Row.Village)
		}
	}
	return out
}

func TestPushExactlyOnce(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 6, "E001")
	sy := enrolled(t, d, s, d.enrol("E001", "李晓梅", "enumerator", villages(t, s)...))
	rep := round(t, sy)
	if rep.Pushed != 6 || rep.Queued != 0 || rep.Rejected != 0 {
		t.Fatalf("first round %+v", rep)
	}
	if d.count() != 6 {
		t.Errorf("server has %d records", d.count())
	}
	recs, _ := s.Records()
	for _, r := range recs {
		if r.Status == localstore.StatusCompleted {
			if rc, ok := r.Received(); !ok || !strings.HasPrefix(rc.ServerID, d.store.ID()) {
				t.Errorf("record %s has no receipt: %+v", r.ID, r.Receipts)
			}
		}
	}
	if rep := round(t, sy); rep.Pushed != 0 || rep.Duplicates != 0 {
		t.Errorf("second round %+v", rep)
	}
	sent, _ := s.Cases(localstore.CaseFilter{Status: localstore.StatusSubmitted})
	if len(sent) != 6 {
		t.Errorf("%d cases show as submitted (已上报), want 6", len(sent))
	}
	if d.count() != 6 {
		t.Errorf("server has %d records after a second round", d.count())
	}
}

// TestLeaderThroughServer: the enumerator pushes; the leader's laptop pulls the team's
// records, returns one; the enumerator's next round brings the return back.
func TestLeaderThroughServer(t *testing.T) {
	d := newDistrict(t)
	enum := laptop(t, 4, "E001")
	lead := laptop(t, 0, "L001")
	vs := villages(t, enum)
	es := enrolled(t, d, enum, d.enrol("E001", "李晓梅", "enumerator", vs...))
	ls := enrolled(t, d, lead, d.enrol("L001", "王建军", "leader", "*"))
	round(t, es)
	rep := round(t, ls)
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
	if rep := round(t, ls); rep.Pushed != 2 {
		t.Fatalf("the leader pushed %+v", rep)
	}
	rep = round(t, es)
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
	fixAndComplete(t, enum, back.ID)
	if rep := round(t, es); rep.Pushed != 1 {
		t.Fatalf("the fix was not pushed: %+v", rep)
	}
	if rep := round(t, ls); rep.Pulled != 1 {
		t.Fatalf("the leader did not get the fix: %+v", rep)
	}
	if _, err := lead.Approve(back.ID); err != nil {
		t.Fatal(err)
	}
	round(t, ls)
	round(t, es)
	if r, _ := enum.Record(back.ID); r.Status != localstore.StatusApproved {
		t.Errorf("after the loop, the enumerator's record is %s", r.Status)
	}
	for _, s := range []*localstore.Session{enum, lead} {
		if probs, _ := s.Verify(); len(probs) != 0 {
			t.Errorf("verify: %v", probs)
		}
	}
	rows, _ := d.store.Records(false)
	for _, r := range rows {
		if r.RecordID == back.ID && r.Status != string(localstore.StatusApproved) {
			t.Errorf("the district has %s for the record", r.Status)
		}
	}
}

// fixAndComplete is an enumerator correcting a returned record: a changed answer, the
// read-back, both signatures, completed again.
func fixAndComplete(t testing.TB, s *localstore.Session, id string) {
	t.Helper()
	r, err := s.Record(id)
	if err != nil {
		t.Fatal(err)
	}
	v := []byte("1")
	if string(r.Answers["R3"]) == "1" {
		v = []byte("2")
	}
	steps := []func() (*localstore.Record, error){
		func() (*localstore.Record, error) {
			return s.SaveAnswers(id, localstore.AnswerChange{Question: "R3", Section: "basic", Value: v})
		},
		func() (*localstore.Record, error) { return s.MarkReadBack(id) },
		func() (*localstore.Record, error) {
			return s.Sign(id, localstore.Signature{Role: localstore.SignerRespondent, Name: "本人"})
		},
		func() (*localstore.Record, error) {
			return s.Sign(id, localstore.Signature{Role: localstore.SignerEnumerator, Name: s.User().Name})
		},
		func() (*localstore.Record, error) { return s.Complete(id) },
	}
	for _, step := range steps {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWrongVillageRejected(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 3, "E001")
	sy := enrolled(t, d, s, d.enrol("E001", "李晓梅", "enumerator", "别的村"))
	rep := round(t, sy)
	if rep.Rejected != 3 || rep.Queued != 0 || !strings.Contains(rep.Reasons[0], "别的村") && !strings.Contains(rep.Reasons[0], "villages") {
		t.Fatalf("round %+v", rep)
	}
	if d.count() != 0 {
		t.Error("records of a village not the user's were stored")
	}
	rej, _ := s.Rejected()
	if len(rej) != 3 || rej[0].Reason == "" {
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
func TestFaults(t *testing.T) {
	tests := []struct {
		name string
		wrap func(d *district) func(http.Handler) http.Handler
		// rounds the laptop may need before all is through
		rounds int
	}{
		{"a 500 on every third request", func(*district) func(http.Handler) http.Handler {
			return nth(func(n int, _ *http.Request) bool { return n%3 == 0 },
				func(_ http.Handler, w http.ResponseWriter, _ *http.Request) {
					http.Error(w, "boom", http.StatusInternalServerError)
				})
		}, 6},
		{"the answer lost after the server committed", func(*district) func(http.Handler) http.Handler {
			return nth(func(n int, r *http.Request) bool { return r.URL.Path == "/v1/push" && n%2 == 1 },
				func(next http.Handler, w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(httptest.NewRecorder(), r) // committed, answer thrown away
					if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
						conn.Close()
					}
				})
		}, 6},
		{"a captive portal's page now and then", func(*district) func(http.Handler) http.Handler {
			return nth(func(n int, _ *http.Request) bool { return n%4 == 2 },
				func(_ http.Handler, w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					io.WriteString(w, "<html><body>请登录 Wi-Fi</body></html>")
				})
		}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &district{t: t, dir: t.TempDir()}
			d.wrap = tt.wrap(d)
			d.start()
			t.Cleanup(d.stop)
			s := laptop(t, 8, "E001")
			code := d.enrol("E001", "李晓梅", "enumerator", villages(t, s)...)
			var sy *Syncer
			for i := 0; sy == nil && i < 5; i++ { // enrolment itself may meet the fault
				func() {
					defer func() { recover() }()
					sy = enrolledOnce(t, d, s, code)
				}()
			}
			if sy == nil {
				t.Fatal("could not enrol through the fault")
			}
			for i := 0; i < tt.rounds; i++ {
				rep, err := sy.Round(context.Background())
				var se *Error
				if err != nil && (!errors.As(err, &se) || se.Kind != Transient) {
					t.Fatalf("round %d: %v", i, err)
				}
				if err == nil && rep.Queued == 0 {
					break
				}
			}
			if n, _ := s.DB().OutboxLen(); n != 0 {
				t.Errorf("%d still queued", n)
			}
			if d.count() != 8 {
				t.Errorf("the server has %d records, want 8", d.count())
			}
		})
	}
}

// enrolledOnce is enrolled without failing the test on a fault (it panics instead, for
// the caller to try again).
func enrolledOnce(t *testing.T, d *district, s *localstore.Session, code string) *Syncer {
	c, err := NewClient(d.srv.URL, "", d.pin, "")
	if err != nil {
		panic(err)
	}
	resp, err := c.Enroll(context.Background(), code, "test laptop")
	if err != nil {
		panic(err)
	}
	if err := s.SetSyncState(localstore.SyncState{Server: d.srv.URL, Fingerprint: d.pin, Token: resp.Token,
		User: resp.User.Code, ServerID: resp.ServerID, Epoch: resp.Epoch}); err != nil {
		panic(err)
	}
	c.Token = resp.Token
	return &Syncer{Session: s, Client: c, Batch: 2}
}

func TestServerRestartedMidway(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 10, "E001")
	sy := enrolled(t, d, s, d.enrol("E001", "李晓梅", "enumerator", villages(t, s)...))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(5 * time.Millisecond)
		d.restart()
		cancel()
	}()
	sy.Round(ctx) // cut short: whatever it did is in one state or the other
	round(t, sy)
	if n, _ := s.DB().OutboxLen(); n != 0 || d.count() != 10 {
		t.Errorf("queued %d, server %d", n, d.count())
	}
}

func TestSecurityFailures(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 3, "E001")
	code := d.enrol("E001", "李晓梅", "enumerator", villages(t, s)...)

	// A wrong pin: nothing is sent, not even the code.
	c, _ := NewClient(d.srv.URL, "", strings.Repeat("ab", 32), "")
	_, err := c.Enroll(context.Background(), code, "x")
	var se *Error
	if !errors.As(err, &se) || se.Kind != Security || !strings.Contains(se.Message("zh"), "指纹不符") {
		t.Fatalf("wrong pin: %v", err)
	}
	// No pin and a self-signed certificate: not trusted.
	c, _ = NewClient(d.srv.URL, "", "", "")
	if _, err := c.Enroll(context.Background(), code, "x"); !errors.As(err, &se) || se.Kind != Security || se.Message("zh") != "证书不受信任，已停止同步" {
		t.Fatalf("untrusted certificate: %v", err)
	}
	sy := enrolled(t, d, s, code) // the code was never used above
	if _, err := d.store.Revoke("E001"); err != nil {
		t.Fatal(err)
	}
	_, err = sy.Round(context.Background())
	if !errors.As(err, &se) || se.Kind != Security || !strings.Contains(se.Message("zh"), "撤销") {
		t.Fatalf("revoked: %v", err)
	}
	if d.count() != 0 {
		t.Error("a revoked device's records were stored")
	}
	if n, _ := s.DB().OutboxLen(); n != 3 {
		t.Errorf("the outbox lost entries: %d", n)
	}
	// A used code does not enrol twice.
	if _, err := enrolledErr(d, code); err == nil {
		t.Error("a one-time code enrolled twice")
	}
}

func enrolledErr(d *district, code string) (EnrollResponse, error) {
	c, _ := NewClient(d.srv.URL, "", d.pin, "")
	return c.Enroll(context.Background(), code, "x")
}

func TestDraftRejected(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 1, "E001")
	cases, _ := s.Cases(localstore.CaseFilter{Status: localstore.StatusNew})
	r, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := s.Revision(r.ID)
	res := d.store.Put(User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}, PushItem{Seq: 1, Revision: rev,
		Case: Case{Subject: r.Subject, Village: cases[0].Row.Village}})
	if res.Result != Rejected || !strings.Contains(res.Reason, "draft") {
		t.Errorf("a draft: %+v", res)
	}
}

func TestTamperedRevisionRejected(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 1, "E001")
	items, _ := s.Outbox(0)
	rev := localstore.Revision{Record: items[0].Record, Audit: items[0].Audit}
	rev.Record.Answers["R3"] = []byte("99")
	u := User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}
	res := d.store.Put(u, PushItem{Seq: 1, Revision: rev, Case: Case{Subject: rev.Record.Subject, Village: "x"}})
	if res.Result != Rejected || !strings.Contains(res.Reason, "R3") {
		t.Errorf("tampered: %+v", res)
	}
}

func TestClockAYearWrong(t *testing.T) {
	d := newDistrict(t)
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: testKDF, Now: func() time.Time { return time.Now().AddDate(1, 0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Seed(db, demo.SeedOptions{Form: personForm2021(t), Options: demo.Options{Seed: 5, Cases: 20, Villages: 2}, Completed: 3}); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Unlock("E001", demo.DemoPassphrase)
	sy := enrolled(t, d, s, d.enrol("E001", "李晓梅", "enumerator", "*"))
	if rep := round(t, sy); rep.Pushed != 3 {
		t.Errorf("round %+v", rep)
	}
}

// TestRosterFromServer: the district's roster reaches each laptop, its villages only.
func TestRosterFromServer(t *testing.T) {
	d := newDistrict(t)
	src := laptop(t, 0, "E001")
	cases, _ := src.Cases(localstore.CaseFilter{})
	var rows []roster.Row
	for _, c := range cases {
		rows = append(rows, c.Row)
	}
	if err := d.store.ImportRoster(rows); err != nil {
		t.Fatal(err)
	}
	village := rows[0].Village
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fresh, err := db.Setup(localstore.User{Code: "E009", Name: "新人", Role: localstore.RoleEnumerator}, "pass-word-9")
	if err != nil {
		t.Fatal(err)
	}
	sy := enrolled(t, d, fresh, d.enrol("E009", "新人", "enumerator", village))
	rep := round(t, sy)
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
	if err := d.store.ImportRoster(append(rows, mine, other)); err != nil {
		t.Fatal(err)
	}
	if rep := round(t, sy); rep.Roster != 1 {
		t.Errorf("after a correction: %+v", rep)
	}
	c, _ := fresh.CaseByNumber(mine.Key())
	if c.Row.Phone != "13911112222" {
		t.Errorf("the correction did not reach the laptop: %q", c.Row.Phone)
	}
	if rep := round(t, sy); rep.Roster != 0 {
		t.Errorf("an unchanged roster was sent again: %+v", rep)
	}
}

// TestPhotoUploadResumes: a record's photo is uploaded before the record; an upload cut
// off halfway resumes from the server's offset, not from zero.
func TestPhotoUploadResumes(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 1, "E001")
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
	// The first 300 000 bytes arrived before the link dropped.
	if _, _, err := d.store.AppendAttachment(hash, 0, photo[:300000], maxAttachment); err != nil {
		t.Fatal(err)
	}
	sy := enrolled(t, d, s, d.enrol("E001", "李晓梅", "enumerator", "*"))
	rep := round(t, sy)
	if rep.Pushed != 2 || rep.PhotoBytes != int64(len(photo)-300000) {
		t.Errorf("round %+v: sent %d photo bytes, want %d", rep, rep.PhotoBytes, len(photo)-300000)
	}
	if n, complete, _ := d.store.AttachmentOffset(hash); !complete || n != int64(len(photo)) {
		t.Errorf("the server has %d bytes, complete %v", n, complete)
	}
	// A record naming a photo the server lacks waits for it rather than being refused.
	own, err := s.Revision(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.store.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktLatest).Delete([]byte(r.ID)) })
	d.store.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktRevisions).Delete(revKey(r.ID, r.Revision)) })
	res := d.store.Put(User{Code: "E001", Role: "enumerator", Villages: []string{"*"}}, PushItem{Seq: 9,
		Revision: localstore.Revision{Record: withPhoto(r, strings.Repeat("ab", 32)), Audit: own.Audit}, Case: Case{Subject: r.Subject, Village: "x"}})
	if res.Result != Rejected || !res.Retry || !strings.Contains(res.Reason, "photo") {
		t.Errorf("a record with a missing photo: %+v", res)
	}
}

func withPhoto(r *localstore.Record, hash string) localstore.Record {
	c := *r
	c.Photos = append([]localstore.Attachment{}, localstore.Attachment{Hash: hash})
	return c
}

func TestRateLimit(t *testing.T) {
	d := newDistrict(t)
	d.handler.RatePerMinute = 3
	s := laptop(t, 0, "E001")
	sy := enrolled(t, d, s, d.enrol("E001", "李晓梅", "enumerator", "*"))
	var err error
	for i := 0; i < 6 && err == nil; i++ {
		_, err = sy.Round(context.Background())
	}
	var se *Error
	if !errors.As(err, &se) || se.Kind != Transient || !strings.Contains(se.Message("zh"), "服务器忙") {
		t.Errorf("a device over its rate: %v", err)
	}
}

func TestEnrolmentCodeExpires(t *testing.T) {
	now := time.Date(2021, 10, 1, 9, 0, 0, 0, time.UTC)
	st, err := OpenStore(t.TempDir(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, err := st.AddEnrolment(User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(8 * 24 * time.Hour)
	if _, _, err := st.Enroll(code, "x"); !errors.Is(err, ErrBadCode) {
		t.Errorf("a code a week old enrolled: %v", err)
	}
	code, _ = st.AddEnrolment(User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	tok, u, err := st.Enroll(strings.ToLower(code), "x") // typed in lower case
	if err != nil || u.Code != "E001" {
		t.Fatalf("enrol: %v", err)
	}
	if _, err := st.Authenticate(tok); err != nil {
		t.Error(err)
	}
	if _, err := st.Authenticate(tok + "0"); !errors.Is(err, ErrBadToken) {
		t.Errorf("a made-up token: %v", err)
	}
}
