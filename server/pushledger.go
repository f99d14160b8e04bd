package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	gosync "sync"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
)

// On a slow village link a dropped connection used to cost the whole batch in flight:
// the laptop could not know what the server had taken, so it sent everything again.
// Now a push is named (protocol.PushID); the server commits the records that arrived
// whole of a body cut short (each record is checked and stored exactly once on its
// own, so a part of a batch is as good as a batch), keeps the results of each
// device's last push, and tells them to the laptop that asks (GET /v1/push/ID). The
// laptop then sends only what the server did not take.

// pushIDRE is what a push id may be: the laptop's random name, nothing to echo.
var pushIDRE = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// ledgerWait bounds how long a question waits for the push it asks about to end: on a
// real link the server notices a dropped connection only when a read fails (bodyIdle).
var ledgerWait = 15 * time.Second

// cutCommitTime bounds the store's work for a body cut short, which no request
// context bounds any more (the connection is gone).
const cutCommitTime = 30 * time.Second

// maxAsking is how many questions wait for their push at once: a device that asks
// again and again about a push it keeps open holds no more than these places.
const maxAsking = 32

// A laptop asks within seconds of losing its answer; what it has not asked for by
// ledgerKeep it learns as duplicates. The ledger holds at most ledgerResults results in
// all (some 200 bytes each), the oldest pushes forgotten first, whatever the devices
// send.
var (
	ledgerKeep    = 10 * time.Minute
	ledgerResults = 100_000
)

// pushLedger keeps, per device, its last named push: one entry a device, replaced by
// the next.
type pushLedger struct {
	mu     gosync.Mutex
	last   map[string]*pushRun // by request.owner
	held   int                 // results held in all
	asking chan struct{}
}

// pushRun is a named push: done closes when its results are final.
type pushRun struct {
	id, owner string
	at        time.Time
	done      chan struct{}
	results   []protocol.PushResult
}

// start notes that owner's push id began, replacing the device's previous one.
func (l *pushLedger) start(owner, id string) *pushRun {
	run := &pushRun{id: id, owner: owner, at: time.Now(), done: make(chan struct{})}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]*pushRun{}
	}
	l.forget(l.last[owner])
	delete(l.last, owner)
	for o, old := range l.last {
		if run.at.Sub(old.at) > ledgerKeep {
			l.forget(old)
			delete(l.last, o)
		}
	}
	l.last[owner] = run
	return run
}

// finish makes the results final: what the store took (nil: nothing). When the ledger
// holds too many, the oldest pushes go.
func (l *pushLedger) finish(run *pushRun, results []protocol.PushResult) {
	l.mu.Lock()
	defer l.mu.Unlock()
	run.results = results
	close(run.done)
	if l.last[run.owner] != run {
		return // replaced or forgotten meanwhile: not held
	}
	l.held += len(results)
	for l.held > ledgerResults {
		oldest := ""
		for o, r := range l.last {
			if isDone(r) && (oldest == "" || r.at.Before(l.last[oldest].at)) {
				oldest = o
			}
		}
		if oldest == "" {
			return
		}
		l.forget(l.last[oldest])
		delete(l.last, oldest)
	}
}

// forget drops a finished run's results from the count (a run still arriving holds
// none yet).
func (l *pushLedger) forget(run *pushRun) {
	if run != nil && isDone(run) {
		l.held -= len(run.results)
	}
}

func isDone(run *pushRun) bool {
	select {
	case <-run.done:
		return true
	default:
		return false
	}
}

// find is owner's push id, or nil when the server does not know it (never arrived,
// another push since, a restart).
func (l *pushLedger) find(owner, id string) *pushRun {
	l.mu.Lock()
	defer l.mu.Unlock()
	if run := l.last[owner]; run != nil && run.id == id {
		return run
	}
	return nil
}

// cutShort reports a body that stopped arriving — the connection dropped or went
// silent — as opposed to one that is malformed or too large: what arrived whole of it
// is worth keeping.
func cutShort(err error) bool {
	var ne net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne)
}

// pushAnswer answers GET /v1/push/ID: the results of the device's push of that id,
// once it has ended; 404 unknown_push when the server does not know it, and the laptop
// sends the batch again (what the server holds comes back as duplicates).
func (h *Handler) pushAnswer(w http.ResponseWriter, r *http.Request, c request) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/push/")
	if !pushIDRE.MatchString(id) {
		fail(w, http.StatusBadRequest, "bad_request", "a push id is 16 to 64 hex characters")
		return
	}
	run := h.ledger.find(c.owner, id)
	if run == nil {
		fail(w, http.StatusNotFound, "unknown_push", "the server does not know that push: send it again")
		return
	}
	select {
	case <-run.done:
	default:
		// Still arriving: wait for it, in one of few places.
		h.ledger.mu.Lock()
		if h.ledger.asking == nil {
			h.ledger.asking = make(chan struct{}, maxAsking)
		}
		asking := h.ledger.asking
		h.ledger.mu.Unlock()
		select {
		case asking <- struct{}{}:
			defer func() { <-asking }()
		default:
			fail(w, http.StatusNotFound, "unknown_push", "that push is still arriving: send it again")
			return
		}
	}
	t := time.NewTimer(ledgerWait)
	defer t.Stop()
	select {
	case <-run.done:
	case <-t.C:
		fail(w, http.StatusNotFound, "unknown_push", "that push is still arriving: send it again")
		return
	case <-r.Context().Done():
		return
	}
	writeJSON(w, http.StatusOK, protocol.PushResponse{Envelope: protocol.Envelope{Doorstep: protocol.Version}, Results: run.results})
}

// commitCut stores the items that arrived whole of a push cut short, for the laptop
// to learn of by the push's id; nobody is there to answer.
func (h *Handler) commitCut(r *http.Request, c request, items []protocol.PushItem) []protocol.PushResult {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), cutCommitTime)
	defer cancel()
	results, err := h.putItems(ctx, c, items)
	if err != nil {
		h.Log.Error("store fault", "during", "push cut short", "err", err)
		return nil
	}
	h.Log.Info("push cut short", "user", c.User.Code, "stored", len(results))
	return results
}
