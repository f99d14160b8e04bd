package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/doorstep-survey/doorstep/speech"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// toReadBack is 李四's finished form on the read-back screen.
func toReadBack(t *testing.T, env *Env, w, h int) Model {
	t.Helper()
	m := finishForm(t, env, w, h)
	for range 5 {
		if _, ok := m.screen.(*readBackScreen); ok {
			return m
		}
		m = press(t, m, "enter")
	}
	t.Fatalf("not on the read-back:\n%s", screenText(m))
	return m
}

// TestA11yScreensGolden: the respondent's view and the read-back with its speech keys,
// at 80×24 and 120×40, in Chinese and English.
func TestA11yScreensGolden(t *testing.T) {
	shots := []struct {
		name  string
		build func(t *testing.T, env *Env, w, h int) Model
	}{
		{"readback", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, toReadBack(t, env, w, h), "down")
		}},
		{"respondent", func(t *testing.T, env *Env, w, h int) Model {
			return press(t, toReadBack(t, env, w, h), "down", "v")
		}},
		{"respondent-last", func(t *testing.T, env *Env, w, h int) Model {
			m := press(t, toReadBack(t, env, w, h), "v")
			for range 40 {
				m = press(t, m, "right")
			}
			return m
		}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, lang := range []string{"zh", "en"} {
			for _, shot := range shots {
				t.Run(fmt.Sprintf("%dx%d-%s/%s", size[0], size[1], lang, shot.name), func(t *testing.T) {
					env := fixture(t, newClock(), true)
					env.Lang = lang
					m := shot.build(t, env, size[0], size[1])
					out := screenText(m)
					assertFits(t, out, size[0], size[1])
					golden.RequireEqual(t, out)
				})
			}
		}
	}
}

// TestRespondentViewShowsOnlyTheirOwn: the respondent's own numbers in full, one
// sentence at a time, and no other person's name from the roster.
func TestRespondentViewShowsOnlyTheirOwn(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := press(t, toReadBack(t, env, 80, 24), "v")
	rs, ok := m.screen.(*respondentScreen)
	if !ok {
		t.Fatalf("v does not open the respondent's view:\n%s", screenText(m))
	}
	sents := rs.sentences()
	row := fixtureRows()[1]
	var seen []string
	for i := range sents {
		out := screenText(m)
		seen = append(seen, out)
		flat := strings.Join(strings.Fields(out), "")
		if !strings.Contains(flat, strings.Join(strings.Fields(sents[i].text), "")) {
			t.Errorf("sentence %d not shown whole: %q\n%s", i, sents[i].text, out)
		}
		for j, other := range sents {
			if j != i && len([]rune(other.text)) > 8 && strings.Contains(flat, strings.Join(strings.Fields(other.text), "")) {
				t.Errorf("sentence %d shows another sentence too: %q", i, other.text)
			}
		}
		m = press(t, m, "right")
	}
	all := strings.Join(strings.Fields(strings.Join(seen, "\n")), "")
	if !strings.Contains(all, row.CertificateNumber) {
		t.Errorf("the respondent's certificate number %s is not shown in full", row.CertificateNumber)
	}
	for i, other := range fixtureRows() {
		if i != 1 && len([]rune(other.Name)) >= 2 && strings.Contains(all, other.Name) && !strings.Contains(row.Name, other.Name) {
			t.Errorf("another person's name %q is shown", other.Name)
		}
	}
	if m = press(t, m, "esc"); func() bool { _, ok := m.screen.(*readBackScreen); return !ok }() {
		t.Errorf("esc does not return to the read-back:\n%s", screenText(m))
	}
}

// fakeVoice records what it is asked to say; err is what it answers.
type fakeVoice struct {
	mu   sync.Mutex
	said []string
	err  func() error
}

func (v *fakeVoice) Speak(_ context.Context, text, lang string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.said = append(v.said, lang+":"+text)
	if v.err != nil {
		return v.err()
	}
	return nil
}

// TestReadBackSpeaks: s speaks the selected sentence, a the whole section; speech that
// is missing says how to install it the first time and briefly after; a program without
// speech says so.
func TestReadBackSpeaks(t *testing.T) {
	env := fixture(t, newClock(), true)
	v := &fakeVoice{}
	env.Speech = v
	m := press(t, toReadBack(t, env, 80, 24), "down", "s")
	rb := m.screen.(*readBackScreen)
	sec := rb.sections()[rb.section]
	if len(v.said) != 1 || v.said[0] != "zh:"+clean(sec.Lines[1].Text) {
		t.Fatalf("s said %q, want the second sentence %q", v.said, sec.Lines[1].Text)
	}
	m = press(t, m, "a")
	if len(v.said) != 2 || !strings.HasPrefix(v.said[1], "zh:"+clean(sec.Title)+"。") || !strings.Contains(v.said[1], clean(sec.Lines[len(sec.Lines)-1].Text)) {
		t.Fatalf("a said %q", v.said[1])
	}
	m = press(t, m, "f2", "s")
	if !strings.HasPrefix(v.said[2], "en:") {
		t.Errorf("English read-back spoken as %q", v.said[2])
	}
	m = press(t, m, "f2")

	calls := 0
	v.err = func() error {
		calls++
		return &speech.MissingError{Install: [2]string{"朗读需要 espeak-ng：请安装", "install espeak-ng"}, First: calls == 1}
	}
	m = press(t, m, "s")
	if !strings.Contains(screenText(m), "朗读需要 espeak-ng：请安装") {
		t.Errorf("the install hint is not shown:\n%s", screenText(m))
	}
	m = press(t, m, "s")
	if out := screenText(m); strings.Contains(out, "请安装") || !strings.Contains(out, tr("zh", "speech.missing")) {
		t.Errorf("the install hint again, or nothing:\n%s", out)
	}
	// The read-back still works: enter agrees to the section.
	before := len(rb.iv.rec.Confirmed)
	m = press(t, m, "enter")
	if rb, ok := m.screen.(*readBackScreen); ok && len(rb.iv.rec.Confirmed) != before+1 {
		t.Error("speech missing stopped the read-back")
	}

	env2 := fixture(t, newClock(), true)
	m = press(t, toReadBack(t, env2, 80, 24), "s")
	if !strings.Contains(screenText(m), tr("zh", "speech.none")) {
		t.Errorf("no speech: %s", screenText(m))
	}
}

func TestSpaceOut(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"婚姻状况：有配偶", "婚 姻 状 况 ： 有 配 偶"},
		{"联系电话：13800000014", "联 系 电 话 ： 138 0000 0014"},
		{"残疾人证号：41010219410211014022", "残 疾 人 证 号 ： 4101 0219 4102 1101 4022"},
		{"身份证号：41018819660223724X", "身 份 证 号 ： 4101 8819 6602 2372 4X"},
		{"Age: 45", "Age: 45"},
	} {
		if got := spaceOut(tt.in); got != tt.want {
			t.Errorf("spaceOut(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkPlaceCursor is what the real cursor adds to every frame: finding the mark in
// a 120×40 screen of Chinese text and measuring the line up to it.
func BenchmarkPlaceCursor(b *testing.B) {
	line := strings.Repeat("残疾人证号：41010219410211014022　", 3)
	lines := make([]string, 40)
	for i := range lines {
		lines[i] = line
	}
	lines[30] = "  联系人姓名  王芳" + cursorMark + "    "
	frame := strings.Join(lines, "\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, c := placeCursor(frame); c == nil || c.Y != 30 {
			b.Fatal("no cursor")
		}
	}
}

// TestRealCursorInADialog: a dialog's field takes the cursor from the screen under it
// (the day's search field), placed by cells too.
func TestRealCursorInADialog(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := unlocked(t, env, testEnumerator, 80, 24)
	under := m.View().Cursor
	if under == nil {
		t.Fatal("the day's search field has no cursor")
	}
	c := m.screen.(*todayScreen).common
	m = send(t, m, openOverlayMsg{newAsk(c, both("warnnote"), both("warnnote"), both("warnnote"), func(string) tea.Msg { return nil })})
	m = press(t, m, "王芳ab")
	v := m.View()
	if v.Cursor == nil {
		t.Fatal("no cursor in the dialog")
	}
	lines := strings.Split(screenText(m), "\n")
	line := lines[v.Cursor.Y]
	i := strings.Index(line, "王芳ab")
	if i < 0 {
		t.Fatalf("the cursor is on line %d, not the dialog's field: %q", v.Cursor.Y, line)
	}
	if want := textwidth.Width(line[:i]) + 6; v.Cursor.X != want {
		t.Errorf("cursor at column %d, want %d", v.Cursor.X, want)
	}
}

// TestRespondentViewSpeaks: s speaks the sentence shown, and moving on stops it.
func TestRespondentViewSpeaks(t *testing.T) {
	env := fixture(t, newClock(), true)
	v := &fakeVoice{}
	env.Speech = v
	m := press(t, toReadBack(t, env, 80, 24), "v", "right", "s")
	rs := m.screen.(*respondentScreen)
	if want := "zh:" + rs.sentences()[1].text; len(v.said) != 1 || v.said[0] != want {
		t.Errorf("said %q, want %q", v.said, want)
	}
}
