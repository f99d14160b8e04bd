package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/demo/seed"
	"github.com/doorstep-survey/doorstep/localstore"
)

func newDemoCmd(a *app) *cobra.Command {
	var o seed.Options
	var noTUI bool
	cmd := &cobra.Command{
		Use:   "demo [--data DIR] [--cases N] [--completed K] [--no-tui]",
		Short: "Make a data folder with a synthetic district to try Doorstep on",
		Long: `Make a data folder holding a synthetic district (invented people with valid,
checksummed numbers in villages of one town), users E001 (enumerator) and L001 (team
leader) with the passphrase ` + seed.Passphrase + `, and K interviews completed, signed and
queued for sync. Without --data it uses a new temporary folder; it prints the folder and
the command that opens it again. It never writes into a folder that already holds a
district.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := a.cfg.DataDir
			if !cmd.Flags().Changed("data") {
				tmp, err := os.MkdirTemp("", "doorstep-demo-")
				if err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				dir = tmp
			}
			if o.Cases < 1 || o.Completed < 0 || o.Completed > o.Cases {
				return &exitError{code: exitUsage, err: fmt.Errorf("demo: need --cases ≥ 1 and 0 ≤ --completed ≤ --cases")}
			}
			fs, err := resolveForms(a.cfg)
			if err != nil {
				return err
			}
			fs.warn(a.stderr)
			o.Form = fs.person
			db, err := localstore.Open(dir, localstore.Options{})
			if err != nil {
				return err
			}
			if has, err := db.HasUsers(); err != nil || has {
				db.Close()
				if err != nil {
					return err
				}
				return &exitError{code: 1, err: fmt.Errorf("demo: %s already holds a district: open it with `%s`, or start afresh in a new folder with `doorstep demo --data NEW-FOLDER`",
					dir, reopenCommand(dir))}
			}
			rep, err := seed.Fill(db, o)
			if cerr := db.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "demo data in %s: %d cases in %d villages of %s, %d completed and queued for sync\n",
				dir, len(rep.District.Rows), len(rep.District.Villages), rep.District.Town, rep.Completed)
			fmt.Fprintf(a.stdout, "users: %s %s (enumerator), %s %s (team leader); passphrase for both: %s\n",
				seed.Enumerator.Code, seed.Enumerator.Name, seed.Leader.Code, seed.Leader.Name, seed.Passphrase)
			// A photo of a visit to attach, unless the user has a folder of their own.
			photos := filepath.Join(dir, "photos")
			if _, err := demo.WritePhoto(photos); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "a photo of a visit to attach: %s\n", filepath.Join(photos, demo.PhotoFile))
			fmt.Fprintf(a.stdout, "to open the same data again: %s\n", reopenCommand(dir))
			if a.cfg.PhotosDir == "" {
				a.cfg.PhotosDir = photos
			}
			if noTUI {
				return nil
			}
			if wantsPlain(a) {
				return runPlain(cmd, a, dir)
			}
			err = runTUI(cmd, a, dir, [2]string{
				fmt.Sprintf("演示数据：调查员 %s、组长 %s，口令都是 %s", seed.Enumerator.Code, seed.Leader.Code, seed.Passphrase),
				fmt.Sprintf("Demo: enumerator %s, team leader %s, passphrase %s for both", seed.Enumerator.Code, seed.Leader.Code, seed.Passphrase),
			})
			if err == nil {
				// The screens took the terminal: say it again where it is seen on leaving.
				fmt.Fprintf(a.stdout, "to open the same data again: %s\n", reopenCommand(dir))
			}
			return err
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Cases, "cases", 300, "roster size")
	f.IntVar(&o.Villages, "villages", 6, "number of villages")
	f.IntVar(&o.Completed, "completed", 20, "interviews to complete, sign and queue")
	f.Int64Var(&o.Seed, "seed", 1, "random seed: the same seed gives the same district")
	f.BoolVar(&noTUI, "no-tui", false, "write the data folder and exit")
	return cmd
}

// reopenCommand is the command that opens the data folder dir on the screens, quoted
// for the system's shell when the path needs it: double quotes for cmd.exe and
// PowerShell, single quotes for a POSIX shell.
func reopenCommand(dir string) string {
	if runtime.GOOS == "windows" {
		if strings.ContainsAny(dir, " &()^;,'") {
			dir = `"` + dir + `"`
		}
	} else if strings.ContainsAny(dir, " \t'\"\\$&;|<>()*?[]#~`!{}") {
		dir = "'" + strings.ReplaceAll(dir, "'", `'\''`) + "'"
	}
	return "doorstep --data " + dir
}
