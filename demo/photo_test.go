package demo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/doorstep-survey/doorstep/photo"
)

func TestWritePhoto(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "photos")
	path, err := WritePhoto(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := photo.Prepare(f)
	if err != nil || p.Source != "jpeg" || p.SourceWidth != 2400 || p.Width != photo.MaxSide {
		t.Errorf("the demo photo is not what the photo screen takes: %+v %v", p, err)
	}
}
