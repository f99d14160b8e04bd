package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// fillToReadBack answers a whole interview of the demo case row in plain mode and
// pauses at the read-back: the record is complete, not yet read back.
func fillToReadBack(t *testing.T, env map[string]string, f *forms.Form, row roster.Row) {
	t.Helper()
	var iv demo.Interview
	for seed := uint64(1); ; seed++ {
		iv = demo.Answer(f, row, rand.New(rand.NewPCG(seed, 7)), time.Time{})
		if iv.Outcome == localstore.OutcomeInterviewed {
			break
		}
	}
	p := startPlain(t, env, "--plain")
	p.until("用户代码")
	p.send("E001")
	p.until("口令")
	p.send(seed.Passphrase)
	p.until("调查对象共")
	p.send(row.CertificateNumber[len(row.CertificateNumber)-8:])
	p.until("调查方式。1 入户")
	p.send("1")
	p.until("调查结果。1 正常调查")
	p.send("1")
	for {
		l := p.next()
		if strings.HasPrefix(l, "对方同意请输入 y") {
			p.send("q")
			break
		}
		if strings.HasPrefix(l, "提示：") {
			p.until("请输入说明确认")
			p.send("已核实")
			continue
		}
		m := plainQuestion.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		v, ok := iv.Answers[m[3]]
		switch {
		case ok:
			p.send(formstest.Typed(v))
		case strings.Contains(l, "现在的答案"):
			p.send("")
		case f.Question(m[3]).Type == forms.TypeText:
			p.send(row.Name)
		default:
			p.send("")
		}
	}
	p.until("调查对象共")
	p.send("q")
	if code := p.end(); code != 0 {
		t.Fatalf("plain mode: exit %d", code)
	}
}

// TestTmuxRespondentViewHighContrast: the built program in tmux at 80×24 with the
// high-contrast theme — the read-back, v for the respondent's view, its sentences one at
// a time with the respondent's numbers grouped; the screens are captured with their
// colours (DOORSTEP_CAPTURE=dir keeps them for a person to look at).
func TestTmuxRespondentViewHighContrast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("DOORSTEP_E2E") == "require" || os.Getenv("CI") != "" {
			t.Fatal("tmux is needed for the end-to-end test (CI installs it)")
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := map[string]string{"DOORSTEP_DATA": data}
	if code, out, errOut := runIn(t, env, "", "demo", "--no-tui", "--data", data, "--cases", "20", "--villages", "2", "--completed", "0"); code != 0 {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	f := formstest.Person2021(t)
	row := demo.Generate(demo.Options{Seed: 1, Cases: 20, Villages: 2}).Rows[0]
	fillToReadBack(t, env, f, row)

	bin := filepath.Join(dir, "doorstep")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	x := tmux{t: t, socket: fmt.Sprintf("doorstep-a11y-%d", os.Getpid())}
	x.run("-f", "/dev/null", "new-session", "-d", "-s", "doorstep", "-x", "80", "-y", "24",
		"env", "TERM=xterm-256color", "COLORTERM=truecolor", bin, "--data", data, "--theme", "high-contrast")
	t.Cleanup(func() { exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	x.waitText("用户代码")
	x.text("E001")
	x.keys("Tab")
	x.text(seed.Passphrase)
	x.keys("Enter")
	x.waitText("搜索")
	// The terminal's own cursor is in the search field, and moves two cells for a
	// Chinese character, one for a digit.
	cursor := func() (col, line int) {
		out := x.run("display-message", "-p", "-t", "doorstep", "#{cursor_x} #{cursor_y} #{cursor_flag}")
		var flag int
		if _, err := fmt.Sscan(out, &col, &line, &flag); err != nil || flag != 1 {
			t.Fatalf("cursor: %q (%v)", out, err)
		}
		return col, line
	}
	x0, y0 := cursor()
	name := []rune(row.Name)
	x.text(string(name[0]))
	x.waitFor("the cursor after a Chinese character", func(string) bool { c, _ := cursor(); return c == x0+2 })
	x.keys("BSpace")
	x.waitFor("the cursor back", func(string) bool { c, _ := cursor(); return c == x0 })
	x.text("41")
	x.waitFor("the cursor after two digits", func(string) bool { c, l := cursor(); return c == x0+2 && l == y0 })
	x.keys("BSpace", "BSpace")
	x.text(row.CertificateNumber[len(row.CertificateNumber)-8:])
	x.waitText(row.Name)
	x.keys("Enter")
	x.waitText("继续调查") // loaded: a case under way opens at its form (or read-back) directly
	x.keys("Enter")
	screen := x.waitFor("the form or the read-back", func(s string) bool { return strings.Contains(s, "宣读") || strings.Contains(s, "题") })
	if !strings.Contains(screen, "宣读 ·") {
		x.keys("F5")
	}
	x.waitText("逐句读给受访者听")
	x.keys("Down")
	x.waitText("▸ 残疾人证号")
	capture := func(name string) string {
		out := x.run("capture-pane", "-e", "-p", "-t", "doorstep")
		if d := os.Getenv("DOORSTEP_CAPTURE"); d != "" {
			os.WriteFile(filepath.Join(d, name+".ansi"), []byte(out), 0o644)
			os.WriteFile(filepath.Join(d, name+".txt"), []byte(x.screen()), 0o644)
		}
		return out
	}
	readback := capture("readback-high-contrast")
	x.keys("v")
	x.waitText("第 2 句，共")
	resp := capture("respondent")
	plain := x.screen()
	if !strings.Contains(plain, "第 2 句，共") {
		t.Errorf("the respondent's view does not open at the selected sentence:\n%s", plain)
	}
	// The respondent's view: pale yellow on black (true colour through tmux).
	if !strings.Contains(resp, "38;2;255;255;135") || !strings.Contains(resp, "48;2;0;0;0") {
		t.Errorf("the respondent's view is not pale yellow on black:\n%q", resp[:min(len(resp), 600)])
	}
	// The high-contrast theme: the status bar black on white.
	if !strings.Contains(readback, "48;2;255;255;255") {
		t.Errorf("the high-contrast status bar is not on white:\n%q", readback[:min(len(readback), 600)])
	}
	x.keys("Right")
	x.waitText("第 3 句，共")
	capture("respondent-3")
	x.keys("Escape")
	x.waitText("逐句读给受访者听")
	x.keys("C-q")
}

// TestTmuxPlainAtATerminal: plain mode at a real terminal stays in the normal screen
// (what was said stays in the scrollback for a screen reader to go back over), and the
// passphrase is not echoed.
func TestTmuxPlainAtATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("DOORSTEP_E2E") == "require" || os.Getenv("CI") != "" {
			t.Fatal("tmux is needed for the end-to-end test (CI installs it)")
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, out, errOut := runIn(t, map[string]string{}, "", "demo", "--no-tui", "--data", data, "--cases", "5", "--villages", "1", "--completed", "0"); code != 0 {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	bin := filepath.Join(dir, "doorstep")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	x := tmux{t: t, socket: fmt.Sprintf("doorstep-plain-%d", os.Getpid())}
	x.run("-f", "/dev/null", "new-session", "-d", "-s", "doorstep", "-x", "80", "-y", "24",
		"env", "TERM=xterm-256color", "ACCESSIBLE=1", bin, "--data", data)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	x.run("set-option", "-t", "doorstep", "remain-on-exit", "on") // to read its last words
	x.waitText("用户代码")
	x.text("E001")
	x.keys("Enter")
	x.waitText("口令（输入后按回车）")
	x.text(seed.Passphrase)
	x.keys("Enter")
	screen := x.waitText("已登录")
	if strings.Contains(screen, seed.Passphrase) {
		t.Errorf("the passphrase is echoed:\n%s", screen)
	}
	if alt := strings.TrimSpace(x.run("display-message", "-p", "-t", "doorstep", "#{alternate_on}")); alt != "0" {
		t.Errorf("plain mode switched to the alternate screen (%s)", alt)
	}
	x.waitText("调查对象共")
	x.text("q")
	x.keys("Enter")
	x.waitText("再见")
}
