package pgstore

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	gosync "sync"

	kflate "github.com/klauspost/compress/flate"

	"github.com/doorstep-survey/doorstep/record"
)

// A revision's data is kept small: the record and its chain without the hashes (they
// are computed again from the entries, as on the wire, and the record's audit head still
// binds them), as JSON, deflated. A person's record of ~13 KB keeps in ~1.5 KB. What
// else a stored revision says (its case, who sent it, its receipt) is in the columns.

// packRevision is a revision's data, made before the transaction.
func packRevision(rev record.Revision) ([]byte, error) {
	scratch := jsonBufs.Get().(*[]byte)
	defer jsonBufs.Put(scratch)
	data, err := rev.AppendJSON((*scratch)[:0]) // photos left out, the chain unlinked
	if err != nil {
		return nil, err
	}
	*scratch = data
	var buf bytes.Buffer
	buf.Grow(len(data) / 3)
	var zw *kflate.Writer
	select {
	case zw = <-writers:
		zw.Reset(&buf)
	default:
		zw, _ = kflate.NewWriter(&buf, kflate.DefaultCompression)
	}
	defer func() {
		select {
		case writers <- zw:
		default:
		}
	}()
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The compressor is klauspost/compress's deflate: the same format, read back by the
// standard library's reader, in the same size, made in 61 µs for a person's record
// where compress/flate took 106 µs at the same level.
//
// A compressor holds about a megabyte of state: made once, not per revision (making
// it was a fifth of an ingest's CPU), and kept in a list of its own rather than a
// sync.Pool, which drops them at every collection. The JSON of a revision is made in a
// buffer used again.
var (
	writers  = make(chan *kflate.Writer, 8)
	jsonBufs = gosync.Pool{New: func() any { return new([]byte) }}
)

// unpackRevision opens and reads the data of the revision at seq, its chain linked
// again.
func (s *Store) unpackRevision(seq uint64, data []byte) (record.Revision, error) {
	data, err := s.c.open(colRevisionData, seqKey(seq), data)
	if err != nil {
		return record.Revision{}, fmt.Errorf("a stored revision: %w", err)
	}
	return unpackPlain(data)
}

// unpackPlain reads a revision's data once opened.
func unpackPlain(data []byte) (record.Revision, error) {
	var rev record.Revision
	zr := flate.NewReader(bytes.NewReader(data))
	defer zr.Close()
	raw, err := io.ReadAll(zr)
	if err != nil {
		return rev, fmt.Errorf("a stored revision: %w", err)
	}
	if err := json.Unmarshal(raw, &rev); err != nil {
		return rev, fmt.Errorf("a stored revision: %w", err)
	}
	record.Relink(rev.Audit)
	return rev, nil
}

// Chain hashes are kept as their bytes (migration 0006): sha256 hex strings in memory,
// as store.Held and record.Heads have them.

// hashBytes is a hash as kept; a hash that is not sha256 hex is an error (every hash the
// server stores was computed by it, so none is).
func hashBytes(h string) ([]byte, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("%q is not a sha256 hash", h)
	}
	return b, nil
}

// packHeads is a chain's hashes in order, as records.heads keeps them.
func packHeads(heads []string) ([]byte, error) {
	out := make([]byte, 0, sha256.Size*len(heads))
	for _, h := range heads {
		b, err := hashBytes(h)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// unpackHeads reads records.heads.
func unpackHeads(raw []byte) []string {
	out := make([]string, len(raw)/sha256.Size)
	for i := range out {
		out[i] = hex.EncodeToString(raw[sha256.Size*i : sha256.Size*(i+1)])
	}
	return out
}
