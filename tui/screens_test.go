package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// toSign is 李四's interview read back, on the signature screen.
func toSign(t *testing.T, env *Env) Model {
	t.Helper()
	m := finishForm(t, env, 80, 24)
	for i := 0; i < 20; i++ {
		m = press(t, m, "enter")
		if _, ok := m.screen.(*signScreen); ok {
			return m
		}
	}
	t.Fatalf("not on the signatures:\n%s", screenText(m))
	return m
}

func TestSignScreenRefuses(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want string
	}{
		{"a proxy without a relation", []string{"2", "tab", "王芳", "tab", "tab", "tab", testPass, "enter"}, "代签须写明与本人的关系"},
		{"no signer's name", []string{"tab", "ctrl+u", "tab", "tab", testPass, "enter"}, "请填写签字人姓名"},
		{"no passphrase", []string{"tab", "tab", "tab", "enter"}, "请输入你的口令签字"},
		{"a wrong passphrase", []string{"tab", "tab", "tab", "not-my-pass", "enter"}, "口令不对"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fixture(t, newClock(), true)
			m := press(t, toSign(t, env), tt.keys...)
			if _, ok := m.screen.(*signScreen); !ok || !strings.Contains(screenText(m), tt.want) {
				t.Fatalf("want %q on the signature screen:\n%s", tt.want, screenText(m))
			}
			rec := m.screen.(*signScreen).iv.rec
			if got, _ := m.env.Session.Record(rec.ID); len(got.Signatures) != 0 {
				t.Errorf("signed anyway: %+v", got.Signatures)
			}
		})
	}
}

func TestSignPadClearsAndSwitchesSigner(t *testing.T) {
	env := fixture(t, newClock(), true)
	m := toSign(t, env)
	screenText(m)
	ss := m.screen.(*signScreen)
	if ss.name.Value() != "李四" {
		t.Errorf("the respondent's name is not offered: %q", ss.name.Value())
	}
	m = press(t, m, "2")
	if ss.name.Value() != "" || !ss.proxy {
		t.Errorf("a proxy starts with the respondent's name: %q", ss.name.Value())
	}
	m = press(t, m, "1")
	if ss.name.Value() != "李四" {
		t.Errorf("back to the respondent: %q", ss.name.Value())
	}
	m = send(t, m, mouseClick(ss.padLeft+1, ss.padTop))
	m = send(t, m, mouseMotion(ss.padLeft+5, ss.padTop+1))
	m = send(t, m, mouseRelease(ss.padLeft+5, ss.padTop+1))
	if len(ss.pad.strokes) != 1 || !strings.ContainsAny(screenText(m), "⠁⠂⠄⡀⠈⠐⠠⢀⠒⠤") {
		t.Fatalf("the stroke is not drawn:\n%s", screenText(m))
	}
	m = press(t, m, "f8")
	if len(ss.pad.strokes) != 0 {
		t.Error("F8 did not clear the pad")
	}
	// A click outside the pad draws nothing.
	m = send(t, m, mouseClick(0, 0))
	send(t, m, mouseMotion(3, 3))
	if len(ss.pad.strokes) != 0 {
		t.Error("a click outside the pad drew")
	}
}

func TestPhotoScreenRefuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a-fake.jpg"), []byte("not a jpeg at all"), 0o600)
	os.WriteFile(filepath.Join(dir, "b-notes.txt"), []byte("text"), 0o600)
	env := fixture(t, newClock(), true)
	env.PhotosDir = dir
	m := toSign(t, env)
	m = press(t, m, "tab", "tab", "tab", testPass, "enter")
	if _, ok := m.screen.(*photoScreen); !ok {
		t.Fatalf("not on the photo:\n%s", screenText(m))
	}
	m = press(t, m, "enter")
	if !strings.Contains(screenText(m), "这不是 JPG 或 PNG 照片") {
		t.Errorf("a fake JPEG was not refused:\n%s", screenText(m))
	}
	m = press(t, m, "down", "enter")
	if !strings.Contains(screenText(m), "这不是 JPG 或 PNG 照片") {
		t.Errorf("a text file was not refused:\n%s", screenText(m))
	}
	// A home visit without a photo asks once more before it completes.
	m = press(t, m, "f6")
	if ps := m.screen.(*photoScreen); ps.done || !strings.Contains(screenText(m), "再按一次 F6") {
		t.Fatalf("completed a home visit without a photo at once:\n%s", screenText(m))
	}
	m = press(t, m, "f6")
	if ps := m.screen.(*photoScreen); !ps.done || len(ps.iv.rec.Photos) != 0 {
		t.Fatalf("not completed on the second F6:\n%s", screenText(m))
	}
}

func TestImportScreenRefuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "old.xls"), []byte("\xd0\xcf\x11\xe0 an old workbook"), 0o600)
	os.WriteFile(filepath.Join(dir, "empty.csv"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "photo.jpg"), []byte("x"), 0o600)
	env := fixture(t, newClock(), true)
	env.RosterDir = dir
	m := unlocked(t, env, testLeader, 80, 24)
	m = press(t, m, "f7", "enter") // empty.csv comes first
	if !strings.Contains(screenText(m), "出错了") || !strings.Contains(screenText(m), "empty") {
		t.Errorf("an empty roster was not refused:\n%s", screenText(m))
	}
	m = press(t, m, "down", "enter")
	if !strings.Contains(screenText(m), ".xlsx") {
		t.Errorf("an old .xls was not refused with a hint:\n%s", screenText(m))
	}
	if _, ok := m.screen.(*importScreen); !ok || m.screen.(*importScreen).read != nil {
		t.Errorf("a refused file was read")
	}
}
