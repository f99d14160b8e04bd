package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// usersScreen lists the laptop's users; a team leader adds one from here.
type usersScreen struct {
	common
	users []localstore.User
	err   [2]string
	keys  struct{ add key.Binding }
}

type usersLoadedMsg struct {
	users []localstore.User
	err   error
}

func newUsersScreen(c common) *usersScreen {
	s := &usersScreen{common: c}
	s.keys.add = binding([]string{"f6"}, "F6", "key.adduser")
	return s
}

func (s *usersScreen) Init() tea.Cmd {
	sess := s.env.Session
	return s.do(func() tea.Msg {
		users, err := sess.Users()
		return usersLoadedMsg{users, err}
	})
}

// Refresh shows a user just added.
func (s *usersScreen) Refresh() tea.Cmd { return s.Init() }

func (s *usersScreen) Title(lang string) string { return tr(lang, "users") }
func (s *usersScreen) Typing() bool             { return false }

func (s *usersScreen) ShortHelp() []key.Binding {
	add := s.keys.add
	add.SetEnabled(s.env.Session.User().Role == localstore.RoleLeader)
	return []key.Binding{add, s.env.Keys.Back}
}

func (s *usersScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *usersScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case usersLoadedMsg:
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.users = msg.users
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.env.Keys.Back):
			return s, back
		case key.Matches(msg, s.keys.add) && s.env.Session.User().Role == localstore.RoleLeader:
			return s, navigate(Page{Kind: KindAddUser})
		}
	}
	return s, nil
}

func (s *usersScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	lines := []string{""}
	if s.err[li] != "" {
		return strings.Join(append(lines, "  "+st.Error.Render(textwidth.Truncate(s.err[li], width-4))), "\n")
	}
	head := textwidth.PadRight(tr(lang, "user"), 10) + textwidth.PadRight(tr(lang, "name"), 12) +
		textwidth.PadRight(tr(lang, "role"), 10) + tr(lang, "villages")
	lines = append(lines, "  "+st.Label.Render(textwidth.Truncate(head, width-4)))
	for _, u := range s.users {
		role := tr(lang, "enumerator")
		if u.Role == localstore.RoleLeader {
			role = tr(lang, "leader")
		}
		villages := tr(lang, "allvillages")
		if len(u.Villages) > 0 {
			villages = clean(strings.Join(u.Villages, "、"))
		}
		row := textwidth.PadRight(clean(u.Code), 10) + textwidth.PadRight(textwidth.Truncate(clean(u.Name), 11), 12) +
			textwidth.PadRight(role, 10) + villages
		lines = append(lines, "  "+textwidth.Truncate(row, width-4))
	}
	return strings.Join(lines, "\n")
}
