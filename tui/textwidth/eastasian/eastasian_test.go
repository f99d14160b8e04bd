package eastasian

import (
	"os/exec"
	"strings"
	"testing"
)

func TestWide(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	tests := []struct {
		name string
		env  func(string) (string, bool)
		cp   uint32
		want bool
	}{
		{"classic console, GBK", env(), 936, true},
		{"classic console, GB18030", env(), 54936, true},
		{"classic console, Big5", env(), 950, true},
		{"classic console, US English", env(), 437, false},
		{"classic console, UTF-8", env(), 65001, false},
		{"Windows Terminal", env("WT_SESSION", "0f3c…"), 936, false},
		{"mintty", env("TERM_PROGRAM", "mintty"), 936, false},
		{"a TERM", env("TERM", "xterm-256color"), 936, false},
		{"an empty TERM is no terminal's name", env("TERM", ""), 936, true},
		{"the user chose narrow", env(Variable, "0"), 936, false},
		{"the user chose wide", env(Variable, "1"), 936, false}, // already set: nothing to do
		{"no console (Linux, or a pipe)", env(), 0, false},
	}
	for _, tt := range tests {
		if got := Wide(tt.env, tt.cp); got != tt.want {
			t.Errorf("%s: Wide = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestImportsOnlyTheStandardLibrary keeps the package first in the initialisation order:
// an import from outside the standard library could make it run after x/ansi has read
// the variable.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	for _, goos := range []string{"windows", "linux"} {
		cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
		cmd.Env = append(cmd.Environ(), "GOOS="+goos)
		out, err := cmd.Output()
		if err != nil {
			t.Skipf("go list: %v", err)
		}
		for _, p := range strings.Fields(string(out)) {
			if p != "github.com/doorstep-survey/doorstep/tui/textwidth/eastasian" {
				t.Errorf("GOOS=%s: imports %s", goos, p)
			}
		}
	}
}
