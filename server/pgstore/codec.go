package pgstore

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"

	"github.com/doorstep-survey/doorstep/record"
)

// A revision's data is kept small: the record and its chain without the hashes (they
// are computed again from the entries, as on the wire, and the record's audit head still
// binds them), as JSON, deflated. A person's record of ~13 KB keeps in ~1.5 KB. What
// else a stored revision says (its case, who sent it, its receipt) is in the columns.

// packRevision is a revision's data, made before the transaction.
func packRevision(rev record.Revision) ([]byte, error) {
	rev.Photos = nil
	rev.Audit = record.Unlinked(rev.Audit)
	var buf bytes.Buffer
	zw, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(zw).Encode(rev); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

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
