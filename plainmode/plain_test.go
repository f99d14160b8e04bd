package plainmode

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/localstore/localstoretest"
	"github.com/doorstep-survey/doorstep/roster"
)

const pass = "test-pass-1"

// store is a data file with a leader L001 and an enumerator E001 of the demo roster's
// villages, and the roster; cheap passphrases.
func store(t *testing.T) (*localstore.DB, []roster.Row) {
	t.Helper()
	db := localstoretest.Open(t)
	rows := demo.Generate(demo.Options{Seed: 3, Cases: 12, Villages: 1}).Rows
	leader, err := db.Setup(localstore.User{Code: "L001", Name: "王组长", Role: localstore.RoleLeader}, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := leader.AddUser(localstore.User{Code: "E001", Name: "李调查", Role: localstore.RoleEnumerator}, pass); err != nil {
		t.Fatal(err)
	}
	if _, err := leader.ImportRoster(rows, "roster.xlsx"); err != nil {
		t.Fatal(err)
	}
	return db, rows
}

// driver is plain mode on a pipe: it reads what is said and types lines.
type driver struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan string
	done  chan error
	heard []string
}

func start(t *testing.T, db *localstore.DB, f *forms.Form) *driver {
	t.Helper()
	reg, err := forms.NewRegistry(f)
	if err != nil {
		t.Fatal(err)
	}
	return startWith(t, Options{DB: db, PersonForm: f, Forms: reg})
}

// startWith is plain mode with the options o, in Chinese, on a pipe.
func startWith(t *testing.T, o Options) *driver {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	d := &driver{t: t, in: inW, lines: make(chan string, 1000), done: make(chan error, 1)}
	o.Lang, o.In, o.Out = "zh", inR, outW
	go func() {
		err := Run(context.Background(), o)
		outW.Close()
		d.done <- err
	}()
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		close(d.lines)
	}()
	t.Cleanup(func() { inW.Close(); io.Copy(io.Discard, outR) })
	return d
}

func (d *driver) next() string {
	d.t.Helper()
	select {
	case l, ok := <-d.lines:
		if !ok {
			d.t.Fatalf("plain mode ended:\n%s", d.tail())
		}
		d.heard = append(d.heard, l)
		return l
	case <-time.After(20 * time.Second):
		d.t.Fatalf("nothing said:\n%s", d.tail())
	}
	return ""
}

func (d *driver) tail() string { return strings.Join(d.heard[max(0, len(d.heard)-25):], "\n") }

func (d *driver) until(want string) string {
	d.t.Helper()
	for {
		if l := d.next(); strings.Contains(l, want) {
			return l
		}
	}
}

func (d *driver) send(l string) {
	d.t.Helper()
	d.heard = append(d.heard, "> "+l)
	if _, err := io.WriteString(d.in, l+"\n"); err != nil {
		d.t.Fatal(err)
	}
}

func (d *driver) end() {
	d.t.Helper()
	d.in.Close()
	for l := range d.lines {
		d.heard = append(d.heard, l)
	}
	if err := <-d.done; err != nil {
		d.t.Fatalf("plain mode: %v", err)
	}
	// Plain lines only: no escape sequence, no box or braille character.
	for _, l := range d.heard {
		for _, r := range l {
			if r == 0x1b || r >= 0x2500 && r <= 0x257f || r >= 0x2800 && r <= 0x28ff {
				d.t.Errorf("%U in a plain line: %q", r, l)
			}
		}
	}
}

var question = regexp.MustCompile(`^第 (\d+) 题，共 (\d+) 题，([A-Z][0-9A-Za-z]*)。`)

func unlock(d *driver, code string) {
	d.until("用户代码")
	d.send(code)
	d.until("口令")
	d.send(pass)
	d.until("已登录")
}

// TestPlainCorrectReturnAndResume: a wrong passphrase and a wrong code are new lines; a
// sentence corrected at the read-back; a home visit completed without a photo after the
// second enter; the leader returns it with a comment on R3; the enumerator hears the
// comment and the form opens at R3.
func TestPlainCorrectReturnAndResume(t *testing.T) {
	f := formstest.Person2021(t)
	db, rows := store(t)
	var row roster.Row
	var iv demo.Interview
	for _, r := range rows {
		iv = demo.Answer(f, r, rand.New(rand.NewPCG(1, 7)), time.Time{})
		if _, ok := iv.Answers["R3"]; ok && iv.Outcome == localstore.OutcomeInterviewed {
			row = r
			break
		}
	}
	if row.Name == "" {
		t.Fatal("no adult interviewed in the roster")
	}

	d := start(t, db, f)
	d.until("用户代码")
	d.send("E001")
	d.until("口令")
	d.send("wrong-pass")
	d.until("用户代码或口令不对")
	d.until("用户代码")
	d.send("E001")
	d.until("口令")
	d.send(pass)
	d.until("调查对象共")
	d.send("不存在的人")
	d.until("没有找到")
	d.until("调查对象共")
	d.send(row.Name)
	d.until("调查方式。")
	d.send("7")
	d.until("不是可选的编号")
	d.send("1")
	d.until("调查结果。")
	d.send("1")
	first := true
	for {
		l := d.next()
		if strings.HasPrefix(l, "宣读第 1 部分") {
			break
		}
		if strings.HasPrefix(l, "提示：") {
			d.until("请输入说明确认")
			d.send("已核实")
			continue
		}
		m := question.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if q := f.Question(m[3]); first && q.Type.IsChoice() {
			first = false
			d.send("99")
			d.until("不是可选的编号，可选：")
			d.send("lang en")
			if en := d.next(); !strings.HasPrefix(en, "Question ") {
				t.Fatalf("lang en: %q", en)
			}
			d.send("lang zh")
			d.next()
		}
		v, ok := iv.Answers[m[3]]
		switch {
		case ok:
			d.send(formstest.Typed(v))
		case strings.Contains(l, "现在的答案"):
			d.send("")
		case f.Question(m[3]).Type == forms.TypeText:
			d.send(row.Name)
		default:
			d.send("")
		}
	}
	// The first sentence is the name: corrected, and the part read again with it.
	d.until("对方同意请输入 y")
	d.send("1")
	l := d.until("R1。")
	if !strings.Contains(l, "现在的答案："+row.Name) {
		t.Errorf("the correction does not open the name: %q", l)
	}
	d.send(row.Name + "甲")
	d.until("宣读第 1 部分")
	d.until("1. 姓名：" + row.Name + "甲")
	for {
		l := d.next()
		if strings.HasPrefix(l, "签名。") {
			break
		}
		if strings.HasPrefix(l, "对方同意请输入 y") {
			d.send("y")
		}
	}
	d.send("1")
	d.until("签名人姓名，直接回车即 " + row.Name)
	d.send("")
	d.until("请输入你的口令签名")
	d.send(pass)
	d.until("已签名：" + row.Name)
	d.until("照片（已附 0 张）")
	d.send("/no/such/photo.jpg")
	d.until("打不开文件")
	d.send("")
	d.until("入户调查应附照片")
	d.send("")
	d.until("这一户已完成")
	d.until("调查对象共")
	d.send("q")
	d.end()

	// The leader returns it with a comment on R3.
	d = start(t, db, f)
	unlock(d, "L001")
	d.until("1 份记录待审核")
	d.send("1")
	d.until("输入编号打开")
	d.send("1")
	d.until("R1 姓名：" + row.Name + "甲")
	d.until("输入 a 通过")
	d.send("R3 请核实婚姻状况")
	d.until("已记下对 R3 的意见")
	d.until("输入 a 通过")
	d.send("a")
	d.until("已经写了意见，不能通过")
	d.until("输入 a 通过")
	d.send("x")
	d.until("已退回：")
	d.until("组长：0 份记录待审核")
	d.send("q")
	d.end()

	// The enumerator hears the comment and the form opens at R3.
	d = start(t, db, f)
	unlock(d, "E001")
	d.until("调查对象共")
	d.send(row.Name)
	d.until("组长意见 R3：请核实婚姻状况")
	l = d.until("题，")
	if m := question.FindStringSubmatch(l); m == nil || m[3] != "R3" {
		t.Errorf("a returned record opens at %q, not R3", l)
	}
	d.send("q")
	d.until("已暂停")
	d.until("调查对象共")
	d.send("q")
	d.end()

	sess, err := db.Unlock("E001", pass)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := sess.Records()
	if len(all) != 1 || all[0].Status != localstore.StatusReturned || string(all[0].Answers["R1"]) != strconv.Quote(row.Name+"甲") {
		t.Errorf("records: %d, %+v", len(all), all)
	}
}

// TestPlainStopsWhenCancelled: a cancelled context ends a wait for a line.
func TestPlainStopsWhenCancelled(t *testing.T) {
	f := formstest.Person2021(t)
	db, _ := store(t)
	reg, _ := forms.NewRegistry(f)
	inR, inW := io.Pipe()
	defer inW.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{DB: db, PersonForm: f, Forms: reg, In: inR, Out: io.Discard}) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("cancelled: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("plain mode went on waiting for a line after the context was cancelled")
	}
}
