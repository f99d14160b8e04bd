package sync

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/sync/linksim"
)

// through is a syncer of s whose requests cross link to d.
func through(t testing.TB, d *district, s *localstore.Session, sy *Syncer, link linksim.Link) (*Syncer, *linksim.Proxy) {
	t.Helper()
	u, _ := url.Parse(d.srv.URL)
	p, err := linksim.Start(u.Host, link)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	c, err := NewClient("https://"+p.Addr(), sy.Client.Token, d.pin, "")
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
	sy := enrolled(t, d, s, d.enrol("E001", "李晓梅", "enumerator", villages(t, s)...))
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
	if n, _ := s.DB().OutboxLen(); n != 0 || d.count() != 30 {
		t.Errorf("queued %d, server %d (after %d resets)", n, d.count(), p.Resets.Load())
	}
	if p.Resets.Load() == 0 {
		t.Error("the link never reset: the test tested nothing")
	}
}

// BenchmarkBytesPerRecord: what a completed person-2021 record costs on the wire,
// compressed, without photos (target < 2 KB).
func BenchmarkBytesPerRecord(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		d := newDistrict(b)
		s := laptopOf(b, 120, 100, "E001")
		sy := enrolled(b, d, s, d.enrol("E001", "李晓梅", "enumerator", "*"))
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
// 200 KB, against bytes / bandwidth (target: all delivered, within 1.5 ×).
func BenchmarkSlowLink(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		d := newDistrict(b)
		s := laptopOf(b, 520, 500, "E001")
		sy := enrolled(b, d, s, d.enrol("E001", "李晓梅", "enumerator", "*"))
		sy.Batch, sy.MaxBatch = 16, 64
		slow, p := through(b, d, s, sy, linksim.Link{BitsPerSecond: 64000, Latency: 300 * time.Millisecond, ResetEvery: 200 << 10})
		slow.Client.Timeout = 2 * time.Minute
		b.StartTimer()
		start := time.Now()
		var sent int64
		for i := 0; i < 100; i++ {
			rep, err := slow.Round(context.Background())
			sent += rep.Bytes + rep.PhotoBytes
			if err == nil && rep.Queued == 0 {
				break
			}
		}
		took := time.Since(start)
		if d.count() != 500 {
			b.Fatalf("the server has %d records", d.count())
		}
		ideal := time.Duration(float64(sent*8) / 64000 * float64(time.Second))
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(took.Seconds()/ideal.Seconds(), "×ideal")
		b.ReportMetric(float64(p.Resets.Load()), "resets")
	}
}

// BenchmarkIngest: records the server stores per second on loopback, from 20 clients
// pushing at once (target ≥ 2 000/s). The batches are built and compressed beforehand,
// as 20 laptops would have them: the figure is the server's — TLS, decompression,
// verifying every chain, storing.
func BenchmarkIngest(b *testing.B) {
	const clients, each = 20, 50
	for b.Loop() {
		b.StopTimer()
		d := newDistrict(b)
		var bodies [][]byte
		var tokens []string
		for i := 0; i < clients; i++ {
			s := laptopOf(b, each+10, each, "E001")
			sy := enrolled(b, d, s, d.enrol("E001", "李晓梅", "enumerator", "*"))
			items, err := s.Outbox(0)
			if err != nil {
				b.Fatal(err)
			}
			var req PushRequest
			for _, it := range items {
				cs, _ := s.Case(it.Record.CaseID)
				req.Items = append(req.Items, PushItem{Seq: it.Seq, Revision: localstore.Revision{Record: it.Record, Audit: localstore.Unlinked(it.Audit)},
					Case: Case{Subject: it.Record.Subject, Village: cs.Row.Village}})
			}
			body, err := gzipJSON(req)
			if err != nil {
				b.Fatal(err)
			}
			bodies = append(bodies, body)
			tokens = append(tokens, sy.Client.Token)
		}
		c, _ := NewClient(d.srv.URL, "", d.pin, "")
		b.StartTimer()
		start := time.Now()
		done := make(chan error, clients)
		for i := range bodies {
			go func() {
				cl := *c
				cl.Token = tokens[i]
				var resp PushResponse
				_, err := cl.do(context.Background(), "POST", "/v1/push", bodies[i], true, nil, &resp)
				done <- err
			}()
		}
		for range bodies {
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(start)
		if d.count() != clients*each {
			b.Fatalf("stored %d", d.count())
		}
		b.ReportMetric(float64(clients*each)/took.Seconds(), "records/s")
	}
}
