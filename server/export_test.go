package server

import (
	stdgzip "compress/gzip"
	"io"
	"net/http"
	"time"

	json "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/doorstep-survey/doorstep/protocol"
)

// SetBodyIdle shortens BodyIdle for a test; the returned func restores it.
func SetBodyIdle(d time.Duration) func() {
	old := bodyIdle
	bodyIdle = d
	return func() { bodyIdle = old }
}

// EnrolmentsInFlight is how many enrolment places are held now, so that a test waits
// for the limiter's own count rather than probing it with requests that take a place.
func (h *Handler) EnrolmentsInFlight() int {
	h.places()
	return len(h.enrolling)
}

// ReadPush decodes a push's JSON as the server does; ReadPushV1 as it did with
// encoding/json; ReadPushCompat with readPush's decoder under encoding/json's rules
// (no tightening; times read as encoding/json reads them, decodeTime), to show the
// tightenings are all that differs.
var (
	ReadPush       = readPush
	ReadPushV1     = readPushV1
	ReadPushCompat = func(in io.Reader) ([]protocol.PushItem, error) {
		return readPushWith(in, json.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv1.ReportErrorsWithLegacySemantics(false), decodeTimes))
	}
)

// DecodePush is the server's decoding of a push request; DecodePushV1 the one before
// (compress/gzip, then encoding/json).
var DecodePush = decodePush

func DecodePushV1(w http.ResponseWriter, r *http.Request) ([]protocol.PushItem, error) {
	var in io.Reader = &capped{r: newProgressBody(w, r), left: MaxBody}
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := stdgzip.NewReader(in)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		in = &capped{r: zr, left: MaxBody}
	}
	return readPushV1(in)
}

var ErrTooMany, ErrTooLarge = errTooMany, errTooLarge
