// Package attachments keeps the photos laptops upload as files named by their SHA-256,
// in one folder, for every storage backend: the database holds only the names.
//
// The folder:
//
//	<dir>/ab/abcdef…(64 hex)          a whole attachment, named by the sha256 of its bytes;
//	                                  sealed under the server's data key (sealed.go)
//	<dir>/partial/<hash>.<owner>      an upload in progress, one per owner (a device)
//
// A whole file appears by rename, after fsync, so a crash leaves either the whole file
// or none. A partial upload belongs to the owner that started it: another device's
// bytes never reach it.
//
// It must never:
//   - keep a file under a name its bytes do not hash to;
//   - let one owner append to another owner's upload;
//   - take a name or owner that could leave the folder (both are checked).
package attachments

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	gosync "sync"
	"time"

	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Dir is a folder of attachments.
type Dir struct {
	dir string
	mu  gosync.Mutex // one append at a time: they are small (1 MB chunks)
	// OwnerQuota caps the bytes of one owner's unfinished uploads (0: DefaultQuota).
	OwnerQuota int64
	// Sealer is the server's data key: whole photos are kept sealed under it
	// (sealed.go). nil keeps them plain — for other packages' tests only;
	// doorstep-server always sets it, and calls SealAll at start.
	Sealer *seal.Sealer
}

// DefaultQuota is an owner's share of the disk for unfinished uploads: a few whole
// photos at once, as a laptop sends them one after another.
const DefaultQuota = 32 << 20

// StaleAfter is how long an unfinished upload waits for its owner before Sweep
// removes it.
const StaleAfter = 7 * 24 * time.Hour

// Quota is the bytes one owner's unfinished uploads may take.
func (d *Dir) Quota() int64 {
	if d.OwnerQuota > 0 {
		return d.OwnerQuota
	}
	return DefaultQuota
}

// pending is the bytes of the owner's unfinished uploads other than hash's.
func (d *Dir) pending(owner, hash string) int64 {
	matches, _ := filepath.Glob(filepath.Join(d.dir, "partial", "*."+owner))
	var n int64
	for _, m := range matches {
		if filepath.Base(m) == hash+"."+owner {
			continue
		}
		if fi, err := os.Stat(m); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// Sweep removes the unfinished uploads untouched since before (StaleAfter ago, say):
// their owners gave up, and their bytes are personal data nobody will finish.
func (d *Dir) Sweep(before time.Time) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ents, err := os.ReadDir(filepath.Join(d.dir, "partial"))
	if err != nil {
		return 0, fmt.Errorf("attachments: %w", err)
	}
	n := 0
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil || fi.ModTime().After(before) {
			continue
		}
		if os.Remove(filepath.Join(d.dir, "partial", e.Name())) == nil {
			n++
		}
	}
	return n, nil
}

var _ store.Attachments = (*Dir)(nil)

var (
	hashRE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	ownerRE = regexp.MustCompile(`^[0-9A-Za-z_-]{1,64}$`)
)

// Open opens (creating) the folder.
func Open(dir string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(dir, "partial"), 0o700); err != nil {
		return nil, fmt.Errorf("attachments folder: %w", err)
	}
	return &Dir{dir: dir}, nil
}

// Path is where a whole attachment lives.
func (d *Dir) Path(hash string) string { return filepath.Join(d.dir, hash[:2], hash) }

func (d *Dir) partial(hash, owner string) string {
	return filepath.Join(d.dir, "partial", hash+"."+owner)
}

func check(hash, owner string) error {
	if !hashRE.MatchString(hash) || !ownerRE.MatchString(owner) {
		return fmt.Errorf("attachment %.16q of %.16q: not a sha256 name and owner", hash, owner)
	}
	return nil
}

// Has reports whether the attachment is whole.
func (d *Dir) Has(hash string) bool {
	if !hashRE.MatchString(hash) {
		return false
	}
	_, err := os.Stat(d.Path(hash))
	return err == nil
}

// wholeSize is the size of the whole attachment (its photo's, when sealed); false when
// there is none.
func (d *Dir) wholeSize(hash string) (int64, bool) {
	f, err := os.Open(d.Path(hash))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if sealed, size, err := isSealed(f); err == nil && sealed {
		return size, true
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, false
	}
	return fi.Size(), true
}

// Offset is how much of the attachment the owner has uploaded.
func (d *Dir) Offset(hash, owner string) (int64, bool, error) {
	if err := check(hash, owner); err != nil {
		return 0, false, err
	}
	if n, ok := d.wholeSize(hash); ok {
		return n, true, nil
	}
	fi, err := os.Stat(d.partial(hash, owner))
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return fi.Size(), false, nil
}

// Append adds data at offset to the owner's upload; when the bytes hash to the name,
// the file becomes whole.
func (d *Dir) Append(hash, owner string, offset int64, data []byte, max int64) (int64, bool, error) {
	if err := check(hash, owner); err != nil {
		return 0, false, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if n, ok := d.wholeSize(hash); ok {
		return n, true, nil
	}
	part := d.partial(hash, owner)
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, false, err
	}
	n := fi.Size()
	if offset == 0 && n > 0 {
		// The owner starts again (after a mismatch, or bytes it no longer trusts).
		if err := f.Truncate(0); err != nil {
			return n, false, err
		}
		n = 0
	}
	if offset != n {
		return n, false, store.ErrOffset
	}
	if n+int64(len(data)) > max {
		return n, false, store.ErrTooLarge
	}
	if used := d.pending(owner, hash); used+n+int64(len(data)) > d.Quota() {
		if n == 0 { // opening it made it: leave nothing behind
			f.Close()
			os.Remove(part)
		}
		return n, false, store.ErrQuota
	}
	if _, err := f.WriteAt(data, n); err != nil {
		return n, false, err
	}
	n += int64(len(data))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return n, false, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return n, false, err
	}
	if hex.EncodeToString(h.Sum(nil)) != hash {
		if n >= max {
			// Whole, yet not these bytes: drop them so the owner can start again.
			f.Close()
			os.Remove(part)
			return 0, false, store.ErrMismatch
		}
		return n, false, nil
	}
	if err := f.Sync(); err != nil {
		return n, false, err
	}
	if err := f.Close(); err != nil { // before the rename: Windows renames no open file
		return n, false, err
	}
	if err := d.keep(hash, part); err != nil {
		return n, false, err
	}
	return n, true, nil
}

// Put keeps whole bytes under their hash (a migration from an older store); bytes that
// do not hash to the name are refused.
func (d *Dir) Put(hash string, data []byte) error {
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != hash {
		return fmt.Errorf("attachment %.8s: the bytes do not hash to the name", hash)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.Has(hash) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Join(d.dir, "partial"), hash+".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return d.keep(hash, tmp.Name())
}

// keep puts a whole, checked file in place: sealed when the folder has a key.
func (d *Dir) keep(hash, from string) error {
	if d.Sealer != nil {
		return d.sealFile(hash, from)
	}
	return d.put(hash, from)
}

// put renames a complete file into place and makes the rename durable.
func (d *Dir) put(hash, from string) error {
	sub := filepath.Join(d.dir, hash[:2])
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return err
	}
	if err := os.Rename(from, d.Path(hash)); err != nil {
		return err
	}
	if dir, err := os.Open(sub); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}

// Open opens a whole attachment for reading: its photo's bytes, opened as they are
// read when it is sealed.
func (d *Dir) Open(hash string) (io.ReadSeekCloser, error) {
	if !hashRE.MatchString(hash) {
		return nil, store.ErrNotFound
	}
	f, err := os.Open(d.Path(hash))
	if errors.Is(err, os.ErrNotExist) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	sealed, size, err := isSealed(f)
	if err != nil || !sealed {
		if err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	if d.Sealer == nil {
		f.Close()
		return nil, fmt.Errorf("photo %.8s: %w", hash, seal.ErrNoKey)
	}
	return &sealedFile{f: f, s: d.Sealer, hash: hash, size: size, seg: -1}, nil
}
