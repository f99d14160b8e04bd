package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/survey"
)

func newRecordsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "records", Short: "The interview records on this laptop"}
	cmd.AddCommand(newRecordsExportCmd(a), newRecordsMoveCmd(a))
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
		Short: "Check the data file, every record's audit chain and signatures, and that its form is here; exit 1 on any break",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs, err := loadRegistry(a.cfg)
			if err != nil {
				return err
			}
			fs.warn(a.stderr)
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
				// Each record is read with the form it was started with: one this laptop
				// lacks, or answers that form cannot take, is a problem too.
				for _, r := range records {
					if _, err := survey.Read(fs.reg, r, survey.About{}); err != nil {
						err = cmp.Or(errors.Unwrap(err), err) // Problem names the record itself
						problems = append(problems, localstore.Problem{RecordID: r.ID, CaseName: cmp.Or(r.Village, "—"), Msg: err.Error()})
						fmt.Fprintln(a.stdout, problems[len(problems)-1])
					}
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
			db, err := openStore(a.cfg.DataDir)
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

func newRecordsMoveCmd(a *app) *cobra.Command {
	var to, reason string
	cmd := &cobra.Command{
		Use:   "move NUMBER [--to FORM]",
		Short: "Move a case's draft to another form (next year's), saying what was kept, recoded and dropped",
		Long: `Move the draft of the case with certificate (or ID) number NUMBER to the form --to names
(default: person_form), by that form's carries block. The audit trail keeps the move and
every answer it changed; a completed record never moves.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, err := resolveForms(a.cfg)
			if err != nil {
				return err
			}
			fs.warn(a.stderr)
			target, err := fs.personOr(to)
			if err != nil {
				return err
			}
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				c, err := s.CaseByNumber(args[0])
				if err != nil {
					return fmt.Errorf("records move: %w", err)
				}
				rec, err := s.RecordFor(c.ID, target.ID, target.Carries.From...)
				if err != nil {
					return fmt.Errorf("records move: %w", err)
				}
				plan, err := survey.PlanMove(fs.reg, rec, survey.About{Row: c.Row}, target)
				if err != nil {
					return fmt.Errorf("records move: %w", err)
				}
				if _, err := s.MoveRecord(rec.ID, localstore.Move{FormID: target.ID, FormVersion: target.Version,
					Answers: plan.Answers, Summary: plan.Summary, Withdraw: plan.Withdraw, Reason: reason}); err != nil {
					return fmt.Errorf("records move: %w", err)
				}
				printMove(a, plan)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the form to move to: ID or ID@VERSION (default: person_form)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit trail")
	return cmd
}

func printMove(a *app, p *survey.MovePlan) {
	fmt.Fprintf(a.stdout, "moved from %s %s to %s %s: %d kept, %d recoded, %d dropped\n",
		p.From.ID, p.From.Version, p.To.ID, p.To.Version, len(p.Carried.Kept), len(p.Carried.Recoded), len(p.Carried.Dropped))
	for _, r := range p.Carried.Recoded {
		fmt.Fprintf(a.stdout, "  recoded %s → %s: %s → %s\n", r.From, r.To, movedAnswer(p.From.Question(r.From), r.Old), movedAnswer(p.To.Question(r.To), r.New))
	}
	for _, d := range p.Carried.Dropped {
		fmt.Fprintf(a.stdout, "  dropped %s (%v): %s\n", d.Question, d.Value, d.Reason.In(a.cfg.Language))
	}
}

func movedAnswer(q *forms.Question, v any) string {
	if q == nil {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%v %s", v, q.FormatAnswer(v, "zh"))
}
