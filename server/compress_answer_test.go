package server_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// A pull's answer goes out gzip'd to a client that asks (Go's own client always does),
// plain to one that does not; both are the same JSON.
func TestPullAnswerGzipped(t *testing.T) {
	d := storetest.NewDistrict(t, boltBackend, nil)
	s := storetest.Laptop(t, 3, "E001")
	sy := storetest.Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	if rep := storetest.Round(t, sy); rep.Pushed != 3 {
		t.Fatalf("round: %+v", rep)
	}
	pull := func(accept string) (*httptest.ResponseRecorder, protocol.PullResponse) {
		r := httptest.NewRequest(http.MethodGet, "/v1/pull?cursor=0", nil)
		r.Header.Set("Authorization", "Bearer "+sy.Client.Token)
		if accept != "" {
			r.Header.Set("Accept-Encoding", accept)
		}
		w := httptest.NewRecorder()
		d.Handler.ServeHTTP(w, r)
		var body io.Reader = w.Body
		if w.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatalf("gzip'd answer: %v", err)
			}
			body = zr
		}
		var resp protocol.PullResponse
		if err := json.NewDecoder(body).Decode(&resp); err != nil {
			t.Fatalf("answer (%s): %v", accept, err)
		}
		return w, resp
	}
	zw, zresp := pull("gzip")
	if w := zw.Header(); w.Get("Content-Encoding") != "gzip" || w.Get("Vary") != "Accept-Encoding" {
		t.Errorf("asked for gzip: Content-Encoding %q, Vary %q", w.Get("Content-Encoding"), w.Get("Vary"))
	}
	pw, presp := pull("")
	if pw.Header().Get("Content-Encoding") != "" {
		t.Errorf("not asked, still %q", pw.Header().Get("Content-Encoding"))
	}
	if zresp.Cursor != presp.Cursor || len(zresp.Roster) != len(presp.Roster) || len(zresp.Revisions) != len(presp.Revisions) {
		t.Errorf("gzip'd and plain answers differ: %d/%d roster, %d/%d revisions, cursor %d/%d",
			len(zresp.Roster), len(presp.Roster), len(zresp.Revisions), len(presp.Revisions), zresp.Cursor, presp.Cursor)
	}
}
