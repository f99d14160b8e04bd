package survey

import (
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/record"
)

func TestSurveyed(t *testing.T) {
	asOf := time.Date(2021, 10, 12, 9, 0, 0, 0, time.UTC)
	done := asOf.Add(-24 * time.Hour)
	later := asOf.Add(20 * time.Hour) // the next day
	sameDay := asOf.Add(10 * time.Hour)
	for _, tt := range []struct {
		name   string
		r      *record.Record
		asOf   time.Time
		counts bool
	}{
		{"no record", nil, asOf, false},
		{"draft never completed", &record.Record{Status: record.StatusDraft}, asOf, false},
		{"signed, not completed", &record.Record{Status: record.StatusSigned}, asOf, false},
		{"completed", &record.Record{Status: record.StatusCompleted, CompletedAt: done}, asOf, true},
		{"approved", &record.Record{Status: record.StatusApproved, CompletedAt: done}, asOf, true},
		{"returned", &record.Record{Status: record.StatusReturned, CompletedAt: done}, asOf, true},
		{"returned and reopened", &record.Record{Status: record.StatusDraft, CompletedAt: done}, asOf, true},
		{"later the same day", &record.Record{Status: record.StatusCompleted, CompletedAt: sameDay}, asOf, true},
		{"after the day", &record.Record{Status: record.StatusCompleted, CompletedAt: later}, asOf, false},
		{"any day", &record.Record{Status: record.StatusCompleted, CompletedAt: later}, time.Time{}, true},
		{"completed before times were kept", &record.Record{Status: record.StatusSubmitted}, asOf, true},
	} {
		if got := Surveyed(tt.r, tt.asOf); got != tt.counts {
			t.Errorf("%s: surveyed %v, want %v", tt.name, got, tt.counts)
		}
	}
}
