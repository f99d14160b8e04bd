package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
)

// TestLedgerStaysSmall: whatever devices push, the ledger holds at most ledgerResults
// results, the oldest pushes forgotten first, and none older than ledgerKeep.
func TestLedgerStaysSmall(t *testing.T) {
	defer func(n int, keep time.Duration) { ledgerResults, ledgerKeep = n, keep }(ledgerResults, ledgerKeep)
	ledgerResults, ledgerKeep = 250, time.Hour
	var l pushLedger
	for i := range 10 {
		run := l.start(fmt.Sprintf("device%d", i), fmt.Sprintf("%032x", i))
		l.finish(run, make([]protocol.PushResult, 100))
	}
	if l.held > 250 || len(l.last) != 2 {
		t.Errorf("after 10 pushes of 100: %d results held in %d pushes, want at most 250 in 2", l.held, len(l.last))
	}
	if l.find("device9", fmt.Sprintf("%032x", 9)) == nil || l.find("device0", fmt.Sprintf("%032x", 0)) != nil {
		t.Error("the newest push was forgotten, or the oldest kept")
	}
	// A device's next push replaces its last.
	run := l.start("device9", "ff")
	l.finish(run, make([]protocol.PushResult, 3))
	if l.held != 103 {
		t.Errorf("held %d after a device's push replaced its last, want 103", l.held)
	}
	ledgerKeep = 0
	time.Sleep(time.Millisecond)
	l.start("device10", "ee")
	if len(l.last) != 1 || l.held != 0 {
		t.Errorf("after ledgerKeep: %d pushes, %d results held", len(l.last), l.held)
	}
}
