// Package revpack makes a revision small for storage, the same way for every backend:
// its JSON with the chain unlinked (the hashes are computed again from the entries, as
// on the wire, and the record's audit head still binds them), deflated. A person's
// record of ~13 KB in JSON keeps in ~1.5–1.8 KB. Reading it back is the standard
// library's deflate reader; what frames the bytes is each backend's own.
package revpack

import (
	"bytes"
	gosync "sync"

	"github.com/klauspost/compress/flate"

	"github.com/doorstep-survey/doorstep/record"
)

// The compressor is klauspost/compress's deflate: the same format, read back by the
// standard library's reader, in the same size, in about half the time of
// compress/flate (a person's record: 38 µs against 71 µs at BestSpeed, 61 µs against
// 106 µs at the default level) — at ingest, compressing was a quarter of the server's
// CPU.
//
// A compressor holds about a megabyte of state: made once, not per revision, and kept
// in a list of its own rather than a sync.Pool, which drops them at every collection
// (an ingest made them again and again). The JSON of a revision is made in a buffer
// used again.
var jsonBufs = gosync.Pool{New: func() any { return new([]byte) }}

// Packer deflates revisions at one level.
type Packer struct {
	level   int
	writers chan *flate.Writer
}

// New is a packer at a flate level (flate.BestSpeed … flate.BestCompression).
func New(level int) *Packer {
	return &Packer{level: level, writers: make(chan *flate.Writer, 8)}
}

// Pack is the revision's JSON, photos left out and the chain unlinked, deflated.
func (p *Packer) Pack(rev record.Revision) ([]byte, error) {
	scratch := jsonBufs.Get().(*[]byte)
	defer jsonBufs.Put(scratch)
	data, err := rev.AppendJSON((*scratch)[:0])
	if err != nil {
		return nil, err
	}
	*scratch = data
	var buf bytes.Buffer
	buf.Grow(len(data) / 3)
	var zw *flate.Writer
	select {
	case zw = <-p.writers:
		zw.Reset(&buf)
	default:
		if zw, err = flate.NewWriter(&buf, p.level); err != nil {
			return nil, err
		}
	}
	defer func() {
		select {
		case p.writers <- zw:
		default:
		}
	}()
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
