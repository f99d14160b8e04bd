package server_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/seal"
)

// writePlainKey writes a district key as servers before sealing kept it.
func writePlainKey(t *testing.T, dir string) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, server.PlainSigningKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return key
}

// noPlainKey fails when a file of dir holds the key in the clear: as PEM, or its seed.
func noPlainKey(t *testing.T, dir string, key ed25519.PrivateKey) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // a folder
		}
		if bytes.Contains(data, []byte("PRIVATE KEY")) || bytes.Contains(data, key.Seed()) {
			t.Errorf("%s holds the district's signing key in the clear", e.Name())
		}
	}
}

// TestSigningKeySealed: a new server's key is made sealed under the data key (0600,
// nothing of it in the clear in the data folder) and is the same key at the next start.
func TestSigningKeySealed(t *testing.T) {
	dir := t.TempDir()
	s := seal.New(seal.NewKey())
	k1, err := server.LoadSigningKey(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, server.SigningKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	noPlainKey(t, dir, k1)
	k2, err := server.LoadSigningKey(dir, s)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("the key changed at the second start: %v", err)
	}
}

// TestSigningKeySealedInPlace: the plain key of an earlier version is sealed at the
// next start with the data key — the same key, so the laptops that learnt its public
// half at enrolment still take the district's forms and decisions — and the plain file
// is gone. Without the data key it is refused and the plain file kept.
func TestSigningKeySealedInPlace(t *testing.T) {
	dir := t.TempDir()
	old := writePlainKey(t, dir)
	if _, err := server.LoadSigningKey(dir, nil); !errors.Is(err, seal.ErrNoKey) {
		t.Errorf("without a data key: %v, want %v", err, seal.ErrNoKey)
	}
	if _, err := os.Stat(filepath.Join(dir, server.PlainSigningKeyFile)); err != nil {
		t.Fatalf("a refused start lost the plain key: %v", err)
	}
	s := seal.New(seal.NewKey())
	key, err := server.LoadSigningKey(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Equal(old) || !bytes.Equal(key.Public().(ed25519.PublicKey), old.Public().(ed25519.PublicKey)) {
		t.Fatal("the district's key changed when it was sealed: every laptop would refuse its forms")
	}
	if _, err := os.Stat(filepath.Join(dir, server.PlainSigningKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the plain key file is still there: %v", err)
	}
	noPlainKey(t, dir, old)
	again, err := server.LoadSigningKey(dir, s)
	if err != nil || !again.Equal(old) {
		t.Errorf("the next start: %v, same key %v", err, again.Equal(old))
	}
}

// TestSigningKeyInterruptedSealing: a start that stopped after the sealed key was
// written and before the plain one was removed finishes at the next start; a plain
// file holding another key than the sealed one is refused, both kept.
func TestSigningKeyInterruptedSealing(t *testing.T) {
	s := seal.New(seal.NewKey())
	dir := t.TempDir()
	old := writePlainKey(t, dir)
	plain, _ := os.ReadFile(filepath.Join(dir, server.PlainSigningKeyFile))
	if _, err := server.LoadSigningKey(dir, s); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, server.PlainSigningKeyFile), plain, 0o600)
	if key, err := server.LoadSigningKey(dir, s); err != nil || !key.Equal(old) {
		t.Fatalf("after an interrupted sealing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, server.PlainSigningKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the plain copy was not removed: %v", err)
	}

	writePlainKey(t, dir) // another key
	if _, err := server.LoadSigningKey(dir, s); err == nil {
		t.Error("a plain key other than the sealed one was taken (or thrown away)")
	}
	for _, f := range []string{server.SigningKeyFile, server.PlainSigningKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestSigningKeyRefused: the sealed key without the data key, with another, damaged,
// or replaced by another value sealed under the same key (moved from where it was
// sealed) is refused with the stores' kind of sentence — never replaced by a new key.
func TestSigningKeyRefused(t *testing.T) {
	s := seal.New(seal.NewKey())
	dir := t.TempDir()
	if _, err := server.LoadSigningKey(dir, s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, server.SigningKeyFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(good)
	reseal := func(sealed []byte) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: block.Type, Headers: block.Headers, Bytes: sealed})
	}
	flipped := bytes.Clone(block.Bytes)
	flipped[len(flipped)-1] ^= 1
	der, _ := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(make([]byte, 32)))
	for _, tc := range []struct {
		name   string
		file   []byte
		sealer *seal.Sealer
		want   error
	}{
		{"no data key", good, nil, seal.ErrNoKey},
		{"another data key", good, seal.New(seal.NewKey()), seal.ErrWrongKey},
		{"a byte changed", reseal(flipped), s, seal.ErrOpen},
		{"a value sealed for elsewhere", reseal(s.Seal("records", []byte("r1"), der)), s, seal.ErrOpen},
		{"the check value changed", pem.EncodeToMemory(&pem.Block{Type: block.Type,
			Headers: map[string]string{"Key-Check": hex.EncodeToString(make([]byte, 16))}, Bytes: flipped}), s, seal.ErrWrongKey},
		{"not a key", []byte("not a key"), s, seal.ErrOpen},
		{"a plain key under the sealed name", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), s, seal.ErrOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := server.LoadSigningKey(dir, tc.sealer)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, tc.file) {
				t.Error("the refused key file was replaced")
			}
		})
	}
	// Moved to another server's data folder, sealed under another data key.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, server.SigningKeyFile), good, 0o600)
	if _, err := server.LoadSigningKey(other, seal.New(seal.NewKey())); !errors.Is(err, seal.ErrWrongKey) {
		t.Errorf("moved to another server: %v, want %v", err, seal.ErrWrongKey)
	}
}

// TestSigningKeyMadeOnce: starts at once on a new folder, or on a folder with a plain
// key to seal, keep one key between them (a second would sign forms the laptops refuse).
func TestSigningKeyMadeOnce(t *testing.T) {
	t.Run("new", func(t *testing.T) { startsAtOnce(t, t.TempDir(), nil) })
	t.Run("sealing", func(t *testing.T) {
		dir := t.TempDir()
		startsAtOnce(t, dir, writePlainKey(t, dir))
	})
}

func startsAtOnce(t *testing.T, dir string, want ed25519.PrivateKey) {
	s := seal.New(seal.NewKey())
	const n = 8
	keys := make([]ed25519.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = server.LoadSigningKey(dir, s)
		}()
	}
	wg.Wait()
	if want == nil {
		want = keys[0]
	}
	for i := range n {
		if errs[i] != nil || !keys[i].Equal(want) {
			t.Errorf("start %d: %v (same key: %v)", i, errs[i], keys[i].Equal(want))
		}
	}
}

// TestReadSigningKeyWritesNothing: reading the key before the data key is proven (the
// store not yet opened with it) neither makes a key nor seals the plain one.
func TestReadSigningKeyWritesNothing(t *testing.T) {
	s := seal.New(seal.NewKey())
	empty := t.TempDir()
	if k, err := server.ReadSigningKey(empty, s); err != nil || !k.Pending {
		t.Fatalf("a new folder: %v", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("reading made %d files", len(entries))
	}
	dir := t.TempDir()
	old := writePlainKey(t, dir)
	k, err := server.ReadSigningKey(dir, s)
	if err != nil || !k.Pending || !k.Key.Equal(old) {
		t.Fatalf("a plain key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, server.SigningKeyFile)); err == nil {
		t.Error("reading sealed the plain key")
	}
	if err := k.Keep(); err != nil {
		t.Fatal(err)
	}
	if k, err := server.ReadSigningKey(dir, s); err != nil || k.Pending || !k.Key.Equal(old) {
		t.Errorf("kept: %v", err)
	}
}
