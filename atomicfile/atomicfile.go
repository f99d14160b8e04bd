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
