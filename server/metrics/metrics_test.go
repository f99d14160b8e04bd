package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server/store"
)

type fakeStore struct {
	store.Store
	results []protocol.PushResult
}

func (f fakeStore) Authenticate(_ context.Context, tok string) (store.Caller, error) {
	if tok == "bad" {
		return store.Caller{}, store.ErrBadToken
	}
	return store.Caller{User: protocol.User{Code: tok}, Device: "laptop"}, nil
}

func (f fakeStore) PutBatch(context.Context, store.Caller, []store.Arrival) ([]protocol.PushResult, error) {
	return f.results, nil
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestCountsResultsReasonsLatencyAndLaptops(t *testing.T) {
	m := New()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return now }
	s := m.Store(fakeStore{results: []protocol.PushResult{
		{Result: protocol.Stored}, {Result: protocol.Stored}, {Result: protocol.Duplicate},
		{Result: protocol.Rejected, Code: protocol.ReasonConflict, Reason: "the record was changed differently on two laptops"},
		{Result: protocol.Rejected, Code: protocol.ReasonPhotoMissing, Reason: "photo 0123abcd has not been uploaded"},
		{Result: protocol.Rejected, Code: protocol.ReasonWrongVillage, Reason: "V9 is not one of E001's villages"},
		{Result: protocol.Rejected, Code: "E001's secret code", Reason: "E001's secret text"},
	}})
	ctx := context.Background()
	for _, tok := range []string{"E001", "E002", "E001", "bad"} {
		s.Authenticate(ctx, tok)
	}
	s.PutBatch(ctx, store.Caller{}, nil)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now = now.Add(30 * time.Millisecond)
		w.WriteHeader(http.StatusTeapot)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/v1/push", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodHead, "/v1/attachments/"+strings.Repeat("a", 64), nil))

	page := scrape(t, m)
	for _, want := range []string{
		`doorstep_records_received_total{result="stored"} 2`,
		`doorstep_records_received_total{result="duplicate"} 1`,
		`doorstep_records_received_total{result="rejected"} 4`,
		`doorstep_records_refused_total{reason="conflict"} 1`,
		`doorstep_records_refused_total{reason="photo_missing"} 1`,
		`doorstep_records_refused_total{reason="wrong_village"} 1`,
		`doorstep_records_refused_total{reason="other"} 1`,
		`doorstep_request_duration_seconds_count{code="4xx",endpoint="/v1/push"} 1`,
		`doorstep_request_duration_seconds_count{code="4xx",endpoint="/v1/attachments"} 1`,
		`doorstep_active_laptops 2`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "E001") || strings.Contains(page, strings.Repeat("a", 64)) {
		t.Error("a user or a path is in a label")
	}
	now = now.Add(ActiveWindow + time.Minute)
	if !strings.Contains(scrape(t, m), "doorstep_active_laptops 0") {
		t.Error("laptops quiet for longer than the window still count as active")
	}
}
