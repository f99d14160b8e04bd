package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/storetest"
)

// cutBody is a gzip'd push of items whose link drops after the first whole ones and
// half of the next: what arrived, then the error a dropped connection gives.
type cutBody struct{ r io.Reader }

func (c *cutBody) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func pushItems(t *testing.T, s *localstore.Session) []protocol.PushItem {
	t.Helper()
	queue, err := s.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	var items []protocol.PushItem
	for _, it := range queue {
		cs, err := s.Case(it.Record.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, protocol.PushItem{Seq: it.Seq, Revision: localstore.Revision{Record: it.Record, Audit: record.Compact(it.Audit)},
			Case: protocol.Case{Subject: cs.Row.Key(), Name: cs.Row.Name, Village: cs.Row.Village}})
	}
	return items
}

// cut is a push of items of which the first whole ones arrive, and half the next.
func cut(t *testing.T, items []protocol.PushItem, whole int) io.Reader {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, `{"items":[`)
	for i, it := range items {
		data, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			io.WriteString(zw, ",")
		}
		if i == whole {
			zw.Write(data[:len(data)/2])
			zw.Flush()
			return &cutBody{bytes.NewReader(b.Bytes())}
		}
		zw.Write(data)
	}
	t.Fatal("nothing to cut")
	return nil
}

func ask(d *storetest.District, tok, id string) (int, protocol.PushResponse) {
	r := httptest.NewRequest(http.MethodGet, "/v1/push/"+id, nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	d.Handler.ServeHTTP(w, r)
	var resp protocol.PushResponse
	json.Unmarshal(w.Body.Bytes(), &resp)
	return w.Code, resp
}

// TestPushCutShortKeepsWhatArrived: a named push whose link drops mid-body keeps the
// records that arrived whole — stored once, as from a whole batch — and the laptop that
// sent it, and only that laptop, learns which by the push's name; the one cut in half
// is not stored. Before, a body cut short was thrown away whole and sent again.
func TestPushCutShortKeepsWhatArrived(t *testing.T) {
	d := storetest.NewDistrict(t, boltBackend, nil)
	s := storetest.Laptop(t, 5, "E001")
	sy := storetest.Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	other := storetest.Enrolled(t, d, storetest.Laptop(t, 0, "L001"), d.Enrol("L001", "张组长", "leader", "*"))
	items := pushItems(t, s)
	const id = "0123456789abcdef0123456789abcdef"

	r := httptest.NewRequest(http.MethodPost, "/v1/push", cut(t, items, 3))
	r.Header.Set("Authorization", "Bearer "+sy.Client.Token)
	r.Header.Set("Content-Encoding", "gzip")
	r.Header.Set(protocol.PushID, id)
	d.Handler.ServeHTTP(httptest.NewRecorder(), r)
	if n := d.Count(); n != 3 {
		t.Errorf("the server stored %d records of a push cut in the 4th, want 3", n)
	}

	code, resp := ask(d, sy.Client.Token, id)
	if code != http.StatusOK || len(resp.Results) != 3 {
		t.Fatalf("asked what it took: %d %+v", code, resp)
	}
	for i, res := range resp.Results {
		if res.Seq != items[i].Seq || res.Result != protocol.Stored || res.ServerID == "" {
			t.Errorf("result %d: %+v, want stored with a receipt, seq %d", i, res, items[i].Seq)
		}
	}
	for _, tt := range []struct {
		name, tok, id string
		want          int
	}{
		{"another laptop's question", other.Client.Token, id, http.StatusNotFound},
		{"a push never made", sy.Client.Token, "fedcba9876543210fedcba9876543210", http.StatusNotFound},
		{"a name that is not a push id", sy.Client.Token, "../../etc", http.StatusBadRequest},
		{"no token", "", id, http.StatusUnauthorized},
	} {
		if code, resp := ask(d, tt.tok, tt.id); code != tt.want {
			t.Errorf("%s: %d %+v, want %d", tt.name, code, resp, tt.want)
		}
	}
}

// TestAskWaitsForThePushStillArriving: the laptop may ask before the server has noticed
// that the link dropped; the question waits for the push to end and answers its
// results, not "unknown".
func TestAskWaitsForThePushStillArriving(t *testing.T) {
	d := storetest.NewDistrict(t, boltBackend, nil)
	s := storetest.Laptop(t, 4, "E001")
	sy := storetest.Enrolled(t, d, s, d.Enrol("E001", "李晓梅", "enumerator", "*"))
	body, err := io.ReadAll(cut(t, pushItems(t, s), 2))
	if err != io.ErrUnexpectedEOF {
		t.Fatal(err)
	}
	const id = "00112233445566778899aabbccddeeff"
	pr, pw := io.Pipe()
	r := httptest.NewRequest(http.MethodPost, "/v1/push", pr)
	r.Header.Set("Authorization", "Bearer "+sy.Client.Token)
	r.Header.Set("Content-Encoding", "gzip")
	r.Header.Set(protocol.PushID, id)
	pushed := make(chan struct{})
	go func() {
		defer close(pushed)
		d.Handler.ServeHTTP(httptest.NewRecorder(), r)
	}()
	pw.Write(body) // the two records arrive; the link then goes quiet
	type answer struct {
		code int
		resp protocol.PushResponse
	}
	asked := make(chan answer, 1)
	go func() {
		code, resp := ask(d, sy.Client.Token, id)
		asked <- answer{code, resp}
	}()
	select {
	case a := <-asked:
		t.Fatalf("answered %d %+v while the push was still arriving", a.code, a.resp)
	case <-time.After(200 * time.Millisecond):
	}
	pw.CloseWithError(io.ErrUnexpectedEOF) // the server notices the drop
	a := <-asked
	<-pushed
	if a.code != http.StatusOK || len(a.resp.Results) != 2 {
		t.Errorf("after the drop: %d %+v, want the 2 records that arrived", a.code, a.resp)
	}
}
