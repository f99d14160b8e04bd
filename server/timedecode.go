package server

import (
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeTimes is decodeTime as an option of the decoder.
var decodeTimes = json.WithUnmarshalers(json.UnmarshalFromFunc(decodeTime))

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
