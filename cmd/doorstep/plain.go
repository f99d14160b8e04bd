package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/doorstep-survey/doorstep/plainmode"
)

// wantsPlain reports whether plain mode is chosen: --plain, DOORSTEP_PLAIN or the config
// file's plain, or ACCESSIBLE set to a true value (the convention huh and other
// command-line programs honour for screen-reader users).
func wantsPlain(a *app) bool {
	if a.cfg.PlainMode() {
		return true
	}
	v, ok := a.lookupEnv("ACCESSIBLE")
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// runPlain is the program in plain mode on the data folder dir, reading lines from
// standard input: a terminal with a screen reader, or a pipe.
func runPlain(cmd *cobra.Command, a *app, dir string) error {
	db, err := openStore(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	fs, err := resolveForms(a.cfg)
	if err != nil {
		return err
	}
	fs.warn(a.stderr)
	o := plainmode.Options{DB: db, PersonForm: fs.person, CommunityForm: fs.community, Forms: fs.reg, Lang: a.cfg.Language, In: a.stdin, Out: a.stdout}
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// At a terminal the passphrase is not echoed; through a pipe it is a line.
		o.ReadSecret = func() (string, error) {
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(a.stdout)
			return string(b), err
		}
	}
	return plainmode.Run(cmd.Context(), o)
}
