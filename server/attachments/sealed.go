package attachments

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/doorstep-survey/doorstep/server/seal"
)

// A whole photo, in a folder given a sealer, is kept sealed in segments, so that a
// download resumed at any byte (HTTP Range) opens only the segments it needs:
//
//	magic (8 bytes) | u64 big-endian: the photo's size | segment 0 | segment 1 | …
//
// Segment i is seal.Sealer.Seal("attachments/"+hash, u64(i) | u64(size), up to
// segmentSize bytes of the photo): bound to its photo, its place and the photo's size,
// so segments swapped, dropped or moved to another photo, or a size changed in the
// header, do not open. The file keeps its name (the SHA-256 of the photo's bytes):
// the name says nothing the records do not already say.
//
// Unfinished uploads (partial/) stay as the laptop sent them until they are whole and
// checked against their name, then are sealed and removed; Sweep removes those their
// owners gave up.

var magic = []byte("\x00DSEAL1\x00")

const (
	segmentSize = 64 << 10
	headerSize  = 8 + 8
)

func segKey(i, size int64) []byte {
	k := binary.BigEndian.AppendUint64(nil, uint64(i))
	return binary.BigEndian.AppendUint64(k, uint64(size))
}

// isSealed reports whether the file at path is a sealed photo, and its photo's size.
func isSealed(f *os.File) (bool, int64, error) {
	var hdr [headerSize]byte
	n, err := f.ReadAt(hdr[:], 0)
	if n < headerSize || !bytes.Equal(hdr[:8], magic) {
		if err != nil && !errors.Is(err, io.EOF) {
			return false, 0, err
		}
		return false, 0, nil
	}
	return true, int64(binary.BigEndian.Uint64(hdr[8:])), nil
}

// sealTo writes the photo read from r (size bytes) sealed to w.
func sealTo(s *seal.Sealer, hash string, size int64, r io.Reader, w io.Writer) error {
	hdr := append(bytes.Clone(magic), binary.BigEndian.AppendUint64(nil, uint64(size))...)
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, segmentSize)
	for i := int64(0); i*segmentSize < size || i == 0 && size == 0; i++ {
		n, err := io.ReadFull(r, buf[:min(segmentSize, size-i*segmentSize)])
		if err != nil {
			return fmt.Errorf("seal photo %.8s: %w", hash, err)
		}
		if _, err := w.Write(s.Seal("attachments/"+hash, segKey(i, size), buf[:n])); err != nil {
			return err
		}
		if size == 0 {
			break
		}
	}
	return nil
}

// sealedFile reads a sealed photo as the photo: Read and Seek in the photo's bytes,
// each segment opened when it is reached.
type sealedFile struct {
	f     *os.File
	s     *seal.Sealer
	hash  string
	size  int64
	pos   int64
	seg   int64 // the segment in plain, -1: none
	plain []byte
}

func (sf *sealedFile) Read(p []byte) (int, error) {
	if sf.pos >= sf.size {
		return 0, io.EOF
	}
	i := sf.pos / segmentSize
	if i != sf.seg {
		n := min(segmentSize, sf.size-i*segmentSize)
		buf := make([]byte, n+seal.Overhead)
		if _, err := sf.f.ReadAt(buf, headerSize+i*(segmentSize+seal.Overhead)); err != nil {
			return 0, fmt.Errorf("photo %.8s: %w", sf.hash, err)
		}
		plain, err := sf.s.Open("attachments/"+sf.hash, segKey(i, sf.size), buf)
		if err != nil {
			return 0, fmt.Errorf("photo %.8s: %w", sf.hash, err)
		}
		sf.seg, sf.plain = i, plain
	}
	n := copy(p, sf.plain[sf.pos-i*segmentSize:])
	sf.pos += int64(n)
	return n, nil
}

func (sf *sealedFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += sf.pos
	case io.SeekEnd:
		off += sf.size
	}
	if off < 0 {
		return sf.pos, errors.New("seek before the start of a photo")
	}
	sf.pos = off
	return off, nil
}

func (sf *sealedFile) Close() error { return sf.f.Close() }

// sealFile seals the plain photo at from into a new file beside it and renames it
// into place at the photo's path; from is removed.
func (d *Dir) sealFile(hash, from string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(d.dir, "partial"), hash+".seal-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = sealTo(d.Sealer, hash, fi.Size(), in, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("seal photo %.8s: %w", hash, err)
	}
	in.Close()
	if err := d.put(hash, tmp.Name()); err != nil {
		return err
	}
	if from != d.Path(hash) {
		os.Remove(from)
	}
	return nil
}

// SealAll seals the whole photos kept plain (a folder of an earlier version, or one
// used without a key); each is sealed beside itself and renamed over, so a photo is
// plain or sealed, never half. It says how many it sealed.
func (d *Dir) SealAll() (int, error) {
	if d.Sealer == nil {
		return 0, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	subs, err := os.ReadDir(d.dir)
	if err != nil {
		return 0, fmt.Errorf("attachments: %w", err)
	}
	n := 0
	for _, sub := range subs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(d.dir, sub.Name()))
		if err != nil {
			return n, fmt.Errorf("attachments: %w", err)
		}
		for _, e := range ents {
			if !hashRE.MatchString(e.Name()) {
				continue
			}
			path := d.Path(e.Name())
			f, err := os.Open(path)
			if err != nil {
				return n, fmt.Errorf("attachments: %w", err)
			}
			sealed, _, err := isSealed(f)
			f.Close()
			if err != nil || sealed {
				if err != nil {
					return n, fmt.Errorf("attachments: %w", err)
				}
				continue
			}
			if err := d.sealFile(e.Name(), path); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
