package sync_test

// These tests run the laptop's client against a real district server, whose package
// imports this one: hence an external test package. The dot import keeps the client's
// names as the code under test has them.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/store"
	"github.com/doorstep-survey/doorstep/server/storetest"
	. "github.com/doorstep-survey/doorstep/sync" //nolint:revive // see above
	"github.com/doorstep-survey/doorstep/sync/linksim"
)

type district = storetest.District

func backend(t testing.TB) storetest.Opener {
	dir := t.TempDir()
	return func(now func() time.Time) (store.Store, error) {
		return boltstore.Open(dir, boltstore.Options{Now: now})
	}
}

func newDistrict(t testing.TB) *district { return storetest.NewDistrict(t, backend, nil) }

var (
	laptop   = storetest.Laptop
	laptopOf = storetest.LaptopOf
	enrolled = storetest.Enrolled
	villages = storetest.Villages
)

// through is a syncer of s whose requests cross link to d.
func through(t testing.TB, d *district, s *localstore.Session, sy *Syncer, link linksim.Link) (*Syncer, *linksim.Proxy) {
	t.Helper()
	u, _ := url.Parse(d.Srv.URL)
	p, err := linksim.Start(u.Host, link)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	c, err := NewClient("https://"+p.Addr(), sy.Client.Token, d.Pin, "")
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = 20 * time.Second
	return &Syncer{Session: s, Client: c, Batch: sy.Batch}, p
}

// TestResetEveryFewKilobytes: a link that resets every 16 KB; every record arrives once
// and the outbox ends empty, however many rounds it takes.
func TestResetEveryFewKilobytes(t *testing.T) {
	d := newDistrict(t)
	s := laptop(t, 30, "E001")
	sy := enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", villages(t, s)...))
	sy.Batch = 16
	bad, p := through(t, d, s, sy, linksim.Link{ResetEvery: 16 << 10})
	for i := 0; i < 20; i++ {
		rep, err := bad.Round(context.Background())
		var se *Error
		if err != nil && (!errors.As(err, &se) || se.Kind != Transient) {
			t.Fatalf("round %d: %v", i, err)
		}
		if err == nil && rep.Queued == 0 {
			break
		}
	}
	if n, _ := s.DB().OutboxLen(); n != 0 || d.Count() != 30 {
		t.Errorf("queued %d, server %d (after %d resets)", n, d.Count(), p.Resets.Load())
	}
	if p.Resets.Load() == 0 {
		t.Error("the link never reset: the test tested nothing")
	}
}

// counted counts the bytes read from a request body.
type counted struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *counted) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// BenchmarkBytesPerRecord: what a completed person-2021 record costs on the wire,
// compressed, without photos (target < 2 KB).
func BenchmarkBytesPerRecord(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		d := newDistrict(b)
		s := laptopOf(b, 120, 100, "E001")
		sy := enrolled(b, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
		sy.Batch, sy.MaxBatch = 100, 100
		b.StartTimer()
		rep, err := sy.Round(context.Background())
		if err != nil || rep.Pushed != 100 {
			b.Fatalf("%+v %v", rep, err)
		}
		b.ReportMetric(float64(rep.Bytes)/100, "B/record")
	}
}

// BenchmarkSlowLink: 500 records over 64 kbit/s with 300 ms latency and a reset every
// 200 KB (target: all delivered, within 1.5 × the payload's airtime).
//
// The payload is the fewest bytes the records must cross the link as: the whole
// outbox as one push body, gzip'd as the client gzips (PayloadBytes), each record
// once — not the batches sent, whose resends and extra gzip headers are the cost
// being measured. ×payload is the wall time of the rounds (push, pull, every round
// trip, reconnection and wait) over the payload's airtime, payload × 8 / 64 000 s.
// up-B and down-B are the bytes the link carried each way (TLS, headers and answers
// included, and the chunk a reset cut); %overhead is the share of up-B that was not
// payload: resends, TLS, HTTP headers, batch boundaries. %resent is the share of the
// push bodies' bytes that reached the server (cut ones as far as they came) beyond the
// payload: records that crossed twice, the part of a record a reset cut, and each
// batch's fresh start of the compression (about 1 %).
func BenchmarkSlowLink(b *testing.B) {
	const bps = 64000
	for b.Loop() {
		b.StopTimer()
		// What of the push bodies reached the server, cut ones included: what crossed
		// the link, as the server read it.
		var arrived atomic.Int64
		d := storetest.NewDistrict(b, backend, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && r.URL.Path == "/v1/push" {
					r.Body = &counted{ReadCloser: r.Body, n: &arrived}
				}
				next.ServeHTTP(w, r)
			})
		})
		s := laptopOf(b, 520, 500, "E001")
		sy := enrolled(b, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
		slow, p := through(b, d, s, sy, linksim.Link{BitsPerSecond: bps, Latency: 300 * time.Millisecond, ResetEvery: 200 << 10})
		slow.Client.Timeout = 2 * time.Minute
		slow.Batch = 0 // the laptop's own batch sizes, not the tests' small first batch
		payload, err := PayloadBytes(slow)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		for i := 0; i < 100; i++ {
			rep, err := slow.Round(context.Background())
			if err == nil && rep.Queued == 0 {
				break
			}
		}
		took := time.Since(start)
		if d.Count() != 500 {
			b.Fatalf("the server has %d records", d.Count())
		}
		ideal := float64(payload*8) / bps
		up := p.Up.Load()
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(took.Seconds()/ideal, "×payload")
		b.ReportMetric(float64(payload), "payload-B")
		b.ReportMetric(float64(up), "up-B")
		b.ReportMetric(float64(p.Down.Load()), "down-B")
		b.ReportMetric(float64(up-int64(payload))/float64(up)*100, "%overhead")
		b.ReportMetric(float64(arrived.Load()-int64(payload))/float64(arrived.Load())*100, "%resent")
		b.ReportMetric(float64(p.Resets.Load()), "resets")
	}
}
