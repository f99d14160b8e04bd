package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	failed := errors.New("disk full")
	for _, tc := range []struct {
		name  string
		old   string // "" : no file before
		write func(*os.File) error
		want  string // the contents after
		err   error
	}{
		{"new file", "", func(f *os.File) error { _, err := f.WriteString("新"); return err }, "新", nil},
		{"replaces", "old", func(f *os.File) error { _, err := f.WriteString("new"); return err }, "new", nil},
		{"a failed write keeps the old file", "old", func(f *os.File) error { f.WriteString("ha"); return failed }, "old", failed},
		{"a failed write makes no file", "", func(f *os.File) error { return failed }, "", failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "file.yaml")
			if tc.old != "" {
				if err := os.WriteFile(path, []byte(tc.old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := Write(path, tc.write); !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			got, err := os.ReadFile(path)
			if tc.want == "" && !errors.Is(err, os.ErrNotExist) || tc.want != "" && string(got) != tc.want {
				t.Errorf("contents %q (%v), want %q", got, err, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			if want := map[bool]int{true: 0, false: 1}[tc.want == ""]; len(entries) != want {
				t.Errorf("%d files left in the folder, want %d: %v", len(entries), want, entries)
			}
		})
	}
}

func TestWriteIntoMissingFolder(t *testing.T) {
	if err := WriteBytes(filepath.Join(t.TempDir(), "no", "such", "f"), []byte("x")); err == nil {
		t.Error("writing into a folder that does not exist succeeded")
	}
}

// TestWriteNew: a new file is written; an existing one is never replaced (fs.ErrExist),
// and no temporary file is left either way.
func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	if err := WriteNew(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(path, []byte("second")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("a second WriteNew: %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Errorf("the file holds %q, want the first", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1 (no temporary file left)", len(entries))
	}
}
