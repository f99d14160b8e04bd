// Package seal is how the district server keeps personal data at rest, written once for
// every backend: a data key of 32 random bytes (a key file outside the data folder, or
// the environment), values sealed with XChaCha20-Poly1305 under a key derived from it
// and bound to where they are kept, and keyed hashes (blind indexes) in place of the
// certificate and ID numbers a lookup needs.
//
// A sealed value is
//
//	0xA1 | 24-byte random nonce | XChaCha20-Poly1305(value), associated data: place
//
// where place names the bucket or table and the key or row the value lives at: a value
// copied to another record, bucket or column does not open. A 24-byte random nonce
// never repeats in practice however many values a district seals (unlike GCM's 12
// bytes, which would need counting past 2³² values).
//
// The key check value (Sealer.Check) is kept beside the data: a wrong key is refused
// at open, before anything is read as garbage or written under a second key.
//
// It must never:
//   - print, log or put a key in an error message (only its check value, which is a
//     keyed hash and says nothing of the key);
//   - read a key file that others on the machine may read, or one inside the data
//     folder (a copy of the folder would carry its own key).
package seal

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the data key's length in bytes.
const KeySize = 32

// Key is the server's data key.
type Key struct{ b [KeySize]byte }

// NewKey makes a random key.
func NewKey() Key {
	var k Key
	rand.Read(k.b[:]) // never fails: it crashes the program rather than return weak bytes
	return k
}

// format is a sealed value's first byte: the version of this layout, and what tells a
// sealed value from a plaintext one (JSON's '{', a packed revision's 0x01) while an old
// file is being sealed.
const format = 0xA1

// Overhead is how many bytes sealing adds to a value.
const Overhead = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead

// Errors callers act on.
var (
	// ErrOpen is a sealed value that does not open: damaged, moved from where it was
	// sealed, or sealed under another key.
	ErrOpen = errors.New("a sealed value does not open (damaged, moved, or sealed under another key)")
	// ErrWrongKey is a data key whose check value is not the one kept with the data.
	ErrWrongKey = errors.New("the server's data key is not the one its data was encrypted with")
	// ErrNoKey is encrypted data opened without a key.
	ErrNoKey = errors.New("the server's data is encrypted and no data key was given")
)

// Sealer seals and opens values and makes blind indexes under one data key. It is safe
// for concurrent use.
type Sealer struct {
	aead  cipher.AEAD
	mac   []byte
	check []byte
}

// New derives the sealing, index and check keys from the data key (HKDF-SHA256, one
// label each: no key serves two purposes).
func New(k Key) *Sealer {
	derive := func(label string) []byte {
		out, _ := hkdf.Key(sha256.New, k.b[:], nil, label, 32) // fails only past 255 × 32 bytes
		return out
	}
	aead, _ := chacha20poly1305.NewX(derive("doorstep-server seal v1")) // fails only for a key not 32 bytes
	c := hmac.New(sha256.New, derive("doorstep-server key check v1"))
	c.Write([]byte("doorstep-server data key"))
	return &Sealer{aead: aead, mac: derive("doorstep-server blind index v1"), check: c.Sum(nil)[:16]}
}

// place is the associated data: the table or bucket, a NUL, the key.
func place(table string, key []byte) []byte {
	out := make([]byte, 0, len(table)+1+len(key))
	out = append(out, table...)
	out = append(out, 0)
	return append(out, key...)
}

// Seal seals plain for the value at key in table (a bucket, or a table's column).
func (s *Sealer) Seal(table string, key, plain []byte) []byte {
	out := make([]byte, 1+chacha20poly1305.NonceSizeX, len(plain)+Overhead)
	out[0] = format
	rand.Read(out[1:])
	return s.aead.Seal(out, out[1:], plain, place(table, key))
}

// Open opens a value sealed for key in table; anything else is ErrOpen.
func (s *Sealer) Open(table string, key, sealed []byte) ([]byte, error) {
	if !IsSealed(sealed) {
		return nil, fmt.Errorf("%s %x: %w: not a sealed value", table, key, ErrOpen)
	}
	n := 1 + chacha20poly1305.NonceSizeX
	plain, err := s.aead.Open(nil, sealed[1:n], sealed[n:], place(table, key))
	if err != nil {
		return nil, fmt.Errorf("%s %x: %w", table, key, ErrOpen)
	}
	return plain, nil
}

// IsSealed says whether v has a sealed value's form (not whether it opens): for a
// migration that seals a file in steps and meets both.
func IsSealed(v []byte) bool { return len(v) >= Overhead && v[0] == format }

// Blind is the keyed hash of a value (a certificate or ID number) that stands for it
// in an index: the same value gives the same string, so lookups still work, and no one
// without the key can test a guess. kind keeps hashes of different things apart. The
// string is 33 characters, "~" and 128 bits in hex: never a certificate or ID number,
// so a migration tells what it has already replaced.
func (s *Sealer) Blind(kind, value string) string {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return BlindPrefix + hex.EncodeToString(m.Sum(nil)[:16])
}

// BlindPrefix starts every blind index.
const BlindPrefix = "~"

// Check is the key check value, kept with the data.
func (s *Sealer) Check() []byte { return append([]byte(nil), s.check...) }

// CheckID is the check value as people compare it: 8 hex digits.
func (s *Sealer) CheckID() string { return hex.EncodeToString(s.check[:4]) }

// Verify compares the check value kept with the data with this key's.
func (s *Sealer) Verify(kept []byte) error {
	if subtle.ConstantTimeCompare(kept, s.check) == 1 {
		return nil
	}
	id := "unknown"
	if len(kept) >= 4 {
		id = hex.EncodeToString(kept[:4])
	}
	return fmt.Errorf("%w (the data's key has check %s, the key given %s): give the key file (or %s) the data was encrypted with", ErrWrongKey, id, s.CheckID(), EnvKey)
}
