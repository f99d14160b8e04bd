package server_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/server"
)

// realPushes are the JSON of n real pushes of one record each, as laptops send them.
func realPushes(t testing.TB, n int) [][]byte {
	bodies, _ := pushBodies(t, 1, n, 1)
	var out [][]byte
	for _, gz := range bodies[0] {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, plain)
	}
	return out
}

// FuzzReadPush: whatever a body holds, readPush decodes what encoding/json decoded
// (the old decoder, readPushV1) or refuses it; under encoding/json's own rules its
// decoder agrees with encoding/json on every input, error or not, value for value —
// so what readPush refuses that encoding/json took is one of its two tightenings
// (a name twice, text not UTF-8), nothing else. A body that
// fails returns, of both, only items read whole: the new one's start with the old's.
func FuzzReadPush(f *testing.F) {
	for _, p := range realPushes(f, 3) {
		f.Add(p)
	}
	for _, s := range []string{
		`{"items":[]}`, `{"items":[{}]}`, `{"items":[{},{}],"x":1}`, `{"x":[1,{"a":null}],"items":[{"seq":7}]}`,
		`{"items":null}`, `{"items":[null]}`, `{}`, `[]`, `{"items":{}}`, `{"items":[{"seq":1}`, `{"items":[{"seq":1},`,
		`{"items":[{"seq":1}]`, `{"items":[{"seq":1,"seq":2}]}`, `{"items":[{"SEQ":1}]}`, `{"items":[{"case":{"name":"\xff"}}]}`,
		`{"items":[{"revision":{"record":{"answers":{"a":"\xff","b":[1,2]},"created_at":"2026-01-02T03:04:05+08:00"},"audit":[{"sig":"AAEC","new":null,"old":{}}]}}]}`,
		`{"items":[{"revision":{"audit":[{"sig":[1,2]}],"record":{"created_at":null,"signatures":[{"strokes":[[{"X":1,"y":2}]]}]}}}]}`,
		`{"items":[{"seq":-1}]}`, `{"items":[{"seq":1.0}]}`, `{"items":[{"seq":"1"}]}`, `{"items":[{"revision":{"record":{"answers":{"a":1,"a":2}}}}]}`,
		`{"items":[{"case":{"name":"\ud800"}}]}`, `{"items":[{"revision":{"audit":[{"sig":"AA\r\nEC"}]}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		old, oerr := server.ReadPushV1(bytes.NewReader(data))
		compat, cerr := server.ReadPushCompat(bytes.NewReader(data))
		now, nerr := server.ReadPush(bytes.NewReader(data))
		if (oerr == nil) != (cerr == nil) || errors.Is(oerr, server.ErrTooMany) != errors.Is(cerr, server.ErrTooMany) {
			t.Fatalf("encoding/json: %v; the new decoder under its rules: %v", oerr, cerr)
		}
		if !prefixOf(old, compat) {
			t.Fatalf("under encoding/json's rules the new decoder gives\n%+v\nwhere encoding/json gave\n%+v", compat, old)
		}
		if oerr == nil && len(compat) != len(old) {
			t.Fatalf("%d items, encoding/json %d", len(compat), len(old))
		}
		if nerr == nil && (oerr != nil || !reflect.DeepEqual(now, old)) {
			t.Fatalf("readPush took a body encoding/json gave %v for, or gave other values:\n%+v\n%+v", oerr, now, old)
		}
		if !prefixOf(now, compat) {
			t.Fatalf("readPush gave items the rules do not:\n%+v\n%+v", now, compat)
		}
	})
}

// prefixOf reports whether a's items are b's first ones, value for value.
func prefixOf(a, b []protocol.PushItem) bool {
	return len(a) <= len(b) && reflect.DeepEqual(a, b[:len(a)]) || len(a) == 0
}

// TestReadPush: the limits hold, a body cut short keeps the items that arrived whole,
// and what no laptop sends is refused with a message that says where.
func TestReadPush(t *testing.T) {
	real := realPushes(t, 2)
	one := real[0][len(`{"items":[`) : len(real[0])-len("]}\n")]
	if !bytes.HasPrefix(real[0], []byte(`{"items":[`)) || !bytes.HasSuffix(real[0], []byte("]}\n")) {
		t.Fatalf("a push is not {\"items\":[...]}: %.40s…%q", real[0], real[0][len(real[0])-8:])
	}
	two := `{"items":[` + string(one) + `,` + string(one) + `]}`
	for _, c := range []struct {
		name, body string
		items      int
		err        string // "" for none; else a part of the message
		cut        bool   // the error is a body cut short
	}{
		{"a real push", string(real[1]), 1, "", false},
		{"two items", two, 2, "", false},
		{"other members skipped", `{"v":{"a":[1,2]},"items":[` + string(one) + `],"w":3}`, 1, "", false},
		{"empty", `{"items":[]}`, 0, "", false},
		{"cut in the second item", two[:len(two)-200], 1, "unexpected EOF", true},
		{"cut between items", two[:len(`{"items":[`)+len(one)+1], 1, "unexpected EOF", true},
		{"cut before the close", two[:len(two)-1], 2, "unexpected EOF", true},
		{"cut in the first", two[:100], 0, "unexpected EOF", true},
		{"not an object", `[{"seq":1}]`, 0, `a push is {"items": [...]}`, false},
		{"items not an array", `{"items":{"seq":1}}`, 0, `a push is {"items": [...]}`, false},
		{"a name twice", `{"items":[{"seq":1,"seq":2}]}`, 0, `duplicate object member name "seq"`, false},
		{"items twice", `{"items":[],"items":[]}`, 0, `duplicate object member name "items"`, false},
		{"not UTF-8", "{\"items\":[{\"case\":{\"name\":\"\xff\"}}]}", 0, "invalid UTF-8", false},
		{"a number for text", `{"items":[{"case":{"name":1}}]}`, 0, "push item 1", false},
		{"garbage", `{"items":[{"seq":1}x]}`, 1, "invalid character 'x'", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			items, err := server.ReadPush(strings.NewReader(c.body))
			if len(items) != c.items {
				t.Errorf("%d items, want %d (%v)", len(items), c.items, err)
			}
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Errorf("error %v, want one saying %q", err, c.err)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != c.cut {
				t.Errorf("cut short: %v, want %v (%v)", got, c.cut, err)
			}
		})
	}
	t.Run("names in other case", func(t *testing.T) {
		items, err := server.ReadPush(strings.NewReader(`{"items":[{"SEQ":1}]}`))
		if err != nil || len(items) != 1 || items[0].Seq != 1 {
			t.Errorf("SEQ is seq, as for encoding/json: %+v %v", items, err)
		}
	})
	t.Run("more than MaxItems", func(t *testing.T) {
		body := `{"items":[{}` + strings.Repeat(`,{}`, server.MaxItems) + `]}`
		if items, err := server.ReadPush(strings.NewReader(body)); !errors.Is(err, server.ErrTooMany) || items != nil {
			t.Errorf("%d items, %v", len(items), err)
		}
	})
	t.Run("an item past maxItemBytes", func(t *testing.T) {
		body := `{"items":[{},{"case":{"name":"` + strings.Repeat("x", 6<<20) + `"}}]}`
		if items, err := server.ReadPush(strings.NewReader(body)); !errors.Is(err, server.ErrTooLarge) || len(items) != 1 {
			t.Errorf("%d items, %v", len(items), err)
		}
	})
	t.Run("a member past maxItemBytes", func(t *testing.T) {
		body := `{"x":"` + strings.Repeat("x", 6<<20) + `","items":[]}`
		if _, err := server.ReadPush(strings.NewReader(body)); !errors.Is(err, server.ErrTooLarge) {
			t.Errorf("%v", err)
		}
	})
	t.Run("a link that drops", func(t *testing.T) {
		items, err := server.ReadPush(io.MultiReader(strings.NewReader(two[:len(two)-100]), dropped{}))
		if len(items) != 1 || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%d items, %v", len(items), err)
		}
	})
}

// BenchmarkDecodePush: a push of 25 real records (BenchmarkIngest's batch) decoded
// from its gzip'd request, as the handler does; v1 is how it was decoded before
// (compress/gzip, encoding/json).
func BenchmarkDecodePush(b *testing.B) {
	bodies, _ := pushBodies(b, 1, 25, 25)
	gz := bodies[0][0]
	for _, c := range []struct {
		name   string
		decode func(http.ResponseWriter, *http.Request) ([]protocol.PushItem, error)
	}{{"v1", server.DecodePushV1}, {"now", server.DecodePush}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/v1/push", bytes.NewReader(gz))
				r.Header.Set("Content-Encoding", "gzip")
				items, err := c.decode(httptest.NewRecorder(), r)
				if err != nil || len(items) != 25 {
					b.Fatal(len(items), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*25), "ns/record")
		})
	}
}
