package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestFlowUnlockSearchOpenBack drives the real program loop at 80×24: unlock, search
// by pinyin initials, open a case, go back, quit.
func TestFlowUnlockSearchOpenBack(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.Tick = tea.Tick // the real timers: the program runs them
	codes, err := env.DB.UserCodes()
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, New(env, true, codes), teatest.WithInitialTermSize(80, 24))
	waitFor := waiter(t, tm)
	unlockEnumerator(tm, waitFor, "今日工作")
	tm.Type("zs")
	waitFor("张三丰")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("户籍地址")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitFor("按底册顺序")
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if final.Session() == nil {
		t.Fatal("ended locked")
	}
	today, ok := final.screen.(*todayScreen)
	if !ok || today.search.Value() != "zs" || len(final.history) != 0 {
		t.Errorf("ended on %q with search %q", final.screen.Title("zh"), today.search.Value())
	}
	if names := shownNames(final); strings.Join(names, " ") != "张三 张山 张三丰" {
		t.Errorf("zs shows %q", names)
	}
}
