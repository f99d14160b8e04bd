package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding, grouped by where it acts. Global keys are ones that are
// never text (ctrl and function keys), so they work while a field has the focus.
type KeyMap struct {
	// Global
	Quit     key.Binding
	Lang     key.Binding
	Lock     key.Binding
	Back     key.Binding
	Handbook key.Binding

	// Lists and forms
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Open             key.Binding
	NextField        key.Binding
	PrevField        key.Binding
	Village          key.Binding
	Status           key.Binding
	Sort             key.Binding
	Toggle           key.Binding
}

// DefaultKeyMap is the key map: nothing needs a mouse, and every key works on a
// Windows console and in tmux.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("ctrl+c", "ctrl+q"), key.WithHelp("ctrl+q", "退出|quit")),
		Lang:      key.NewBinding(key.WithKeys("f2"), key.WithHelp("F2", "English|中文")),
		Lock:      key.NewBinding(key.WithKeys("f12", "ctrl+l"), key.WithHelp("F12", "锁屏|lock")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "返回|back")),
		Handbook:  key.NewBinding(key.WithKeys("f1"), key.WithHelp("F1", "指标解释|handbook")),
		Up:        key.NewBinding(key.WithKeys("up"), key.WithHelp("↑↓", "移动|move")),
		Down:      key.NewBinding(key.WithKeys("down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "打开|open")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "下一项|next")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up")),
		Village:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "村|village")),
		Status:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("S-tab", "状态|status")),
		Sort:      key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", "排序|sort")),
		Toggle:    key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←→", "选择|choose")),
	}
}
