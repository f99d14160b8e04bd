package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemember: a folder chosen on the screens is kept in the config file — created when
// there is none, set among the file's other keys and comments otherwise — and the next
// Load reads it.
func TestRemember(t *testing.T) {
	e, _ := testEnv(t)
	file, err := FileFor(parseFlags(t, nil), e.lookup)
	if err != nil || file == "" {
		t.Fatalf("no default file: %q %v", file, err)
	}
	reports := filepath.Join(t.TempDir(), "报表 2021")
	if err := Remember(file, "reports_dir", reports); err != nil {
		t.Fatal(err)
	}
	c, err := Load(parseFlags(t, nil), e.lookup)
	if err != nil || c.ReportsDir != reports {
		t.Fatalf("after Remember into a new file: reports_dir %q, %v", c.ReportsDir, err)
	}

	explicit := filepath.Join(t.TempDir(), "doorstep.yaml")
	os.WriteFile(explicit, []byte("# our laptop\nlanguage: en # the team reads English\nreports_dir: /old\n"), 0o600)
	flags := parseFlags(t, []string{"--config", explicit})
	if f, _ := FileFor(flags, e.lookup); f != explicit {
		t.Fatalf("FileFor with --config: %q", f)
	}
	// Quotes, a colon and (on Windows) backslashes survive the YAML.
	odd := filepath.Join(t.TempDir(), `李明: "报表" #1`)
	if err := Remember(explicit, "reports_dir", odd); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(explicit)
	for _, want := range []string{"# our laptop", "language: en # the team reads English"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("lost %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "/old") {
		t.Errorf("the old value stays:\n%s", data)
	}
	c, err = Load(flags, e.lookup)
	if err != nil || c.ReportsDir != odd || c.Language != "en" {
		t.Errorf("after Remember: %+v %v", c, err)
	}

	if err := Remember(explicit, "report_dir", "/x"); err == nil {
		t.Error("an unknown key was written")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("- a list\n"), 0o600)
	if err := Remember(bad, "reports_dir", "/x"); err == nil {
		t.Error("a file of another shape was rewritten")
	}
}
