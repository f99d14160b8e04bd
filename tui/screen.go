package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

// Screen is one page. It returns a string from View; only the root makes a tea.View.
type Screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View(width, height int) string
	// Title is shown at the top of the page.
	Title(lang string) string
	// Keys are the bindings shown at the bottom (before the global ones).
	Keys() []key.Binding
	// Typing reports whether printable keys are text for a field now, so that no global
	// shortcut takes them.
	Typing() bool
}

// Kind names a screen; a Page is a screen with the id of what it shows.
type Kind int

// Screens.
const (
	KindSetup Kind = iota
	KindUnlock
	KindToday
	KindCase
	KindStart
	KindHandbook
)

// Page is where navigation goes: a screen kind and the id it is about.
type Page struct {
	Kind Kind
	ID   string // a case id for KindCase
}

// navigateMsg asks the root to open a page, pushing the current one on the history.
type navigateMsg struct{ page Page }

// backMsg asks the root to go back to the previous page.
type backMsg struct{}

// unlockedMsg tells the root a user has unlocked (or was just created).
type unlockedMsg struct{ session *localstore.Session }

// queuedMsg carries the outbox length for the status bar.
type queuedMsg struct{ n int }

// tickMsg drives the clock in the status bar and the idle lock.
type tickMsg struct{ at time.Time }

func navigate(p Page) tea.Cmd { return func() tea.Msg { return navigateMsg{p} } }

func back() tea.Msg { return backMsg{} }

// Env is what every screen may use. Screens read it; only the root changes it.
type Env struct {
	DB         *localstore.DB
	PersonForm *forms.Form         // the form a case's interview fills
	Session    *localstore.Session // nil until unlocked
	Lang       string
	Styles     Styles
	Keys       KeyMap
	Now        func() time.Time
	// LockAfter is the idle time before the screen locks itself.
	LockAfter time.Duration
	// Notice is a line the unlock screen shows, e.g. the demo's users and passphrase
	// (the terminal's alternate screen hides what was printed before).
	Notice [2]string
}
