package sync

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
)

// ErrorKind says what a failure means for retrying.
type ErrorKind int

// Kinds of failure (STYLE.md): transient ones are retried with backoff; permanent ones
// are shown and not retried for ever; security ones stop the round and are never
// retried until a person acts.
const (
	Transient ErrorKind = iota
	Permanent
	Security
)

// Error is a sync failure with words for a person in both languages.
type Error struct {
	Kind ErrorKind
	zh   string
	en   string
	code string
	Err  error
	// RetryAfter is how long the server asked to be left alone (429, 503): a transient
	// failure is not tried again sooner.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.en
	}
	// A cause that already says the same (the server's words wrapped again) is said once.
	cause := e.Err.Error()
	if strings.Contains(strings.ToLower(e.en), strings.ToLower(cause)) {
		return e.en
	}
	return e.en + ": " + cause
}

// Code is the server's machine-readable reason when it refused ("bad_code", …; see
// Envelope.Code), "" otherwise.
func (e *Error) Code() string { return e.code }

func (e *Error) Unwrap() error { return e.Err }

// Message is the failure in lang ("zh" or "en").
func (e *Error) Message(lang string) string {
	if lang == "en" {
		return e.en
	}
	return e.zh
}

func syncErr(kind ErrorKind, zh, en string, err error) *Error {
	return &Error{Kind: kind, zh: zh, en: en, Err: err}
}

// ErrNotEnrolled is a laptop with no enrolment.
var ErrNotEnrolled = syncErr(Permanent, "这台电脑还没有登记到区县服务器（doorstep enroll）", "This laptop is not enrolled with a district server (doorstep enroll)", nil)

// TLSConfig trusts the server by a pinned SHA-256 fingerprint of its certificate (hex,
// colons allowed), else by a CA file, else by the system's roots. TLS 1.2 at least.
func TLSConfig(pin, caFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if pin = NormalizeFingerprint(pin); pin != "" {
		// The pin replaces the chain and the name: a district's server on a bare IP
		// address with a self-signed certificate is the usual case.
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errPinMismatch
			}
			sum := sha256.Sum256(raw[0])
			if hex.EncodeToString(sum[:]) != pin {
				return errPinMismatch
			}
			return nil
		}
		return cfg, nil
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

var errPinMismatch = errors.New("the server's certificate does not match the pinned fingerprint")

// NormalizeFingerprint is a fingerprint as lower-case hex without separators.
func NormalizeFingerprint(s string) string {
	return strings.ToLower(strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s)))
}

// Client talks to the district server for one laptop.
type Client struct {
	Base  string // https://host:port
	Token string
	HTTP  *http.Client
	// Timeout bounds each request (0: 60 s).
	Timeout time.Duration
}

// NewClient makes a client for base, trusting the server as TLSConfig says.
func NewClient(base, token, pin, caFile string) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, syncErr(Permanent, "服务器地址应以 https:// 开头", "The server address must start with https://", err)
	}
	cfg, err := TLSConfig(pin, caFile)
	if err != nil {
		return nil, syncErr(Permanent, "读不了证书文件", "Cannot read the CA file", err)
	}
	tr := &http.Transport{TLSClientConfig: cfg, Proxy: http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 20 * time.Second}).DialContext,
		TLSHandshakeTimeout: 20 * time.Second, ResponseHeaderTimeout: 60 * time.Second, MaxIdleConnsPerHost: 2}
	return &Client{Base: strings.TrimRight(base, "/"), Token: token, HTTP: &http.Client{Transport: tr}}, nil
}

// do sends one request with a deadline and reads our envelope into out. A 200 that is
// not our JSON is a failure (a captive portal), never a success.
func (c *Client) do(ctx context.Context, method, path string, body []byte, gz bool, hdr map[string]string, out any) (*http.Response, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return nil, syncErr(Permanent, "请求出错", "Bad request", err)
	}
	if len(body) > tlsRecord {
		req.Body = io.NopCloser(&smallReads{bytes.NewReader(body)})
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(&smallReads{bytes.NewReader(body)}), nil }
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, classify(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxBody+1))
	if err != nil {
		return resp, classify(err)
	}
	var env protocol.Envelope
	jerr := json.Unmarshal(data, &env)
	env.Error = serverWords(env.Error)
	if jerr != nil || env.Doorstep != protocol.Version {
		if resp.StatusCode >= 500 {
			return resp, syncErr(Transient, "服务器暂时出错", "The server had a problem", fmt.Errorf("HTTP %d", resp.StatusCode))
		}
		return resp, syncErr(Transient, "连上的不是区县服务器（可能需要先在浏览器登录 Wi-Fi）",
			"The answer did not come from the district server (the Wi-Fi may want a login first)", fmt.Errorf("HTTP %d, not the protocol", resp.StatusCode))
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized && env.Code == "revoked":
		return resp, syncErr(Security, "这台电脑的登记已被区县撤销，请联系区县技术人员", "This laptop's enrolment was revoked: call the district's IT officer", errors.New(env.Error))
	case resp.StatusCode == http.StatusUnauthorized:
		return resp, syncErr(Security, "服务器不认这台电脑的登记，请重新登记", "The server does not know this laptop's enrolment: enrol again", errors.New(env.Error))
	case resp.StatusCode == http.StatusInsufficientStorage || env.Code == "disk_full":
		e := syncErr(Transient, "区县服务器的磁盘满了：记录留在本机，稍后自动重发", "The district server's disk is full: the records stay on this laptop and will be sent later", errors.New(env.Error))
		e.RetryAfter = 5 * time.Minute
		return resp, e
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		e := syncErr(Transient, "服务器忙，稍后自动重试", "The server is busy; it will be tried again", errors.New(env.Error))
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			e.RetryAfter = min(time.Duration(secs)*time.Second, 5*time.Minute)
		}
		return resp, e
	case resp.StatusCode >= 400:
		// The server's own words are English, for the log: a person is told by its code.
		zh, en := refusal(env.Code)
		e := syncErr(Permanent, zh, en, errors.New(env.Error))
		e.code = env.Code
		return resp, e
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, syncErr(Transient, "服务器的回答读不懂", "Unreadable answer from the server", err)
		}
	}
	return resp, nil
}

// tlsRecord is the most of a request body written at once. TLS seals each write in
// records of up to 16 KB, and the server can read none of a record until all of it
// has arrived: when the link drops, the record in flight is lost with it. Written 4 KB
// at a time, a body cut short loses at most 4 KB of what had crossed (the server keeps
// the records that arrived whole: pushledger), for 0.4 % more bytes of record headers.
const tlsRecord = 4 << 10

// smallReads hands out a body tlsRecord bytes at a time; net/http copies a body by
// its reads into the connection, so each becomes a TLS record of its own.
type smallReads struct{ r io.Reader }

func (s *smallReads) Read(b []byte) (int, error) { return s.r.Read(b[:min(len(b), tlsRecord)]) }

// download reads a photo from offset (a Range request), at most MaxPhotoSize; what
// arrived before a failure is returned with it, to resume from.
func (c *Client) download(ctx context.Context, path string, offset int64) (data []byte, whole bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return nil, false, syncErr(Permanent, "请求出错", "Bad request", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, false, classify(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		// Not there yet, or refused: said in the server's words, held for next time.
		var env protocol.Envelope
		json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&env)
		if resp.StatusCode == http.StatusUnauthorized {
			return nil, false, syncErr(Security, "服务器不认这台电脑的登记，请重新登记", "The server does not know this laptop's enrolment: enrol again", errors.New(env.Error))
		}
		return nil, false, syncErr(Transient, "照片还没到服务器", "The photo has not reached the server yet", fmt.Errorf("HTTP %d %s", resp.StatusCode, env.Code))
	}
	whole = resp.StatusCode == http.StatusOK // from the start, whatever was asked
	data, err = io.ReadAll(io.LimitReader(resp.Body, localstore.MaxPhotoSize+1))
	if err != nil {
		return data, whole, classify(err)
	}
	return data, whole, nil
}

// serverWords is text from the server made fit to show: no control characters or
// escape sequences, no file path of the server's (a laptop has no business knowing
// where the district keeps its files), and not longer than a line or two.
func serverWords(s string) string {
	s = cleantext.Line(s)
	s = serverPath.ReplaceAllString(s, "(a file on the server)")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// serverPath matches an absolute path, Unix or Windows.
var serverPath = regexp.MustCompile(`(?:[A-Za-z]:\\|/)[^\s:;,'"()]*[/\\][^\s:;,'"()]*`)

// classify turns a transport failure into words and a kind.
func classify(err error) *Error {
	var x509u x509.UnknownAuthorityError
	var x509h x509.HostnameError
	var x509i x509.CertificateInvalidError
	var tlsv *tls.CertificateVerificationError
	switch {
	case errors.Is(err, errPinMismatch):
		return syncErr(Security, "服务器证书与登记时的指纹不符，已停止同步（可能有人冒充服务器）", "The server's certificate does not match the pinned fingerprint: sync stopped (someone may be impersonating the server)", err)
	case errors.As(err, &x509u), errors.As(err, &x509h), errors.As(err, &x509i), errors.As(err, &tlsv):
		return syncErr(Security, "证书不受信任，已停止同步", "The server's certificate is not trusted: sync stopped", err)
	case oldTLS(err):
		return syncErr(Security, "服务器只用过时的加密方式（TLS 1.2 以下），已停止同步：请区县技术人员更新服务器",
			"The server only speaks an outdated encryption (below TLS 1.2): sync stopped; the district's IT officer must update it", err)
	case errors.Is(err, context.DeadlineExceeded):
		return syncErr(Transient, "网络太慢，超时了", "The network timed out", err)
	}
	return syncErr(Transient, "连不上服务器（没有信号或网络断了）", "Cannot reach the server (no signal, or the link dropped)", err)
}

// oldTLS reports a handshake that failed because the server offers only a TLS version
// below 1.2 (or no cipher we accept): an old or downgraded server is a security
// matter, not a bad signal. crypto/tls gives these failures no type (the alert the
// server sent is an unexported type in a net.OpError "remote error"), so their words
// are matched.
func oldTLS(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil {
		switch op.Err.Error() {
		case "tls: protocol version not supported", "tls: insufficient security level", "tls: handshake failure":
			return true
		}
	}
	return strings.Contains(err.Error(), "tls: server selected unsupported protocol version")
}

// Enroll exchanges a one-time code for a device token, without registering a key.
func (c *Client) Enroll(ctx context.Context, code, device string) (protocol.EnrollResponse, error) {
	return c.EnrollUser(ctx, protocol.EnrollRequest{Code: code, Device: device})
}

// EnrollUser exchanges a one-time code for a device token and registers the user's
// public keys (req.Card, req.SigningKey) with the server, which then takes audit
// entries in the user's name only when that key signed them.
func (c *Client) EnrollUser(ctx context.Context, req protocol.EnrollRequest) (protocol.EnrollResponse, error) {
	body, _ := json.Marshal(req)
	var out protocol.EnrollResponse
	_, err := c.do(ctx, http.MethodPost, "/v1/enroll", body, false, nil, &out)
	var se *Error
	if errors.As(err, &se) && se.Kind == Permanent {
		// The server's detail, not its refusal again: the code is said once.
		e := syncErr(Permanent, "登记码不对、已用过或已过期", "The enrolment code is wrong, used or expired", se.Err)
		e.code = se.code
		return out, e
	}
	return out, err
}

// refusal is what a person is told of a request the server refused, by its code.
func refusal(code string) (zh, en string) {
	switch code {
	case "bad_code":
		return "登记码不对、已用过或已过期", "The enrolment code is wrong, used or expired"
	case "forbidden":
		return "服务器不允许这个用户这样做（不是本村的组长或调查员）", "The server does not allow this user to do that (not this village's team)"
	case "too_large":
		return "发送的内容太大，服务器不收", "What was sent is too large for the server"
	case "offset":
		return "照片上传的位置与服务器不一致，将重新上传", "The photo upload is out of step with the server; it will be sent again"
	case "":
		return "服务器拒绝了请求，请联系区县技术人员", "The server refused the request: call the district's IT officer"
	}
	return "服务器拒绝了请求（" + code + "），请联系区县技术人员", "The server refused the request (" + code + "): call the district's IT officer"
}

// Refusal is one record the server refused (moved aside on the laptop), held (sent
// again next round) or kept for its review, by its reason code (protocol.Reason*).
type Refusal struct {
	RecordID string   `json:"record_id"`
	Code     string   `json:"code,omitempty"`
	Args     []string `json:"args,omitempty"`   // cleaned
	Server   string   `json:"server,omitempty"` // the server's words, cleaned
	Held     bool     `json:"held,omitempty"`
	// Review: not refused but stored, and kept for the district's review (a person its
	// roster does not know).
	Review bool `json:"review,omitempty"`
}

// Report is what one round did.
type Report struct {
	Pushed     int `json:"pushed"`
	Duplicates int `json:"duplicates"`
	Stale      int `json:"stale"`
	Rejected   int `json:"rejected"`
	Pulled     int `json:"pulled"`
	Roster     int `json:"roster"`
	Queued     int `json:"queued"`
	// Held are records the server did not take yet, not for their fault (a photo not
	// there yet, its disk full): they stay queued, and Reasons says why.
	Held int `json:"held"`
	// Refused are the records the server refused, held or kept for its review this
	// round, each with the server's reason code: the screens say it in their language
	// (the server's own words, cleaned, only for a code this laptop does not know).
	Refused []Refusal `json:"refused,omitempty"`
	// Review are records the district keeps for its review (persons its roster does
	// not know): delivered, and Refused says so.
	Review int `json:"review"`
	// Reasons are the round's other notes, in both languages: records pulled and not
	// kept, withdrawals, forms refused.
	Reasons []string `json:"reasons,omitempty"`
	// Bytes are the compressed batches sent, resends included; Delivered those of the
	// batches the server answered (the payload: what a perfect link would carry);
	// PhotoBytes the photos uploaded.
	Bytes      int64 `json:"bytes_sent"`
	Delivered  int64 `json:"bytes_delivered"`
	PhotoBytes int64 `json:"photo_bytes_sent"`

	// Withdrawn are the district's withdrawals of this laptop's records (a duplicate
	// interview resolved for the other record); Reasons says which and why.
	Withdrawn int `json:"withdrawn"`
	// Forms are the district's forms received and kept this round.
	Forms int `json:"forms"`
}

// Syncer runs rounds for one unlocked session.
type Syncer struct {
	Session *localstore.Session
	Client  *Client
	// Batch is the most records in the first batch (0: 16); the bound doubles while
	// batches succeed, up to MaxBatch (0: 256), and halves on a failure that cost the
	// batch. Within it a batch is sized in bytes by what the link has shown it carries
	// (link).
	Batch, MaxBatch int
	// Forms, when set, is where the district's forms are kept: each round asks for
	// them after the pull (forms.go).
	Forms *FormInbox

	link linkEstimate
	// uploaded are the photos the server has whole, learnt this round: a batch sent
	// again after a reset does not ask about them again.
	uploaded map[string]bool
}

// Batches are sized in bytes, to take about batchAirtime on the link as it has shown
// itself, so that a fast link gets large batches and a slow one small. A reset does
// not cost the batch in flight: the server keeps the records that arrived whole and
// says which when asked (askPush), so a reset costs the record it cut, the reconnection
// and one question, whatever the batch's size; and each batch costs a round trip and
// a fresh start of the compression, which a longer batch pays less often. Only a
// reset the server cannot account for (an older server, one restarted) halves the
// estimate. The rate seen includes each batch's round trip and the server's work, so
// the bytes' own airtime is less: on 64 kbit/s with 300 ms latency, a 20 s batch
// (160 KB, some 200 records) is about 18.5 s on the air.
const (
	batchAirtime    = 20 * time.Second
	firstBatchBytes = 16 << 10
	minBatchBytes   = 2 << 10
	maxBatchBytes   = 4 << 20
)

// linkEstimate is what the last batches showed of the link: bytes a second through
// it (their compressed size over the time from sending to the answer), and how well
// records compress.
type linkEstimate struct {
	rate  float64 // bytes/s; 0 before the first batch
	ratio float64 // compressed / JSON; 0 before the first batch
}

// target is the compressed size of the next batch.
func (l *linkEstimate) target() int {
	if l.rate == 0 {
		return firstBatchBytes
	}
	return int(min(max(l.rate*batchAirtime.Seconds(), minBatchBytes), maxBatchBytes))
}

// answered learns from a batch of n compressed bytes (json uncompressed) answered
// after took.
func (l *linkEstimate) answered(n, json int, took time.Duration) {
	rate := float64(n) / max(took.Seconds(), 0.001)
	if l.rate == 0 {
		l.rate = rate
	} else {
		l.rate = (l.rate + rate) / 2
	}
	l.ratio = float64(n) / float64(max(json, 1))
}

// failed halves the estimate: the link carries less than it seemed.
func (l *linkEstimate) failed() {
	if l.rate == 0 {
		l.rate = float64(firstBatchBytes) / batchAirtime.Seconds()
	}
	l.rate = max(l.rate/2, float64(minBatchBytes)/batchAirtime.Seconds())
}

// compressed estimates what a record of json bytes adds to a batch.
func (l *linkEstimate) compressed(json int) int {
	ratio := l.ratio
	if ratio == 0 {
		ratio = 0.3
	}
	return int(float64(json) * ratio)
}

// Round pushes the outbox and pulls what is new, once.
func (s *Syncer) Round(ctx context.Context) (Report, error) {
	var rep Report
	st, ok, err := s.Session.SyncState()
	if err != nil {
		return rep, err
	}
	if !ok {
		return rep, ErrNotEnrolled
	}
	if err := s.push(ctx, &rep); err != nil {
		rep.Queued, _ = s.Session.DB().OutboxLen()
		return rep, err
	}
	if err := s.pull(ctx, &st, &rep); err != nil {
		rep.Queued, _ = s.Session.DB().OutboxLen()
		return rep, err
	}
	if s.Forms != nil {
		if err := s.receiveForms(ctx, st.DistrictKey, &rep); err != nil {
			rep.Queued, _ = s.Session.DB().OutboxLen()
			return rep, err
		}
	}
	st.LastSync = time.Now()
	if err := s.Session.SetSyncState(st); err != nil {
		return rep, err
	}
	rep.Queued, err = s.Session.DB().OutboxLen()
	return rep, err
}

func (s *Syncer) push(ctx context.Context, rep *Report) error {
	batch, maxBatch := s.Batch, s.MaxBatch
	if batch <= 0 {
		batch = 16
	}
	if maxBatch <= 0 {
		maxBatch = 256
	}
	retry := requestPolicy()
	sent := map[uint64]bool{} // entries the server asked to send again later
	s.uploaded = map[string]bool{}
	// The outbox is read once a round (each entry's chain decrypted once), then sent
	// from in order: a revision queued meanwhile goes in the next round.
	queue, err := s.Session.Outbox(0)
	if err != nil {
		return err
	}
	// unsure is a push whose answer did not come: before anything is sent again, the
	// server is asked what it took of it, and only the rest goes again.
	var unsure *pushAttempt
	for len(queue) > 0 {
		if unsure != nil {
			var known bool
			known, err = s.askPush(ctx, unsure, rep, sent)
			if err == nil {
				queue = unanswered(queue, unsure.answered)
				if !known {
					// The server could not say (an older server, a restart, a push
					// still arriving): the whole batch goes again, smaller.
					batch = max(1, batch/2)
					s.link.failed()
				}
				unsure = nil
				continue
			}
		} else {
			todo := s.fill(queue, batch)
			attempt := &pushAttempt{id: newPushID(), items: todo}
			err = s.pushBatch(ctx, attempt, rep, sent)
			switch {
			case err == nil:
				queue = queue[len(todo):]
			case attempt.unsure:
				unsure = attempt
			}
		}
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		wait, stop := retry.After(err)
		switch {
		case err == nil:
			batch = min(2*batch, maxBatch)
		case stop:
			return err
		default:
			if unsure == nil {
				// Answered with a failure, or failed before the batch went (a photo):
				// the next batch is smaller.
				batch = max(1, batch/2)
				s.link.failed()
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	return nil
}

// pushAttempt is one push of a batch, named so that the server can be asked what it
// took of it when the answer does not come.
type pushAttempt struct {
	id    string
	items []localstore.OutboxItem
	// unsure: sent, and no answer came — the server may have taken some or all.
	unsure bool
	// answered are the outbox entries the server gave a result for.
	answered map[uint64]bool
}

// newPushID is a random name for a push.
func newPushID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// unanswered is queue without the entries the server answered.
func unanswered(queue []localstore.OutboxItem, answered map[uint64]bool) []localstore.OutboxItem {
	out := queue[:0:0]
	for _, it := range queue {
		if !answered[it.Seq] {
			out = append(out, it)
		}
	}
	return out
}

// fill takes from todo the records of the next batch: as many as make about the
// link's target size compressed (one at least), at most maxBatch.
func (s *Syncer) fill(todo []localstore.OutboxItem, maxBatch int) []localstore.OutboxItem {
	target, size := s.link.target(), 0
	for i, it := range todo {
		if i == maxBatch {
			return todo[:i]
		}
		size += s.link.compressed(revisionSize(it))
		if size >= target {
			return todo[:i+1]
		}
	}
	return todo
}

// revisionSize is the JSON size of an outbox entry's record and chain as they go on
// the wire (compact), the size the batch's compression ratio was measured on.
func revisionSize(it localstore.OutboxItem) int {
	data, _ := json.Marshal(localstore.Revision{Record: it.Record, Audit: record.Compact(it.Audit)})
	return len(data)
}

// pushRequest is the push of items as it goes on the wire.
func (s *Syncer) pushRequest(items []localstore.OutboxItem) (protocol.PushRequest, error) {
	req := protocol.PushRequest{}
	for _, it := range items {
		rec := it.Record
		c := protocol.Case{Subject: rec.Subject, Village: rec.Village}
		if rec.CaseID != "" {
			cs, err := s.Session.Case(rec.CaseID)
			if err != nil {
				return req, err
			}
			c.Village, c.Name = cs.Row.Village, cs.Row.Name
			if c.Subject == "" {
				c.Subject = cs.Row.Key()
			}
		}
		rec.Withdrawn = nil // this laptop's note of the district's word, not the record's
		req.Items = append(req.Items, protocol.PushItem{Seq: it.Seq, Revision: localstore.Revision{Record: rec, Audit: record.Compact(it.Audit)}, Case: c})
	}
	return req, nil
}

func (s *Syncer) pushBatch(ctx context.Context, a *pushAttempt, rep *Report, later map[uint64]bool) error {
	for _, it := range a.items {
		for _, p := range it.Record.Photos {
			if err := s.upload(ctx, p.Hash, rep); err != nil {
				return err
			}
		}
	}
	req, err := s.pushRequest(a.items)
	if err != nil {
		return err
	}
	body, plain, err := gzipJSON(req)
	if err != nil {
		return err
	}
	rep.Bytes += int64(len(body))
	var resp protocol.PushResponse
	start := time.Now()
	r, err := s.Client.do(ctx, http.MethodPost, "/v1/push", body, true, map[string]string{protocol.PushID: a.id}, &resp)
	if err != nil {
		// No answer, or one cut short: the server may hold some of the batch.
		a.unsure = r == nil || r.StatusCode == http.StatusOK
		return err
	}
	s.link.answered(len(body), plain, time.Since(start))
	rep.Delivered += int64(len(body))
	return s.takeResults(a, resp.Results, rep, later)
}

// askPush asks the server what it took of a push whose answer did not come, and takes
// those results as the push's answer; known is false when the server cannot say.
func (s *Syncer) askPush(ctx context.Context, a *pushAttempt, rep *Report, later map[uint64]bool) (known bool, err error) {
	var resp protocol.PushResponse
	r, err := s.Client.do(ctx, http.MethodGet, "/v1/push/"+a.id, nil, false, nil, &resp)
	if r != nil && r.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.takeResults(a, resp.Results, rep, later)
}

// takeResults acknowledges what the server answered of a push, in one transaction.
// Only results for entries of the push count: an answer never removes another entry.
func (s *Syncer) takeResults(a *pushAttempt, results []protocol.PushResult, rep *Report, later map[uint64]bool) error {
	a.answered = map[uint64]bool{}
	revision := map[uint64]uint64{}
	for _, it := range a.items {
		revision[it.Seq] = it.Revision
	}
	var acks []localstore.PushAck
	for _, r := range results {
		rev, ours := revision[r.Seq]
		if !ours || a.answered[r.Seq] {
			continue
		}
		a.answered[r.Seq] = true
		switch r.Result {
		case protocol.Stored, protocol.Duplicate:
			if r.Result == protocol.Stored {
				rep.Pushed++
				if r.Review {
					rep.Review++
					no := refusalOf(r, false)
					no.Review = true
					rep.Refused = append(rep.Refused, no)
				}
			} else {
				rep.Duplicates++
			}
			acks = append(acks, localstore.PushAck{Seq: r.Seq, RecordID: r.RecordID,
				Receipt: &localstore.Receipt{Revision: rev, ServerID: r.ServerID, ReceivedAt: r.Received}})
		case protocol.Stale:
			// The district has a later revision: nothing to keep sending.
			rep.Stale++
			acks = append(acks, localstore.PushAck{Seq: r.Seq, RecordID: r.RecordID, Drop: true})
		case protocol.Rejected:
			if r.Retry {
				// Held, not refused: said, and sent again next round.
				later[r.Seq] = true
				rep.Held++
				rep.Refused = append(rep.Refused, refusalOf(r, true))
				continue
			}
			rep.Rejected++
			no := refusalOf(r, false)
			rep.Refused = append(rep.Refused, no)
			acks = append(acks, localstore.PushAck{Seq: r.Seq, RecordID: r.RecordID, Code: no.Code, Args: no.Args, Reason: no.Server})
		default:
			delete(a.answered, r.Seq) // a result this laptop does not know: sent again
		}
	}
	return s.Session.Acknowledge(acks)
}

// refusalOf is a refused or held push result as the laptop keeps it: everything the
// server said is cleaned of control characters and paths before it is kept or shown.
func refusalOf(r protocol.PushResult, held bool) Refusal {
	no := Refusal{RecordID: serverWords(r.RecordID), Code: serverWords(r.Code), Server: serverWords(r.Reason), Held: held}
	for _, a := range r.Args[:min(len(r.Args), 4)] {
		no.Args = append(no.Args, serverWords(a))
	}
	return no
}

// upload sends a photo, resuming from what the server already has.
func (s *Syncer) upload(ctx context.Context, hash string, rep *Report) error {
	if s.uploaded[hash] {
		return nil
	}
	resp, err := s.Client.do(ctx, http.MethodGet, "/v1/attachments/"+hash, nil, false, nil, nil)
	if err != nil {
		return err
	}
	if resp.Header.Get("Upload-Complete") == "true" {
		s.uploaded[hash] = true
		return nil
	}
	off, _ := strconv.ParseInt(resp.Header.Get(protocol.UploadOffset), 10, 64)
	data, err := s.Session.Photo(hash)
	if err != nil {
		return err
	}
	for off < int64(len(data)) {
		end := min(off+protocol.MaxChunk/2, int64(len(data)))
		resp, err := s.Client.do(ctx, http.MethodPatch, "/v1/attachments/"+hash, data[off:end], false,
			map[string]string{protocol.UploadOffset: strconv.FormatInt(off, 10), "Content-Type": "application/octet-stream"}, nil)
		if resp != nil && resp.StatusCode == http.StatusConflict {
			off, _ = strconv.ParseInt(resp.Header.Get(protocol.UploadOffset), 10, 64)
			continue
		}
		if err != nil {
			return err
		}
		rep.PhotoBytes += end - off
		off = end
	}
	s.uploaded[hash] = true
	return nil
}

func (s *Syncer) pull(ctx context.Context, st *localstore.SyncState, rep *Report) error {
	for {
		q := url.Values{"cursor": {strconv.FormatUint(st.Cursor, 10)}, "epoch": {st.Epoch}}
		var resp protocol.PullResponse
		if _, err := s.Client.do(ctx, http.MethodGet, "/v1/pull?"+q.Encode(), nil, false, nil, &resp); err != nil {
			return err
		}
		if len(resp.Roster) > 0 {
			if _, err := s.Session.ImportRoster(resp.Roster, "district server"); err != nil {
				return err
			}
			rep.Roster += len(resp.Roster)
		}
		held := false
		for _, rev := range resp.Revisions {
			if err := s.fetchPhotos(ctx, &rev); err != nil {
				// Held, never skipped: the cursor stays before this page, and the next
				// round asks for it again (what was received meanwhile is a duplicate).
				var e *Error
				if !errors.As(err, &e) || e.Kind == Security {
					return err
				}
				held = true
				rep.Reasons = append(rep.Reasons, fmt.Sprintf("收到的记录 %.8s 的照片还没到，下次同步再取 (a photo of record %.8s has not arrived; it is fetched again next time)", rev.Record.ID, rev.Record.ID))
				continue
			}
			res, reason, err := s.Session.Receive(rev)
			if err != nil {
				return err
			}
			switch res {
			case localstore.Received:
				rep.Pulled++
			case localstore.Rejected:
				rep.Reasons = append(rep.Reasons, fmt.Sprintf("收到的记录 %.8s 没有保存：%s", rev.Record.ID, reason))
			}
		}
		for _, w := range resp.Withdrawn {
			// Kept on the record when this laptop has it; said either way, since the
			// laptop with the record that stands learns the matter is settled.
			if _, err := s.Session.MarkWithdrawn(w.RecordID, localstore.Withdrawal{Kept: w.Kept, Reason: cleantext.Line(w.Reason), At: w.At}); err != nil {
				return err
			}
			rep.Withdrawn++
			if w.Kept == "" { // a record held for review that the district refused
				rep.Reasons = append(rep.Reasons, fmt.Sprintf("记录 %.8s 未被区县收下（此人不在区县底册上）：%s / record %.8s was not accepted by the district (the person is not on its roster): %s",
					w.RecordID, serverWords(w.Reason), w.RecordID, serverWords(w.Reason)))
				continue
			}
			rep.Reasons = append(rep.Reasons, fmt.Sprintf("记录 %.8s 已被区县撤销（同一人重复调查，保留记录 %.8s）：%s / record %.8s was withdrawn by the district (the person was interviewed twice; record %.8s stands): %s",
				w.RecordID, w.Kept, serverWords(w.Reason), w.RecordID, w.Kept, serverWords(w.Reason)))
		}
		if held {
			return nil
		}
		st.Cursor, st.Epoch = resp.Cursor, resp.Epoch
		if err := s.Session.SetSyncState(*st); err != nil {
			return err
		}
		if !resp.More {
			return nil
		}
	}
}

// fetchPhotos downloads the photos of a pulled record this laptop lacks into
// rev.Photos, resuming with Range where a download was cut.
func (s *Syncer) fetchPhotos(ctx context.Context, rev *localstore.Revision) error {
	for _, p := range rev.Record.Photos {
		if _, ok := rev.Photos[p.Hash]; ok {
			continue
		}
		if _, err := s.Session.Photo(p.Hash); err == nil {
			continue
		}
		var data []byte
		for tries := 0; ; tries++ {
			got, whole, err := s.Client.download(ctx, "/v1/photos/"+p.Hash, int64(len(data)))
			if whole {
				data = got
			} else {
				data = append(data, got...)
			}
			if err == nil {
				break
			}
			if tries == 3 || len(got) == 0 {
				return err
			}
		}
		if rev.Photos == nil {
			rev.Photos = map[string][]byte{}
		}
		rev.Photos[p.Hash] = data
	}
	return nil
}

// gzipJSON is v as gzip'd JSON, and the JSON's size.
func gzipJSON(v any) ([]byte, int, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, 0, err
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := zw.Write(data); err != nil {
		return nil, 0, err
	}
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	return b.Bytes(), len(data), nil
}
