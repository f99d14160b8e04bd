package revpack

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"io"
	"sync"
	"testing"

	kflate "github.com/klauspost/compress/flate"

	"github.com/doorstep-survey/doorstep/record"
)

// What a backend packs, the standard library's reader reads back as the revision's
// JSON, at every level the backends use, and from many goroutines sharing compressors.
func TestPackReadsBackWithTheStandardLibrary(t *testing.T) {
	rev := record.Revision{Record: record.Record{ID: "r1", Revision: 3, Subject: "41018819790824261323", Status: "completed",
		Answers: map[string]json.RawMessage{"R1": json.RawMessage(`"王芳"`), "R2": json.RawMessage(`"2"`)}}}
	want, err := rev.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range []int{kflate.BestSpeed, kflate.DefaultCompression} {
		p := New(level)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 20 {
					packed, err := p.Pack(rev)
					if err != nil {
						t.Error(err)
						return
					}
					got, err := io.ReadAll(flate.NewReader(bytes.NewReader(packed)))
					if err != nil || !bytes.Equal(got, want) {
						t.Errorf("level %d: read back %q, %v; want %q", level, got, err, want)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}
