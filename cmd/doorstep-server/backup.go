package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/atomicfile"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/store"
)

func backupCmd(o *opts, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the bbolt data file to FILE, while the server runs; the copy is checked page by page",
		Long: "Copy the bbolt data file to FILE, while the server runs (laptops' pushes go on meanwhile).\n" +
			"Restore by stopping the server and putting the copy in place of server.db in --data.\n" +
			"The copy is encrypted as the file is: it opens only with the server's data key, which is\n" +
			"kept apart from it (--data-key-file); keep a copy of the key where the backups are not.\n" +
			"Photos are files in the attachments folder: copy that folder too (any file copy will do;\n" +
			"a photo's name is its SHA-256, so a copy is checked by its name).\n" +
			"On PostgreSQL, back up with PostgreSQL's own tools (pg_dump).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if url, err := o.databaseURL(); err != nil {
				return err
			} else if url != "" {
				return server.ErrNoBackup
			}
			if _, err := os.Stat(filepath.Join(o.data, boltstore.File)); err != nil {
				return fmt.Errorf("no data file to back up in %s: %w", o.data, err)
			}
			var n int64
			err := atomicfile.Write(args[0], func(f *os.File) error {
				var err error
				n, err = backup(cmd.Context(), o, f)
				if err == nil {
					err = f.Sync() // before the check reads the file back by name
				}
				if err == nil {
					err = server.CheckBackup(f.Name())
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("write %s: %w", args[0], err)
			}
			fmt.Fprintf(stdout, "%s: %d bytes, checked\n", args[0], n)
			return nil
		},
	}
}

// backup copies the data file itself when no server holds it, else through the
// running server's admin socket.
func backup(ctx context.Context, o *opts, w io.Writer) (int64, error) {
	sealer, err := o.sealer()
	if err != nil {
		return 0, err
	}
	st, err := boltstore.Open(o.data, boltstore.Options{Sealer: sealer})
	if err == nil {
		defer st.Close()
		return st.Backup(ctx, w)
	}
	if !errors.Is(err, store.ErrBusy) {
		return 0, err
	}
	sock := filepath.Join(o.data, server.AdminSocket)
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	return server.FetchBackup(ctx, c, w)
}
