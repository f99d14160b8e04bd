package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/report"
	"github.com/doorstep-survey/doorstep/report/laptopreport"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// reportsScreen makes the reports a team leader hands in, for the team's villages, into
// the reports folder: choose one, the format, enter. With no reports folder configured
// and no Documents folder, it asks for one once and remembers it.
type reportsScreen struct {
	common
	cursor  int
	csv     bool
	busy    bool
	written []string // paths written, newest first
	err     [2]string
	note    [2]string // where the chosen folder is remembered, or why it is not
	// asking is the question for a folder, answered in dir.
	asking bool
	dir    textinput.Model
	keys   struct{ make, format, cancel key.Binding }
}

// reportWrittenMsg is a report written, or why not.
type reportWrittenMsg struct {
	path string
	err  error
}

// reportsDirChosenMsg is the folder typed in, made and remembered (or why not).
type reportsDirChosenMsg struct {
	dir              string
	err, rememberErr error
}

func newReportsScreen(c common) *reportsScreen {
	s := &reportsScreen{common: c, dir: newInput(1024)}
	s.keys.make = binding([]string{"enter"}, "enter", "key.makereport")
	s.keys.format = binding([]string{"left", "right", "space"}, "←→", "key.format")
	s.keys.cancel = binding([]string{"esc"}, "esc", "key.cancel")
	return s
}

func (s *reportsScreen) Init() tea.Cmd            { return nil }
func (s *reportsScreen) Title(lang string) string { return tr(lang, "reports") }
func (s *reportsScreen) Typing() bool             { return s.asking }

func (s *reportsScreen) ShortHelp() []key.Binding {
	if s.asking {
		return []key.Binding{s.keys.make, s.keys.cancel}
	}
	return []key.Binding{s.env.Keys.Up, s.keys.make, s.keys.format, s.env.Keys.Back}
}

func (s *reportsScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// reportsDir is where reports go: the configured (or chosen) folder, else Documents;
// ok is false when there is neither, and the screen must ask.
func reportsDir(env *Env) (dir string, ok bool) {
	if env.ReportsDir != "" {
		return env.ReportsDir, true
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", false
	}
	for _, d := range []string{"Documents", "文档"} {
		if fi, err := os.Stat(filepath.Join(home, d)); err == nil && fi.IsDir() {
			return filepath.Join(home, d), true
		}
	}
	return "", false
}

// askDir asks for the reports folder, offering one in the home folder.
func (s *reportsScreen) askDir() tea.Cmd {
	s.asking = true
	if s.dir.Value() == "" {
		if home, err := os.UserHomeDir(); err == nil {
			s.dir.SetValue(filepath.Join(home, "Doorstep报表"))
		}
	}
	s.dir.CursorEnd()
	return s.dir.Focus()
}

// chooseDir makes the folder typed in and remembers it, off the update loop.
func (s *reportsScreen) chooseDir() tea.Cmd {
	dir := strings.TrimSpace(s.dir.Value())
	if !filepath.IsAbs(dir) {
		s.err = both("reports.dirabs")
		return nil
	}
	s.busy, s.err = true, [2]string{}
	remember := s.env.RememberReportsDir
	return s.do(func() tea.Msg {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return reportsDirChosenMsg{dir: dir, err: err}
		}
		var rerr error
		if remember != nil {
			rerr = remember(dir)
		}
		return reportsDirChosenMsg{dir: dir, rememberErr: rerr}
	})
}

// reportFileNames are the reports' names for their files, in Chinese as the district
// files them.
var reportFileNames = map[report.Kind]string{report.Validation: "校验报告", report.Stats: "调查情况统计表",
	report.Register: "进度登记表", report.Cancellations: "核销名单", report.Allowance: "调查员工作量"}

func (s *reportsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case reportsDirChosenMsg:
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.asking = false
		s.dir.Blur()
		s.env.ReportsDir = msg.dir
		switch {
		case msg.rememberErr != nil:
			e := errText(msg.rememberErr)
			s.note = [2]string{tr("zh", "reports.notremembered") + e[0], tr("en", "reports.notremembered") + e[1]}
		case s.env.RememberReportsDir != nil:
			s.note = both("reports.remembered")
		}
		return s, s.make()
	case reportWrittenMsg:
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.written = append([]string{msg.path}, s.written...)
	case tea.KeyPressMsg:
		switch {
		case s.asking && !s.busy && key.Matches(msg, s.keys.cancel):
			s.asking, s.err = false, [2]string{}
			s.dir.Blur()
			return s, nil
		case s.asking && !s.busy && key.Matches(msg, s.keys.make):
			return s, s.chooseDir()
		case s.asking:
			if s.busy {
				return s, nil
			}
			var cmd tea.Cmd
			s.dir, cmd = s.dir.Update(msg)
			return s, cmd
		case key.Matches(msg, s.env.Keys.Back):
			return s, back
		case s.busy:
		case key.Matches(msg, s.env.Keys.Up):
			s.cursor = max(0, s.cursor-1)
		case key.Matches(msg, s.env.Keys.Down):
			s.cursor = min(len(report.Kinds)-1, s.cursor+1)
		case key.Matches(msg, s.keys.format):
			s.csv = !s.csv
		case key.Matches(msg, s.keys.make):
			return s, s.make()
		}
	}
	return s, nil
}

func (s *reportsScreen) make() tea.Cmd {
	dir, ok := reportsDir(s.env)
	if !ok {
		return s.askDir()
	}
	s.busy, s.err = true, [2]string{}
	kind, format := report.Kinds[s.cursor], report.XLSX
	if s.csv {
		format = report.CSV
	}
	sess, reg, now := s.env.Session, s.env.Forms, s.env.Now()
	return s.do(func() tea.Msg {
		in, err := laptopreport.Input(reg, sess)
		if err != nil {
			return reportWrittenMsg{err: err}
		}
		in.AsOf = now
		name := fmt.Sprintf("%s-%s.%s", reportFileNames[kind], now.Format("20060102-1504"), format)
		path := filepath.Join(dir, name)
		// Through the data folder's scratch notes: a write killed half way is removed
		// at the next start, not left beside the report with unmasked numbers.
		in.TempDir = sess.DB().TempDir()
		err = sess.DB().WriteFile(path, func(w *os.File) error { return report.Write(kind, format, in, w) })
		return reportWrittenMsg{path: path, err: err}
	})
}

func (s *reportsScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	lines := []string{""}
	for i, k := range report.Kinds {
		head := "  "
		if i == s.cursor {
			head = "▸ "
		}
		line := textwidth.Truncate(tr(lang, "report."+string(k)), width-6)
		if i == s.cursor {
			line = st.Selected.Render(textwidth.PadRight(line, width-6))
		}
		lines = append(lines, "  "+head+line)
	}
	format := "(•) XLSX   ( ) CSV"
	if s.csv {
		format = "( ) XLSX   (•) CSV"
	}
	lines = append(lines, "", "  "+st.Label.Render(tr(lang, "format"))+format)
	if dir, ok := reportsDir(s.env); ok {
		lines = append(lines, "  "+st.Faint.Render(textwidth.Truncate(tr(lang, "folder")+clean(dir), width-4)))
	} else {
		lines = append(lines, "  "+st.Faint.Render(textwidth.Truncate(tr(lang, "folder")+tr(lang, "reports.nodir"), width-4)))
	}
	if report.Kinds[s.cursor] == report.Cancellations {
		// The one report with full certificate numbers: said before it is written.
		for _, l := range textwidth.Wrap(tr(lang, "reports.fullnumbers"), width-4) {
			lines = append(lines, "  "+st.Warning.Render(l))
		}
	}
	if s.note[li] != "" {
		for _, l := range textwidth.Wrap(s.note[li], width-4) {
			lines = append(lines, "  "+st.OK.Render(l))
		}
	}
	lines = append(lines, "")
	if s.asking {
		for _, l := range textwidth.Wrap(tr(lang, "reports.askdir"), width-4) {
			lines = append(lines, "  "+st.Label.Render(l))
		}
		s.dir.SetWidth(max(10, width-8))
		lines = append(lines, "  ▸ "+s.dir.View())
	}
	switch {
	case s.busy:
		lines = append(lines, "  "+st.Faint.Render(tr(lang, "making")))
	case s.err[li] != "":
		for _, l := range textwidth.Wrap(s.err[li], width-4) {
			lines = append(lines, "  "+st.Error.Render(l))
		}
	}
	for i, p := range s.written {
		if i == 3 {
			break
		}
		lines = append(lines, "  "+st.OK.Render(textwidth.Truncate("✓ "+clean(p), width-4)))
	}
	return strings.Join(lines, "\n")
}
