// Package metrics counts what the district server does, in Prometheus' text format:
// records received (by result), records refused (by reason code), request
// latency (by endpoint) and the laptops active in the last quarter hour. It wraps a
// store.Store and the API handler, so neither knows it is counted; its page is served
// on the admin side only, never on the laptops' port.
//
// It must never put a user, a record or free text in a label: labels are a fixed set.
package metrics

import (
	"context"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

// ActiveWindow is how recently a laptop must have been seen to count as active.
const ActiveWindow = 15 * time.Minute

// Metrics holds the server's counters.
type Metrics struct {
	reg      *prometheus.Registry
	received *prometheus.CounterVec
	refused  *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	now      func() time.Time

	mu   gosync.Mutex
	seen map[string]time.Time // user/device → last request
}

// New makes the counters, with the Go runtime's and the process's beside them.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "doorstep_records_received_total",
			Help: "Record revisions pushed by laptops, by what the server did with them."}, []string{"result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "doorstep_records_refused_total",
			Help: "Record revisions refused, by reason."}, []string{"reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "doorstep_request_duration_seconds",
			Help: "Time to answer a laptop's request, by endpoint.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)},
			[]string{"endpoint", "code"}),
		now:  time.Now,
		seen: map[string]time.Time{},
	}
	active := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "doorstep_active_laptops",
		Help: "Laptops that made a request in the last 15 minutes."}, func() float64 { return float64(m.Active()) })
	m.reg.MustRegister(m.received, m.refused, m.latency, active,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{protocol.Stored, protocol.Duplicate, protocol.Stale, protocol.Rejected} {
		m.received.WithLabelValues(r)
	}
	for _, code := range protocol.ReasonCodes {
		m.refused.WithLabelValues(code)
	}
	m.refused.WithLabelValues("other")
	return m
}

// Handler serves the metrics page (for the admin side).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Active is how many laptops made a request within ActiveWindow.
func (m *Metrics) Active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	cut := m.now().Add(-ActiveWindow)
	n := 0
	for k, at := range m.seen {
		if at.Before(cut) {
			delete(m.seen, k) // forgotten: the map stays the size of the active fleet
			continue
		}
		n++
	}
	return n
}

// Reason is the label of a refusal: its code (protocol.ReasonCodes), else "other" —
// never the free text, which names users and records.
func Reason(res protocol.PushResult) string {
	if slices.Contains(protocol.ReasonCodes, res.Code) {
		return res.Code
	}
	return "other"
}

// Store counts what passes through s.
func (m *Metrics) Store(s store.Store) store.Store { return &counted{Store: s, m: m} }

type counted struct {
	store.Store
	m *Metrics
}

func (c *counted) Authenticate(ctx context.Context, tok string) (store.Caller, error) {
	caller, err := c.Store.Authenticate(ctx, tok)
	if err == nil {
		c.m.mu.Lock()
		c.m.seen[caller.User.Code+"\x00"+caller.Device] = c.m.now()
		c.m.mu.Unlock()
	}
	return caller, err
}

func (c *counted) PutBatch(ctx context.Context, from store.Caller, items []store.Arrival) ([]protocol.PushResult, error) {
	res, err := c.Store.PutBatch(ctx, from, items)
	for _, r := range res {
		c.m.received.WithLabelValues(r.Result).Inc()
		if r.Result == protocol.Rejected {
			c.m.refused.WithLabelValues(Reason(r)).Inc()
		}
	}
	return res, err
}

// Unwrap is the store counted, for what needs more than store.Store (a health check).
func (c *counted) Unwrap() store.Store { return c.Store }

// Middleware times each request of h by endpoint (a fixed set: never the path of an
// attachment, which names a hash).
func (m *Metrics) Middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := m.now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		m.latency.WithLabelValues(endpoint(r.URL.Path), codeClass(sw.code)).Observe(m.now().Sub(start).Seconds())
	})
}

func endpoint(path string) string {
	switch {
	case path == "/v1/push", path == "/v1/pull", path == "/v1/enroll", path == "/healthz":
		return path
	case strings.HasPrefix(path, "/v1/attachments/"):
		return "/v1/attachments"
	}
	return "other"
}

func codeClass(code int) string {
	return string(rune('0'+code/100)) + "xx"
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (a hijack, a flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
