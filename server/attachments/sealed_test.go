package attachments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server/seal"
)

func photoOf(n int) ([]byte, string) {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

func sealedDir(t *testing.T) *Dir {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d.Sealer = seal.New(seal.NewKey())
	return d
}

// TestSealedPhoto: a photo uploaded whole is kept sealed — its file shows none of its
// bytes — and reads back whole and from any byte, across segment edges; its offset is
// the photo's size.
func TestSealedPhoto(t *testing.T) {
	for _, n := range []int{0, 1, segmentSize - 1, segmentSize, segmentSize + 1, 3*segmentSize + 123} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			d := sealedDir(t)
			photo, hash := photoOf(n)
			got, complete, err := d.Append(hash, "dev1", 0, photo, 1<<30)
			if err != nil || !complete || got != int64(n) {
				t.Fatalf("append: %d %v %v", got, complete, err)
			}
			raw, _ := os.ReadFile(d.Path(hash))
			if n >= 32 && bytes.Contains(raw, photo[:32]) {
				t.Error("the file shows the photo's bytes")
			}
			if off, complete, _ := d.Offset(hash, "other"); !complete || off != int64(n) {
				t.Errorf("offset %d, want %d", off, n)
			}
			if ents, _ := os.ReadDir(d.dir + "/partial"); len(ents) != 0 {
				t.Errorf("left in partial/: %v", ents)
			}
			f, err := d.Open(hash)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			all, err := io.ReadAll(f)
			if err != nil || !bytes.Equal(all, photo) {
				t.Fatalf("read back %d bytes, %v", len(all), err)
			}
			for _, at := range []int{0, n / 2, n - 1, segmentSize - 1, segmentSize + 1} {
				if at < 0 || at >= n {
					continue
				}
				if _, err := f.Seek(int64(at), io.SeekStart); err != nil {
					t.Fatal(err)
				}
				rest, err := io.ReadAll(f)
				if err != nil || !bytes.Equal(rest, photo[at:]) {
					t.Errorf("from %d: %d bytes, %v", at, len(rest), err)
				}
			}
		})
	}
}

// TestSealedPhotoRange: a download resumed with Range gets the photo's bytes.
func TestSealedPhotoRange(t *testing.T) {
	d := sealedDir(t)
	photo, hash := photoOf(2*segmentSize + 500)
	if err := d.Put(hash, photo); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := d.Open(hash)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "", time.Time{}, f)
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-", segmentSize-10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, photo[segmentSize-10:]) {
		t.Errorf("range: %d, %d bytes", resp.StatusCode, len(body))
	}
}

// TestSealedPhotoTampered: segments swapped, a size changed in the header, a photo's
// file copied under another's name, or no key: refused, never other bytes.
func TestSealedPhotoTampered(t *testing.T) {
	d := sealedDir(t)
	photo, hash := photoOf(2*segmentSize + 10)
	other, otherHash := photoOf(100)
	d.Put(hash, photo)
	d.Put(otherHash, other)
	raw, _ := os.ReadFile(d.Path(hash))
	read := func() error {
		f, err := d.Open(hash)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.ReadAll(f)
		return err
	}
	swapped := bytes.Clone(raw)
	s0 := swapped[headerSize : headerSize+segmentSize+seal.Overhead]
	s1 := bytes.Clone(swapped[headerSize+segmentSize+seal.Overhead : headerSize+2*(segmentSize+seal.Overhead)])
	copy(swapped[headerSize+segmentSize+seal.Overhead:], s0)
	copy(swapped[headerSize:], s1)
	resized := bytes.Clone(raw)
	resized[15]--
	otherRaw, _ := os.ReadFile(d.Path(otherHash))
	for name, b := range map[string][]byte{"swapped segments": swapped, "size changed": resized, "another photo's file": otherRaw} {
		os.WriteFile(d.Path(hash), b, 0o600)
		if err := read(); !errors.Is(err, seal.ErrOpen) {
			t.Errorf("%s: %v, want seal.ErrOpen", name, err)
		}
	}
	os.WriteFile(d.Path(hash), raw, 0o600)
	d.Sealer = nil
	if _, err := d.Open(hash); !errors.Is(err, seal.ErrNoKey) {
		t.Errorf("no key: %v", err)
	}
}

// TestSealAll: photos kept plain by an earlier version are sealed in place, once.
func TestSealAll(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	photo, hash := photoOf(segmentSize + 7)
	if err := d.Put(hash, photo); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(d.Path(hash)); !bytes.Equal(raw, photo) {
		t.Fatal("a folder without a key keeps photos as they are")
	}
	d.Sealer = seal.New(seal.NewKey())
	if n, err := d.SealAll(); err != nil || n != 1 {
		t.Fatalf("sealed %d, %v", n, err)
	}
	if n, _ := d.SealAll(); n != 0 {
		t.Errorf("sealed again: %d", n)
	}
	raw, _ := os.ReadFile(d.Path(hash))
	if bytes.Contains(raw, photo[:64]) {
		t.Error("the sealed file shows the photo")
	}
	f, _ := d.Open(hash)
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, photo) {
		t.Errorf("read back: %d bytes, %v", len(got), err)
	}
}
