//go:build unix

package server_test

import (
	"syscall"
	"time"
)

// cpuTime is the process's CPU time so far (user and system): on a machine others
// share, a rate per CPU second says what the wall clock cannot.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
