package sync

import (
	"errors"
	"testing"
	"time"
)

func TestPolicy(t *testing.T) {
	transient := syncErr(Transient, "断了", "dropped", nil)
	busy := syncErr(Transient, "忙", "busy", nil)
	busy.RetryAfter = 90 * time.Second
	security := syncErr(Security, "证书", "certificate", nil)
	permanent := syncErr(Permanent, "拒绝", "refused", nil)

	p := RoundPolicy(5 * time.Minute)
	steps := []struct {
		name     string
		err      error
		min, max time.Duration
		stop     bool
	}{
		{"a success waits a period", nil, 5 * time.Minute, 5 * time.Minute, false},
		{"a first failure 30 s", transient, 30 * time.Second, 37500 * time.Millisecond, false},
		{"then 60 s", transient, 60 * time.Second, 75 * time.Second, false},
		{"an unknown error is transient", errors.New("eof"), 120 * time.Second, 150 * time.Second, false},
		{"never sooner than Retry-After", busy, 240 * time.Second, 300 * time.Second, false},
		{"capped at the period", transient, 5 * time.Minute, 375 * time.Second, false},
		{"a success resets", nil, 5 * time.Minute, 5 * time.Minute, false},
		{"after it, 30 s again", transient, 30 * time.Second, 37500 * time.Millisecond, false},
		{"a refusal waits a period", permanent, 5 * time.Minute, 5 * time.Minute, false},
		{"a security failure stops", security, 0, 0, true},
	}
	for _, st := range steps {
		wait, stop := p.After(st.err)
		if stop != st.stop || wait < st.min || wait > st.max {
			t.Errorf("%s: wait %v stop %v, want %v–%v stop %v", st.name, wait, stop, st.min, st.max, st.stop)
		}
	}
	if !errors.Is(p.Stopped(), security) {
		t.Errorf("stopped by %v", p.Stopped())
	}
	p.Resume()
	if p.Stopped() != nil {
		t.Error("still stopped after a person acted")
	}
	if wait, _ := p.After(busy); wait < 90*time.Second {
		t.Errorf("Retry-After not honoured after resume: %v", wait)
	}
}

func TestRequestPolicy(t *testing.T) {
	p := requestPolicy()
	transient := syncErr(Transient, "断了", "dropped", nil)
	for i := range 4 {
		if _, stop := p.After(transient); stop {
			t.Fatalf("gave up after %d failures", i+1)
		}
	}
	if _, stop := p.After(transient); !stop {
		t.Error("a fifth failure in a row is tried again")
	}
	if _, stop := requestPolicy().After(syncErr(Permanent, "拒绝", "refused", nil)); !stop {
		t.Error("a refused batch is tried again")
	}
}
