package server

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/net/netutil"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/protocol"
)

// Limits that keep a small request from costing the server much: every one is checked
// before the memory it guards is taken.
const (
	// MaxItems caps the records of one push (laptops send at most 256).
	MaxItems = 1000
	// maxItemBytes caps one pushed record, decompressed (photos travel apart).
	maxItemBytes = 2 << 20
	// maxEnrollBody caps an enrolment request, decompressed: a code and a name.
	maxEnrollBody = 8 << 10
	// MaxField caps, in bytes, a name, number or village a request carries.
	MaxField = 512
	// MaxEnrolling is how many enrolments (the one endpoint without a token) run at
	// once; more are told to come back.
	MaxEnrolling = 8
	// MaxPushing is how many pushes decode at once; more wait their turn.
	MaxPushing = 4
	// MaxConns caps the connections open at once.
	MaxConns = 1024
	// bodyProgress is the bytes that must arrive within bodyIdle.
	bodyProgress = 1 << 10
	// logEcho caps what a log line repeats of a request.
	logEcho = 64
)

// bodyIdle is how long a request body may send nothing, or too little: a slow link
// keeps going, a connection that only holds a place is closed.
var bodyIdle = 10 * time.Second

// NewHTTPServer is the laptops' HTTPS server for h with the deadlines an attacker
// cannot stretch: headers within seconds, bodies that keep arriving (bodyIdle).
func NewHTTPServer(h http.Handler, tlsCfg *tls.Config, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, TLSConfig: tlsCfg,
		ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10,
		WriteTimeout: 2 * time.Minute, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// LimitListener caps the connections ln keeps open at once at MaxConns: one more
// waits until one closes, so file descriptors never run out.
func LimitListener(ln net.Listener) net.Listener { return netutil.LimitListener(ln, MaxConns) }

// echo is a request's text as a log line may repeat it: cut, and cleaned of what a
// terminal would act on.
func echo(s string) string {
	if len(s) > logEcho {
		cut := logEcho
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return cleantext.Line(s)
}

// progressBody closes a request whose body stalls: each read gets bodyIdle to bring
// bodyProgress more bytes. Without a controllable connection (tests) it reads plainly.
type progressBody struct {
	r     io.Reader
	rc    *http.ResponseController
	since int
	ok    bool
}

func newProgressBody(w http.ResponseWriter, r *http.Request) io.Reader {
	p := &progressBody{r: r.Body, rc: http.NewResponseController(w)}
	p.ok = p.rc.SetReadDeadline(time.Now().Add(bodyIdle)) == nil
	return p
}

func (p *progressBody) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.since += n
	if p.ok && p.since >= bodyProgress {
		p.since = 0
		p.rc.SetReadDeadline(time.Now().Add(bodyIdle))
	}
	return n, err
}

// body is the request's body, decompressed, that fails past limit bytes. The gzip
// reader is klauspost/compress's (as revpack's deflate is): the same format in about
// half the time of compress/gzip's, which was a seventh of decoding a push.
func body(w http.ResponseWriter, r *http.Request, limit int64) (io.Reader, func(), error) {
	var in io.Reader = &capped{r: newProgressBody(w, r), left: limit}
	if r.Header.Get("Content-Encoding") != "gzip" {
		return in, func() {}, nil
	}
	zr, err := gzip.NewReader(in)
	if err != nil {
		return nil, nil, err
	}
	return &capped{r: zr, left: limit}, func() { zr.Close() }, nil
}

// capped fails with errTooLarge past its limit, where io.LimitReader would end quietly.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(b []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.r.Read(b)
	c.left -= int64(n)
	return n, err
}

// readJSON decodes a small request (an enrolment) of at most limit bytes.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	in, done, err := body(w, r, limit)
	if err != nil {
		return err
	}
	defer done()
	return json.NewDecoder(in).Decode(v)
}

var (
	errTooLarge = errors.New("request too large")
	errTooMany  = fmt.Errorf("more than %d records in one batch", MaxItems)
)

// decodePush reads a push batch item by item: at most MaxItems, each at most
// maxItemBytes, the whole at most MaxBody decompressed; nothing is read whole first.
// With an error it returns the items read whole before it (a body cut short).
func decodePush(w http.ResponseWriter, r *http.Request) ([]protocol.PushItem, error) {
	in, done, err := body(w, r, MaxBody)
	if err != nil {
		return nil, err
	}
	defer done()
	return readPush(in)
}

// itemCap fails a read once one item has taken more than maxItemBytes (and the
// decoder's look-ahead).
type itemCap struct {
	r    io.Reader
	read int64
}

func (c *itemCap) reset() { c.read = 0 }

func (c *itemCap) Read(b []byte) (int, error) {
	if c.read > maxItemBytes {
		return 0, errTooLarge
	}
	n, err := c.r.Read(b)
	c.read += int64(n)
	return n, err
}

// fieldsTooLong names the first text of an item longer than MaxField, or "".
func fieldsTooLong(it protocol.PushItem) string {
	r := it.Revision.Record
	for _, f := range []struct{ name, v string }{
		{"record id", r.ID}, {"case id", r.CaseID}, {"subject", r.Subject}, {"village", r.Village},
		{"form", r.FormID}, {"form version", r.FormVersion}, {"enumerator", r.Enumerator},
		{"case subject", it.Case.Subject}, {"case name", it.Case.Name}, {"case village", it.Case.Village},
	} {
		if len(f.v) > MaxField {
			return f.name
		}
	}
	return ""
}
