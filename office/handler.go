package office

import (
	"bytes"
	"crypto/ed25519"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/forms"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Deadline is a date of the work plan the progress counts down to.
type Deadline struct {
	Key  string // a text key: deadline.collect, deadline.report
	Date time.Time
}

// Options configure the console.
type Options struct {
	// Dir is the server's data folder: the accounts file and the audit log are there.
	Dir    string
	Source Source
	// Forms are every form the program has: each record is read with its own.
	Forms *forms.Registry
	// PersonForm is the form new person records are started with: its id says which
	// records are a person's, its reference date is the roster's.
	PersonForm *forms.Form
	// Unit names who reports, e.g. "某某区残联", on every report.
	Unit string
	// Start is the first day of collection; Deadlines are counted down to.
	Start     time.Time
	Deadlines []Deadline
	// Idle ends a session unused this long (DefaultIdle when 0).
	Idle time.Duration
	// EnrolURL and Fingerprint make the enrolment line a laptop runs.
	EnrolURL, Fingerprint string
	// Signer is the district's signing key (server.LoadSigningKey): it signs the
	// console's decisions (a return), which laptops and the server check against the
	// district's public key like any other entry. Without it a return is refused.
	Signer   ed25519.PrivateKey
	Now      func() time.Time
	Location *time.Location // the district's day (China Standard Time when nil)
	Log      *slog.Logger
}

// DefaultDeadlines are the work plan's for a survey year with reference date ref
// (30 September): collection 20 September to 25 October, reports by 30 October.
func DefaultDeadlines(ref time.Time) (start time.Time, d []Deadline) {
	y := ref.Year()
	loc := chinaTime
	return time.Date(y, 9, 20, 0, 0, 0, 0, loc), []Deadline{
		{Key: "deadline.collect", Date: time.Date(y, 10, 25, 0, 0, 0, 0, loc)},
		{Key: "deadline.report", Date: time.Date(y, 10, 30, 0, 0, 0, 0, loc)},
	}
}

var chinaTime = time.FixedZone("CST", 8*3600)

// Handler serves the console under /office/.
type Handler struct {
	o        Options
	accounts *Accounts
	sessions *sessions
	journal  *journal
	ix       *index
	pages    map[string]*template.Template
	mux      *http.ServeMux
	warm     chan struct{} // closed when the first reading of the store is done
}

// New opens the console's files in o.Dir and reads the server's data.
func New(o Options) (*Handler, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = chinaTime
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Idle == 0 {
		o.Idle = DefaultIdle
	}
	if o.Source == nil || o.PersonForm == nil || o.Forms == nil {
		return nil, errors.New("office: a source and the forms are needed")
	}
	if o.Start.IsZero() && len(o.Deadlines) == 0 {
		o.Start, o.Deadlines = DefaultDeadlines(o.PersonForm.ReferenceDate)
	}
	acc, err := OpenAccounts(o.Dir, o.Now)
	if err != nil {
		return nil, err
	}
	j, err := openJournal(o.Dir, o.Log)
	if err != nil {
		return nil, err
	}
	h := &Handler{o: o, accounts: acc, sessions: &sessions{idle: o.Idle, now: o.Now}, journal: j,
		ix: newIndex(o.Source, o.PersonForm.ID, o.Forms)}
	if err := h.parseTemplates(); err != nil {
		j.close()
		return nil, err
	}
	h.routes()
	// The first reading of the store decodes every record once (seconds for a large
	// district): it runs beside the laptops' API rather than delay the server's start,
	// and the first page waits for it.
	h.warm = make(chan struct{})
	go func() {
		defer close(h.warm)
		if err := h.ix.refresh(); err != nil {
			o.Log.Error("office: read the server's data", "err", err)
		}
	}()
	return h, nil
}

// Close waits for the first reading of the store and closes the audit log.
func (h *Handler) Close() error {
	<-h.warm
	return h.journal.close()
}

func (h *Handler) parseTemplates() error {
	funcs := template.FuncMap{
		"t":   text,
		"tf":  func(lang, key string, args ...any) string { return fmt.Sprintf(text(lang, key), args...) },
		"pct": func(x float64) string { return fmt.Sprintf("%.1f%%", x*100) },
		"add": func(a, b int) int { return a + b },
		"pagerOf": func(lang string, p pager) any {
			return struct {
				Lang  string
				Pager pager
			}{lang, p}
		},
		"sortOf": func(lang string, c sortCol) any {
			return struct {
				Lang string
				Col  sortCol
			}{lang, c}
		},
		"link":    recordLink,
		"outcome": outcomeLabel,
		"slice4":  func() []string { return []string{"withleader", "waiting", "returned", "final"} },
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return err
	}
	h.pages = map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return fmt.Errorf("office templates: %w", err)
		}
		h.pages[base] = t
	}
	return nil
}

func (h *Handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /office/{$}", h.authed(func(c *call) { http.Redirect(c.w, c.r, "/office/progress", http.StatusSeeOther) }))
	m.HandleFunc("GET /office/login", h.loginPage)
	m.HandleFunc("POST /office/login", h.login)
	m.HandleFunc("POST /office/logout", h.authed(h.logout))
	m.HandleFunc("GET /office/static/", h.static)
	m.HandleFunc("GET /office/progress", h.authed(h.progress))
	m.HandleFunc("GET /office/review", h.authed(h.reviewList))
	m.HandleFunc("GET /office/review/{id}", h.authed(h.reviewRecord))
	m.HandleFunc("POST /office/review/{id}", h.authed(h.decide))
	m.HandleFunc("POST /office/numbers", h.authed(h.numbers))
	m.HandleFunc("GET /office/cancellations", h.authed(h.cancellations))
	m.HandleFunc("POST /office/cancellations/{id}", h.authed(h.markSent))
	m.HandleFunc("GET /office/duplicates", h.authed(h.duplicatesPage))
	m.HandleFunc("POST /office/duplicates", h.authed(h.resolveDuplicate))
	m.HandleFunc("GET /office/held", h.authed(h.heldPage))
	m.HandleFunc("POST /office/held", h.authed(h.decideHeld))
	m.HandleFunc("GET /office/photo/{id}/{hash}", h.authed(h.photo))
	m.HandleFunc("GET /office/reports", h.authed(h.reportsPage))
	m.HandleFunc("GET /office/reports/{file}", h.authed(h.reportFile))
	m.HandleFunc("GET /office/roster", h.authed(h.rosterPage))
	m.HandleFunc("POST /office/roster", h.authed(h.rosterImport))
	m.HandleFunc("POST /office/laptops/enrol", h.authed(h.enrol))
	m.HandleFunc("POST /office/laptops/revoke", h.authed(h.revoke))
	m.HandleFunc("/office/", func(w http.ResponseWriter, r *http.Request) {
		h.notFound(&call{w: w, r: r, lang: langOf(r)})
	})
	h.mux = m
}

// ServeHTTP serves the console with the headers every page has.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Strict-Transport-Security", "max-age=31536000")
	h.mux.ServeHTTP(w, r)
}

// call is one request of a signed-in account.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	acc  Account
	sess session
	tok  string
	lang string
}

func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
		return l
	}
	if c, err := r.Cookie("doorstep_lang"); err == nil && c.Value == "en" {
		return "en"
	}
	return "zh"
}

// from is the client's address for the audit log.
func from(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authed runs next for a signed-in account whose session is alive, after checking the
// CSRF token of a POST; anyone else goes to the login page.
func (h *Handler) authed(next func(*call)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, lang: langOf(r)}
		if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
			http.SetCookie(w, &http.Cookie{Name: "doorstep_lang", Value: l, Path: "/office/", MaxAge: 365 * 86400,
				HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
		}
		ck, err := r.Cookie(sessionCookie)
		if err == nil {
			c.tok = ck.Value
			c.sess, err = h.sessionOf(ck.Value)
		}
		if err != nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/office/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.fail(c, http.StatusUnauthorized, "err.csrf")
			return
		}
		acc, ok := h.accounts.Get(c.sess.user)
		if !ok {
			h.sessions.end(c.tok)
			http.Redirect(w, r, "/office/login", http.StatusSeeOther)
			return
		}
		c.acc = acc
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
			if !sameToken(r.FormValue("csrf"), c.sess.csrf) {
				var tooLarge *http.MaxBytesError
				if errors.As(formErr(r), &tooLarge) {
					h.fail(c, http.StatusRequestEntityTooLarge, "err.toolarge", maxUpload>>20)
					return
				}
				h.audit(c, "refused", r.URL.Path, "missing or wrong CSRF token")
				h.fail(c, http.StatusForbidden, "err.csrf")
				return
			}
		}
		if err := h.ix.refresh(); err != nil {
			h.o.Log.Error("office: read the server's data", "err", err)
			h.fail(c, http.StatusInternalServerError, "err.server")
			return
		}
		next(c)
	}
}

// formErr is why the form could not be read, if it could not.
func formErr(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return r.ParseMultipartForm(8 << 20)
	}
	return r.ParseForm()
}

// maxUpload is the largest request body: a district's roster is a few MB.
const maxUpload = 20 << 20

var errNoSession = errors.New("no session")

func (h *Handler) sessionOf(tok string) (session, error) {
	s, ok := h.sessions.get(tok)
	if !ok {
		return session{}, errNoSession
	}
	return s, nil
}

func (h *Handler) audit(c *call, action, target, detail string) error {
	return h.journal.write(Entry{At: h.o.Now().UTC(), User: c.acc.User, Role: c.acc.Role, From: from(c.r),
		Action: action, Target: target, Detail: detail})
}

// page is what every template gets.
type page struct {
	Lang    string
	Title   string
	Nav     string
	Account Account
	CSRF    string
	Path    string // the page's path and query, for the language link
	Notice  string
	Error   string
	Data    any
}

func (h *Handler) render(c *call, status int, name, titleKey string, data any) {
	t := h.pages[name]
	p := page{Lang: c.lang, Title: text(c.lang, titleKey), Nav: name, Account: c.acc, CSRF: c.sess.csrf,
		Path: c.r.URL.Path, Data: data, Notice: c.r.URL.Query().Get("notice")}
	if p.Notice != "" {
		p.Notice = text(c.lang, p.Notice)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.o.Log.Error("office: render", "page", name, "err", err)
		http.Error(c.w, text(c.lang, "err.server"), http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.WriteHeader(status)
	c.w.Write(buf.Bytes())
}

// fail shows a message page.
func (h *Handler) fail(c *call, status int, key string, args ...any) {
	msg := text(c.lang, key)
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	h.render(c, status, "message", "notfound.title", msg)
}

func (h *Handler) notFound(c *call) { h.fail(c, http.StatusNotFound, "err.notfound") }

func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/office/")
	data, err := assets.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(name, ".css") {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(data)
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, lang: langOf(r)}
	h.showLogin(c, http.StatusOK, "")
}

func (h *Handler) showLogin(c *call, status int, msg string) {
	tok := randomToken()
	setCookie(c.w, loginCookie, tok, 3600)
	c.sess.csrf = tok
	next := c.r.FormValue("next")
	if !strings.HasPrefix(next, "/office/") || strings.HasPrefix(next, "//") {
		next = "/office/progress"
	}
	h.render(c, status, "login", "login", struct{ Error, Next string }{msg, next})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, lang: langOf(r)}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.FormValue("csrf"), ck.Value) {
		h.journal.write(Entry{At: h.o.Now().UTC(), User: r.FormValue("user"), From: from(r), Action: "login-refused", Detail: "missing or wrong CSRF token"})
		h.showLogin(c, http.StatusForbidden, text(c.lang, "err.csrf"))
		return
	}
	user := strings.TrimSpace(r.FormValue("user"))
	acc, err := h.accounts.Check(user, r.FormValue("passphrase"))
	var wait TooManyTries
	switch {
	case errors.As(err, &wait):
		h.journal.write(Entry{At: h.o.Now().UTC(), User: user, From: from(r), Action: "login-refused", Detail: wait.Error()})
		h.showLogin(c, http.StatusTooManyRequests, fmt.Sprintf(text(c.lang, "err.wait"), wait.Wait.Round(time.Second)))
		return
	case err != nil:
		h.journal.write(Entry{At: h.o.Now().UTC(), User: user, From: from(r), Action: "login-failed"})
		h.showLogin(c, http.StatusUnauthorized, text(c.lang, "err.login"))
		return
	}
	tok := h.sessions.start(acc.User)
	setCookie(w, sessionCookie, tok, 0)
	setCookie(w, loginCookie, "", -1)
	h.journal.write(Entry{At: h.o.Now().UTC(), User: acc.User, Role: acc.Role, From: from(r), Action: "login"})
	next := r.FormValue("next")
	if !strings.HasPrefix(next, "/office/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		next = "/office/progress"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) logout(c *call) {
	h.sessions.end(c.tok)
	setCookie(c.w, sessionCookie, "", -1)
	h.audit(c, "logout", "", "")
	http.Redirect(c.w, c.r, "/office/login", http.StatusSeeOther)
}

// numbers turns full certificate numbers on or off for the session, for an account
// that may see them.
func (h *Handler) numbers(c *call) {
	on := c.r.FormValue("on") == "1" && c.acc.SeeNumbers
	h.sessions.setNumbers(c.tok, on)
	h.audit(c, "numbers", "", fmt.Sprint(on))
	back := c.r.FormValue("back")
	if !strings.HasPrefix(back, "/office/") || strings.HasPrefix(back, "//") {
		back = "/office/review"
	}
	http.Redirect(c.w, c.r, back, http.StatusSeeOther)
}
