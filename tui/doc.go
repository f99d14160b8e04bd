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
// closeOverlay; one that opens by itself ignores keys for graceTime.
//
// KindCase is where the interview begins: it shows the roster details now, and KindStart
// (method and outcome) opens from it. The form, read-back, signature and photo screens
// come next, the same way.
package tui
