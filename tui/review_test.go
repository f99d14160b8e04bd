package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
)

// finishInterview takes the form's end through the read-back, a respondent's own
// signature, a photo when there is none, to done, and back to the home screen.
func finishInterview(t *testing.T, m Model) Model {
	t.Helper()
	m = press(t, m, "enter")
	for i := 0; i < 20; i++ {
		if _, ok := m.screen.(*readBackScreen); !ok {
			break
		}
		m = press(t, m, "enter")
	}
	if _, ok := m.screen.(*signScreen); !ok {
		t.Fatalf("not on the signatures:\n%s", screenText(m))
	}
	m = press(t, m, "1", "tab", "tab", "tab", testPass, "enter")
	ps, ok := m.screen.(*photoScreen)
	if !ok {
		t.Fatalf("not on the photo:\n%s", screenText(m))
	}
	if len(ps.iv.rec.Photos) == 0 {
		m = press(t, m, "down", "enter") // testdata/photos: notes.txt, then visit.png
	}
	m = press(t, m, "f6")
	if ps, ok := m.screen.(*photoScreen); !ok || !ps.done {
		t.Fatalf("not completed:\n%s", screenText(m))
	}
	return press(t, m, "enter")
}

// confirmed answers the confirmation on top, which must say what: an enter at once is
// ignored (the grace time), one after it does the step.
func confirmed(t *testing.T, m Model, clock *testClock, what string) Model {
	t.Helper()
	if len(m.overlays) == 0 {
		t.Fatalf("no confirmation:\n%s", screenText(m))
	}
	if _, ok := m.overlays[len(m.overlays)-1].(*confirm); !ok || !strings.Contains(screenText(m), what) {
		t.Fatalf("no confirmation saying %q:\n%s", what, screenText(m))
	}
	m = press(t, m, "enter")
	if len(m.overlays) == 0 {
		t.Fatal("an enter typed ahead answered the confirmation")
	}
	clock.Add(time.Second)
	return press(t, m, "enter")
}

// switchUser locks the screen and unlocks as user.
func switchUser(t *testing.T, m Model, user string) Model {
	t.Helper()
	m = press(t, m, "f12")
	m.screen.(*unlockScreen).code.SetValue(user)
	return press(t, m, testPass, "enter")
}

// TestReviewLoopOnOneLaptop: the enumerator completes an interview; the leader returns
// it with a comment on one question; the enumerator finds the comment there, fixes the
// answer, reads back and signs again; the leader approves.
func TestReviewLoopOnOneLaptop(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	env.PhotosDir = "testdata/photos"
	iv := answersFor(t, env.PersonForm, fixtureRows()[1])
	m := startInterview(t, env, 80, 24)
	m, _ = answerForm(t, m, iv)
	recID := form(t, m).rec.ID
	m = finishInterview(t, m)

	m = switchUser(t, m, testLeader)
	team, ok := m.screen.(*teamScreen)
	if !ok || team.day == nil {
		t.Fatalf("the leader is not on the team's day:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "李四") {
		t.Fatalf("the completed record does not wait for review:\n%s", screenText(m))
	}
	m = selectWaiting(t, m, recID)
	m = press(t, m, "enter")
	rv, ok := m.screen.(*reviewScreen)
	if !ok {
		t.Fatalf("enter did not open the review:\n%s", screenText(m))
	}
	first := rv.cursor
	m = press(t, m, "end")
	if rv.cursor <= first || rv.items[rv.cursor].kind != lineAnswer {
		t.Errorf("End went to line %d (from %d)", rv.cursor, first)
	}
	m = press(t, m, "home")
	if rv.cursor != first {
		t.Errorf("Home went to line %d, want %d", rv.cursor, first)
	}
	// The comment goes on 婚姻状况 (R3).
	for i := 0; i < 40 && rv.items[rv.cursor].question != "R3"; i++ {
		m = press(t, m, "down")
	}
	m = press(t, m, "f4", "婚姻状况请再核实", "enter")
	if !strings.Contains(screenText(m), "✎ 婚姻状况请再核实") {
		t.Fatalf("the comment is not shown at its question:\n%s", screenText(m))
	}
	m = press(t, m, "f9")
	if !strings.Contains(screenText(m), "已经写了批注") {
		t.Errorf("approving with comments pending was not refused:\n%s", screenText(m))
	}
	m = confirmed(t, press(t, m, "f8"), clock, "带 1 条意见退回")
	if !strings.Contains(screenText(m), "已退回调查员") {
		t.Fatalf("not returned:\n%s", screenText(m))
	}
	rec, _ := m.env.Session.Record(recID)
	if rec.Status != localstore.StatusReturned || len(rec.Comments) != 1 || rec.Comments[0].Question != "R3" || rec.Comments[0].By != testLeader {
		t.Fatalf("record after return: %s %+v", rec.Status, rec.Comments)
	}

	m = switchUser(t, m, testEnumerator)
	today := m.screen.(*todayScreen)
	if first := today.ix.entries[today.shown[0]]; first.name != "李四" || !strings.Contains(screenText(m), "有 1 份记录被组长退回") {
		t.Fatalf("the returned record is not said and listed first (first %s):\n%s", first.name, screenText(m))
	}
	m = press(t, m, "lisi", "enter")
	if out := screenText(m); !strings.Contains(out, "R3 组长意见：婚姻状况请再核实") || !strings.Contains(out, "enter 修改") {
		t.Fatalf("the case screen does not show the comment and the fix:\n%s", out)
	}
	m = press(t, m, "enter")
	fs := form(t, m)
	if fs.cur != "R3" || !strings.Contains(screenText(m), "组长意见：婚姻状况请再核实") {
		t.Fatalf("the returned record does not open at the commented question:\n%s", screenText(m))
	}
	code := "1"
	if iv.Answers["R3"] == 1 {
		code = "2"
	}
	// An enter typed ahead from the case does not walk past the comment.
	if m = press(t, m, "enter"); form(t, m).cur != "R3" {
		t.Fatalf("an enter typed ahead left the commented question:\n%s", screenText(m))
	}
	clock.Add(time.Second)
	m = press(t, m, code, "f6")
	if form(t, m).cur != "" {
		t.Fatalf("F6 with every question answered does not go to the end:\n%s", screenText(m))
	}
	// Only R3's section changed: it alone is read back again.
	m = press(t, m, "enter")
	rb, ok := m.screen.(*readBackScreen)
	if !ok {
		t.Fatalf("not on the read-back:\n%s", screenText(m))
	}
	if secs := rb.sections(); len(rb.iv.rec.Confirmed) != len(secs)-1 || secs[rb.section].ID != m.env.PersonForm.Question("R3").Section.ID {
		t.Fatalf("after the fix, %d of %d sections are still agreed, showing %s", len(rb.iv.rec.Confirmed), len(secs), secs[rb.section].ID)
	}
	m = press(t, m, "enter")
	if _, ok := m.screen.(*signScreen); !ok {
		t.Fatalf("one section read back does not lead to the signatures:\n%s", screenText(m))
	}
	m = press(t, m, "esc", "enter") // paused and resumed: the signatures again
	if ss, ok := m.screen.(*signScreen); !ok || ss.name.Value() != "李四" || ss.proxy {
		t.Fatalf("the signer of the first round is not offered again:\n%s", screenText(m))
	}
	m = press(t, m, "tab", "tab", "tab", testPass, "enter", "f6", "enter")

	m = switchUser(t, m, testLeader)
	m = selectWaiting(t, m, recID)
	if out := screenText(press(t, m, "enter")); !strings.Contains(out, "曾被退回（第 1 次）") || !strings.Contains(out, "↺ 上次退回意见：婚姻状况请再核实") ||
		!strings.Contains(out, "↻ 宣读后更正，原因：按组长退回意见修改") || strings.Contains(out, "corrected") {
		t.Errorf("the resubmitted record is not marked with the earlier comment:\n%s", out)
	}
	m = confirmed(t, press(t, m, "enter", "f9"), clock, "审核通过")
	if !strings.Contains(screenText(m), "已审核通过") {
		t.Fatalf("not approved:\n%s", screenText(m))
	}
	rec, _ = m.env.Session.Record(recID)
	if rec.Status != localstore.StatusApproved || string(rec.Answers["R3"]) != code {
		t.Errorf("record after approval: %s, R3 %s", rec.Status, rec.Answers["R3"])
	}
	if probs, err := m.env.Session.Verify(); err != nil || len(probs) != 0 {
		t.Errorf("verify: %v %v", probs, err)
	}
}

// TestEnumeratorCannotApprove: the review's decisions are the store's to refuse.
func TestEnumeratorCannotApprove(t *testing.T) {
	clock := newClock()
	env := fixture(t, clock, true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	recs, _ := m.env.Session.Records()
	var done *localstore.Record
	for _, r := range recs {
		if r.Status == localstore.StatusCompleted {
			done = r
		}
	}
	m = send(t, m, navigateMsg{Page{Kind: KindReview, ID: done.ID}})
	m = confirmed(t, press(t, m, "f9"), clock, "审核通过")
	if !strings.Contains(screenText(m), "这个用户不能这样做") {
		t.Errorf("an enumerator's approval was not refused:\n%s", screenText(m))
	}
	if r, _ := m.env.Session.Record(done.ID); r.Status != localstore.StatusCompleted {
		t.Errorf("status %s", r.Status)
	}
}

// selectWaiting moves the team screen's cursor to the record with the arrow keys.
func selectWaiting(t *testing.T, m Model, recID string) Model {
	t.Helper()
	team := m.screen.(*teamScreen)
	for i, w := range team.day.waiting {
		if w.recordID == recID {
			for team.cursor < i {
				m = press(t, m, "down")
			}
			for team.cursor > i {
				m = press(t, m, "up")
			}
			return m
		}
	}
	t.Fatalf("record %s does not wait for review:\n%s", recID, screenText(m))
	return m
}

// TestLeaderAddsUser: the leader adds an enumerator with villages from the screens; the
// new user can unlock, and sees the cases of those villages.
func TestLeaderAddsUser(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, testLeader, "tab", testPass, "enter", "f8")
	if _, ok := m.screen.(*usersScreen); !ok || !strings.Contains(screenText(m), "李调查") {
		t.Fatalf("not on the users:\n%s", screenText(m))
	}
	m = press(t, m, "f6", "赵新", "tab", "E002", "tab", "tab", "new-pass-22", "tab", "new-pass-22", "enter")
	if !strings.Contains(screenText(m), "负责村") {
		t.Fatalf("no villages field:\n%s", screenText(m))
	}
	m = press(t, m, "东风社区，李家村", "enter")
	if _, ok := m.screen.(*usersScreen); !ok || !strings.Contains(screenText(m), "E002") {
		t.Fatalf("the new user is not listed:\n%s", screenText(m))
	}
	users, _ := m.env.Session.Users()
	var added localstore.User
	for _, u := range users {
		if u.Code == "E002" {
			added = u
		}
	}
	if added.Name != "赵新" || added.Role != localstore.RoleEnumerator || strings.Join(added.Villages, "|") != "东风社区|李家村" {
		t.Errorf("added %+v", added)
	}
	m = press(t, m, "f12")
	m.screen.(*unlockScreen).code.SetValue("E002")
	m = press(t, m, "new-pass-22", "enter")
	if m.env.Session == nil || m.env.Session.User().Code != "E002" {
		t.Fatalf("the new user cannot unlock:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "东风社区") || strings.Contains(screenText(m), "王庄村 ") {
		t.Errorf("today does not show the new user's villages:\n%s", screenText(m))
	}
}

func TestReportsFromTheScreens(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.ReportsDir = t.TempDir()
	m := newRoot(t, env, 80, 24)
	m = press(t, m, testLeader, "tab", testPass, "enter", "f9")
	if _, ok := m.screen.(*reportsScreen); !ok {
		t.Fatalf("F9 did not open the reports:\n%s", screenText(m))
	}
	m = press(t, m, "down", "enter", "down", "right", "enter")
	files, _ := os.ReadDir(env.ReportsDir)
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	if strings.Join(names, " ") != "调查情况统计表-20211012-0930.xlsx 进度登记表-20211012-0930.csv" {
		t.Errorf("files written: %v\n%s", names, screenText(m))
	}
	if !strings.Contains(screenText(m), "✓ "+env.ReportsDir) {
		t.Errorf("the paths are not shown:\n%s", screenText(m))
	}
}

// TestReportsAskForAFolderOnce: with no reports folder set and no Documents folder, the
// screen asks once, makes the folder, writes there and remembers it; the cancellation
// list says it holds full numbers before it is written.
func TestReportsAskForAFolderOnce(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	env := fixture(t, newClock(), true)
	env.ReportsDir = ""
	var remembered []string
	env.RememberReportsDir = func(dir string) error { remembered = append(remembered, dir); return nil }
	m := newRoot(t, env, 80, 24)
	m = press(t, m, testLeader, "tab", testPass, "enter", "f9")
	if !strings.Contains(screenText(m), "没有“文档”文件夹") {
		t.Errorf("the screen does not say where reports go:\n%s", screenText(m))
	}
	m = press(t, m, "down", "down", "down")
	if !strings.Contains(screenText(m), "含完整的残疾人证号") {
		t.Errorf("the cancellation list does not warn of full numbers before it is written:\n%s", screenText(m))
	}
	m = press(t, m, "up", "up", "enter")
	if !strings.Contains(screenText(m), "报表存到哪个文件夹") {
		t.Fatalf("no question for a folder:\n%s", screenText(m))
	}
	s := m.screen.(*reportsScreen)
	s.dir.SetValue("")
	m = press(t, m, "relative", "enter")
	if !strings.Contains(screenText(m), "请输入完整路径") {
		t.Errorf("a relative folder was taken:\n%s", screenText(m))
	}
	dir := filepath.Join(home, "报表")
	s.dir.SetValue("")
	m = press(t, m, dir, "enter")
	files, _ := os.ReadDir(dir)
	if len(files) != 1 || !strings.HasPrefix(files[0].Name(), "调查情况统计表-") {
		t.Fatalf("files in %s: %v\n%s", dir, files, screenText(m))
	}
	if len(remembered) != 1 || remembered[0] != dir || env.ReportsDir != dir {
		t.Errorf("remembered %v, env %q", remembered, env.ReportsDir)
	}
	if out := screenText(m); !strings.Contains(out, "已记住报表文件夹") || !strings.Contains(out, "文件夹："+dir) {
		t.Errorf("the screen does not say the folder is kept:\n%s", out)
	}
	m = press(t, m, "down", "enter")
	if files, _ := os.ReadDir(dir); len(files) != 2 || len(remembered) != 1 || strings.Contains(screenText(m), "报表存到哪个文件夹") {
		t.Errorf("asked again, or not written: %d files, remembered %v", len(files), remembered)
	}
}

func TestLeaderListAndBack(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, testLeader, "tab", testPass, "enter", "tab", "zs")
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Fatalf("tab did not open the case list:\n%s", screenText(m))
	}
	m = press(t, m, "esc")
	if _, ok := m.screen.(*todayScreen); !ok || m.screen.(*todayScreen).search.Value() != "" {
		t.Fatalf("esc did not clear the search first")
	}
	m = press(t, m, "esc")
	if _, ok := m.screen.(*teamScreen); !ok {
		t.Fatalf("esc on an empty search did not go back to the team:\n%s", screenText(m))
	}
}
