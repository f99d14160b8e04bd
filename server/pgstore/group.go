package pgstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Group commit.
//
// A push holds the log (log.go) from the moment it reads what is held of its records
// until its commit is on disk: the log has one writer at a time, and with twenty laptops
// pushing at once the pushes queue on it — measured at BenchmarkIngest, the log was held
// ~7 ms a push, 6 of them in the round trip that writes and commits (the commit's flush,
// and on two shared cores the wait for the CPU between the Go side and PostgreSQL's),
// for ~2 ms of PostgreSQL's own work. So the pushes that wait are written by one of them
// in one transaction, one after the other, each under a savepoint of its own, and the
// group commits once: one flush, one BEGIN and COMMIT, for all of them.
//
// Each push is still answered for itself: a push is decided against what the group's
// earlier pushes stored (the same transaction reads them, as a batch reads its own
// earlier items); a push that fails is rolled back to its savepoint, alone, and told
// so, the others commit; a commit that fails fails every push of the group, which
// their laptops send again (exactly-once: nothing of them was stored). A push answered
// "stored" is committed.

// maxGroup bounds a group: its pushes, and the records they carry (a push may carry up
// to server.MaxItems), so that one transaction does not hold the log for long.
const (
	maxGroup      = 16
	maxGroupItems = 1000
)

// groupTimeout bounds a group's transaction: its statements do not stop when one push's
// request does (the others would fail with it), but a database that stops answering
// must not hold every push for ever.
const groupTimeout = 2 * time.Minute

// A write is a push's work under the log, with what PutBatch worked out before it.
type write struct {
	ctx     context.Context
	from    store.Caller
	items   []store.Arrival
	checked []int
	packed  map[int][]byte
	results []protocol.PushResult
	decide  func(store.Held, store.Arrival) store.Decision

	err  error
	wake chan struct{} // closed when the write is done, or when it is to lead a group
	lead bool
}

// writers queues the writes waiting for the log.
type writers struct {
	mu    sync.Mutex
	queue []*write
	busy  bool // a group is being written; its leader hands over to queue[0]
}

// write stores w, in a group with the writes waiting beside it: the first to come
// writes a group while the others wait, and hands over to the first still waiting —
// every write waits at most for the group before its own, and no goroutine of its own
// outlives the store.
func (s *Store) write(w *write) error {
	g := &s.writers
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.busy {
		g.mu.Unlock()
		<-w.wake
		if !w.lead {
			return w.err
		}
		g.mu.Lock()
	}
	g.busy = true
	// w is queue[0]: it came to an empty queue, or was handed the lead as its first.
	n, items := 0, 0
	for n < len(g.queue) && n < maxGroup && (n == 0 || items+len(g.queue[n].checked) <= maxGroupItems) {
		items += len(g.queue[n].checked)
		n++
	}
	group := append([]*write(nil), g.queue[:n]...)
	g.queue = g.queue[n:]
	g.mu.Unlock()

	s.writeGroup(group)
	for _, o := range group[1:] {
		close(o.wake)
	}

	g.mu.Lock()
	if len(g.queue) > 0 {
		next := g.queue[0]
		next.lead = true
		close(next.wake)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	return w.err
}

// writeGroup stores a group's writes in one transaction and sets each one's err.
func (s *Store) writeGroup(group []*write) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(group[0].ctx), groupTimeout)
	defer cancel()
	fail := func(err error) {
		for _, w := range group {
			if w.err == nil {
				w.err = err
			}
		}
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		fail(err)
		return
	}
	// A connection left inside a transaction (a failure below) is closed, not reused.
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		fail(err)
		return
	}
	abandon := func(err error) {
		fail(err)
		if conn.Conn().PgConn().TxStatus() != 'I' {
			tx.Rollback(ctx)
		}
	}
	if len(group) == 1 {
		// Alone: no savepoint, and the commit in put's last round trip.
		w := group[0]
		committed, err := s.put(ctx, tx, w.from, w.items, w.checked, w.packed, w.results, w.decide, "", "COMMIT")
		if err == nil && !committed {
			err = tx.Commit(ctx)
		}
		if err != nil {
			abandon(err)
		}
		return
	}
	for _, w := range group {
		if err := w.ctx.Err(); err != nil { // its laptop has gone: not stored
			w.err = err
			continue
		}
		_, err := s.put(ctx, tx, w.from, w.items, w.checked, w.packed, w.results, w.decide, "SAVEPOINT push", "RELEASE SAVEPOINT push")
		if err == nil {
			continue
		}
		w.err = err
		// Undone alone; a rollback that fails (the connection is lost) fails the rest.
		if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT push"); rerr != nil {
			abandon(fmt.Errorf("%w (undoing a push of the group: %v)", err, rerr))
			return
		}
	}
	if err := tx.Commit(ctx); err != nil {
		abandon(err)
	}
}
