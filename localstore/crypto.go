package localstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime/debug"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the argon2id parameters that turn a passphrase into the key wrapping the
// data key. They are stored with each user so they can be raised later without locking
// anyone out.
type KDFParams struct {
	Time      uint32 `json:"t"`
	MemoryKiB uint32 `json:"m"`
	Threads   uint8  `json:"p"`
}

// DefaultKDF takes about 0.28 s on a 2-core machine (BenchmarkUnlock) and 128 MiB: slow enough that
// guessing a passphrase from a stolen file costs real time, quick enough for an
// enumerator unlocking at every door.
var DefaultKDF = KDFParams{Time: 5, MemoryKiB: 128 * 1024, Threads: 2}

const (
	dataKeySize = 32
	saltSize    = 16
)

var errDecrypt = errors.New("cannot decrypt")

// keys are what an unlocked session holds, derived from the data key: one for sealing
// values, one for the keyed hashes used as lookup keys.
type keys struct {
	aead cipher.AEAD
	mac  []byte
}

func newKeys(dataKey []byte) (*keys, error) {
	sealKey, err := hkdf.Key(sha256.New, dataKey, nil, "doorstep seal v1", 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Key(sha256.New, dataKey, nil, "doorstep lookup v1", 32)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(sealKey)
	if err != nil {
		return nil, err
	}
	return &keys{aead: aead, mac: macKey}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// aad binds a sealed value to where it is stored, so a value copied to another key or
// bucket does not decrypt.
func aad(bucket string, key []byte) []byte {
	out := make([]byte, 0, len(bucket)+1+len(key))
	out = append(out, bucket...)
	out = append(out, 0)
	return append(out, key...)
}

// seal encrypts plain for (bucket, key): a fresh random nonce, then AES-256-GCM.
func (k *keys) seal(bucket string, key, plain []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	rand.Read(nonce) // never fails: it crashes the program rather than return weak bytes
	return k.aead.Seal(nonce, nonce, plain, aad(bucket, key))
}

func (k *keys) open(bucket string, key, sealed []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(sealed) < ns+k.aead.Overhead() {
		return nil, fmt.Errorf("%w: %s/%x: %w: value too short", ErrCorrupt, bucket, key, errDecrypt)
	}
	plain, err := k.aead.Open(nil, sealed[:ns], sealed[ns:], aad(bucket, key))
	if err != nil {
		return nil, fmt.Errorf("%w: %s/%x: %w: %v", ErrCorrupt, bucket, key, errDecrypt, err)
	}
	return plain, nil
}

// lookup is the keyed hash used instead of an ID or certificate number as a bbolt key.
func (k *keys) lookup(kind, value string) []byte {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)[:20]
}

// passphraseKey derives a key from a passphrase with argon2id. The KDF's memory (128
// MiB by default) is garbage as soon as it returns; it is handed back to the system at
// once rather than when the runtime gets round to it, so the program holding a day's
// interviews stays small on a laptop with 2 GB.
func passphraseKey(passphrase string, salt []byte, p KDFParams) []byte {
	key := argon2.IDKey([]byte(passphrase), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	if p.MemoryKiB >= 8<<10 {
		debug.FreeOSMemory()
	}
	return key
}

// unwrapKey returns the data key, or errDecrypt when the passphrase is wrong.
func unwrapKey(wrapped []byte, passphrase string, salt []byte, p KDFParams, userCode string) ([]byte, error) {
	return unwrapWith(passphraseKey(passphrase, salt, p), wrapped, "doorstep user "+userCode)
}

// wrapWith seals secret under kek, a key derived from a passphrase; ad says what the
// secret is and whose, so a wrapped value moved to another user or purpose does not open.
func wrapWith(kek, secret []byte, ad string) ([]byte, error) {
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	nonce := randomBytes(aead.NonceSize())
	return aead.Seal(nonce, nonce, secret, []byte(ad)), nil
}

// unwrapWith opens what wrapWith sealed, or returns errDecrypt.
func unwrapWith(kek, wrapped []byte, ad string) ([]byte, error) {
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	ns := aead.NonceSize()
	if len(wrapped) < ns {
		return nil, errDecrypt
	}
	out, err := aead.Open(nil, wrapped[:ns], wrapped[ns:], []byte(ad))
	if err != nil {
		return nil, errDecrypt
	}
	return out, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
