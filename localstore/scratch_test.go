package localstore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	db := openTest(t, t.TempDir())
	out := t.TempDir()
	target := filepath.Join(out, "register.xlsx")
	if err := db.WriteFile(target, func(f *os.File) error { _, err := f.WriteString("names"); return err }); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(target); string(data) != "names" {
		t.Fatalf("target holds %q", data)
	}
	// A failed write leaves the old file and nothing beside it.
	if err := db.WriteFile(target, func(f *os.File) error { f.WriteString("half"); return errors.New("disk full") }); err == nil {
		t.Fatal("a failed write said nothing")
	}
	if data, _ := os.ReadFile(target); string(data) != "names" {
		t.Fatalf("a failed write replaced the file: %q", data)
	}
	for _, dir := range []string{out, db.TempDir()} {
		if entries, _ := os.ReadDir(dir); len(entries) != 1 && dir == out || len(entries) != 0 && dir != out {
			t.Errorf("%s holds %v", dir, entries)
		}
	}
}

// TestOpenRemovesWhatAKilledRunLeft: a report being written when the program was killed
// (a hidden file beside its target, with unmasked numbers) and the XLSX reader's spill
// in the scratch folder are removed when the data file is next opened.
func TestOpenRemovesWhatAKilledRunLeft(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	db := openTest(t, dir)
	// What a run killed in the middle of WriteFile and of a roster import leaves.
	half := filepath.Join(out, besidePrefix+"123456")
	os.WriteFile(half, []byte("410102198001011234 张秀英"), 0o600)
	note, _ := os.CreateTemp(db.TempDir(), pendingPrefix+"*")
	note.WriteString(half)
	note.Close()
	spill := filepath.Join(db.TempDir(), "excelize-987654")
	os.WriteFile(spill, []byte("张秀英"), 0o600)
	// Not ours: a note pointing at someone's file is not followed.
	theirs := filepath.Join(out, "mine.txt")
	os.WriteFile(theirs, []byte("keep"), 0o600)
	note2, _ := os.CreateTemp(db.TempDir(), pendingPrefix+"*")
	note2.WriteString(theirs)
	note2.Close()
	db.Close()

	openTest(t, dir)
	for _, p := range []string{half, spill, note.Name(), note2.Name()} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there", p)
		}
	}
	if _, err := os.Stat(theirs); err != nil {
		t.Errorf("a file not ours was removed: %v", err)
	}
}
