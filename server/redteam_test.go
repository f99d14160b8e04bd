package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
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
