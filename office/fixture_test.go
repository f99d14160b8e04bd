package office

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/store"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

var (
	testKDF      = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}
	testPass     = "office-pass-1234"
	quietLog     = slog.New(slog.NewTextHandler(io.Discard, nil))
	personForm   = mustForm("person-2021")
	formRegistry = mustRegistry()
)

func mustForm(id string) *forms.Form {
	f, err := forms.Builtin(id)
	if err != nil {
		panic(err)
	}
	return f
}

func mustRegistry() *forms.Registry {
	all, err := forms.BuiltinForms()
	if err != nil {
		panic(err)
	}
	reg, err := forms.NewRegistry(all...)
	if err != nil {
		panic(err)
	}
	return reg
}

// clock is a wall clock the test moves.
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a district server — a real store, the laptops' API and the console on one
// TLS listener — with a demo laptop that has synced its completed interviews, some of
// them approved by its team leader, and an office account of each role.
type fixture struct {
	t        testing.TB
	dir      string
	clock    *clock
	store    store.Store
	att      *attachments.Dir
	office   *Handler
	srv      *httptest.Server
	pin      string
	district demo.District
	// districtKey signs the console's decisions; the laptops learn its public half.
	districtKey ed25519.PrivateKey
	laptop      *localstore.Session // the enumerator E001
	leader      *localstore.Session // the team leader L001, same laptop
	syncer      *dsync.Syncer
	// towns: the first town's account sees only it.
	town, otherTown string
}

type fixtureOpts struct {
	cases, completed, approved int
}

func newFixture(t testing.TB, o fixtureOpts) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	db := localstoretest.Open(t)
	rep, err := seed.Fill(db, seed.Options{Options: demo.Options{Seed: 7, Cases: o.cases, Villages: 4}, Form: personForm, Completed: o.completed})
	if err != nil {
		t.Fatal(err)
	}
	f.district = rep.District
	f.town, f.otherTown = rep.District.Towns[0], rep.District.Towns[1]
	if f.laptop, err = db.Unlock("E001", seed.Passphrase); err != nil {
		t.Fatal(err)
	}
	if f.leader, err = db.Unlock("L001", seed.Passphrase); err != nil {
		t.Fatal(err)
	}
	recs, _ := f.leader.Records()
	approved := 0
	for _, r := range recs {
		if approved < o.approved && r.Status == localstore.StatusCompleted {
			if _, err := f.leader.Approve(r.ID); err != nil {
				t.Fatal(err)
			}
			approved++
		}
	}

	if f.att, err = attachments.Open(filepath.Join(f.dir, "attachments")); err != nil {
		t.Fatal(err)
	}
	districtPub, districtKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.districtKey = districtKey
	st, err := boltstore.Open(f.dir, boltstore.Options{Attachments: f.att, District: districtPub})
	if err != nil {
		t.Fatal(err)
	}
	f.store = st
	t.Cleanup(func() { f.store.Close() })
	if _, err := f.store.ImportRoster(context.Background(), rep.District.Rows, store.RosterImport{By: "test"}); err != nil {
		t.Fatal(err)
	}
	start := f.clock.now().AddDate(0, 0, -10)
	f.office, err = New(Options{Dir: f.dir, Source: StoreSource{Store: f.store, Attachments: f.att}, Forms: formRegistry, PersonForm: personForm,
		Unit: "测试区残联", Start: start, Deadlines: []Deadline{{Key: "deadline.collect", Date: start.AddDate(0, 0, 35)},
			{Key: "deadline.report", Date: start.AddDate(0, 0, 40)}},
		Now: f.clock.now, Log: quietLog, EnrolURL: "https://district.example:8443", Fingerprint: "AB:CD", Signer: districtKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.office.Close() })
	api := &server.Handler{Store: f.store, Attachments: f.att, Log: quietLog}
	mux := http.NewServeMux()
	mux.Handle("/office/", f.office)
	mux.Handle("/", api)
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	f.pin = server.FingerprintDER(f.srv.Certificate().Raw)

	villages := make([]string, len(rep.District.Villages))
	for i, v := range rep.District.Villages {
		villages[i] = v.Name
	}
	// The leader's approvals reach the server from the leader's own enrolment: the
	// server takes an approval from no enumerator's token (issue 15 §1). E001 enrols
	// first: the leader carries E001's entries, signed by the key E001 enrolled.
	f.syncer = f.enrol(f.laptop, "test laptop")
	if approved > 0 {
		ls := f.enrolAs(f.leader, "test laptop", protocol.User{Code: "L001", Name: "王建军", Role: "leader", Villages: villages})
		if rep, err := ls.Round(context.Background()); err != nil || rep.Rejected > 0 {
			t.Fatalf("the leader's round: %+v %v", rep, err)
		}
	}
	f.sync()

	for _, a := range []struct {
		user, name string
		role       Role
		towns      []string
		numbers    bool
	}{{"qu", "区残联 张敏", RoleDistrict, nil, true}, {"zhen", "街镇 王芳", RoleTown, []string{f.town}, false}} {
		acc, err := NewAccount(a.user, a.name, a.role, a.towns, testPass, testKDF, f.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		acc.SeeNumbers = a.numbers
		if err := AddAccount(f.dir, acc); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// enrol enrols a laptop's session as E001 of every village, and returns its syncer.
func (f *fixture) enrol(s *localstore.Session, device string) *dsync.Syncer {
	f.t.Helper()
	villages := make([]string, len(f.district.Villages))
	for i, v := range f.district.Villages {
		villages[i] = v.Name
	}
	return f.enrolAs(s, device, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: villages})
}

// enrolAs enrols a laptop's session as the user u, and returns its syncer.
func (f *fixture) enrolAs(s *localstore.Session, device string, u protocol.User) *dsync.Syncer {
	f.t.Helper()
	code, err := f.store.AddEnrolment(context.Background(), u)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := dsync.NewClient(f.srv.URL, "", f.pin, "")
	if err != nil {
		f.t.Fatal(err)
	}
	keys, err := s.BundleKeys()
	if err != nil {
		f.t.Fatal(err)
	}
	card := keys.Card()
	resp, err := c.EnrollUser(context.Background(), protocol.EnrollRequest{Code: code, Device: device,
		SigningKey: base64.StdEncoding.EncodeToString(card.Verify), Card: card.String()})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := s.SetSyncState(localstore.SyncState{Server: f.srv.URL, Fingerprint: f.pin, Token: resp.Token,
		User: resp.User.Code, ServerID: resp.ServerID, Epoch: resp.Epoch,
		DistrictKey: base64.StdEncoding.EncodeToString(f.districtKey.Public().(ed25519.PublicKey))}); err != nil {
		f.t.Fatal(err)
	}
	c.Token = resp.Token
	return &dsync.Syncer{Session: s, Client: c}
}

// secondLaptop is another laptop of the same demo district (the fixture's cases must be
// given again) that interviews again the first k persons the fixture's laptop did, and
// has pushed them: k duplicate interviews.
func (f *fixture) secondLaptop(cases, k int) *dsync.Syncer {
	f.t.Helper()
	db := localstoretest.Open(f.t)
	if _, err := seed.Fill(db, seed.Options{Options: demo.Options{Seed: 7, Cases: cases, Villages: 4}, Form: personForm, Completed: k}); err != nil {
		f.t.Fatal(err)
	}
	s, err := db.Unlock("E001", seed.Passphrase)
	if err != nil {
		f.t.Fatal(err)
	}
	sy := f.enrol(s, "second laptop")
	if rep, err := sy.Round(context.Background()); err != nil || rep.Pushed != k {
		f.t.Fatalf("the second laptop's round: %+v %v", rep, err)
	}
	return sy
}

// sync runs one round of the laptop.
func (f *fixture) sync() dsync.Report {
	f.t.Helper()
	rep, err := f.syncer.Round(context.Background())
	if err != nil {
		f.t.Fatalf("sync round: %v (%+v)", err, rep)
	}
	return rep
}

// townOf names the town of a village of the demo district.
func (f *fixture) townOfVillage(v string) string {
	for _, x := range f.district.Villages {
		if x.Name == v {
			return x.Town
		}
	}
	return ""
}

// browser is a cookie-keeping client of the console's handler, without a network.
type browser struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]*http.Cookie
	from    string
}

func (f *fixture) browser() *browser {
	return &browser{t: f.t, h: f.office, cookies: map[string]*http.Cookie{}, from: "192.0.2.10:5000"}
}

type response struct {
	code   int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, body io.Reader, ctype string) response {
	b.t.Helper()
	r := httptest.NewRequest(method, "https://district.example"+path, body)
	r.RemoteAddr = b.from
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	res := w.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
			continue
		}
		b.cookies[c.Name] = c
	}
	data, _ := io.ReadAll(res.Body)
	return response{code: res.StatusCode, header: res.Header, body: string(data)}
}

func (b *browser) get(path string) response { return b.do(http.MethodGet, path, nil, "") }

func (b *browser) post(path string, form url.Values) response {
	return b.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf is the token of the page at path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	res := b.get(path)
	m := csrfRE.FindStringSubmatch(res.body)
	if m == nil {
		b.t.Fatalf("no csrf token on %s (%d): %.300s", path, res.code, res.body)
	}
	return m[1]
}

func (b *browser) login(user, pass string) response {
	b.t.Helper()
	tok := b.csrf("/office/login")
	return b.post("/office/login", url.Values{"csrf": {tok}, "user": {user}, "passphrase": {pass}})
}

// signedIn is a browser signed in as user.
func (f *fixture) signedIn(user string) *browser {
	f.t.Helper()
	b := f.browser()
	if res := b.login(user, testPass); res.code != http.StatusSeeOther {
		f.t.Fatalf("login %s: %d %.300s", user, res.code, res.body)
	}
	return b
}

func readFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	return string(data), err
}
