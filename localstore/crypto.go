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
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/doorstep-survey/doorstep/bundle"
)

// KDFParams are the argon2id parameters that turn a passphrase into the key wrapping the
// data key. They are stored with each user so they can be raised later without locking
// anyone out.
type KDFParams struct {
	Time      uint32 `json:"t"`
	MemoryKiB uint32 `json:"m"`
	Threads   uint8  `json:"p"`
}

// DefaultKDF is the argon2id cost of a new or migrated wrap: 64 MiB, 3 passes, 4 lanes —
// RFC 9106's second recommended option, for when the first (2 GiB) does not fit.
//
// Why these numbers. OWASP's Password Storage Cheat Sheet asks for at least 19 MiB and
// 2 passes (or 46 MiB and 1; its options are equal in memory × passes, ≈ 38 MiB·pass).
// A login server must meet that per request; a laptop unlocking for one person can pay
// more, so we take 64 MiB × 3 = 192 MiB·pass, five times OWASP's floor, with memory the
// larger share because memory is what a GPU or ASIC guesser lacks. The old setting (128
// MiB × 5 passes) cost a whole unlock 0.68 s of CPU here (BenchmarkUnlock's cpu-ms/op
// at GOMAXPROCS=1, a low-end laptop's share), 0.6–1.3 s of wall time, and twice that on
// a Celeron: too slow for an unlock at every door and again at every signature.
// 64 MiB × 3 costs 0.21 s of CPU (0.15 s of it argon2id itself), a signature at the door
// 0.22 s (BenchmarkSignAtTheDoor); 4 lanes let a second core help, and a 2 GB laptop
// keeps its memory. Each guess at a stolen file costs the same 64 MiB and 3 passes: about 0.15 s
// of a CPU core, or on a GPU bounded by memory bandwidth (≈ 0.6 GB moved per guess) some
// thousands a second per card — so the passphrase's length is the real defence, and
// MinPassphraseLength keeps it from being trivial.
//
// Parameters are stored with each wrap: a file made with older ones still opens, and
// its wrap is redone with these at its next unlock (rewrapStale).
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

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

// rewrapStale wraps the data key afresh — new salt, the file's current parameters — when
// the user's wrap was made with other ones (an older DefaultKDF): done at unlock, the
// one time the passphrase is at hand. Anything else wrapped under the passphrase's key
// must be rewrapped here too, in the same update.
func (db *DB) rewrapStale(rec *userRecord, passphrase string, dataKey []byte, own *bundle.Keys) error {
	if rec.KDF == db.opts.KDF {
		return nil
	}
	salt := randomBytes(saltSize)
	p := db.opts.KDF
	// The user's own keys are wrapped under the same passphrase key: both move.
	kek := passphraseKey(passphrase, salt, p)
	wrapped, err := wrapWith(kek, dataKey, "doorstep user "+rec.Code)
	if err != nil {
		return fmt.Errorf("rewrap key of %s: %w", rec.Code, err)
	}
	priv, err := wrapWith(kek, []byte(own.Secret()), privateKeysAD(rec.Code))
	if err != nil {
		return fmt.Errorf("rewrap key of %s: %w", rec.Code, err)
	}
	if err := db.updateUser(rec.Code, func(r *userRecord) { r.Salt, r.KDF, r.Wrapped, r.PrivateKeys = salt, p, wrapped, priv }); err != nil {
		return fmt.Errorf("rewrap key of %s: %w", rec.Code, err)
	}
	return nil
}

// KDFEstimate is how long the next passphrase check should take: the last one's time on
// this machine, or a guess before the first. Screens draw their progress against it.
func (db *DB) KDFEstimate() time.Duration {
	if d := time.Duration(db.kdfTook.Load()); d > 0 {
		return d
	}
	return 300 * time.Millisecond
}
