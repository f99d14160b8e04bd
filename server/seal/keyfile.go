package seal

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvKey names the data key in the environment (base64 or hex), for a server whose
// key is handed to it by its supervisor rather than kept in a file.
const EnvKey = "DOORSTEP_SERVER_DATA_KEY"

// ParseKey reads a key written as base64 (standard or URL alphabet, padded or not) or
// as 64 hex digits; surrounding space is ignored.
func ParseKey(text string) (Key, error) {
	text = strings.TrimSpace(text)
	var k Key
	var raw []byte
	if len(text) == 2*KeySize {
		raw, _ = hex.DecodeString(text)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw != nil {
			break
		}
		if b, err := enc.DecodeString(text); err == nil {
			raw = b
		}
	}
	if len(raw) != KeySize {
		return k, fmt.Errorf("a data key is %d random bytes written as base64 or hex (doorstep-server keygen makes one); this is not one", KeySize)
	}
	copy(k.b[:], raw)
	return k, nil
}

// Text is the key as a key file holds it (base64): for keygen, never for a message.
func (k Key) Text() string { return base64.StdEncoding.EncodeToString(k.b[:]) }

// KeyFromEnv is the key in the environment variable EnvKey; ok is false when it is
// not set.
func KeyFromEnv() (k Key, ok bool, err error) {
	v, ok := os.LookupEnv(EnvKey)
	if !ok || strings.TrimSpace(v) == "" {
		return k, false, nil
	}
	k, err = ParseKey(v)
	if err != nil {
		return k, true, fmt.Errorf("%s: %w", EnvKey, err)
	}
	return k, true, nil
}

// LoadKeyFile reads the key file at path. It is refused when it lies inside dataDir
// (a copy or backup of the data folder would carry its own key) or, on Unix, when
// anyone but its owner may read it.
func LoadKeyFile(path, dataDir string) (Key, error) {
	if inside(path, dataDir) {
		return Key{}, fmt.Errorf("the data key file %s is inside the data folder %s: keep it elsewhere (e.g. /etc/doorstep/server.key), so that a copy of the data folder is of no use without it", path, dataDir)
	}
	return ReadKeyFile(path)
}

// ReadKeyFile reads the key file at path wherever it is (a development server's key
// in its own data folder); on Unix it is refused when anyone but its owner may read it.
func ReadKeyFile(path string) (Key, error) {
	var k Key
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return k, fmt.Errorf("the data key file %s does not exist: make one with doorstep-server keygen --out %s", path, path)
		}
		return k, fmt.Errorf("data key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return k, fmt.Errorf("the data key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return k, fmt.Errorf("the data key file %s may be read by others on this machine (mode %04o): chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return k, fmt.Errorf("data key file: %w", err)
	}
	if k, err = ParseKey(string(data)); err != nil {
		return k, fmt.Errorf("the data key file %s: %w", path, err)
	}
	return k, nil
}

// Inside reports whether path lies in the folder dir: a key file there is refused.
func Inside(path, dir string) bool { return inside(path, dir) }

// WriteKeyFile makes a new key and writes it to path with mode 0600; an existing file
// is never overwritten (it may be the only key to a district's data).
func WriteKeyFile(path string) (Key, error) {
	k := NewKey()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return k, fmt.Errorf("data key file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return k, fmt.Errorf("%s exists: a key file is never overwritten (the data encrypted with it could not be read again)", path)
		}
		return k, fmt.Errorf("data key file: %w", err)
	}
	_, err = f.WriteString(k.Text() + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return k, fmt.Errorf("write the data key file %s: %w", path, err)
	}
	return k, nil
}

// inside reports whether path lies in dir (after resolving what links can be resolved).
func inside(path, dir string) bool {
	resolve := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		// A file not there yet: resolve its folder.
		if r, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			return filepath.Join(r, filepath.Base(p))
		}
		return p
	}
	rel, err := filepath.Rel(resolve(dir), resolve(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
