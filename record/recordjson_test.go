package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// contentV1 is what ContentHash bound when it was json.Marshal of this struct, and
// contentHashV1 that ContentHash, kept word for word: every signature laptops have
// made is over these bytes, so the hand-written hash must give them to the byte.
type contentV1 struct {
	ID          string                     `json:"id"`
	CaseID      string                     `json:"case_id,omitempty"`
	Subject     string                     `json:"subject,omitempty"`
	Village     string                     `json:"village,omitempty"`
	FormID      string                     `json:"form_id"`
	FormVersion string                     `json:"form_version"`
	Method      int                        `json:"method"`
	Outcome     int                        `json:"outcome"`
	OutcomeNote string                     `json:"outcome_note"`
	Answers     map[string]json.RawMessage `json:"answers"`
	Notes       map[string]string          `json:"notes"`
}

func contentHashV1(r *Record) string {
	answers := make(map[string]json.RawMessage, len(r.Answers))
	for k, v := range r.Answers {
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			answers[k] = buf.Bytes()
		} else {
			answers[k] = v
		}
	}
	caseID := r.CaseID
	if r.Subject != "" {
		caseID = ""
	}
	data, _ := json.Marshal(contentV1{r.ID, caseID, r.Subject, r.Village, r.FormID, r.FormVersion, r.Method, r.Outcome, r.OutcomeNote, answers, r.Notes})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// hostileStrings are texts every escaping rule of encoding/json applies to.
var hostileStrings = []string{
	"", "plain", "李晓梅", "a\"b\\c", "<script>&amp;</script>", "line\nbreak\ttab\rret\bbs\fff",
	"\x00\x01\x1f\x7f", "\u2028\u2029", "bad\xffutf8\xc3", "\xe2\x80", "\xed\xa0\x80", "\U0001F600", "\ufffd",
}

// rawAnswers are answers as laptops write them and as a forger might.
var rawAnswers = []json.RawMessage{
	json.RawMessage(`"2"`), json.RawMessage(`"李 晓梅"`), json.RawMessage(`["1","3"]`), json.RawMessage(`12.5e-3`),
	json.RawMessage(`{"a":[1,2],"b":null}`), json.RawMessage(`{ "a" : [1, 2] }`), json.RawMessage("\n\t\"x\" "),
	json.RawMessage(`"<b>&amp;"`), json.RawMessage("\"\u2028\u2029\""), json.RawMessage(`"a\u003cb\"\\"`),
	json.RawMessage("\"bad\xff\""), json.RawMessage(`true`), json.RawMessage(`null`), nil,
}

// recordJSONCases are records as laptops make them and records made to trip the hand
// encoder.
func recordJSONCases() []Record {
	at := time.Date(2026, 9, 30, 8, 15, 4, 123456789, time.FixedZone("CST", 8*3600))
	base := func() Record {
		return Record{ID: "r1", CaseID: "c1", Subject: "11010119800101001X11", FormID: "person", FormVersion: "2021",
			Enumerator: "E001", Method: 1, Outcome: OutcomeInterviewed, Status: StatusCompleted,
			Answers:  map[string]json.RawMessage{"a1": json.RawMessage(`"1"`), "b2": json.RawMessage(`["1","3"]`), "name": json.RawMessage(`"李晓梅"`)},
			Revision: 3, AuditLen: 40, AuditHead: "ab12", CreatedAt: at, UpdatedAt: at.UTC()}
	}
	full := base()
	full.Village, full.OutcomeNote = "110101001", "家中无人"
	full.Notes = map[string]string{"range@b2": "确认", "age@a1": "<old> & \"wise\""}
	full.Confirmed = []string{"A", "B"}
	full.Signatures = []Signature{
		{Role: SignerProxy, Name: "王五", Relation: "子女", At: at, Strokes: [][]Point{{{1, 2}, {-3, 4}}, nil, {}}, ContentHash: "ff", EnumeratorKey: "ed25519:xx"},
		{Role: SignerEnumerator, Name: "E001", At: at, ContentHash: "ff"},
	}
	full.Photos = []Attachment{{Hash: "aa", Size: 1 << 20, Type: "image/jpeg", AddedAt: at}}
	full.Comments = []Comment{{By: "L001", At: at, Question: "b2", Text: "再问一次", Round: 2}, {By: "L001", At: at, Text: "ok"}}
	full.CompletedAt = at
	full.Receipts = []Receipt{{Revision: 2, ServerID: "s1", ReceivedAt: at}}
	full.Withdrawn = &Withdrawal{Kept: "r2", Reason: "twice", At: at}

	cases := []Record{base(), full, {}}
	for _, s := range hostileStrings {
		r := full
		r.ID, r.CaseID, r.Subject, r.Village, r.FormID, r.Enumerator, r.OutcomeNote, r.AuditHead = s, s, s, s, s, s, s, s
		r.Status = Status(s)
		r.Notes = map[string]string{s: s, "k": s}
		r.Answers = map[string]json.RawMessage{s: json.RawMessage(`"x"`)}
		r.Confirmed = []string{s}
		r.Signatures = []Signature{{Role: SignerRole(s), Name: s, Relation: s, At: at, ContentHash: s, EnumeratorKey: s}}
		r.Comments = []Comment{{By: s, Question: s, Text: s, At: at}}
		cases = append(cases, r)
	}
	for _, raw := range rawAnswers {
		r := base()
		r.Answers = map[string]json.RawMessage{"q": raw, "a": json.RawMessage(`"1"`)}
		cases = append(cases, r)
	}
	for _, raw := range []json.RawMessage{json.RawMessage(`not json`), json.RawMessage(`{`), json.RawMessage(`1 2`), json.RawMessage(``), json.RawMessage(`"a` + "\n" + `"`)} {
		r := base() // json.Marshal fails: so must the hand encoder, and the content hashes as no bytes
		r.Answers["q"] = raw
		cases = append(cases, r)
	}
	odd := base()
	odd.Answers, odd.Notes = nil, map[string]string{} // null answers; empty notes written in content, omitted in the record
	odd.CaseID, odd.Subject = "c1", ""                // schema 1: the case id is hashed
	odd.Method, odd.Outcome, odd.Revision = -7, 1<<62, 1<<64-1
	cases = append(cases, odd)
	many := base()
	for i := range 300 { // more keys than the sorting's stack scratch
		many.Answers[strings.Repeat("q", i%7)+string(rune('A'+i%50))+string(rune('0'+i/50))] = json.RawMessage(`"v"`)
	}
	many.Notes = map[string]string{}
	for i := range 100 {
		many.Notes[string(rune(0x4e00+i))+"@x"] = "n"
	}
	cases = append(cases, many)
	for _, t := range []time.Time{
		{}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 25*3600)), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -24*3600)),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 24*3600-1)), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 100*3600)),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 5*3600+1800+15)), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -23*3600-59*60)),
	} {
		for i := range 6 {
			r := full
			r.Signatures = []Signature{full.Signatures[0]}
			r.Photos = []Attachment{full.Photos[0]}
			r.Comments = []Comment{full.Comments[0]}
			r.Receipts = []Receipt{full.Receipts[0]}
			r.Withdrawn = &Withdrawal{Kept: "r2", At: at}
			switch i {
			case 0:
				r.CreatedAt = t
			case 1:
				r.CompletedAt = t
			case 2:
				r.Signatures[0].At = t
			case 3:
				r.Photos[0].AddedAt, r.Comments[0].At = t, t
			case 4:
				r.Receipts[0].ReceivedAt = t
			case 5:
				r.Withdrawn.At = t
			}
			cases = append(cases, r)
		}
	}
	return cases
}

func TestRecordJSONIsMarshal(t *testing.T) {
	for i, r := range recordJSONCases() {
		checkRecordJSON(t, i, r)
	}
}

// checkRecordJSON holds the hand encoders to json.Marshal: the same bytes where it
// writes, a fall back exactly where it fails; and ContentHash to what it was.
func checkRecordJSON(t *testing.T, i int, r Record) {
	t.Helper()
	want, err := json.Marshal(r)
	got, ok := appendRecordJSON([]byte("prefix"), &r)
	switch {
	case ok != (err == nil):
		t.Errorf("record %d: hand-written ok %v, json.Marshal's error %v: %s", i, ok, err, got)
	case ok && !bytes.Equal(got, append([]byte("prefix"), want...)):
		t.Errorf("record %d:\n got %s\nwant prefix%s", i, got, want)
	}
	caseID := r.CaseID
	if r.Subject != "" {
		caseID = ""
	}
	answers := r.Answers
	if answers == nil {
		answers = map[string]json.RawMessage{} // contentHashV1 made a map
	}
	want, err = json.Marshal(contentV1{r.ID, caseID, r.Subject, r.Village, r.FormID, r.FormVersion, r.Method, r.Outcome, r.OutcomeNote, answers, r.Notes})
	got, ok = appendContentJSON(nil, &r)
	switch {
	case ok != (err == nil):
		t.Errorf("record %d: content hand-written ok %v, json.Marshal's error %v: %s", i, ok, err, got)
	case ok && !bytes.Equal(got, want):
		t.Errorf("record %d: content\n got %s\nwant %s", i, got, want)
	}
	if got, want := r.ContentHash(), contentHashV1(&r); got != want {
		t.Errorf("record %d: ContentHash %s, was %s", i, got, want)
	}
}

// TestRevisionAppendJSONRecord: the record in a packed revision is json.Marshal's
// bytes, a record it refuses is refused.
func TestRevisionAppendJSONRecord(t *testing.T) {
	for i, r := range recordJSONCases() {
		want, err := json.Marshal(r)
		got, gotErr := Revision{Record: r}.AppendJSON([]byte("x"))
		switch {
		case (err == nil) != (gotErr == nil):
			t.Errorf("record %d: AppendJSON's error %v, json.Marshal's %v", i, gotErr, err)
		case gotErr != nil && string(got) != "x":
			t.Errorf("record %d: refused, but wrote %q", i, got)
		case err == nil && !bytes.Equal(got, []byte(`x{"record":`+string(want)+`,"audit":[]}`)):
			t.Errorf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestRecordJSONFastPath: records as laptops write them go to json.Marshal for none of
// their answers — the allocations of a record's JSON are its map keys' at most.
func TestRecordJSONFastPath(t *testing.T) {
	r := recordJSONCases()[1]
	buf := make([]byte, 0, 8192)
	if n := testing.AllocsPerRun(20, func() { appendRecordJSON(buf[:0], &r) }); n > 0 {
		t.Errorf("%v allocations a record", n)
	}
	if n := testing.AllocsPerRun(20, func() { r.ContentHash() }); n > 1 { // the hex string
		t.Errorf("%v allocations a content hash", n)
	}
}

func FuzzRecordJSON(f *testing.F) {
	for i, s := range hostileStrings {
		raw := rawAnswers[i%len(rawAnswers)]
		f.Add(s, "c1", "", s, s, 1, -2, s, "a\x00"+s, []byte(raw), []byte(`"x"`), s, s, int64(1790000000000000000), int32(8*3600), uint16(i*37))
	}
	f.Add("", "", "", "", "", 0, 0, "", "", []byte(nil), []byte(nil), "", "", int64(0), int32(0), uint16(0xffff))
	f.Fuzz(func(t *testing.T, id, caseID, subject, village, form string, method, outcome int, text, keys string, raw1, raw2 []byte, noteKey, noteVal string, at int64, off int32, flags uint16) {
		ts := time.Unix(0, at).In(time.FixedZone("", int(off)))
		r := Record{ID: id, CaseID: caseID, Subject: subject, Village: village, FormID: form, FormVersion: text, Enumerator: noteKey,
			Method: method, Outcome: outcome, OutcomeNote: text, Status: Status(noteVal), Revision: uint64(at), AuditLen: uint64(off), AuditHead: caseID,
			CreatedAt: ts, UpdatedAt: ts.UTC()}
		bit := func(n uint) bool { return flags&(1<<n) != 0 }
		if !bit(0) {
			r.Answers = map[string]json.RawMessage{}
			for i, k := range strings.Split(keys, "\x00") {
				switch {
				case bit(1) && i == 1:
					r.Answers[k] = nil
				case i%2 == 0:
					r.Answers[k] = raw1
				default:
					r.Answers[k] = raw2
				}
			}
		}
		if !bit(2) {
			r.Notes = map[string]string{}
			if !bit(3) {
				r.Notes[noteKey], r.Notes[text] = noteVal, id
			}
		}
		if bit(4) {
			r.Confirmed = []string{text, noteKey}
		}
		if bit(5) {
			r.Signatures = []Signature{{Role: SignerRole(noteKey), Name: noteVal, Relation: text, At: ts, ContentHash: id, EnumeratorKey: village,
				Strokes: [][]Point{{{method, outcome}}, nil}}}
		}
		if bit(6) {
			r.Photos = []Attachment{{Hash: id, Size: method, Type: text, AddedAt: ts}}
		}
		if bit(7) {
			r.Comments = []Comment{{By: noteKey, At: ts, Question: village, Text: text, Round: outcome}}
		}
		if bit(8) {
			r.CompletedAt = ts
		}
		if bit(9) {
			r.Receipts = []Receipt{{Revision: uint64(method), ServerID: subject, ReceivedAt: ts}}
		}
		if bit(10) {
			r.Withdrawn = &Withdrawal{Kept: caseID, Reason: noteVal, At: ts}
		}
		checkRecordJSON(t, 0, r)
	})
}

// benchRecord is a person's record as the demo district's laptops make them: about a
// hundred and fifty answers, a few notes, two signatures.
func benchRecord() Record {
	r := recordJSONCases()[1]
	r.Answers = map[string]json.RawMessage{}
	for i := range 150 {
		q := "Q" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		switch i % 3 {
		case 0:
			r.Answers[q] = json.RawMessage(`"1"`)
		case 1:
			r.Answers[q] = json.RawMessage(`["2","5"]`)
		default:
			r.Answers[q] = json.RawMessage(`"北京市东城区"`)
		}
	}
	return r
}

func BenchmarkRecordJSON(b *testing.B) {
	r := benchRecord()
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 16384)
		for b.Loop() {
			buf, _ = appendRecordJSON(buf[:0], &r)
		}
	})
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(r)
		}
	})
}

func BenchmarkContentHash(b *testing.B) {
	r := benchRecord()
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.ContentHash()
		}
	})
	b.Run("v1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			contentHashV1(&r)
		}
	})
}
