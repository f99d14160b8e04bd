package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBinariesLinkOnlyTheirSide keeps the two programs apart: the district server
// links no laptop store (its encrypted file, its keys, its outbox) nor the laptop's
// sync client, and the laptop links no server code. They share the wire protocol
// (package protocol) and the record rules (package record). The rule is checked over
// every platform the programs are built for, since a file with a build tag can bring
// an import on one of them only.
func TestBinariesLinkOnlyTheirSide(t *testing.T) {
	const mod = "github.com/doorstep-survey/doorstep/"
	tests := []struct {
		binary    string
		forbidden []string // packages, and everything below them
	}{
		{"cmd/doorstep-server", []string{"localstore", "sync", "tui", "demo/seed", "bundle"}},
		{"cmd/doorstep", []string{"server", "office"}},
	}
	for _, tt := range tests {
		for _, goos := range []string{"linux", "windows"} {
			cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+tt.binary)
			cmd.Env = append(cmd.Environ(), "GOOS="+goos, "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("go list %s: %v", tt.binary, err)
				}
				t.Skipf("go list %s: %v", tt.binary, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 10 {
				t.Fatalf("go list %s: only %v", tt.binary, deps)
			}
			for _, p := range deps {
				for _, f := range tt.forbidden {
					if p == mod+f || strings.HasPrefix(p, mod+f+"/") {
						t.Errorf("GOOS=%s: %s links %s", goos, tt.binary, p)
					}
				}
			}
		}
	}
}
