package server

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Limits of the server.
const (
	MaxBody       = protocol.MaxBody // a batch of records, decompressed
	maxAttachment = record.MaxPhotoSize
	maxChunk      = protocol.MaxChunk
	pullLimit     = 200
)

// Handler is the district server's HTTP API (protocol/PROTOCOL.md). Admin actions are not
// in it: they go through the admin socket, which only the server's machine reaches.
type Handler struct {
	Store       store.Store
	Attachments store.Attachments
	// Forms, when set, are the district's forms laptops receive (GET /v1/forms), and
	// its public key goes to each laptop at enrolment.
	Forms *FormShelf
	Log   *slog.Logger
	// RatePerMinute limits requests per device token (0: 600).
	RatePerMinute int
	// RetryAfter is what a laptop is told to wait when the store cannot answer (0: 5 s;
	// whole seconds on the wire).
	RetryAfter time.Duration

	mu      gosync.Mutex
	buckets map[string]*rate
	// enrolling and pushing hold a place per request in flight (MaxEnrolling,
	// MaxPushing).
	once               gosync.Once
	enrolling, pushing chan struct{}
	// ledger keeps each device's last named push (pushledger.go).
	ledger pushLedger
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
		writeJSON(w, http.StatusOK, protocol.Envelope{Doorstep: protocol.Version})
	case path == "/v1/enroll" && r.Method == http.MethodPost:
		h.enroll(w, r)
	case path == "/v1/push" && r.Method == http.MethodPost:
		gw := gzipAnswer(w, r)
		defer gw.Close()
		h.authed(gw, r, h.push)
	case strings.HasPrefix(path, "/v1/push/") && r.Method == http.MethodGet:
		gw := gzipAnswer(w, r)
		defer gw.Close()
		h.authed(gw, r, h.pushAnswer)
	case path == "/v1/pull" && r.Method == http.MethodGet:
		gw := gzipAnswer(w, r)
		defer gw.Close()
		h.authed(gw, r, h.pull)
	case strings.HasPrefix(path, "/v1/photos/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h.authed(w, r, h.photo)
	case path == "/v1/forms" && r.Method == http.MethodGet:
		gw := gzipAnswer(w, r)
		defer gw.Close()
		h.authed(gw, r, h.forms)
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
	writeJSON(w, status, protocol.Envelope{Doorstep: protocol.Version, Code: code, Error: msg})
}

// unavailable answers a fault of the store: not the laptop's fault, try again soon.
func (h *Handler) unavailable(w http.ResponseWriter, what string, err error) {
	h.Log.Error("store fault", "during", what, "err", err)
	wait := h.RetryAfter
	if wait <= 0 {
		wait = 5 * time.Second
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(wait/time.Second))))
	fail(w, http.StatusServiceUnavailable, "unavailable", "the server cannot reach its data just now; try again shortly")
}

func (h *Handler) places() {
	h.once.Do(func() {
		h.enrolling = make(chan struct{}, MaxEnrolling)
		h.pushing = make(chan struct{}, MaxPushing)
	})
}

// busy tells a caller the server has no place for the request now.
func busy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "2")
	fail(w, http.StatusServiceUnavailable, "unavailable", "the server is busy; try again shortly")
}

func (h *Handler) enroll(w http.ResponseWriter, r *http.Request) {
	h.places()
	// Without a token anyone may call: no waiting in line, a full house is told so.
	select {
	case h.enrolling <- struct{}{}:
		defer func() { <-h.enrolling }()
	default:
		busy(w)
		return
	}
	var req protocol.EnrollRequest
	if err := readJSON(w, r, maxEnrollBody, &req); err != nil {
		if errors.Is(err, errTooLarge) {
			fail(w, http.StatusRequestEntityTooLarge, "too_large", "an enrolment is a code and a name")
			return
		}
		fail(w, http.StatusBadRequest, "bad_request", "unreadable request")
		return
	}
	if len(req.Device) > MaxField || len(req.Code) > MaxField {
		fail(w, http.StatusBadRequest, "bad_request", "the laptop's name is too long")
		return
	}
	var key ed25519.PublicKey
	if req.SigningKey != "" {
		k, err := base64.StdEncoding.DecodeString(req.SigningKey)
		if err != nil || len(k) != ed25519.PublicKeySize {
			fail(w, http.StatusBadRequest, "bad_request", "the signing key is not an Ed25519 public key")
			return
		}
		key = k
	}
	if len(req.Card) > MaxField {
		fail(w, http.StatusBadRequest, "bad_request", "the key card is too long")
		return
	}
	tok, u, err := h.Store.Enroll(r.Context(), req.Code, req.Device, key, req.Card)
	switch {
	case errors.Is(err, store.ErrBadCard):
		h.Log.Warn("enrolment refused: key card", "device", echo(req.Device), "err", echo(err.Error()))
		fail(w, http.StatusBadRequest, "bad_card", err.Error())
		return
	case errors.Is(err, store.ErrBadCode):
		h.Log.Warn("enrolment refused", "device", echo(req.Device))
		fail(w, http.StatusForbidden, "bad_code", store.ErrBadCode.Error())
		return
	case err != nil:
		h.unavailable(w, "enrol", err)
		return
	}
	h.Log.Info("enrolled", "user", u.Code, "device", echo(req.Device))
	resp := protocol.EnrollResponse{Envelope: protocol.Envelope{Doorstep: protocol.Version}, Token: tok, User: u,
		ServerID: h.Store.ID(), Epoch: h.Store.Epoch()}
	if h.Forms != nil {
		resp.DistrictKey = h.Forms.PublicKey()
	}
	writeJSON(w, http.StatusOK, resp)
}

// request is an authenticated request's caller and the owner name of its uploads.
type request struct {
	store.Caller
	// owner names the device token without being it: a partial upload belongs to it.
	owner string
}

// authed runs next for the caller of the request's device token. Only an unknown or
// revoked token is the laptop's fault (401, and the laptop asks a person to act); a
// store that cannot answer is 503 with Retry-After, which the laptop waits out.
func (h *Handler) authed(w http.ResponseWriter, r *http.Request, next func(http.ResponseWriter, *http.Request, request)) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		fail(w, http.StatusUnauthorized, "bad_token", "no device token")
		return
	}
	c, err := h.Store.Authenticate(r.Context(), tok)
	switch {
	case errors.Is(err, store.ErrRevoked):
		fail(w, http.StatusUnauthorized, "revoked", store.ErrRevoked.Error())
		return
	case errors.Is(err, store.ErrBadToken):
		fail(w, http.StatusUnauthorized, "bad_token", store.ErrBadToken.Error())
		return
	case err != nil:
		h.unavailable(w, "authenticate", err)
		return
	}
	if !h.allow(tok) {
		w.Header().Set("Retry-After", "10")
		fail(w, http.StatusTooManyRequests, "rate_limited", "too many requests from this device")
		return
	}
	next(w, r, request{Caller: c, owner: UploadOwner(tok)})
}

// UploadOwner names a device token's uploads without being the token.
func UploadOwner(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:12])
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

func (h *Handler) push(w http.ResponseWriter, r *http.Request, c request) {
	h.places()
	select {
	case h.pushing <- struct{}{}:
		defer func() { <-h.pushing }()
	case <-r.Context().Done():
		return
	}
	// A named push is kept in the ledger, for a laptop whose link drops before the
	// answer arrives (pushledger.go).
	var run *pushRun
	var results []protocol.PushResult
	if id := r.Header.Get(protocol.PushID); pushIDRE.MatchString(id) {
		run = h.ledger.start(c.owner, id)
		defer func() { h.ledger.finish(run, results) }()
	}
	items, err := decodePush(w, r)
	if err != nil {
		if run != nil && len(items) > 0 && cutShort(err) {
			results = h.commitCut(r, c, items)
			return
		}
		if errors.Is(err, errTooLarge) || errors.Is(err, errTooMany) {
			fail(w, http.StatusRequestEntityTooLarge, "too_large", "batch too large: send fewer records at a time")
			return
		}
		fail(w, http.StatusBadRequest, "bad_request", "unreadable batch")
		return
	}
	results, err = h.putItems(r.Context(), c, items)
	if err != nil {
		results = nil
		h.unavailable(w, "push", err)
		return
	}
	writeJSON(w, http.StatusOK, protocol.PushResponse{Envelope: protocol.Envelope{Doorstep: protocol.Version}, Results: results})
}

// putItems stores a batch: a record with a text past MaxField is refused alone, the
// rest go to the store in one batch.
func (h *Handler) putItems(ctx context.Context, c request, items []protocol.PushItem) ([]protocol.PushResult, error) {
	var refused []protocol.PushResult
	kept := items[:0]
	for _, it := range items {
		if f := fieldsTooLong(it); f != "" {
			refused = append(refused, protocol.PushResult{Seq: it.Seq, RecordID: echo(it.Revision.Record.ID), Result: protocol.Rejected,
				Code: protocol.ReasonFieldTooLong, Args: []string{f}, Reason: "the record's " + f + " is longer than " + strconv.Itoa(MaxField) + " bytes"})
			continue
		}
		kept = append(kept, it)
	}
	arrivals := Arrivals(kept, h.Attachments)
	if h.Forms != nil {
		for i := range arrivals {
			rec := arrivals[i].Item.Revision.Record
			arrivals[i].UnknownForm = !h.Forms.Has(rec.FormID, rec.FormVersion)
		}
	}
	results, err := h.Store.PutBatch(ctx, c.Caller, arrivals)
	if err != nil {
		return nil, err
	}
	results = append(results, refused...)
	for _, res := range results {
		if res.Result == protocol.Rejected {
			h.Log.Warn("record rejected", "user", c.User.Code, "record", echo(res.RecordID), "reason", echo(res.Reason))
		}
	}
	return results, nil
}

// Arrivals are pushed items with the photos each names that att does not hold whole.
func Arrivals(items []protocol.PushItem, att store.Attachments) []store.Arrival {
	out := make([]store.Arrival, len(items))
	for i, it := range items {
		// A laptop's note that the district withdrew a record is the laptop's own:
		// the district's withdrawals are its duplicates' resolutions, never a record's
		// say, so a record cannot hide itself from the counts.
		it.Revision.Record.Withdrawn = nil
		out[i].Item = it
		for _, p := range it.Revision.Record.Photos {
			if att == nil || !att.Has(p.Hash) {
				out[i].Missing = append(out[i].Missing, p.Hash)
			}
		}
	}
	return out
}

func (h *Handler) pull(w http.ResponseWriter, r *http.Request, c request) {
	cursor, _ := strconv.ParseUint(r.URL.Query().Get("cursor"), 10, 64)
	if e := r.URL.Query().Get("epoch"); e != "" && e != h.Store.Epoch() {
		cursor = 0 // the laptop's cursor is of another database: start again
	}
	resp, err := h.Store.Pull(r.Context(), c.User, cursor, pullLimit)
	if err != nil {
		h.unavailable(w, "pull", err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// attachment: HEAD says how much the server has (Upload-Offset); PATCH appends bytes at
// Upload-Offset. An interrupted upload resumes where the server stands; a partial upload
// belongs to the device token that started it.
func (h *Handler) attachment(w http.ResponseWriter, r *http.Request, c request) {
	hash := strings.TrimPrefix(r.URL.Path, "/v1/attachments/")
	if !hashRE.MatchString(hash) {
		fail(w, http.StatusBadRequest, "bad_request", "an attachment is named by its sha256")
		return
	}
	if h.Attachments == nil {
		h.unavailable(w, "attachment", errors.New("no attachment folder"))
		return
	}
	switch r.Method {
	case http.MethodHead, http.MethodGet:
		n, complete, err := h.Attachments.Offset(hash, c.owner)
		if err != nil {
			h.unavailable(w, "attachment offset", err)
			return
		}
		w.Header().Set(protocol.UploadOffset, strconv.FormatInt(n, 10))
		w.Header().Set("Upload-Complete", strconv.FormatBool(complete))
		writeJSON(w, http.StatusOK, protocol.Envelope{Doorstep: protocol.Version})
	case http.MethodPatch:
		off, err := strconv.ParseInt(r.Header.Get(protocol.UploadOffset), 10, 64)
		if err != nil || off < 0 {
			fail(w, http.StatusBadRequest, "bad_request", "Upload-Offset missing")
			return
		}
		data, err := io.ReadAll(&capped{r: newProgressBody(w, r), left: maxChunk + 1})
		if err != nil && !errors.Is(err, errTooLarge) {
			fail(w, http.StatusBadRequest, "bad_request", "the chunk did not arrive whole")
			return
		}
		if len(data) > maxChunk {
			fail(w, http.StatusRequestEntityTooLarge, "too_large", "chunks are at most 1 MB")
			return
		}
		n, complete, err := h.Attachments.Append(hash, c.owner, off, data, maxAttachment)
		w.Header().Set(protocol.UploadOffset, strconv.FormatInt(n, 10))
		w.Header().Set("Upload-Complete", strconv.FormatBool(complete))
		switch {
		case errors.Is(err, store.ErrOffset):
			fail(w, http.StatusConflict, "offset", "resume from "+strconv.FormatInt(n, 10))
		case errors.Is(err, store.ErrTooLarge):
			fail(w, http.StatusRequestEntityTooLarge, "too_large", "a photo is at most "+strconv.Itoa(maxAttachment>>20)+" MB")
		case errors.Is(err, store.ErrMismatch):
			fail(w, http.StatusUnprocessableEntity, "mismatch", "the photo's bytes do not match its name; the server dropped them: send it again from the start")
		case errors.Is(err, store.ErrQuota):
			w.Header().Set("Retry-After", "60")
			fail(w, http.StatusInsufficientStorage, "quota", "this laptop has too many unfinished photo uploads on the server; finish those first")
		case errors.Is(err, syscall.ENOSPC):
			h.Log.Error("disk full", "during", "attachment append", "err", err)
			w.Header().Set("Retry-After", "600")
			fail(w, http.StatusInsufficientStorage, "disk_full", "the server's disk is full; the photo waits on the laptop until the district frees space")
		case err != nil:
			h.unavailable(w, "attachment append", err)
		default:
			writeJSON(w, http.StatusOK, protocol.Envelope{Doorstep: protocol.Version})
		}
	default:
		fail(w, http.StatusMethodNotAllowed, "bad_request", "HEAD or PATCH")
	}
}

// photoOpener is an Attachments that can hand a whole photo back (attachments.Dir).
type photoOpener interface {
	Open(hash string) (io.ReadSeekCloser, error)
}

// photo sends a whole photo to a user who may see a record naming it: a leader, the
// records of their villages; an enumerator, the records they started. Range requests
// resume a download cut short. Any other photo is "not found", as one that does not
// exist: the answer does not tell which photos the district holds.
func (h *Handler) photo(w http.ResponseWriter, r *http.Request, c request) {
	hash := strings.TrimPrefix(r.URL.Path, "/v1/photos/")
	if !hashRE.MatchString(hash) {
		fail(w, http.StatusBadRequest, "bad_request", "a photo is named by its sha256")
		return
	}
	op, ok := h.Attachments.(photoOpener)
	if !ok {
		h.unavailable(w, "photo", errors.New("the attachments cannot be read back"))
		return
	}
	may, err := MaySeePhoto(r.Context(), h.Store, c.User, hash)
	if err != nil {
		h.unavailable(w, "photo", err)
		return
	}
	if !may {
		fail(w, http.StatusNotFound, "not_found", "no such photo")
		return
	}
	f, err := op.Open(hash)
	if errors.Is(err, store.ErrNotFound) {
		// Named by a record, not yet uploaded whole: the laptop tries again later.
		w.Header().Set("Retry-After", "60")
		fail(w, http.StatusNotFound, "not_yet", "the photo has not reached the server yet")
		return
	}
	if err != nil {
		h.unavailable(w, "photo", err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("ETag", `"`+hash+`"`)
	http.ServeContent(w, r, "", time.Time{}, f)
}

// MaySeePhoto reports whether a record the user may pull names the photo: a leader's
// villages' records, an enumerator's own. It reads the records of the user's villages
// through the village index.
func MaySeePhoto(ctx context.Context, st store.Store, u protocol.User, hash string) (bool, error) {
	filters := []store.RecordFilter{}
	switch {
	case u.Role != "leader":
		filters = append(filters, store.RecordFilter{Enumerator: u.Code, All: true, Limit: 500})
	case u.AllVillages():
		filters = append(filters, store.RecordFilter{All: true, Limit: 500})
	default:
		for _, v := range u.Villages {
			filters = append(filters, store.RecordFilter{Village: v, All: true, Limit: 500})
		}
	}
	for _, f := range filters {
		for {
			rows, next, err := st.Records(ctx, f)
			if err != nil {
				return false, err
			}
			for _, row := range rows {
				if slices.Contains(row.Photos, hash) && u.MayVillage(row.Village) {
					return true, nil
				}
			}
			if next == "" {
				break
			}
			f.After = next
		}
	}
	return false, nil
}
