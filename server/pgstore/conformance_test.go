package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// backend is a fresh database on the test binary's PostgreSQL, sealed under a key of
// its own, as doorstep-server runs it.
func backend(t testing.TB) storetest.Opener {
	url := pgtest.DB(t)
	sealer := seal.New(seal.NewKey())
	return func(now func() time.Time) (store.Store, error) {
		return Open(context.Background(), url, Options{Now: now, Sealer: sealer})
	}
}

func TestConformance(t *testing.T) { storetest.Run(t, backend) }

// TestServerRestartedMidway is the conformance case on its own, to run it many times:
// go test -count=50 -run TestServerRestartedMidway ./server/pgstore/
func TestServerRestartedMidway(t *testing.T) { storetest.ServerRestartedMidway(t, backend) }
