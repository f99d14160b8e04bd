package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestPickerLines: a space after the marker, a file's size, no size for a folder.
func TestPickerLines(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "DCIM"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "visit.jpg"), make([]byte, 4100), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newPicker([]string{".jpg"}, dir)
	p.SetHeight(10)
	p, _ = p.Update(p.Init()())
	var got []string
	for _, l := range pickerLines(p, DefaultStyles(true), 80) {
		if l = strings.TrimRight(ansi.Strip(l), " "); l != "" {
			got = append(got, l)
		}
	}
	want := []string{"  ▸ DCIM", "    visit.jpg  4.1 KB"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("picker lines:\n%q\nwant\n%q", got, want)
	}
}
