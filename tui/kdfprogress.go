package tui

import (
	"fmt"
	"strings"
	"time"
)

// A passphrase check (unlock, a signature) runs argon2id, which says nothing while it
// works: the screens draw a bar against the time the last check took on this laptop
// (localstore's KDFEstimate), stopping short of the end when this one is slower, so a
// person sees it is working and about how long is left.

// kdfTickMsg redraws a passphrase check's progress.
type kdfTickMsg struct{}

// kdfTick is how often the progress is redrawn.
const kdfTick = 100 * time.Millisecond

// kdfBarCells is the bar's width in cells.
const kdfBarCells = 10

// kdfProgress is the bar and the seconds so far, e.g. "▰▰▰▱▱▱▱▱▱▱ 0.3 s".
func kdfProgress(elapsed, expected time.Duration) string {
	if expected <= 0 {
		expected = time.Second
	}
	done := min(kdfBarCells-1, int(float64(kdfBarCells)*float64(elapsed)/float64(expected)))
	done = max(0, done)
	return strings.Repeat("▰", done) + strings.Repeat("▱", kdfBarCells-done) + fmt.Sprintf(" %.1f s", max(0, elapsed.Seconds()))
}
