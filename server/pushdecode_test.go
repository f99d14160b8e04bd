package server_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

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
	// Audit entries, tens a record: names in other case or escaped, nulls, numbers as
	// strings, numbers out of range, bad base64 and times, unknown names, a field given
	// twice under two spellings.
	for _, a := range auditCases {
		f.Add([]byte(`{"items":[{"revision":{"audit":[` + a.entry + `]}}]}`))
	}
	for _, s := range []string{
		`{"items":[{"revision":{"audit":[{"seq":1,"SEQ":2}]}}]}`, `{"items":[{"revision":{"audit":[{"sig":"AAEC","SIG":null}]}}]}`,
		`{"items":[{"revision":{"audit":[null,{"seq":1},1,"x"]}}]}`, `{"items":[{"revision":{"audit":[{"old":1,"old":{"a":[1, 2 ]}}]}}]}`,
		`{"items":[{"revision":{"record":{"created_at":"2026-01-02T03:04:05\u002b08:00","updated_at":null,"signatures":[{"at":1}]}}}]}`,
		`{"items":[{"revision":{"record":{"created_at":"2026-01-02T03:04:05.5+08:00","updated_at":"2026-01-02T03:04:05Z"}}}]}`,
		`{"items":[{"revision":{"audit":[{"user":"\xff","reason":"a\xffb","\xff":1}]}}]}`,
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

// auditCases are audit entries as a push may carry them, and what encoding/json
// decodes each to (its fields, joined by |) or "error".
var auditCases = []struct{ name, entry, want string }{
	{"plain", `{"seq":3,"user":"u1","at":"2026-01-02T03:04:05+08:00","action":"answer","question":"q1","old":null,"new":{"v":"是"},"reason":"r","spent_ms":1500,"prev":"p","hash":"h","sig":"AAEC"}`,
		`3|u1|2026-01-02 03:04:05 +0800 +0800|answer|q1|null|{"v":"是"}|r|1500|p|h|[0 1 2]`},
	{"names in other case", `{"SEQ":3,"User":"u","aT":"2026-01-02T03:04:05Z","ACTION":"a","Spent_MS":7,"SIG":"AA=="}`, `3|u|2026-01-02 03:04:05 +0000 UTC|a|||||7|||[0]`},
	{"kelvin and long s fold", `{"\u017feq":4,"HA\u017fH":"h","\u017fig":""}`, `4||0001-01-01 00:00:00 +0000 UTC||||||0||h|[]`},
	{"escaped names", `{"s\u0065q":5,"\u0075ser":"u"}`, `5|u|0001-01-01 00:00:00 +0000 UTC||||||0|||[]`},
	{"nulls", `{"seq":null,"user":null,"at":null,"action":null,"old":null,"new":null,"spent_ms":null,"sig":null}`, `0||0001-01-01 00:00:00 +0000 UTC|||null|null||0|||[]`},
	{"unknown names", `{"seq":1,"x":{"a":[1,2]},"seqq":2,"spent ms":3,"spentms":4}`, `1||0001-01-01 00:00:00 +0000 UTC||||||0|||[]`},
	{"an escaped time", `{"user":"a\"b","reason":"\u662f\n","at":"2026-01-02T03:04:05\u002b08:00"}`, "error"},
	{"escaped text", `{"user":"a\"b","reason":"\u662f\n"}`, "0|a\"b|0001-01-01 00:00:00 +0000 UTC|||||是\n|0|||[]"},
	{"seq as a string", `{"seq":"1"}`, "error"},
	{"negative seq", `{"seq":-1}`, "error"},
	{"fractional seq", `{"seq":1.5}`, "error"},
	{"seq with an exponent", `{"seq":1e2}`, "error"},
	{"seq out of range", `{"seq":18446744073709551616}`, "error"},
	{"largest seq", `{"seq":18446744073709551615}`, `18446744073709551615||0001-01-01 00:00:00 +0000 UTC||||||0|||[]`},
	{"negative time", `{"spent_ms":-5}`, `0||0001-01-01 00:00:00 +0000 UTC||||||-5|||[]`},
	{"time as a string", `{"spent_ms":"5"}`, "error"},
	{"number for text", `{"user":1}`, "error"},
	{"bad base64", `{"sig":"A"}`, "error"},
	{"base64 unpadded", `{"sig":"AAE"}`, "error"},
	{"signature as numbers", `{"sig":[1,2]}`, `0||0001-01-01 00:00:00 +0000 UTC||||||0|||[1 2]`},
	{"bad time", `{"at":"2026-01-02 03:04:05Z"}`, "error"},
	{"time as a number", `{"at":1}`, "error"},
	{"raw with spaces", `{"old": [ 1 , 2 ] ,"new":"x"}`, `0||0001-01-01 00:00:00 +0000 UTC|||[ 1 , 2 ]|"x"||0|||[]`},
	{"not an object", `1`, "error"},
	{"cut short", `{"seq":1`, "error"},
}

// TestReadPushAudit: an audit entry decodes to what encoding/json makes of it, or
// fails where encoding/json fails.
func TestReadPushAudit(t *testing.T) {
	for _, c := range auditCases {
		t.Run(c.name, func(t *testing.T) {
			body := `{"items":[{"revision":{"audit":[` + c.entry + `]}}]}`
			old, oerr := server.ReadPushV1(strings.NewReader(body))
			items, err := server.ReadPush(strings.NewReader(body))
			got := "error"
			if err == nil {
				if len(items) != 1 || len(items[0].Revision.Audit) != 1 {
					t.Fatalf("%+v", items)
				}
				e := items[0].Revision.Audit[0]
				got = fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%s|%d|%s|%s|%v", e.Seq, e.User, e.At, e.Action, e.Question, e.Old, e.New, e.Reason, e.SpentMS, e.Prev, e.Hash, e.Sig)
			}
			if got != c.want {
				t.Errorf("got  %q (%v)\nwant %q", got, err, c.want)
			}
			if (oerr == nil) != (err == nil) || err == nil && !reflect.DeepEqual(items, old) {
				t.Errorf("encoding/json: %+v %v\nreadPush:      %+v %v", old, oerr, items, err)
			}
		})
	}
	t.Run("an escaped time in the record", func(t *testing.T) {
		// encoding/json does not unescape a time; the reflective decoder did.
		body := `{"items":[{"revision":{"record":{"created_at":"2026-01-02T03:04:05\u002b08:00"}}}]}`
		if _, err := server.ReadPushV1(strings.NewReader(body)); err == nil {
			t.Fatal("encoding/json took it")
		}
		if items, err := server.ReadPush(strings.NewReader(body)); err == nil {
			t.Errorf("readPush took it: %+v", items)
		}
	})
	t.Run("a field twice", func(t *testing.T) {
		// encoding/json took the last; readPush refuses, as for any name given twice.
		_, err := server.ReadPush(strings.NewReader(`{"items":[{"revision":{"audit":[{"seq":1,"SEQ":2}]}}]}`))
		if !errors.Is(err, jsontext.ErrDuplicateName) {
			t.Errorf("%v", err)
		}
		items, err := server.ReadPushCompat(strings.NewReader(`{"items":[{"revision":{"audit":[{"seq":1,"SEQ":2,"sig":"AA==","Sig":null}]}}]}`))
		if err != nil || items[0].Revision.Audit[0].Seq != 2 || items[0].Revision.Audit[0].Sig != nil {
			t.Errorf("under encoding/json's rules the last counts, null sets a signature to none: %+v %v", items, err)
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
