package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/namesearch"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// TestScreensFitAndMatchGolden draws each screen at the smallest and a common window
// size in both languages: every line fits, the screen is exactly the window's height,
// and it looks as reviewed (go test ./tui/... -update rewrites the files).
func TestScreensFitAndMatchGolden(t *testing.T) {
	shots := []struct {
		name  string
		build func(t *testing.T, env *Env, w, h int) Model
		empty bool // a new data file
	}{
		{"setup", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, newRoot(t, env, w, h), "王建军", "tab", "L001", "tab", "tab", "short", "enter", "enter")
		}, true},
		{"import", func(t *testing.T, env *Env, w, h int) Model {
			env.RosterDir = filepath.Join("testdata", "rosters")
			m := press(t, newRoot(t, env, w, h), "王建军", "tab", "L001", "tab", "tab", testPass, "tab", testPass, "enter")
			if _, ok := m.screen.(*importScreen); !ok {
				t.Fatalf("setup does not go on to the roster import:\n%s", screenText(m))
			}
			return press(t, m, "enter")
		}, true},
		{"unlock", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, newRoot(t, env, w, h), testEnumerator, "tab", "wrong-pass", "enter")
		}, false},
		{"today", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, unlocked(t, env, testEnumerator, w, h), "down", "down")
		}, false},
		{"search", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, unlocked(t, env, testEnumerator, w, h), "zs")
		}, false},
		{"case", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, unlocked(t, env, testEnumerator, w, h), "zhangsan", "enter")
		}, false},
		{"start", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, unlocked(t, env, testEnumerator, w, h), "down", "enter", "enter", "tab", "3")
		}, false},
		{"handbook", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, unlocked(t, env, testEnumerator, w, h), "f1", "婚姻")
		}, false},
		{"form", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, startInterview(t, env, w, h), "enter", "enter", "down")
		}, false},
		{"form-multiple", func(t *testing.T, env *Env, w, h int) Model {
			iv := answersFor(t, env.PersonForm, fixtureRows()[1])
			m, _ := answerUntil(t, startInterview(t, env, w, h), iv, func(fs *formScreen) bool {
				return fs.ed.q.Type == forms.TypeMultiple
			})
			return press(t, m, "1", "2")
		}, false},
		{"form-jump", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, startInterview(t, env, w, h), "enter", "enter", "f4", "down")
		}, false},
		{"readback", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, finishForm(t, env, w, h), "enter", "down", "down")
		}, false},
		{"sign", func(t *testing.T, env *Env, w, h int) Model {
			m := finishForm(t, env, w, h)
			for i := 0; i < 20; i++ {
				m = press(t, m, "enter")
				if _, ok := m.screen.(*signScreen); ok {
					break
				}
			}
			return press(t, m, "2", "tab", "王芳", "tab", "女儿", "tab")
		}, false},
		{"photo", func(t *testing.T, env *Env, w, h int) Model {
			env.PhotosDir = filepath.Join("testdata", "photos")
			m := finishForm(t, env, w, h)
			for i := 0; i < 20; i++ {
				m = press(t, m, "enter")
				if _, ok := m.screen.(*signScreen); ok {
					break
				}
			}
			m = press(t, m, "tab", "tab", "tab", testPass, "enter", "down", "enter")
			if _, ok := m.screen.(*photoScreen); !ok {
				t.Fatalf("not on the photo screen:\n%s", screenText(m))
			}
			return m
		}, false},
		{"team", func(t *testing.T, env *Env, w, h int) Model {
			env.PhotosDir = filepath.Join("testdata", "photos")
			m := finishInterview(t, finishForm(t, env, w, h))
			return press(t, switchUser(t, m, testLeader), "down")
		}, false},
		{"review", func(t *testing.T, env *Env, w, h int) Model {
			env.PhotosDir = filepath.Join("testdata", "photos")
			m := finishForm(t, env, w, h)
			id := form(t, m).rec.ID
			m = switchUser(t, finishInterview(t, m), testLeader)
			m = press(t, selectWaiting(t, m, id), "enter", "down", "down")
			return press(t, m, "f4", "请核实户口性质", "enter")
		}, false},
		{"sync-newform", func(t *testing.T, env *Env, w, h int) Model {
			env.SyncNow, env.SyncServer = func() {}, "https://doorstep.example.gov.cn"
			m := unlocked(t, env, testEnumerator, w, h)
			set := nextYear(t, env)
			m = send(t, m, syncDoneMsg{at: env.Now(), result: SyncResult{Pushed: 2, Pulled: 1, Forms: &set}})
			return press(t, m, "f5")
		}, false},
		{"dialog", func(t *testing.T, env *Env, w, h int) Model {
			m := unlocked(t, env, testEnumerator, w, h)
			return send(t, m, openOverlayMsg{errorDialog(env, both("err.cases"), fmt.Errorf("list cases: %w", localstore.ErrCorrupt))})
		}, false},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, lang := range []string{"zh", "en"} {
			for _, shot := range shots {
				t.Run(fmt.Sprintf("%dx%d-%s/%s", size[0], size[1], lang, shot.name), func(t *testing.T) {
					env := fixture(t, newClock(), !shot.empty)
					env.Lang = lang
					m := shot.build(t, env, size[0], size[1])
					out := screenText(m)
					assertFits(t, out, size[0], size[1])
					golden.RequireEqual(t, out)
				})
			}
		}
	}
}

func assertFits(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide: %q", i+1, lw, l)
		}
	}
	// The help lines above the status bar: every key must stay visible.
	for _, l := range lines[max(0, len(lines)-3) : len(lines)-1] {
		if strings.HasSuffix(strings.TrimSpace(l), textwidth.Ellipsis) {
			t.Errorf("a help line is cut: %q", l)
		}
	}
}

// TestEveryScreenReflows resizes each screen from the smallest window to a large one
// and back: it always fills the window exactly.
func TestEveryScreenReflows(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	for _, keys := range [][]string{nil, {"enter"}, {"enter"}, {"esc", "esc", "f1"}} {
		m = press(t, m, keys...)
		for _, size := range [][2]int{{80, 24}, {160, 50}, {81, 25}, {100, 30}, {80, 24}} {
			m = send(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			assertFits(t, screenText(m), size[0], size[1])
		}
	}
}

func TestTooSmall(t *testing.T) {
	env := fixture(t, newClock(), false)
	m := newRoot(t, env, 60, 20)
	if out := screenText(m); !strings.Contains(out, "请把窗口放大到至少 80×24（现在是 60×20）") {
		t.Errorf("%q", out)
	}
	m = send(t, m, tea.WindowSizeMsg{Width: 30, Height: 10})
	for _, l := range strings.Split(screenText(m), "\n") {
		if ansi.StringWidth(l) > 30 {
			t.Errorf("too wide for 30 columns: %q", l)
		}
	}
	m = press(t, m, "f2")
	if !strings.Contains(strings.ReplaceAll(screenText(m), "\n", " "), "Please make it at least 80×24") {
		t.Errorf("%q", screenText(m))
	}
}

func TestUnlockWrongPassphraseAndWait(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, testEnumerator, "tab", "nope-nope", "enter")
	if m.env.Session != nil || !strings.Contains(screenText(m), "用户代码或口令不对") {
		t.Fatalf("wrong passphrase:\n%s", screenText(m))
	}
	if s := m.screen.(*unlockScreen); s.pass.Value() != "" || s.focus != 1 {
		t.Error("the wrong passphrase is not cleared for the next try")
	}
	// Three wrong tries are free; the fourth must wait.
	// (The store rounds a wait of exactly 2 s up to 3.)
	m = press(t, m, "nope-nope", "enter", "nope-nope", "enter", "nope-nope", "enter")
	if !strings.Contains(screenText(m), "请 3 秒后再试") {
		t.Fatalf("no wait shown after four wrong tries:\n%s", screenText(m))
	}
	// While waiting, enter does not try (the store would refuse anyway).
	m = press(t, m, testPass, "enter")
	if m.env.Session != nil || !strings.Contains(screenText(m), "秒后再试") {
		t.Fatalf("tried during the wait:\n%s", screenText(m))
	}
	clock.Add(time.Second)
	m = send(t, m, screenMsg{m.screen.screenID(), waitTickMsg{}})
	if !strings.Contains(screenText(m), "请 2 秒后再试") {
		t.Errorf("the wait does not count down:\n%s", screenText(m))
	}
	clock.Add(2 * time.Second)
	m = send(t, m, screenMsg{m.screen.screenID(), waitTickMsg{}})
	if strings.Contains(screenText(m), "再试") {
		t.Errorf("still waiting after the wait:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if m.env.Session == nil {
		t.Fatalf("not unlocked after the wait:\n%s", screenText(m))
	}
}

// TestUnlockShowsProgress: the key derivation runs in a command; until its result
// arrives the screen says so and keys are held off.
func TestUnlockShowsProgress(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, testEnumerator, "tab")
	for _, r := range testPass {
		m = send(t, m, keyMsg(string(r)))
	}
	next, cmd := m.Update(keyMsg("enter"))
	m = next.(Model)
	if cmd == nil || !strings.Contains(screenText(m), "正在解锁…") {
		t.Fatalf("no command or no progress shown:\n%s", screenText(m))
	}
	next, _ = m.Update(keyMsg("x"))
	if s := next.(Model).screen.(*unlockScreen); s.pass.Value() != testPass {
		t.Error("a key typed while unlocking changed the passphrase")
	}
	m = update(t, next.(Model), cmd)
	if m.env.Session == nil {
		t.Fatal("not unlocked")
	}
}

// TestUnlockProgressBar: while the passphrase is checked, a bar fills against the time
// the last check took and the seconds so far count up.
func TestUnlockProgressBar(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, testEnumerator, "tab")
	for _, r := range testPass {
		m = send(t, m, keyMsg(string(r)))
	}
	next, cmd := m.Update(keyMsg("enter"))
	m = next.(Model)
	if out := screenText(m); !strings.Contains(out, "▱▱▱▱▱▱▱▱▱▱ 0.0 s") {
		t.Fatalf("no empty bar at the start:\n%s", out)
	}
	clock.Add(env.DB.KDFEstimate() / 2)
	next, _ = m.Update(screenMsg{m.screen.screenID(), kdfTickMsg{}})
	m = next.(Model)
	if out := screenText(m); !strings.Contains(out, "▰▰▰▰▰▱▱▱▱▱") {
		t.Errorf("the bar is not half full half way:\n%s", out)
	}
	clock.Add(10 * env.DB.KDFEstimate())
	next, _ = m.Update(screenMsg{m.screen.screenID(), kdfTickMsg{}})
	m = next.(Model)
	if out := screenText(m); !strings.Contains(out, "▰▰▰▰▰▰▰▰▰▱") {
		t.Errorf("a slow check should wait short of the end:\n%s", out)
	}
	m = update(t, m, cmd)
	if m.env.Session == nil || strings.Contains(screenText(m), "▱") {
		t.Fatal("not unlocked, or the bar stays")
	}
}

func TestUnlockChoosesUser(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := newRoot(t, env, 80, 24)
	s := m.screen.(*unlockScreen)
	m = press(t, m, "down")
	if s.code.Value() != "E001" {
		t.Errorf("down chose %q, want the first code E001", s.code.Value())
	}
	m = press(t, m, "down")
	if s.code.Value() != "L001" {
		t.Errorf("down chose %q, want L001", s.code.Value())
	}
	m = press(t, m, "enter", testPass, "enter")
	if m.env.Session == nil || m.env.Session.User().Code != "L001" {
		t.Fatalf("not unlocked as L001:\n%s", screenText(m))
	}
}

func TestSetupChecksAndCreatesTheFirstUser(t *testing.T) {
	env := fixture(t, newClock(), false)
	m := newRoot(t, env, 80, 24)
	s := m.screen.(*setupScreen)
	m = press(t, m, "enter", "enter", "enter", "enter", "enter")
	if !strings.Contains(screenText(m), "请填写姓名") || s.focus != fieldName {
		t.Fatalf("empty name not caught:\n%s", screenText(m))
	}
	m = press(t, m, "王建军", "tab", "L 001", "enter")
	m = press(t, m, "enter", "enter", "enter")
	if !strings.Contains(screenText(m), "用户代码只能用字母") || s.focus != fieldCode {
		t.Fatalf("bad code not caught:\n%s", screenText(m))
	}
	s.inputs[1].SetValue("L001")
	m = press(t, m, "tab", "space", "tab", "short", "tab", "short", "enter")
	if !strings.Contains(screenText(m), "口令至少要 8 个字符") || s.focus != fieldPass {
		t.Fatalf("short passphrase not caught:\n%s", screenText(m))
	}
	s.inputs[2].SetValue("")
	m = press(t, m, "pass-word-1", "tab")
	s.inputs[3].SetValue("")
	m = press(t, m, "pass-word-2", "enter")
	if !strings.Contains(screenText(m), "两次输入的口令不一致") || s.focus != fieldAgain || s.inputs[3].Value() != "" {
		t.Fatalf("mismatch not caught:\n%s", screenText(m))
	}
	m = press(t, m, "pass-word-1", "enter")
	if m.env.Session == nil {
		t.Fatalf("not set up:\n%s", screenText(m))
	}
	if u := m.env.Session.User(); u.Name != "王建军" || u.Code != "L001" || u.Role != localstore.RoleEnumerator {
		t.Errorf("user %+v (space should have made the role enumerator)", u)
	}
	// The roster import comes next, over the day's (empty) list.
	if _, ok := m.screen.(*importScreen); !ok {
		t.Errorf("not on the roster import:\n%s", screenText(m))
	}
	m = press(t, m, "esc")
	if !strings.Contains(screenText(m), "这台电脑还没有底册。按 F7 导入") {
		t.Errorf("today does not say how to import a roster:\n%s", screenText(m))
	}
	// Locked now, the new user is the one offered.
	m = press(t, m, "f12")
	if s := m.screen.(*unlockScreen); s.code.Value() != "L001" {
		t.Errorf("unlock offers %q", s.code.Value())
	}
}

// shownNames is the names on the today screen's list, in order.
func shownNames(m Model) []string {
	s := m.screen.(*todayScreen)
	var names []string
	for _, i := range s.shown {
		names = append(names, s.ix.entries[i].name)
	}
	return names
}

func TestTodaySearch(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	rows := fixtureRows()
	tests := []struct {
		query string
		want  []string
	}{
		{"zs", []string{"张三", "张山", "张三丰"}}, // initials
		{"zhangsan", []string{"张三", "张三丰"}},
		{"zhang san", []string{"张三", "张三丰"}}, // spaces do not matter
		{"ｚｓ", []string{"张三", "张山", "张三丰"}},  // a Chinese input method's full-width letters
		{"张三", []string{"张三", "张三丰"}},
		{"zxm", []string{"曾小梅"}}, // 曾 as a surname is zeng, not the usual ceng
		{"cengxiaomei", []string{"曾小梅"}},
		{"shantianfang", []string{"单田芳"}},
		{"lvxiaohong", []string{"吕小红"}},
		{"luxiaohong", []string{"吕小红"}},
		{"aygl", []string{"阿依古丽·买买提"}},
		{"zgcq", []string{"诸葛长青长青长青"}}, // 长 in a given name: chang as well as the usual zhang
		{"zhugezhangqing", []string{"诸葛长青长青长青"}},
		{"wdw", []string{"王大伟"}},                                                       // the name with escape sequences, cleaned
		{rows[3].IDNumber[6:14], []string{"赵六"}},                                       // birth date, inside the ID
		{strings.ToLower(rows[7].CertificateNumber), []string{"吕小红"}},                  // a whole number, x lower case
		{rows[1].CertificateNumber[len(rows[1].CertificateNumber)-6:], []string{"李四"}}, // the end of a certificate number
		{"qqqq", nil},
	}
	for _, tt := range tests {
		s := m.screen.(*todayScreen)
		s.search.SetValue("")
		m = press(t, m, "esc", tt.query)
		if got := shownNames(m); !slices.Equal(got, tt.want) {
			t.Errorf("search %q shows %q, want %q", tt.query, got, tt.want)
		}
	}
	m = press(t, m, "esc")
	out := screenText(m)
	if strings.Contains(out, rows[0].CertificateNumber) || !strings.Contains(out, roster.Mask(rows[0].CertificateNumber)) {
		t.Errorf("certificate numbers are not masked on the list:\n%s", out)
	}
	if strings.Contains(m.View().Content, "\x1b]0;") || strings.Contains(out, "\u202e") {
		t.Error("escape sequences from a roster name reached the screen")
	}
}

func TestTodayFiltersAndSort(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	s := m.screen.(*todayScreen)
	if len(s.shown) != len(fixtureRows()) || !strings.Contains(screenText(m), "全部村：共 32 人 · 未开始 24 · 填写中 3 · 已完成 5") {
		t.Fatalf("today:\n%s", screenText(m))
	}
	m = press(t, m, "tab")
	if s.villageName() != "王庄村" || len(s.shown) != 11 || !strings.Contains(screenText(m), "王庄村：共 11 人") {
		t.Errorf("village filter %q: %d shown\n%s", s.villageName(), len(s.shown), screenText(m))
	}
	m = press(t, m, "tab", "tab", "tab")
	if s.village != 0 || len(s.shown) != 32 {
		t.Errorf("village filter does not come back to all: %d", s.village)
	}
	m = press(t, m, "shift+tab", "shift+tab")
	for _, i := range s.shown {
		if st := s.ix.entries[i].c.Status; st != localstore.StatusDraft {
			t.Errorf("status filter 填写中 shows a case %q", st)
		}
	}
	if len(s.shown) != 3 || !strings.Contains(screenText(m), "填写中 │ 按底册顺序 │ 3 人") {
		t.Errorf("status filter: %d shown\n%s", len(s.shown), screenText(m))
	}
	for range len(statusOrder) - 1 {
		m = press(t, m, "shift+tab")
	}
	m = press(t, m, "f3")
	names := shownNames(m)
	if !strings.Contains(screenText(m), "按姓名") || names[0] != "阿依古丽·买买提" || !slices.IsSortedFunc(names, func(a, b string) int {
		return strings.Compare(spellingOf(s, a), spellingOf(s, b))
	}) {
		t.Errorf("by name: %q", names)
	}
	m = press(t, m, "f3")
	first := s.ix.entries[s.shown[0]].c.Status
	last := s.ix.entries[s.shown[len(s.shown)-1]].c.Status
	if first != localstore.StatusDraft || last != localstore.StatusCompleted {
		t.Errorf("by status: %q first, %q last", first, last)
	}
	m = press(t, m, "f3")
	if s.sort != sortRoster || shownNames(m)[0] != "张三" {
		t.Errorf("sort does not come back to roster order")
	}
}

func spellingOf(s *todayScreen, name string) string {
	for _, e := range s.ix.entries {
		if e.name == name {
			return e.spelling
		}
	}
	return ""
}

// TestTodayShowsTheUsersVillages: a user with villages sees and counts only theirs.
func TestTodayShowsTheUsersVillages(t *testing.T) {
	env := fixture(t, newClock(), true)
	leader, err := env.DB.Unlock(testLeader, testPass)
	if err != nil {
		t.Fatal(err)
	}
	u := localstore.User{Code: "E002", Name: "赵调查", Role: localstore.RoleEnumerator, Villages: []string{"李家村", "东风社区"}}
	if err := leader.AddUser(u, testPass); err != nil {
		t.Fatal(err)
	}
	m := unlocked(t, env, "E002", 80, 24)
	s := m.screen.(*todayScreen)
	if len(s.shown) != 21 || !slices.Equal(s.ix.villages, []string{"李家村", "东风社区"}) {
		t.Errorf("%d cases in %q, want 21 in 李家村 and 东风社区", len(s.shown), s.ix.villages)
	}
	if out := screenText(m); !strings.Contains(out, "共 21 人") || !strings.Contains(out, "E002 赵调查 │ 李家村等2个村 │ 待上报 5") {
		t.Errorf("today:\n%s", out)
	}
}

func TestOpenCaseAndBack(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	today := m.screen
	m = press(t, m, "zs", "down", "enter")
	cs, ok := m.screen.(*caseScreen)
	if !ok {
		t.Fatalf("enter did not open the case:\n%s", screenText(m))
	}
	out := screenText(m)
	for _, want := range []string{"个案 · 张山", "残疾人证号", "李家村一组", "未开始"} {
		if !strings.Contains(out, want) {
			t.Errorf("case screen lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, cs.c.Row.IDNumber) {
		t.Error("the full ID number is on the screen")
	}
	m = press(t, m, "esc")
	if m.screen != today || !strings.Contains(screenText(m), "张山") || m.screen.(*todayScreen).search.Value() != "zs" {
		t.Errorf("esc did not come back to the same list:\n%s", screenText(m))
	}
}

// TestCaseWrapsLongValues: an address is wrapped, not cut.
func TestCaseWrapsLongValues(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, unlocked(t, env, testEnumerator, 80, 24), "zgcq", "enter")
	var joined strings.Builder
	for _, l := range strings.Split(screenText(m), "\n") {
		joined.WriteString(strings.TrimSpace(l))
	}
	if !strings.Contains(joined.String(), longAddress) {
		t.Errorf("the address is not all there:\n%s", screenText(m))
	}
}

func TestLanguageSwitch(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	m = press(t, m, "f2")
	out := screenText(m)
	for _, want := range []string{"Today", "All villages: 32 persons", "not started", "F2 中文", "queued 5"} {
		if !strings.Contains(out, want) {
			t.Errorf("English screen lacks %q:\n%s", want, out)
		}
	}
	m = press(t, m, "f2")
	if !strings.Contains(screenText(m), "今日工作") {
		t.Errorf("F2 did not switch back:\n%s", screenText(m))
	}
}

// TestHelpShowsEveryKey: at 80 columns the help wraps to a second line rather than
// dropping the global keys.
func TestHelpShowsEveryKey(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	for _, lang := range []string{"zh", "en"} {
		env.Lang = lang
		out := screenText(m)
		for _, k := range []string{"↑↓", "enter", "tab", "S-tab", "F3", "F1", "F2", "F12", "ctrl+q"} {
			if !strings.Contains(out, k+" ") {
				t.Errorf("%s: help lacks %s:\n%s", lang, k, out)
			}
		}
	}
}

func TestLockComesBackToTheSameScreen(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	m = press(t, m, "down", "enter")
	caseView := m.screen
	m = press(t, m, "f12")
	if m.env.Session != nil || !strings.Contains(screenText(m), "解锁") || strings.Contains(screenText(m), "李四") {
		t.Fatalf("F12 did not lock:\n%s", screenText(m))
	}
	if s := m.screen.(*unlockScreen); s.code.Value() != testEnumerator || s.focus != 1 {
		t.Errorf("unlock does not offer the user who locked")
	}
	m = press(t, m, testPass, "enter")
	if m.screen != caseView {
		t.Fatalf("after unlock, not back on the same screen:\n%s", screenText(m))
	}
	m = press(t, m, "esc")
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Error("history lost across the lock")
	}
}

// TestLockAnotherUserStartsAfresh: what the first user had open is not shown to the
// next.
func TestLockAnotherUserStartsAfresh(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	m = press(t, m, "down", "enter")
	m = press(t, m, "f12")
	s := m.screen.(*unlockScreen)
	s.code.SetValue(testLeader)
	m = press(t, m, testPass, "enter")
	if _, ok := m.screen.(*teamScreen); !ok || len(m.history) != 0 || m.locked != nil {
		t.Fatalf("another user (a leader: the team's day) got the first one's screens:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "L001 王组长") {
		t.Errorf("status bar:\n%s", screenText(m))
	}
}

func TestIdleLock(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	m = press(t, m, "enter")
	caseView := m.screen
	clock.Add(9 * time.Minute)
	next, _ := m.Update(tickMsg{at: clock.Now()})
	if next.(Model).env.Session == nil {
		t.Fatal("locked before 10 minutes")
	}
	m = press(t, next.(Model), "down") // a key: the idle time starts again
	clock.Add(9 * time.Minute)
	m = send(t, m, tickMsg{at: clock.Now()})
	if m.env.Session == nil {
		t.Fatal("a key did not count as use")
	}
	clock.Add(time.Minute)
	next, cmd := m.Update(tickMsg{at: clock.Now()})
	m = next.(Model)
	if m.env.Session != nil || !strings.Contains(screenText(m), "已有 10 分钟没有操作") {
		t.Fatalf("not locked after 10 idle minutes:\n%s", screenText(m))
	}
	if cmd == nil {
		t.Error("the clock stopped at the lock")
	}
	if !strings.Contains(screenText(m), "09:49") {
		t.Errorf("status bar clock:\n%s", screenText(m))
	}
	m = update(t, m, cmd)
	m = press(t, m, testPass, "enter")
	if m.screen != caseView {
		t.Errorf("not back where the user was:\n%s", screenText(m))
	}
}

// TestResultsReachTheScreenThatAsked: a command's result goes to the screen with its
// id, even when another screen is showing, and to no other.
func TestResultsReachTheScreenThatAsked(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	today := m.screen.(*todayScreen)
	m = press(t, m, "enter")
	cs := m.screen.(*caseScreen)
	// A reload of the list finishes while the case is showing.
	m = update(t, m, today.load())
	if m.screen != Screen(cs) || today.ix == nil {
		t.Error("the list's result went astray")
	}
	// A result for a screen that is gone is dropped.
	m = send(t, m, screenMsg{id: 999, msg: casesMsg{err: localstore.ErrCorrupt}})
	if len(m.overlays) != 0 || today.err[0] != "" {
		t.Error("a result for no screen was delivered")
	}
}

// TestDialogSwallowsKeysThenCloses: a dialog that opens by itself ignores keys for a
// moment, then closes with enter; quit still works under it.
func TestDialogSwallowsKeysThenCloses(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	today := m.screen.(*todayScreen)
	m = send(t, m, screenMsg{today.screenID(), casesMsg{err: fmt.Errorf("list cases: %w", localstore.ErrCorrupt)}})
	if len(m.overlays) != 1 || !strings.Contains(screenText(m), "无法读取个案") {
		t.Fatalf("no dialog:\n%s", screenText(m))
	}
	m = press(t, m, "enter", "z")
	if len(m.overlays) != 1 || today.search.Value() != "" {
		t.Fatal("keys in the grace time reached the dialog or the screen under it")
	}
	clock.Add(time.Second)
	m = press(t, m, "enter")
	if len(m.overlays) != 0 {
		t.Fatal("enter did not close the dialog")
	}
	m = send(t, m, openOverlayMsg{newDialog(env, both("err.title"), both("err.cases"), false)})
	if _, cmd := m.Update(keyMsg("ctrl+q")); cmd == nil || fmt.Sprintf("%T", cmd()) != "tea.QuitMsg" {
		t.Error("ctrl+q does not quit under a dialog")
	}
}

// TestPrintableGlobalKeysWaitWhileTyping: a global key that is a character is text on
// a screen that is typing, and a shortcut elsewhere.
func TestPrintableGlobalKeysWaitWhileTyping(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.Keys.Lang = key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "English|中文"))
	m := unlocked(t, env, testEnumerator, 80, 24)
	m = press(t, m, "L")
	if env.Lang != "zh" || m.screen.(*todayScreen).search.Value() != "L" {
		t.Error("L switched the language while typing a search")
	}
	m = press(t, m, "esc", "enter", "L")
	if env.Lang != "en" {
		t.Error("L did not switch the language on the case screen")
	}
}

func TestStartCase(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	today := m.screen.(*todayScreen)
	m = press(t, m, "shift+tab") // not started
	target := today.ix.entries[today.shown[0]].c
	m = press(t, m, "enter", "enter")
	if _, ok := m.screen.(*startScreen); !ok {
		t.Fatalf("not on the start screen:\n%s", screenText(m))
	}
	m = press(t, m, "tab", "2", "enter")
	if !strings.Contains(screenText(m), "须写明情况说明") {
		t.Fatalf("completed a death without a note:\n%s", screenText(m))
	}
	m = press(t, m, "2021年6月病故，家属告知", "enter", "enter")
	// Only a leader can reopen it: a confirmation names the outcome, and an enter
	// typed ahead does not answer it.
	if len(m.overlays) != 1 || !strings.Contains(screenText(m), "死亡（2021年6月病故，家属告知）") {
		t.Fatalf("a death was not confirmed first:\n%s", screenText(m))
	}
	clock.Add(time.Second)
	m = press(t, m, "enter")
	if _, ok := m.screen.(*caseScreen); !ok || !strings.Contains(screenText(m), "已完成") {
		t.Fatalf("not back on the completed case:\n%s", screenText(m))
	}
	if m.queued != 6 || !strings.Contains(screenText(m), "待上报 6") {
		t.Errorf("status bar says %d queued, want 6", m.queued)
	}
	r, err := env.Session.RecordFor(target.ID, "person-2021")
	if err != nil || r.Outcome != 2 || r.Method != 1 || r.OutcomeNote != "2021年6月病故，家属告知" || r.Status != localstore.StatusCompleted {
		t.Fatalf("record %+v, %v", r, err)
	}
	m = press(t, m, "enter")
	if !strings.Contains(screenText(m), "只有组长退回后才能修改") {
		t.Errorf("completed case not shown as locked:\n%s", screenText(m))
	}
	m = press(t, m, "esc", "esc")
	if slices.ContainsFunc(today.shown, func(i int32) bool { return today.ix.entries[i].c.ID == target.ID }) {
		t.Error("the completed case still shows among the not-started ones")
	}
	next := today.ix.entries[today.shown[0]].c
	m = press(t, m, "enter", "enter", "2", "enter", "enter")
	r, err = env.Session.RecordFor(next.ID, "person-2021")
	if err != nil || r.Method != 2 || r.Outcome != 1 || r.Status != localstore.StatusDraft {
		t.Fatalf("interview record %+v, %v", r, err)
	}
	_ = m
}

func TestHandbookSearch(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
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
	// The community form's items are there too.
	hb.search.SetValue("")
	m = press(t, m, "公共服务设施")
	found := false
	for _, q := range hb.shown {
		found = found || strings.HasPrefix(q.ID, "S")
	}
	if !found {
		t.Errorf("the community form is not in the handbook")
	}
	m = press(t, m, "f1") // already open: nothing
	m = press(t, m, "esc")
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Error("esc did not go back")
	}
}

func TestUnlockShowsNotice(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.Notice = [2]string{"演示：口令 demo1234\x1b[2J", "Demo: passphrase demo1234"}
	m := newRoot(t, env, 80, 24)
	if out := screenText(m); !strings.Contains(out, "演示：口令 demo1234") || strings.Contains(m.View().Content, "\x1b[2J") {
		t.Errorf("notice:\n%s", out)
	}
	if out := screenText(press(t, m, "f2")); !strings.Contains(out, "Demo: passphrase demo1234") {
		t.Errorf("English notice:\n%s", out)
	}
}

func TestHostileNamesAreCleaned(t *testing.T) {
	e := newEntry(localstore.Case{ID: "x", Row: person("\x1b[2J\x1b]0;pwn\x07张\u202e三", "王庄\x1b[5m村", "19800101", 11, 1, 1)}, namesearch.Speller{})
	if e.name != "张三" || e.village != "王庄村" || strings.ContainsAny(e.haystack, "\x1b\u202e") {
		t.Errorf("entry %+v", e)
	}
}

// TestEveryStringInBothLanguages: each UI string has zh and en, and each key the code
// asks for exists.
func TestEveryStringInBothLanguages(t *testing.T) {
	for k, v := range text {
		if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
			t.Errorf("%q lacks a language: %q", k, v)
		}
		if strings.Count(v[0], "%") != strings.Count(v[1], "%") {
			t.Errorf("%q: the languages take different arguments: %q", k, v)
		}
	}
	files, _ := filepath.Glob("*.go")
	used := regexp.MustCompile(`(?:tr\(\w+, |both\(|WithHelp\("[^"]*", |binding\(\[\]string\{[^}]*\}, "[^"]*", )"([^"]+)"\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			if _, ok := text[m[1]]; !ok {
				t.Errorf("%s asks for %q, which is not in text", f, m[1])
			}
		}
	}
	km := reflect.ValueOf(DefaultKeyMap())
	for i := range km.NumField() {
		b := km.Field(i).Interface().(key.Binding)
		if h := b.Help(); h.Desc != "" && text[h.Desc] == [2]string{} {
			t.Errorf("key %s: help %q is not in the text table", km.Type().Field(i).Name, h.Desc)
		}
	}
}

// startInterview is the form of 李四's interview, just started (method 1, outcome 1).
func startInterview(t testing.TB, env *Env, w, h int) Model {
	t.Helper()
	m := press(t, unlocked(t, env, testEnumerator, w, h), "lisi", "enter", "enter", "1", "enter", "1", "enter")
	if _, ok := m.screen.(*formScreen); !ok {
		t.Fatalf("not on the form:\n%s", screenText(m))
	}
	return m
}

// finishForm is 李四's interview with every question answered, at the end of the form.
func finishForm(t *testing.T, env *Env, w, h int) Model {
	t.Helper()
	iv := answersFor(t, env.PersonForm, fixtureRows()[1])
	m, _ := answerForm(t, startInterview(t, env, w, h), iv)
	return m
}
