package sync

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/doorstep-survey/doorstep/record"
)

// Limits of the server.
const (
	MaxBody       = 16 << 20 // a batch of records, decompressed
	maxAttachment = record.MaxPhotoSize
	maxChunk      = 1 << 20
	pullLimit     = 200
)

// Handler is the district server's HTTP API (PROTOCOL.md). Admin actions are not in it:
// they go through the admin socket, which only the server's machine reaches.
type Handler struct {
	Store *Store
	Log   *slog.Logger
	// RatePerMinute limits requests per device token (0: 600).
	RatePerMinute int

	mu      gosync.Mutex
	buckets map[string]*rate
	// inflight counts requests being handled, so that a shutdown finishes them.
	inflight gosync.WaitGroup
}

type rate struct {
	tokens float64
	last   time.Time
}

// ServeHTTP routes the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.inflight.Add(1)
	defer h.inflight.Done()
	if h.Log == nil {
		h.Log = slog.Default()
	}
	start := time.Now()
	path := r.URL.Path
	switch {
	case path == "/healthz" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, Envelope{Doorstep: Version})
	case path == "/v1/enroll" && r.Method == http.MethodPost:
		h.enroll(w, r)
	case path == "/v1/push" && r.Method == http.MethodPost:
		h.authed(w, r, h.push)
	case path == "/v1/pull" && r.Method == http.MethodGet:
		h.authed(w, r, h.pull)
	case strings.HasPrefix(path, "/v1/attachments/"):
		h.authed(w, r, h.attachment)
	default:
		fail(w, http.StatusNotFound, "bad_request", "no such endpoint")
	}
	h.Log.Info("request", "method", r.Method, "path", path, "ms", time.Since(start).Milliseconds())
}

// Wait returns when every request in flight has been answered.
func (h *Handler) Wait() { h.inflight.Wait() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, Envelope{Doorstep: Version, Code: code, Error: msg})
}

// readJSON reads a request body, gzip'd or not, up to MaxBody decompressed.
func readJSON(r *http.Request, v any) error {
	var body io.Reader = io.LimitReader(r.Body, MaxBody+1)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return err
		}
		defer zr.Close()
		body = io.LimitReader(zr, MaxBody+1)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if len(data) > MaxBody {
		return errTooLarge
	}
	return json.Unmarshal(data, v)
}

var errTooLarge = errors.New("request too large")

func (h *Handler) enroll(w http.ResponseWriter, r *http.Request) {
	var req EnrollRequest
	if err := readJSON(r, &req); err != nil {
		fail(w, http.StatusBadRequest, "bad_request", "unreadable request")
		return
	}
	tok, u, err := h.Store.Enroll(req.Code, req.Device)
	if err != nil {
		h.Log.Warn("enrolment refused", "device", req.Device)
		fail(w, http.StatusForbidden, "bad_code", ErrBadCode.Error())
		return
	}
	h.Log.Info("enrolled", "user", u.Code, "device", req.Device)
	writeJSON(w, http.StatusOK, EnrollResponse{Envelope: Envelope{Doorstep: Version}, Token: tok, User: u,
		ServerID: h.Store.ID(), Epoch: h.Store.Epoch()})
}

// authed runs next for the user of the request's device token.
func (h *Handler) authed(w http.ResponseWriter, r *http.Request, next func(http.ResponseWriter, *http.Request, User)) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		fail(w, http.StatusUnauthorized, "bad_token", "no device token")
		return
	}
	u, err := h.Store.Authenticate(tok)
	switch {
	case errors.Is(err, ErrRevoked):
		fail(w, http.StatusUnauthorized, "revoked", err.Error())
		return
	case err != nil:
		fail(w, http.StatusUnauthorized, "bad_token", ErrBadToken.Error())
		return
	}
	if !h.allow(tok) {
		w.Header().Set("Retry-After", "10")
		fail(w, http.StatusTooManyRequests, "rate_limited", "too many requests from this device")
		return
	}
	next(w, r, u)
}

// allow is a token bucket per device: a burst of a minute's allowance, refilled evenly.
func (h *Handler) allow(tok string) bool {
	per := h.RatePerMinute
	if per <= 0 {
		per = 600
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.buckets == nil {
		h.buckets = map[string]*rate{}
	}
	now := time.Now()
	b := h.buckets[tok]
	if b == nil {
		b = &rate{tokens: float64(per), last: now}
		h.buckets[tok] = b
	}
	b.tokens = min(float64(per), b.tokens+now.Sub(b.last).Minutes()*float64(per))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (h *Handler) push(w http.ResponseWriter, r *http.Request, u User) {
	var req PushRequest
	if err := readJSON(r, &req); err != nil {
		if errors.Is(err, errTooLarge) {
			fail(w, http.StatusRequestEntityTooLarge, "too_large", "batch too large: send fewer records at a time")
			return
		}
		fail(w, http.StatusBadRequest, "bad_request", "unreadable batch")
		return
	}
	resp := PushResponse{Envelope: Envelope{Doorstep: Version}, Results: h.Store.PutBatch(u, req.Items)}
	for _, res := range resp.Results {
		if res.Result == Rejected {
			h.Log.Warn("record rejected", "user", u.Code, "record", res.RecordID, "reason", res.Reason)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) pull(w http.ResponseWriter, r *http.Request, u User) {
	cursor, _ := strconv.ParseUint(r.URL.Query().Get("cursor"), 10, 64)
	if e := r.URL.Query().Get("epoch"); e != "" && e != h.Store.Epoch() {
		cursor = 0 // the laptop's cursor is of another database: start again
	}
	resp, err := h.Store.Pull(u, cursor, pullLimit)
	if err != nil {
		fail(w, http.StatusInternalServerError, "server", "could not read")
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// attachment: HEAD says how much the server has (Upload-Offset); PATCH appends bytes at
// Upload-Offset. An interrupted upload resumes where the server stands.
func (h *Handler) attachment(w http.ResponseWriter, r *http.Request, _ User) {
	hash := strings.TrimPrefix(r.URL.Path, "/v1/attachments/")
	if !hashRE.MatchString(hash) {
		fail(w, http.StatusBadRequest, "bad_request", "an attachment is named by its sha256")
		return
	}
	switch r.Method {
	case http.MethodHead, http.MethodGet:
		n, complete, err := h.Store.AttachmentOffset(hash)
		if err != nil {
			fail(w, http.StatusInternalServerError, "server", "could not read")
			return
		}
		w.Header().Set(UploadOffset, strconv.FormatInt(n, 10))
		w.Header().Set("Upload-Complete", strconv.FormatBool(complete))
		writeJSON(w, http.StatusOK, Envelope{Doorstep: Version})
	case http.MethodPatch:
		off, err := strconv.ParseInt(r.Header.Get(UploadOffset), 10, 64)
		if err != nil || off < 0 {
			fail(w, http.StatusBadRequest, "bad_request", "Upload-Offset missing")
			return
		}
		data, err := io.ReadAll(io.LimitReader(r.Body, maxChunk+1))
		if err != nil || len(data) > maxChunk {
			fail(w, http.StatusRequestEntityTooLarge, "too_large", "chunks are at most 1 MB")
			return
		}
		n, complete, err := h.Store.AppendAttachment(hash, off, data, maxAttachment)
		w.Header().Set(UploadOffset, strconv.FormatInt(n, 10))
		w.Header().Set("Upload-Complete", strconv.FormatBool(complete))
		switch {
		case errors.Is(err, errOffset):
			fail(w, http.StatusConflict, "offset", "resume from "+strconv.FormatInt(n, 10))
		case err != nil:
			fail(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
		default:
			writeJSON(w, http.StatusOK, Envelope{Doorstep: Version})
		}
	default:
		fail(w, http.StatusMethodNotAllowed, "bad_request", "HEAD or PATCH")
	}
}
