// Package tui is Doorstep's terminal interface: the Bubble Tea models — a
// small root that routes between screens and owns the window size, the
// history, the dialogs and the status bar; one file or folder per screen; the
// theme and the key map.
//
// It asks forms what to ask next and what is wrong, and saves through
// localstore.
//
// It must never:
//   - touch bbolt directly: the store is reached only through localstore;
//   - do I/O in View, or in Update: saving an answer, reading the store or
//     talking to sync is a tea.Cmd whose result comes back as a message;
//   - show text from outside (roster names, answers, server messages) without
//     stripping control characters and escape sequences first.
package tui
