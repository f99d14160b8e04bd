package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// MinWidth and MinHeight are the smallest screen everything is laid out for.
const (
	MinWidth  = 80
	MinHeight = 24
)

// tickEvery is how often the clock and the idle lock are looked at.
const tickEvery = 15 * time.Second

// Model is the root: window size, the active screen and its history, the overlays,
// global keys, the status bar and the idle lock — and little else.
type Model struct {
	env           *Env
	width, height int
	screen        Screen
	history       []Screen
	overlays      []Overlay
	lastID        screenID
	codes         []string // the users of this laptop, for the unlock screen
	queued        int      // records waiting to be sent; < 0 when not known
	now           time.Time
	lastInput     time.Time
	// locked is what the lock put aside, to come back to when the same user unlocks.
	locked *lockedState
}

type lockedState struct {
	user     string
	screen   Screen
	history  []Screen
	overlays []Overlay
}

// New returns the root model for an open store: setup when it has no user yet, else
// unlock. codes are the store's user codes (DB.UserCodes).
func New(env *Env, hasUsers bool, codes []string) Model {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Tick == nil {
		env.Tick = tea.Tick
	}
	if env.LockAfter == 0 {
		env.LockAfter = 10 * time.Minute
	}
	if env.Lang != "en" {
		env.Lang = "zh"
	}
	if env.Forms == nil {
		env.Forms = registryOf(env.PersonForm, env.CommunityForm)
	}
	m := Model{env: env, codes: slices.Clone(codes), now: env.Now()}
	m.lastInput = m.now
	if hasUsers {
		m.screen = newUnlock(m.nextCommon(), m.codes, "", false)
	} else {
		m.screen = newSetup(m.nextCommon())
	}
	return m
}

// nextCommon is what a new screen is built with; each gets an id of its own.
func (m *Model) nextCommon() common {
	m.lastID++
	return common{env: m.env, id: m.lastID}
}

// Init starts the first screen and the clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.screen.Init(), m.tick())
}

func (m Model) tick() tea.Cmd {
	now := m.env.Now
	return m.env.Tick(tickEvery, func(time.Time) tea.Msg { return tickMsg{at: now()} })
}

func (m Model) queuedCmd() tea.Cmd {
	db := m.env.DB
	return func() tea.Msg {
		n, err := db.OutboxLen()
		if err != nil {
			return queuedMsg{-1}
		}
		return queuedMsg{n}
	}
}

// useForms swaps the program's forms for those a sync round loaded: screens opened from
// now on start new records with them. Screens already open keep the form they were
// built with, and every record is read with its own (fs.Forms holds the old forms too).
// Only the root changes env, in Update: the sync goroutine hands over a FormSet it
// no longer touches, so nothing is shared while it changes.
func (m *Model) useForms(fs FormSet) {
	if fs.Forms == nil || fs.PersonForm == nil {
		return // a set not whole is not swapped in: new interviews need a form
	}
	for _, f := range []struct{ old, now *forms.Form }{{m.env.PersonForm, fs.PersonForm}, {m.env.CommunityForm, fs.CommunityForm}} {
		if f.now != nil && (f.old == nil || f.old.ID != f.now.ID || f.old.Version != f.now.Version) {
			m.env.sync.newForms = append(m.env.sync.newForms, f.now.ID)
		}
	}
	m.env.Forms, m.env.PersonForm, m.env.CommunityForm = fs.Forms, fs.PersonForm, fs.CommunityForm
}

// Update routes: messages for the root, then keys (overlay first, then global keys,
// then the active screen), then everything else to the active screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, m.broadcast(msg)
	case tickMsg:
		m.now = msg.at
		if m.env.Session == nil {
			return m, m.tick()
		}
		if m.now.Sub(m.lastInput) >= m.env.LockAfter {
			var cmd tea.Cmd
			m, cmd = m.lock(true)
			return m, tea.Batch(cmd, m.tick())
		}
		return m, tea.Batch(m.tick(), m.queuedCmd())
	case queuedMsg:
		m.queued = msg.n
		return m, nil
	case screenMsg:
		return m.deliver(msg)
	case SyncConfigMsg:
		m.env.SyncServer = msg.Server
		return m, nil
	case syncStartedMsg:
		m.env.sync.running = true
		return m, nil
	case syncDoneMsg:
		m.env.sync.running, m.env.sync.last = false, &msg
		m.env.sync.newForms = nil
		if fs := msg.result.Forms; fs != nil {
			m.useForms(*fs)
		}
		if msg.err == nil {
			m.env.sync.lastOK = msg.at
		}
		// What was pulled may change what the screens show.
		cmds := []tea.Cmd{m.broadcast(msg), m.queuedCmd()}
		if r, ok := m.screen.(refresher); ok && msg.err == nil && msg.result.Pulled > 0 {
			cmds = append(cmds, r.Refresh())
		}
		return m, tea.Batch(cmds...)
	case navigateMsg:
		next := build(m.nextCommon(), msg.page)
		if next == nil || m.env.Session == nil {
			return m, nil
		}
		m.history = append(m.history, m.screen)
		m.screen = next
		return m, tea.Batch(next.Init(), m.sizeFor(next))
	case replaceMsg:
		next := build(m.nextCommon(), msg.page)
		if next == nil || m.env.Session == nil {
			return m, nil
		}
		m.screen = next
		return m, tea.Batch(next.Init(), m.sizeFor(next), m.queuedCmd())
	case homeMsg:
		if len(m.history) == 0 {
			return m, nil
		}
		m.screen, m.history = m.history[0], nil
		if r, ok := m.screen.(refresher); ok {
			return m, tea.Batch(r.Refresh(), m.queuedCmd())
		}
		return m, m.queuedCmd()
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
		return m.unlocked(msg.session, msg.then)
	case openOverlayMsg:
		m.overlays = append(m.overlays, msg.o)
		return m, nil
	case closeOverlayMsg:
		if len(m.overlays) > 0 {
			m.overlays = m.overlays[:len(m.overlays)-1]
		}
		return m, nil
	case tea.KeyPressMsg:
		m.lastInput = m.env.Now()
		return m.key(msg)
	case tea.MouseMsg:
		if m.tooSmall() {
			return m, nil // the signature pad is not shown
		}
	case tea.PasteMsg:
		m.lastInput = m.env.Now()
		if m.tooSmall() {
			return m, nil // the field it would go into is not shown
		}
		if len(m.overlays) > 0 {
			return m.updateOverlay(msg)
		}
	}
	var cmd tea.Cmd
	m.screen, cmd = m.screen.Update(msg)
	return m, cmd
}

func (m Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.globalKeys()
	if key.Matches(msg, k.Quit) {
		return m, tea.Quit // always: a person must be able to leave
	}
	if m.tooSmall() {
		// The screen is hidden: a key must not answer a question or type a passphrase
		// unseen. Locking and the language (the message is in it) act visibly.
		switch {
		case key.Matches(msg, k.Lock) && m.env.Session != nil:
			return m.lock(false)
		case key.Matches(msg, k.Lang):
			m.env.Lang = map[string]string{"en": "zh", "zh": "en"}[m.env.Lang]
		}
		return m, nil
	}
	if len(m.overlays) > 0 {
		return m.updateOverlay(msg)
	}
	switch {
	case key.Matches(msg, k.Lang):
		if m.env.Lang == "en" {
			m.env.Lang = "zh"
		} else {
			m.env.Lang = "en"
		}
		return m, nil
	case key.Matches(msg, k.Lock):
		return m.lock(false)
	case key.Matches(msg, k.Handbook):
		if h, ok := m.screen.(contextHelper); ok {
			if o := h.ContextHelp(); o != nil {
				return m, showOverlay(o)
			}
		}
		if _, open := m.screen.(*handbookScreen); !open {
			return m, navigate(Page{Kind: KindHandbook})
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.screen, cmd = m.screen.Update(msg)
	return m, cmd
}

func (m Model) updateOverlay(msg tea.Msg) (tea.Model, tea.Cmd) {
	top := len(m.overlays) - 1
	o, cmd := m.overlays[top].Update(msg)
	m.overlays = append(m.overlays[:top:top], o)
	return m, cmd
}

// globalKeys is the key map with the global bindings that cannot act now disabled:
// printable ones while the screen takes text, and those that need a session before
// unlock.
func (m Model) globalKeys() KeyMap {
	k := m.env.Keys
	typing := m.screen.Typing()
	for _, b := range []*key.Binding{&k.Quit, &k.Lang, &k.Lock, &k.Handbook} {
		if typing && printable(*b) {
			b.SetEnabled(false)
		}
	}
	if m.env.Session == nil {
		k.Lock.SetEnabled(false)
		k.Handbook.SetEnabled(false)
	}
	return k
}

// printable reports whether a binding has a key that types a character.
func printable(b key.Binding) bool {
	for _, k := range b.Keys() {
		if k == "space" || utf8.RuneCountInString(k) == 1 {
			return true
		}
	}
	return false
}

// deliver gives a screen the result of its command, wherever the screen is now.
func (m Model) deliver(msg screenMsg) (tea.Model, tea.Cmd) {
	if msg.msg == nil {
		return m, nil
	}
	var cmd tea.Cmd
	found := false
	m.eachScreen(func(s *Screen) {
		if !found && (*s).screenID() == msg.id {
			found = true
			*s, cmd = (*s).Update(msg.msg)
		}
	})
	return m, cmd
}

// eachScreen visits every screen the model holds, the active one first.
func (m *Model) eachScreen(fn func(*Screen)) {
	fn(&m.screen)
	for i := range m.history {
		fn(&m.history[i])
	}
	if l := m.locked; l != nil {
		fn(&l.screen)
		for i := range l.history {
			fn(&l.history[i])
		}
	}
}

// broadcast sends a message every screen needs (the window size) to all of them.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	m.eachScreen(func(s *Screen) {
		var cmd tea.Cmd
		*s, cmd = (*s).Update(msg)
		cmds = append(cmds, cmd)
	})
	return tea.Batch(cmds...)
}

// sizeFor tells a new screen the window size.
func (m Model) sizeFor(s Screen) tea.Cmd {
	if m.width == 0 {
		return nil
	}
	size := tea.WindowSizeMsg{Width: m.width, Height: m.height}
	return func() tea.Msg { return screenMsg{s.screenID(), size} }
}

// lock forgets the session and shows unlock; when the same user unlocks, the screens
// come back as they were.
func (m Model) lock(idle bool) (Model, tea.Cmd) {
	user := m.env.Session.User().Code
	m.locked = &lockedState{user: user, screen: m.screen, history: m.history, overlays: m.overlays}
	m.env.Session = nil
	m.history, m.overlays = nil, nil
	m.screen = newUnlock(m.nextCommon(), m.codes, user, idle)
	return m, tea.Batch(m.screen.Init(), m.sizeFor(m.screen))
}

func (m Model) unlocked(s *localstore.Session, then *Page) (tea.Model, tea.Cmd) {
	m.env.Session = s
	if changed := m.env.SessionChanged; changed != nil {
		changed(s) // a send on a buffered channel: the sync supervisor does the work
	}
	m.lastInput = m.env.Now()
	user := s.User().Code
	if !slices.Contains(m.codes, user) {
		m.codes = append(m.codes, user)
	}
	if l := m.locked; l != nil && l.user == user {
		m.screen, m.history, m.overlays, m.locked = l.screen, l.history, l.overlays, nil
		return m, m.queuedCmd()
	}
	// Another user: what the first one had open is dropped, never shown.
	m.locked, m.history, m.overlays = nil, nil, nil
	// A team leader's home is the team's day; the case list is a key away.
	if s.User().Role == localstore.RoleLeader {
		m.screen = newTeam(m.nextCommon())
	} else {
		m.screen = newToday(m.nextCommon())
	}
	var open tea.Cmd
	if then != nil {
		open = navigate(*then)
	}
	return m, tea.Batch(m.screen.Init(), m.sizeFor(m.screen), m.queuedCmd(), open)
}

// View lays out the title, the screen (with any overlay over it), the help line and
// the status bar.
func (m Model) View() tea.View {
	frame, cursor := placeCursor(m.render())
	v := tea.NewView(frame)
	v.Cursor = cursor // nil hides it: no field is focused
	v.AltScreen = true
	if mu, ok := m.screen.(mouseUser); ok && mu.WantsMouse() && len(m.overlays) == 0 {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "Doorstep"
	return v
}

// tooSmall reports whether the window is below the smallest layout: the screens are
// hidden behind a message then.
func (m Model) tooSmall() bool {
	return m.width > 0 && (m.width < MinWidth || m.height < MinHeight)
}

func (m Model) render() string {
	if m.width == 0 {
		return ""
	}
	lang := m.env.Lang
	if m.tooSmall() {
		msg := fmt.Sprintf(tr(lang, "toosmall"), MinWidth, MinHeight, m.width, m.height)
		return strings.Join(textwidth.Wrap(msg, m.width), "\n")
	}
	title := m.titleLine()
	helpLines := m.helpLines()
	bodyHeight := m.height - 2 - len(helpLines) // title and status bar
	lines := strings.Split(m.screen.View(m.width, bodyHeight), "\n")
	lines = lines[:min(len(lines), bodyHeight)]
	for i, l := range lines {
		lines[i] = textwidth.Truncate(l, m.width)
	}
	for len(lines) < bodyHeight {
		lines = append(lines, "")
	}
	if n := len(m.overlays); n > 0 {
		for i, l := range lines {
			lines[i] = strings.ReplaceAll(l, cursorMark, "") // the dialog has the focus
		}
		m.drawOverlay(lines, m.overlays[n-1])
	}
	out := make([]string, 0, m.height)
	out = append(out, title)
	out = append(out, lines...)
	out = append(out, helpLines...)
	out = append(out, m.statusBar())
	return strings.Join(out, "\n")
}

// titleLine is the screen's title, and the program's name at the right when it fits.
func (m Model) titleLine() string {
	st, lang := m.env.Styles, m.env.Lang
	title := " " + m.screen.Title(lang)
	app := tr(lang, "app") + " "
	gap := m.width - textwidth.Width(title) - textwidth.Width(app)
	if gap < 2 {
		return st.Title.Render(textwidth.Truncate(title, m.width))
	}
	return st.Title.Render(title) + strings.Repeat(" ", gap) + st.Faint.Render(app)
}

// tallOverlay is an overlay that uses the window's height (a long list): the root
// gives it the rows between the rules.
type tallOverlay interface {
	ViewSized(width, height int) []string
}

// drawOverlay puts the overlay's lines across the middle of the body, between rules.
func (m Model) drawOverlay(body []string, o Overlay) {
	st := m.env.Styles
	var ov []string
	if t, ok := o.(tallOverlay); ok {
		ov = t.ViewSized(m.width, len(body)-2)
	} else {
		ov = o.View(m.width)
	}
	ov = ov[:min(len(ov), len(body)-2)]
	top := max(0, (len(body)-len(ov)-2)/2)
	body[top] = st.Faint.Render(textwidth.Rule(m.width))
	for i, l := range ov {
		body[top+1+i] = st.Dialog.Render(textwidth.PadRight(l, m.width))
	}
	body[top+1+len(ov)] = st.Faint.Render(textwidth.Rule(m.width))
}

// helpLines is the keys of the screen (or the overlay on top) and the global ones, on
// one line, or as many more as they need: every key stays visible at 80 columns (the
// case list searched, in English, takes three).
func (m Model) helpLines() []string {
	var keys []key.Binding
	if n := len(m.overlays); n > 0 {
		keys = append(keys, m.overlays[n-1].ShortHelp()...)
		keys = append(keys, m.globalKeys().Quit)
	} else {
		k := m.globalKeys()
		keys = append(keys, m.screen.ShortHelp()...)
		keys = append(keys, k.Handbook, k.Lang, k.Lock, k.Quit)
	}
	st := m.env.Styles.Help
	sep := st.ShortSeparator.Render(" · ")
	sepW := textwidth.Width(sep)
	var lines []string
	var cur strings.Builder
	curW := 0
	for _, b := range localize(m.env.Lang, keys) {
		item := st.ShortKey.Render(b.Help().Key) + " " + st.ShortDesc.Render(b.Help().Desc)
		w := textwidth.Width(item)
		if curW > 0 && curW+sepW+w > m.width {
			lines = append(lines, textwidth.Truncate(cur.String(), m.width))
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteString(sep)
			curW += sepW
		}
		cur.WriteString(item)
		curW += w
	}
	lines = append(lines, textwidth.Truncate(cur.String(), m.width))
	return lines
}

// statusBar: user, villages, queued for sync, time, lock state.
func (m Model) statusBar() string {
	lang := m.env.Lang
	var left string
	if s := m.env.Session; s != nil {
		u := s.User()
		left = " " + clean(u.Code) + " " + clean(u.Name)
		if len(u.Villages) > 0 {
			left += " │ " + clean(u.Villages[0])
			if len(u.Villages) > 1 {
				left += fmt.Sprintf(tr(lang, "villages.n"), len(u.Villages), len(u.Villages)-1)
			}
		}
		queued := "?"
		if m.queued >= 0 {
			queued = fmt.Sprint(m.queued)
		}
		left += " │ " + tr(lang, "queued") + " " + queued
		switch {
		case m.env.SyncNow == nil || m.env.SyncServer == "":
		case m.env.sync.running:
			left += " " + tr(lang, "bar.syncing")
		case m.env.sync.last != nil && m.env.sync.last.err != nil:
			left += " " + m.env.Styles.Error.Render(tr(lang, "bar.syncfail"))
		case !m.env.sync.lastOK.IsZero():
			left += " " + fmt.Sprintf(tr(lang, "bar.synced"), m.env.sync.lastOK.In(m.now.Location()).Format("15:04"))
		}
		if nf := m.env.sync.newForms; len(nf) > 0 && m.env.SyncServer != "" {
			left += " " + m.env.Styles.OK.Render(fmt.Sprintf(tr(lang, "bar.newform"), clean(strings.Join(nf, "、"))))
		}
	}
	lock := tr(lang, "locked")
	if m.env.Session != nil {
		lock = tr(lang, "open")
	}
	right := m.now.Format("15:04") + " │ " + lock + " "
	rightW := textwidth.Width(right)
	left = textwidth.Truncate(left, m.width-rightW-1)
	return m.env.Styles.StatusBar.Render(textwidth.PadRight(left, m.width-rightW) + right)
}

// Session returns the unlocked session, for the program's exit.
func (m Model) Session() *localstore.Session { return m.env.Session }
