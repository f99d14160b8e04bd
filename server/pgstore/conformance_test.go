package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// backend is a fresh database on the test binary's PostgreSQL.
func backend(t testing.TB) storetest.Opener {
	url := pgtest.DB(t)
	return func(now func() time.Time) (store.Store, error) {
		return Open(context.Background(), url, Options{Now: now})
	}
}

func TestConformance(t *testing.T) { storetest.Run(t, backend) }

// TestServerRestartedMidway is the conformance case on its own, to run it many times:
// go test -count=50 -run TestServerRestartedMidway ./server/pgstore/
func TestServerRestartedMidway(t *testing.T) { storetest.ServerRestartedMidway(t, backend) }
