package sync_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/storetest"
	. "github.com/doorstep-survey/doorstep/sync" //nolint:revive // see linksim_test.go
)

// pushes wraps a district's handler: the first push meets fault (its answer never
// reaches the laptop), and every push's records are counted as they arrive.
type pushes struct {
	mu    gosync.Mutex
	n     int
	items []int // records in each push that arrived whole
}

func (p *pushes) wrap(fault func(next http.Handler, w http.ResponseWriter, r *http.Request)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.URL.Path != "/v1/push" {
				next.ServeHTTP(w, r)
				return
			}
			p.mu.Lock()
			p.n++
			first := p.n == 1
			p.mu.Unlock()
			if first {
				fault(next, w, r)
				return
			}
			var body bytes.Buffer
			r.Body = io.NopCloser(io.TeeReader(r.Body, &body))
			next.ServeHTTP(w, r)
			var req protocol.PushRequest
			if zr, err := gzip.NewReader(&body); err == nil && json.NewDecoder(zr).Decode(&req) == nil {
				p.mu.Lock()
				p.items = append(p.items, len(req.Items))
				p.mu.Unlock()
			}
		})
	}
}

func (p *pushes) sent() (n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.items {
		n += k
	}
	return n
}

// drop closes the laptop's connection without an answer.
func drop(w http.ResponseWriter) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

// cutAt is a request body of which only the first n bytes arrive before the link drops.
type cutAt struct {
	r io.Reader
	n int64
}

func (c *cutAt) Read(b []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(b)) > c.n {
		b = b[:c.n]
	}
	k, err := c.r.Read(b)
	c.n -= int64(k)
	return k, err
}

// TestCutPushIsNotSentAgain: the link drops while a batch is on its way; the records
// that arrived whole are stored, and the laptop, told so by the server, sends only the
// rest — each record crosses the link once. Before, the whole batch went again.
func TestCutPushIsNotSentAgain(t *testing.T) {
	var p pushes
	d := storetest.NewDistrict(t, backend, p.wrap(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		r.Body = io.NopCloser(&cutAt{r: r.Body, n: r.ContentLength * 9 / 10})
		next.ServeHTTP(httptest.NewRecorder(), r)
		drop(w)
	}))
	s := laptop(t, 30, "E001")
	sy := enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", villages(t, s)...))
	sy.Batch = 64
	rep := rounds(t, sy)
	if n, _ := s.DB().OutboxLen(); n != 0 || d.Count() != 30 {
		t.Fatalf("queued %d, server %d", n, d.Count())
	}
	cut := 30 - p.sent()
	if cut <= 0 || rep.Duplicates != 0 || rep.Pushed != 30 {
		t.Errorf("%d records of the cut push were sent again (%d duplicates, %d stored); the server kept %d of it",
			30-max(cut, 0), rep.Duplicates, rep.Pushed, max(cut, 0))
	}
}

// TestLostAnswerIsNotSentAgain: the server stores a batch and its answer is lost; the
// laptop asks what became of the push instead of sending it again.
func TestLostAnswerIsNotSentAgain(t *testing.T) {
	var p pushes
	d := storetest.NewDistrict(t, backend, p.wrap(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(httptest.NewRecorder(), r)
		drop(w)
	}))
	s := laptop(t, 12, "E001")
	sy := enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", villages(t, s)...))
	sy.Batch = 4
	rep := rounds(t, sy)
	if n, _ := s.DB().OutboxLen(); n != 0 || d.Count() != 12 {
		t.Fatalf("queued %d, server %d", n, d.Count())
	}
	if rep.Duplicates != 0 || rep.Pushed != 12 || p.sent() != 12-4 {
		t.Errorf("%+v: %d records in the pushes after the lost answer, want 8", rep, p.sent())
	}
}

// rounds runs rounds until the outbox is empty, adding up their reports.
func rounds(t *testing.T, sy *Syncer) Report {
	t.Helper()
	var all Report
	for i := 0; i < 5; i++ {
		rep, err := sy.Round(context.Background())
		all.Pushed += rep.Pushed
		all.Duplicates += rep.Duplicates
		if err == nil && rep.Queued == 0 {
			return all
		}
	}
	t.Fatal("the outbox did not empty in 5 rounds")
	return all
}

// TestPhotoNotAskedAgain: a batch sent again after a reset does not ask the server
// again about the photos it uploaded before it — a round trip each on a slow link.
func TestPhotoNotAskedAgain(t *testing.T) {
	var asked atomic.Int32
	var p pushes
	wrap := p.wrap(func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		r.Body = io.NopCloser(&cutAt{r: r.Body}) // nothing of the batch arrives
		next.ServeHTTP(httptest.NewRecorder(), r)
		drop(w)
	})
	d := storetest.NewDistrict(t, backend, func(next http.Handler) http.Handler {
		inner := wrap(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/attachments/") {
				asked.Add(1)
			}
			inner.ServeHTTP(w, r)
		})
	})
	s := laptop(t, 1, "E001")
	cases, _ := s.Cases(localstore.CaseFilter{Status: localstore.StatusNew})
	r, err := s.StartRecord(cases[0].ID, "person-2021", "2021.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() (*localstore.Record, error){
		func() (*localstore.Record, error) { return s.SetCaseHeader(r.ID, 1, 3, "空挂户，村委会证实") },
		func() (*localstore.Record, error) {
			return s.AddPhoto(r.ID, bytes.Repeat([]byte("入户照片 "), 3000), "image/jpeg")
		},
		func() (*localstore.Record, error) { return s.Complete(r.ID) },
	} {
		if r, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	sy := enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", villages(t, s)...))
	rep := rounds(t, sy)
	if n, _ := s.DB().OutboxLen(); n != 0 || rep.Pushed != 2 {
		t.Fatalf("queued %d, %+v", n, rep)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the server was asked %d times about the photo, want once", n)
	}
}
