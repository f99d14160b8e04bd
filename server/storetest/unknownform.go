package storetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/builtin"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/seal"
)

// testUnknownFormHeld: a record of a form the district does not hold on its form shelf
// (and that is not built in) is held, with the form named (form_unknown), and stays queued on the laptop — never
// stored unread, never moved aside — until the district adds the form; then it goes.
func testUnknownFormHeld(t *testing.T, b Backend) {
	d := NewDistrict(t, b, nil)
	dataDir, formsDir := t.TempDir(), t.TempDir()
	key, err := server.LoadSigningKey(dataDir, seal.New(seal.NewKey()))
	if err != nil {
		t.Fatal(err)
	}
	person, err := forms.Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	community, err := forms.Builtin("community-2021")
	if err != nil {
		t.Fatal(err)
	}
	if d.Forms, err = server.OpenFormShelf(dataDir, "", key, person, community); err != nil {
		t.Fatal(err)
	}
	d.Restart()

	// The laptop's records are of a form from its own forms folder, which the
	// district does not hold and which is not built in.
	data, err := fs.ReadFile(builtin.Files, "person-2021.yaml")
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Replace(string(data), `version: "2021.1"`, `version: "2021.9"`, 1)
	path := filepath.Join(formsDir, "person-2021@2021.9.yaml")
	if err := os.WriteFile(path, []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	ownForm, err := forms.Load(path, []byte(own))
	if err != nil {
		t.Fatal(err)
	}
	if d.Forms.Has("person-2021", "2021.9") || !d.Forms.Has("person-2021", "2021.1") {
		t.Fatal("the shelf is not the one the test means")
	}
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := seed.Fill(db, seed.Options{Form: ownForm, Options: demo.Options{Seed: 5, Cases: 40, Villages: 2}, Completed: 2}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock("E001", seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}

	sy := Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	rep := Round(t, sy)
	if rep.Pushed != 0 || rep.Held != 2 || rep.Rejected != 0 || rep.Queued != 2 || d.Count() != 0 {
		t.Fatalf("records of a form the district lacks: %+v, %d stored", rep, d.Count())
	}
	for _, no := range rep.Refused {
		if !no.Held || no.Code != protocol.ReasonFormUnknown || len(no.Args) != 1 || no.Args[0] != "person-2021@2021.9" {
			t.Errorf("held as %+v", no)
		}
	}
	if rej, _ := s.Rejected(); len(rej) != 0 {
		t.Errorf("held records were moved aside: %+v", rej)
	}

	// The district adds the form: the records go at the next round.
	if d.Forms, err = server.OpenFormShelf(dataDir, formsDir, key, person, community); err != nil {
		t.Fatal(err)
	}
	d.Restart()
	if rep := Round(t, sy); rep.Pushed != 2 || rep.Held != 0 || rep.Queued != 0 || d.Count() != 2 {
		t.Errorf("after the district added the form: %+v, %d stored", rep, d.Count())
	}
}
