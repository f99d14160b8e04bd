package office

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/doorstep-survey/doorstep/atomicfile"
)

// AccountsFile is the office accounts' file in the server's data folder: JSON, 0600,
// replaced atomically, so `doorstep-server office add` works while the server runs (the
// server reads it again when it changes).
const AccountsFile = "office-accounts.json"

// Role is what an office account may see.
type Role string

// Roles.
const (
	RoleDistrict Role = "district" // every town
	RoleTown     Role = "town"     // its towns only
)

// KDFParams are the argon2id parameters of a passphrase hash, kept with each account so
// they can be raised without locking anyone out.
type KDFParams struct {
	Time      uint32 `json:"t"`
	MemoryKiB uint32 `json:"m"`
	Threads   uint8  `json:"p"`
}

// DefaultKDF costs about a tenth of a second and 64 MiB: less than the laptop's, as a
// server hashes for many people at once (and at most two at a time, see Accounts).
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 2}

// Account is one office user.
type Account struct {
	User  string   `json:"user"`
	Name  string   `json:"name"`
	Role  Role     `json:"role"`
	Towns []string `json:"towns,omitempty"` // a town account's towns, by name or 9-digit code
	// SeeNumbers lets the account ask for full certificate and ID numbers; everyone
	// else sees them masked.
	SeeNumbers bool      `json:"see_numbers,omitempty"`
	Salt       []byte    `json:"salt"`
	Hash       []byte    `json:"hash"`
	KDF        KDFParams `json:"kdf"`
	Created    time.Time `json:"created"`
}

// MayTown reports whether the account sees the town (named, or by its 9-digit code).
func (a Account) MayTown(t Town) bool {
	if a.Role == RoleDistrict {
		return true
	}
	return slices.Contains(a.Towns, t.Name) || (t.Code != "" && slices.Contains(a.Towns, t.Code))
}

// MinPassphrase is the shortest office passphrase: the console is on the network.
const MinPassphrase = 10

var accountUserRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// Errors of accounts.
var (
	ErrWrongPassphrase = errors.New("wrong user or passphrase")
	ErrAccountExists   = errors.New("an office account with this user already exists")
)

// TooManyTries is a refusal to check a passphrase before Wait has passed.
type TooManyTries struct{ Wait time.Duration }

func (e TooManyTries) Error() string {
	return fmt.Sprintf("too many wrong passphrases: try again in %s", e.Wait.Round(time.Second))
}

// NewAccount checks an account's fields and hashes its passphrase.
func NewAccount(user, name string, role Role, towns []string, passphrase string, kdf KDFParams, now time.Time) (Account, error) {
	var problems []string
	if !accountUserRE.MatchString(user) {
		problems = append(problems, fmt.Sprintf("user %q: letters, digits, _ . -, at most 32", user))
	}
	if strings.TrimSpace(name) == "" {
		problems = append(problems, "name is empty")
	}
	switch role {
	case RoleDistrict:
		if len(towns) > 0 {
			problems = append(problems, "a district account sees every town: give no --towns")
		}
	case RoleTown:
		if len(towns) == 0 {
			problems = append(problems, "a town account needs --towns")
		}
	default:
		problems = append(problems, fmt.Sprintf("role %q: district or town", role))
	}
	if len([]rune(passphrase)) < MinPassphrase {
		problems = append(problems, fmt.Sprintf("the passphrase needs at least %d characters", MinPassphrase))
	}
	if len(problems) > 0 {
		return Account{}, fmt.Errorf("office account: %s", strings.Join(problems, "; "))
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	a := Account{User: user, Name: strings.TrimSpace(name), Role: role, Towns: towns, Salt: salt, KDF: kdf, Created: now.UTC()}
	a.Hash = hashPassphrase(passphrase, salt, kdf)
	return a, nil
}

func hashPassphrase(p string, salt []byte, k KDFParams) []byte {
	return argon2.IDKey([]byte(p), salt, k.Time, k.MemoryKiB, k.Threads, 32)
}

// AddAccount adds an account to the accounts file in dir (created 0600 if absent).
func AddAccount(dir string, a Account) error {
	path := filepath.Join(dir, AccountsFile)
	all, err := readAccounts(path)
	if err != nil {
		return err
	}
	for _, x := range all {
		if strings.EqualFold(x.User, a.User) {
			return fmt.Errorf("%w: %s", ErrAccountExists, a.User)
		}
	}
	all = append(all, a)
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("office accounts: %w", err)
	}
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("office accounts: %w", err)
	}
	return nil
}

func readAccounts(path string) ([]Account, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("office accounts: %w", err)
	}
	var all []Account
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("office accounts %s: %w", path, err)
	}
	return all, nil
}

// Accounts checks passphrases against the accounts file, reading it again when it
// changes. Wrong passphrases slow down as on the laptop: a few free tries, then each
// must wait, doubling from 2 s to 5 minutes (per user name tried, known or not).
type Accounts struct {
	path string
	now  func() time.Time

	mu       gosync.Mutex
	stamp    string // size and modification time of what was read
	byUser   map[string]Account
	failures map[string]*failure
	// hashing admits two argon2id hashes at a time: a burst of logins queues rather
	// than takes the server's memory.
	hashing chan struct{}
}

type failure struct {
	n    int
	last time.Time
}

// freeTries is how many wrong passphrases may be typed before each try must wait.
const freeTries = 3

// loginDelay is the wait before the next try after n consecutive failures (the laptop's
// rule, localstore's unlockDelay).
func loginDelay(n int) time.Duration {
	if n < freeTries {
		return 0
	}
	return min(2*time.Second<<min(n-freeTries, 8), 5*time.Minute)
}

// OpenAccounts reads the accounts file in dir.
func OpenAccounts(dir string, now func() time.Time) (*Accounts, error) {
	if now == nil {
		now = time.Now
	}
	a := &Accounts{path: filepath.Join(dir, AccountsFile), now: now, failures: map[string]*failure{}, hashing: make(chan struct{}, 2)}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a, a.reload()
}

// reload reads the file again if it changed; the caller holds mu.
func (a *Accounts) reload() error {
	st, err := os.Stat(a.path)
	stamp := ""
	if err == nil {
		stamp = fmt.Sprint(st.Size(), st.ModTime().UnixNano())
	}
	if a.byUser != nil && stamp == a.stamp {
		return nil
	}
	all, err := readAccounts(a.path)
	if err != nil {
		return err
	}
	a.byUser = map[string]Account{}
	for _, x := range all {
		a.byUser[strings.ToLower(x.User)] = x
	}
	a.stamp = stamp
	return nil
}

// Get returns an account by user.
func (a *Accounts) Get(user string) (Account, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.reload(); err != nil {
		return Account{}, false
	}
	x, ok := a.byUser[strings.ToLower(user)]
	return x, ok
}

// dummy is hashed for a user that does not exist, so that a wrong user takes as long
// as a wrong passphrase and the answer does not tell which accounts exist.
var dummy = Account{Salt: make([]byte, 16), Hash: make([]byte, 32), KDF: DefaultKDF}

// Check returns the account when the passphrase is right; ErrWrongPassphrase, or
// TooManyTries while the user must wait.
func (a *Accounts) Check(user, passphrase string) (Account, error) {
	key := strings.ToLower(strings.TrimSpace(user))
	a.mu.Lock()
	if err := a.reload(); err != nil {
		a.mu.Unlock()
		return Account{}, err
	}
	if f := a.failures[key]; f != nil {
		if wait := f.last.Add(loginDelay(f.n)).Sub(a.now()); wait > 0 {
			a.mu.Unlock()
			return Account{}, TooManyTries{Wait: wait}
		}
	}
	acc, known := a.byUser[key]
	a.mu.Unlock()
	check := acc
	if !known {
		check = dummy
	}
	a.hashing <- struct{}{}
	got := hashPassphrase(passphrase, check.Salt, check.KDF)
	<-a.hashing
	a.mu.Lock()
	defer a.mu.Unlock()
	if known && subtle.ConstantTimeCompare(got, acc.Hash) == 1 {
		delete(a.failures, key)
		return acc, nil
	}
	f := a.failures[key]
	if f == nil {
		if len(a.failures) > 100_000 {
			// Someone is trying names by the hundred thousand; forget the old ones
			// rather than grow without end.
			clear(a.failures)
		}
		f = &failure{}
		a.failures[key] = f
	}
	f.n++
	f.last = a.now()
	return Account{}, ErrWrongPassphrase
}
