package pgstore

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// keyed is a fresh database on the test binary's PostgreSQL, sealed under a key of
// its own, as doorstep-server runs it, with the district's public signing key.
func keyed(t testing.TB, district ed25519.PublicKey) storetest.Opener {
	url := pgtest.DB(t)
	sealer := seal.New(seal.NewKey())
	return func(now func() time.Time) (store.Store, error) {
		return Open(context.Background(), url, Options{Now: now, Sealer: sealer, District: district})
	}
}

// backend is keyed without a district key.
func backend(t testing.TB) storetest.Opener { return keyed(t, nil) }

func TestConformance(t *testing.T) { storetest.Run(t, keyed) }

// TestServerRestartedMidway is the conformance case on its own, to run it many times:
// go test -count=50 -run TestServerRestartedMidway ./server/pgstore/
func TestServerRestartedMidway(t *testing.T) { storetest.ServerRestartedMidway(t, backend) }
