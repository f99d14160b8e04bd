package server

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/doorstep-survey/doorstep/record"
)

// decodeAudits is decodeAudit as an option of the decoder, with decodeTime.
var decodeAudits = json.WithUnmarshalers(json.JoinUnmarshalers(
	json.UnmarshalFromFunc(decodeAudit),
	json.UnmarshalFromFunc(decodeTime),
))

// decodeTime reads every time in a push as encoding/json does: it hands time.Time
// the value's bytes whatever their kind, escapes and all, and null leaves the time
// as it is. The reflective decoder unescaped a string first, and so took a time
// written "\u002b08:00" that encoding/json refuses.
func decodeTime(dec *jsontext.Decoder, t *time.Time) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return t.UnmarshalJSON(raw)
}

// decodeAudit reads a record.AuditEntry straight from the tokens: a push is mostly
// its audit chains, tens of entries a record, and the decoder's reflection (a field
// looked up by name, a value's kind dispatched, a time parsed through its method
// set) was a fifth of the server's CPU while ingesting. It means what encoding/json
// means — FuzzReadPush holds it to that — and where a value is not the plain kind a
// laptop sends (null, a string with escapes, a number for text, an array for the
// signature) it hands that one value to the reflective decoder, which FuzzReadPush
// held to encoding/json before this (times aside: decodeTime). It is an option of readPush and not a method of
// AuditEntry because the rest of the program decodes entries with encoding/json.
func decodeAudit(dec *jsontext.Decoder, e *record.AuditEntry) error {
	if dec.PeekKind() != '{' {
		return json.SkipFunc // null, or a type error: the reflective decoder's to say
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	// Under pushOptions one field given twice is refused as the reflective decoder
	// refuses it, even when the two names differ in case ("seq", "SEQ"): the decoder
	// itself only sees names that are the same byte for byte.
	dups, _ := json.GetOption(dec.Options(), jsontext.AllowDuplicateNames)
	once := !dups
	var seen uint16
	var unquoted []byte
	for dec.PeekKind() != '}' {
		quoted, err := dec.ReadValue()
		if err != nil {
			return err
		}
		name := quoted[1 : len(quoted)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			// The decoder has checked the string; what may still be wrong is UTF-8
			// it was told to allow, which becomes U+FFFD as in encoding/json.
			unquoted, _ = jsontext.AppendUnquote(unquoted[:0], quoted)
			name = unquoted
		}
		f := auditField(name)
		if f < 0 {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if once {
			if seen&(1<<f) != 0 {
				return fmt.Errorf("%w: audit entry member %q where %q was already given", jsontext.ErrDuplicateName, name, auditNames[f])
			}
			seen |= 1 << f
		}
		if err := decodeAuditField(dec, e, f); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// auditNames are record.AuditEntry's JSON names, in the order decodeAuditField numbers
// them.
var auditNames = [...]string{"seq", "user", "at", "action", "question", "old", "new", "reason", "spent_ms", "prev", "hash", "sig"}

// auditField is the number of the field name stands for, or -1: the field named
// exactly, else the one encoding/json matches regardless of case, which is
// strings.EqualFold ('K' U+212A is k and 'ſ' U+017F is s to it too).
func auditField(name []byte) int {
	for i, n := range auditNames {
		if string(name) == n {
			return i
		}
	}
	for i, n := range auditNames {
		if strings.EqualFold(string(name), n) {
			return i
		}
	}
	return -1
}

// decodeAuditField reads the value of field f (auditNames) into e.
func decodeAuditField(dec *jsontext.Decoder, e *record.AuditEntry, f int) error {
	k := dec.PeekKind()
	switch f {
	case 0:
		if k == '0' {
			return readUint(dec, &e.Seq)
		}
		return json.UnmarshalDecode(dec, &e.Seq)
	case 1:
		return readText(dec, k, &e.User)
	case 2:
		if err := decodeTime(dec, &e.At); err != nil {
			return fmt.Errorf("audit entry at: %w", err)
		}
		return nil
	case 3:
		return readText(dec, k, &e.Action)
	case 4:
		return readText(dec, k, &e.Question)
	case 5:
		return readRaw(dec, (*[]byte)(&e.Old))
	case 6:
		return readRaw(dec, (*[]byte)(&e.New))
	case 7:
		return readText(dec, k, &e.Reason)
	case 8:
		if k == '0' {
			return readInt(dec, &e.SpentMS)
		}
		return json.UnmarshalDecode(dec, &e.SpentMS)
	case 9:
		return readText(dec, k, &e.Prev)
	case 10:
		return readText(dec, k, &e.Hash)
	case 11:
		if k != '"' {
			return json.UnmarshalDecode(dec, &e.Sig) // null sets nil; an array of bytes
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if bytes.IndexByte(raw, '\\') >= 0 {
			return json.Unmarshal(raw, &e.Sig, dec.Options())
		}
		// As encoding/json: standard base64, padded, line breaks ignored; "" is an
		// empty signature, not none.
		s := raw[1 : len(raw)-1]
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, s)
		if err != nil {
			return fmt.Errorf("audit entry sig: %w", err)
		}
		e.Sig = b[:n]
		return nil
	}
	return errors.New("audit entry: no field") // unreachable: auditField numbers them
}

// readText reads a string into *s when it is plain — no escapes, valid UTF-8 — and
// has the reflective decoder read anything else.
func readText(dec *jsontext.Decoder, k jsontext.Kind, s *string) error {
	if k != '"' {
		return json.UnmarshalDecode(dec, s)
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	text := raw[1 : len(raw)-1]
	if bytes.IndexByte(text, '\\') >= 0 || !utf8.Valid(text) {
		return json.Unmarshal(raw, s, dec.Options())
	}
	*s = string(text)
	return nil
}

// readRaw keeps a value's bytes as encoding/json gives them to a json.RawMessage:
// null included, as "null".
func readRaw(dec *jsontext.Decoder, m *[]byte) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	*m = append((*m)[:0], raw...)
	return nil
}

// readUint reads a number into *u as encoding/json does: digits only, in range.
func readUint(dec *jsontext.Decoder, u *uint64) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	n, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return json.Unmarshal(raw, u, dec.Options()) // its error, with its words
	}
	*u = n
	return nil
}

// readInt reads a number into *i as encoding/json does: an optional minus, digits,
// in range.
func readInt(dec *jsontext.Decoder, i *int64) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return json.Unmarshal(raw, i, dec.Options())
	}
	*i = n
	return nil
}
