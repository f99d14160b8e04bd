package server

import (
	"compress/gzip"
	"net/http"
	"strings"
	gosync "sync"
)

// The answers to a push, a pull and the forms request are JSON that compresses about
// tenfold; on a 64 kbit/s village link they were some 9 s of a 500-record round sent
// plain. Go's client asks for gzip by itself and undoes it transparently, so a laptop
// needs no change; any other client gets plain JSON unless it asks.

// gzipPool keeps writers: each holds a few hundred KB of state, too much to make per
// answer on a server that small requests must not exhaust.
var gzipPool = gosync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return zw
}}

// gzipAnswer wraps w so that a JSON answer goes out gzip'd when r accepts it. Close
// must be called when the answer is written.
func gzipAnswer(w http.ResponseWriter, r *http.Request) *gzipWriter {
	return &gzipWriter{ResponseWriter: w, accept: acceptsGzip(r.Header.Get("Accept-Encoding"))}
}

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0"
		}
	}
	return false
}

type gzipWriter struct {
	http.ResponseWriter
	accept  bool
	decided bool
	zw      *gzip.Writer
}

func (g *gzipWriter) WriteHeader(code int) {
	if !g.decided {
		g.decided = true
		h := g.Header()
		if g.accept && code != http.StatusNoContent && h.Get("Content-Encoding") == "" &&
			strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			h.Set("Content-Encoding", "gzip")
			h.Add("Vary", "Accept-Encoding")
			h.Del("Content-Length")
			g.zw = gzipPool.Get().(*gzip.Writer)
			g.zw.Reset(g.ResponseWriter)
		}
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		return g.zw.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (read deadlines).
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// Close ends the gzip stream and returns the writer to the pool.
func (g *gzipWriter) Close() error {
	if g.zw == nil {
		return nil
	}
	err := g.zw.Close()
	g.zw.Reset(nil)
	gzipPool.Put(g.zw)
	g.zw = nil
	return err
}
