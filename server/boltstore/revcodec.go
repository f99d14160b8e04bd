package boltstore

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	gosync "sync"

	kflate "github.com/klauspost/compress/flate"

	"github.com/doorstep-survey/doorstep/record"
	"github.com/doorstep-survey/doorstep/server/revpack"
	"github.com/doorstep-survey/doorstep/server/store"
)

// A revision in revisions/ is kept small: its chain without the hashes (they are
// computed again from the entries, as the wire form does, and the record's audit head
// still binds them), deflated. A person's record of ~13 KB in JSON keeps in ~1.8 KB.
//
//	0x01 | u32 big-endian length of the header | header: JSON storedRaw without the
//	revision | deflate(JSON record.Revision with an unlinked chain)
//
// A value that starts with '{' is schema 1's plain JSON store.StoredRevision.
const revPacked = 0x01

// packRevision is a revision's data, made before the transaction.
var packRevision = revpack.New(kflate.BestSpeed).Pack

// readers are the standard library's deflate readers, used again.
var readers = gosync.Pool{New: func() any { return flate.NewReader(nil) }}

// storedHeader is a stored revision's fields beside the revision.
type storedHeader struct {
	Case     json.RawMessage `json:"case"`
	From     string          `json:"from"`
	Device   string          `json:"device,omitempty"`
	Received json.RawMessage `json:"received"`
	ServerID string          `json:"server_id"`
	Seq      uint64          `json:"seq"`
}

// encodeStored is the value of a stored revision: packed is packRevision's.
func encodeStored(st store.StoredRevision, packed []byte) ([]byte, error) {
	c, _ := json.Marshal(st.Case)
	at, _ := json.Marshal(st.Received)
	hdr, err := json.Marshal(storedHeader{Case: c, From: st.From, Device: st.Device, Received: at, ServerID: st.ServerID, Seq: st.Seq})
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 5+len(hdr)+len(packed))
	out = append(out, revPacked)
	out = binary.BigEndian.AppendUint32(out, uint32(len(hdr)))
	out = append(out, hdr...)
	return append(out, packed...), nil
}

// decodeStored reads a stored revision, its chain linked again.
func decodeStored(v []byte) (store.StoredRevision, error) {
	var st store.StoredRevision
	if len(v) > 0 && v[0] == '{' {
		return st, json.Unmarshal(v, &st)
	}
	if len(v) < 5 || v[0] != revPacked {
		return st, errors.New("a stored revision in an unknown form")
	}
	n := binary.BigEndian.Uint32(v[1:5])
	if uint64(n) > uint64(len(v)-5) {
		return st, errors.New("a stored revision cut short")
	}
	var hdr storedHeader
	if err := json.Unmarshal(v[5:5+n], &hdr); err != nil {
		return st, fmt.Errorf("stored revision header: %w", err)
	}
	if err := json.Unmarshal(hdr.Case, &st.Case); err != nil {
		return st, err
	}
	if err := json.Unmarshal(hdr.Received, &st.Received); err != nil {
		return st, err
	}
	st.From, st.Device, st.ServerID, st.Seq = hdr.From, hdr.Device, hdr.ServerID, hdr.Seq
	zr := readers.Get().(io.ReadCloser)
	defer readers.Put(zr)
	if err := zr.(flate.Resetter).Reset(bytes.NewReader(v[5+n:]), nil); err != nil {
		return st, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return st, fmt.Errorf("stored revision: %w", err)
	}
	if err := json.Unmarshal(data, &st.Revision); err != nil {
		return st, err
	}
	record.Relink(st.Revision.Audit)
	return st, nil
}
