package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

func TestDemoWritesADataFolder(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runIn(t, map[string]string{}, "", "demo", "--data", dir, "--cases", "40", "--completed", "5", "--no-tui")
	if code != 0 || !strings.Contains(out, "40 cases") || !strings.Contains(out, "demo1234") {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	if !strings.Contains(out, "to open the same data again: doorstep --data "+dir+"\n") {
		t.Errorf("the command that reopens the data is not printed: %q", out)
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
	// Never into a folder that already holds a district; say how to open it or start
	// afresh.
	code, _, errOut = runIn(t, map[string]string{}, "", "demo", "--data", dir, "--no-tui")
	if code != 1 || !strings.Contains(errOut, dir+" already holds a district") || !strings.Contains(errOut, "doorstep --data "+dir) ||
		!strings.Contains(errOut, "doorstep demo --data NEW-FOLDER") {
		t.Errorf("second demo into the same folder: %d %q", code, errOut)
	}
	if code, _, errOut := runIn(t, map[string]string{}, "", "demo", "--data", t.TempDir(), "--cases", "3", "--completed", "5", "--no-tui"); code != 2 || !strings.Contains(errOut, "--completed") {
		t.Errorf("bad counts: %d %q", code, errOut)
	}
}

func TestReopenCommandQuotes(t *testing.T) {
	tests := map[string]string{
		"/tmp/doorstep-demo-1": "doorstep --data /tmp/doorstep-demo-1",
		"/home/li/调查 数据":       `doorstep --data '/home/li/调查 数据'`,
		"/home/li/it's":        `doorstep --data '/home/li/it'\''s'`,
	}
	if runtime.GOOS == "windows" {
		tests = map[string]string{`C:\Users\Li Ming\demo`: `doorstep --data "C:\Users\Li Ming\demo"`, `D:\demo`: `doorstep --data D:\demo`}
	}
	for dir, want := range tests {
		if got := reopenCommand(dir); got != want {
			t.Errorf("%q: %q, want %q", dir, got, want)
		}
	}
}
