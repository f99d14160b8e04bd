package tui

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// form is the form screen showing, or the test fails.
func form(t testing.TB, m Model) *formScreen {
	t.Helper()
	fs, ok := m.screen.(*formScreen)
	if !ok {
		t.Fatalf("not on the form:\n%s", screenText(m))
	}
	return fs
}

// jump opens a question through the jump list's message.
func jump(t testing.TB, m Model, id string) Model {
	t.Helper()
	fs := form(t, m)
	m = send(t, m, screenMsg{fs.id, jumpMsg{id}})
	if form(t, m).cur != id {
		t.Fatalf("jump to %s landed on %s:\n%s", id, form(t, m).cur, screenText(m))
	}
	return m
}

// stored is the record of 李四's interview as the store has it.
func stored(t testing.TB, m Model) *localstore.Record {
	t.Helper()
	fs := form(t, m)
	rec, err := m.env.Session.Record(fs.rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestFormOpensAtFirstQuestionWithRosterPrefilled(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := startInterview(t, env, 80, 24)
	fs := form(t, m)
	if fs.cur != "R1" || fs.ed.input.Value() != "李四" {
		t.Errorf("opens at %s with %q", fs.cur, fs.ed.input.Value())
	}
	rec := stored(t, m)
	if string(rec.Answers["R2"]) != `"`+fixtureRows()[1].CertificateNumber+`"` {
		t.Errorf("R2 not prefilled: %s", rec.Answers["R2"])
	}
	audit, _ := m.env.Session.Audit(rec.ID)
	for _, e := range audit {
		if e.Action == localstore.ActionAnswer && e.Reason != prefillReason {
			t.Errorf("a prefilled answer is not marked as such in the audit: %+v", e)
		}
	}
	if !strings.Contains(screenText(m), "底册预填") {
		t.Errorf("the screen does not say the answer came from the roster:\n%s", screenText(m))
	}
}

func TestFormExclusiveOption(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := jump(t, startInterview(t, env, 80, 24), "R12")
	steps := []struct {
		key    string
		chosen []int
		note   string
	}{
		{"1", []int{1}, ""},
		{"2", []int{1, 2}, ""},
		{"4", []int{4}, "已取消：1 养老保险、2 医疗保险"},
		{"3", []int{3}, "已取消“4 未参加”"},
		{"3", nil, ""}, // a second press takes it back
		{"9", nil, ""}, // no such option: nothing happens
	}
	for _, st := range steps {
		m = press(t, m, st.key)
		fs := form(t, m)
		if !slices.Equal(fs.ed.chosen, st.chosen) {
			t.Errorf("after %s: chosen %v, want %v", st.key, fs.ed.chosen, st.chosen)
		}
		if st.note != "" && !strings.Contains(fs.ed.note[0], st.note) {
			t.Errorf("after %s: note %q, want %q", st.key, fs.ed.note[0], st.note)
		}
		if st.note != "" && !strings.Contains(screenText(m), st.note) {
			t.Errorf("after %s the note is not on the screen:\n%s", st.key, screenText(m))
		}
	}
}

func TestFormClearsAnswersThatNoLongerApply(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := jump(t, startInterview(t, env, 80, 24), "R6")
	m = press(t, m, "2", "4") // not in an institution; a dilapidated dwelling
	if form(t, m).cur != "R7a" {
		t.Fatalf("R7a is not asked after R7 = 4:\n%s", screenText(m))
	}
	m = press(t, m, "1")
	if _, ok := stored(t, m).Answers["R7a"]; !ok {
		t.Fatal("R7a not saved")
	}
	m = jump(t, m, "R7")
	m = press(t, m, "1")
	rec := stored(t, m)
	if _, ok := rec.Answers["R7a"]; ok || string(rec.Answers["R7"]) != "1" {
		t.Errorf("after R7 = 1: R7 %s, R7a %s", rec.Answers["R7"], rec.Answers["R7a"])
	}
	if !strings.Contains(screenText(m), "已清除不再适用的答案：R7a 危房类型") {
		t.Errorf("the screen does not say R7a was cleared:\n%s", screenText(m))
	}
	audit, _ := m.env.Session.Audit(rec.ID)
	last := audit[len(audit)-1]
	if last.Question != "R7a" || last.New != nil || string(last.Old) != "1" {
		t.Errorf("the clearing is not in the audit: %+v", last)
	}
}

func TestFormErrorsBlock(t *testing.T) {
	tests := []struct {
		name   string
		at     string
		keys   []string
		errMsg string
	}{
		{"a required question left blank", "R2a", []string{"enter"}, "这一题必须回答"},
		{"a phone number that is no number", "R5", []string{"ctrl+u", "12345", "enter"}, "手机号应为11位"},
		{"a certificate number with a wrong check digit", "R2", []string{"ctrl+u", "41010219410211014X22", "enter"}, "校验"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fixture(t, newClock(), true)
			m := jump(t, startInterview(t, env, 80, 24), tt.at)
			m = press(t, m, tt.keys...)
			fs := form(t, m)
			if fs.cur != tt.at || !strings.Contains(fs.err[0], tt.errMsg) {
				t.Fatalf("on %s with error %q, want to stay on %s with %q:\n%s", fs.cur, fs.err[0], tt.at, tt.errMsg, screenText(m))
			}
			if !strings.Contains(screenText(m), "✗") {
				t.Errorf("the error is not on the screen:\n%s", screenText(m))
			}
			// Going back is never blocked.
			m = press(t, m, "shift+tab")
			if form(t, m).cur == tt.at {
				t.Errorf("shift+tab did not go back from %s", tt.at)
			}
		})
	}
}

func TestFormResumesWhereLeft(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := startInterview(t, env, 80, 24)
	m = press(t, m, "enter", "enter", "1", "2") // R1, R2 as prefilled; R2a 农业; R3 有配偶
	if form(t, m).cur != "R4" {
		t.Fatalf("at %s, want R4", form(t, m).cur)
	}
	m = press(t, m, "esc")
	if _, ok := m.screen.(*caseScreen); !ok {
		t.Fatalf("esc did not pause to the case:\n%s", screenText(m))
	}
	m = press(t, m, "enter") // the draft opens at the form directly
	if fs := form(t, m); fs.cur != "R4" {
		t.Errorf("resumed at %s, want R4:\n%s", fs.cur, screenText(m))
	}
}

func TestFormHoldsKeysWhileSaving(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := jump(t, startInterview(t, env, 80, 24), "R2a")
	// "2" chooses and saves; "1" and "enter" arrive before the store has answered.
	next, save := m.Update(keyMsg("2"))
	m = next.(Model)
	for _, k := range []string{"1"} {
		next, cmd := m.Update(keyMsg(k))
		if cmd != nil {
			t.Fatalf("a key typed during the save did something: %T", cmd())
		}
		m = next.(Model)
	}
	if fs := form(t, m); !fs.saving || len(fs.held) != 1 || !strings.Contains(screenText(m), "正在保存") {
		t.Fatalf("saving %v, held %d:\n%s", fs.saving, len(fs.held), screenText(m))
	}
	m = update(t, m, save)
	fs := form(t, m)
	if fs.cur != "R4" {
		t.Fatalf("at %s, want R4 (R2a = 2, then the held 1 for R3):\n%s", fs.cur, screenText(m))
	}
	rec := stored(t, m)
	if string(rec.Answers["R2a"]) != "2" || string(rec.Answers["R3"]) != "1" {
		t.Errorf("R2a %s, R3 %s", rec.Answers["R2a"], rec.Answers["R3"])
	}
}

func TestFormWarningNeedsNote(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := startInterview(t, env, 80, 24)
	// A telephone interview with no phone number: C8 warns at R5.
	rec := stored(t, m)
	if _, err := m.env.Session.SetCaseHeader(rec.ID, 2, 1, ""); err != nil {
		t.Fatal(err)
	}
	m = press(t, m, "esc", "enter") // paused and resumed: the form opens directly
	m = jump(t, m, "R5")
	m = press(t, m, "ctrl+u", "enter")
	fs := form(t, m)
	if fs.cur != "R5" || fs.warnKey != "C8@R5" {
		t.Fatalf("at %s with warning %q:\n%s", fs.cur, fs.warnKey, screenText(m))
	}
	m = press(t, m, "enter")
	if len(m.overlays) != 1 {
		t.Fatalf("enter did not ask for a note:\n%s", screenText(m))
	}
	m = press(t, m, "enter") // an empty note is refused
	if len(m.overlays) != 1 || !strings.Contains(screenText(m), "请填写") {
		t.Fatalf("an empty note was taken:\n%s", screenText(m))
	}
	m = press(t, m, "本人无电话，由村医代为联系", "enter")
	if fs := form(t, m); fs.cur == "R5" || len(m.overlays) != 0 {
		t.Fatalf("did not go on after the note:\n%s", screenText(m))
	}
	if got := stored(t, m).Notes["C8@R5"]; got != "本人无电话，由村医代为联系" {
		t.Errorf("note kept: %q", got)
	}
}

func TestFormChangeAfterReadBackNeedsReason(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := finishForm(t, env, 80, 24)
	m = press(t, m, "enter", "enter") // read-back; the first section (基本情况) agreed
	rb, ok := m.screen.(*readBackScreen)
	if !ok || !rb.confirmed("basic") {
		t.Fatalf("basic not agreed:\n%s", screenText(m))
	}
	m = press(t, m, "left", "down", "down", "down", "f4") // 婚姻状况
	fs := form(t, m)
	if fs.cur != "R3" || !fs.fix {
		t.Fatalf("F4 opened %s (fix %v)", fs.cur, fs.fix)
	}
	old := stored(t, m).Answers["R3"]
	code := "1"
	if string(old) == "1" {
		code = "2"
	}
	m = press(t, m, code, "enter")
	if len(m.overlays) != 1 || !strings.Contains(screenText(m), "修改原因") {
		t.Fatalf("no reason asked:\n%s", screenText(m))
	}
	m = press(t, m, "受访者更正", "enter")
	if _, ok := m.screen.(*readBackScreen); !ok {
		t.Fatalf("did not return to the read-back:\n%s", screenText(m))
	}
	rec, err := m.env.Session.Record(rb.iv.rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(rec.Answers["R3"]) != code {
		t.Errorf("R3 = %s, want %s", rec.Answers["R3"], code)
	}
	audit, _ := m.env.Session.Audit(rec.ID)
	if e := audit[len(audit)-1]; e.Question != "R3" || e.Reason != "受访者更正" {
		t.Errorf("last audit entry %+v", e)
	}
	var v int
	json.Unmarshal(rec.Answers["R3"], &v)
	if !strings.Contains(screenText(m), "婚姻状况："+env.PersonForm.Question("R3").FormatAnswer(v, "zh")) {
		t.Errorf("the read-back does not show the corrected answer:\n%s", screenText(m))
	}
}

// TestFormTypedInputIgnoresControlText: pasted text with escape sequences is saved without them.
func TestFormTypedInputIgnoresControlText(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := jump(t, startInterview(t, env, 80, 24), "R4")
	m = send(t, m, tea.PasteMsg{Content: "张\x1b[31m大\x1b]0;x\x07山"})
	m = press(t, m, "enter")
	got := string(stored(t, m).Answers["R4"])
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("escape sequences saved: %q", got)
	}
}

func TestImportRosterFromToday(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.RosterDir = "testdata/rosters"
	m := unlocked(t, env, testLeader, 80, 24)
	before := len(m.screen.(*todayScreen).ix.entries)
	m = press(t, m, "f7", "enter")
	if !strings.Contains(screenText(m), "可导入 3 行；有问题 1 行") || !strings.Contains(screenText(m), "第 5 行") {
		t.Fatalf("the file's check is not shown:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if !strings.Contains(screenText(m), "新增 3 人") {
		t.Fatalf("not imported:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if _, ok := m.screen.(*teamScreen); !ok {
		t.Fatalf("done does not return to the leader's home:\n%s", screenText(m))
	}
	m = press(t, m, "tab")
	today, ok := m.screen.(*todayScreen)
	if !ok || len(today.ix.entries) != before+3 {
		t.Fatalf("today has %d cases, want %d:\n%s", len(today.ix.entries), before+3, screenText(m))
	}
	m = press(t, m, "zhaodashan")
	if names := shownNames(m); len(names) != 1 || names[0] != "赵大山" {
		t.Errorf("the imported case is not found: %v", names)
	}
}

// TestFormKeepsKeysTypedWhileOpening: keys typed before the record has opened are
// answers to its first questions, not lost.
func TestFormKeepsKeysTypedWhileOpening(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := startInterview(t, env, 80, 24)
	caseID := form(t, m).caseID
	m = press(t, m, "esc")
	next, load := m.Update(navigateMsg{Page{Kind: KindForm, ID: caseID}})
	m = next.(Model)
	for _, k := range []string{"enter", "enter", "2"} { // R1 and R2 as prefilled; R2a 非农业
		next, cmd := m.Update(keyMsg(k))
		m = next.(Model)
		if cmd != nil {
			t.Fatalf("a key before the form opened did something")
		}
	}
	m = update(t, m, load)
	fs := form(t, m)
	if fs.cur != "R3" || string(stored(t, m).Answers["R2a"]) != "2" {
		t.Errorf("at %s, R2a %s: keys typed while the form opened were lost", fs.cur, stored(t, m).Answers["R2a"])
	}
}

// TestLegacyCardPrefillsCategoryAndLevel: an old card's number has no category or
// level; the roster's are offered for the enumerator to check against the card.
func TestLegacyCardPrefillsCategoryAndLevel(t *testing.T) {
	env := fixture(t, newClock(), true)
	row := person("钱老", "王庄村", "19500101", 901, 4, 2)
	row.CertificateNumber, row.Line = row.IDNumber, 99
	leader, err := env.DB.Unlock(testLeader, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leader.ImportRoster([]roster.Row{row}, "legacy.xlsx"); err != nil {
		t.Fatal(err)
	}
	m := press(t, unlocked(t, env, testEnumerator, 80, 24), "qianlao", "enter", "enter", "1", "enter", "1", "enter")
	m = press(t, m, "enter", "enter") // R1, R2 as prefilled
	fs := form(t, m)
	if fs.cur != "R2b" || !slices.Equal(fs.ed.chosen, []int{4}) || !strings.Contains(screenText(m), "已从底册预填") {
		t.Fatalf("at %s with %v:\n%s", fs.cur, fs.ed.chosen, screenText(m))
	}
	m = press(t, m, "enter")
	if fs := form(t, m); fs.cur != "R2c" || !slices.Equal(fs.ed.chosen, []int{2}) {
		t.Errorf("R2c: at %s with %v", fs.cur, fs.ed.chosen)
	}
}
