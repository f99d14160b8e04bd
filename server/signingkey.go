package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/doorstep-survey/doorstep/atomicfile"
	"github.com/doorstep-survey/doorstep/server/seal"
)

// Files of the server's data folder for the district's signing key.
const (
	// SigningKeyFile is the district's Ed25519 key (PKCS#8) sealed under the server's
	// data key, 0600: it signs the forms laptops receive and the office console's
	// decisions. Made on first start; losing it — or the data key — means enrolling
	// the laptops again. A copy of the data folder without the data key cannot sign.
	SigningKeyFile = "district-signing-key.sealed"
	// PlainSigningKeyFile is the key as servers before sealing kept it (PKCS#8 PEM):
	// sealed into SigningKeyFile at the next start with the data key, then removed.
	PlainSigningKeyFile = "district-signing-key.pem"
)

// sealedKeyBlock is the PEM type of the sealed key file, whose Key-Check header is the
// data key's check value (a wrong key is told as such, not as a damaged file).
const sealedKeyBlock = "DOORSTEP SEALED SIGNING KEY"

// signingKeyPlace is the sealed key's associated data: a value sealed for anything
// else under the same data key (a record, a photo) does not open as the district's key.
const signingKeyPlace = "district signing key"

var signingKeyID = []byte("ed25519 pkcs8")

// LoadSigningKey reads the district's signing key, sealed under s in the data folder;
// a plain key file left by an earlier version is sealed in place (the same key: laptops
// learnt its public half at enrolment), and a new server makes one. Without a data key,
// or with another than the key was sealed with, it is refused. It is ReadSigningKey
// and Keep, for a caller that knows s is the data's key.
func LoadSigningKey(dataDir string, s *seal.Sealer) (ed25519.PrivateKey, error) {
	for range 2 {
		k, err := ReadSigningKey(dataDir, s)
		if err != nil {
			return nil, err
		}
		err = k.Keep()
		if errors.Is(err, ErrKeyMadeMeanwhile) {
			continue // the other start's key is the one: read it
		}
		if err != nil {
			return nil, err
		}
		return k.Key, nil
	}
	return nil, fmt.Errorf("district signing key %s: %w", filepath.Join(dataDir, SigningKeyFile), ErrKeyMadeMeanwhile)
}

// ErrKeyMadeMeanwhile is a new key Keep could not keep: another start of the server
// on the same folder made one first.
var ErrKeyMadeMeanwhile = errors.New("another start of the server on this folder made the district's signing key at the same time: start one server only")

// SigningKey is the district's signing key as read from the data folder.
type SigningKey struct {
	Key ed25519.PrivateKey
	// Pending says the key is not yet kept sealed in the folder: new, or a plain key
	// of an earlier version (Keep seals it).
	Pending bool

	dir    string
	sealer *seal.Sealer
}

// ReadSigningKey reads the district's signing key without writing anything: the
// sealed key, else the plain key of an earlier version, else a new key (Pending in
// both). The data key is not yet known to be the data's when a server starts: the
// caller opens its data with it first, and only then Keeps the key — sealing a plain
// key under a mistyped data key would lose it.
func ReadSigningKey(dataDir string, s *seal.Sealer) (*SigningKey, error) {
	path := filepath.Join(dataDir, SigningKeyFile)
	plainPath := filepath.Join(dataDir, PlainSigningKeyFile)
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := openSigningKey(path, data, s)
		if err != nil {
			return nil, err
		}
		// A start that stopped between writing the sealed key and removing the plain
		// one: Keep removes the plain one, if it is the same key.
		_, perr := os.Stat(plainPath)
		return &SigningKey{Key: key, Pending: perr == nil, dir: dataDir, sealer: s}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("district signing key: %w", err)
	}
	if s == nil {
		return nil, fmt.Errorf("district signing key %s: %w: it cannot be opened or made without its key", path, seal.ErrNoKey)
	}
	key, err := readPlainKey(plainPath)
	if errors.Is(err, fs.ErrNotExist) {
		_, key, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	return &SigningKey{Key: key, Pending: true, dir: dataDir, sealer: s}, nil
}

// Keep seals a pending key into the data folder — written whole, never over a key
// another start made meanwhile — and only then removes the plain key file.
func (k *SigningKey) Keep() error {
	if !k.Pending {
		return nil
	}
	path := filepath.Join(k.dir, SigningKeyFile)
	plainPath := filepath.Join(k.dir, PlainSigningKeyFile)
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return fmt.Errorf("district signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Key)
	if err != nil {
		return fmt.Errorf("district signing key: %w", err)
	}
	block := &pem.Block{Type: sealedKeyBlock, Headers: map[string]string{"Key-Check": hex.EncodeToString(k.sealer.Check())},
		Bytes: k.sealer.Seal(signingKeyPlace, signingKeyID, der)}
	err = atomicfile.WriteNew(path, pem.EncodeToMemory(block))
	if errors.Is(err, fs.ErrExist) {
		// Another start kept one meanwhile (or this one was read sealed, with a plain
		// copy left beside it): it must be this key.
		data, rerr := os.ReadFile(path)
		if rerr != nil {
			return fmt.Errorf("district signing key: %w", rerr)
		}
		kept, oerr := openSigningKey(path, data, k.sealer)
		if oerr != nil {
			return oerr
		}
		if !kept.Equal(k.Key) {
			return fmt.Errorf("district signing key %s: %w", path, ErrKeyMadeMeanwhile)
		}
	} else if err != nil {
		return fmt.Errorf("district signing key: seal into %s: %w", path, err)
	}
	// The sealed key is durable (WriteNew synced its folder): only now does the plain
	// one go.
	if err := removePlainKey(plainPath, k.Key); err != nil {
		return err
	}
	k.Pending = false
	return nil
}

// openSigningKey opens the sealed key file's contents.
func openSigningKey(path string, data []byte, s *seal.Sealer) (ed25519.PrivateKey, error) {
	block, rest := pem.Decode(data)
	if block == nil || block.Type != sealedKeyBlock || len(rest) != 0 {
		return nil, fmt.Errorf("district signing key %s: %w: not a sealed key file", path, seal.ErrOpen)
	}
	if s == nil {
		return nil, fmt.Errorf("district signing key %s: %w: it cannot be opened without its key", path, seal.ErrNoKey)
	}
	der, err := s.Open(signingKeyPlace, signingKeyID, block.Bytes)
	if err != nil {
		// Told apart: the data key is not the one the file was sealed with, or the
		// file was damaged or put there from elsewhere.
		if kept, herr := hex.DecodeString(block.Headers["Key-Check"]); herr == nil {
			if verr := s.Verify(kept); verr != nil {
				return nil, fmt.Errorf("district signing key %s: %w", path, verr)
			}
		}
		return nil, fmt.Errorf("district signing key %s: %w", path, err)
	}
	return parseSigningKey(path, der)
}

// readPlainKey reads the key an earlier version kept as PEM.
func readPlainKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("district signing key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("district signing key %s: not PEM", path)
	}
	return parseSigningKey(path, block.Bytes)
}

func parseSigningKey(path string, der []byte) (ed25519.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("district signing key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("district signing key %s: not an Ed25519 key", path)
	}
	return key, nil
}

// removePlainKey removes the plain key file once its key is kept sealed; a plain file
// holding another key than the sealed one is left and refused (which of the two the
// laptops know is for a person to say).
func removePlainKey(path string, sealed ed25519.PrivateKey) error {
	plain, err := readPlainKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !plain.Equal(sealed) {
		return fmt.Errorf("district signing key: %s holds another key than the sealed %s: keep the one the laptops enrolled with and move the other away", path, SigningKeyFile)
	}
	// Another start sealing at the same time may have removed it first.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("district signing key: remove the plain copy %s: %w", path, err)
	}
	return atomicfile.SyncDir(filepath.Dir(path))
}
