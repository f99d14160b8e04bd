package storetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/store"
)

// Scale is every backend's BenchmarkScale: it fills st with DOORSTEP_SCALE synthetic
// records (default 100 000) in 300 villages through PutBatch, then measures the reads a
// district makes: a new laptop's pull of one village, an enumerator of every village's
// pull, a leader's first page of one village, one village's listing, and the whole
// export, from the store and through the admin socket (memory stays flat: one record at
// a time). It logs the store's ingest rate in the first and last tenth, the process's
// memory and, from size, what the backend occupies once filled.
func Scale(b *testing.B, st store.Store, size func() string) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("DOORSTEP_SCALE")); err == nil && v > 0 {
		n = v
	}
	const villages, batch = 300, 500
	s := Laptop(b, 1, "E001")
	items, _ := s.Outbox(0)
	base, _ := s.Revision(items[0].Record.ID)
	ctx := context.Background()
	caller := store.Caller{User: protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}}, Device: "bench"}
	if err := EnrolKey(st, caller.User, s); err != nil {
		b.Fatal(err)
	}
	key := SigningKey(b, s)
	var firstRate, lastRate float64
	tenth := max(n/10, batch)
	// The next batch is made while the store takes this one, and only the store's time
	// counts: the rate is the backend's, not the generator's.
	gen := func(i int) []protocol.PushItem {
		push := make([]protocol.PushItem, min(i+batch, n)-i)
		var wg gosync.WaitGroup
		for w := range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for j := w; j < len(push); j += runtime.GOMAXPROCS(0) {
					push[j] = Synthetic(base, i+j, fmt.Sprintf("村%03d", (i+j)%villages), key)
				}
			})
		}
		wg.Wait()
		return push
	}
	next := make(chan []protocol.PushItem, 1)
	go func() {
		for i := 0; i < n; i += batch {
			next <- gen(i)
		}
		close(next)
	}()
	var took time.Duration
	done := 0
	peak := sampleMemory()
	prof := profileTenths(b, n, tenth)
	for push := range next {
		start := time.Now()
		if _, err := st.PutBatch(ctx, caller, server.Arrivals(push, nil)); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		if done += len(push); done%tenth == 0 {
			rate := float64(tenth) / took.Seconds()
			if firstRate == 0 {
				firstRate = rate
			}
			lastRate, took = rate, 0
			if os.Getenv("DOORSTEP_SCALE_TENTHS") != "" {
				b.Logf("%d records: %.0f records/s; %s; %s", done, rate, memory(), peak())
			}
			prof(done)
		}
	}
	b.Logf("%d records: the store took %.0f records/s in the first tenth, %.0f in the last; %s; %s; %s", n, firstRate, lastRate, size(), memory(), peak())
	newLaptop := protocol.User{Code: "E777", Role: "enumerator", Villages: []string{"村007"}}
	b.Run("pull-new-laptop", func(b *testing.B) {
		for b.Loop() {
			resp, err := st.Pull(ctx, newLaptop, 0, 200)
			if err != nil || len(resp.Revisions) != 0 {
				b.Fatal(err)
			}
		}
	})
	// An enumerator of every village, all of whose records are their own pushes: the
	// pull reads an index of what is for them, not the million entries of the log.
	b.Run("pull-whole-district-enumerator", func(b *testing.B) {
		for b.Loop() {
			resp, err := st.Pull(ctx, caller.User, 0, 200)
			if err != nil || len(resp.Revisions) != 0 {
				b.Fatal(err)
			}
		}
	})
	leader := protocol.User{Code: "L777", Role: "leader", Villages: []string{"村007"}}
	b.Run("pull-leader-first-page", func(b *testing.B) {
		for b.Loop() {
			resp, err := st.Pull(ctx, leader, 0, 200)
			if want := min(200, n/villages); err != nil || len(resp.Revisions) != want && len(resp.Revisions) != want+1 {
				b.Fatalf("%d, %v", len(resp.Revisions), err)
			}
		}
	})
	b.Run("list-one-village", func(b *testing.B) {
		for b.Loop() {
			rows, _, err := st.Records(ctx, store.RecordFilter{Village: "村007"})
			if err != nil || len(rows) != n/villages && len(rows) != n/villages+1 {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	// An export reads and decodes every record (about half a millisecond each): at a
	// million that is many minutes a run, so it stops after exportCap records, which
	// is enough to see whether memory stays flat, and reports its rate.
	exportRun := func(b *testing.B, o server.Office) {
		want := min(n, exportCap)
		once := false
		for b.Loop() {
			if once { // one pass whatever b.N: its rate is the figure
				continue
			}
			once = true
			var peak uint64
			var ms runtime.MemStats
			count := 0
			start := time.Now()
			err := o.Export(ctx, store.RecordFilter{}, func(store.StoredRevision) error {
				if count++; count%1000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				if count == want {
					return errEnough
				}
				return nil
			})
			if err != nil && !errors.Is(err, errEnough) && !strings.Contains(err.Error(), errEnough.Error()) || count != want {
				b.Fatalf("%d, %v", count, err)
			}
			b.ReportMetric(float64(peak>>20), "peak-heap-MB")
			b.ReportMetric(float64(count)/time.Since(start).Seconds(), "records/s")
		}
	}
	b.Run("export-all", func(b *testing.B) { exportRun(b, st) })
	// doorstep-server records export: the server writes a line a revision to the admin
	// socket, the command reads them; both sides are this process here, so the peak
	// heap is theirs together.
	b.Run("export-all-admin-socket", func(b *testing.B) { exportRun(b, adminOffice(b, st)) })
	b.Logf("after the reads: %s", memory())
}

// exportCap is how many records an export of Scale reads; errEnough stops it there.
const exportCap = 100_000

var errEnough = errors.New("enough records exported")

// adminOffice is the office's commands through an admin socket served by st, as
// doorstep-server's commands reach a running server.
func adminOffice(b *testing.B, st store.Store) server.Office {
	dir, err := os.MkdirTemp("", "scale-admin")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	l, err := net.Listen("unix", filepath.Join(dir, server.AdminSocket))
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: server.AdminHandler(st)}
	go srv.Serve(l)
	b.Cleanup(func() { srv.Close() })
	o, _, err := server.OpenOffice(dir, func() (store.Store, error) { return nil, store.ErrBusy })
	if err != nil {
		b.Fatal(err)
	}
	return o
}

// sampleMemory reads the process's resident memory every 10 ms until the benchmark
// ends, and gives what it was when it was highest: VmHWM says how high, not what of.
func sampleMemory() func() string {
	var mu gosync.Mutex
	var top [3]int64 // VmRSS, RssAnon, RssFile, in kB, at the highest VmRSS seen
	go func() {
		for range time.Tick(10 * time.Millisecond) {
			status, _ := os.ReadFile("/proc/self/status")
			var now [3]int64
			for _, line := range strings.Split(string(status), "\n") {
				for i, k := range []string{"VmRSS:", "RssAnon:", "RssFile:"} {
					if f := strings.Fields(line); len(f) >= 2 && f[0] == k {
						now[i], _ = strconv.ParseInt(f[1], 10, 64)
					}
				}
			}
			mu.Lock()
			if now[0] > top[0] {
				top = now
			}
			mu.Unlock()
		}
	}()
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("highest resident set seen %d kB (anonymous %d, file %d)", top[0], top[1], top[2])
	}
}

// profileTenths writes a CPU profile of the first tenth of the filling and one of the
// last into the folder DOORSTEP_SCALE_PROFILE names (when it does): what the store does
// more of as it grows. It is called after each tenth with the records stored.
func profileTenths(b *testing.B, n, tenth int) func(done int) {
	dir := os.Getenv("DOORSTEP_SCALE_PROFILE")
	if dir == "" {
		return func(int) {}
	}
	start := func(name string) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
	}
	start("first.cpu")
	return func(done int) {
		switch {
		case done == tenth:
			pprof.StopCPUProfile()
		case done+tenth == n || done+tenth > n && done < n:
			start("last.cpu")
		case done >= n:
			pprof.StopCPUProfile()
		}
	}
}

// memory is the process's resident memory (its peak, and now: anonymous, the heap;
// file, bbolt's mapped pages) and the Go heap.
func memory() string {
	status, _ := os.ReadFile("/proc/self/status")
	var out []string
	for _, line := range strings.Split(string(status), "\n") {
		for _, k := range []string{"VmHWM:", "VmRSS:", "RssAnon:", "RssFile:"} {
			if strings.HasPrefix(line, k) {
				out = append(out, strings.Join(strings.Fields(line), " "))
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("%s; heap in use %d MB", strings.Join(out, ", "), ms.HeapInuse>>20)
}
