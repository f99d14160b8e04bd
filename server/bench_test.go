package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/pgstore"
	"github.com/doorstep-survey/doorstep/server/pgtest"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// boltBackend is a sealed bbolt file, as doorstep-server keeps it.
func boltBackend(t testing.TB) storetest.Opener { return boltOf(seal.New(seal.NewKey()))(t) }

// boltOf is a bbolt backend under the key (nil: plain, to measure what sealing costs).
func boltOf(sealer *seal.Sealer) storetest.Backend {
	return func(t testing.TB) storetest.Opener {
		dir := t.TempDir()
		return func(now func() time.Time) (store.Store, error) {
			return boltstore.Open(dir, boltstore.Options{Now: now, Sealer: sealer})
		}
	}
}

// pushBodies are n completed records of one demo district, as gzip'd push batches of
// batch records, dealt round-robin to clients.
func pushBodies(b testing.TB, clients, each, batch int) ([][][]byte, ed25519.PublicKey) {
	db, err := localstore.Open(b.TempDir(), localstore.Options{KDF: storetest.TestKDF})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	n := clients * each
	if _, err := seed.Fill(db, seed.Options{Form: storetest.PersonForm(b), Options: demo.Options{Seed: 9, Cases: n, Villages: 4}, Completed: n}); err != nil {
		b.Fatal(err)
	}
	s, err := db.Unlock("E001", seed.Passphrase)
	if err != nil {
		b.Fatal(err)
	}
	items, err := s.Outbox(0)
	if err != nil || len(items) != n {
		b.Fatalf("%d outbox items, %v", len(items), err)
	}
	out := make([][][]byte, clients)
	var cur [][]protocol.PushItem = make([][]protocol.PushItem, clients)
	flush := func(c int) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		json.NewEncoder(zw).Encode(protocol.PushRequest{Items: cur[c]})
		zw.Close()
		out[c] = append(out[c], buf.Bytes())
		cur[c] = nil
	}
	for i, it := range items {
		c := i % clients
		cs, _ := s.Case(it.Record.CaseID)
		cur[c] = append(cur[c], protocol.PushItem{Seq: it.Seq, Revision: record.Revision{Record: it.Record, Audit: record.Compact(it.Audit)},
			Case: protocol.Case{Subject: it.Record.Subject, Name: cs.Row.Name, Village: cs.Row.Village}})
		if len(cur[c]) == batch {
			flush(c)
		}
	}
	for c := range cur {
		if len(cur[c]) > 0 {
			flush(c)
		}
	}
	keys, err := s.BundleKeys()
	if err != nil {
		b.Fatal(err)
	}
	return out, keys.Card().Verify
}

// BenchmarkIngest: records the server stores per second from 20 laptops pushing at once
// over loopback TLS, each on its own connection, reused for all its batches as a
// laptop's round reuses it. The TLS handshakes are made first and reported apart
// (handshake-ms: the slowest of the 20 concurrent ones). The batches are built and
// compressed beforehand: the figure is the server's — decompression, verifying every
// chain, storing (target ≥ 4 000 records/s). records/cpu-s is the same work per second
// of CPU, clients included: what two idle cores would give is about twice it.
//
// Both backends in one run, side by side: bbolt, and PostgreSQL with fsync on as in
// production (skipped where PostgreSQL is not installed).
func BenchmarkIngest(b *testing.B) {
	const clients, each, batch = 20, 100, 25
	bodies, key := pushBodies(b, clients, each, batch)
	// Sealed, as doorstep-server keeps its data, and plain beside it: what sealing costs.
	for _, mode := range []struct {
		name   string
		sealer *seal.Sealer
	}{{"sealed", seal.New(seal.NewKey())}, {"plain", nil}} {
		b.Run("bbolt/"+mode.name, func(b *testing.B) { benchIngest(b, boltOf(mode.sealer), bodies, key, clients, each) })
	}
	b.Run("postgres", func(b *testing.B) {
		c := pgtest.Own(b, pgtest.Options{Durable: true})
		for _, mode := range []struct {
			name   string
			sealer *seal.Sealer
		}{{"sealed", seal.New(seal.NewKey())}, {"plain", nil}} {
			b.Run(mode.name, func(b *testing.B) {
				benchIngest(b, func(t testing.TB) storetest.Opener {
					url, err := c.CreateDatabase(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					return func(now func() time.Time) (store.Store, error) {
						return pgstore.Open(context.Background(), url, pgstore.Options{Now: now, Sealer: mode.sealer})
					}
				}, bodies, key, clients, each)
			})
		}
	})
}

func benchIngest(b *testing.B, backend storetest.Backend, bodies [][][]byte, key ed25519.PublicKey, clients, each int) {
	for b.Loop() {
		b.StopTimer()
		d := storetest.NewDistrict(b, backend, nil)
		tls, err := dsync.TLSConfig(d.Pin, "")
		if err != nil {
			b.Fatal(err)
		}
		conns := make([]*http.Client, clients)
		tokens := make([]string, clients)
		for i := range conns {
			conns[i] = &http.Client{Transport: &http.Transport{TLSClientConfig: tls, MaxIdleConnsPerHost: 1}}
			tok, _, err := d.Store.Enroll(context.Background(), d.Enrol("E001", "李晓梅", "enumerator", "*"), fmt.Sprint("laptop ", i), key, "")
			if err != nil {
				b.Fatal(err)
			}
			tokens[i] = tok
		}
		do := func(i int, method, path string, body []byte) error {
			req, _ := http.NewRequest(method, d.Srv.URL+path, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tokens[i])
			if body != nil {
				req.Header.Set("Content-Encoding", "gzip")
			}
			resp, err := conns[i].Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
			}
			return nil
		}
		all := func(fn func(i int) error) time.Duration {
			start := time.Now()
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for i := range clients {
				wg.Go(func() { errs <- fn(i) })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
			return time.Since(start)
		}
		handshakes := all(func(i int) error { return do(i, http.MethodGet, "/healthz", nil) })
		b.StartTimer()
		stopProfile := profileWindow(b)
		cpu := cpuTime()
		took := all(func(i int) error {
			for _, body := range bodies[i] {
				if err := do(i, http.MethodPost, "/v1/push", body); err != nil {
					return err
				}
			}
			return nil
		})
		b.StopTimer()
		cpu = cpuTime() - cpu
		stopProfile()
		if n := d.Count(); n != clients*each {
			b.Fatalf("stored %d", n)
		}
		for _, c := range conns {
			c.CloseIdleConnections()
		}
		b.ReportMetric(float64(clients*each)/took.Seconds(), "records/s")
		b.ReportMetric(float64(handshakes.Milliseconds()), "handshake-ms")
		if cpu > 0 {
			// Laptops' and server's CPU together: they share the process.
			b.ReportMetric(float64(clients*each)/cpu.Seconds(), "records/cpu-s")
		}
		b.StartTimer()
	}
}

// profileWindow profiles the timed ingest only when DOORSTEP_INGEST_PROFILE names a
// file: -cpuprofile would mostly show the laptops' stores being made beforehand.
// A window of 2 000 records is under half a second, a hundred-odd samples: with
// -benchtime=Nx each window writes its own file (the first the path named, the n-th
// path.n), to merge with `go tool pprof -proto`. One sub-benchmark at a time.
// profileWindows counts the windows profiled.
var profileWindows int

func profileWindow(b *testing.B) func() {
	path := os.Getenv("DOORSTEP_INGEST_PROFILE")
	if path == "" {
		return func() {}
	}
	profileWindows++
	if profileWindows > 1 {
		path = fmt.Sprint(path, ".", profileWindows)
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
