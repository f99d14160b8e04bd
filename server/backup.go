package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	bolt "go.etcd.io/bbolt"

	"github.com/doorstep-survey/doorstep/server/store"
)

// Backer is a store whose whole data can be copied while it serves (the bbolt file).
// PostgreSQL is backed up with its own tools (pg_dump, base backups).
type Backer interface {
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

// ErrNoBackup is a store this server cannot copy itself.
var ErrNoBackup = errors.New("the data is in PostgreSQL: back it up with PostgreSQL's own tools (pg_dump -Fc, or a base backup), which a district's IT office already runs")

// BackupHandler serves GET /backup on the admin socket: the data file, copied while the
// server runs.
func BackupHandler(st store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := st.(Backer)
		if !ok {
			http.Error(w, ErrNoBackup.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		b.Backup(r.Context(), w) // a failure cuts the copy short: the client's check finds it
	})
}

// CheckBackup opens a copy read-only and checks every page of it: a copy cut short or
// damaged is said before anyone relies on it.
func CheckBackup(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("the backup %s does not open: %w", path, err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() { // read to the end: the checker waits on the channel
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return fmt.Errorf("the backup %s is damaged: %w", path, first)
		}
		if tx.Bucket([]byte("meta")) == nil {
			return fmt.Errorf("the backup %s is not a doorstep-server data file", path)
		}
		return nil
	})
}

// FetchBackup copies the running server's data file through its admin socket client c
// (a unix-socket client, as OpenOffice makes) to w.
func FetchBackup(ctx context.Context, c *http.Client, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://admin/backup", nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("the running server's admin socket: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, errors.New(string(msg))
	}
	return io.Copy(w, resp.Body)
}
