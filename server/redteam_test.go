package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server"
)

// echoingItem is a record whose refusal would repeat what it carries: answers under
// long names the chain never wrote, each one named in the reason.
func echoingItem(seq uint64, bytesOf int) protocol.PushItem {
	r := record.Record{ID: fmt.Sprintf("r%d", seq), Subject: "S1", Status: record.StatusCompleted, Enumerator: "E001",
		AuditLen: 1, Answers: map[string]json.RawMessage{}}
	for i := 0; i < bytesOf/4096; i++ {
		r.Answers[fmt.Sprintf("%04d", i)+strings.Repeat("q", 4092)] = json.RawMessage(`1`)
	}
	audit := []record.AuditEntry{{Seq: 1, User: "E001", Action: "create"}}
	return protocol.PushItem{Seq: seq, Revision: record.Revision{Record: r, Audit: audit},
		Case: protocol.Case{Subject: "S1", Village: "新华社区"}}
}

// TestRefusalsDoNotEchoTheRecord: a refusal's words are the server's, of bounded
// size, whatever the record carries — before, a record's invented answer names came
// back whole in its reason, so 16 MB of them (a few KB of gzip) made 16 MB of results,
// sent back and kept in the push ledger for 10 minutes, per device.
func TestRefusalsDoNotEchoTheRecord(t *testing.T) {
	h, _, tok := attacked(t)
	var req protocol.PushRequest
	for i := range 8 {
		req.Items = append(req.Items, echoingItem(uint64(i+1), 1<<20))
	}
	body, _ := json.Marshal(req)
	const id = "aaaabbbbccccddddaaaabbbbccccdddd"
	r := httptest.NewRequest(http.MethodPost, "/v1/push", bytes.NewReader(gz(body)))
	r.Header.Set("Authorization", "Bearer "+tok)
	r.Header.Set("Content-Encoding", "gzip")
	r.Header.Set(protocol.PushID, id)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("%d %.200s", w.Code, w.Body)
	}
	if n := w.Body.Len(); n > 64<<10 {
		t.Errorf("8 refusals took %d KB to say", n>>10)
	}
	w = serve(h, http.MethodGet, "/v1/push/"+id, tok, nil, false)
	var resp protocol.PushResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || len(resp.Results) != 8 {
		t.Fatalf("the ledger's answer: %d %.200s", w.Code, w.Body)
	}
	for _, res := range resp.Results {
		size := len(res.Reason) + len(res.RecordID)
		for _, a := range res.Args {
			size += len(a)
		}
		if res.Result != protocol.Rejected || size > 2<<10 {
			t.Errorf("result %d: %s %s, %d bytes of words kept", res.Seq, res.Result, res.Code, size)
		}
	}
}

// held is a request of tok that sends part of its body and then holds the connection
// open, as a slow or hostile link does; its answer's code arrives on the channel once
// the body ends (release) or the handler answers without it.
func held(t *testing.T, h http.Handler, method, path, tok, pushID string) (codes <-chan int, release func()) {
	t.Helper()
	pr, pw := io.Pipe()
	r := httptest.NewRequest(method, path, pr)
	r.Header.Set("Authorization", "Bearer "+tok)
	if pushID != "" {
		r.Header.Set(protocol.PushID, pushID)
	}
	ch := make(chan int, 1)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		pr.CloseWithError(io.ErrClosedPipe)
		ch <- w.Code
	}()
	go pw.Write([]byte(`{"items":[`))
	var once gosync.Once
	release = func() { once.Do(func() { pw.CloseWithError(io.ErrUnexpectedEOF) }) }
	t.Cleanup(release)
	return ch, release
}

// TestOneDeviceHoldsFewPlaces: one device token holding slow pushes, and asking again
// and again about one still arriving, takes a push and a place in line, and one
// question's place — not every push place (MaxPushing) and every waiting question's,
// which left another laptop's push waiting for ever and its question answered
// "unknown", so that it sent its batch again.
func TestOneDeviceHoldsFewPlaces(t *testing.T) {
	h, _, tok := attacked(t)
	tok2 := enrolAnother(t, h, "E002")
	t.Cleanup(h.Wait) // after the held bodies are released (cleanups run last first)
	const idA = "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
	var more []<-chan int
	for range server.MaxPushing + 5 {
		ch, _ := held(t, h, http.MethodPost, "/v1/push", tok, idA)
		more = append(more, ch)
	}
	// The refused are answered at once; the others hold on. Wait for the refusals,
	// not for a time: on a loaded machine each request takes its while.
	answered := make(chan int, len(more))
	for _, ch := range more {
		go func() { answered <- <-ch }()
	}
	busyN := 0
	deadline := time.After(20 * time.Second)
wait:
	for busyN < len(more)-2 {
		select {
		case c := <-answered:
			if c != http.StatusServiceUnavailable {
				break wait
			}
			busyN++
		case <-deadline:
			break wait
		}
	}
	if busyN < len(more)-2 {
		t.Errorf("a device sent %d pushes it held open: %d told to come back, want at least %d", len(more), busyN, len(more)-2)
	}
	for range 40 {
		go serve(h, http.MethodGet, "/v1/push/"+idA, tok, nil, false)
	}

	// Another laptop's push gets a place and its answer, and its question about a
	// push still arriving waits for it.
	const idB = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
	pushB, releaseB := held(t, h, http.MethodPost, "/v1/push", tok2, idB)
	asked := make(chan int, 1)
	time.Sleep(100 * time.Millisecond)
	go func() { asked <- serve(h, http.MethodGet, "/v1/push/"+idB, tok2, nil, false).Code }()
	select {
	case c := <-asked:
		t.Fatalf("another laptop's question about its push still arriving: answered %d at once", c)
	case c := <-pushB:
		t.Fatalf("another laptop's push: %d before its body ended", c)
	case <-time.After(300 * time.Millisecond):
	}
	releaseB()
	select {
	case c := <-asked:
		if c != http.StatusOK {
			t.Errorf("another laptop's question, once its push ended: %d", c)
		}
	case <-time.After(5 * time.Second):
		t.Error("another laptop's push never got a place")
	}
}

// enrolAnother enrols an enumerator of 新华社区 on the handler's store and is their token.
func enrolAnother(t *testing.T, h *server.Handler, code string) string {
	t.Helper()
	code, err := h.Store.AddEnrolment(context.Background(), protocol.User{Code: code, Name: "王伟", Role: "enumerator", Villages: []string{"新华社区"}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := h.Store.Enroll(context.Background(), code, "laptop", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestCutBodyStoresNoMoreThanAWholeOne: a named push that would be refused whole (more
// than MaxItems records) is refused whole when its link drops in the record past the
// cap too — a body cut short keeps what arrived only of a batch the server would have
// taken, never a prefix of one it refuses.
func TestCutBodyStoresNoMoreThanAWholeOne(t *testing.T) {
	h, _, tok := attacked(t)
	var raw bytes.Buffer
	raw.WriteString(`{"items":[{}`)
	raw.Write(bytes.Repeat([]byte(`,{}`), server.MaxItems-1))
	raw.WriteString(`,{"seq":`) // the link drops in the record past the cap
	const id = "cccccccccccccccccccccccccccccccc"
	r := httptest.NewRequest(http.MethodPost, "/v1/push", io.MultiReader(bytes.NewReader(raw.Bytes()), dropped{}))
	r.Header.Set("Authorization", "Bearer "+tok)
	r.Header.Set(protocol.PushID, id)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a batch past the cap, cut: %d %.200s", w.Code, w.Body)
	}
	w = serve(h, http.MethodGet, "/v1/push/"+id, tok, nil, false)
	var resp protocol.PushResponse
	json.Unmarshal(w.Body.Bytes(), &resp)
	if len(resp.Results) != 0 {
		t.Errorf("the push's question answered %d results of a batch refused whole", len(resp.Results))
	}
}

// dropped is a link that drops.
type dropped struct{}

func (dropped) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
