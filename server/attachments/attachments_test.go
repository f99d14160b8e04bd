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
	"time"

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

// TestMismatchIsDroppedAndOwnerRestarts: an upload that reaches the size cap without
// hashing to its name is dropped (it could never finish), and its owner starts again.
func TestMismatchIsDroppedAndOwnerRestarts(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte("x"), 100)
	h := name(photo)
	if _, _, err := d.Append(h, "A", 0, []byte("poisoned!!"), 100); err != nil {
		t.Fatal(err)
	}
	// The owner distrusts its bytes and starts again at 0.
	if n, _, err := d.Append(h, "A", 0, photo[:50], 100); err != nil || n != 50 {
		t.Fatalf("restart: %d %v", n, err)
	}
	if _, _, err := d.Append(h, "A", 50, bytes.Repeat([]byte("y"), 50), 100); !errors.Is(err, store.ErrMismatch) {
		t.Fatalf("a whole upload of the wrong bytes: %v", err)
	}
	if n, _, _ := d.Offset(h, "A"); n != 0 {
		t.Errorf("the mismatched bytes are kept: %d", n)
	}
	if n, done, err := d.Append(h, "A", 0, photo, 100); err != nil || !done || n != 100 {
		t.Errorf("sent again: %d %v %v", n, done, err)
	}
}

// TestOwnerQuotaAndSweep: one owner's unfinished uploads stop at its quota; another
// owner is not affected; stale ones are swept.
func TestOwnerQuotaAndSweep(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.OwnerQuota = 1000
	chunk := bytes.Repeat([]byte("z"), 400)
	for i := range 2 {
		if _, _, err := d.Append(name([]byte{byte(i)}), "A", 0, chunk, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := d.Append(name([]byte{9}), "A", 0, chunk, 1<<20); !errors.Is(err, store.ErrQuota) {
		t.Errorf("past the quota: %v", err)
	}
	if _, _, err := d.Append(name([]byte{9}), "B", 0, chunk, 1<<20); err != nil {
		t.Errorf("another owner: %v", err)
	}
	n, err := d.Sweep(time.Now().Add(time.Minute))
	if err != nil || n != 3 {
		t.Errorf("swept %d, %v", n, err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "partial")); len(ents) != 0 {
		t.Errorf("left %d", len(ents))
	}
}
