// Package tui is the enumerator's and team leader's screens: a small root model that owns
// the window size, the active screen, the history for "back", the global keys and the
// status bar, and one file per screen.
//
// It never touches bbolt: it calls localstore's session API, and only from tea.Cmds, so
// Update never does I/O and View never reads the store. Text from outside (roster names,
// answers) passes through cleantext before it is drawn; every width is measured by
// tui/textwidth.
package tui
