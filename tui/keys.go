package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding, grouped by where it acts. A help description is a key of
// the text table (i18n.go), shown in the current language. Global keys are never text (ctrl and
// function keys), so they work while a field has the focus; should a printable one be
// added, the root disables it while the screen is typing.
type KeyMap struct {
	// Global: the root handles these on every screen.
	Quit     key.Binding
	Lang     key.Binding
	Lock     key.Binding
	Handbook key.Binding

	// Navigation
	Back key.Binding

	// Lists and forms
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Open             key.Binding
	NextField        key.Binding
	PrevField        key.Binding
	Toggle           key.Binding
	Clear            key.Binding

	// The case list
	Village key.Binding
	Status  key.Binding
	Sort    key.Binding
	Import  key.Binding
	Sync    key.Binding
	// Community opens a village's community form, on the leader's team screen and the
	// case list alike.
	Community key.Binding
}

// DefaultKeyMap is the key map: nothing needs a mouse, and every key works on a Windows
// console and in tmux (F1–F12 and ctrl+q reach the program in both; ctrl+s would not
// where flow control is on).
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("ctrl+c", "ctrl+q"), key.WithHelp("ctrl+q", "key.quit")),
		Lang:      key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", "key.lang")),
		Lock:      key.NewBinding(key.WithKeys("f12", "ctrl+l"), key.WithHelp("F12", "key.lock")),
		Handbook:  key.NewBinding(key.WithKeys("f1"), key.WithHelp("F1", "key.handbook")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "key.back")),
		Up:        key.NewBinding(key.WithKeys("up"), key.WithHelp("↑↓", "key.move")),
		Down:      key.NewBinding(key.WithKeys("down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "key.open")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "key.next")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up")),
		Toggle:    key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←→", "key.choose")),
		Clear:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "key.clear")),
		Village:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "key.village")),
		Status:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("S-tab", "key.status")),
		Sort:      key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", "key.sort")),
		Import:    key.NewBinding(key.WithKeys("f7"), key.WithHelp("F7", "key.import")),
		// F5 is "refresh" in every browser; F10 and F11 are taken by many terminals
		// (the menu, full screen).
		Sync:      key.NewBinding(key.WithKeys("f5"), key.WithHelp("F5", "key.sync")),
		Community: key.NewBinding(key.WithKeys("f6"), key.WithHelp("F6", "key.community")),
	}
}

// binding is a one-off key for a screen's own action, e.g. enter meaning "unlock";
// textKey names its description in the text table.
func binding(keys []string, helpKey, textKey string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, textKey))
}
