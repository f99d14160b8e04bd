package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/config"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/seal"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// districtWithForms is a real TLS server whose district installed person-2022 (the
// file dropped into its forms folder and named for new person records). Until
// withForms is set it is a server of before forms were sent (no district key at
// enrolment, no /v1/forms); tamper changes what /v1/forms carries on the way.
type districtWithForms struct {
	url, pin  string
	withForms atomic.Bool
	// tamper: 0 nothing, 1 a byte of each form's YAML, 2 a byte of each signature,
	// 3 a form this program cannot load, signed by the district (a form of a newer
	// program's question types reaching an older laptop), 4 every form and the choice
	// signed by another key (the server's key lost and made again).
	tamper atomic.Int32
	// sent is how many forms the last /v1/forms answer carried.
	sent  atomic.Int32
	enrol func(code string) string
}

func newDistrictWithForms(t *testing.T) *districtWithForms {
	t.Helper()
	data, formsDir := t.TempDir(), t.TempDir()
	next, err := os.ReadFile(filepath.Join("..", "..", "forms", "testdata", "person-2022.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(formsDir, "person-2022.yaml"), next, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(data, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg, skipped, err := forms.LoadRegistry(formsDir)
	if err != nil || len(skipped) > 0 {
		t.Fatal(err, skipped)
	}
	person, _ := reg.Named("person-2022")
	community, _ := reg.Named("community-2021")
	key, err := server.LoadSigningKey(data, seal.New(seal.NewKey()))
	if err != nil {
		t.Fatal(err)
	}
	shelf, err := server.OpenFormShelf(data, formsDir, key, person, community)
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	before := &server.Handler{Store: st, Log: discard}
	now := &server.Handler{Store: st, Forms: shelf, Log: discard}
	d := &districtWithForms{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.withForms.Load() {
			before.ServeHTTP(w, r)
			return
		}
		mode := d.tamper.Load()
		if r.URL.Path != "/v1/forms" {
			now.ServeHTTP(w, r)
			return
		}
		// The man in the middle reads and rewrites plain JSON: it asks the server for
		// no compression, whatever the laptop accepts.
		r.Header.Del("Accept-Encoding")
		rec := httptest.NewRecorder()
		now.ServeHTTP(rec, r)
		var resp protocol.FormsResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Error(err)
		}
		d.sent.Store(int32(len(resp.Forms)))
		if mode == 4 {
			resp.Key = base64.StdEncoding.EncodeToString(other.Public().(ed25519.PublicKey))
			resp.ChoiceSig = ed25519.Sign(other, protocol.ChoiceMessage(resp.PersonForm, resp.CommunityForm))
		}
		for i := range resp.Forms {
			switch mode {
			case 3:
				resp.Forms[i].YAML = []byte("id: " + resp.Forms[i].ID + "\nversion: \"" + resp.Forms[i].Version + "\"\nquestions: [{id: R1, type: hologram}]\n")
				resp.Forms[i].Sig = ed25519.Sign(key, protocol.FormMessage(resp.Forms[i].ID, resp.Forms[i].Version, resp.Forms[i].YAML))
			case 1:
				// A letter of the first comment: the form still loads, only the
				// signature tells.
				at := bytes.Index(resp.Forms[i].YAML, []byte("survey year"))
				if at < 0 {
					t.Fatal("person-2022.yaml changed: pick another byte to flip")
				}
				resp.Forms[i].YAML[at] ^= 0x20
			case 2:
				resp.Forms[i].Sig[0] ^= 1
			case 4:
				resp.Forms[i].Sig = ed25519.Sign(other, protocol.FormMessage(resp.Forms[i].ID, resp.Forms[i].Version, resp.Forms[i].YAML))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(resp)
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	d.url, d.pin = srv.URL, server.FingerprintDER(srv.Certificate().Raw)
	d.enrol = func(code string) string {
		c, err := st.AddEnrolment(t.Context(), protocol.User{Code: code, Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return d
}

// personFormOf is the form this laptop starts new person records with, as the program
// resolves it at start.
func personFormOf(t *testing.T, cfg config.Config) string {
	t.Helper()
	fs, err := resolveForms(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs.skipped) > 0 {
		t.Errorf("forms left out: %v", fs.skipped)
	}
	return fs.person.ID + "@" + fs.person.Version
}

func syncReasons(t *testing.T, env map[string]string) string {
	t.Helper()
	var rep struct {
		Reasons []string
		Error   string
	}
	if err := json.Unmarshal([]byte(must(t, env, "sync", "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Error != "" {
		t.Fatalf("sync: %s", rep.Error)
	}
	return strings.Join(rep.Reasons, "\n")
}

// TestDistrictSendsForms: the district installs person-2022; a laptop gets it at its
// next round and starts new interviews on it, while the records it had keep 2021. A
// form changed in transit is refused and the laptop goes on as it was; a laptop
// enrolled before the district signed forms is told to enrol again.
func TestDistrictSendsForms(t *testing.T) {
	d := newDistrictWithForms(t)

	// Enrolled with a server of before: no district key.
	old := laptop(t, "2")
	oldEnv := as(old, "E001")
	must(t, oldEnv, "enroll", d.url, d.enrol("E001"), "--fingerprint", d.pin)
	d.withForms.Store(true)
	if why := syncReasons(t, oldEnv); !strings.Contains(why, "enrol again") || !strings.Contains(why, "重新登记") {
		t.Errorf("a laptop without the district's key is told %q", why)
	}
	if got := personFormOf(t, config.Config{DataDir: old}); got != "person-2021@2021.1" {
		t.Errorf("without the key the laptop starts on %s", got)
	}

	lap := laptop(t, "3")
	env := as(lap, "E001")
	must(t, env, "enroll", d.url, d.enrol("E001"), "--fingerprint", d.pin)
	cfg := config.Config{DataDir: lap}
	for _, mode := range []int32{1, 2, 3, 4} {
		d.tamper.Store(mode)
		why := syncReasons(t, env)
		want := "person-2022@2022.1 was refused: not signed by the district"
		switch mode {
		case 3:
			want = "person-2022@2022.1 was refused: does not load"
		case 4:
			want = "the server's key was replaced"
		}
		if !strings.Contains(why, want) {
			t.Errorf("tamper %d: the round said %q", mode, why)
		}
		if mode != 4 && !strings.Contains(why, "lacks") {
			t.Errorf("tamper %d: the district's choice of a form not received was taken: %q", mode, why)
		}
		if got := personFormOf(t, cfg); got != "person-2021@2021.1" {
			t.Errorf("tamper %d: new interviews start on %s", mode, got)
		}
		if entries, _ := os.ReadDir(receivedFormsDir(cfg)); len(entries) != 0 {
			t.Errorf("tamper %d: kept %v", mode, entries)
		}
	}

	d.tamper.Store(0)
	var rep struct {
		Forms   int
		Reasons []string
	}
	json.Unmarshal([]byte(must(t, env, "sync", "--json")), &rep)
	if rep.Forms != 1 || len(rep.Reasons) != 0 {
		t.Errorf("a clean round: %+v", rep)
	}
	if got := personFormOf(t, cfg); got != "person-2022@2022.1" {
		t.Errorf("after the round new interviews start on %s, want person-2022@2022.1", got)
	}
	// The laptop's own setting wins over the district's choice.
	if got := personFormOf(t, config.Config{DataDir: lap, PersonForm: "person-2021"}); got != "person-2021@2021.1" {
		t.Errorf("with person_form set here, new interviews start on %s", got)
	}
	// The records it had are still read with 2021: each verifies with its own form.
	if out := must(t, env, "records", "verify"); strings.Contains(out, "person-2022") {
		t.Errorf("verify: %s", out)
	}
	// A second round sends nothing again: the laptop said what it has.
	if why := syncReasons(t, env); why != "" || d.sent.Load() != 0 {
		t.Errorf("a second round said %q and was sent %d forms", why, d.sent.Load())
	}
	// Nor to a program that has run since before the form came (the screens': its
	// registry is of its start).
	db, err := localstore.Open(lap, localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Unlock("E001", seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	builtinOnly, _, _ := forms.LoadRegistry("")
	sy, err := newSyncer(s, "", formInbox(cfg, builtinOnly))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := sy.Round(t.Context()); err != nil || len(rep.Reasons) != 0 || d.sent.Load() != 0 {
		t.Errorf("a round of a program started before: %v %+v, sent %d forms", err, rep, d.sent.Load())
	}
}

// TestRunningScreensTakeDistrictForms: the screens' sync (tuiSyncer over the real
// client and server) hands the running program the forms a round received — next
// year's named for new interviews, this year's still there for the records begun with
// it — once; a round that brings nothing hands over nothing.
func TestRunningScreensTakeDistrictForms(t *testing.T) {
	d := newDistrictWithForms(t)
	d.withForms.Store(true)
	lap := laptop(t, "5")
	env := as(lap, "E001")
	must(t, env, "enroll", d.url, d.enrol("E001"), "--fingerprint", d.pin)
	cfg := config.Config{DataDir: lap}

	db, err := localstore.Open(lap, localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Unlock("E001", seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	start, err := resolveForms(cfg) // what the program started with
	if err != nil {
		t.Fatal(err)
	}
	sy, err := newSyncer(s, "", formInbox(cfg, start.reg))
	if err != nil {
		t.Fatal(err)
	}
	ts := tuiSyncer{sy, dsync.RoundPolicy(time.Minute), newLiveForms(cfg)}
	res, err := ts.Round(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Forms == nil || res.Forms.PersonForm == nil {
		t.Fatalf("the round brought no forms to the screens: %+v", res)
	}
	if got := res.Forms.PersonForm.ID + "@" + res.Forms.PersonForm.Version; got != "person-2022@2022.1" {
		t.Errorf("new interviews would start on %s", got)
	}
	if _, err := res.Forms.Forms.Form("person-2021", "2021.1"); err != nil {
		t.Errorf("the records begun with 2021 lost their form: %v", err)
	}
	if res.Forms.Forms == start.reg {
		t.Error("the registry the screens hold was changed in place, not replaced")
	}
	if again, err := ts.Round(t.Context()); err != nil || again.Forms != nil {
		t.Errorf("a round that brought nothing handed the screens forms: %v %+v", err, again.Forms)
	}
}
