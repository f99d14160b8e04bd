//go:build linux

package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/server/storetest"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

// BenchmarkUnderAttack runs the real doorstep-server (built, started as its own
// process, over loopback TLS) through the attacks of issue 15 §3, each a bounded
// burst: 160 gzip-bomb enrolments at once (three times), 20 pushes of 4 million `{}`
// items, 20 pushes of one 16 MB record, 1 500 connections that send headers and then
// stall. A real laptop syncs in the middle of them and must succeed. peak-rss-MB is
// the server's VmHWM (target < 300 MB); laptop-ms the laptop's round.
func BenchmarkUnderAttack(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "doorstep-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for range b.N {
		peak, laptop := underAttack(b, bin)
		b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		b.ReportMetric(float64(laptop.Milliseconds()), "laptop-ms")
	}
}

func underAttack(b *testing.B, bin string) (int64, time.Duration) {
	dir := b.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--dev", "--data", dir, "--listen", "127.0.0.1:0")
	cmd.Stderr = io.Discard
	if os.Getenv("ATTACK_LOG") != "" {
		cmd.Stderr = os.Stderr
	}
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var text string
	for !strings.Contains(text, "doorstep enroll") && sc.Scan() {
		text += sc.Text() + "\n"
	}
	go io.Copy(io.Discard, stdout)
	m := regexp.MustCompile(`doorstep enroll (https://\S+) (\S+) --fingerprint (\S+)`).FindStringSubmatch(text)
	if m == nil {
		b.Fatalf("the server said %q", text)
	}
	url, code, pin := m[1], m[2], m[3]
	host := strings.TrimPrefix(url, "https://")

	// The real laptop: E001, two records to push.
	s := storetest.Laptop(b, 2, "E001")
	c, err := dsync.NewClient(url, "", pin, "")
	if err != nil {
		b.Fatal(err)
	}
	req, err := storetest.EnrollRequest(s, code, "real laptop")
	if err != nil {
		b.Fatal(err)
	}
	resp, err := c.EnrollUser(ctx, req)
	if err != nil {
		b.Fatal(err)
	}
	c.Token = resp.Token
	if err := s.SetSyncState(localstore.SyncState{Server: url, Fingerprint: pin, Token: resp.Token, User: resp.User.Code,
		ServerID: resp.ServerID, Epoch: resp.Epoch}); err != nil {
		b.Fatal(err)
	}
	sy := &dsync.Syncer{Session: s, Client: c}

	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, MaxIdleConnsPerHost: 200}, Timeout: time.Minute}
	post := func(path, tok string, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, url+path, bytes.NewReader(body))
		req.Header.Set("Content-Encoding", "gzip")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if r, err := hc.Do(req); err == nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
	}
	gz := func(parts ...[]byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		for _, p := range parts {
			zw.Write(p)
		}
		zw.Close()
		return buf.Bytes()
	}
	bomb := gz([]byte(`{"code":"x","device":"`), bytes.Repeat([]byte("A"), 16<<20), []byte(`"}`))
	empties := gz([]byte(`{"items":[{}`), bytes.Repeat([]byte(",{}"), 4_000_000), []byte(`]}`))
	huge := gz([]byte(`{"items":[{"case":{"name":"`), bytes.Repeat([]byte("名"), 5<<20), []byte(`"}}]}`))
	tok := c.Token // the attacker is an enrolled user too: the laptop's own token

	var wg sync.WaitGroup
	burst := func(n int, f func()) {
		for range n {
			wg.Add(1)
			go func() { defer wg.Done(); f() }()
		}
	}
	// Slow bodies: headers, then nothing.
	var conns []net.Conn
	var cmu sync.Mutex
	burst(1500, func() {
		cn, err := tls.DialWithDialer(&net.Dialer{Timeout: 20 * time.Second}, "tcp", host, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		fmt.Fprintf(cn, "POST /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
		cmu.Lock()
		conns = append(conns, cn)
		cmu.Unlock()
	})
	for range 3 {
		burst(160, func() { post("/v1/enroll", "", bomb) })
	}
	burst(20, func() { post("/v1/push", tok, empties) })
	burst(20, func() { post("/v1/push", tok, huge) })

	time.Sleep(500 * time.Millisecond) // the attacks are under way
	b.Logf("attacks under way; the laptop syncs")
	start := time.Now()
	rep, err := sy.Round(ctx)
	laptop := time.Since(start)
	if err != nil || rep.Pushed != 2 {
		b.Errorf("the real laptop under attack: %+v %v", rep, err)
	}
	b.Logf("laptop: %v %+v %v", laptop, rep, err)
	wg.Wait()
	b.Logf("attacks over")
	cmu.Lock()
	for _, cn := range conns {
		cn.Close()
	}
	cmu.Unlock()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	hwm := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	kb, _ := strconv.ParseInt(string(hwm[1]), 10, 64)
	return kb, laptop
}
