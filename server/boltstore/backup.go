package boltstore

import (
	"context"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the data file to w while the server runs: one
// read transaction, so laptops' pushes go on meanwhile and land in the next backup.
// The copy is a data file like the original: restored by putting it in place of
// server.db (it opens with the same server id and epoch).
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(ctxWriter{ctx, w})
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up the data file: %w", err)
	}
	return n, nil
}

// ctxWriter stops a copy when its context ends (the office's command interrupted).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
