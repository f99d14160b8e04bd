package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/forms/validate"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

func idWithCheck(first17 string) string {
	id, err := validate.CompleteID(first17)
	if err != nil {
		panic(err) // a test's own constant is wrong
	}
	return id
}

// leaderEnv is an environment for a data folder whose leader L001 exists.
func leaderEnv(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"DOORSTEP_DATA": dir}
	code, out, errOut := runIn(t, env, "leader-pass\n", "user", "add", "--code", "L001", "--name", "王组长", "--role", "leader", "--villages", "王庄村,柳树沟村")
	if code != 0 || !strings.Contains(out, "added L001") {
		t.Fatalf("first user: exit %d %q %q", code, out, errOut)
	}
	env["DOORSTEP_USER"], env["DOORSTEP_PASSPHRASE"] = "L001", "leader-pass"
	return env
}

func TestUserAdd(t *testing.T) {
	env := leaderEnv(t)
	code, out, errOut := runIn(t, env, "enum-pass1\n", "user", "add", "--code", "E001", "--name", "李登记", "--role", "enumerator")
	if code != 0 {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	// An enumerator cannot add users; a wrong passphrase is refused.
	enumEnv := map[string]string{"DOORSTEP_DATA": env["DOORSTEP_DATA"], "DOORSTEP_USER": "E001", "DOORSTEP_PASSPHRASE": "enum-pass1"}
	if code, _, errOut := runIn(t, enumEnv, "x-pass-word\n", "user", "add", "--code", "E002", "--name", "甲", "--role", "enumerator"); code == 0 || !strings.Contains(errOut, "only a team leader") {
		t.Errorf("enumerator added a user: exit %d %q", code, errOut)
	}
	bad := map[string]string{"DOORSTEP_DATA": env["DOORSTEP_DATA"], "DOORSTEP_USER": "L001", "DOORSTEP_PASSPHRASE": "wrong-pass"}
	if code, _, errOut := runIn(t, bad, "x-pass-word\n", "user", "add", "--code", "E002", "--name", "甲", "--role", "enumerator"); code == 0 || !strings.Contains(errOut, "wrong user code or passphrase") {
		t.Errorf("wrong passphrase: exit %d %q", code, errOut)
	}
	// Not at a terminal and no credentials: a clear message.
	noCreds := map[string]string{"DOORSTEP_DATA": env["DOORSTEP_DATA"]}
	if code, _, errOut := runIn(t, noCreds, "", "user", "list"); code == 0 || !strings.Contains(errOut, "DOORSTEP_USER") {
		t.Errorf("no credentials: exit %d %q", code, errOut)
	}
	code, out, _ = runIn(t, env, "", "user", "list")
	if code != 0 || !strings.Contains(out, "E001\t李登记\tenumerator") {
		t.Errorf("list: %d %q", code, out)
	}
	if code, _, errOut := runIn(t, env, "", "user", "add", "--code", "E003", "--name", "乙", "--role", "enumerator"); code == 0 || !strings.Contains(errOut, "passphrase") {
		t.Errorf("no passphrase on stdin: exit %d %q", code, errOut)
	}
}

// seedCases imports two rows directly through the store, as `roster import` will.
func seedCases(t *testing.T, env map[string]string) {
	t.Helper()
	db, err := localstore.Open(env["DOORSTEP_DATA"], localstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Unlock("L001", "leader-pass")
	if err != nil {
		t.Fatal(err)
	}
	id1, id2 := idWithCheck("41010219800101123"), idWithCheck("41010219550302124")
	_, err = s.ImportRoster([]roster.Row{
		{Line: 2, Name: "张秀英", CertificateNumber: id1 + "42", IDNumber: id1, Sex: 1, Category: 4, Level: 2, Town: "青石镇", Village: "王庄村"},
		{Line: 3, Name: "刘建国", CertificateNumber: id2 + "11", IDNumber: id2, Sex: 2, Category: 1, Level: 1, Town: "青石镇", Village: "柳树沟村"},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
}

func TestCasesList(t *testing.T) {
	env := leaderEnv(t)
	seedCases(t, env)
	code, out, errOut := runIn(t, env, "", "cases", "list", "--json", "--village", "王庄村")
	if code != 0 {
		t.Fatalf("exit %d %q", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != 1 || got[0]["name"] != "张秀英" || got[0]["status"] != "new" || got[0]["category"] != 4.0 ||
		got[0]["certificate_number"] != idWithCheck("41010219800101123")+"42" || got[0]["village"] != "王庄村" {
		t.Errorf("cases %v", got)
	}
	for _, key := range []string{"name", "sex", "certificate_number", "id_number", "town", "village", "category", "level", "status"} {
		if _, ok := got[0][key]; !ok {
			t.Errorf("no %q in %v", key, got[0])
		}
	}
	code, out, _ = runIn(t, env, "", "cases", "list")
	if code != 0 || !strings.Contains(out, "410102********") || strings.Contains(out, "19800101") || !strings.Contains(out, "2 人") {
		t.Errorf("table: %s", out)
	}
	if code, _, errOut := runIn(t, env, "", "cases", "list", "--status", "done"); code != 2 || !strings.Contains(errOut, "--status") {
		t.Errorf("bad status: %d %q", code, errOut)
	}
}

func TestVerifyExportBackup(t *testing.T) {
	env := leaderEnv(t)
	seedCases(t, env)
	if code, out, errOut := runIn(t, env, "", "verify"); code != 0 || !strings.Contains(out, "ok: 0 records") {
		t.Errorf("verify: %d %q %q", code, out, errOut)
	}
	code, out, errOut := runIn(t, env, "", "records", "export", "--json")
	if code != 0 {
		t.Fatalf("export: %d %q", code, errOut)
	}
	var ex struct {
		Users []struct{ Code string }
		Cases []struct{ Row struct{ Name string } }
	}
	if err := json.Unmarshal([]byte(out), &ex); err != nil || len(ex.Users) != 1 || len(ex.Cases) != 2 || ex.Cases[1].Row.Name != "刘建国" {
		t.Errorf("export: %v %+v", err, ex)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if code, out, errOut := runIn(t, env, "", "backup", dest); code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runIn(t, env, "", "backup", dest); code == 0 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over a file: %d %q", code, errOut)
	}
	// The copy opens as a data folder of its own.
	dir := t.TempDir()
	data, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, localstore.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	copyEnv := map[string]string{"DOORSTEP_DATA": dir, "DOORSTEP_USER": "L001", "DOORSTEP_PASSPHRASE": "leader-pass"}
	if code, out, _ := runIn(t, copyEnv, "", "cases", "list"); code != 0 || !strings.Contains(out, "刘建国") {
		t.Errorf("copy: %d %q", code, out)
	}
}
