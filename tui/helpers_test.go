package tui

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
	"github.com/doorstep-survey/doorstep/roster"
)

// Test users: the leader set up first, then the enumerator, one passphrase.
const (
	testLeader     = "L001"
	testEnumerator = "E001"
	testPass       = "test-pass-1"
)

// testClock is the clock of a test: fixed, moved only by the test, so that nothing on
// the screen (the status bar's time, the unlock wait) depends on when the test runs.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock { return &testClock{t: time.Date(2021, 10, 12, 9, 30, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// noTick stands in for tea.Tick: timers never fire by themselves in a model test; the
// test sends their messages when it wants them.
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// checkDigit is GB 11643's last character for the first 17 digits of a resident ID.
func checkDigit(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return string("10X98765432"[sum%11])
}

// person is a roster row for the tests: a valid ID from the birth date and a sequence
// number (odd for men), and a certificate number with the category and level.
func person(name, village, birth string, seq, category, level int) roster.Row {
	sex := 2 - seq%2
	first17 := "410102" + birth + fmt.Sprintf("%03d", seq)
	id := first17 + checkDigit(first17)
	return roster.Row{
		Name: name, IDNumber: id, CertificateNumber: fmt.Sprintf("%s%d%d", id, category, level),
		Sex: sex, Category: category, Level: level,
		Town: "城关镇", Village: village, VillageCode: villageCodes[village],
		HouseholdAddress: village + "一组" + fmt.Sprint(seq) + "号", Phone: fmt.Sprintf("1380000%04d", seq),
	}
}

// longAddress is wider than any window: the case screen wraps it.
const longAddress = "河南省郑州市中原区城关镇李家村三组村委会东侧第二排自西向东第五户（院内有一棵枣树，门口有无障碍坡道）"

var villageCodes = map[string]string{"王庄村": "410102001001", "李家村": "410102001002", "东风社区": "410102001003"}

// fixtureRows is the roster of the tests: names chosen for search (张三 and 张山 share
// the initials zs; 曾, 单 and 吕 have readings of their own as surnames), a minority
// name, a long one and one with escape sequences in it.
func fixtureRows() []roster.Row {
	names := []string{
		"张三", "李四", "王五", "赵六", "张山", "曾小梅", "单田芳", "吕小红", "阿依古丽·买买提", "欧阳明",
		"孙丽华", "周建国", "吴秀英", "郑国强", "冯桂兰", "陈志明", "褚红梅", "卫东", "蒋玉兰", "沈浩",
		"韩梅梅", "杨光", "朱德华", "秦岭", "尤佳", "许文强", "何平", "吕布", "施耐庵", "张三丰",
		"\x1b[31m王\u202e大伟\x1b]0;pwn\x07", "诸葛长青长青长青",
	}
	villages := []string{"王庄村", "李家村", "东风社区"}
	rows := make([]roster.Row, len(names))
	for i, n := range names {
		rows[i] = person(n, villages[i%3], fmt.Sprintf("19%02d0%d1%d", 40+i, 1+i%9, i%10), 11+2*i+i%2, 1+i%7, 1+i%4)
		rows[i].Line = i + 2
	}
	rows[len(rows)-1].CurrentAddress = longAddress
	return rows
}

// fixture is a data file with the two test users and the fixture roster; when cases is
// false it is new, with no user. Five cases are completed (a death recorded) and three
// started, so that every screen has statuses to show.
func fixture(t testing.TB, clock *testClock, cases bool) *Env {
	t.Helper()
	db, err := localstore.Open(t.TempDir(), localstore.Options{KDF: localstoretest.KDF, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := formstest.Person2021(t)
	cf, err := forms.Builtin("community-2021")
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{DB: db, PersonForm: f, CommunityForm: cf, Lang: "zh", Styles: DefaultStyles(true), Keys: DefaultKeyMap(), Now: clock.Now, Tick: noTick}
	if !cases {
		return env
	}
	leader, err := db.Setup(localstore.User{Code: testLeader, Name: "王组长", Role: localstore.RoleLeader}, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := leader.AddUser(localstore.User{Code: testEnumerator, Name: "李调查", Role: localstore.RoleEnumerator}, testPass); err != nil {
		t.Fatal(err)
	}
	if _, err := leader.ImportRoster(fixtureRows(), "fixture.xlsx"); err != nil {
		t.Fatal(err)
	}
	all, err := leader.Cases(localstore.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range all {
		if i%7 != 3 && i%11 != 5 {
			continue
		}
		r, err := leader.StartRecord(c.ID, f.ID, f.Version)
		if err != nil {
			t.Fatal(err)
		}
		if i%11 == 5 {
			if _, err := leader.SetCaseHeader(r.ID, 1, 1, ""); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := leader.SetCaseHeader(r.ID, 1, 2, "2021年6月病故，家属告知"); err != nil {
			t.Fatal(err)
		}
		if _, err := leader.Complete(r.ID); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// newRoot is the root model on env at a window size, after its first commands ran.
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
	m = update(t, m, m.Init())
	return send(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// send gives the model a message and runs what follows from it.
func send(t testing.TB, m Model, msg tea.Msg) Model {
	t.Helper()
	return update(t, m, func() tea.Msg { return msg })
}

// update runs cmd and feeds its messages (and theirs) back until none remain, as the
// program would (huh's doAllUpdates). Timers do not fire (Env.Tick is noTick), so every
// command returns at once; one that does not is a bug, and fails the test.
func update(t testing.TB, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := runCmd(t, c)
		if strings.HasPrefix(fmt.Sprintf("%T", msg), "cursor.") {
			continue // the text fields' cursor; it does not blink here, a test needs none
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return m
		default:
			next, more := m.Update(msg)
			m = next.(Model)
			queue = append(queue, more)
		}
	}
	return m
}

func runCmd(t testing.TB, c tea.Cmd) tea.Msg {
	t.Helper()
	done := make(chan tea.Msg, 1)
	go func() { done <- c() }()
	select {
	case msg := <-done:
		return msg
	case <-time.After(10 * time.Second):
		t.Fatal("a command did not return")
		return nil
	}
}

// keyMsg is the key press a terminal would send for a name like "enter", "shift+tab",
// "f2", "ctrl+q", or one printable character.
func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]rune{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace, "pgdown": tea.KeyPgDown,
		"f1": tea.KeyF1, "f2": tea.KeyF2, "f3": tea.KeyF3, "f4": tea.KeyF4, "f5": tea.KeyF5, "f6": tea.KeyF6, "f7": tea.KeyF7, "f8": tea.KeyF8, "f9": tea.KeyF9, "f10": tea.KeyF10, "f11": tea.KeyF11, "f12": tea.KeyF12,
		"pgup": tea.KeyPgUp, "home": tea.KeyHome, "end": tea.KeyEnd, "delete": tea.KeyDelete,
	}
	switch {
	case k == "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case k == "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case strings.HasPrefix(k, "ctrl+"):
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	if code, ok := named[k]; ok {
		return tea.KeyPressMsg{Code: code}
	}
	r := []rune(k)
	if len(r) != 1 {
		panic("keyMsg: " + k)
	}
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// press sends keys: names as keyMsg takes them, or any other string typed character
// by character.
func press(t testing.TB, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		if len([]rune(k)) > 1 && !isKeyName(k) {
			for _, r := range k {
				m = send(t, m, keyMsg(string(r)))
			}
			continue
		}
		m = send(t, m, keyMsg(k))
	}
	return m
}

func isKeyName(k string) bool {
	switch k {
	case "enter", "tab", "shift+tab", "esc", "up", "down", "left", "right", "backspace", "pgdown", "space",
		"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f12", "pgup", "home", "end", "delete":
		return true
	}
	return strings.HasPrefix(k, "ctrl+") && len(k) == 6
}

// screenText is the screen as a person sees it: the text, without colours.
func screenText(m Model) string { return ansi.Strip(m.View().Content) }

// unlocked is the root after user has unlocked, on the today screen: an enumerator's
// home, and one key (tab) from a team leader's.
func unlocked(t testing.TB, env *Env, user string, w, h int) Model {
	t.Helper()
	m := newRoot(t, env, w, h)
	m = press(t, m, user, "tab", testPass, "enter")
	if m.env.Session == nil || m.env.Session.User().Code != user {
		t.Fatalf("not unlocked as %s:\n%s", user, screenText(m))
	}
	if _, ok := m.screen.(*teamScreen); ok {
		m = press(t, m, "tab")
	}
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Fatalf("not on today:\n%s", screenText(m))
	}
	return m
}

func mouseClick(x, y int) tea.Msg {
	return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}
}

func mouseMotion(x, y int) tea.Msg {
	return tea.MouseMotionMsg{X: x, Y: y, Button: tea.MouseLeft}
}

func mouseRelease(x, y int) tea.Msg {
	return tea.MouseReleaseMsg{X: x, Y: y, Button: tea.MouseLeft}
}

// waiter is a wait, up to 10 s, for a text in the output of the program tm runs.
func waiter(t *testing.T, tm *teatest.TestModel) func(what string) {
	return func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second))
	}
}

// unlockEnumerator unlocks the program tm runs as the test enumerator, and waits for
// the first screen after it to say then.
func unlockEnumerator(tm *teatest.TestModel, waitFor func(string), then string) {
	waitFor("本机用户")
	tm.Type(testEnumerator)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type(testPass)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(then)
}
