package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// MinWidth and MinHeight are the smallest screen everything is laid out for.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Model is the root: window size, the active screen and its history, global keys, the
// status bar and the idle lock — and little else.
type Model struct {
	env           *Env
	width, height int
	screen        Screen
	history       []Screen
	help          help.Model
	queued        int
	now           time.Time
	lastInput     time.Time
	// resume and resumeHistory are where to return after an idle lock.
	resume        Screen
	resumeHistory []Screen
}

// New returns the root model for an open store: setup when it has no user yet, else
// unlock.
func New(env *Env, hasUsers bool, codes []string) Model {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.LockAfter == 0 {
		env.LockAfter = 10 * time.Minute
	}
	m := Model{env: env, help: help.New(), now: env.Now()}
	m.lastInput = m.now
	if hasUsers {
		m.screen = newUnlock(env, codes)
	} else {
		m.screen = newSetup(env)
	}
	return m
}

// Init starts the first screen and the clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.screen.Init(), m.tick())
}

func (m Model) tick() tea.Cmd {
	return tea.Tick(30*time.Second, func(t time.Time) tea.Msg { return tickMsg{at: m.env.Now()} })
}

func (m Model) queuedCmd() tea.Cmd {
	db := m.env.DB
	return func() tea.Msg {
		n, err := db.OutboxLen()
		if err != nil {
			return nil
		}
		return queuedMsg{n}
	}
}

// Update routes: global messages first, then global keys, then the active screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case tickMsg:
		m.now = msg.at
		if m.env.Session != nil && m.now.Sub(m.lastInput) >= m.env.LockAfter {
			return m.lock()
		}
		return m, tea.Batch(m.tick(), m.queuedCmd())
	case queuedMsg:
		m.queued = msg.n
		return m, nil
	case navigateMsg:
		next := m.build(msg.page)
		if next == nil {
			return m, nil
		}
		m.history = append(m.history, m.screen)
		m.screen = next
		return m, next.Init()
	case backMsg:
		if len(m.history) == 0 {
			return m, nil
		}
		m.screen = m.history[len(m.history)-1]
		m.history = m.history[:len(m.history)-1]
		// What was done on the page left may have changed what this one shows.
		if r, ok := m.screen.(refresher); ok {
			return m, tea.Batch(r.Refresh(), m.queuedCmd())
		}
		return m, m.queuedCmd()
	case unlockedMsg:
		m.env.Session = msg.session
		m.lastInput = m.env.Now()
		if m.resume != nil {
			m.screen, m.history, m.resume = m.resume, m.resumeHistory, nil
			return m, m.queuedCmd()
		}
		m.history = nil
		m.screen = newToday(m.env)
		return m, tea.Batch(m.screen.Init(), m.queuedCmd())
	case tea.KeyPressMsg:
		m.lastInput = m.env.Now()
		k := m.env.Keys
		switch {
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		case key.Matches(msg, k.Lang):
			if m.env.Lang == "en" {
				m.env.Lang = "zh"
			} else {
				m.env.Lang = "en"
			}
			return m, nil
		case key.Matches(msg, k.Lock) && m.env.Session != nil:
			return m.lock()
		case key.Matches(msg, k.Handbook) && m.env.Session != nil:
			if _, open := m.screen.(*handbookScreen); !open {
				return m, navigate(Page{Kind: KindHandbook})
			}
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.screen, cmd = m.screen.Update(msg)
	return m, cmd
}

// refresher is a screen that reloads what it shows when it is returned to.
type refresher interface{ Refresh() tea.Cmd }

// lock forgets the session and shows unlock; after unlock the same screen comes back.
func (m Model) lock() (tea.Model, tea.Cmd) {
	codes := []string{m.env.Session.User().Code}
	m.env.Session = nil
	m.resume, m.resumeHistory = m.screen, m.history
	m.history = nil
	m.screen = newUnlock(m.env, codes)
	return m, m.screen.Init()
}

// build makes the screen for a page.
func (m Model) build(p Page) Screen {
	switch p.Kind {
	case KindToday:
		return newToday(m.env)
	case KindCase:
		return newCaseScreen(m.env, p.ID)
	case KindStart:
		return newStartScreen(m.env, p.ID)
	case KindHandbook:
		return newHandbook(m.env)
	}
	return nil
}

// View lays out title, screen, help line and status bar.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "Doorstep"
	return v
}

func (m Model) render() string {
	if m.width == 0 {
		return ""
	}
	lang, st := m.env.Lang, m.env.Styles
	if m.width < MinWidth || m.height < MinHeight {
		return textwidth.Truncate(tr(lang, "toosmall"), m.width) + fmt.Sprintf(" (%d×%d)", m.width, m.height)
	}
	title := st.Title.Render(textwidth.Truncate(m.screen.Title(lang), m.width))
	helpLine := m.help.ShortHelpView(localize(lang, append(m.screen.Keys(), m.globalKeys()...)))
	helpLine = textwidth.Truncate(helpLine, m.width)
	bodyHeight := m.height - 3 // title, help, status bar
	body := m.screen.View(m.width, bodyHeight)
	lines := strings.Split(body, "\n")
	if len(lines) > bodyHeight {
		lines = lines[:bodyHeight]
	}
	for len(lines) < bodyHeight {
		lines = append(lines, "")
	}
	return strings.Join(append(append([]string{title}, lines...), helpLine, m.statusBar()), "\n")
}

func (m Model) globalKeys() []key.Binding {
	k := m.env.Keys
	if m.env.Session != nil {
		return []key.Binding{k.Handbook, k.Lang, k.Lock, k.Quit}
	}
	return []key.Binding{k.Lang, k.Quit}
}

// statusBar: user, villages, queued for sync, time, lock state.
func (m Model) statusBar() string {
	lang := m.env.Lang
	var left string
	if s := m.env.Session; s != nil {
		u := s.User()
		left = fmt.Sprintf(" %s %s", u.Code, u.Name)
		if len(u.Villages) > 0 {
			left += " │ " + u.Villages[0]
			if len(u.Villages) > 1 {
				left += fmt.Sprintf(tr(lang, "villages.n"), len(u.Villages)-1)
			}
		}
		left += fmt.Sprintf(" │ %s %d", tr(lang, "queued"), m.queued)
	}
	lock := tr(lang, "locked")
	if m.env.Session != nil {
		lock = tr(lang, "open")
	}
	right := fmt.Sprintf("%s │ %s ", m.now.Format("15:04"), lock)
	gap := m.width - textwidth.Width(left) - textwidth.Width(right)
	if gap < 1 {
		left = textwidth.Truncate(left, m.width-textwidth.Width(right)-1)
		gap = m.width - textwidth.Width(left) - textwidth.Width(right)
	}
	return m.env.Styles.StatusBar.Render(left + strings.Repeat(" ", max(gap, 0)) + right)
}

// Session returns the unlocked session, for the program's exit.
func (m Model) Session() *localstore.Session { return m.env.Session }
