package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/roster"
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

// legacyCase imports an old card (18 digits, the ID number) for 钱老 and returns the
// enumerator at its first question.
func legacyCase(t *testing.T, env *Env) Model {
	t.Helper()
	row := person("钱老", "王庄村", "19500101", 901, 4, 2)
	row.CertificateNumber, row.Line = row.IDNumber, 99
	leader, err := env.DB.Unlock(testLeader, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leader.ImportRoster([]roster.Row{row}, "legacy.xlsx"); err != nil {
		t.Fatal(err)
	}
	return press(t, unlocked(t, env, testEnumerator, 80, 24), "qianlao", "enter", "enter", "1", "enter", "1", "enter")
}

// TestDraftResumesAtThePausedQuestion: an old card paused on R2b (nothing typed since
// the roster's answers) opens again at R2b, straight at the form.
func TestDraftResumesAtThePausedQuestion(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, legacyCase(t, env), "enter", "enter") // R1, R2 as prefilled
	if form(t, m).cur != "R2b" {
		t.Fatalf("not on R2b:\n%s", screenText(m))
	}
	m = press(t, m, "esc")
	if _, ok := m.screen.(*caseScreen); !ok {
		t.Fatalf("esc did not pause to the case:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "enter 继续调查") {
		t.Errorf("the case does not say enter resumes:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if fs := form(t, m); fs.cur != "R2b" {
		t.Fatalf("resumed at %s, want R2b:\n%s", fs.cur, screenText(m))
	}
	// After the program restarts too: the place is in the data file.
	m = press(t, m, "esc", "esc", "esc")
	m = press(t, unlocked(t, env, testEnumerator, 80, 24), "qianlao", "enter", "enter")
	if fs := form(t, m); fs.cur != "R2b" {
		t.Fatalf("after a restart resumed at %s, want R2b", fs.cur)
	}
	// An answer saved after the pause (and no pause since) resumes after it.
	m = press(t, m, "1", "ctrl+q")
	m = press(t, unlocked(t, env, testEnumerator, 80, 24), "qianlao", "enter", "enter")
	if fs := form(t, m); fs.cur != "R2c" {
		t.Errorf("after an answer and a quit resumed at %s, want R2c", fs.cur)
	}
}

// TestStartEnterIsTheSameOnEveryCase: the method screen, reached from the form of a
// draft (F3), takes enter as on a new case: method, outcome, then go on.
func TestStartEnterIsTheSameOnEveryCase(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, startInterview(t, env, 80, 24), "enter", "f3")
	st, ok := m.screen.(*startScreen)
	if !ok {
		t.Fatalf("F3 did not open the method:\n%s", screenText(m))
	}
	m = press(t, m, "2", "enter")
	if m.screen != Screen(st) || st.focus != 1 {
		t.Fatalf("the first enter on a draft's method left the screen:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	fs := form(t, m)
	if fs.cur != "R2" || stored(t, m).Method != 2 {
		t.Errorf("back at %s with method %d, want R2 and 2 (telephone)", fs.cur, stored(t, m).Method)
	}
}

// TestCommentsKeepTheirTime: each comment keeps the time it was written, not the time
// the record was returned.
func TestCommentsKeepTheirTime(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	env.PhotosDir = "testdata/photos"
	m := finishForm(t, env, 80, 24)
	recID := form(t, m).rec.ID
	m = switchUser(t, finishInterview(t, m), testLeader)
	m = press(t, selectWaiting(t, m, recID), "enter", "f4", "请核实", "enter")
	first := clock.Now()
	clock.Add(7 * time.Minute)
	m = press(t, m, "down", "f4", "也请核实", "enter")
	clock.Add(3 * time.Minute)
	m = press(t, m, "f8")
	rec, _ := m.env.Session.Record(recID)
	if len(rec.Comments) != 2 || !rec.Comments[0].At.Equal(first) || !rec.Comments[1].At.Equal(first.Add(7*time.Minute)) {
		t.Fatalf("comments %+v, want written at %v and 7 minutes later", rec.Comments, first)
	}
}
