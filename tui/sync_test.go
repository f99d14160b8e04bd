package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/doorstep-survey/doorstep/localstore"
)

// scripted is a Syncer that answers each round from a list, and counts the rounds.
type scripted struct {
	mu      sync.Mutex
	answers []error
	rounds  int
}

func (s *scripted) Round(ctx context.Context) (SyncResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := min(s.rounds, len(s.answers)-1)
	s.rounds++
	return SyncResult{Pushed: 2, Queued: 0}, s.answers[i]
}

// Next stops after a certificate failure, as sync's policy does, else waits long.
func (s *scripted) Next(err error) (time.Duration, bool) {
	if _, ok := err.(spoken); ok {
		return 0, true
	}
	return time.Hour, false
}

type spoken struct{}

func (spoken) Error() string { return "x509: certificate signed by unknown authority" }
func (spoken) Message(lang string) string {
	return map[string]string{"zh": "证书不受信任", "en": "certificate not trusted"}[lang]
}

func TestSyncLoop(t *testing.T) {
	s := &scripted{answers: []error{spoken{}, nil}}
	msgs := make(chan tea.Msg, 16)
	now := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		SyncLoop(ctx, s, time.Hour, now, func(m tea.Msg) { msgs <- m })
		close(done)
	}()
	next := func() tea.Msg {
		t.Helper()
		select {
		case m := <-msgs:
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("the loop said nothing")
			return nil
		}
	}
	// Asked at once: a failure, then (asked again) a success.
	now <- struct{}{}
	if _, ok := next().(syncStartedMsg); !ok {
		t.Fatal("no start")
	}
	if d, ok := next().(syncDoneMsg); !ok || d.err == nil {
		t.Fatalf("first round: %+v", d)
	}
	now <- struct{}{}
	next()
	if d := next().(syncDoneMsg); d.err != nil || d.result.Pushed != 2 {
		t.Fatalf("second round: %+v", d)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not stop with its context")
	}
}

func TestSyncStatusAndScreen(t *testing.T) {
	env := fixture(t, newClock(), true)
	asked := 0
	env.SyncNow = func() { asked++ }
	env.SyncServer = "https://doorstep.example.gov.cn"
	m := unlocked(t, env, testEnumerator, 80, 24)
	m = send(t, m, syncStartedMsg{})
	if !strings.Contains(screenText(m), "同步中") {
		t.Errorf("the status bar does not say it syncs:\n%s", screenText(m))
	}
	m = send(t, m, syncDoneMsg{at: env.Now(), err: spoken{}})
	if !strings.Contains(screenText(m), "同步失败") {
		t.Errorf("the status bar does not say it failed:\n%s", screenText(m))
	}
	m = press(t, m, "f5")
	if _, ok := m.screen.(*syncScreen); !ok || !strings.Contains(screenText(m), "证书不受信任") {
		t.Fatalf("the sync screen does not say why in words:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if asked != 1 {
		t.Errorf("enter asked for %d rounds", asked)
	}
	m = send(t, m, syncDoneMsg{at: env.Now(), result: SyncResult{Pushed: 3, Rejected: 1, Queued: 0,
		Refused: []Refusal{{RecordID: "1a2b3c4d5e6f", Code: "audit_chain", Server: "audit entry 3 does not link"}}}})
	text := screenText(m)
	if !strings.Contains(text, "上报 3 条") || !strings.Contains(text, "服务器拒绝了记录 1a2b3c4d：记录的修改记录") || !strings.Contains(text, "已同步09:30") ||
		strings.Contains(text, "does not link") {
		t.Errorf("the result is not shown:\n%s", text)
	}
	m = press(t, m, "f2")
	if text := screenText(m); !strings.Contains(text, "3 sent") || !strings.Contains(text, "refused record 1a2b3c4d: the record's audit chain") {
		t.Errorf("in English:\n%s", text)
	}
}

func TestSyncNotEnrolled(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, unlocked(t, env, testEnumerator, 80, 24), "f5")
	if !strings.Contains(screenText(m), "还没有登记到区县服务器") || strings.Contains(screenText(m), "同步中") {
		t.Errorf("not enrolled:\n%s", screenText(m))
	}
}

func TestSyncScreenShowsRefused(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.SyncNow, env.SyncServer = func() {}, "https://doorstep.example.gov.cn"
	m := unlocked(t, env, testEnumerator, 80, 24)
	items, err := m.env.Session.Outbox(1)
	if err != nil || len(items) != 1 {
		t.Fatal(err)
	}
	if err := m.env.Session.Acknowledge([]localstore.PushAck{{Seq: items[0].Seq, RecordID: items[0].RecordID,
		Code: "wrong_village", Args: []string{"王庄村", "E001"}, Reason: "王庄村 is not one of E001's villages"}}); err != nil {
		t.Fatal(err)
	}
	m = press(t, m, "f5")
	text := screenText(m)
	if !strings.Contains(text, "服务器拒收的记录 1 条") || !strings.Contains(text, "王庄村 不是用户 E001 负责的村") {
		t.Errorf("the refused record is not shown:\n%s", text)
	}
	m = press(t, m, "f2")
	if text := screenText(m); !strings.Contains(text, "王庄村 is not one of E001's villages") {
		t.Errorf("the refused record is not shown in English:\n%s", text)
	}
}
