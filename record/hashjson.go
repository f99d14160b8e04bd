package record

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// An entry's hash is defined by encoding/json's bytes for it (ComputeHash), and every
// chain a server receives is hashed whole: through reflection that was the largest
// part of checking a chain. hashJSON writes the same bytes by hand for what entries
// hold in practice, and says so; anything it is not sure to write exactly as
// json.Marshal does (a string to escape, a raw value to compact, a time outside
// RFC 3339) goes back to json.Marshal. TestHashJSONIsMarshal and FuzzHashJSON hold the
// two to the same bytes.

// hashJSON appends json.Marshal(e) for an entry whose Hash is empty; ok is false where
// only json.Marshal can say.
func hashJSON(b []byte, e *AuditEntry) (_ []byte, ok bool) {
	if e.Hash != "" {
		return b, false
	}
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"user":`...)
	if b, ok = appendPlainString(b, e.User); !ok {
		return b, false
	}
	b = append(b, `,"at":`...)
	// time.Time's MarshalJSON is RFC 3339 with nanoseconds, refused for a year or a
	// zone offset RFC 3339 cannot write; written here without its allocation.
	if y := e.At.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, off := e.At.Zone(); off <= -24*3600 || off >= 24*3600 {
		return b, false
	}
	b = append(b, '"')
	b = e.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = append(b, `,"action":`...)
	if b, ok = appendPlainString(b, e.Action); !ok {
		return b, false
	}
	if e.Question != "" {
		b = append(b, `,"question":`...)
		if b, ok = appendPlainString(b, e.Question); !ok {
			return b, false
		}
	}
	if len(e.Old) > 0 {
		b = append(b, `,"old":`...)
		if b, ok = appendCompactRaw(b, e.Old); !ok {
			return b, false
		}
	}
	if len(e.New) > 0 {
		b = append(b, `,"new":`...)
		if b, ok = appendCompactRaw(b, e.New); !ok {
			return b, false
		}
	}
	if e.Reason != "" {
		b = append(b, `,"reason":`...)
		if b, ok = appendPlainString(b, e.Reason); !ok {
			return b, false
		}
	}
	if e.SpentMS != 0 {
		b = append(b, `,"spent_ms":`...)
		b = strconv.AppendInt(b, e.SpentMS, 10)
	}
	b = append(b, `,"prev":`...)
	if b, ok = appendPlainString(b, e.Prev); !ok {
		return b, false
	}
	b = append(b, `,"hash":""`...)
	if len(e.Sig) > 0 {
		b = append(b, `,"sig":"`...)
		b = base64.StdEncoding.AppendEncode(b, e.Sig)
		b = append(b, '"')
	}
	return append(b, '}'), true
}

// AppendJSON appends the revision as JSON without its photos and with its chain
// unlinked (Unlinked): what a store keeps, made without reflection for the chain,
// which is most of it. It decodes to what json.Marshal's bytes decode to.
func (rev Revision) AppendJSON(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, `{"record":`...)
	n := len(b)
	var ok bool
	if b, ok = appendRecordJSON(b, &rev.Record); !ok {
		data, err := json.Marshal(rev.Record)
		if err != nil {
			return b[:start], err
		}
		b = append(b[:n], data...)
	}
	b = append(b, `,"audit":[`...)
	for i, e := range rev.Audit {
		if i > 0 {
			b = append(b, ',')
		}
		e.Prev, e.Hash = "", ""
		n := len(b)
		var ok bool
		if b, ok = hashJSON(b, &e); !ok {
			b = b[:n] // what it wrote before giving up
			data, err := json.Marshal(e)
			if err != nil {
				return b, err
			}
			b = append(b, data...)
		}
	}
	return append(b, "]}"...), nil
}

// appendPlainString appends s quoted when json.Marshal writes it without escapes:
// printable ASCII but for " \ < > &, and valid UTF-8 but for U+2028 and U+2029.
func appendPlainString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return b, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return b, false
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// appendCompactRaw appends a raw JSON value that json.Marshal would copy unchanged:
// valid, with no space between tokens, and nothing it escapes for HTML.
func appendCompactRaw(b []byte, raw json.RawMessage) ([]byte, bool) {
	in := false // inside a string
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '<' || c == '>' || c == '&':
			return b, false
		case c == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && (raw[i+2] == 0xA8 || raw[i+2] == 0xA9): // U+2028, U+2029
			return b, false
		case in && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return b, false
		}
	}
	if !json.Valid(raw) {
		return b, false
	}
	return append(b, raw...), true
}
