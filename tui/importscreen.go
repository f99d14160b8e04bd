package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/filepicker"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// importScreen takes the district's roster (底册) into the data file: choose the XLSX or
// CSV export, see what was read — rows, rows refused and why, duplicates, warnings —
// and import it, or not.
type importScreen struct {
	common
	picker filepicker.Model
	path   string
	read   *roster.Result
	busy   bool
	done   *localstore.ImportReport
	err    [2]string
	keys   struct{ confirm, again, leave key.Binding }
}

// rosterReadMsg is a roster file read and checked, not yet imported.
type rosterReadMsg struct {
	path string
	res  roster.Result
	err  error
}

// rosterImportedMsg is the store's word on the import.
type rosterImportedMsg struct {
	rep localstore.ImportReport
	err error
}

func newImportScreen(c common) *importScreen {
	s := &importScreen{common: c, picker: newPicker([]string{".xlsx", ".csv", ".txt"}, c.env.RosterDir, "Documents", "文档", "Downloads", "下载")}
	s.keys.confirm = binding([]string{"enter"}, "enter", "key.import")
	s.keys.again = binding([]string{"f7"}, "F7", "key.otherfile")
	s.keys.leave = binding([]string{"esc"}, "esc", "key.back")
	return s
}

func (s *importScreen) Init() tea.Cmd { return s.picker.Init() }

func (s *importScreen) Title(lang string) string { return tr(lang, "import") }
func (s *importScreen) Typing() bool             { return false }

func (s *importScreen) ShortHelp() []key.Binding {
	switch {
	case s.done != nil:
		return []key.Binding{binding([]string{"enter"}, "enter", "key.today")}
	case s.read != nil:
		return []key.Binding{s.keys.confirm, s.keys.again, s.keys.leave}
	}
	return []key.Binding{s.env.Keys.Up, binding([]string{"enter"}, "enter", "key.pick"),
		binding([]string{"left"}, "←", "key.updir"), s.keys.leave}
}

func (s *importScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *importScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case rosterReadMsg:
		s.busy = false
		if msg.err != nil {
			s.err = [2]string{tr("zh", "err") + clean(msg.err.Error()), tr("en", "err") + clean(msg.err.Error())}
			return s, nil
		}
		s.path, s.read = msg.path, &msg.res
		return s, nil
	case rosterImportedMsg:
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.done = &msg.rep
		return s, nil
	case tea.KeyPressMsg:
		return s, s.key(msg)
	}
	var cmd tea.Cmd
	s.picker, cmd = s.picker.Update(msg)
	return s, cmd
}

func (s *importScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	if s.busy {
		return nil
	}
	switch {
	case s.done != nil:
		if msg.String() == "enter" || key.Matches(msg, s.keys.leave) {
			return home
		}
		return nil
	case key.Matches(msg, s.keys.leave):
		return back
	case s.read != nil && key.Matches(msg, s.keys.again):
		s.read, s.err = nil, [2]string{}
		return nil
	case s.read != nil && key.Matches(msg, s.keys.confirm):
		if len(s.read.Rows) == 0 {
			return nil
		}
		s.busy = true
		sess, rows, source := s.env.Session, s.read.Rows, s.path
		return s.do(func() tea.Msg {
			rep, err := sess.ImportRoster(rows, source)
			return rosterImportedMsg{rep, err}
		})
	case s.read != nil:
		return nil
	}
	s.err = [2]string{}
	var cmd tea.Cmd
	s.picker, cmd = s.picker.Update(msg)
	if ok, path := s.picker.DidSelectFile(msg); ok {
		s.busy = true
		ref, tmp := s.env.PersonForm.ReferenceDate, s.env.Session.DB().TempDir()
		return tea.Batch(cmd, s.do(func() tea.Msg {
			res, err := roster.ParseFileIn(path, ref, tmp) // spills to the data folder, not the shared temp folder
			return rosterReadMsg{path, res, err}
		}))
	}
	if ok, _ := s.picker.DidSelectDisabledFile(msg); ok {
		s.err = both("notroster")
	}
	return cmd
}

func (s *importScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	var lines []string
	add := func(style func(...string) string, text string) {
		for _, l := range textwidth.Wrap(text, width-4) {
			lines = append(lines, "  "+style(l))
		}
	}
	lines = append(lines, "")
	switch {
	case s.done != nil:
		add(st.OK.Render, fmt.Sprintf(tr(lang, "imported"), s.done.Added, len(s.done.Updated), s.done.Unchanged))
		for i, u := range s.done.Updated {
			if i == 5 {
				add(st.Faint.Render, fmt.Sprintf(tr(lang, "andmore"), len(s.done.Updated)-5))
				break
			}
			add(st.Faint.Render, fmt.Sprintf(tr(lang, "changed"), u.Line, clean(u.Name), strings.Join(u.Fields, "、")))
		}
		lines = append(lines, "")
		add(st.Faint.Render, tr(lang, "backtoday"))
	case s.read != nil:
		r := s.read
		add(st.Section.Render, clean(s.path))
		add(st.Faint.Render, fmt.Sprintf(tr(lang, "readrows"), r.Encoding, len(r.Rows), len(r.Problems), len(r.Duplicates), len(r.Warnings)))
		lines = append(lines, "")
		shown := 0
		room := height - len(lines) - 4
		for _, group := range []struct {
			style func(...string) string
			list  []roster.Problem
		}{{st.Error.Render, r.Problems}, {st.Warning.Render, r.Duplicates}, {st.Faint.Render, r.Warnings}} {
			for _, p := range group.list {
				if shown >= room {
					break
				}
				lines = append(lines, "  "+group.style(textwidth.Truncate(clean(p.String()), width-4)))
				shown++
			}
		}
		lines = append(lines, "")
		if len(r.Rows) == 0 {
			add(st.Error.Render, tr(lang, "norows"))
		} else {
			add(st.Faint.Render, fmt.Sprintf(tr(lang, "importhint"), len(r.Rows)))
		}
	default:
		add(st.Section.Render, tr(lang, "importpick"))
		lines = append(lines, "  "+st.Label.Render(textwidth.Truncate(tr(lang, "folder")+clean(s.picker.CurrentDirectory), width-4)))
		s.picker.SetHeight(max(3, height-len(lines)-3))
		lines = append(lines, pickerLines(s.picker, st, width)...)
	}
	switch {
	case s.busy:
		lines = append(lines, "", "  "+st.Faint.Render(tr(lang, "loading")))
	case s.err[li] != "":
		lines = append(lines, "")
		add(st.Error.Render, s.err[li])
	}
	return strings.Join(lines, "\n")
}
