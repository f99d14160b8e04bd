package localstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files that hold personal data for a moment — a large roster sheet the XLSX reader
// spills to disk, a report or bundle being written — never go to the shared temp
// folder, where they outlive a killed program in the clear for anyone on the laptop.
// They live in the data folder's scratch folder, or beside their target with a note
// in the scratch folder saying where; Open (which holds the data file's lock, so no
// other program is using them) removes whatever a killed run left.

// scratchName is the data folder's scratch folder.
const scratchName = "tmp"

// pendingPrefix starts a note of a file being written beside its target; the note
// holds that file's path.
const pendingPrefix = "pending-"

// besidePrefix starts the name of a file being written beside its target.
const besidePrefix = ".doorstep-"

// TempDir is the data folder's scratch folder, for a library's temporary files (the
// XLSX reader's and writer's): emptied every time the data file is opened.
func (db *DB) TempDir() string { return filepath.Join(filepath.Dir(db.path), scratchName) }

// cleanScratch makes the scratch folder and removes what a killed run left in it,
// and the half-written files beside their targets its notes name.
func (db *DB) cleanScratch() error {
	dir := db.TempDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("scratch folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("scratch folder: %w", err)
	}
	var errs []error
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), pendingPrefix) {
			if target, err := os.ReadFile(p); err == nil && strings.HasPrefix(filepath.Base(string(target)), besidePrefix) {
				if err := os.Remove(string(target)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
			}
		}
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("remove the temporary files a stopped Doorstep left: %w", errors.Join(errs...))
	}
	return nil
}

// WriteFile writes path through a hidden file beside it, renamed into place when write
// returns: a file half written (a full disk, a pulled USB stick, a killed program)
// never replaces a good one, and one a killed program left is removed at the next
// Open, as a note in the scratch folder names it.
func (db *DB) WriteFile(path string, write func(*os.File) error) (err error) {
	note, err := os.CreateTemp(db.TempDir(), pendingPrefix+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		note.Close()
		os.Remove(note.Name())
	}()
	tmp, err := os.CreateTemp(filepath.Dir(path), besidePrefix+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	abs, err := filepath.Abs(tmp.Name())
	if err == nil {
		_, err = note.WriteString(abs)
	}
	if err == nil {
		err = note.Sync()
	}
	if err == nil {
		err = write(tmp)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
