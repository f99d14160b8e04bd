package survey

import (
	"time"

	"github.com/doorstep-survey/doorstep/record"
)

// Surveyed reports whether a case's record counts as surveyed by the end of asOf's day
// (every day when asOf is zero): it was completed on or before it. A record the leader
// has returned since, or that its enumerator has reopened to fix, still counts, by its
// method and outcome: the visit happened, and a correction in progress must not make
// the case vanish from the register, the statistics or the leader's home-visit rate.
// A record the district withdrew (a duplicate interview resolved for the other record)
// does not count, here as on the district's server, which leaves it out of its cases.
// Every count of surveyed cases — the reports, the team's day — starts here.
func Surveyed(r *record.Record, asOf time.Time) bool {
	if r == nil || r.Withdrawn != nil {
		return false // not started; or withdrawn by the district: another record stands
	}
	if r.CompletedAt.IsZero() {
		// Records completed before the completion time was kept.
		return r.Status.Locked()
	}
	if asOf.IsZero() {
		return true
	}
	y, m, d := asOf.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, asOf.Location())
	return r.CompletedAt.Before(end)
}
