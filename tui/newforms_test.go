package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/doorstep-survey/doorstep/forms"
)

// nextYear is the program's forms once the district sent person-2022: a new registry
// with the forms env has and next year's, as the program loads them after the round.
func nextYear(t testing.TB, env *Env) FormSet {
	t.Helper()
	next, err := forms.LoadFile("../forms/testdata/person-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reg := &forms.Registry{}
	for _, f := range append(env.Forms.All(), next) {
		if err := reg.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	return FormSet{Forms: reg, PersonForm: next, CommunityForm: env.CommunityForm}
}

// A form the district sends during a round is used at once: the status bar and the
// sync screen say so in zh and en, a new interview starts on it, and a draft under way
// keeps its own form and version.
func TestFormFromSyncIsUsedAtOnce(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.SyncNow, env.SyncServer = func() {}, "https://doorstep.example.gov.cn"
	if env.Forms == nil {
		New(env, true, nil) // fills Forms from the two forms, as the program does
	}
	old := env.PersonForm
	m := jump(t, startInterview(t, env, 80, 24), "R3")
	m = press(t, m, "4")
	draft := stored(t, m)
	m = press(t, m, "esc", "esc", "esc")
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Fatalf("not back on today:\n%s", screenText(m))
	}

	set := nextYear(t, env)
	m = send(t, m, syncDoneMsg{at: env.Now(), result: SyncResult{Pushed: 1, Forms: &set}})
	if bar := lastLine(screenText(m)); !strings.Contains(bar, "新表式 person-2022") {
		t.Errorf("the status bar does not say a new form arrived: %q", bar)
	}
	m = press(t, m, "f5")
	if text := screenText(m); !strings.Contains(text, "收到新表式 person-2022，新调查将使用它") {
		t.Errorf("the sync screen does not say a new form arrived:\n%s", text)
	}
	m = press(t, m, "f2")
	if text := screenText(m); !strings.Contains(text, "New form person-2022 received: new interviews will use it") ||
		!strings.Contains(lastLine(text), "new form person-2022") {
		t.Errorf("in English:\n%s", text)
	}
	m = press(t, m, "f2", "esc")

	// A new interview starts on the new form.
	m = press(t, m, "wangwu", "enter", "enter", "1", "enter", "1", "enter")
	fs := form(t, m)
	if fs.form != set.PersonForm {
		t.Fatalf("a new interview started on %s %s:\n%s", fs.form.ID, fs.form.Version, screenText(m))
	}
	if rec := stored(t, m); rec.FormID != "person-2022" || rec.FormVersion != "2022.1" {
		t.Errorf("the new record is of %s %s", rec.FormID, rec.FormVersion)
	}
	m = press(t, m, "esc", "esc", "esc")

	// The draft under way keeps its own form and version (moving it is offered, not done).
	m = press(t, m, "ctrl+u", "lisi", "enter", "enter")
	fs = form(t, m)
	if fs.form != old || fs.rec.ID != draft.ID {
		t.Fatalf("the draft opened with %s (record %s), want its own %s", fs.form.ID, fs.rec.ID, old.ID)
	}
	if rec := stored(t, m); rec.FormID != "person-2021" || rec.FormVersion != "2021.1" || string(rec.Answers["R3"]) != "4" {
		t.Errorf("the draft is now %s %s %s", rec.FormID, rec.FormVersion, rec.Answers)
	}

	// The next round, with no new form, no longer says so.
	m = send(t, m, syncDoneMsg{at: env.Now(), result: SyncResult{}})
	if strings.Contains(screenText(m), "person-2022") && strings.Contains(lastLine(screenText(m)), "新表式") {
		t.Errorf("the note outlived its round: %q", lastLine(screenText(m)))
	}
}

// A set without a form for new interviews is not swapped in.
func TestFormsNotWholeAreNotUsed(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	old := env.PersonForm
	m = send(t, m, syncDoneMsg{at: env.Now(), result: SyncResult{Forms: &FormSet{Forms: &forms.Registry{}}}})
	if m.env.PersonForm != old || len(m.env.sync.newForms) != 0 {
		t.Errorf("a set without a person form replaced %s with %v", old.ID, m.env.PersonForm)
	}
}

// TestFlowFormArrivesDuringSync runs the real program loop with the real sync loop in
// its goroutine: the round's forms reach the model by a message (run it with -race),
// and the next interview starts on them.
func TestFlowFormArrivesDuringSync(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.Tick = tea.Tick
	codes, err := env.DB.UserCodes()
	if err != nil {
		t.Fatal(err)
	}
	root := New(env, true, codes)
	set := nextYear(t, env)
	now := make(chan struct{}, 1)
	env.SyncNow = func() {
		select {
		case now <- struct{}{}:
		default:
		}
	}
	tm := teatest.NewTestModel(t, root, teatest.WithInitialTermSize(80, 24))
	ctx, cancel := context.WithCancel(context.Background())
	loopDone := make(chan struct{})
	t.Cleanup(func() { cancel(); <-loopDone })
	go func() {
		defer close(loopDone)
		SyncLoop(ctx, &bringsForms{set: set}, time.Hour, now, tm.Send)
	}()
	tm.Send(SyncConfigMsg{Server: "https://doorstep.example.gov.cn"})
	waitFor := waiter(t, tm)
	unlockEnumerator(tm, waitFor, "今日工作")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyF5})
	waitFor("立即同步")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("新调查将使用它")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitFor("今日工作")
	enter := func() { tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) }
	tm.Type("wangwu")
	waitFor("王五")
	enter()
	waitFor("未开始")
	enter()
	waitFor("个案结果")
	tm.Type("1")
	enter()
	tm.Type("1")
	enter()
	waitFor("第 1 题") // the form's first question
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	fs, ok := final.screen.(*formScreen)
	if !ok || fs.form != set.PersonForm || fs.rec == nil || fs.rec.FormID != "person-2022" {
		t.Fatalf("the interview after the round is not on person-2022: %q", final.screen.Title("zh"))
	}
}

// bringsForms is a Syncer whose every round brings the same new forms.
type bringsForms struct{ set FormSet }

func (b *bringsForms) Round(ctx context.Context) (SyncResult, error) {
	return SyncResult{Pulled: 1, Forms: &b.set}, nil
}
func (b *bringsForms) Next(error) (time.Duration, bool) { return time.Hour, false }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// The respondent's view of a record begun before a new form arrived reads it back with
// its own form, not the one new interviews now take.
func TestRespondentViewKeepsTheRecordsForm(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.SyncServer = "https://doorstep.example.gov.cn"
	old := env.PersonForm
	m := toReadBack(t, env, 80, 24)
	set := nextYear(t, env)
	m = send(t, m, syncDoneMsg{at: env.Now(), result: SyncResult{Forms: &set}})
	if m.env.PersonForm != set.PersonForm {
		t.Fatal("the new form was not taken")
	}
	m = press(t, m, "v")
	rs, ok := m.screen.(*respondentScreen)
	if !ok {
		t.Fatalf("v does not open the respondent's view:\n%s", screenText(m))
	}
	var want, got []string
	for _, sec := range old.ReadBack(rs.iv.answers, rs.iv.ctx, "zh") {
		for _, l := range sec.Lines {
			want = append(want, clean(l.Text))
		}
	}
	for _, s := range rs.sentences() {
		got = append(got, s.text)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read back with another form:\n got %q\nwant %q", got, want)
	}
}

// The respondent's view draws before its record is loaded (the program draws between
// messages): "loading", not a crash on the form not yet known.
func TestRespondentViewBeforeLoaded(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	s := newRespondentScreen(m.nextCommon(), "x", "")
	if out := s.View(80, 20); !strings.Contains(out, tr("zh", "loading")) {
		t.Errorf("before loading:\n%s", out)
	}
}
