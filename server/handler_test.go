package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// faulty is a store whose Authenticate fails with a fault (not a verdict on the token)
// while faults is above zero.
type faulty struct {
	store.Store
	faults *atomic.Int32
}

func (f faulty) Authenticate(ctx context.Context, tok string) (store.Caller, error) {
	if f.faults.Add(-1) >= 0 {
		return store.Caller{}, errors.New("disk I/O error")
	}
	return f.Store.Authenticate(ctx, tok)
}

func faultyBackend(faults *atomic.Int32) storetest.Backend {
	return func(t testing.TB) storetest.Opener {
		dir := t.TempDir()
		return func(now func() time.Time) (store.Store, error) {
			st, err := boltstore.Open(dir, boltstore.Options{Now: now})
			return faulty{st, faults}, err
		}
	}
}

// TestStoreFaultIsNotABadToken: only an unknown or revoked token is 401; a store that
// cannot answer is 503 with Retry-After, and the laptop waits that long and goes on.
func TestStoreFaultIsNotABadToken(t *testing.T) {
	var faults atomic.Int32
	var when []time.Time
	d := storetest.NewDistrict(t, faultyBackend(&faults), func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/push" {
				when = append(when, time.Now())
			}
			next.ServeHTTP(w, r)
		})
	})
	s := storetest.Laptop(t, 2, "E001")
	sy := storetest.Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))

	req := func(tok string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/v1/pull", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		d.Handler.ServeHTTP(w, r)
		return w
	}
	faults.Store(1)
	if w := req(sy.Client.Token); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
		t.Errorf("a store fault: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if w := req("made-up"); w.Code != http.StatusUnauthorized {
		t.Errorf("an unknown token: %d", w.Code)
	}
	faults.Store(1)
	rep := storetest.Round(t, sy)
	if rep.Pushed != 2 || len(when) < 2 {
		t.Fatalf("after a fault: %+v, %d pushes", rep, len(when))
	}
	if gap := when[1].Sub(when[0]); gap < time.Second {
		t.Errorf("the laptop tried again after %v; the server asked for a second", gap)
	}
	d.Store.Revoke(context.Background(), "E001")
	if w := req(sy.Client.Token); w.Code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", w.Code)
	}
}
