package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/roster"
)

func newRosterCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "roster", Short: "The district's list of certificate holders (底册)"}
	cmd.AddCommand(newRosterImportCmd(a))
	return cmd
}

// maxProblemsShown keeps a badly broken file's report readable; the count says the rest.
const maxProblemsShown = 50

func newRosterImportCmd(a *app) *cobra.Command {
	var formID string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a roster (.xlsx, or .csv in UTF-8 or GBK); re-importing updates cases without touching interviews",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, err := resolveForms(a.cfg)
			if err != nil {
				return err
			}
			fs.warn(a.stderr)
			f, err := fs.personOr(formID)
			if err != nil {
				return err
			}
			return withSession(a, func(db *localstore.DB, s *localstore.Session) error {
				// A large sheet the reader spills to disk goes to the data folder's
				// scratch folder, emptied at every start: it holds names and numbers.
				res, err := roster.ParseFileIn(args[0], f.ReferenceDate, db.TempDir())
				if err != nil {
					return err
				}
				rep, err := s.ImportRoster(res.Rows, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s (%s): %d rows read, %d new, %d updated, %d unchanged\n",
					args[0], res.Encoding, len(res.Rows), rep.Added, len(rep.Updated), rep.Unchanged)
				for _, u := range rep.Updated {
					fmt.Fprintf(a.stdout, "  updated 第 %d 行 %s: %s\n", u.Line, u.Name, strings.Join(u.Fields, "、"))
				}
				printProblems(a, "not imported", res.Problems)
				printProblems(a, "duplicates skipped", res.Duplicates)
				printProblems(a, "imported with a warning", res.Warnings)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&formID, "form", "", "the form whose reference date birth dates are checked against (default: person_form)")
	return cmd
}

func printProblems(a *app, what string, ps []roster.Problem) {
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(a.stdout, "%d rows %s:\n", len(ps), what)
	for i, p := range ps {
		if i == maxProblemsShown {
			fmt.Fprintf(a.stdout, "  … and %d more\n", len(ps)-maxProblemsShown)
			break
		}
		fmt.Fprintf(a.stdout, "  %s\n", p)
	}
}
