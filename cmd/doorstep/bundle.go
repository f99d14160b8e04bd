package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/bundle"
	"github.com/doorstep-survey/doorstep/localstore"
)

func newKeysCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Key cards for bundles: show yours, add the team's and the district's",
		Long: `A bundle (doorstep bundle) is sealed to the key cards kept on the laptop and opened only
if its sender's card is kept too. Each team member shows their card (doorstep keys show > card.txt),
the cards are put on every laptop of the team (doorstep keys add card.txt), and people
compare the fingerprints aloud.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print your key card (one line) and its fingerprint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				k, err := s.BundleKeys()
				if err != nil {
					return err
				}
				c := k.Card()
				fmt.Fprintf(a.stdout, "# %s %s, fingerprint %s\n%s\n", c.Code, c.Name, c.Fingerprint(), c)
				return nil
			})
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "add FILE",
		Short: "Keep the key cards in FILE (one a line) for bundles",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readSmall(args[0], 1<<20)
			if err != nil {
				return err
			}
			cards, perr := bundle.ParseCards(string(data))
			if len(cards) == 0 {
				if perr == nil {
					perr = fmt.Errorf("%s holds no key card", args[0])
				}
				return &exitError{code: exitUsage, err: perr}
			}
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				for _, c := range cards {
					if err := s.TrustCard(c); err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "kept: %s %s (%s), fingerprint %s\n", c.Code, c.Name, c.Role, c.Fingerprint())
				}
				if perr != nil {
					return &exitError{code: 1, err: perr}
				}
				return nil
			})
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "The key cards kept on this laptop",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				cards, err := s.Cards()
				if err != nil {
					return err
				}
				for _, c := range cards {
					fmt.Fprintf(a.stdout, "%-8s %-10s %s  %s\n", c.Code, c.Role, c.Fingerprint(), c.Name)
				}
				return nil
			})
		},
	})
	return cmd
}

func newBundleCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle",
		Short: "Hand records over on a USB stick, on days with no signal",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "export FILE",
		Short: "Write your completed records (or a leader's decisions) into one sealed, signed file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSession(a, func(db *localstore.DB, s *localstore.Session) error {
				// Written beside the target and renamed: a stick pulled out mid-write
				// leaves the old file or none, never half a bundle.
				var n int
				if err := db.WriteFile(args[0], func(w *os.File) (err error) {
					n, err = s.ExportBundle(w)
					return err
				}); err != nil {
					return fmt.Errorf("bundle export: %w", err)
				}
				fmt.Fprintf(a.stdout, "%d records sealed into %s\n", n, args[0])
				return nil
			})
		},
	})
	var asJSON bool
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Take in a bundle from a team member: each record once, tampered ones refused",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("bundle import: %w", err)
			}
			defer f.Close()
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				info, items, err := s.ImportBundle(f)
				if err != nil {
					return err
				}
				counts := map[localstore.ReceiveResult]int{}
				for _, it := range items {
					counts[it.Result]++
				}
				if asJSON {
					enc := json.NewEncoder(a.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(map[string]any{"from": info.From.Code, "created": info.Created,
						"stored": counts[localstore.Received], "duplicates": counts[localstore.Duplicate],
						"stale": counts[localstore.Stale], "rejected": counts[localstore.Rejected], "records": items})
				}
				fmt.Fprintf(a.stdout, "bundle from %s %s, sealed %s\n", info.From.Code, info.From.Name, info.Created.Local().Format("2006-01-02 15:04"))
				for _, it := range items {
					if it.Result == localstore.Rejected {
						fmt.Fprintf(a.stdout, "rejected record %s: %s\n", it.RecordID, it.Reason)
					}
				}
				fmt.Fprintf(a.stdout, "%d stored, %d already here, %d older than here, %d rejected\n",
					counts[localstore.Received], counts[localstore.Duplicate], counts[localstore.Stale], counts[localstore.Rejected])
				if counts[localstore.Rejected] > 0 {
					return &exitError{code: 1}
				}
				return nil
			})
		},
	}
	imp.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.AddCommand(imp)
	return cmd
}

// readSmall reads a file a person hands the program, refusing one far too large for
// what it should be.
func readSmall(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes: too large for what it should hold", path, fi.Size())
	}
	return os.ReadFile(path)
}
