package linksim

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// echo is a server that sends back what it gets.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr string, data []byte) ([]byte, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	go func() { c.Write(data); c.(*net.TCPConn).CloseWrite() }()
	return io.ReadAll(c)
}

func TestLinks(t *testing.T) {
	target := echo(t)
	data := bytes.Repeat([]byte("户籍地址"), 3000) // 36 000 bytes
	tests := []struct {
		name   string
		link   Link
		whole  bool // the data comes back whole
		resets int64
	}{
		{"a perfect link", Link{}, true, 0},
		{"latency and bandwidth", Link{Latency: 20 * time.Millisecond, BitsPerSecond: 8 << 20}, true, 0},
		{"a reset after 10 000 bytes", Link{ResetEvery: 10000}, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start(target, tt.link)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			got, _ := roundTrip(p.Addr(), data)
			if bytes.Equal(got, data) != tt.whole {
				t.Errorf("%d of %d bytes back", len(got), len(data))
			}
			if p.Resets.Load() < tt.resets || tt.resets == 0 && p.Resets.Load() != 0 {
				t.Errorf("%d resets", p.Resets.Load())
			}
			if tt.whole && p.Bytes.Load() != int64(2*len(data)) {
				t.Errorf("counted %d bytes", p.Bytes.Load())
			}
		})
	}
}

func TestBlackHole(t *testing.T) {
	p, err := Start(echo(t), Link{BlackHole: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(make([]byte, 10)); n != 0 || err == nil {
		t.Errorf("a black hole answered: %d %v", n, err)
	}
}
