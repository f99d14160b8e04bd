package record

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// An entry's hash is defined by encoding/json's bytes for it (ComputeHash), and every
// chain a server receives is hashed whole: through reflection that was the largest
// part of checking a chain. hashJSON writes the same bytes by hand — strings escaped as
// encoding/json escapes them (appendString), raw values that are already compact
// copied, others compacted by json.Marshal alone — and says where only json.Marshal
// can say (a time RFC 3339 cannot write, a raw value that is not JSON).
// TestHashJSONIsMarshal and FuzzHashJSON hold the two to the same bytes.

// hashJSON appends json.Marshal(e) for an entry whose Hash is empty; ok is false where
// only json.Marshal can say.
func hashJSON(b []byte, e *AuditEntry) (_ []byte, ok bool) {
	if e.Hash != "" {
		return b, false
	}
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"user":`...)
	b = appendString(b, e.User)
	b = append(b, `,"at":`...)
	if b, ok = appendTime(b, e.At); !ok {
		return b, false
	}
	b = append(b, `,"action":`...)
	b = appendString(b, e.Action)
	if e.Question != "" {
		b = append(b, `,"question":`...)
		b = appendString(b, e.Question)
	}
	if len(e.Old) > 0 {
		b = append(b, `,"old":`...)
		if b, ok = appendRaw(b, e.Old); !ok {
			return b, false
		}
	}
	if len(e.New) > 0 {
		b = append(b, `,"new":`...)
		if b, ok = appendRaw(b, e.New); !ok {
			return b, false
		}
	}
	if e.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendString(b, e.Reason)
	}
	if e.SpentMS != 0 {
		b = append(b, `,"spent_ms":`...)
		b = strconv.AppendInt(b, e.SpentMS, 10)
	}
	b = append(b, `,"prev":`...)
	b = appendString(b, e.Prev)
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

// appendRaw appends json.Marshal of a raw value: a value already compact as it is,
// others through json.Marshal (to take out spaces, escape HTML characters, write null
// for nil). ok is false where json.Marshal fails: not JSON.
func appendRaw(b []byte, raw json.RawMessage) (_ []byte, ok bool) {
	if end, ok := compactValue(raw, 0, 0); ok && end == len(raw) {
		return append(b, raw...), true
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return b, false
	}
	return append(b, data...), true
}

// maxCompactDepth is as deep as compactValue follows arrays and objects: answers are
// flat or nearly; anything deeper is json.Marshal's to judge.
const maxCompactDepth = 32

// compactValue returns where the JSON value at raw[i:] ends when json.Marshal copies it
// unchanged: valid, with no space between tokens, no < > & (it escapes them for
// HTML), no U+2028 or U+2029. ok is false for anything else — that is json.Marshal's
// to write, or to refuse. It is a check, not a parser, and in one pass: with
// json.Valid after a scan for what needs escaping it was a third of hashing a chain.
func compactValue(raw []byte, i, depth int) (end int, ok bool) {
	if i >= len(raw) {
		return i, false
	}
	switch c := raw[i]; c {
	case '"':
		return compactString(raw, i)
	case '{', '[':
		if depth == maxCompactDepth {
			return i, false
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i++
		if i < len(raw) && raw[i] == closer {
			return i + 1, true
		}
		for {
			if c == '{' {
				if i >= len(raw) || raw[i] != '"' {
					return i, false
				}
				if i, ok = compactString(raw, i); !ok || i >= len(raw) || raw[i] != ':' {
					return i, false
				}
				i++
			}
			if i, ok = compactValue(raw, i, depth+1); !ok || i >= len(raw) {
				return i, false
			}
			switch raw[i] {
			case ',':
				i++
			case closer:
				return i + 1, true
			default:
				return i, false
			}
		}
	case 't':
		return compactLiteral(raw, i, "true")
	case 'f':
		return compactLiteral(raw, i, "false")
	case 'n':
		return compactLiteral(raw, i, "null")
	default:
		return compactNumber(raw, i)
	}
}

func compactLiteral(raw []byte, i int, lit string) (int, bool) {
	if len(raw)-i >= len(lit) && string(raw[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// compactString is compactValue for the string at raw[i] == '"'. Bytes that are not
// UTF-8 are kept: json.Marshal keeps them in a raw value too.
func compactString(raw []byte, i int) (int, bool) {
	for i++; i < len(raw); {
		switch c := raw[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(raw) {
				return i, false
			}
			switch raw[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(raw)-i < 6 || !isHex(raw[i+2]) || !isHex(raw[i+3]) || !isHex(raw[i+4]) || !isHex(raw[i+5]) {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			return i, false
		case c == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8: // U+2028, U+2029
			return i, false
		default:
			i++
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// compactNumber is compactValue for a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func compactNumber(raw []byte, i int) (int, bool) {
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	switch {
	case i < len(raw) && raw[i] == '0':
		i++
	case i < len(raw) && '1' <= raw[i] && raw[i] <= '9':
		i = digits(raw, i)
	default:
		return i, false
	}
	if i < len(raw) && raw[i] == '.' {
		if j := digits(raw, i+1); j > i+1 {
			i = j
		} else {
			return i, false
		}
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if j := digits(raw, i); j > i {
			i = j
		} else {
			return i, false
		}
	}
	return i, true
}

// digits is where the run of decimal digits at raw[i:] ends.
func digits(raw []byte, i int) int {
	for i < len(raw) && '0' <= raw[i] && raw[i] <= '9' {
		i++
	}
	return i
}
