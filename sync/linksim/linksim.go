// Package linksim is a bad network in a box, for tests and benchmarks: a TCP proxy in
// the same process that limits bandwidth, adds latency, resets a connection after a
// number of bytes, or swallows everything (a black hole). It needs no root and no
// netem, so the sync tests run the same on any machine and in CI.
package linksim

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Link is how bad the network is. The zero Link is a perfect one.
type Link struct {
	// BitsPerSecond limits each direction of each connection (0: unlimited).
	BitsPerSecond int
	// Latency delays each chunk in each direction.
	Latency time.Duration
	// ResetEvery closes a connection after this many bytes have crossed it, both ways
	// counted (0: never).
	ResetEvery int64
	// BlackHole accepts connections and forwards nothing, as a link that has gone
	// silent does.
	BlackHole bool
}

// Proxy forwards connections from its own address to a target through a Link.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	link   Link
	conns  map[net.Conn]bool
	// Bytes counts what crossed the proxy, both ways; Up what went from the client to
	// the target, Down what came back; the chunk a reset cut counts, as it took its
	// airtime.
	Bytes    atomic.Int64
	Up, Down atomic.Int64
	Resets   atomic.Int64
	closed   atomic.Bool
}

// Start listens on a free loopback port and forwards to target.
func Start(target string, link Link) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, link: link, conns: map[net.Conn]bool{}}
	go p.accept()
	return p, nil
}

// Addr is the proxy's address, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetLink changes the link for new chunks.
func (p *Proxy) SetLink(l Link) {
	p.mu.Lock()
	p.link = l
	p.mu.Unlock()
}

func (p *Proxy) current() Link {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.link
}

// Close stops the proxy and drops every connection.
func (p *Proxy) Close() error {
	p.closed.Store(true)
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	return err
}

func (p *Proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(in)
	}
}

func (p *Proxy) serve(in net.Conn) {
	p.track(in, true)
	defer p.track(in, false)
	defer in.Close()
	if p.current().BlackHole {
		io.Copy(io.Discard, in)
		return
	}
	out, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.track(out, true)
	defer p.track(out, false)
	defer out.Close()
	var crossed atomic.Int64
	done := make(chan struct{}, 2)
	reset := func() {
		p.Resets.Add(1)
		if tc, ok := in.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, not a polite close
		}
		in.Close()
		out.Close()
	}
	// Each direction is a reader that stamps chunks with when they may arrive (the
	// latency, a delay in the pipe, not per chunk) and a writer that lets them out no
	// faster than the bandwidth.
	type chunk struct {
		data []byte
		due  time.Time
	}
	pipe := func(dst, src net.Conn, dir *atomic.Int64) {
		defer func() { done <- struct{}{} }()
		q := make(chan chunk, 4096)
		go func() {
			defer close(q)
			buf := make([]byte, 4096)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					q <- chunk{append([]byte(nil), buf[:n]...), time.Now().Add(p.current().Latency)}
				}
				if err != nil {
					return
				}
			}
		}()
		for c := range q {
			link := p.current()
			if link.BlackHole {
				continue
			}
			if wait := time.Until(c.due); wait > 0 {
				time.Sleep(wait)
			}
			if link.BitsPerSecond > 0 {
				time.Sleep(time.Duration(int64(len(c.data)) * 8 * int64(time.Second) / int64(link.BitsPerSecond)))
			}
			total := crossed.Add(int64(len(c.data)))
			p.Bytes.Add(int64(len(c.data)))
			dir.Add(int64(len(c.data)))
			if link.ResetEvery > 0 && total > link.ResetEvery {
				reset()
				for range q {
				}
				return
			}
			if _, err := dst.Write(c.data); err != nil {
				for range q {
				}
				return
			}
		}
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}
	go pipe(out, in, &p.Up)
	go pipe(in, out, &p.Down)
	<-done
	<-done
}
