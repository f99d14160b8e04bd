package server

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/doorstep-survey/doorstep/protocol"
)

// readPushV1 is how pushes were decoded before readPush, with encoding/json: the
// reference that FuzzReadPush holds readPush to, and what BenchmarkDecodePush
// compares it with.
func readPushV1(in io.Reader) ([]protocol.PushItem, error) {
	item := &itemCap{r: in}
	dec := json.NewDecoder(item)
	if err := expectV1(dec, json.Delim('{')); err != nil {
		return nil, err
	}
	var items []protocol.PushItem
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key != "items" {
			var skip json.RawMessage
			item.reset()
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if err := expectV1(dec, json.Delim('[')); err != nil {
			return nil, err
		}
		for dec.More() {
			if len(items) == MaxItems {
				return nil, errTooMany
			}
			item.reset()
			var it protocol.PushItem
			if err := dec.Decode(&it); err != nil {
				return items, err
			}
			items = append(items, it)
		}
		if err := expectV1(dec, json.Delim(']')); err != nil {
			return nil, err
		}
	}
	return items, expectV1(dec, json.Delim('}'))
}

func expectV1(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("expected %v, found %v", want, tok)
	}
	return nil
}
