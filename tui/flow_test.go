package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/doorstep-survey/doorstep/demo"
)

// TestFlowUnlockSearchOpen drives the real program loop: unlock, search by a name's
// pinyin initials, open the case, go back, quit.
func TestFlowUnlockSearchOpen(t *testing.T) {
	env := demoEnv(t, 20)
	codes, _ := env.DB.UserCodes()
	tm := teatest.NewTestModel(t, New(env, true, codes), teatest.WithInitialTermSize(80, 24))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second))
	}
	waitFor("本机用户")
	tm.Type("E001")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type(demo.DemoPassphrase)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("今日工作")
	tm.Type("zhang")
	waitFor("zhang")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("户籍地址")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitFor("按底册顺序")
	tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if final.Session() == nil || !strings.Contains(final.screen.Title("zh"), "今日工作") {
		t.Errorf("ended on %q", final.screen.Title("zh"))
	}
}
