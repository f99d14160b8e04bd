package sync

import (
	"errors"
	"math/rand/v2"
	"time"
)

// Policy is sync's one answer to "that failed: what now?", for a request inside a
// round and for the rounds themselves (STYLE.md, Sync): a transient failure is tried
// again after a wait that doubles from First up to Max, with up to a quarter more at
// random so that a team's laptops coming back into signal together do not knock at
// the same second, and never sooner than the server's Retry-After; a success resets
// the wait; a permanent failure waits the longest; a security failure (a certificate
// or pin that does not match, a revoked enrolment, an outdated TLS) stops until a
// person acts (Resume). The screens only show what it decided.
type Policy struct {
	First, Max time.Duration
	// Every is the wait after a success (0: none).
	Every time.Duration
	// Attempts bounds the transient failures in a row that are tried again (0: no
	// bound); the next one is given up.
	Attempts int

	failures int
	stopped  error
}

// RoundPolicy is the policy between rounds: a round every `every` while they succeed,
// after a failure again from 30 s, doubling up to `every`.
func RoundPolicy(every time.Duration) *Policy {
	if every <= 0 {
		every = 5 * time.Minute
	}
	return &Policy{First: min(30*time.Second, every), Max: every, Every: every}
}

// requestPolicy is the policy inside a round, for one batch: a dropped link costs a
// short wait and a smaller batch, four times at most.
func requestPolicy() *Policy {
	return &Policy{First: 500 * time.Millisecond, Max: 8 * time.Second, Attempts: 4}
}

// After records how the last attempt ended (err nil: it succeeded) and says how long to
// wait before the next, or stop: false to go on, true to give up (a security failure,
// until Resume; or a permanent one, or too many transient ones in a row).
func (p *Policy) After(err error) (wait time.Duration, stop bool) {
	if err == nil {
		p.failures = 0
		return p.Every, false
	}
	var se *Error
	kind := Transient
	if errors.As(err, &se) {
		kind = se.Kind
	}
	switch kind {
	case Security:
		p.stopped = err
		return 0, true
	case Permanent:
		return p.Max, p.Attempts > 0
	}
	p.failures++
	if p.Attempts > 0 && p.failures > p.Attempts {
		return 0, true
	}
	wait = p.First << min(p.failures-1, 16)
	wait = min(wait, p.Max)
	wait += time.Duration(rand.Int64N(int64(wait)/4 + 1))
	if se != nil && se.RetryAfter > wait {
		wait = se.RetryAfter
	}
	return wait, false
}

// Stopped is the security failure that stopped sync, until Resume; nil when it runs.
func (p *Policy) Stopped() error { return p.stopped }

// Resume is a person's "try again" after a security stop (a new pin, a new enrolment).
func (p *Policy) Resume() { p.stopped, p.failures = nil, 0 }
