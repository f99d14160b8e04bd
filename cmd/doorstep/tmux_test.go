package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
)

// tmux drives the built program in a real terminal: a tmux session of its own (its own
// server socket), at a fixed size.
type tmux struct {
	t      *testing.T
	socket string
}

func (x tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, C-u, F6, …).
func (x tmux) keys(names ...string) {
	x.t.Helper()
	x.run(append([]string{"send-keys", "-t", "doorstep"}, names...)...)
}

// text types text literally, Chinese included.
func (x tmux) text(s string) {
	x.t.Helper()
	x.run("send-keys", "-t", "doorstep", "-l", s)
}

func (x tmux) screen() string {
	x.t.Helper()
	return x.run("capture-pane", "-p", "-t", "doorstep")
}

// waitFor polls the screen until ok accepts it, and fails the test with the screen
// after 10 s.
func (x tmux) waitFor(what string, ok func(screen string) bool) string {
	x.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := x.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("waiting for %s; the screen is:\n%s", what, s)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (x tmux) waitText(want string) string {
	x.t.Helper()
	return x.waitFor(strconv.Quote(want), func(s string) bool { return strings.Contains(s, want) })
}

// questionID finds the question on the form screen: the last line starting with a
// question id above the line that says how to answer it.
var questionLine = regexp.MustCompile(`^  ([A-Z]+[0-9]+[a-z]?)  `)
var progressLine = regexp.MustCompile(`第 (\d+) 题，共 (\d+) 题`)

func currentQuestion(screen string) (id, progress string) {
	for _, l := range strings.Split(screen, "\n") {
		if m := questionLine.FindStringSubmatch(l); m != nil {
			id = m[1]
		}
		if m := progressLine.FindString(l); m != "" {
			progress = m
		}
	}
	return id, progress
}

// TestTmuxWholeInterview is the end-to-end test of issue 4: the built binary in tmux at
// 80×24, in Chinese, driven by keys only — unlock, find a case by its certificate
// number, a telephone interview, every question of person-2021 answered as a demo
// respondent would, the missing phone number's warning confirmed with a note, the
// read-back, a proxy's signature, the enumerator's passphrase, a photo, done — then
// `doorstep records export --json` and `doorstep verify` on the data it left.
func TestTmuxWholeInterview(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("DOORSTEP_E2E") == "require" {
			t.Fatal("tmux is needed for the end-to-end test (CI installs it)")
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "doorstep")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	opts := demo.Options{Seed: 7, Cases: 30, Villages: 2}
	if out, err := exec.Command(bin, "demo", "--no-tui", "--data", data, "--cases", "30", "--villages", "2",
		"--seed", "7", "--completed", "3").CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	env := append(os.Environ(), "DOORSTEP_USER=E001", "DOORSTEP_PASSPHRASE="+seed.Passphrase)
	cmdOut := func(args ...string) []byte {
		t.Helper()
		c := exec.Command(bin, append(args, "--data", data)...)
		c.Env = env
		out, err := c.Output()
		if err != nil {
			t.Fatalf("doorstep %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	var cases []caseJSON
	if err := json.Unmarshal(cmdOut("cases", "list", "--json"), &cases); err != nil {
		t.Fatal(err)
	}
	// The respondent: a case not yet visited, and the answers a demo respondent gives.
	district := demo.Generate(opts)
	f := formstest.Person2021(t)
	var target caseJSON
	var iv demo.Interview
	for _, c := range cases {
		if c.Status != "new" {
			continue
		}
		for _, row := range district.Rows {
			if row.CertificateNumber != c.CertificateNumber {
				continue
			}
			for seed := uint64(1); seed < 100 && iv.Answers == nil; seed++ {
				if a := demo.Answer(f, row, rand.New(rand.NewPCG(seed, 3)), time.Time{}); a.Outcome == 1 {
					iv = a
				}
			}
		}
		target = c
		break
	}
	if iv.Answers == nil {
		t.Fatal("no case to interview")
	}
	delete(iv.Answers, "R5") // no phone number on a telephone interview: check C8 warns

	photos := filepath.Join(dir, "photos")
	if err := os.Mkdir(photos, 0o700); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 2000, 1500))
	for x := 0; x < 2000; x++ {
		img.Set(x, x%1500, color.RGBA{200, 30, 30, 255})
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(photos, "visit.jpg"), jpg.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	x := tmux{t: t, socket: fmt.Sprintf("doorstep-test-%d", os.Getpid())}
	x.run("-f", "/dev/null", "new-session", "-d", "-s", "doorstep", "-x", "80", "-y", "24",
		"-e", "DOORSTEP_PHOTOS_DIR="+photos, "-e", "LANG=C.UTF-8", bin+" --data "+data)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.socket, "kill-server").Run() })

	x.waitText("本机用户")
	x.keys("C-u")
	x.text("E001")
	x.keys("Tab")
	x.text(seed.Passphrase)
	x.keys("Enter")
	x.waitText("今日工作")
	x.text(target.CertificateNumber)
	x.waitText(target.Name)
	x.keys("Enter")
	x.waitText("户籍地址")
	x.keys("Enter")
	x.waitText("调查方式")
	x.text("2")
	x.keys("Enter")
	x.text("1")
	x.keys("Enter")
	screen := x.waitText("第 1 题")

	warnings := 0
	for step := 0; ; step++ {
		if step > 300 {
			t.Fatalf("the form did not end:\n%s", screen)
		}
		if strings.Contains(screen, "问卷末尾") {
			break
		}
		id, progress := currentQuestion(screen)
		q := f.Question(id)
		if q == nil {
			t.Fatalf("no question on the screen:\n%s", screen)
		}
		if strings.Contains(screen, "写明情况后继续") {
			warnings++
			x.keys("Enter")
			x.waitText("确认提示")
			x.text("电话调查，本人无电话，已核实")
			x.keys("Enter")
		} else {
			want, has := iv.Answers[id]
			switch {
			case !has && q.Type.IsChoice():
				x.keys("BSpace", "Enter")
			case !has:
				x.keys("C-u", "Enter")
			case q.Type == forms.TypeSingle:
				x.text(strconv.Itoa(want.(int)))
				// A code that a longer one starts with (1 of 1 and 11) waits for enter;
				// any other goes on by itself.
				time.Sleep(50 * time.Millisecond)
				if strings.Contains(x.screen(), "再输一位") {
					x.keys("Enter")
				}
			case q.Type == forms.TypeMultiple:
				for _, code := range want.([]int) {
					x.text(strconv.Itoa(code))
				}
				x.keys("Enter")
			default:
				x.keys("C-u")
				x.text(formstest.Typed(want))
				x.keys("Enter")
			}
		}
		screen = x.waitFor("the next question after "+id, func(s string) bool {
			next, p := currentQuestion(s)
			return strings.Contains(s, "问卷末尾") || next != id || p != progress ||
				strings.Contains(s, "写明情况后继续") && !strings.Contains(s, "确认提示")
		})
		if strings.Contains(screen, "✗") {
			t.Fatalf("%s stopped with an error:\n%s", id, screen)
		}
	}
	if warnings != 1 {
		t.Errorf("%d warnings confirmed, want 1 (C8)", warnings)
	}
	x.keys("Enter")
	x.waitText("宣读 · ")
	for i := 0; ; i++ {
		s := x.screen()
		if strings.Contains(s, "签字人") {
			break
		}
		if i > 30 {
			t.Fatalf("read-back did not end:\n%s", s)
		}
		x.keys("Enter")
		time.Sleep(150 * time.Millisecond)
	}
	x.text("2")
	x.keys("Tab")
	x.text("王秀兰")
	x.keys("Tab")
	x.text("女儿")
	x.keys("Tab", "Tab")
	x.text(seed.Passphrase)
	x.keys("Enter")
	x.waitText("visit.jpg")
	x.keys("Enter")
	x.waitText("已附照片 1 张")
	x.keys("F6")
	x.waitText("已加入待上报队列")
	x.keys("Enter")
	x.waitText("今日工作")

	// The return (issue 10): the leader returns the record with a comment on R3; the
	// enumerator is told, opens the record at R3 with the comment, fixes it, reads back
	// only that section, signs again (the proxy offered as before) and completes it;
	// the leader sees it marked as fixed after a return, and approves it.
	r3 := "1"
	if iv.Answers["R3"] == 1 {
		r3 = "2"
	}
	switchUser := func(code, home string) {
		t.Helper()
		x.keys("F12")
		x.waitText("本机用户")
		x.keys("BTab", "C-u")
		x.text(code)
		x.keys("Tab")
		x.text(seed.Passphrase)
		x.keys("Enter")
		x.waitText(home)
	}
	// confirm answers a confirmation after its grace time (an enter typed ahead is
	// not taken for it).
	confirm := func(title string) {
		t.Helper()
		x.waitText(title)
		time.Sleep(700 * time.Millisecond)
		x.keys("Enter")
	}
	openForReview := func() {
		t.Helper()
		x.text(target.Name)
		x.waitText("待审核 1 / ")
		x.keys("Enter")
		x.waitText("审核 · " + target.Name)
	}
	switchUser("L001", "本组进度")
	openForReview()
	r3Text := ""
	for _, sec := range f.ReadBack(iv.Answers, forms.Context{"method": 2, "outcome": 1}, "zh") {
		for _, l := range sec.Lines {
			if l.Question == "R3" {
				r3Text = l.Text
			}
		}
	}
	selected := func(s string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "  ▸ ") {
				return strings.TrimPrefix(l, "  ▸ ")
			}
		}
		return ""
	}
	head := string([]rune(r3Text)[:4])
	for i := 0; !strings.HasPrefix(selected(x.screen()), head); i++ {
		if i > 20 {
			t.Fatalf("R3 (%q) not found in the review:\n%s", r3Text, x.screen())
		}
		x.keys("Down")
		time.Sleep(50 * time.Millisecond)
	}
	x.keys("F4")
	x.waitText("意见：") // the comment's field (批注 alone is on the help line already)
	x.text("婚姻状况请再核实")
	x.keys("Enter")
	x.waitText("✎ 婚姻状况请再核实")
	x.keys("F8")
	confirm("确认退回")
	x.waitText("已退回调查员")
	x.keys("Escape")
	x.waitText("本组进度")

	switchUser("E001", "有 1 份记录被组长退回")
	x.keys("Enter") // the returned record is listed first
	x.waitText("R3 组长意见：婚姻状况请再核实")
	x.waitText("enter 修改")
	x.keys("Enter")
	screen = x.waitFor("the form", func(s string) bool { id, _ := currentQuestion(s); return id != "" })
	if id, _ := currentQuestion(screen); id != "R3" || !strings.Contains(screen, "组长意见：婚姻状况请再核实") {
		t.Fatalf("the returned record opened at %s, not R3:\n%s", id, screen)
	}
	// Keys typed ahead are let go for a moment at the comment, so the fix waits.
	time.Sleep(700 * time.Millisecond)
	x.text(r3)
	x.waitFor("the question after R3", func(s string) bool { id, _ := currentQuestion(s); return id != "R3" })
	x.keys("F6") // every other question is answered: the end of the form
	x.waitText("问卷末尾")
	x.keys("Enter")
	screen = x.waitText("宣读 · ")
	if !strings.Contains(screen, "已确认") {
		t.Fatalf("no read-back progress:\n%s", screen)
	}
	x.keys("Enter") // the one section that changed
	x.waitText("签字人")
	x.waitText("王秀兰")
	x.keys("Tab", "Tab", "Tab", "Tab") // the proxy as before: name, relation, pad, passphrase
	x.text(seed.Passphrase)
	x.keys("Enter")
	x.waitText("已附照片 1 张")
	x.keys("F6")
	x.waitText("已加入待上报队列")
	x.keys("Enter")
	x.waitText("今日工作")

	switchUser("L001", "本组进度")
	openForReview()
	x.waitText("曾被退回（第 1 次）")
	x.waitText("↺ 上次退回意见：婚姻状况请再核实")
	x.keys("F9")
	confirm("确认审核通过")
	x.waitText("已审核通过")
	x.keys("C-q")
	for i := 0; exec.Command("tmux", "-L", x.socket, "has-session", "-t", "doorstep").Run() == nil; i++ {
		if i > 200 {
			t.Fatal("ctrl+q did not end the program")
		}
		time.Sleep(50 * time.Millisecond)
	}

	var export struct {
		Records []*localstore.Record `json:"records"`
		Cases   []localstore.Case    `json:"cases"`
	}
	if err := json.Unmarshal(cmdOut("records", "export", "--json"), &export); err != nil {
		t.Fatal(err)
	}
	var rec *localstore.Record
	for _, r := range export.Records {
		if r.CaseID == target.ID {
			rec = r
		}
	}
	if rec == nil {
		t.Fatalf("no record for case %s", target.ID)
	}
	if rec.Status != localstore.StatusApproved || rec.Method != 2 || rec.Outcome != 1 {
		t.Errorf("record is %s, method %d, outcome %d", rec.Status, rec.Method, rec.Outcome)
	}
	if len(rec.Comments) != 1 || rec.Comments[0].Question != "R3" || rec.Comments[0].By != "L001" {
		t.Errorf("comments %+v", rec.Comments)
	}
	if string(rec.Answers["R3"]) != r3 {
		t.Errorf("R3 = %s after the fix, want %s", rec.Answers["R3"], r3)
	}
	iv.Answers["R3"], _ = strconv.Atoi(r3)
	got, err := f.DecodeAnswers(rec.Answers)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range iv.Answers {
		if v, ok := got[id]; ok && !reflect.DeepEqual(v, want) {
			t.Errorf("%s = %#v, want %#v", id, v, want)
		}
	}
	if res := f.Evaluate(got, forms.Context{"method": 2, "outcome": 1}); !res.Complete {
		t.Errorf("exported answers incomplete: missing %v, findings %v", res.Missing, res.Findings)
	}
	if rec.Notes["C8@R5"] == "" {
		t.Errorf("the warning's note was not kept: %v", rec.Notes)
	}
	sig, ok := rec.RespondentSignature()
	if !ok || sig.DisplayName() != "王秀兰(代)" || sig.Relation != "女儿" {
		t.Errorf("respondent's signature: %+v", sig)
	}
	if len(rec.Photos) != 1 {
		t.Errorf("photos: %+v", rec.Photos)
	}
	cmdOut("verify") // exit 0: every audit chain and signature holds
}
