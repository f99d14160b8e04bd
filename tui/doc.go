// Package tui is the enumerator's and team leader's screens (Bubble Tea v2): a small root
// model and one file per screen.
//
// It never touches bbolt: it calls localstore's session API, and only from tea.Cmds, so
// Update never does I/O and View never reads the store. Text from outside (roster
// names, answers, form files, server messages) passes through clean (cleantext) before
// it is drawn; every width is measured by tui/textwidth, nowhere else.
//
// # The root (root.go)
//
// Model owns the window size, the active screen, the history for "back", the overlay
// stack (dialogs), the global keys (quit, language F2, lock F12, handbook F1), the
// status bar (user, villages, queued for sync, time, lock state), the help line and the
// idle lock — and little else. Only the root returns a tea.View. Keys go to the top
// overlay first (quit always works), then to the global bindings (a printable one is
// disabled while the screen is typing), then to the active screen. The window size is
// broadcast to every screen; a command's result goes to the screen that asked for it.
//
// # Adding a screen
//
//  1. A file with a type that embeds common and implements Screen: Init, Update (returns
//     the Screen and a tea.Cmd), View(width, height) returning the body's lines, Title,
//     Typing, and help.KeyMap (ShortHelp, FullHelp; a description is a text key).
//  2. A Kind constant and one line in build (screen.go) that constructs it from a Page.
//  3. Other screens open it with navigate(Page{Kind: …, ID: …}) and it leaves with back;
//     the root keeps the history. A screen that shows data others change implements
//     Refresh, called when it is returned to.
//
// A screen reads the store through s.env.Session (never nil once unlocked: screens are
// only built after unlock) and s.env.DB, and only inside a command made with s.do(func()
// tea.Msg {…}): its message comes back addressed to this screen (screenMsg), even if
// another is showing by then. Timers are s.after(d, msg), which tests can stop. Strings
// go in i18n.go in both languages; styles come from s.env.Styles, keys from s.env.Keys.
// A dialog is an Overlay opened with showOverlay(o) and closed by returning
// closeOverlay; one that opens by itself ignores keys for graceTime, and so does a
// confirmation (confirm.go) before a step only a leader can undo. A failure is said by
// its kind in both languages through errtext.go's table, never by its English message.
//
// # The screens
//
// An enumerator's day: today.go (the case list) → casedetail.go (a case) → casestart.go
// (method and outcome) → the form, question by question (form.go: keys, saving and
// moving; formedit.go: the answer being given; formview.go: drawing; formload.go:
// opening a record, the roster's prefills and where to resume; formdialogs.go: the
// jump list and the small dialogs) → readback.go (宣读; speak.go reads it aloud,
// respondent.go turns it toward the respondent) → sign.go with sigpad.go (the braille
// signature pad) → photoscreen.go, which completes the case. Each step
// replaces the one before (replace), so "back" from any of them returns to the case.
// A case under way skips the method screen: its case opens the form where it was paused
// (the store keeps the place), or a returned record at its first commented question; F3
// on the form reopens the method.
// A team leader's home is team.go (teamday.go gathers the figures); review.go
// approves or returns a record; the community form is the form screen on a village's
// record, reached with F6 from the team screen or (for an enumerator the leader names)
// the day's case list through one village list (villagepick.go); users.go and setup.go (in its adding mode) manage the laptop's users;
// importscreen.go reads a roster; reports.go writes the paperwork; syncscreen.go and
// syncloop.go show and run sync (the loop runs outside the model and reports with
// program.Send); handbook.go is the searchable 指标解释.
//
// # Accessibility
//
// Text fields are drawn with fieldView (input.go), which marks where the cursor is; the
// root takes the mark out and puts the terminal's own cursor there (tea.View.Cursor), so
// an input method's candidate window and a screen reader follow the typing. Speech is
// Env.Speech, run from a command and stopped when the screen moves on (talker, speak.go).
// StylesFor builds the default or the high-contrast theme (theme.go). The plain mode for
// screen readers is not here: it is plainmode, over the same steps (interview).
package tui
