package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/pgstore"
	"github.com/doorstep-survey/doorstep/server/store"
)

func migrateCmd(o *opts, stdout io.Writer) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "migrate [--to postgres://…]",
		Short: "Move the district's data from the bbolt file to PostgreSQL, checked count by count and hash by hash",
		Long: "Move the district's data from the bbolt file in --data to PostgreSQL (--to, else --database,\n" +
			EnvDatabase + " or database: in " + ConfigFile + "). Stop the server first. Everything moves as it\n" +
			"is — the server's id, the laptops' tokens, cursors and receipts — so the laptops notice nothing.\n" +
			"Interrupted, run it again: it goes on where it stopped. The server refuses to serve from the\n" +
			"database until the move has been checked. Photos stay files in the attachments folder.\n" +
			"The bbolt file is only read: keep it as the backup of the day of the move.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url := to
			if url == "" {
				var err error
				if url, err = o.databaseURL(); err != nil {
					return err
				}
			}
			if url == "" {
				return errors.New("say where to: --to postgres://user:password@host:5432/dbname (or --database)")
			}
			file := filepath.Join(o.data, boltstore.File)
			if _, err := os.Stat(file); err != nil {
				return fmt.Errorf("no bbolt data file to move in %s: %w", o.data, err)
			}
			sealer, err := o.sealer()
			if err != nil {
				return err
			}
			// Opening the file brings it to this program's schema (sealed under the
			// key), and says when a server holds it.
			bs, err := boltstore.Open(o.data, boltstore.Options{Sealer: sealer})
			if errors.Is(err, store.ErrBusy) {
				return errors.New("a doorstep-server is running on " + o.data + ": stop it first, so that nothing arrives during the move")
			}
			if err != nil {
				return err
			}
			bs.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			ps, err := pgstore.Open(ctx, url, pgstore.Options{Migrating: true, Sealer: sealer})
			cancel()
			if err != nil {
				return err
			}
			defer ps.Close()
			rep, err := ps.FromBolt(cmd.Context(), file, func(what string) { fmt.Fprintln(stdout, what) })
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "\tBBOLT\tPOSTGRESQL")
			for _, c := range rep.Counts {
				fmt.Fprintf(tw, "%s\t%d\t%d\n", c.What, c.Bolt, c.Here)
			}
			tw.Flush()
			fmt.Fprintf(stdout, "%d revisions and roster cases compared by SHA-256: all equal.\n"+
				"Moved: server %s, epoch %s. Start the server with --database (or database: in %s);\n"+
				"keep %s as the backup of the day of the move.\n", rep.Hashed, rep.ServerID, rep.Epoch, ConfigFile, file)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the PostgreSQL database to move to (postgres://user:password@host:5432/dbname)")
	return cmd
}
