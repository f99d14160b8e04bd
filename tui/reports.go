package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/report"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// reportsScreen makes the reports a team leader hands in, for the team's villages, into
// the reports folder: choose one, the format, enter.
type reportsScreen struct {
	common
	cursor  int
	csv     bool
	busy    bool
	written []string // paths written, newest first
	err     [2]string
	keys    struct{ make, format key.Binding }
}

// reportWrittenMsg is a report written, or why not.
type reportWrittenMsg struct {
	path string
	err  error
}

func newReportsScreen(c common) *reportsScreen {
	s := &reportsScreen{common: c}
	s.keys.make = binding([]string{"enter"}, "enter", "key.makereport")
	s.keys.format = binding([]string{"left", "right", "space"}, "←→", "key.format")
	return s
}

func (s *reportsScreen) Init() tea.Cmd            { return nil }
func (s *reportsScreen) Title(lang string) string { return tr(lang, "reports") }
func (s *reportsScreen) Typing() bool             { return false }

func (s *reportsScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.env.Keys.Up, s.keys.make, s.keys.format, s.env.Keys.Back}
}

func (s *reportsScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// reportsDir is where reports go: the configured folder, else Documents, else home.
func reportsDir(env *Env) string {
	if env.ReportsDir != "" {
		return env.ReportsDir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	for _, d := range []string{"Documents", "文档"} {
		if fi, err := os.Stat(filepath.Join(home, d)); err == nil && fi.IsDir() {
			return filepath.Join(home, d)
		}
	}
	return home
}

// reportFileNames are the reports' names for their files, in Chinese as the district
// files them.
var reportFileNames = map[report.Kind]string{report.Validation: "校验报告", report.Stats: "调查情况统计表",
	report.Register: "进度登记表", report.Cancellations: "核销名单", report.Allowance: "调查员工作量"}

func (s *reportsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case reportWrittenMsg:
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.written = append([]string{msg.path}, s.written...)
	case tea.KeyPressMsg:
		switch {
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
	s.busy, s.err = true, [2]string{}
	kind, format := report.Kinds[s.cursor], report.XLSX
	if s.csv {
		format = report.CSV
	}
	sess, reg, now, dir := s.env.Session, s.env.Forms, s.env.Now(), reportsDir(s.env)
	return s.do(func() tea.Msg {
		cases, err := sess.Cases(localstore.CaseFilter{})
		if err != nil {
			return reportWrittenMsg{err: err}
		}
		records, err := sess.Records()
		if err != nil {
			return reportWrittenMsg{err: err}
		}
		users, err := sess.Users()
		if err != nil {
			return reportWrittenMsg{err: err}
		}
		in := report.Assemble(reg, cases, records, users)
		in.AsOf, in.Villages = now, sess.User().Villages
		if len(cases) > 0 {
			in.Unit = cases[0].Row.Town
		}
		name := fmt.Sprintf("%s-%s.%s", reportFileNames[kind], now.Format("20060102-1504"), format)
		path := filepath.Join(dir, name)
		tmp, err := os.CreateTemp(dir, ".doorstep-report-*")
		if err != nil {
			return reportWrittenMsg{err: err}
		}
		defer os.Remove(tmp.Name())
		err = report.Write(kind, format, in, tmp)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
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
	lines = append(lines, "", "  "+st.Label.Render(tr(lang, "format"))+format,
		"  "+st.Faint.Render(textwidth.Truncate(tr(lang, "folder")+clean(reportsDir(s.env)), width-4)), "")
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
