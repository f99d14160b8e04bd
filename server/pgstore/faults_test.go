package pgstore

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	gosync "sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// The database (not the server) goes down in the middle of a laptop's round, right
// after it committed a batch whose answer is then lost; rounds meanwhile are told to
// come back later (never to enrol again), and once PostgreSQL is back the server
// reconnects by itself and every record ends there exactly once.
func TestDatabaseRestartedMidRound(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := pgtest.Own(t, pgtest.Options{})
	url, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var once gosync.Once
	pushes := 0
	var mu gosync.Mutex
	wrap := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if r.URL.Path == "/v1/push" {
				pushes++
			}
			hit := pushes == 2
			mu.Unlock()
			if !hit {
				next.ServeHTTP(w, r)
				return
			}
			killed := false
			once.Do(func() {
				next.ServeHTTP(httptest.NewRecorder(), r) // committed, the answer never goes
				if err := c.Stop("immediate"); err != nil {
					t.Error(err)
				}
				killed = true
			})
			if !killed {
				next.ServeHTTP(w, r)
				return
			}
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		})
	}
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) { return Open(ctx, url, Options{Now: now}) }
	}, wrap)
	s := storetest.Laptop(t, 10, "E001")
	sy := storetest.Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", storetest.Villages(t, s)...))

	// The round that meets the kill goes on trying (with backoff) while the database
	// is down, and gives up as a transient failure.
	_, err = sy.Round(ctx)
	var se *dsync.Error
	if !errors.As(err, &se) || se.Kind != dsync.Transient {
		t.Fatalf("a round with the database down: %v, want a transient error", err)
	}
	if n, _ := s.DB().OutboxLen(); n == 0 {
		t.Fatal("everything went through: the database was not down when it should have been")
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		rep, err := sy.Round(ctx)
		if err == nil && rep.Queued == 0 {
			break
		}
		if i == 5 {
			t.Fatalf("after the database came back: %v (%+v)", err, rep)
		}
	}
	if n, _ := s.DB().OutboxLen(); n != 0 {
		t.Errorf("%d still queued", n)
	}
	if n := len(d.Rows(store.RecordFilter{All: true})); n != 10 || d.Count() != 10 {
		t.Errorf("the server has %d revisions of %d records, want 10 of 10", n, d.Count())
	}
}

// PostgreSQL restarted at a random moment of a round, under a batch or between two:
// whatever the moment, the next rounds finish the job exactly once.
func TestDatabaseRestartedAtAnyMoment(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := pgtest.Own(t, pgtest.Options{})
	url, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := storetest.NewDistrict(t, func(testing.TB) storetest.Opener {
		return func(now func() time.Time) (store.Store, error) { return Open(ctx, url, Options{Now: now}) }
	}, nil)
	s := storetest.Laptop(t, 10, "E001")
	sy := storetest.Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", storetest.Villages(t, s)...))
	done := make(chan error, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		if err := c.Stop("immediate"); err != nil {
			done <- err
			return
		}
		done <- c.Start()
	}()
	_, err = sy.Round(ctx)
	if se := (*dsync.Error)(nil); errors.As(err, &se) && se.Kind == dsync.Security {
		t.Fatalf("a restarting database told the laptop: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		rep, err := sy.Round(ctx)
		if err == nil && rep.Queued == 0 {
			break
		}
		if i == 5 {
			t.Fatalf("after the restart: %v (%+v)", err, rep)
		}
	}
	if n := len(d.Rows(store.RecordFilter{All: true})); n != 10 || d.Count() != 10 {
		t.Errorf("the server has %d revisions of %d records, want 10 of 10", n, d.Count())
	}
}
