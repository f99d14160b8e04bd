package server_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/boltstore"
)

// attacked is a handler on a fresh store, its log in buf, and a leader's token.
func attacked(t *testing.T) (*server.Handler, *bytes.Buffer, string) {
	t.Helper()
	st, err := boltstore.Open(t.TempDir(), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	att, err := attachments.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	h := &server.Handler{Store: st, Attachments: att, Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	code, err := st.AddEnrolment(context.Background(), protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"新华社区"}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := st.Enroll(context.Background(), code, "laptop", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return h, &buf, tok
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

func serve(h http.Handler, method, path, tok string, body io.Reader, gzipped bool) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, body)
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	if gzipped {
		r.Header.Set("Content-Encoding", "gzip")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestEnrolGzipBombIsRefusedSmall: a few KB of gzip that would open into 16 MB is
// refused as too large once it passes an enrolment's size, not read whole.
func TestEnrolGzipBombIsRefusedSmall(t *testing.T) {
	h, _, _ := attacked(t)
	bomb := gz(append([]byte(`{"code":"x","device":"`), bytes.Repeat([]byte("A"), 16<<20)...))
	if w := serve(h, http.MethodPost, "/v1/enroll", "", bytes.NewReader(bomb), true); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a gzip bomb: %d %s", w.Code, w.Body)
	}
}

// TestLogsEchoLittle: a long device name is refused, and neither it nor a refused
// code's name reaches the log whole or with its escape sequences.
func TestLogsEchoLittle(t *testing.T) {
	h, buf, _ := attacked(t)
	long := strings.Repeat("名", 2000)
	body, _ := json.Marshal(protocol.EnrollRequest{Code: "wrong", Device: long})
	if w := serve(h, http.MethodPost, "/v1/enroll", "", bytes.NewReader(body), false); w.Code != http.StatusBadRequest {
		t.Errorf("a 6 KB device name: %d %s", w.Code, w.Body)
	}
	body, _ = json.Marshal(protocol.EnrollRequest{Code: "wrong", Device: "evil\x1b]52;c;cm0gLXJmIH4=\x07" + strings.Repeat("x", 400)})
	if w := serve(h, http.MethodPost, "/v1/enroll", "", bytes.NewReader(body), false); w.Code != http.StatusForbidden {
		t.Errorf("a wrong code: %d %s", w.Code, w.Body)
	}
	for line := range strings.Lines(buf.String()) {
		if len(line) > 400 {
			t.Errorf("a log line of %d bytes: %.120s…", len(line), line)
		}
		if strings.Contains(line, `\u001b`) || strings.Contains(line, "]52;") {
			t.Errorf("the log echoes an escape sequence: %.200s", line)
		}
	}
}

// TestPushOfMillionsOfEmptyItems: 4 million `{}` items (a few KB of gzip) are refused
// after MaxItems, without decoding the rest.
func TestPushOfMillionsOfEmptyItems(t *testing.T) {
	h, _, tok := attacked(t)
	var raw bytes.Buffer
	raw.WriteString(`{"items":[{}`)
	raw.Write(bytes.Repeat([]byte(",{}"), 4_000_000))
	raw.WriteString(`]}`)
	start := time.Now()
	w := serve(h, http.MethodPost, "/v1/push", tok, bytes.NewReader(gz(raw.Bytes())), true)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("4 million items: %d %.200s", w.Code, w.Body)
	}
	t.Logf("refused in %v", time.Since(start))
}

// TestPushFieldTooLong: a record whose case name is past MaxField is refused alone,
// with its reason; a small one in the same batch is judged as ever.
func TestPushFieldTooLong(t *testing.T) {
	h, _, tok := attacked(t)
	var req protocol.PushRequest
	req.Items = append(req.Items, protocol.PushItem{Seq: 1, Case: protocol.Case{Name: strings.Repeat("名", 1000), Village: "新华社区"}})
	req.Items[0].Revision.Record.ID = "r1"
	req.Items = append(req.Items, protocol.PushItem{Seq: 2})
	req.Items[1].Revision.Record.ID = "r2"
	body, _ := json.Marshal(req)
	w := serve(h, http.MethodPost, "/v1/push", tok, bytes.NewReader(gz(body)), true)
	var resp protocol.PushResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	found := false
	for _, r := range resp.Results {
		if r.Seq == 1 {
			found = true
			if r.Result != protocol.Rejected || !strings.Contains(r.Reason, "case name") {
				t.Errorf("a 3 KB name: %+v", r)
			}
		}
	}
	if !found || len(resp.Results) != 2 {
		t.Errorf("results: %+v", resp.Results)
	}
}

// TestEnrolmentsAtOnceAreCapped: the endpoint anyone may call holds MaxEnrolling
// requests at once; the next is told to come back, not queued.
//
// The test waits for the limiter's own count of places held, not for a probe request
// to be refused: a probe holds a place while it runs, so one of the held requests
// arriving meanwhile was the one refused, and the house never filled (it failed so
// under load, 403 for 5 s).
func TestEnrolmentsAtOnceAreCapped(t *testing.T) {
	h, _, _ := attacked(t)
	var writers []*io.PipeWriter
	done := make(chan int, server.MaxEnrolling)
	for range server.MaxEnrolling {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		go func() { done <- serve(h, http.MethodPost, "/v1/enroll", "", pr, false).Code }()
	}
	// A held place is a request reading its body, which none has yet.
	for h.EnrolmentsInFlight() < server.MaxEnrolling {
		select {
		case c := <-done:
			t.Fatalf("an enrolment ended %d before its body was sent", c)
		case <-time.After(time.Millisecond):
		}
	}
	w := serve(h, http.MethodPost, "/v1/enroll", "", strings.NewReader(`{"code":"x","device":"y"}`), false)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("with %d enrolments in flight, one more: %d, Retry-After %q", server.MaxEnrolling, w.Code, w.Header().Get("Retry-After"))
	}
	for _, pw := range writers {
		pw.Write([]byte(`{"code":"x","device":"y"}`))
		pw.Close()
	}
	for range server.MaxEnrolling {
		if c := <-done; c != http.StatusForbidden {
			t.Errorf("a held enrolment ended %d", c)
		}
	}
	if w := serve(h, http.MethodPost, "/v1/enroll", "", strings.NewReader(`{"code":"x","device":"y"}`), false); w.Code != http.StatusForbidden {
		t.Errorf("after: %d", w.Code)
	}
}

// TestSlowBodyIsClosed: a connection that sends headers and then a body a trickle at a
// time is closed after bodyIdle, over the server cmd/doorstep-server runs.
func TestSlowBodyIsClosed(t *testing.T) {
	defer server.SetBodyIdle(300 * time.Millisecond)()
	h, _, _ := attacked(t)
	srv := httptest.NewUnstartedServer(h)
	real := server.NewHTTPServer(h, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.Config = real
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"code\":")
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		resp.Body.Close()
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a stalled body held the connection %v", took)
	}
	_ = net.ErrClosed
}

// TestTLS10Refused: the server's TLS setup takes no client below TLS 1.2.
func TestTLS10Refused(t *testing.T) {
	dir := t.TempDir()
	cert, key, err := server.EnsureDevCert(dir, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := server.LoadServerTLS(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v})
		if err == nil {
			c.Close()
			t.Errorf("TLS %x accepted", v)
		}
	}
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Errorf("TLS 1.2: %v", err)
	} else {
		c.Close()
	}
}

// TestEnrolSigningKeyChecked: a signing key that is not an Ed25519 public key is
// refused before the code is spent, so the laptop can enrol again with the same code.
func TestEnrolSigningKeyChecked(t *testing.T) {
	st, err := boltstore.Open(t.TempDir(), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &server.Handler{Store: st, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	code, err := st.AddEnrolment(context.Background(), protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"新华社区"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short")), base64.StdEncoding.EncodeToString(make([]byte, 64))} {
		body, _ := json.Marshal(protocol.EnrollRequest{Code: code, Device: "laptop", SigningKey: key})
		if w := serve(h, http.MethodPost, "/v1/enroll", "", bytes.NewReader(body), false); w.Code != http.StatusBadRequest {
			t.Errorf("signing key %q: %d %s", key, w.Code, w.Body)
		}
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	body, _ := json.Marshal(protocol.EnrollRequest{Code: code, Device: "laptop", SigningKey: base64.StdEncoding.EncodeToString(pub)})
	if w := serve(h, http.MethodPost, "/v1/enroll", "", bytes.NewReader(body), false); w.Code != http.StatusOK {
		t.Errorf("a good key after refused ones: %d %s", w.Code, w.Body)
	}
}
