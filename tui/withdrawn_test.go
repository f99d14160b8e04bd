package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
)

// TestWithdrawnRecordShown: a record the district withdrew (a duplicate interview
// resolved for the other record) leaves the leader's review and the team's counts, is
// listed apart with the district's reason, and the case list says it with the reason.
func TestWithdrawnRecordShown(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, newRoot(t, env, 100, 30), testLeader, "tab", testPass, "enter")
	team, ok := m.screen.(*teamScreen)
	if !ok || team.day == nil || len(team.day.waiting) < 2 {
		t.Fatalf("not on the team's day:\n%s", screenText(m))
	}
	before, finished := len(team.day.waiting), team.day.total.finished
	gone := team.day.waiting[0]
	const why = "重复入户，保留张伟的记录"
	if mine, err := m.env.Session.MarkWithdrawn(gone.recordID, localstore.Withdrawal{Kept: "other", Reason: why, At: time.Now()}); !mine || err != nil {
		t.Fatalf("MarkWithdrawn: %v %v", mine, err)
	}
	m = update(t, m, team.Refresh())
	team = m.screen.(*teamScreen)
	if len(team.day.waiting) != before-1 || team.day.total.finished != finished-1 {
		t.Errorf("still counted: %d waiting (was %d), %d finished (was %d)", len(team.day.waiting), before, team.day.total.finished, finished)
	}
	text := screenText(m)
	if !strings.Contains(text, "区县撤销的记录 1 条") || !strings.Contains(text, why) || !strings.Contains(text, clean(gone.name)) {
		t.Errorf("the leader's review does not list the withdrawn record with its reason:\n%s", text)
	}

	// The case list: its status is withdrawn, and the reason shows when it is chosen.
	m = press(t, m, "tab")
	today, ok := m.screen.(*todayScreen)
	if !ok {
		t.Fatalf("not on the case list:\n%s", screenText(m))
	}
	for _, r := range clean(gone.name) {
		m = press(t, m, string(r))
	}
	text = screenText(m)
	if len(today.shown) == 0 || !strings.Contains(text, "已撤销") || !strings.Contains(text, "区县已撤销这条记录") || !strings.Contains(text, why) {
		t.Errorf("the case list does not say the case's record was withdrawn:\n%s", text)
	}
	m = press(t, m, "f2")
	if text := screenText(m); !strings.Contains(text, "withdrawn") || !strings.Contains(text, "The district withdrew this record") {
		t.Errorf("in English:\n%s", text)
	}
	// The case's page says it too, with the reason.
	m = press(t, m, "f2", "enter")
	if text := screenText(m); !strings.Contains(text, "撤销原因") || !strings.Contains(text, why) || !strings.Contains(text, "已撤销") {
		t.Errorf("the case's page does not say the record was withdrawn:\n%s", text)
	}
}
