//go:build race

package localstore

// raceEnabled: the race detector multiplies memory, so RSS measurements mean nothing.
const raceEnabled = true
