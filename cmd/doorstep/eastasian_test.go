package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEastAsianDecidedFirst: the package that turns wide ambiguous characters on for a
// Chinese Windows console must initialise before go-runewidth and x/ansi read
// RUNEWIDTH_EASTASIAN in theirs. The runtime's own trace of package initialisation
// (GODEBUG=inittrace=1) shows the order.
func TestEastAsianDecidedFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := filepath.Join(t.TempDir(), "doorstep")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(cmd.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	at := map[string]int{}
	for i, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "init" {
			at[f[1]] = i + 1
		}
	}
	first := at["github.com/doorstep-survey/doorstep/tui/textwidth/eastasian"]
	if first == 0 {
		t.Fatalf("eastasian did not initialise:\n%s", out)
	}
	for _, later := range []string{"github.com/mattn/go-runewidth", "github.com/charmbracelet/x/ansi"} {
		if at[later] == 0 || at[later] < first {
			t.Errorf("%s initialises at %d, before eastasian (%d)", later, at[later], first)
		}
	}
}
