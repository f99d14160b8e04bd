package localstore

import (
	"os"
	"testing"
)

// Some tests run this test binary again as a child process, to kill it mid-write or to
// measure memory in a process that did nothing else; the child's job is named in childEnv.
const childEnv = "DOORSTEP_STORE_CHILD"

var children = map[string]func() int{
	"load-cases": childLoadCases,
}

func TestMain(m *testing.M) {
	job := os.Getenv(childEnv)
	if job == "" {
		os.Exit(m.Run())
	}
	run, ok := children[job]
	if !ok {
		os.Exit(3)
	}
	os.Exit(run())
}
