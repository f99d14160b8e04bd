//go:build !unix

package localstore

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
