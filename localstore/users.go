package localstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/bundle"
)

// Role is what a user may do.
type Role string

// Roles of local users.
const (
	RoleEnumerator Role = "enumerator"
	RoleLeader     Role = "leader"
)

// User is a local user, as an unlocked session sees it.
type User struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Role     Role     `json:"role"`
	Team     string   `json:"team,omitempty"`
	Villages []string `json:"villages,omitempty"`
}

// userRecord is what the users bucket holds. Only the code, the role and the key material
// are in the clear; they are needed before anything can be decrypted.
type userRecord struct {
	Code    string    `json:"code"`
	Role    Role      `json:"role"`
	Salt    []byte    `json:"salt"`
	KDF     KDFParams `json:"kdf"`
	Wrapped []byte    `json:"wrapped_key"`
	Profile []byte    `json:"profile"` // sealed JSON User
	// PrivateKeys are the user's own keys (bundle.Keys.Secret: the Ed25519 key that
	// signs every audit entry they write and every bundle they send, and the age
	// identity that opens bundles sent to them), wrapped like the data key under their
	// passphrase alone: another user of the same laptop holds the data key but cannot
	// sign as them. Empty in a file from before schema 4 until the user's next unlock.
	PrivateKeys []byte `json:"private_keys,omitempty"`
	// SigningKey is the public half of the signing key, so a card offered for this
	// user's code with another key is refused (TrustCard).
	SigningKey  []byte    `json:"signing_key,omitempty"`
	Failures    int       `json:"failures,omitempty"`
	LastFailure time.Time `json:"last_failure,omitzero"`
}

// Errors of users and unlocking.
var (
	ErrWrongPassphrase = errors.New("wrong user code or passphrase")
	ErrTooManyTries    = errors.New("too many wrong passphrases") // a *WaitError says how long
	ErrNotAllowed      = errors.New("not allowed for this user")
	ErrUserExists      = errors.New("a user with this code already exists")
	ErrAlreadySetUp    = errors.New("the data file already has users")
)

// MinPassphraseLength is short enough to type at every door, long enough not to guess in
// a few tries; argon2id makes each guess cost.
const MinPassphraseLength = 8

var userCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// freeTries is how many wrong passphrases are allowed before each try must wait.
const freeTries = 3

// unlockDelay is the wait before the next try after n consecutive failures: none for the
// first few (typos happen), then doubling from 2 s to at most 5 minutes.
func unlockDelay(failures int) time.Duration {
	if failures < freeTries {
		return 0
	}
	d := 2 * time.Second << min(failures-freeTries, 8)
	return min(d, 5*time.Minute)
}

func (u User) validate() error {
	var problems []string
	if !userCodeRE.MatchString(u.Code) {
		problems = append(problems, fmt.Sprintf("user code %q: letters and digits, at most 32", u.Code))
	}
	if strings.TrimSpace(u.Name) == "" {
		problems = append(problems, "name is empty")
	}
	if u.Role != RoleEnumerator && u.Role != RoleLeader {
		problems = append(problems, fmt.Sprintf("role %q: enumerator or leader", u.Role))
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid user: %s", strings.Join(problems, "; "))
	}
	return nil
}

func checkPassphrase(p string) error {
	if len([]rune(p)) < MinPassphraseLength {
		return fmt.Errorf("the passphrase needs at least %d characters", MinPassphraseLength)
	}
	return nil
}

// HasUsers reports whether the first user has been set up.
func (db *DB) HasUsers() (bool, error) {
	var has bool
	err := db.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketUsers).Cursor().First()
		has = k != nil
		return nil
	})
	return has, err
}

// UserCodes lists the local users' codes, for the unlock screen.
func (db *DB) UserCodes() ([]string, error) {
	var codes []string
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, _ []byte) error {
			codes = append(codes, string(k))
			return nil
		})
	})
	return codes, err
}

// Setup creates the data key and the first user of a new file, and returns its session.
func (db *DB) Setup(u User, passphrase string) (*Session, error) {
	if err := u.validate(); err != nil {
		return nil, err
	}
	if err := checkPassphrase(passphrase); err != nil {
		return nil, err
	}
	dataKey := randomBytes(dataKeySize)
	k, err := newKeys(dataKey)
	if err != nil {
		return nil, err
	}
	own, err := bundle.NewKeys(u.Code, u.Name, string(u.Role))
	if err != nil {
		return nil, err
	}
	rec, err := newUserRecord(k, dataKey, u, own, passphrase, db.opts.KDF)
	if err != nil {
		return nil, err
	}
	s := &Session{db: db, user: u, keys: k, own: own}
	err = db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if k, _ := b.Cursor().First(); k != nil {
			return ErrAlreadySetUp
		}
		if err := tx.Bucket(bucketMeta).Put(keyDataKey, k.seal(string(bucketMeta), keyDataKey, dataKey)); err != nil {
			return err
		}
		if err := putJSON(b, []byte(u.Code), rec); err != nil {
			return err
		}
		return s.keepCard(tx, own.Card())
	})
	if err != nil {
		return nil, fmt.Errorf("set up first user: %w", err)
	}
	return s, nil
}

// newUserRecord wraps the data key and the user's own keys under their passphrase.
func newUserRecord(k *keys, dataKey []byte, u User, own *bundle.Keys, passphrase string, p KDFParams) (*userRecord, error) {
	salt := randomBytes(saltSize)
	kek := passphraseKey(passphrase, salt, p)
	wrapped, err := wrapWith(kek, dataKey, "doorstep user "+u.Code)
	if err != nil {
		return nil, err
	}
	priv, err := wrapWith(kek, []byte(own.Secret()), privateKeysAD(u.Code))
	if err != nil {
		return nil, err
	}
	profile, err := json.Marshal(u)
	if err != nil {
		return nil, err
	}
	return &userRecord{
		Code: u.Code, Role: u.Role, Salt: salt, KDF: p, Wrapped: wrapped,
		Profile:     k.seal(string(bucketUsers), []byte(u.Code), profile),
		PrivateKeys: priv, SigningKey: own.Card().Verify,
	}, nil
}

func privateKeysAD(code string) string { return "doorstep user keys " + code }

// Unlock derives the user's key from the passphrase and opens a session. Wrong
// passphrases are counted in the file; after a few, each try must wait longer.
func (db *DB) Unlock(code, passphrase string) (*Session, error) {
	var rec userRecord
	err := db.view(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketUsers).Cursor().First(); k == nil {
			return ErrNotSetUp
		}
		found, err := getJSON(tx.Bucket(bucketUsers), []byte(code), &rec)
		if err != nil {
			return err
		}
		if !found {
			return ErrWrongPassphrase
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrWrongPassphrase) {
			// Same cost as a real try, so timing does not tell which codes exist.
			_, _ = unwrapKey(nil, passphrase, make([]byte, saltSize), db.opts.KDF, code)
		}
		return nil, err
	}
	if wait := rec.LastFailure.Add(unlockDelay(rec.Failures)).Sub(db.opts.Now()); wait > 0 {
		return nil, &WaitError{Wait: wait.Truncate(time.Second) + time.Second}
	}
	start := time.Now()
	kek := passphraseKey(passphrase, rec.Salt, rec.KDF)
	dataKey, err := unwrapWith(kek, rec.Wrapped, "doorstep user "+code)
	db.kdfTook.Store(int64(time.Since(start)))
	if err != nil {
		if uerr := db.recordFailure(code); uerr != nil {
			return nil, uerr
		}
		return nil, ErrWrongPassphrase
	}
	k, err := newKeys(dataKey)
	if err != nil {
		return nil, err
	}
	plain, err := k.open(string(bucketUsers), []byte(code), rec.Profile)
	if err != nil {
		return nil, fmt.Errorf("%w: user %s: %v", ErrCorrupt, code, err)
	}
	var u User
	if err := json.Unmarshal(plain, &u); err != nil {
		return nil, fmt.Errorf("%w: user %s: %v", ErrCorrupt, code, err)
	}
	if rec.Failures > 0 {
		if err := db.updateUser(code, func(r *userRecord) { r.Failures, r.LastFailure = 0, time.Time{} }); err != nil {
			return nil, err
		}
	}
	s := &Session{db: db, user: u, keys: k}
	if rec.PrivateKeys == nil {
		if err := s.makeOwnKeys(kek); err != nil {
			return nil, fmt.Errorf("unlock %s: %w", code, err)
		}
	} else {
		secret, err := unwrapWith(kek, rec.PrivateKeys, privateKeysAD(code))
		if err != nil {
			return nil, fmt.Errorf("%w: the keys of user %s do not open", ErrCorrupt, code)
		}
		if s.own, err = bundle.ParseSecret(u.Code, u.Name, string(u.Role), string(secret)); err != nil {
			return nil, fmt.Errorf("%w: user %s: %v", ErrCorrupt, code, err)
		}
	}
	// A wrap that could not be redone (a full disk) leaves the old one, which still
	// opens: the unlock goes on, and the next one tries again.
	_ = db.rewrapStale(&rec, passphrase, dataKey, s.own)
	// Cards of a file from before schema 6 move to their keyed names; if they cannot
	// now (a full disk), they are read where they are and moved at the next unlock.
	_ = s.moveCards()
	return s, nil
}

// makeOwnKeys gives a user of a file from before schema 4 their own keys at their
// first unlock since: the bundle keys they had (sealed under the data key, which every
// user of the laptop holds) move under their passphrase, so the card the team already
// keeps stays valid; a user who had none gets new ones.
func (s *Session) makeOwnKeys(kek []byte) error {
	u := s.user
	return s.update(func(tx *bolt.Tx) error {
		old := tx.Bucket(bucketBundleKeys)
		var secret string
		found, err := s.keys.getSealed(old, string(bucketBundleKeys), []byte(u.Code), &secret)
		if err != nil {
			return err
		}
		var own *bundle.Keys
		if found {
			own, err = bundle.ParseSecret(u.Code, u.Name, string(u.Role), secret)
		} else {
			own, err = bundle.NewKeys(u.Code, u.Name, string(u.Role))
		}
		if err != nil {
			return err
		}
		priv, err := wrapWith(kek, []byte(own.Secret()), privateKeysAD(u.Code))
		if err != nil {
			return err
		}
		users := tx.Bucket(bucketUsers)
		var rec userRecord
		if _, err := getJSON(users, []byte(u.Code), &rec); err != nil {
			return err
		}
		rec.PrivateKeys, rec.SigningKey = priv, own.Card().Verify
		if err := putJSON(users, []byte(u.Code), &rec); err != nil {
			return err
		}
		if err := old.Delete([]byte(u.Code)); err != nil {
			return err
		}
		s.own = own
		return s.keepCard(tx, own.Card())
	})
}

func (db *DB) recordFailure(code string) error {
	now := db.opts.Now()
	return db.updateUser(code, func(r *userRecord) { r.Failures++; r.LastFailure = now })
}

func (db *DB) updateUser(code string, change func(*userRecord)) error {
	return db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		var rec userRecord
		found, err := getJSON(b, []byte(code), &rec)
		if err != nil || !found {
			return err
		}
		change(&rec)
		return putJSON(b, []byte(code), &rec)
	})
}

// localSigningKeys are the public signing keys of this laptop's users.
func (db *DB) localSigningKeys() (map[string]bool, error) {
	out := map[string]bool{}
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var rec userRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: user %s: %v", ErrCorrupt, k, err)
			}
			if rec.SigningKey != nil {
				out[string(rec.SigningKey)] = true
			}
			return nil
		})
	})
	return out, err
}

// Session is an unlocked user's access to the file.
type Session struct {
	db   *DB
	user User
	keys *keys
	own  *bundle.Keys // the user's own signing and bundle keys
}

// User is who is unlocked.
func (s *Session) User() User { return s.user }

// DB is the file this session works on.
func (s *Session) DB() *DB { return s.db }

// AddUser adds a local user; only a team leader may.
func (s *Session) AddUser(u User, passphrase string) error {
	if s.user.Role != RoleLeader {
		return fmt.Errorf("add user: %w: only a team leader can add users", ErrNotAllowed)
	}
	if err := u.validate(); err != nil {
		return err
	}
	if err := checkPassphrase(passphrase); err != nil {
		return err
	}
	dataKey, err := s.dataKeyFor()
	if err != nil {
		return err
	}
	own, err := bundle.NewKeys(u.Code, u.Name, string(u.Role))
	if err != nil {
		return err
	}
	rec, err := newUserRecord(s.keys, dataKey, u, own, passphrase, s.db.opts.KDF)
	if err != nil {
		return err
	}
	return s.db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b.Get([]byte(u.Code)) != nil {
			return fmt.Errorf("add user %s: %w", u.Code, ErrUserExists)
		}
		if err := putJSON(b, []byte(u.Code), rec); err != nil {
			return err
		}
		return s.keepCard(tx, own.Card())
	})
}

// Users lists every local user with their profile.
func (s *Session) Users() ([]User, error) {
	var out []User
	err := s.db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var rec userRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: user %s: %v", ErrCorrupt, k, err)
			}
			plain, err := s.keys.open(string(bucketUsers), k, rec.Profile)
			if err != nil {
				return err
			}
			var u User
			if err := json.Unmarshal(plain, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.Code, b.Code) })
	return out, err
}

// dataKeyFor recovers the raw data key to wrap it for a new user. The session keeps only
// derived keys, so the data key is kept sealed under them for this purpose.
func (s *Session) dataKeyFor() ([]byte, error) {
	var sealed []byte
	err := s.db.view(func(tx *bolt.Tx) error {
		sealed = copyBytes(tx.Bucket(bucketMeta).Get(keyDataKey))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if sealed == nil {
		return nil, fmt.Errorf("%w: the data key record is missing", ErrCorrupt)
	}
	return s.keys.open(string(bucketMeta), keyDataKey, sealed)
}

func copyBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("%w: %s/%s: %v", ErrCorrupt, b.Inspect().Name, key, err)
	}
	return true, nil
}

// WaitError is ErrTooManyTries with the time to wait before the next try, for a screen
// to count down without reading it out of the message.
type WaitError struct{ Wait time.Duration }

func (e *WaitError) Error() string {
	return fmt.Sprintf("%s: try again in %d s", ErrTooManyTries, int(e.Wait.Seconds()))
}

func (e *WaitError) Unwrap() error { return ErrTooManyTries }
