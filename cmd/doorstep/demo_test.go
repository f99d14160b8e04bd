package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDemoWritesADataFolder(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runIn(t, map[string]string{}, "", "demo", "--data", dir, "--cases", "40", "--completed", "5", "--no-tui")
	if code != 0 || !strings.Contains(out, "40 cases") || !strings.Contains(out, "demo1234") {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	env := map[string]string{"DOORSTEP_DATA": dir, "DOORSTEP_USER": "E001", "DOORSTEP_PASSPHRASE": "demo1234"}
	code, out, errOut = runIn(t, env, "", "cases", "list", "--json", "--status", "completed")
	var done []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &done) != nil || len(done) != 5 {
		t.Fatalf("completed cases: exit %d, %d, %q", code, len(done), errOut)
	}
	if code, out, _ := runIn(t, env, "", "verify"); code != 0 || !strings.Contains(out, "ok: 5 records") {
		t.Errorf("verify: %d %q", code, out)
	}
	// Never into a folder that already has users.
	if code, _, errOut := runIn(t, map[string]string{}, "", "demo", "--data", dir, "--no-tui"); code == 0 || !strings.Contains(errOut, "already has users") {
		t.Errorf("second demo into the same folder: %d %q", code, errOut)
	}
	if code, _, errOut := runIn(t, map[string]string{}, "", "demo", "--data", t.TempDir(), "--cases", "3", "--completed", "5", "--no-tui"); code != 2 || !strings.Contains(errOut, "--completed") {
		t.Errorf("bad counts: %d %q", code, errOut)
	}
}
