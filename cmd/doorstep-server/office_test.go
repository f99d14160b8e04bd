package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/office"
)

func runIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRoot(&out, &errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestOfficeAdd(t *testing.T) {
	dir := t.TempDir()
	got, err := runIn(t, "a long passphrase\n", "office", "add", "--data", dir, "--user", "zhen1", "--name", "王芳", "--role", "town", "--towns", "马集镇, 石佛镇")
	if err != nil || !strings.Contains(got, "zhen1") {
		t.Fatalf("office add: %q %v", got, err)
	}
	st, err := os.Stat(filepath.Join(dir, office.AccountsFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("accounts file: %v %v", st, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, office.AccountsFile))
	if strings.Contains(string(data), "a long passphrase") {
		t.Error("the passphrase is in the accounts file")
	}
	acc, err := office.OpenAccounts(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := acc.Check("zhen1", "a long passphrase")
	if err != nil || a.Role != office.RoleTown || len(a.Towns) != 2 || a.Towns[1] != "石佛镇" {
		t.Errorf("the account: %+v %v", a, err)
	}
	for name, args := range map[string][]string{
		"again":          {"--user", "ZHEN1", "--name", "x", "--role", "district"},
		"short":          {"--user", "qu", "--name", "x", "--role", "district"},
		"town no towns":  {"--user", "t2", "--name", "x", "--role", "town"},
		"district towns": {"--user", "d2", "--name", "x", "--role", "district", "--towns", "马集镇"},
		"bad role":       {"--user", "d3", "--name", "x", "--role", "admin"},
	} {
		pass := "a long passphrase\n"
		if name == "short" {
			pass = "short\n"
		}
		if _, err := runIn(t, pass, append([]string{"office", "add", "--data", dir}, args...)...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
