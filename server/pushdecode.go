package server

import (
	"errors"
	"fmt"
	"io"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/doorstep-survey/doorstep/protocol"
)

// pushOptions decode a push as encoding/json would — the laptops encode with it — but
// read each value once (encoding/json's Decoder scans an item to find its end, then
// again to decode it; decoding was two fifths of the server's CPU while ingesting) and
// refuse two things no laptop sends and only a forger would: a name given twice in one
// object (which of the two counts is a question the server should never have to
// answer; encoding/json took the last) and text that is not UTF-8 (encoding/json put
// U+FFFD in strings, but kept the bytes in answers). A laptop marshals structs, whose
// names are unique, and every text it sends — answers and audit values too
// (forms.EncodeAnswer) — was marshalled from Go strings, which encoding/json writes
// as UTF-8.
// Everything else is encoding/json's meaning, names matched regardless of case
// included, so that whatever is taken decodes to what it always did: FuzzReadPush
// holds the two to that.
//
// The decoder is the prototype of encoding/json/v2 by the Go team; once v2 leaves
// GOEXPERIMENT the import path is the only change.
var pushOptions = json.JoinOptions(
	jsonv1.DefaultOptionsV1(),
	// Legacy error reporting would validate each item whole before decoding it: the
	// second scan this decoder is here to save. Only the errors' text changes.
	jsonv1.ReportErrorsWithLegacySemantics(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
	// The prototype unescapes a time before parsing it; encoding/json does not.
	decodeTimes,
)

// errPushShape is a body that is JSON but not a push.
var errPushShape = errors.New("a push is {\"items\": [...]}")

// readPush decodes the JSON of a push from in, item by item (decodePush). With an
// error it returns the items read whole before it, but none past MaxItems.
func readPush(in io.Reader) ([]protocol.PushItem, error) {
	return readPushWith(in, pushOptions)
}

// readPushWith is readPush under opts (FuzzReadPush also runs it under encoding/json's
// own rules, to show that the tightenings above are all that differs).
func readPushWith(in io.Reader, opts json.Options) ([]protocol.PushItem, error) {
	item := &itemCap{r: in}
	dec := jsontext.NewDecoder(item, opts)
	if err := expectToken(dec, '{'); err != nil {
		return nil, err
	}
	var items []protocol.PushItem
	for dec.PeekKind() == '"' {
		key, err := dec.ReadToken()
		if err != nil {
			return items, err
		}
		if key.String() != "items" {
			item.reset()
			if err := dec.SkipValue(); err != nil {
				return items, err
			}
			continue
		}
		if err := expectToken(dec, '['); err != nil {
			return items, err
		}
		// A read that fails between two items ends the loop in UnmarshalDecode, which
		// reports it with the items before it.
		for dec.PeekKind() != ']' {
			if len(items) == MaxItems {
				return nil, errTooMany
			}
			item.reset()
			var it protocol.PushItem
			if err := json.UnmarshalDecode(dec, &it); err != nil {
				return items, fmt.Errorf("push item %d: %w", len(items)+1, err)
			}
			items = append(items, it)
		}
		if err := expectToken(dec, ']'); err != nil {
			return items, err
		}
	}
	return items, expectToken(dec, '}')
}

// expectToken reads the next token, which must be the delimiter want.
func expectToken(dec *jsontext.Decoder, want jsontext.Kind) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != want {
		return fmt.Errorf("%w: %v where %v belongs, at byte %d", errPushShape, tok.Kind(), want, dec.InputOffset())
	}
	return nil
}
