package server

import "time"

// SetBodyIdle shortens BodyIdle for a test; the returned func restores it.
func SetBodyIdle(d time.Duration) func() {
	old := bodyIdle
	bodyIdle = d
	return func() { bodyIdle = old }
}

// EnrolmentsInFlight is how many enrolment places are held now, so that a test waits
// for the limiter's own count rather than probing it with requests that take a place.
func (h *Handler) EnrolmentsInFlight() int {
	h.places()
	return len(h.enrolling)
}
