package server

import "time"

// SetBodyIdle shortens BodyIdle for a test; the returned func restores it.
func SetBodyIdle(d time.Duration) func() {
	old := bodyIdle
	bodyIdle = d
	return func() { bodyIdle = old }
}
