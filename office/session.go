package office

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	gosync "sync"
	"time"
)

// Cookies of the console. The session's is HttpOnly, Secure and SameSite=Strict, and
// its value is kept on the server only as a hash.
const (
	sessionCookie = "doorstep_office"
	// loginCookie carries the login form's CSRF token before anyone is signed in
	// (double submit: the form's hidden field must equal it).
	loginCookie = "doorstep_office_login"
)

// Session timeouts.
const (
	DefaultIdle = 30 * time.Minute // a session unused this long is over
	maxSession  = 12 * time.Hour   // and any session after a working day
)

type session struct {
	user    string
	csrf    string
	created time.Time
	seen    time.Time
	numbers bool // the account asked to see full numbers in this session
}

// sessions are held in memory: a server restart signs everyone out, which is safer than
// a file of live sessions.
type sessions struct {
	idle time.Duration
	now  func() time.Time

	mu  gosync.Mutex
	all map[string]*session // sha256(cookie value) → session
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// start makes a session for the user and returns its cookie value.
func (s *sessions) start(user string) string {
	tok := randomToken()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.all == nil {
		s.all = map[string]*session{}
	}
	for k, x := range s.all {
		if s.expired(x, now) {
			delete(s.all, k)
		}
	}
	s.all[tokenKey(tok)] = &session{user: user, csrf: randomToken(), created: now, seen: now}
	return tok
}

func (s *sessions) expired(x *session, now time.Time) bool {
	return now.Sub(x.seen) > s.idle || now.Sub(x.created) > maxSession
}

// get returns a copy of the cookie's session, and marks it used.
func (s *sessions) get(tok string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := tokenKey(tok)
	x := s.all[k]
	if x == nil {
		return session{}, false
	}
	now := s.now()
	if s.expired(x, now) {
		delete(s.all, k)
		return session{}, false
	}
	x.seen = now
	return *x, true
}

func (s *sessions) setNumbers(tok string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.all[tokenKey(tok)]; x != nil {
		x.numbers = on
	}
}

func (s *sessions) end(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.all, tokenKey(tok))
}

func setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/office/", MaxAge: maxAge,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}

func sameToken(a, b string) bool {
	return a != "" && len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
