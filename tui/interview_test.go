package tui

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/forms/formstest"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

// photoDir is a folder with one photo of a visit, for the photo screen.
func photoDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 2400, 1800))
	for y := 0; y < 1800; y += 7 {
		for x := 0; x < 2400; x += 5 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "visit.jpg"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// answersFor is a complete interview of the row, as the demo's respondents answer.
func answersFor(t testing.TB, f *forms.Form, row roster.Row) demo.Interview {
	t.Helper()
	for seed := uint64(1); seed < 200; seed++ {
		iv := demo.Answer(f, row, rand.New(rand.NewPCG(seed, 7)), time.Time{})
		if iv.Outcome == localstore.OutcomeInterviewed {
			return iv
		}
	}
	t.Fatal("no interview")
	return demo.Interview{}
}

// answerForm drives the form screen with keys until its end, answering as iv says;
// warnings are confirmed with a note. It returns the notes kept.
func answerForm(t *testing.T, m Model, iv demo.Interview) (Model, int) {
	t.Helper()
	return answerUntil(t, m, iv, func(*formScreen) bool { return false })
}

// answerUntil is answerForm stopping at the first question stop accepts.
func answerUntil(t *testing.T, m Model, iv demo.Interview, stop func(*formScreen) bool) (Model, int) {
	t.Helper()
	warnings := 0
	for step := 0; step < 500; step++ {
		fs, ok := m.screen.(*formScreen)
		if !ok {
			t.Fatalf("left the form:\n%s", screenText(m))
		}
		if fs.cur == "" || stop(fs) {
			return m, warnings
		}
		q, before := fs.ed.q, fs.cur
		if fs.warnKey != "" {
			warnings++
			m = press(t, m, "enter", "已核实，情况属实", "enter")
			if fs, _ := m.screen.(*formScreen); fs != nil && fs.cur == before && fs.warnKey != "" {
				t.Fatalf("warning at %s not confirmed:\n%s", before, screenText(m))
			}
			continue
		}
		want, has := iv.Answers[q.ID]
		switch {
		case !has:
			if q.Type.IsChoice() {
				m = press(t, m, "backspace")
			} else {
				m = press(t, m, "ctrl+u")
			}
			m = press(t, m, "enter")
		case q.Type == forms.TypeSingle:
			m = press(t, m, strconv.Itoa(want.(int)))
			if fs := m.screen.(*formScreen); fs.cur == before && fs.err[0] == "" && fs.warnKey == "" {
				m = press(t, m, "enter") // a code that a longer one starts with waits for enter
			}
		case q.Type == forms.TypeMultiple:
			for _, code := range want.([]int) {
				m = press(t, m, strconv.Itoa(code))
				if fs := m.screen.(*formScreen); !fs.ed.isChosen(code) {
					m = press(t, m, "space")
				}
			}
			if fs := m.screen.(*formScreen); !slices.Equal(fs.ed.chosen, want.([]int)) {
				t.Fatalf("%s: chose %v, want %v", q.ID, fs.ed.chosen, want)
			}
			m = press(t, m, "enter")
		default:
			m = press(t, m, "ctrl+u", formstest.Typed(want), "enter")
		}
		if fs := m.screen.(*formScreen); fs.cur == before && fs.err[0] != "" {
			t.Fatalf("%s stopped with %q:\n%s", before, fs.err[0], screenText(m))
		}
	}
	t.Fatal("the form did not end")
	return m, 0
}

// TestWholeInterview drives a whole interview of person-2021 through the screens at
// 80×24: find the case, method and outcome, every question, warnings confirmed with
// a note, the read-back section by section, a proxy's signature, the enumerator's
// passphrase, a photo, done — and then reads the record from the store.
func TestWholeInterview(t *testing.T) {
	env := fixture(t, newClock(), true)
	env.PhotosDir = photoDir(t)
	row := fixtureRows()[1] // 李四, not started
	iv := answersFor(t, env.PersonForm, row)
	// A telephone interview with no phone number recorded: check C8 warns at R5, and
	// the enumerator confirms it with a note.
	delete(iv.Answers, "R5")

	m := unlocked(t, env, testEnumerator, 80, 24)
	m = press(t, m, "lisi", "enter")
	if _, ok := m.screen.(*caseScreen); !ok {
		t.Fatalf("not on the case:\n%s", screenText(m))
	}
	m = press(t, m, "enter", "2", "enter", "1", "enter")
	if _, ok := m.screen.(*formScreen); !ok {
		t.Fatalf("not on the form:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "第 1 题") {
		t.Errorf("the form does not open at its first question:\n%s", screenText(m))
	}
	m, warnings := answerForm(t, m, iv)
	if !strings.Contains(screenText(m), "按 enter 开始宣读") {
		t.Fatalf("the end of the form does not lead to the read-back:\n%s", screenText(m))
	}

	m = press(t, m, "enter")
	for i := 0; i < 20; i++ {
		if _, ok := m.screen.(*readBackScreen); !ok {
			break
		}
		m = press(t, m, "enter")
	}
	if _, ok := m.screen.(*signScreen); !ok {
		t.Fatalf("read-back did not lead to the signatures:\n%s", screenText(m))
	}
	m = press(t, m, "2", "tab", "ctrl+u", "李秀英", "tab", "配偶", "tab")
	// A signature drawn on the pad with the mouse.
	screenText(m) // the pad is placed when the screen is drawn
	ss := m.screen.(*signScreen)
	m = send(t, m, mouseClick(ss.padLeft+2, ss.padTop+1))
	m = send(t, m, mouseMotion(ss.padLeft+12, ss.padTop+3))
	m = send(t, m, mouseRelease(ss.padLeft+12, ss.padTop+3))
	m = press(t, m, "tab", "wrong-passphrase", "enter")
	if !strings.Contains(screenText(m), "口令不对") {
		t.Fatalf("a wrong passphrase was not refused:\n%s", screenText(m))
	}
	m = press(t, m, testPass)
	next, cmd := m.Update(keyMsg("enter"))
	m = next.(Model)
	if !strings.Contains(screenText(m), "正在签字… ▱▱▱▱▱▱▱▱▱▱ 0.0 s") {
		t.Errorf("no progress while the passphrase is checked:\n%s", screenText(m))
	}
	m = update(t, m, cmd)
	if _, ok := m.screen.(*photoScreen); !ok {
		t.Fatalf("the signatures did not lead to the photo:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if !strings.Contains(screenText(m), "已附照片 1 张") {
		t.Fatalf("the photo was not attached:\n%s", screenText(m))
	}
	m = press(t, m, "f6")
	if !strings.Contains(screenText(m), "已加入待上报队列") {
		t.Fatalf("not completed:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if _, ok := m.screen.(*todayScreen); !ok {
		t.Fatalf("done did not return to today:\n%s", screenText(m))
	}

	sess := m.env.Session
	c, err := sess.CaseByNumber(row.CertificateNumber)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := sess.RecordFor(c.ID, env.PersonForm.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != localstore.StatusCompleted || rec.Method != 2 || rec.Outcome != 1 {
		t.Errorf("record is %s, method %d, outcome %d", rec.Status, rec.Method, rec.Outcome)
	}
	got, err := env.PersonForm.DecodeAnswers(rec.Answers)
	if err != nil {
		t.Fatal(err)
	}
	res := env.PersonForm.Evaluate(got, forms.Context{"method": 2, "outcome": 1})
	if !res.Complete {
		t.Errorf("stored answers are not complete: missing %v, findings %v", res.Missing, res.Findings)
	}
	for id, v := range got {
		if want, ok := iv.Answers[id]; ok && !reflect.DeepEqual(v, want) {
			t.Errorf("%s = %#v, want %#v", id, v, want)
		}
	}
	if len(rec.Notes) != warnings || rec.Notes["C8@R5"] != "已核实，情况属实" {
		t.Errorf("%d notes kept for %d warnings confirmed", len(rec.Notes), warnings)
	}
	sig, ok := rec.RespondentSignature()
	if !ok || sig.DisplayName() != "李秀英(代)" || sig.Relation != "配偶" || len(sig.Strokes) != 1 {
		t.Errorf("respondent signature %+v", sig)
	}
	if enum, ok := rec.SignedBy(localstore.SignerEnumerator); !ok || enum.Name != "李调查" {
		t.Errorf("enumerator signature %+v", enum)
	}
	if len(rec.Photos) != 1 || rec.Photos[0].Type != "image/jpeg" {
		t.Errorf("photos %+v", rec.Photos)
	}
	if probs, err := sess.Verify(); err != nil || len(probs) != 0 {
		t.Errorf("verify: %v %v", probs, err)
	}
	raw, _ := json.Marshal(rec.Answers)
	t.Logf("%d answers, %d warnings confirmed, %d bytes of answers", len(rec.Answers), warnings, len(raw))
}
