package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer the server writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRoot(&out, &errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// TestDevServerAndAdmin: --dev makes its certificate and prints the fingerprint and an
// enrolment code; while it runs, the office's commands work through its admin socket;
// it shuts down gracefully.
func TestDevServerAndAdmin(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		cmd := newRoot(out, &syncBuffer{})
		cmd.SetArgs([]string{"--dev", "--data", dir, "--listen", "127.0.0.1:0"})
		done <- cmd.ExecuteContext(ctx)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "doorstep enroll") {
		if time.Now().After(deadline) {
			t.Fatalf("the dev server said: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	text := out.String()
	fp := regexp.MustCompile(`fingerprint: ([0-9a-f:]{95})`).FindStringSubmatch(text)
	if fp == nil || !regexp.MustCompile(`doorstep enroll https://127\.0\.0\.1:\d+ [A-Z0-9-]{23} --fingerprint `).MatchString(text) {
		t.Fatalf("no fingerprint or enrolment line:\n%s", text)
	}
	if got, err := run(t, "fingerprint", "--data", dir); err != nil || strings.TrimSpace(got) != fp[1] {
		t.Errorf("fingerprint: %q %v", got, err)
	}
	// While the server holds the file: enrol through the socket; the code alone.
	got, err := run(t, "enroll", "--data", dir, "--user", "E002", "--name", "张伟", "--role", "enumerator", "--villages", "王庄村,李家村")
	if err != nil || !regexp.MustCompile(`^[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\n$`).MatchString(got) {
		t.Errorf("enroll printed %q, %v", got, err)
	}
	got, err = run(t, "records", "list", "--json", "--data", dir)
	var rows []map[string]any
	if err != nil || json.Unmarshal([]byte(got), &rows) != nil || rows == nil || len(rows) != 0 {
		t.Errorf("records list: %q %v", got, err)
	}
	if _, err := run(t, "enroll", "--data", dir, "--user", "X"); err == nil {
		t.Error("an enrolment without name, role and villages was made")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the server did not shut down")
	}
	// Stopped: the commands open the file itself.
	if got, err := run(t, "records", "list", "--data", dir); err != nil || !strings.Contains(got, "RECEIVED") {
		t.Errorf("records list on a stopped server: %q %v", got, err)
	}
}
