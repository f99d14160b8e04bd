package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// syncScreen shows sync with the district: what is queued, what the last round did,
// the last error in plain words, and a key to sync now.
type syncScreen struct {
	common
	refused []localstore.RejectedEntry // kept aside by the server's refusals
	keys    struct{ now key.Binding }
}

// refusedMsg is the entries the server refused, read from the store.
type refusedMsg struct{ entries []localstore.RejectedEntry }

func newSyncScreen(c common) *syncScreen {
	s := &syncScreen{common: c}
	s.keys.now = binding([]string{"enter", "f5"}, "enter", "key.syncnow")
	return s
}

func (s *syncScreen) Init() tea.Cmd {
	sess := s.env.Session
	return s.do(func() tea.Msg {
		entries, _ := sess.Rejected()
		return refusedMsg{entries}
	})
}
func (s *syncScreen) Title(lang string) string { return tr(lang, "sync") }
func (s *syncScreen) Typing() bool             { return false }

func (s *syncScreen) ShortHelp() []key.Binding {
	now := s.keys.now
	now.SetEnabled(s.env.SyncNow != nil && s.env.SyncServer != "" && !s.env.sync.running)
	return []key.Binding{now, s.env.Keys.Back}
}

func (s *syncScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *syncScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case refusedMsg:
		s.refused = msg.entries
	case syncDoneMsg:
		return s, s.Init() // the refused records may have changed
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.env.Keys.Back):
			return s, back
		case key.Matches(msg, s.keys.now) && s.env.SyncNow != nil && s.env.SyncServer != "" && !s.env.sync.running:
			s.env.SyncNow()
		}
	}
	return s, nil
}

func (s *syncScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	var lines []string
	add := func(style func(...string) string, text string) {
		for _, l := range textwidth.Wrap(text, width-4) {
			lines = append(lines, "  "+style(l))
		}
	}
	lines = append(lines, "")
	if s.env.SyncNow == nil || s.env.SyncServer == "" {
		add(st.Warning.Render, tr(lang, "nosync"))
		return strings.Join(lines, "\n")
	}
	add(st.Faint.Render, tr(lang, "server")+clean(s.env.SyncServer))
	switch {
	case s.env.sync.running:
		add(st.Section.Render, tr(lang, "syncing"))
	case s.env.sync.last == nil:
		add(st.Faint.Render, tr(lang, "notsynced"))
	}
	if last := s.env.sync.last; last != nil {
		when := last.at.In(s.env.Now().Location()).Format("01-02 15:04")
		r := last.result
		if last.err != nil {
			add(st.Error.Render, fmt.Sprintf(tr(lang, "syncfailed"), when))
			add(st.Error.Render, syncErrText(last.err, lang))
			if !s.env.sync.lastOK.IsZero() {
				add(st.Faint.Render, fmt.Sprintf(tr(lang, "lastok"), s.env.sync.lastOK.In(s.env.Now().Location()).Format("01-02 15:04")))
			}
		} else {
			add(st.OK.Render, fmt.Sprintf(tr(lang, "syncok"), when))
			add(st.Section.Render, fmt.Sprintf(tr(lang, "syncresult"), r.Pushed, r.Duplicates, r.Rejected, r.Pulled, r.Queued))
		}
		for _, id := range s.env.sync.newForms {
			add(st.OK.Render, fmt.Sprintf(tr(lang, "newform"), clean(id)))
		}
		for _, no := range r.Refused {
			add(st.Error.Render, "✗ "+no.Text(lang))
		}
		for _, reason := range r.Rejections {
			add(st.Error.Render, "✗ "+clean(reason))
		}
	}
	if n := len(s.refused); n > 0 {
		lines = append(lines, "")
		add(st.Warning.Render, fmt.Sprintf(tr(lang, "refused.n"), n))
		for i := n - 1; i >= 0 && i >= n-5; i-- {
			e := s.refused[i]
			add(st.Faint.Render, fmt.Sprintf("%.8s  %s", clean(e.RecordID), reasonText(lang, e.Code, e.Args, e.Reason)))
		}
	}
	lines = append(lines, "")
	add(st.Faint.Render, tr(lang, "synchint"))
	return strings.Join(lines, "\n")
}
