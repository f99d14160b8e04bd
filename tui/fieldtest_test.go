package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The tests of issue 10 (the field test), each failing before its fix.

// TestTooSmallSwallowsKeys: while the window is too small the form is hidden, so a key
// must not answer a question unseen, nor type a passphrase blind; ctrl+q and F12 act.
func TestTooSmallSwallowsKeys(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := newRoot(t, env, 60, 20)
	m = press(t, m, testEnumerator, "tab", testPass, "enter")
	if m.env.Session != nil {
		t.Fatal("unlocked blind behind the too-small screen")
	}
	m = send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	us := m.screen.(*unlockScreen)
	if us.code.Value() != "" || us.pass.Value() != "" {
		t.Fatalf("keys typed behind the too-small screen reached the fields: %q %q", us.code.Value(), us.pass.Value())
	}

	m = startInterview(t, env, 80, 24)
	before := form(t, m).cur
	m = send(t, m, tea.WindowSizeMsg{Width: 60, Height: 20})
	m = press(t, m, "enter", "1", "f4", "esc")
	m = send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if fs := form(t, m); fs.cur != before || len(m.overlays) > 0 {
		t.Fatalf("keys acted behind the too-small screen: at %s (was %s)\n%s", fs.cur, before, screenText(m))
	}
	m = send(t, m, tea.WindowSizeMsg{Width: 60, Height: 20})
	m = press(t, m, "f12")
	if m.env.Session != nil {
		t.Fatal("F12 did not lock behind the too-small screen")
	}
	if !strings.Contains(screenText(m), "80×24") {
		t.Errorf("the too-small screen is not shown:\n%s", screenText(m))
	}
}
