package roster

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// watchingReader notes which of dirs hold excelize's temporary files each time the
// workbook is read: the reader reads it again once excelize has opened it.
type watchingReader struct {
	*bytes.Reader
	dirs []string
	seen map[string]bool
}

func (w *watchingReader) ReadAt(p []byte, off int64) (int, error) {
	for _, d := range w.dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "excelize-") {
				w.seen[d] = true
			}
		}
	}
	return w.Reader.ReadAt(p, off)
}

// TestXLSXSpillsToTheGivenFolder: a sheet large enough for excelize to read through a
// temporary file puts that file (names and ID numbers in the clear) in the folder the
// caller gives — the data folder's scratch folder — never the shared temp folder.
func TestXLSXSpillsToTheGivenFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.xlsx")
	writeXLSX(t, path, []sheetData{{"Sheet1", [][]any{
		{"姓名", "残疾人证号", "所属村（社区）"},
		{"张秀英", idA + "42", "王庄村"},
	}}})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := spillAbove
	spillAbove = 1 // every sheet goes through a temporary file
	t.Cleanup(func() { spillAbove = old })
	shared, scratch := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", shared)

	w := &watchingReader{Reader: bytes.NewReader(data), dirs: []string{shared, scratch}, seen: map[string]bool{}}
	res, err := parseXLSX(w, int64(len(data)), ref, scratch)
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("parse: %v %+v", err, res)
	}
	if !w.seen[scratch] || w.seen[shared] {
		t.Errorf("spilled to the scratch folder: %v, to the shared temp folder: %v", w.seen[scratch], w.seen[shared])
	}
	for _, dir := range []string{shared, scratch} {
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s holds %v after the import", dir, entries)
		}
	}
}
