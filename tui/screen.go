package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
)

// Screen is one page. Only the root makes a tea.View: a screen returns the lines of its
// body, at most width cells wide and height lines high; the root draws the title above
// and the help line and status bar below.
type Screen interface {
	// ShortHelp and FullHelp are the screen's keys, shown at the bottom before the
	// global ones. A description is a key of the text table (i18n.go).
	help.KeyMap
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View(width, height int) string
	// Title is shown at the top of the page.
	Title(lang string) string
	// Typing reports whether printable keys are text for a field now: global
	// bindings that are printable keys are disabled while it is true.
	Typing() bool
	// screenID comes from embedding common; results of the screen's commands are
	// addressed to it.
	screenID() screenID
}

// Kind names a screen; a Page is a screen with the id of what it shows.
type Kind int

// Screens.
const (
	KindSetup Kind = iota
	KindUnlock
	KindToday
	// KindCase is a case: its roster details now, where the interview starts from.
	KindCase
	// KindStart is a case's collection method and outcome.
	KindStart
	KindHandbook
	// KindForm is the interview, question by question (Page.At opens a question;
	// Page.Fix comes from the read-back to correct one answer and returns there).
	KindForm
	// KindReadBack reads the answers back, section by section, to be confirmed.
	KindReadBack
	// KindSign is the respondent's (or a proxy's) and the enumerator's signatures.
	KindSign
	// KindPhoto attaches the photo of the visit, and completes the case.
	KindPhoto
	// KindImport reads the district's roster file into the data file.
	KindImport
	// KindTeam is a team leader's home: the team's day and what waits for review.
	KindTeam
	// KindCommunity is a village's community form (Page.ID is the village).
	KindCommunity
	// KindReports makes the reports (a team leader).
	KindReports
	// KindSync is sync with the district: queued, last round, last error.
	KindSync
	// KindUsers lists the laptop's users; KindAddUser adds one (a team leader).
	KindUsers
	KindAddUser
	// KindReview is one record for the leader to approve or return (Page.ID is the
	// record's id).
	KindReview
	// KindRespondent is the read-back turned toward the respondent (Page.At is the
	// question whose sentence opens first).
	KindRespondent
)

// Page is where navigation goes: a screen kind and the id it is about.
type Page struct {
	Kind Kind
	ID   string // a case id
	At   string // a question, for KindForm
	Fix  bool   // KindForm opened from the read-back to correct one answer
}

// build makes the screen for a page. Adding a screen: a Kind above, a file with the
// screen (embedding common), and a line here.
func build(c common, p Page) Screen {
	switch p.Kind {
	case KindToday:
		return newToday(c)
	case KindCase:
		return newCaseScreen(c, p.ID)
	case KindStart:
		return newStartScreen(c, p.ID)
	case KindHandbook:
		return newHandbook(c)
	case KindForm:
		return newFormScreen(c, p.ID, p.At, p.Fix)
	case KindReadBack:
		return newReadBack(c, p.ID)
	case KindSign:
		return newSignScreen(c, p.ID)
	case KindPhoto:
		return newPhotoScreen(c, p.ID)
	case KindImport:
		return newImportScreen(c)
	case KindTeam:
		return newTeam(c)
	case KindReview:
		return newReview(c, p.ID)
	case KindRespondent:
		return newRespondentScreen(c, p.ID, p.At)
	case KindSync:
		return newSyncScreen(c)
	case KindUsers:
		return newUsersScreen(c)
	case KindReports:
		return newReportsScreen(c)
	case KindAddUser:
		return newAddUser(c)
	case KindCommunity:
		if c.env.CommunityForm == nil {
			return nil
		}
		return newCommunityForm(c, p.ID)
	}
	// Setup and unlock are not navigated to: the root shows them when there is no
	// session.
	return nil
}

// screenID tells screens apart, so that the result of a command reaches the screen
// that asked for it even if another is showing by then, and no other.
type screenID uint64

// common is what every screen is built with: the shared Env and the screen's own id.
// A screen embeds it.
type common struct {
	env *Env
	id  screenID
}

func (c common) screenID() screenID { return c.id }

// do runs f as a command (off the update loop: this is where I/O goes) and addresses
// its message to this screen.
func (c common) do(f func() tea.Msg) tea.Cmd {
	id := c.id
	return func() tea.Msg { return screenMsg{id, f()} }
}

// after delivers msg to this screen after d.
func (c common) after(d time.Duration, msg tea.Msg) tea.Cmd {
	id := c.id
	return c.env.Tick(d, func(time.Time) tea.Msg { return screenMsg{id, msg} })
}

// screenMsg is a message for one screen, wherever it is: showing, in the history, or
// put aside by the lock.
type screenMsg struct {
	id  screenID
	msg tea.Msg
}

// navigateMsg asks the root to open a page, pushing the current one on the history.
type navigateMsg struct{ page Page }

// replaceMsg opens a page in place of the current one: the next step of the same
// case, so that "back" returns to where the case was opened.
type replaceMsg struct{ page Page }

// backMsg asks the root to go back to the previous page.
type backMsg struct{}

// unlockedMsg tells the root a user has unlocked (or was just created).
// then, when set, opens over the day's cases (after setup: the roster import).
type unlockedMsg struct {
	session *localstore.Session
	then    *Page
}

// queuedMsg carries the outbox length for the status bar; n < 0 when it is not known.
type queuedMsg struct{ n int }

// requeued reads the outbox length for the status bar, after a screen queued something
// for the district.
func requeued(db *localstore.DB) tea.Cmd {
	return func() tea.Msg {
		n, err := db.OutboxLen()
		if err != nil {
			return queuedMsg{-1}
		}
		return queuedMsg{n}
	}
}

// tickMsg drives the clock in the status bar and the idle lock.
type tickMsg struct{ at time.Time }

// navigate opens a page; the current one goes on the history.
func navigate(p Page) tea.Cmd { return func() tea.Msg { return navigateMsg{p} } }

// replace opens a page in place of the current one.
func replace(p Page) tea.Cmd { return func() tea.Msg { return replaceMsg{p} } }

// homeMsg asks the root to go back to the first page (the day's cases).
type homeMsg struct{}

// home returns to the first page, dropping the history: a case is done.
func home() tea.Msg { return homeMsg{} }

// mouseUser is a screen that takes the mouse (the signature pad): the root turns the
// terminal's mouse reporting on while it shows, and only then, so that elsewhere the
// terminal's own text selection keeps working.
type mouseUser interface{ WantsMouse() bool }

// back returns to the previous page.
func back() tea.Msg { return backMsg{} }

// contextHelper is a screen with help of its own for F1 (the form: the question's
// 指标解释); a nil Overlay falls back to the handbook.
type contextHelper interface{ ContextHelp() Overlay }

// refresher is a screen that reloads what it shows when it is returned to.
type refresher interface{ Refresh() tea.Cmd }

// Env is what every screen may use. Screens read it; only the root changes it.
type Env struct {
	DB *localstore.DB
	// PersonForm is the form a new case's interview fills; a record started earlier
	// keeps its own, found in Forms.
	PersonForm *forms.Form
	// CommunityForm is filled once per village (社区登记表); nil hides it.
	CommunityForm *forms.Form
	// Forms are every form the program has, by id and version: each record is read
	// with the form it was started with. New fills it from the two above when nil.
	Forms   *forms.Registry
	Session *localstore.Session // nil until unlocked
	Lang    string              // "zh" or "en"
	Styles  Styles
	Keys    KeyMap
	Now     func() time.Time
	// Tick is tea.Tick, or in tests a stand-in that never fires, so a test sends the
	// timer's message itself when it chooses.
	Tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
	// LockAfter is the idle time before the screen locks itself (10 minutes when 0).
	LockAfter time.Duration
	// SyncNow asks the sync loop for a round at once; nil in a program without sync.
	// SyncServer is the enrolled server, "" when the unlocked user's laptop is not
	// enrolled; SyncConfigMsg sets it.
	SyncNow    func()
	SyncServer string
	// sync is what the status bar and the sync screen know of sync; the root keeps
	// it from the sync loop's messages.
	sync syncState
	// SessionChanged tells the program outside the model who unlocked, so that sync
	// runs for them; nil when nobody listens.
	SessionChanged func(*localstore.Session)
	// PhotosDir and RosterDir are where the photo and roster pickers start; empty
	// for the user's Pictures and Documents folders.
	PhotosDir, RosterDir string
	// ReportsDir is where reports made on the screens are written; empty for the
	// user's Documents folder. With neither, the reports screen asks once, and keeps
	// the answer here and with RememberReportsDir (nil: for this session only).
	ReportsDir         string
	RememberReportsDir func(dir string) error
	// Speech reads the read-back aloud; nil in a program without speech.
	Speech Voice
	// Notice is a line the unlock screen shows in zh and en, e.g. the demo's users and
	// passphrase (the terminal's alternate screen hides what was printed before).
	Notice [2]string
}

// clean makes text from outside (roster, server, a form file) safe to draw: each line
// through cleantext.Line, the line breaks kept.
func clean(s string) string {
	if !strings.Contains(s, "\n") {
		return cleantext.Line(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = cleantext.Line(l)
	}
	return strings.Join(lines, "\n")
}
