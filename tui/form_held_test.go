package tui

import (
	"bytes"
	"maps"
	"strings"
	"testing"
)

// A wrong check digit typed into R2 mid-form makes the age and category unknown until
// it is corrected. Nothing is lost meanwhile: every answer is still there afterwards,
// as it was.
func TestFormKeepsEveryAnswerWhileTheCertificateIsMistyped(t *testing.T) {
	env := fixture(t, newClock(), true)
	iv := answersFor(t, env.PersonForm, fixtureRows()[1])
	m, _ := answerForm(t, startInterview(t, env, 80, 24), iv)
	before := maps.Clone(stored(t, m).Answers)
	good := fixtureRows()[1].CertificateNumber
	if !strings.Contains(string(before["R2"]), good) {
		t.Fatalf("R2 is %s, want %s", before["R2"], good)
	}
	bad := good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11]) + good[18:]

	m = jump(t, m, "R2")
	m = press(t, m, "ctrl+u", bad, "enter")
	mid := stored(t, m)
	if !strings.Contains(string(mid.Answers["R2"]), bad) {
		t.Fatalf("the mistyped number was not saved (R2 %s): the test proves nothing", mid.Answers["R2"])
	}
	held := 0
	for id, v := range before {
		if id != "R2" && !bytes.Equal(mid.Answers[id], v) {
			t.Errorf("with R2 mistyped, %s is %s, was %s", id, mid.Answers[id], v)
		}
		held++
	}
	if fs := form(t, m); len(fs.res.Held) == 0 {
		t.Errorf("nothing is held while R2 is invalid; relevant %v", fs.res.Relevant)
	}
	if strings.Contains(screenText(m), "已清除") {
		t.Errorf("a mistyped number clears nothing:\n%s", screenText(m))
	}

	m = jump(t, m, "R2")
	m = press(t, m, "ctrl+u", good, "enter")
	after := stored(t, m).Answers
	if len(after) != len(before) {
		t.Errorf("%d answers after the correction, %d before", len(after), len(before))
	}
	for id, v := range before {
		if !bytes.Equal(after[id], v) {
			t.Errorf("after the correction %s is %s, was %s", id, after[id], v)
		}
	}
	if fs := form(t, m); len(fs.res.Held) != 0 {
		t.Errorf("still held after the correction: %v", fs.res.Held)
	}
}

// An answer cleared because another changed comes back, as it was, when the other is
// changed back within the interview, and the screen says so.
func TestFormRestoresAClearedAnswer(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := jump(t, startInterview(t, env, 80, 24), "R6")
	m = press(t, m, "2", "4", "2") // not in an institution; a dilapidated dwelling, of type 2
	if v := stored(t, m).Answers["R7a"]; string(v) != "2" {
		t.Fatalf("R7a = %s, want 2", v)
	}
	m = jump(t, m, "R7")
	m = press(t, m, "1")
	if _, ok := stored(t, m).Answers["R7a"]; ok {
		t.Fatal("R7a not cleared by R7 = 1")
	}
	m = jump(t, m, "R7")
	m = press(t, m, "4")
	rec := stored(t, m)
	if string(rec.Answers["R7a"]) != "2" {
		t.Errorf("R7 back to 4: R7a = %s, want 2 restored", rec.Answers["R7a"])
	}
	if !strings.Contains(screenText(m), "已恢复：R7a") {
		t.Errorf("the screen does not say R7a came back:\n%s", screenText(m))
	}
	audit, _ := m.env.Session.Audit(rec.ID)
	last := audit[len(audit)-1]
	if last.Question != "R7a" || string(last.New) != "2" || last.Old != nil {
		t.Errorf("the restoring is not in the audit: %+v", last)
	}
}

// A 20-digit card's category and level are not asked (R2b, R2c): the first answer
// does not claim to clear them.
func TestFormFirstAnswerClearsNothingNobodySaw(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := startInterview(t, env, 80, 24)
	if _, ok := stored(t, m).Answers["R2b"]; ok {
		t.Error("R2b prefilled on a 20-digit card, where it is not asked")
	}
	m = press(t, m, "enter", "enter", "1")
	if strings.Contains(screenText(m), "已清除") {
		t.Errorf("the first answers name questions nobody saw:\n%s", screenText(m))
	}
}

// A note confirms one value: a new value withdraws it, and the warning asks again.
func TestFormWarningNoteConfirmsOneValue(t *testing.T) {
	env := fixture(t, newClock(), true)
	young := person("少年", "李家村", "20050301", 13, 4, 3) // a man of 16: married is unusual (C7)
	m := jump(t, startInterview(t, env, 80, 24), "R2")
	m = press(t, m, "ctrl+u", young.CertificateNumber, "enter")
	m = jump(t, m, "R3")
	m = press(t, m, "2")
	if fs := form(t, m); fs.warnKey != "C7@R3" {
		t.Fatalf("R3 = 2 at 16: warning %q, want C7@R3:\n%s", fs.warnKey, screenText(m))
	}
	m = press(t, m, "enter", "早婚，已核实", "enter")
	if n := stored(t, m).Notes["C7@R3"]; n == "" {
		t.Fatalf("the note was not kept: %v", stored(t, m).Notes)
	}
	jumpState := func(m Model) string {
		for _, it := range newJumpList(form(t, m)).items {
			if it.id == "R3" {
				return it.state
			}
		}
		return ""
	}
	if st := jumpState(m); st != "✓" {
		t.Errorf("F4 shows R3 as %q with its warning confirmed, want ✓", st)
	}
	m = jump(t, m, "R3")
	m = press(t, m, "1")
	if n, ok := stored(t, m).Notes["C7@R3"]; ok {
		t.Errorf("R3 changed to 1, the note on 2 stays: %q", n)
	}
	m = jump(t, m, "R3")
	m = press(t, m, "2")
	if fs := form(t, m); fs.warnKey != "C7@R3" || fs.cur != "R3" {
		t.Errorf("R3 back to 2: the warning is not asked again (at %s, warning %q):\n%s", fs.cur, fs.warnKey, screenText(m))
	}
	if st := jumpState(m); st != "!" {
		t.Errorf("F4 shows R3 as %q with its warning not confirmed for this value, want !", st)
	}
}
