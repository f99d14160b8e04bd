package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/localstore"
)

// laptop is a demo data folder and the environment to run commands on it as a user.
func laptop(t *testing.T, completed string) string {
	t.Helper()
	dir := t.TempDir()
	code, out, errOut := runIn(t, map[string]string{}, "", "demo", "--no-tui", "--data", dir, "--cases", "20",
		"--villages", "2", "--completed", completed)
	if code != 0 {
		t.Fatalf("demo: exit %d %s %s", code, out, errOut)
	}
	return dir
}

func as(dir, user string) map[string]string {
	return map[string]string{"DOORSTEP_DATA": dir, "DOORSTEP_USER": user, "DOORSTEP_PASSPHRASE": seed.Passphrase}
}

func must(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := runIn(t, env, "", args...)
	if code != 0 {
		t.Fatalf("doorstep %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// TestBundleRoundTrip: the enumerator's laptop hands its completed records to the
// leader's on a stick; the leader returns one; the return comes back the same way. A
// second import changes nothing; a damaged or foreign bundle is refused.
func TestBundleRoundTrip(t *testing.T) {
	enumLaptop, leaderLaptop := laptop(t, "3"), laptop(t, "0")
	stick := t.TempDir()
	enumCard := filepath.Join(stick, "E001.card")
	leaderCard := filepath.Join(stick, "L001.card")
	os.WriteFile(enumCard, []byte(must(t, as(enumLaptop, "E001"), "keys", "show")), 0o600)
	os.WriteFile(leaderCard, []byte(must(t, as(leaderLaptop, "L001"), "keys", "show")), 0o600)
	if out := must(t, as(enumLaptop, "E001"), "keys", "add", leaderCard); !strings.Contains(out, "kept: L001") {
		t.Fatalf("keys add: %s", out)
	}
	must(t, as(leaderLaptop, "L001"), "keys", "add", enumCard)

	records := filepath.Join(stick, "E001-records.bundle")
	if out := must(t, as(enumLaptop, "E001"), "bundle", "export", records); !strings.Contains(out, "3 records sealed") {
		t.Fatalf("export: %s", out)
	}
	var got struct {
		From                                string
		Stored, Duplicates, Stale, Rejected int
	}
	json.Unmarshal([]byte(must(t, as(leaderLaptop, "L001"), "bundle", "import", "--json", records)), &got)
	if got.From != "E001" || got.Stored != 3 || got.Rejected != 0 {
		t.Fatalf("first import: %+v", got)
	}
	got = struct {
		From                                string
		Stored, Duplicates, Stale, Rejected int
	}{}
	json.Unmarshal([]byte(must(t, as(leaderLaptop, "L001"), "bundle", "import", "--json", records)), &got)
	if got.Stored != 0 || got.Duplicates != 3 {
		t.Fatalf("second import: %+v", got)
	}

	// The leader returns one record on their laptop.
	db, err := localstore.Open(leaderLaptop, localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Unlock("L001", seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := s.Records()
	returned := recs[0].ID
	if _, err := s.Return(returned, []localstore.Comment{{Question: "R3", Text: "请核实婚姻状况"}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	decisions := filepath.Join(stick, "L001-decisions.bundle")
	if out := must(t, as(leaderLaptop, "L001"), "bundle", "export", decisions); !strings.Contains(out, "1 records sealed") {
		t.Fatalf("the leader's export: %s", out)
	}
	if out := must(t, as(enumLaptop, "E001"), "bundle", "import", decisions); !strings.Contains(out, "1 stored") {
		t.Fatalf("the enumerator's import: %s", out)
	}
	var export struct{ Records []*localstore.Record }
	json.Unmarshal([]byte(must(t, as(enumLaptop, "E001"), "records", "export", "--json")), &export)
	found := false
	for _, r := range export.Records {
		if r.ID == returned {
			found = true
			if r.Status != localstore.StatusReturned || len(r.Comments) != 1 || r.Comments[0].Text != "请核实婚姻状况" {
				t.Errorf("on the enumerator's laptop: %s %+v", r.Status, r.Comments)
			}
		}
	}
	if !found {
		t.Error("the returned record is not on the enumerator's laptop")
	}
	// The enumerator fixes it and hands it over again; the leader approves; the
	// approval goes back: the loop closes on USB sticks.
	db, err = localstore.Open(enumLaptop, localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	es, err := db.Unlock("E001", seed.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() (*localstore.Record, error){
		func() (*localstore.Record, error) {
			return es.SaveAnswers(returned, localstore.AnswerChange{Question: "R1", Section: "basic", Value: json.RawMessage(`"改正后的姓名"`)})
		},
		func() (*localstore.Record, error) { return es.MarkReadBack(returned) },
		func() (*localstore.Record, error) {
			return es.Sign(returned, localstore.Signature{Role: localstore.SignerRespondent, Name: "本人"})
		},
		func() (*localstore.Record, error) {
			return es.Sign(returned, localstore.Signature{Role: localstore.SignerEnumerator, Name: "李晓梅"})
		},
		func() (*localstore.Record, error) { return es.Complete(returned) },
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	fixed := filepath.Join(stick, "E001-fixed.bundle")
	must(t, as(enumLaptop, "E001"), "bundle", "export", fixed)
	if out := must(t, as(leaderLaptop, "L001"), "bundle", "import", fixed); !strings.Contains(out, "1 stored") {
		t.Fatalf("the fix did not reach the leader: %s", out)
	}
	db, _ = localstore.Open(leaderLaptop, localstore.Options{})
	s, _ = db.Unlock("L001", seed.Passphrase)
	if _, err := s.Approve(returned); err != nil {
		t.Fatal(err)
	}
	db.Close()
	approvals := filepath.Join(stick, "L001-approvals.bundle")
	must(t, as(leaderLaptop, "L001"), "bundle", "export", approvals)
	must(t, as(enumLaptop, "E001"), "bundle", "import", approvals)
	export.Records = nil
	json.Unmarshal([]byte(must(t, as(enumLaptop, "E001"), "records", "export", "--json")), &export)
	for _, r := range export.Records {
		if r.ID == returned && r.Status != localstore.StatusApproved {
			t.Errorf("after the loop the enumerator's record is %s", r.Status)
		}
	}
	must(t, as(enumLaptop, "E001"), "verify")
	must(t, as(leaderLaptop, "L001"), "verify")

	// A damaged bundle, and one not addressed to this user.
	data, _ := os.ReadFile(records)
	data[len(data)-10] ^= 1
	damaged := filepath.Join(stick, "damaged.bundle")
	os.WriteFile(damaged, data, 0o600)
	if code, out, errOut := runIn(t, as(leaderLaptop, "L001"), "", "bundle", "import", damaged); code == 0 || !strings.Contains(out+errOut, "altered") {
		t.Errorf("a damaged bundle: exit %d %s %s", code, out, errOut)
	}
	if code, out, errOut := runIn(t, as(enumLaptop, "L001"), "", "bundle", "import", records); code == 0 || !strings.Contains(out+errOut, "not addressed") {
		t.Errorf("a bundle for someone else: exit %d %s %s", code, out, errOut)
	}
}
