package record

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// A record's JSON is made twice for each record the server stores — its content for
// ContentHash, which every signature binds, and the whole record for what a store keeps
// (Revision.AppendJSON) — and through reflection, with the sorting of two maps, that
// was a tenth of the server's CPU at ingest. appendRecordJSON and appendContentJSON
// write encoding/json's bytes by hand: the same field order, omitempty and omitzero,
// map keys sorted by byte, strings escaped as it escapes them (HTML characters, U+2028
// and U+2029, invalid UTF-8 as U+FFFD), raw answers compacted as it compacts them. What
// they are not sure to write exactly as json.Marshal does (a time RFC 3339 cannot
// write, a raw answer that is not already compact JSON) is json.Marshal's to say: a raw
// answer alone, the whole value for a time. A single byte of difference would make
// every signed record's signatures stale, so TestRecordJSONIsMarshal and
// FuzzRecordJSON hold them to json.Marshal's bytes and to ContentHash's as it was.

// appendRecordJSON appends json.Marshal(r); ok is false where only json.Marshal can say
// (it may fail there).
func appendRecordJSON(b []byte, r *Record) (_ []byte, ok bool) {
	b = append(b, `{"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"case_id":`...)
	b = appendString(b, r.CaseID)
	if r.Subject != "" {
		b = append(b, `,"subject":`...)
		b = appendString(b, r.Subject)
	}
	if r.Village != "" {
		b = append(b, `,"village":`...)
		b = appendString(b, r.Village)
	}
	b = append(b, `,"form_id":`...)
	b = appendString(b, r.FormID)
	b = append(b, `,"form_version":`...)
	b = appendString(b, r.FormVersion)
	b = append(b, `,"enumerator":`...)
	b = appendString(b, r.Enumerator)
	b = append(b, `,"method":`...)
	b = strconv.AppendInt(b, int64(r.Method), 10)
	b = append(b, `,"outcome":`...)
	b = strconv.AppendInt(b, int64(r.Outcome), 10)
	if r.OutcomeNote != "" {
		b = append(b, `,"outcome_note":`...)
		b = appendString(b, r.OutcomeNote)
	}
	b = append(b, `,"answers":`...)
	if b, ok = appendAnswers(b, r.Answers); !ok {
		return b, false
	}
	if len(r.Notes) > 0 {
		b = append(b, `,"notes":`...)
		b = appendNotes(b, r.Notes)
	}
	if len(r.Confirmed) > 0 {
		b = append(b, `,"confirmed":[`...)
		for i, s := range r.Confirmed {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	b = append(b, `,"status":`...)
	b = appendString(b, string(r.Status))
	if len(r.Signatures) > 0 {
		b = append(b, `,"signatures":[`...)
		for i := range r.Signatures {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendSignature(b, &r.Signatures[i]); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	if len(r.Photos) > 0 {
		b = append(b, `,"photos":[`...)
		for i, p := range r.Photos {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"hash":`...)
			b = appendString(b, p.Hash)
			b = append(b, `,"size":`...)
			b = strconv.AppendInt(b, int64(p.Size), 10)
			b = append(b, `,"type":`...)
			b = appendString(b, p.Type)
			b = append(b, `,"added_at":`...)
			if b, ok = appendTime(b, p.AddedAt); !ok {
				return b, false
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(r.Comments) > 0 {
		b = append(b, `,"comments":[`...)
		for i, c := range r.Comments {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"by":`...)
			b = appendString(b, c.By)
			b = append(b, `,"at":`...)
			if b, ok = appendTime(b, c.At); !ok {
				return b, false
			}
			if c.Question != "" {
				b = append(b, `,"question":`...)
				b = appendString(b, c.Question)
			}
			b = append(b, `,"text":`...)
			b = appendString(b, c.Text)
			if c.Round != 0 {
				b = append(b, `,"round":`...)
				b = strconv.AppendInt(b, int64(c.Round), 10)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"revision":`...)
	b = strconv.AppendUint(b, r.Revision, 10)
	b = append(b, `,"audit_len":`...)
	b = strconv.AppendUint(b, r.AuditLen, 10)
	b = append(b, `,"audit_head":`...)
	b = appendString(b, r.AuditHead)
	b = append(b, `,"created_at":`...)
	if b, ok = appendTime(b, r.CreatedAt); !ok {
		return b, false
	}
	b = append(b, `,"updated_at":`...)
	if b, ok = appendTime(b, r.UpdatedAt); !ok {
		return b, false
	}
	if !r.CompletedAt.IsZero() {
		b = append(b, `,"completed_at":`...)
		if b, ok = appendTime(b, r.CompletedAt); !ok {
			return b, false
		}
	}
	if len(r.Receipts) > 0 {
		b = append(b, `,"receipts":[`...)
		for i, rc := range r.Receipts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"revision":`...)
			b = strconv.AppendUint(b, rc.Revision, 10)
			b = append(b, `,"server_id":`...)
			b = appendString(b, rc.ServerID)
			b = append(b, `,"received_at":`...)
			if b, ok = appendTime(b, rc.ReceivedAt); !ok {
				return b, false
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if w := r.Withdrawn; w != nil {
		b = append(b, `,"withdrawn":{"kept":`...)
		b = appendString(b, w.Kept)
		b = append(b, `,"reason":`...)
		b = appendString(b, w.Reason)
		b = append(b, `,"at":`...)
		if b, ok = appendTime(b, w.At); !ok {
			return b, false
		}
		b = append(b, '}')
	}
	return append(b, '}'), true
}

func appendSignature(b []byte, s *Signature) (_ []byte, ok bool) {
	b = append(b, `{"role":`...)
	b = appendString(b, string(s.Role))
	b = append(b, `,"name":`...)
	b = appendString(b, s.Name)
	if s.Relation != "" {
		b = append(b, `,"relation":`...)
		b = appendString(b, s.Relation)
	}
	b = append(b, `,"at":`...)
	if b, ok = appendTime(b, s.At); !ok {
		return b, false
	}
	if len(s.Strokes) > 0 {
		b = append(b, `,"strokes":[`...)
		for i, stroke := range s.Strokes {
			if i > 0 {
				b = append(b, ',')
			}
			if stroke == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '[')
			for j, p := range stroke {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"X":`...)
				b = strconv.AppendInt(b, int64(p.X), 10)
				b = append(b, `,"Y":`...)
				b = strconv.AppendInt(b, int64(p.Y), 10)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	b = append(b, `,"content_hash":`...)
	b = appendString(b, s.ContentHash)
	if s.EnumeratorKey != "" {
		b = append(b, `,"enumerator_key":`...)
		b = appendString(b, s.EnumeratorKey)
	}
	return append(b, '}'), true
}

// appendContentJSON appends the record's content as ContentHash binds it: everything
// the respondent agreed to, nothing about the record's life — json.Marshal's bytes of
// the struct contentV1 in the tests, which is the definition. The case id is only
// hashed for a record without a Subject (started under schema 1): a record moved to
// another laptop, where its case has another id, keeps its hash and so its signatures;
// the village is omitted when empty, so a person's record hashes as before villages'
// records existed; outcome_note and notes are written even when empty. ok is false
// where json.Marshal fails (an answer that is not JSON).
func appendContentJSON(b []byte, r *Record) (_ []byte, ok bool) {
	b = append(b, `{"id":`...)
	b = appendString(b, r.ID)
	if r.CaseID != "" && r.Subject == "" {
		b = append(b, `,"case_id":`...)
		b = appendString(b, r.CaseID)
	}
	if r.Subject != "" {
		b = append(b, `,"subject":`...)
		b = appendString(b, r.Subject)
	}
	if r.Village != "" {
		b = append(b, `,"village":`...)
		b = appendString(b, r.Village)
	}
	b = append(b, `,"form_id":`...)
	b = appendString(b, r.FormID)
	b = append(b, `,"form_version":`...)
	b = appendString(b, r.FormVersion)
	b = append(b, `,"method":`...)
	b = strconv.AppendInt(b, int64(r.Method), 10)
	b = append(b, `,"outcome":`...)
	b = strconv.AppendInt(b, int64(r.Outcome), 10)
	b = append(b, `,"outcome_note":`...)
	b = appendString(b, r.OutcomeNote)
	b = append(b, `,"answers":`...)
	if r.Answers == nil {
		b = append(b, "{}"...) // ContentHash always hashed a map made of them
	} else if b, ok = appendAnswers(b, r.Answers); !ok {
		return b, false
	}
	b = append(b, `,"notes":`...)
	b = appendNotes(b, r.Notes)
	return append(b, '}'), true
}

// sortedKeys are the map's keys in encoding/json's order (bytewise). Records carry a
// few hundred answers at most; the keys of a small map stay on the caller's stack.
func sortedKeys[V any](m map[string]V, scratch []string) []string {
	keys := scratch[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendAnswers appends json.Marshal of the answers; ok is false where it fails.
func appendAnswers(b []byte, m map[string]json.RawMessage) (_ []byte, ok bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	var scratch [256]string
	b = append(b, '{')
	for i, k := range sortedKeys(m, scratch[:]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		if b, ok = appendRaw(b, m[k]); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendNotes appends json.Marshal of the notes.
func appendNotes(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var scratch [64]string
	b = append(b, '{')
	for i, k := range sortedKeys(m, scratch[:]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// appendTime appends time.Time's MarshalJSON: RFC 3339 with nanoseconds. ok is false
// for a time RFC 3339 cannot write (MarshalJSON fails), judged on the written bytes as
// MarshalJSON judges them.
func appendTime(b []byte, t time.Time) (_ []byte, ok bool) {
	b = append(b, '"')
	n0 := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	if b[n0+len("9999")] != '-' { // a year of more or less than four digits
		return b, false
	}
	if b[len(b)-1] != 'Z' {
		c := b[len(b)-len("Z07:00")]
		if '0' <= c && c <= '9' || 10*(b[len(b)-5]-'0')+(b[len(b)-4]-'0') >= 24 { // an offset of a day or more
			return b, false
		}
	}
	return append(b, '"'), true
}

const hexDigits = "0123456789abcdef"

// appendString appends s as encoding/json writes a string with HTML escaping (the
// default): ", \ and control characters escaped, the short forms \b \f \n \r \t where
// it has them; < > & as \u003c \u003e \u0026; U+2028 and U+2029 as \u2028 \u2029; each
// byte of invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
