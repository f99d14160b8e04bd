// Package atomicfile writes a file whole or not at all: through a temporary file in the
// same folder, synced, then renamed over the name. A crash or a failed write leaves the
// old file (or none), never half of the new one.
//
// It must never leave its temporary file behind when it returns, nor write outside the
// target's folder (a rename across file systems is not atomic).
package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
)

// Write creates path's contents with write, which is handed the temporary file (its
// Name is there to read back what was written, as a backup's check does). On any error
// the temporary file is removed and path is untouched.
func Write(path string, write func(f *os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteBytes writes data as path's contents, whole or not at all.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// WriteNew writes data as path's contents, whole or not at all, only when path does not
// exist yet: two processes making the same file at once keep one of the two, never a
// mix, and the loser's error is fs.ErrExist (it reads the winner's). The new name is
// durable (its folder synced) when it returns.
func WriteNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// A hard link, unlike a rename, never replaces a file already there.
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes the names in dir durable (a rename, a link, a removal), where the
// system can: Windows cannot open a folder to sync it and makes names durable itself.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
