// Package storetest is test support for the district server's storage backends: the
// conformance suite every store.Store must pass (Run), and the district (a real TLS
// server over a backend) and demo laptops its tests, and the sync client's, are built
// from. It holds every exactly-once and authority rule of sync, run end to end: real
// laptops (localstore), the real client (sync), the real handler (server).
//
// It is imported only by tests. It must never be imported by a program.
package storetest

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// Backend gives the suite a new, empty place for a server's data, and the Opener that
// opens it. The Opener is called again after the store it gave is closed (a restarted
// server) and must then give the same data. A backend that needs a service (a database
// server) starts it in Backend, stops it with t.Cleanup, and skips when it is missing.
type Backend func(t testing.TB) Opener

// KeyedBackend is a Backend whose store can be opened with the district's public
// signing key (the backend's Options.District), which signs the office console's
// decisions; nil opens it without one, as Backend does. The conformance suite (Run)
// takes one, so the office's signed decisions are run on every backend.
type KeyedBackend func(t testing.TB, district ed25519.PublicKey) Opener

// Plain is the backend opened without a district key.
func (k KeyedBackend) Plain() Backend {
	return func(t testing.TB) Opener { return k(t, nil) }
}

// Opener opens the store with the clock now (nil: time.Now).
type Opener func(now func() time.Time) (store.Store, error)

// TestKDF makes laptops fast to unlock in tests.
var TestKDF = localstore.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

// District is a server on a real TLS listener over a backend, and its fingerprint.
type District struct {
	T       testing.TB
	Store   store.Store
	Att     *attachments.Dir
	Handler *server.Handler
	Srv     *httptest.Server
	Pin     string
	// Now is the store's clock (nil: time.Now); set before Start.
	Now func() time.Time
	// Forms is the district's form shelf (nil: none, every form known); set before
	// Start or Restart.
	Forms *server.FormShelf

	open    Opener
	current atomic.Pointer[server.Handler]
	wrap    func(http.Handler) http.Handler
}

// NewDistrict starts a district over a new place of the backend. wrap, when not nil,
// stands between the listener and the handler: faults go there.
func NewDistrict(t testing.TB, b Backend, wrap func(http.Handler) http.Handler) *District {
	t.Helper()
	d := &District{T: t, open: b(t), wrap: wrap}
	att, err := attachments.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	att.Sealer = seal.New(seal.NewKey()) // photos sealed, as doorstep-server keeps them
	d.Att = att
	d.Start()
	t.Cleanup(d.Stop)
	return d
}

// Start opens the store and serves it; the listener is made once and kept across
// restarts (the same address, as a restarted server has).
func (d *District) Start() {
	d.T.Helper()
	st, err := d.open(d.Now)
	if err != nil {
		d.T.Fatal(err)
	}
	d.Store = st
	d.Handler = &server.Handler{Store: st, Attachments: d.Att, Forms: d.Forms, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RetryAfter: time.Second}
	d.current.Store(d.Handler)
	if d.Srv != nil {
		return
	}
	// The listener's handler never changes (a request reads it unsynchronised); it
	// forwards to the handler of the store open now.
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { d.current.Load().ServeHTTP(w, r) })
	if d.wrap != nil {
		h = d.wrap(h)
	}
	d.Srv = httptest.NewUnstartedServer(h)
	d.Srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are tested
	d.Srv.StartTLS()
	d.T.Cleanup(d.Srv.Close)
	d.Pin = server.FingerprintDER(d.Srv.Certificate().Raw)
}

// Stop closes the store; requests meanwhile meet a closed store.
func (d *District) Stop() {
	if d.Store != nil {
		d.Store.Close()
	}
}

// Restart closes the store and opens it again behind the same address (the server
// killed and started again): requests in between meet a closed store.
func (d *District) Restart() {
	d.T.Helper()
	d.Stop()
	d.Start()
}

// Enrol adds a user and returns a one-time code.
func (d *District) Enrol(code, name, role string, villages ...string) string {
	d.T.Helper()
	c, err := d.Store.AddEnrolment(context.Background(), protocol.User{Code: code, Name: name, Role: role, Villages: villages})
	if err != nil {
		d.T.Fatal(err)
	}
	return c
}

// EnrolKey enrols a device of u straight at the store with the signing key of the
// laptop s, as the laptop's enrolment does: the entries s signs are then u's.
func (d *District) EnrolKey(u protocol.User, s *localstore.Session) {
	d.T.Helper()
	if err := EnrolKey(d.Store, u, s); err != nil {
		d.T.Fatal(err)
	}
}

// EnrolKey enrols a device of u at st with the signing key of the laptop s.
func EnrolKey(st store.Store, u protocol.User, s *localstore.Session) error {
	ctx := context.Background()
	code, err := st.AddEnrolment(ctx, u)
	if err != nil {
		return err
	}
	keys, err := s.BundleKeys()
	if err != nil {
		return err
	}
	_, _, err = st.Enroll(ctx, code, "laptop of "+u.Code, keys.Card().Verify, keys.Card().String())
	return err
}

// EnrollRequest is the laptop s's enrolment under code: its user's signing key and
// key card, as doorstep sync enrol sends them.
func EnrollRequest(s *localstore.Session, code, device string) (protocol.EnrollRequest, error) {
	keys, err := s.BundleKeys()
	if err != nil {
		return protocol.EnrollRequest{}, err
	}
	card := keys.Card()
	return protocol.EnrollRequest{Code: code, Device: device,
		SigningKey: base64.StdEncoding.EncodeToString(card.Verify), Card: card.String()}, nil
}

// Count is the number of records the district has (latest revisions).
func (d *District) Count() int {
	d.T.Helper()
	return len(d.Rows(store.RecordFilter{}))
}

// Rows lists records.
func (d *District) Rows(f store.RecordFilter) []store.RecordRow {
	d.T.Helper()
	rows, _, err := d.Store.Records(context.Background(), f)
	if err != nil {
		d.T.Fatal(err)
	}
	return rows
}

// Put pushes one item as u, straight to the store (the handler's arrival included).
func (d *District) Put(u protocol.User, item protocol.PushItem) protocol.PushResult {
	d.T.Helper()
	res, err := d.Store.PutBatch(context.Background(), store.Caller{User: u, Device: "test"}, server.Arrivals([]protocol.PushItem{item}, d.Att))
	if err != nil {
		d.T.Fatal(err)
	}
	return res[0]
}

// PersonForm is the built-in 2021 person form, which the tests' records are started with.
func PersonForm(t testing.TB) *forms.Form {
	t.Helper()
	f, err := forms.Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Laptop is a demo store of 40 cases with k completed interviews, unlocked as user.
func Laptop(t testing.TB, k int, user string) *localstore.Session {
	t.Helper()
	return LaptopOf(t, 40, k, user)
}

// LaptopOf is a demo store of the given cases, k of them completed, unlocked as user.
func LaptopOf(t testing.TB, cases, k int, user string) *localstore.Session {
	t.Helper()
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := seed.Fill(db, seed.Options{Form: PersonForm(t), Options: demo.Options{Seed: 5, Cases: cases, Villages: 2}, Completed: k}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock(user, seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Enrolled makes a syncer of s enrolled with d under code.
func Enrolled(t testing.TB, d *District, s *localstore.Session, code string) *dsync.Syncer {
	t.Helper()
	sy, err := EnrolledErr(d, s, code)
	if err != nil {
		t.Fatal(err)
	}
	return sy
}

// EnrolledErr is Enrolled that returns its failure (a fault in the way).
func EnrolledErr(d *District, s *localstore.Session, code string) (*dsync.Syncer, error) {
	c, err := dsync.NewClient(d.Srv.URL, "", d.Pin, "")
	if err != nil {
		return nil, err
	}
	req, err := EnrollRequest(s, code, "test laptop")
	if err != nil {
		return nil, err
	}
	resp, err := c.EnrollUser(context.Background(), req)
	if err != nil {
		return nil, err
	}
	if err := s.SetSyncState(localstore.SyncState{Server: d.Srv.URL, Fingerprint: d.Pin, Token: resp.Token,
		User: resp.User.Code, ServerID: resp.ServerID, Epoch: resp.Epoch, DistrictKey: resp.DistrictKey}); err != nil {
		return nil, err
	}
	c.Token = resp.Token
	return &dsync.Syncer{Session: s, Client: c, Batch: 2}, nil
}

// Round runs one sync round and fails the test on an error.
func Round(t testing.TB, s *dsync.Syncer) dsync.Report {
	t.Helper()
	rep, err := s.Round(context.Background())
	if err != nil {
		t.Fatalf("round: %v (%+v)", err, rep)
	}
	return rep
}

// Villages are the villages of the laptop's cases, in the order first met.
func Villages(t testing.TB, s *localstore.Session) []string {
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

// FixAndComplete is an enumerator correcting a returned record: a changed answer, the
// read-back, both signatures, completed again.
func FixAndComplete(t testing.TB, s *localstore.Session, id string) {
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
