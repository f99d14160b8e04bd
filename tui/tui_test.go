package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

var testKDF = localstore.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

// fixedNow keeps the status bar's clock out of the golden files.
func fixedNow() time.Time { return time.Date(2021, 10, 12, 9, 30, 0, 0, time.UTC) }

// demoEnv opens a store seeded with a small synthetic district (users E001 and L001,
// passphrase demo1234), or an empty one when cases is 0.
func demoEnv(t testing.TB, cases int) *Env {
	t.Helper()
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if cases > 0 {
		if _, err := demo.Seed(db, demo.SeedOptions{Options: demo.Options{Seed: 3, Cases: cases, Villages: 3}, Completed: 4}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := forms.Builtin("person-2021")
	if err != nil {
		t.Fatal(err)
	}
	return &Env{DB: db, PersonForm: f, Lang: "zh", Styles: DefaultStyles(true), Keys: DefaultKeyMap(), Now: fixedNow}
}

func newRoot(t testing.TB, env *Env, w, h int) Model {
	t.Helper()
	has, err := env.DB.HasUsers()
	if err != nil {
		t.Fatal(err)
	}
	codes, err := env.DB.UserCodes()
	if err != nil {
		t.Fatal(err)
	}
	m := New(env, has, codes)
	m = update(t, m, m.screen.Init())
	return update(t, m, func() tea.Msg { return tea.WindowSizeMsg{Width: w, Height: h} })
}

// update runs cmd and feeds its messages (and theirs) back until none remain, as the
// program would. Commands that wait (the clock's tick) are dropped after a short time.
func update(t testing.TB, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := runCmd(c)
		if strings.HasPrefix(fmt.Sprintf("%T", msg), "cursor.") {
			continue // the cursor blinks for ever; a test needs no blinking
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			next, more := m.Update(msg)
			m = next.(Model)
			queue = append(queue, more)
		}
	}
	return m
}

func runCmd(c tea.Cmd) tea.Msg {
	done := make(chan tea.Msg, 1)
	go func() { done <- c() }()
	select {
	case msg := <-done:
		return msg
	case <-time.After(time.Second):
		return nil
	}
}

// press sends keys: names like "enter", "tab", "esc", "f2", "up", "down", or text.
func press(t testing.TB, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "f1":
			msg = tea.KeyPressMsg{Code: tea.KeyF1}
		case "f2":
			msg = tea.KeyPressMsg{Code: tea.KeyF2}
		case "f3":
			msg = tea.KeyPressMsg{Code: tea.KeyF3}
		case "f12":
			msg = tea.KeyPressMsg{Code: tea.KeyF12}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "space":
			msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		default:
			for _, r := range k {
				m = update(t, m, func() tea.Msg { return tea.KeyPressMsg{Code: r, Text: string(r)} })
			}
			continue
		}
		m = update(t, m, func() tea.Msg { return msg })
	}
	return m
}

func screenText(m Model) string { return ansi.Strip(m.View().Content) }

func unlocked(t testing.TB, env *Env, w, h int) Model {
	t.Helper()
	m := newRoot(t, env, w, h)
	m = press(t, m, "E001", "tab", demo.DemoPassphrase, "enter")
	if m.env.Session == nil {
		t.Fatalf("not unlocked:\n%s", screenText(m))
	}
	return m
}

func TestScreensFitAndMatchGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, lang := range []string{"zh", "en"} {
			name := fmt.Sprintf("%dx%d-%s", size[0], size[1], lang)
			shots := map[string]func(t *testing.T) Model{
				"setup": func(t *testing.T) Model {
					env := demoEnv(t, 0)
					env.Lang = lang
					return press(t, newRoot(t, env, size[0], size[1]), "王建军", "tab", "L001")
				},
				"unlock": func(t *testing.T) Model {
					env := demoEnv(t, 30)
					env.Lang = lang
					return press(t, newRoot(t, env, size[0], size[1]), "E001", "tab", "wrong-pass", "enter")
				},
				"today": func(t *testing.T) Model {
					env := demoEnv(t, 30)
					env.Lang = lang
					return unlocked(t, env, size[0], size[1])
				},
				"start": func(t *testing.T) Model {
					env := demoEnv(t, 30)
					env.Lang = lang
					return press(t, unlocked(t, env, size[0], size[1]), "down", "enter", "enter", "tab", "3")
				},
				"case": func(t *testing.T) Model {
					env := demoEnv(t, 30)
					env.Lang = lang
					return press(t, unlocked(t, env, size[0], size[1]), "down", "enter")
				},
			}
			for screen, build := range shots {
				t.Run(name+"/"+screen, func(t *testing.T) {
					m := build(t)
					out := screenText(m)
					lines := strings.Split(out, "\n")
					if len(lines) != size[1] {
						t.Errorf("%d lines, want %d", len(lines), size[1])
					}
					for i, l := range lines {
						if w := ansi.StringWidth(l); w > size[0] {
							t.Errorf("line %d is %d cells wide: %q", i+1, w, l)
						}
					}
					golden.RequireEqual(t, out)
				})
			}
		}
	}
}

func TestUnlockErrors(t *testing.T) {
	env := demoEnv(t, 10)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, "E001", "tab", "nope-nope", "enter")
	if m.env.Session != nil || !strings.Contains(screenText(m), "用户代码或口令不对") {
		t.Errorf("wrong passphrase:\n%s", screenText(m))
	}
	for range 3 {
		m = press(t, m, "nope-nope", "enter")
	}
	if !strings.Contains(screenText(m), "口令错误次数过多") {
		t.Errorf("no slow-down shown:\n%s", screenText(m))
	}
}

func TestSetupCreatesTheFirstUser(t *testing.T) {
	env := demoEnv(t, 0)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, "王建军", "tab", "L001", "tab", "space", "tab", "pass-word-1", "tab", "pass-word-2", "enter")
	if !strings.Contains(screenText(m), "两次输入的口令不一致") {
		t.Fatalf("mismatch not shown:\n%s", screenText(m))
	}
	m = press(t, m, "pass-word-1", "enter")
	if m.env.Session == nil {
		t.Fatalf("not set up:\n%s", screenText(m))
	}
	if u := m.env.Session.User(); u.Name != "王建军" || u.Role != localstore.RoleEnumerator {
		t.Errorf("user %+v (space toggled the role to enumerator)", u)
	}
	if !strings.Contains(screenText(m), "今日工作") {
		t.Errorf("not on today:\n%s", screenText(m))
	}
}

func TestTodaySearchFiltersAndOpens(t *testing.T) {
	env := demoEnv(t, 40)
	m := unlocked(t, env, 80, 24)
	today := m.screen.(*todayScreen)
	first := today.all[0]
	initials := strings.Split(first.haystack, "\x00")[2]
	m = press(t, m, initials)
	out := screenText(m)
	if !strings.Contains(out, first.name) {
		t.Fatalf("searching %q does not find %s:\n%s", initials, first.name, out)
	}
	for _, idx := range today.shown {
		if !strings.Contains(today.all[idx].haystack, initials) {
			t.Errorf("%s shown for %q", today.all[idx].name, initials)
		}
	}
	m = press(t, m, "esc")
	if len(today.shown) != 40 {
		t.Errorf("esc did not clear the search: %d shown", len(today.shown))
	}
	// A certificate number's digits find the case.
	m = press(t, m, first.c.Row.IDNumber[10:16])
	if !strings.Contains(screenText(m), first.name) {
		t.Errorf("number search:\n%s", screenText(m))
	}
	m = press(t, m, "esc", "tab")
	if today.village != 1 || len(today.shown) == 40 {
		t.Errorf("village filter: %d shown", len(today.shown))
	}
	m = press(t, m, "tab", "tab", "tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
	if today.status != 6 || len(today.shown) != 4 {
		t.Errorf("status filter %d: %d shown, want the 4 completed", today.status, len(today.shown))
	}
	m = press(t, m, "enter")
	if _, ok := m.screen.(*caseScreen); !ok {
		t.Fatalf("enter did not open the case:\n%s", screenText(m))
	}
	m = press(t, m, "esc")
	if m.screen != Screen(today) {
		t.Error("esc did not come back to the same list")
	}
}

func TestLanguageSwitchAndLock(t *testing.T) {
	env := demoEnv(t, 10)
	m := unlocked(t, env, 80, 24)
	m = press(t, m, "f2")
	if !strings.Contains(screenText(m), "Today") {
		t.Errorf("F2 did not switch to English:\n%s", screenText(m))
	}
	m = press(t, m, "f2", "down", "enter")
	caseView := m.screen
	m = press(t, m, "f12")
	if m.env.Session != nil || !strings.Contains(screenText(m), "解锁") {
		t.Fatalf("F12 did not lock:\n%s", screenText(m))
	}
	m = press(t, m, demo.DemoPassphrase, "enter")
	if m.screen != caseView {
		t.Errorf("after unlock, not back on the same screen:\n%s", screenText(m))
	}
	m = press(t, m, "esc")
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Error("history lost across the lock")
	}
}

func TestIdleLock(t *testing.T) {
	env := demoEnv(t, 5)
	m := unlocked(t, env, 80, 24)
	next, _ := m.Update(tickMsg{at: fixedNow().Add(9 * time.Minute)})
	if next.(Model).env.Session == nil {
		t.Fatal("locked before 10 minutes")
	}
	next, _ = next.Update(tickMsg{at: fixedNow().Add(10 * time.Minute)})
	if next.(Model).env.Session != nil {
		t.Fatal("not locked after 10 idle minutes")
	}
}

func TestTooSmall(t *testing.T) {
	env := demoEnv(t, 0)
	m := newRoot(t, env, 60, 20)
	if !strings.Contains(screenText(m), "窗口太小") {
		t.Errorf("%q", screenText(m))
	}
}

func TestHostileNamesAreCleaned(t *testing.T) {
	entries := prepareEntries([]localstore.Case{{ID: "x", Row: rowNamed("\x1b[2J\x1b]0;pwn\x07张\u202e三")}})
	if entries[0].name != "张三" || strings.ContainsAny(entries[0].haystack, "\x1b\u202e") {
		t.Errorf("entry %+v", entries[0])
	}
}

func TestUnlockShowsNotice(t *testing.T) {
	env := demoEnv(t, 3)
	env.Notice = [2]string{"演示：口令 demo1234\x1b[2J", "Demo: passphrase demo1234"}
	m := newRoot(t, env, 80, 24)
	if out := screenText(m); !strings.Contains(out, "演示：口令 demo1234") || strings.Contains(m.View().Content, "\x1b[2J") {
		t.Errorf("notice:\n%s", out)
	}
	if out := screenText(press(t, m, "f2")); !strings.Contains(out, "Demo: passphrase demo1234") {
		t.Errorf("English notice:\n%s", out)
	}
}

// TestStartCase: a death is recorded with a note and completes the case; an interview
// records the method and leaves a draft.
func TestStartCase(t *testing.T) {
	env := demoEnv(t, 20)
	m := unlocked(t, env, 80, 24)
	today := m.screen.(*todayScreen)
	// The status filter's "not started" first, so the case is fresh.
	m = press(t, m, "shift+tab")
	target := today.all[today.shown[0]].c
	m = press(t, m, "enter", "enter")
	if _, ok := m.screen.(*startScreen); !ok {
		t.Fatalf("not on the start screen:\n%s", screenText(m))
	}
	m = press(t, m, "tab", "2", "enter")
	if !strings.Contains(screenText(m), "须写明情况说明") {
		t.Fatalf("completed a death without a note:\n%s", screenText(m))
	}
	m = press(t, m, "2021年6月病故，家属告知", "enter")
	if _, ok := m.screen.(*caseScreen); !ok || !strings.Contains(screenText(m), "已完成") {
		t.Fatalf("not back on the completed case:\n%s", screenText(m))
	}
	if m.queued != 5 {
		t.Errorf("status bar says %d queued, want 5", m.queued)
	}
	r, err := env.Session.RecordFor(target.ID, "person-2021")
	if err != nil || r.Outcome != 2 || r.Method != 1 || r.OutcomeNote != "2021年6月病故，家属告知" || r.Status != localstore.StatusCompleted {
		t.Fatalf("record %+v, %v", r, err)
	}
	// Opening it again shows it is locked.
	m = press(t, m, "enter")
	if !strings.Contains(screenText(m), "只有组长退回后才能修改") {
		t.Errorf("completed case not shown as locked:\n%s", screenText(m))
	}
	m = press(t, m, "esc", "esc")
	if n := today.all[today.shown[today.cursor]]; n.c.ID == target.ID {
		t.Errorf("the completed case still shows among not-started ones")
	}
	// An interview by telephone: a draft with its method.
	next := today.all[today.shown[0]].c
	m = press(t, m, "enter", "enter", "2", "enter", "enter")
	r, err = env.Session.RecordFor(next.ID, "person-2021")
	if err != nil || r.Method != 2 || r.Outcome != 1 || r.Status != localstore.StatusDraft {
		t.Fatalf("interview record %+v, %v", r, err)
	}
}

func TestHandbookSearch(t *testing.T) {
	env := demoEnv(t, 3)
	m := unlocked(t, env, 80, 24)
	m = press(t, m, "f1")
	hb, ok := m.screen.(*handbookScreen)
	if !ok {
		t.Fatalf("F1 did not open the handbook:\n%s", screenText(m))
	}
	m = press(t, m, "以老养残")
	var ids []string
	for _, q := range hb.shown {
		ids = append(ids, q.ID)
		if !strings.Contains(q.Label.ZH+q.Help.ZH, "以老养残") {
			t.Errorf("%s shown for 以老养残", q.ID)
		}
	}
	if !slices.Contains(ids, "R19") || len(ids) == len(env.PersonForm.Questions()) {
		t.Fatalf("search found %v", ids)
	}
	out := screenText(m)
	if !strings.Contains(out, hb.shown[0].ID) || !strings.Contains(out, firstRunes(hb.shown[0].Help.ZH)) {
		t.Errorf("handbook screen:\n%s", out)
	}
	m = press(t, m, "esc")
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Error("esc did not go back")
	}
}

func firstRunes(s string) string {
	r := []rune(s)
	return string(r[:min(len(r), 10)])
}
