package tui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

// TestCommunityForm: the leader from the team screen, or an enumerator from the day's
// case list, fills the community form of a village: prefilled from the roster (name,
// code, number of certificate holders), answered to the end, signed with the
// passphrase as its filler, completed and queued; F6 lists it completed after.
func TestCommunityForm(t *testing.T) {
	for _, tt := range []struct {
		user, name string
		home       func(Screen) bool // the screen F6 is pressed on, and returned to
	}{
		{testLeader, "王组长", func(s Screen) bool { _, ok := s.(*teamScreen); return ok }},
		{testEnumerator, "李调查", func(s Screen) bool { _, ok := s.(*todayScreen); return ok }},
	} {
		t.Run(tt.user, func(t *testing.T) {
			fillCommunityForm(t, tt.user, tt.name, tt.home)
		})
	}
}

func fillCommunityForm(t *testing.T, user, name string, home func(Screen) bool) {
	env := fixture(t, newClock(), true)
	m := newRoot(t, env, 80, 24)
	m = press(t, m, user, "tab", testPass, "enter")
	if !home(m.screen) {
		t.Fatalf("not on the user's home screen:\n%s", screenText(m))
	}
	queued, _ := env.DB.OutboxLen()
	m = press(t, m, "f6")
	if !strings.Contains(screenText(m), "王庄村　未开始") {
		t.Fatalf("the villages are not offered:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	fs := form(t, m)
	if fs.village != "王庄村" || fs.cur != "S1" || fs.ed.input.Value() != "王庄村" {
		t.Fatalf("the community form of 王庄村 does not open prefilled:\n%s", screenText(m))
	}
	holders := 0
	for _, r := range fixtureRows() {
		if r.Village == "王庄村" {
			holders++
		}
	}
	for step := 0; step < 100 && form(t, m).cur != ""; step++ {
		fs := form(t, m)
		q, before := fs.ed.q, fs.cur
		switch {
		case fs.warnKey != "":
			m = press(t, m, "enter", "已核实", "enter")
			continue
		case q.Type.IsChoice() && len(fs.ed.chosen) == 0:
			m = press(t, m, "space")
		case q.Type == forms.TypeInteger && fs.ed.input.Value() == "":
			m = press(t, m, "2")
		case q.Type == forms.TypeText && fs.ed.input.Value() == "":
			m = press(t, m, "村委会王主任")
		case q.Type == forms.TypeDate && fs.ed.input.Value() == "":
			m = press(t, m, "2021-10-12")
		case q.Type == forms.TypePhone && fs.ed.input.Value() == "":
			m = press(t, m, "13800138000")
		}
		m = press(t, m, "enter")
		if fs := form(t, m); fs.cur == before && fs.err[0] != "" {
			t.Fatalf("%s stopped with %q:\n%s", before, fs.err[0], screenText(m))
		}
	}
	if !strings.Contains(screenText(m), "输入口令签字") {
		t.Fatalf("the end does not lead to signing:\n%s", screenText(m))
	}
	m = press(t, m, "enter", "wrong-pass", "enter")
	if !strings.Contains(screenText(m), "口令不对") {
		t.Fatalf("a wrong passphrase signed:\n%s", screenText(m))
	}
	m = press(t, m, "enter", testPass, "enter")
	if !strings.Contains(screenText(m), "王庄村 的社区登记表已完成") {
		t.Fatalf("not completed:\n%s", screenText(m))
	}
	rec, err := m.env.Session.VillageRecord("王庄村", "community-2021")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != localstore.StatusCompleted || string(rec.Answers["S1"]) != `"王庄村"` ||
		string(rec.Answers["S1a"]) != `"410102001001"` || string(rec.Answers["S3"]) != strconv.Itoa(holders) {
		t.Errorf("record %s, S1 %s, S1a %s, S3 %s (want %d)", rec.Status, rec.Answers["S1"], rec.Answers["S1a"], rec.Answers["S3"], holders)
	}
	if n, _ := env.DB.OutboxLen(); n != queued+1 {
		t.Errorf("queued %d, want %d", n, queued+1)
	}
	if sig, ok := rec.SignedBy(localstore.SignerEnumerator); !ok || sig.Name != name || rec.Enumerator != user {
		t.Errorf("signed by %q (%v), filled by %s; want %s %s", sig.Name, ok, rec.Enumerator, name, user)
	}
	m = press(t, m, "enter")
	if !home(m.screen) {
		t.Fatalf("did not return to the screen it was opened from:\n%s", screenText(m))
	}
	m = press(t, m, "f6")
	if !strings.Contains(screenText(m), "王庄村　已完成") {
		t.Errorf("the village's form does not show as completed:\n%s", screenText(m))
	}
}

// TestFlowEnumeratorFillsCommunityForm drives the real program loop at 80×24: an
// enumerator (the form's "enumerator the leader names") opens their village's community
// form from the day's case list with F6, shown in the key help, answers one question,
// pauses, and is back at the list; the record is the village's, with the answer and
// the place it was paused at.
func TestFlowEnumeratorFillsCommunityForm(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.Tick = tea.Tick // the real timers: the program runs them
	codes, err := env.DB.UserCodes()
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, New(env, true, codes), teatest.WithInitialTermSize(80, 24))
	waitFor := waiter(t, tm)
	unlockEnumerator(tm, waitFor, "社区登记表") // the key in the help line
	tm.Send(tea.KeyPressMsg{Code: tea.KeyF6})
	waitFor("填写哪个村")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // 王庄村, the roster's first
	waitFor("名称")                                // S1, prefilled
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // S1a, the roster's code
	waitFor("S2  类型")
	tm.Send(tea.KeyPressMsg{Code: '1', Text: "1"})
	waitFor("持证残疾人数") // S3
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitFor("按底册顺序")
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if _, ok := final.screen.(*todayScreen); !ok || len(final.history) != 0 {
		t.Errorf("ended on %q, not the case list", final.screen.Title("zh"))
	}
	rec, err := final.env.Session.VillageRecord("王庄村", "community-2021")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Village != "王庄村" || rec.CaseID != "" || rec.Enumerator != testEnumerator || rec.Status != localstore.StatusDraft ||
		string(rec.Answers["S1"]) != `"王庄村"` || string(rec.Answers["S2"]) != "1" {
		t.Errorf("record of %q (case %q) by %s, %s, answers %s", rec.Village, rec.CaseID, rec.Enumerator, rec.Status, rec.Answers)
	}
	if place, err := final.env.Session.Place(rec.ID); err != nil || place.Question != "S3" {
		t.Errorf("paused at %q (%v), want S3", place.Question, err)
	}
}
