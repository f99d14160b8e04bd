package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/localstore"
)

func newRecordsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "records", Short: "The interview records on this laptop"}
	cmd.AddCommand(newRecordsExportCmd(a))
	return cmd
}

// export is everything in the file, decrypted, for backup and audit.
type export struct {
	SchemaVersion uint64                             `json:"schema_version"`
	Users         []localstore.User                  `json:"users"`
	Cases         []localstore.Case                  `json:"cases"`
	Records       []*localstore.Record               `json:"records"`
	Audit         map[string][]localstore.AuditEntry `json:"audit"`
	Outbox        []localstore.OutboxEntry           `json:"outbox"`
}

func newRecordsExportCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "export --json",
		Short: "Print everything (users, cases, records, audit chains, outbox) as JSON, decrypted",
		Long: `Print everything in the data file as one JSON object, decrypted, for a backup the
district can read or an audit. It holds personal data in the clear: keep it safe.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !asJSON {
				return &exitError{code: exitUsage, err: errors.New("records export: say --json (the only format)")}
			}
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				var ex export
				var err error
				ex.SchemaVersion = localstore.SchemaVersion()
				if ex.Users, err = s.Users(); err != nil {
					return err
				}
				if ex.Cases, err = s.Cases(localstore.CaseFilter{}); err != nil {
					return err
				}
				if ex.Records, err = s.Records(); err != nil {
					return err
				}
				ex.Audit = make(map[string][]localstore.AuditEntry, len(ex.Records))
				for _, r := range ex.Records {
					if ex.Audit[r.ID], err = s.Audit(r.ID); err != nil {
						return err
					}
				}
				items, err := s.Outbox(0)
				if err != nil {
					return err
				}
				for _, it := range items {
					ex.Outbox = append(ex.Outbox, it.OutboxEntry)
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(ex)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the data file, every record's audit chain and signatures; exit 1 on any break",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSession(a, func(db *localstore.DB, s *localstore.Session) error {
				// The records first, so a damaged one is named; then bbolt's own
				// check of every page.
				problems, err := s.Verify()
				if err != nil {
					return err
				}
				damaged := 0
				for _, p := range problems {
					fmt.Fprintln(a.stdout, p)
					if p.Damaged {
						damaged++
					}
				}
				if err := db.Check(); err != nil {
					return &exitError{code: 1, err: err}
				}
				if damaged > 0 {
					return &exitError{code: 1, err: fmt.Errorf("%w: %d records cannot be read", localstore.ErrCorrupt, damaged)}
				}
				records, err := s.Records()
				if err != nil {
					return err
				}
				if len(problems) > 0 {
					fmt.Fprintf(a.stdout, "%d problems in %d records\n", len(problems), len(records))
					return &exitError{code: 1}
				}
				fmt.Fprintf(a.stdout, "ok: %d records, every audit chain and signature holds\n", len(records))
				return nil
			})
		},
	}
}

func newBackupCmd(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the data file (still encrypted), even while Doorstep runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dest := args[0]
			if _, err := os.Stat(dest); err == nil && !force {
				return fmt.Errorf("backup: %s exists; choose another name or add --force", dest)
			}
			db, err := openStore(a)
			if err != nil {
				return err
			}
			defer db.Close()
			var n int64
			if err := db.WriteFile(dest, func(w *os.File) (err error) {
				n, err = db.Backup(w)
				return err
			}); err != nil {
				return fmt.Errorf("backup to %s: %w", dest, err)
			}
			fmt.Fprintf(a.stdout, "backed up %d bytes to %s (encrypted; restore by putting it in a data folder as %s)\n", n, dest, localstore.FileName)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace FILE if it exists")
	return cmd
}
