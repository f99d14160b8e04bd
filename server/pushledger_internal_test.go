package server

import (
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/doorstep-survey/doorstep/protocol"
)

// TestLedgerStaysSmall: whatever devices push, the ledger holds at most ledgerBytes
// of results, the oldest pushes forgotten first, and none older than ledgerKeep.
func TestLedgerStaysSmall(t *testing.T) {
	defer func(n int, keep time.Duration) { ledgerBytes, ledgerKeep = n, keep }(ledgerBytes, ledgerKeep)
	ledgerBytes, ledgerKeep = 250*sizeOf(make([]protocol.PushResult, 1)), time.Hour
	var l pushLedger
	for i := range 10 {
		run := l.start(fmt.Sprintf("device%d", i), fmt.Sprintf("%032x", i))
		l.finish(run, make([]protocol.PushResult, 100))
	}
	one := sizeOf(make([]protocol.PushResult, 1))
	if l.held > 250*one || len(l.last) != 2 {
		t.Errorf("after 10 pushes of 100: %d results held in %d pushes, want at most 250 in 2", l.held, len(l.last))
	}
	if l.find("device9", fmt.Sprintf("%032x", 9)) == nil || l.find("device0", fmt.Sprintf("%032x", 0)) != nil {
		t.Error("the newest push was forgotten, or the oldest kept")
	}
	// A device's next push replaces its last.
	run := l.start("device9", "ff")
	l.finish(run, make([]protocol.PushResult, 3))
	if l.held != 103*one {
		t.Errorf("held %d after a device's push replaced its last, want 103", l.held)
	}
	ledgerKeep = 0
	time.Sleep(time.Millisecond)
	l.start("device10", "ee")
	if len(l.last) != 1 || l.held != 0 {
		t.Errorf("after ledgerKeep: %d pushes, %d results held", len(l.last), l.held)
	}
}

// TestClip: a refusal's words are cut at a character's start, within the bound, and
// say they were cut; short ones are left alone.
func TestClip(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefg…"},
		{"名名名名名", 10, "名名…"},
	} {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func FuzzClip(f *testing.F) {
	f.Add("名名名名名名", 7)
	f.Add("abc", 2)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 4 || n > 1<<12 {
			return
		}
		got := clip(s, n)
		if len(got) > n {
			t.Errorf("clip(%q, %d) is %d bytes", s, n, len(got))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q cuts a character", s, n, got)
		}
	})
}
