package tui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
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
	m = confirmed(t, press(t, m, "f8"), clock, "带 2 条意见退回")
	rec, _ := m.env.Session.Record(recID)
	if len(rec.Comments) != 2 || !rec.Comments[0].At.Equal(first) || !rec.Comments[1].At.Equal(first.Add(7*time.Minute)) || rec.Comments[0].Round != 1 {
		t.Fatalf("comments %+v, want written at %v and 7 minutes later", rec.Comments, first)
	}
}

// TestAgeChecksSayTheAge: a warning judged on the age says the age derived from the
// ID number, on the form and in the leader's review.
func TestAgeChecksSayTheAge(t *testing.T) {
	f := formstest.Person2021(t)
	young := person("小李", "王庄村", "19900101", 5, 1, 1)
	a := forms.Answers{"R2": young.CertificateNumber, "R6": 2, "R9": 2, "R10": 1}
	var c5 *forms.Finding
	for _, fd := range f.Evaluate(a, forms.Context{"method": 1, "outcome": 1}).Findings {
		if fd.Check == "C5" {
			c5 = &fd
		}
	}
	if c5 == nil {
		t.Fatal("C5 does not fire for a pension at 31")
	}
	if got := findingText(f, *c5, a, forms.Context{}); !strings.Contains(got[0], "31岁") || !strings.Contains(got[1], "age 31") {
		t.Errorf("C5 says %q", got)
	}
	raw := map[string]json.RawMessage{}
	for k, v := range a {
		raw[k], _ = forms.EncodeAnswer(v)
	}
	rec := &localstore.Record{FormID: f.ID, FormVersion: f.Version, Method: 1, Outcome: 1, Answers: raw}
	found := false
	for _, l := range reviewLines(registryOf(f), rec, localstore.Case{Row: young}) {
		found = found || l.kind == lineWarning && strings.Contains(l.text[0], "31岁")
	}
	if !found {
		t.Error("the leader's review does not say the age C5 was judged on")
	}
}

// TestErrorNamesTheQuestionsItReads: C2 at R13 says it reads R12, and F7 goes there.
func TestErrorNamesTheQuestionsItReads(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := jump(t, startInterview(t, env, 80, 24), "R12")
	m = press(t, m, "2", "enter")
	if form(t, m).cur != "R13" {
		m = jump(t, m, "R13")
	}
	m = press(t, m, "1")
	fs := form(t, m)
	if fs.cur != "R13" || fs.err[0] == "" {
		t.Fatalf("C2 did not stop R13:\n%s", screenText(m))
	}
	if out := screenText(m); !strings.Contains(out, "涉及：R12") || !strings.Contains(out, "F7") {
		t.Fatalf("the error does not name R12 and the key:\n%s", out)
	}
	m = press(t, m, "f7")
	if fs := form(t, m); fs.cur != "R12" {
		t.Errorf("F7 went to %s, want R12", fs.cur)
	}
}

// TestSignOffersThePreviousProxy: signing again, the proxy who signed before is
// offered as a proxy, name and relation.
func TestSignOffersThePreviousProxy(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, finishForm(t, env, 80, 24), "enter")
	for i := 0; i < 20; i++ {
		if _, ok := m.screen.(*readBackScreen); !ok {
			break
		}
		m = press(t, m, "enter")
	}
	m = press(t, m, "2", "tab", "ctrl+u", "王芳", "tab", "女儿", "tab", "tab", testPass, "enter")
	if _, ok := m.screen.(*photoScreen); !ok {
		t.Fatalf("not signed:\n%s", screenText(m))
	}
	m = press(t, m, "esc", "enter") // back to the case, and on
	if _, ok := m.screen.(*photoScreen); !ok {
		t.Fatalf("a signed record does not go on at the photo:\n%s", screenText(m))
	}
	// An answer changed after signing: the signatures are taken again.
	rec, _ := m.env.Session.Record(m.screen.(*photoScreen).iv.rec.ID)
	q := env.PersonForm.Question("R3")
	if _, err := m.env.Session.SaveAnswers(rec.ID, localstore.AnswerChange{Question: "R3", Section: q.Section.ID, Value: json.RawMessage(`4`), Reason: "受访者更正"}); err != nil {
		t.Fatal(err)
	}
	m = press(t, m, "esc", "enter")
	for i := 0; i < 20; i++ {
		if _, ok := m.screen.(*readBackScreen); !ok {
			break
		}
		m = press(t, m, "enter")
	}
	ss, ok := m.screen.(*signScreen)
	if !ok {
		t.Fatalf("not on the signatures:\n%s", screenText(m))
	}
	if !ss.proxy || ss.name.Value() != "王芳" || ss.relation.Value() != "女儿" {
		t.Errorf("offered %v %q %q, want the proxy 王芳, 女儿", ss.proxy, ss.name.Value(), ss.relation.Value())
	}
}

// TestStatusBarCountsTheCompletedCase: the bar's queued count is the completion
// page's, at once.
func TestStatusBarCountsTheCompletedCase(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.PhotosDir = "testdata/photos"
	m := press(t, finishForm(t, env, 80, 24), "enter")
	for i := 0; i < 20; i++ {
		if _, ok := m.screen.(*readBackScreen); !ok {
			break
		}
		m = press(t, m, "enter")
	}
	m = press(t, m, "1", "tab", "tab", "tab", testPass, "enter", "down", "enter", "f6")
	ps, ok := m.screen.(*photoScreen)
	if !ok || !ps.done {
		t.Fatalf("not completed:\n%s", screenText(m))
	}
	lines := strings.Split(screenText(m), "\n")
	if bar := lines[len(lines)-1]; !strings.Contains(bar, fmt.Sprintf("待上报 %d", ps.queued)) {
		t.Errorf("the bar says %q, the page %d queued", bar, ps.queued)
	}
}

// TestMessagesInTheScreensLanguage: the store's failures are said by their kind in
// the screen's language, once; at signing a wrong passphrase is only that.
func TestMessagesInTheScreensLanguage(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("receive: %w", localstore.ErrConflict),
		fmt.Errorf("sign: %w: read the answers back first", localstore.ErrNotReady),
		fmt.Errorf("return: %w: only a team leader can return a record", localstore.ErrNotAllowed),
		localstore.ErrDiskFull,
	} {
		got := errText(err)
		if strings.ContainsAny(strings.ReplaceAll(got[0], "enter", ""), "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("%v: English in the Chinese: %q", err, got[0])
		}
		if got[1] == "" || strings.Contains(got[1], err.Error()) && err != localstore.ErrDiskFull {
			t.Errorf("%v: the English is the store's message, not a sentence: %q", err, got[1])
		}
	}
	env := fixture(t, newClock(), true)
	m := press(t, finishForm(t, env, 80, 24), "enter")
	for i := 0; i < 20; i++ {
		if _, ok := m.screen.(*readBackScreen); !ok {
			break
		}
		m = press(t, m, "enter")
	}
	m = press(t, m, "1", "tab", "tab", "tab", "not-my-pass", "enter")
	if out := screenText(m); !strings.Contains(out, "口令不对") || strings.Contains(out, "用户代码或口令不对") {
		t.Errorf("a wrong passphrase at signing:\n%s", out)
	}
}

// TestWrongDigitSaysTheCodes: a digit that is no option's code says which are.
func TestWrongDigitSaysTheCodes(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := jump(t, startInterview(t, env, 80, 24), "R19")
	m = press(t, m, "1")
	if form(t, m).cur != "R19b" {
		m = jump(t, m, "R19b")
	}
	m = press(t, m, "1")
	if fs := form(t, m); fs.cur != "R19b" || !strings.Contains(screenText(m), "1 不是本题的选项，可选：3、4") {
		t.Fatalf("a wrong digit on R19b:\n%s", screenText(m))
	}
	m = press(t, m, "3")
	if strings.Contains(screenText(m), "不是本题的选项") {
		t.Errorf("the note outlives a right code:\n%s", screenText(m))
	}
}

// TestJumpListUsesTheWindow: the F4 list marks the selected row with ▸, shows as
// many questions as the window has rows, and does not cut labels at 120 columns.
func TestJumpListUsesTheWindow(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, startInterview(t, env, 120, 40), "f4")
	out := screenText(m)
	if !strings.Contains(out, "▸ · R1") && !strings.Contains(out, "▸ ✓ R1") {
		t.Errorf("the selected row is not marked:\n%s", out)
	}
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "✓ R") || strings.Contains(l, "· R") || strings.Contains(l, "· H") {
			rows++
		}
	}
	if n := len(form(t, m).res.Relevant); rows != n {
		t.Errorf("%d of %d questions shown in a 40-row window:\n%s", rows, n, out)
	}
	f := env.PersonForm
	for _, q := range f.Questions() {
		label := clean(q.ReadBackLabel().ZH)
		if textwidth.Width(label) <= 40 && textwidth.Width(label) > 24 && strings.Contains(out, q.ID+" ") && !strings.Contains(out, label) {
			t.Errorf("%s's label %q is cut at 120 columns:\n%s", q.ID, label, out)
		}
	}
}

// TestTeamListSearchesAndJumps: the leader's list to review takes a search (name,
// pinyin initials, village, enumerator) and Home/End; the table makes room.
func TestTeamListSearchesAndJumps(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, newRoot(t, env, 80, 24), testLeader, "tab", testPass, "enter")
	team, ok := m.screen.(*teamScreen)
	if !ok || team.day == nil || len(team.day.waiting) < 3 {
		t.Fatalf("not on the team's day:\n%s", screenText(m))
	}
	m = press(t, m, "end")
	if team.cursor != len(team.shown)-1 {
		t.Errorf("End went to %d of %d", team.cursor, len(team.shown))
	}
	m = press(t, m, "home")
	if team.cursor != 0 {
		t.Errorf("Home went to %d", team.cursor)
	}
	m = press(t, m, "wd") // 卫东
	if len(team.shown) != 1 || team.day.waiting[team.shown[0]].name != "卫东" {
		t.Fatalf("search wd shows %v:\n%s", team.shown, screenText(m))
	}
	if out := screenText(m); strings.Contains(out, "今日结果") || !strings.Contains(out, "待审核 1 / ") {
		t.Errorf("the search does not take the table's room or say what it found:\n%s", out)
	}
	m = press(t, m, "enter")
	if _, ok := m.screen.(*reviewScreen); !ok || !strings.Contains(screenText(m), "卫东") {
		t.Fatalf("enter on the one found did not open it:\n%s", screenText(m))
	}
	m = press(t, m, "esc", "esc")
	if team.search.Value() != "" || len(team.shown) != len(team.day.waiting) {
		t.Errorf("esc did not clear the search: %q", team.search.Value())
	}
}

// TestF6GoesToTheNextBlank: F6 skips what is answered (and optional questions) to
// the next question that must still be answered.
func TestF6GoesToTheNextBlank(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, startInterview(t, env, 80, 24), "f6")
	if fs := form(t, m); fs.cur != "R2a" {
		t.Fatalf("F6 from R1 went to %s, want R2a (R2 is the roster's):\n%s", fs.cur, screenText(m))
	}
	m = press(t, m, "1", "2") // R2a, R3: then back to R1 and F6 again
	m = press(t, jump(t, m, "R1"), "f6")
	if fs := form(t, m); fs.cur != "R4" {
		t.Errorf("F6 went to %s, want R4", fs.cur)
	}
}

// TestTeamSearchTypedWhileLoading: letters typed before the day is gathered are kept
// in the search.
func TestTeamSearchTypedWhileLoading(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := newRoot(t, env, 80, 24)
	team := newTeam(m.nextCommon())
	team.Init() // focuses the search; its gathering of the day is not run: still loading
	var s Screen = team
	for _, r := range "wd" {
		s, _ = s.Update(keyMsg(string(r)))
	}
	if team.search.Value() != "wd" {
		t.Errorf("typed before the day loaded: %q", team.search.Value())
	}
}

// TestEnglishTodayIsNotCut: the English day's counts and filters are whole at 80
// columns, however many statuses there are.
func TestEnglishTodayIsNotCut(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.Lang = "en"
	m := unlocked(t, env, testEnumerator, 80, 24)
	today := m.screen.(*todayScreen)
	for _, st := range statusOrder {
		today.ix.counts[""][st] += 123 // every status, with three-digit counts
	}
	out := screenText(m)
	for _, want := range []string{"approved 123", "returned", "shown"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q is cut at 80 columns:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n")[:4] {
		if strings.HasSuffix(strings.TrimSpace(l), textwidth.Ellipsis) {
			t.Errorf("a line is cut: %q", l)
		}
	}
}

// TestCommentOnARecordWithoutAnswers: a case closed without an interview has no
// answers; F4 comments on the whole record rather than failing.
func TestCommentOnARecordWithoutAnswers(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, newRoot(t, env, 80, 24), testLeader, "tab", testPass, "enter")
	recs, _ := m.env.Session.Records()
	var death *localstore.Record
	for _, r := range recs {
		if r.Status == localstore.StatusCompleted && r.Outcome != localstore.OutcomeInterviewed {
			death = r
		}
	}
	m = send(t, m, navigateMsg{Page{Kind: KindReview, ID: death.ID}})
	m = press(t, m, "f4")
	if len(m.overlays) != 1 || !strings.Contains(screenText(m), "整份记录") {
		t.Fatalf("F4 on a record without answers:\n%s", screenText(m))
	}
}
