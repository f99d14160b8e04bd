package sync

import (
	"testing"
	"time"
)

// TestBatchBytesFollowTheLink: a batch is sized to take about 20 s on the link as it
// has shown itself — 160 KB on 64 kbit/s (a reset costs the record it cuts, not the
// batch: resume_test.go) — halved by a failure the server could not account for,
// large on a fast link.
func TestBatchBytesFollowTheLink(t *testing.T) {
	var l linkEstimate
	if got := l.target(); got != firstBatchBytes {
		t.Errorf("first batch %d bytes", got)
	}
	l.answered(16<<10, 64<<10, 2*time.Second) // 8 KB/s: 64 kbit/s
	if got := l.target(); got != 160<<10 {
		t.Errorf("on 64 kbit/s: %d bytes, want 160 KB", got)
	}
	l.failed()
	if got := l.target(); got != 80<<10 {
		t.Errorf("after a reset: %d bytes, want 80 KB", got)
	}
	for range 20 {
		l.failed()
	}
	if got := l.target(); got != minBatchBytes {
		t.Errorf("after many resets: %d bytes, want the floor %d", got, minBatchBytes)
	}
	var fast linkEstimate
	fast.answered(1<<20, 4<<20, 50*time.Millisecond)
	if got := fast.target(); got != maxBatchBytes {
		t.Errorf("on a fast link: %d bytes, want the cap", got)
	}
	// How many records make the target: by their JSON size and the ratio seen.
	if got := l.compressed(10000); got != 2500 {
		t.Errorf("a 10 000-byte record counts %d compressed bytes, want 2500 (ratio 1/4)", got)
	}
}
