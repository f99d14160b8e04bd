package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/forms/validate"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// plainRun is doorstep in plain mode with a pipe at each end, driven a line at a time
// as a screen-reader user would: read what it says, type a line.
type plainRun struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan string
	done  chan int
	heard []string // everything said, for the failure message
}

func startPlain(t *testing.T, env map[string]string, args ...string) *plainRun {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	p := &plainRun{t: t, in: inW, lines: make(chan string, 1000), done: make(chan int, 1)}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	go func() {
		code := run(context.Background(), args, lookup, inR, outW, outW)
		outW.Close()
		p.done <- code
	}()
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() { inW.Close(); io.Copy(io.Discard, outR) })
	return p
}

// until reads lines until one contains want, and returns it.
func (p *plainRun) until(want string) string {
	p.t.Helper()
	for {
		l := p.next()
		if strings.Contains(l, want) {
			return l
		}
	}
}

func (p *plainRun) next() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.t.Fatalf("plain mode ended; it said:\n%s", strings.Join(p.tail(), "\n"))
		}
		p.heard = append(p.heard, l)
		if strings.ContainsRune(l, '\x1b') {
			p.t.Fatalf("an escape sequence in plain mode: %q", l)
		}
		return l
	case <-time.After(30 * time.Second):
		p.t.Fatalf("nothing said for 30 s; last:\n%s", strings.Join(p.tail(), "\n"))
	}
	return ""
}

func (p *plainRun) tail() []string { return p.heard[max(0, len(p.heard)-30):] }

func (p *plainRun) send(line string) {
	p.heard = append(p.heard, "> "+line)
	p.t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		p.t.Fatalf("send %q: %v", line, err)
	}
}

// end closes the input and waits for the exit code.
func (p *plainRun) end() int {
	p.in.Close()
	for range p.lines {
	}
	return <-p.done
}

var plainQuestion = regexp.MustCompile(`^第 (\d+) 题，共 (\d+) 题，([A-Z][0-9A-Za-z]*)。`)

// TestPlainWholeInterviewAndReview is the done-when test of plain mode: a whole interview
// (method, every question, a warning confirmed with a note, the read-back, a proxy's
// signature, the enumerator's passphrase, the photo) and the leader's approval, typed a
// line at a time into doorstep --plain over the real data file; records export shows it.
func TestPlainWholeInterviewAndReview(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DOORSTEP_DATA": dir}
	if code, out, errOut := runIn(t, env, "", "demo", "--no-tui", "--data", dir, "--cases", "80", "--villages", "2", "--completed", "0"); code != 0 {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	f := formstest.Person2021(t)
	// A child, so that answering 大专 to R8 (education) raises warning C6, which the
	// enumerator confirms with a note.
	ref := f.ReferenceDate
	var row roster.Row
	for _, r := range demo.Generate(demo.Options{Seed: 1, Cases: 80, Villages: 2}).Rows {
		id, err := validate.ParseResidentID(r.IDNumber, ref)
		if err != nil {
			continue
		}
		if age := ref.Year() - id.BirthDate.Year() - 1; age >= 13 && age <= 16 {
			row = r
			break
		}
	}
	if row.Name == "" {
		t.Fatal("no child in the demo roster")
	}
	var iv demo.Interview
	for seed := uint64(1); ; seed++ {
		iv = demo.Answer(f, row, rand.New(rand.NewPCG(seed, 7)), time.Time{})
		if iv.Outcome == localstore.OutcomeInterviewed {
			break
		}
	}
	photoPath := filepath.Join(dir, "photos", demo.PhotoFile)

	p := startPlain(t, env, "--plain")
	p.until("用户代码")
	p.send("E001")
	p.until("口令")
	p.send(seed.Passphrase)
	p.until("已登录")
	p.until("调查对象共")
	p.send(row.CertificateNumber[len(row.CertificateNumber)-8:])
	p.until("调查方式。1 入户")
	p.send("1")
	p.until("调查结果。1 正常调查")
	p.send("1")

	first, notes := true, 0
	for {
		l := p.next()
		if strings.HasPrefix(l, "错误：") {
			t.Fatalf("an error at an answer the demo gives: %s\n%s", l, strings.Join(p.tail(), "\n"))
		}
		if strings.HasPrefix(l, "宣读第 1 部分") {
			break
		}
		if strings.HasPrefix(l, "提示：") {
			p.until("请输入说明确认")
			p.send("已核实：在读大专预科")
			notes++
			continue
		}
		m := plainQuestion.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		id := m[3]
		if first {
			// The commands every prompt knows: help, repeat, and the language.
			first = false
			p.send("?")
			p.until("随时可用")
			p.send("r")
			if again := p.next(); again != l {
				t.Fatalf("r repeated %q, not %q", again, l)
			}
			p.send("lang en")
			if en := p.next(); !strings.HasPrefix(en, "Question 1 of") {
				t.Fatalf("lang en: %q", en)
			}
			p.send("lang zh")
			p.next()
		}
		if id == "R8" && notes == 0 {
			p.send("5")
			continue
		}
		v, ok := iv.Answers[id]
		if !ok {
			switch q := f.Question(id); {
			case strings.Contains(l, "现在的答案"):
				p.send("") // prefilled: enter keeps it
			case q.Type == forms.TypeText:
				p.send(row.Name) // the head of household: the child's own name will do
			case q.Type == forms.TypeResidentID:
				p.send(row.IDNumber)
			default:
				p.send("")
			}
			continue
		}
		p.send(formstest.Typed(v))
	}
	// The read-back: every section agreed.
	for {
		l := p.next()
		if strings.HasPrefix(l, "签名。1 被调查人本人签名") {
			break
		}
		if strings.HasPrefix(l, "对方同意请输入 y") {
			p.send("y")
		}
	}
	p.send("2")
	p.until("代签人姓名")
	p.send("王芳")
	p.until("关系")
	p.send("女儿")
	p.until("将显示为：王芳(代)")
	p.until("请输入你的口令签名")
	p.send("wrong-passphrase")
	p.until("口令不对")
	p.send(seed.Passphrase)
	p.until("已签名：王芳(代)")
	p.until("照片（已附 0 张）")
	p.send(photoPath)
	p.until("已附照片")
	p.until("照片（已附 1 张）")
	p.send("")
	p.until("这一户已完成")
	p.until("调查对象共")
	p.send("q")
	if code := p.end(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if notes != 1 {
		t.Fatalf("%d warnings confirmed, want 1 (C6)", notes)
	}

	// The leader hears the record, with its proxy signature and the note, and approves.
	p = startPlain(t, env, "--plain")
	p.until("用户代码")
	p.send("L001")
	p.until("口令")
	p.send(seed.Passphrase)
	p.until("组长：1 份记录待审核")
	p.send("1")
	p.until("待审核 1 份")
	p.until("输入编号打开")
	p.send("1")
	p.until("签名：王芳(代)（女儿）")
	p.until("调查员说明：已核实：在读大专预科")
	p.until("输入 a 通过")
	p.send("a")
	p.until("已通过：" + row.Name)
	p.until("组长：0 份记录待审核")
	p.send("q")
	if code := p.end(); code != 0 {
		t.Fatalf("leader: exit %d", code)
	}

	env["DOORSTEP_USER"], env["DOORSTEP_PASSPHRASE"] = "L001", seed.Passphrase
	code, out, errOut := runIn(t, env, "", "records", "export", "--json")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	var export struct {
		Records []localstore.Record `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &export); err != nil {
		t.Fatalf("export: %v\n%.500s", err, out)
	}
	var rec *localstore.Record
	for i := range export.Records {
		if export.Records[i].Subject == row.CertificateNumber {
			rec = &export.Records[i]
		}
	}
	if rec == nil {
		t.Fatalf("no record of %s in the export", row.CertificateNumber)
	}
	if rec.Status != localstore.StatusApproved || rec.Method != 1 || len(rec.Photos) != 1 {
		t.Errorf("record: status %s, method %d, %d photos", rec.Status, rec.Method, len(rec.Photos))
	}
	if string(rec.Answers["R8"]) != "5" {
		t.Errorf("R8 = %s, want 5", rec.Answers["R8"])
	}
	for id, v := range iv.Answers {
		if id == "R8" {
			continue
		}
		want, _ := forms.EncodeAnswer(v)
		var got bytes.Buffer
		if json.Compact(&got, rec.Answers[id]) != nil || got.String() != string(want) {
			t.Errorf("%s = %s, want %s", id, rec.Answers[id], want)
		}
	}
	if rec.Notes["C6@R8"] != "已核实：在读大专预科" {
		t.Errorf("notes %v", rec.Notes)
	}
	sig, ok := rec.RespondentSignature()
	if !ok || sig.Role != localstore.SignerProxy || sig.DisplayName() != "王芳(代)" || sig.Relation != "女儿" {
		t.Errorf("respondent signature %+v", sig)
	}
	if _, ok := rec.SignedBy(localstore.SignerEnumerator); !ok {
		t.Error("no enumerator signature")
	}
}

// TestPlainChosen: --plain, ACCESSIBLE=1 and plain: true choose plain mode (which works
// without a terminal); ACCESSIBLE=0 does not.
func TestPlainChosen(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "config.yaml", "plain: true\n")
	for _, tt := range []struct {
		name  string
		env   map[string]string
		args  []string
		plain bool
	}{
		{"--plain", map[string]string{"DOORSTEP_DATA": dir}, []string{"--plain"}, true},
		{"ACCESSIBLE=1", map[string]string{"DOORSTEP_DATA": dir, "ACCESSIBLE": "1"}, nil, true},
		{"DOORSTEP_PLAIN", map[string]string{"DOORSTEP_DATA": dir, "DOORSTEP_PLAIN": "true"}, nil, true},
		{"plain: true", map[string]string{"DOORSTEP_DATA": dir}, []string{"--config", cfg}, true},
		{"ACCESSIBLE=0", map[string]string{"DOORSTEP_DATA": dir, "ACCESSIBLE": "0"}, nil, false},
	} {
		code, out, errOut := runIn(t, tt.env, "", tt.args...)
		if got := strings.Contains(out, "朗读模式") && strings.Contains(out, "还没有用户") && code == 0; got != tt.plain {
			t.Errorf("%s: plain mode %v, want %v (exit %d)\n%s%s", tt.name, got, tt.plain, code, out, errOut)
		}
	}
}

// TestPlainCommunityFormIsOffered: doorstep --plain hands plain mode the community form
// the configuration names: v at the case list reads out the villages, a number opens
// the village's form on community-2021, and q pauses it.
func TestPlainCommunityFormIsOffered(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DOORSTEP_DATA": dir}
	if code, out, errOut := runIn(t, env, "", "demo", "--no-tui", "--data", dir, "--cases", "10", "--villages", "2", "--completed", "0"); code != 0 {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	p := startPlain(t, env, "--plain")
	p.until("用户代码")
	p.send("E001")
	p.until("口令")
	p.send(seed.Passphrase)
	if l := p.until("调查对象共"); !strings.Contains(l, "v 社区登记表") {
		t.Errorf("the case list does not offer the community form: %q", l)
	}
	p.send("v")
	p.until("社区登记表，每个村（社区）一份，共 2 个")
	p.until("1 ")
	p.send("1")
	p.until("打开：社区登记表")
	p.until("第 1 题，共")
	p.send("q")
	p.until("已暂停")
	p.send("")
	p.until("调查对象共")
	p.send("q")
	if code := p.end(); code != 0 {
		t.Errorf("exit %d", code)
	}
}
