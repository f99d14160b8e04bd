package attachments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/doorstep-survey/doorstep/server/store"
)

func name(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestResumedUploadBelongsToItsOwner(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte("入户照片"), 1000)
	h := name(photo)
	if n, done, err := d.Append(h, "laptopA", 0, photo[:5000], 1<<20); err != nil || done || n != 5000 {
		t.Fatalf("first half: %d %v %v", n, done, err)
	}
	// Another device's bytes never reach A's upload: B starts its own.
	if n, _, _ := d.Offset(h, "laptopB"); n != 0 {
		t.Errorf("B sees A's upload at %d", n)
	}
	if _, _, err := d.Append(h, "laptopB", 5000, []byte("poison"), 1<<20); !errors.Is(err, store.ErrOffset) {
		t.Errorf("B appended to A's upload: %v", err)
	}
	if n, _, err := d.Append(h, "laptopA", 4000, photo[4000:], 1<<20); !errors.Is(err, store.ErrOffset) || n != 5000 {
		t.Errorf("a wrong offset: %d %v", n, err)
	}
	if d.Has(h) {
		t.Fatal("whole before its bytes")
	}
	n, done, err := d.Append(h, "laptopA", 5000, photo[5000:], 1<<20)
	if err != nil || !done || n != int64(len(photo)) || !d.Has(h) {
		t.Fatalf("second half: %d %v %v", n, done, err)
	}
	if n, done, _ := d.Offset(h, "laptopB"); !done || n != int64(len(photo)) {
		t.Errorf("a whole photo is whole for everyone: %d %v", n, done)
	}
	f, err := d.Open(h)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, photo) {
		t.Error("the file is not the photo")
	}
}

func TestRefused(t *testing.T) {
	dir := t.TempDir()
	d, _ := Open(dir)
	h := name([]byte("x"))
	if _, _, err := d.Append(h, "a", 0, make([]byte, 11), 10); !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("past the cap: %v", err)
	}
	for _, bad := range [][2]string{{"../../etc/passwd", "a"}, {h, "../x"}, {h, ""}, {"ABC", "a"}} {
		if _, _, err := d.Append(bad[0], bad[1], 0, []byte("x"), 10); err == nil {
			t.Errorf("name %q owner %q taken", bad[0], bad[1])
		}
	}
	if err := d.Put(h, []byte("not x")); err == nil {
		t.Error("bytes kept under a name they do not hash to")
	}
	if err := d.Put(h, []byte("x")); err != nil || !d.Has(h) {
		t.Errorf("put: %v", err)
	}
	if _, err := d.Open(name([]byte("y"))); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("open a missing one: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "partial"))
	for _, e := range entries {
		if fi, _ := e.Info(); fi.Size() > 0 && e.Name() != h+".a" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
