package record

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hashJSONCases are entries as laptops write them and entries made to trip the hand
// encoder: every one must hash as json.Marshal's bytes do.
func hashJSONCases() []AuditEntry {
	at := time.Date(2026, 9, 30, 8, 15, 4, 123456789, time.FixedZone("CST", 8*3600))
	return []AuditEntry{
		{Seq: 1, User: "E001", At: at, Action: ActionCreate},
		{Seq: 2, User: "E001", At: at.UTC(), Action: ActionAnswer, Question: "b1", Old: json.RawMessage(`"1"`), New: json.RawMessage(`"2"`), SpentMS: 1500, Prev: "ab12"},
		{Seq: 3, User: "张三", At: at, Action: ActionAnswer, Question: "name", New: json.RawMessage(`"李 晓梅"`), Reason: "读回时更正"},
		{Seq: 4, User: "E<1>", At: at, Action: "a&b"},
		{Seq: 5, User: "E001", At: at, Action: ActionNote, Reason: "line\nbreak\t\"quoted\" \\ back"},
		{Seq: 6, User: "E001", At: at, Action: ActionAnswer, New: json.RawMessage(`{ "a" : [1, 2] }`)},
		{Seq: 7, User: "E001", At: at, Action: ActionAnswer, New: json.RawMessage(`"<b>&"`)},
		{Seq: 8, User: "E001", At: at, Action: ActionAnswer, New: json.RawMessage("\"\u2028\u2029\"")},
		{Seq: 9, User: "bad\xffutf8", At: at, Action: ActionAnswer},
		{Seq: 10, User: "E001", At: at, Action: ActionAnswer, New: json.RawMessage(`{"a":"x\"y","b":[1,2.5e3,null,true]}`)},
		{Seq: 11, User: "E001", At: at, Action: ActionAnswer, New: json.RawMessage(`not json`)},
		{Seq: 12, User: "E001", At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Action: ActionCreate},
		{Seq: 13, User: "E001", At: at, Action: ActionSign, Question: "respondent", New: json.RawMessage(`{"name":"王五 (代)","content_hash":"ff"}`), SpentMS: -3},
		{Seq: 14, User: "\u2028", At: at, Action: "—…"},
		{Seq: 15, User: "E001", At: at, Action: ActionAnswer, Old: json.RawMessage(`null`), New: json.RawMessage(`"a\u003cb"`)},
		{Seq: 17, User: "E001", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 25*3600)), Action: ActionCreate},
		{Seq: 18, User: "E001", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -24*3600)), Action: ActionCreate},
		{Seq: 19, User: "E001", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 5*3600+1800+15)), Action: ActionCreate},
		{Seq: 20, User: "E001", At: time.Date(-1, 1, 2, 3, 4, 5, 0, time.UTC), Action: ActionCreate},
		{Seq: 21, User: "E001", At: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -23*3600-59*60)), Action: ActionCreate},
		{Seq: 16, User: "E001", At: at, Action: ActionStatus, New: json.RawMessage(`"completed"`), Sig: []byte{0, 1, 2, 0xfe, 0xff}},
	}
}

func TestHashJSONIsMarshal(t *testing.T) {
	for _, e := range hashJSONCases() {
		checkHashJSON(t, e)
	}
}

func checkHashJSON(t *testing.T, e AuditEntry) {
	t.Helper()
	e.Hash = ""
	want, err := json.Marshal(e)
	got, ok := hashJSON(nil, &e)
	switch {
	case ok != (err == nil): // json.Marshal is only asked where it fails
		t.Errorf("entry %d: hand-written ok %v, json.Marshal's error %v: %s", e.Seq, ok, err, got)
	case ok && !bytes.Equal(got, want):
		t.Errorf("entry %d:\n got %s\nwant %s", e.Seq, got, want)
	}
}

func FuzzHashJSON(f *testing.F) {
	for _, e := range hashJSONCases() {
		f.Add(e.Seq, e.User, e.At.UnixNano(), e.Action, e.Question, []byte(e.Old), []byte(e.New), e.Reason, e.SpentMS, e.Prev, e.Sig)
	}
	f.Fuzz(func(t *testing.T, seq uint64, user string, at int64, action, question string, old, new []byte, reason string, spent int64, prev string, sig []byte) {
		checkHashJSON(t, AuditEntry{Seq: seq, User: user, At: time.Unix(0, at).In(time.FixedZone("", int(at%200000))), Action: action, Question: question,
			Old: old, New: new, Reason: reason, SpentMS: spent, Prev: prev, Sig: sig})
	})
}

// TestRevisionAppendJSON: a revision packed by hand reads back as json.Marshal's does,
// entries that fall back to reflection included.
func TestRevisionAppendJSON(t *testing.T) {
	rev := Revision{Record: Record{ID: "r1", Enumerator: "E001", Answers: map[string]json.RawMessage{"a": json.RawMessage(`"<x>"`)}},
		Audit: hashJSONCases(), Photos: map[string][]byte{"ab": {1}}}
	rev.Audit = slices.DeleteFunc(rev.Audit, func(e AuditEntry) bool { _, err := json.Marshal(e); return err != nil })
	rev.Audit[0].Hash, rev.Audit[1].Prev = "ff", "ee"
	got, err := rev.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(Revision{Record: rev.Record, Audit: Unlinked(rev.Audit)})
	var a, b Revision
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	json.Unmarshal(want, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("packed by hand:\n%s\nby json.Marshal:\n%s", got, want)
	}
	if _, err := (Revision{Audit: []AuditEntry{{New: json.RawMessage("{")}}}).AppendJSON(nil); err == nil {
		t.Error("a chain json.Marshal refuses was packed")
	}
}

// benchChain is a person's chain as laptops write it: an answer entry for each of a
// hundred and fifty questions, Chinese text among them, and the signatures at the end.
func benchChain() []AuditEntry {
	at := time.Date(2026, 9, 30, 8, 15, 4, 123456789, time.FixedZone("CST", 8*3600))
	news := []json.RawMessage{json.RawMessage(`"1"`), json.RawMessage(`["2","5"]`), json.RawMessage(`"北京市东城区"`)}
	chain := []AuditEntry{{Seq: 1, User: "E001", At: at, Action: ActionCreate}}
	for i := range 150 {
		chain = append(chain, AuditEntry{Seq: uint64(len(chain) + 1), User: "E001", At: at.Add(time.Duration(i) * time.Second), Action: ActionAnswer,
			Question: "Q" + strconv.Itoa(i), New: news[i%3], SpentMS: int64(1000 + i)})
	}
	chain = append(chain, AuditEntry{Seq: uint64(len(chain) + 1), User: "E001", At: at, Action: ActionSign, Question: "respondent",
		New: json.RawMessage(`{"name":"王五","content_hash":"ff"}`), Sig: bytes.Repeat([]byte{7}, 64)})
	Relink(chain)
	return chain
}

func BenchmarkRelink(b *testing.B) {
	chain := benchChain()
	b.ReportAllocs()
	for b.Loop() {
		Relink(chain)
	}
}

func BenchmarkRevisionAppendJSON(b *testing.B) {
	rev := Revision{Record: benchRecord(), Audit: benchChain()}
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = rev.AppendJSON(buf[:0])
	}
}

// compactCases are raw values as answers and audit entries carry them, and values
// made to trip compactValue; fast says json.Marshal copies them unchanged.
var compactCases = []struct {
	raw  string
	fast bool
}{
	{`"1"`, true}, {`["2","5"]`, true}, {`"北京市东城区"`, true}, {`{"name":"王五 (代)","content_hash":"ff"}`, true},
	{`{"a":[1,-2.5e3,0,-0,1E+2,3e-1,null,true,false],"b":{},"c":[],"d":""}`, true},
	{`"a\"b\\c\/\b\f\n\r\t\u00e9\u003C"`, true}, {"\"bad\xff\xfe\"", true}, {`[[[[]]]]`, true},
	{`{ "a" : [1, 2] }`, false}, {"\n\t\"x\" ", false}, {`"<b>&"`, false}, {"\"\u2028\"", false}, {"\"\u2029\"", false},
	{`not json`, false}, {`{`, false}, {`[1,]`, false}, {`{"a"}`, false}, {`{"a":1,}`, false}, {`{1:2}`, false}, {`1 2`, false},
	{`01`, false}, {`1.`, false}, {`.5`, false}, {`1e`, false}, {`-`, false}, {`+1`, false}, {`tru`, false}, {`nul`, false},
	{`"\x"`, false}, {`"\u12"`, false}, {`"\u12g4"`, false}, {`"abc`, false}, {"\"a\x01\"", false}, {"\"\\", false},
	{``, false}, {`[1}`, false}, {`{"a":1]`, false}, {strings.Repeat("[", 40) + strings.Repeat("]", 40), false},
}

func TestCompactValue(t *testing.T) {
	for _, c := range compactCases {
		end, ok := compactValue([]byte(c.raw), 0, 0)
		if fast := ok && end == len(c.raw); fast != c.fast {
			t.Errorf("%q: copied as it is %v, want %v", c.raw, fast, c.fast)
		}
		checkRaw(t, []byte(c.raw))
	}
}

// checkRaw holds appendRaw to json.Marshal of the raw value, failures included.
func checkRaw(t *testing.T, raw []byte) {
	t.Helper()
	want, err := json.Marshal(json.RawMessage(raw))
	got, ok := appendRaw([]byte("x"), raw)
	switch {
	case ok != (err == nil):
		t.Errorf("%q: appendRaw ok %v, json.Marshal's error %v", raw, ok, err)
	case ok && string(got) != "x"+string(want):
		t.Errorf("%q: appendRaw %q, json.Marshal %q", raw, got, want)
	}
}

func FuzzCompactValue(f *testing.F) {
	for _, c := range compactCases {
		f.Add([]byte(c.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkRaw(t, raw) })
}
