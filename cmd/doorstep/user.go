package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/localstore"
)

func newUserCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage the local users of this laptop"}
	cmd.AddCommand(newUserAddCmd(a), newUserListCmd(a))
	return cmd
}

func newUserAddCmd(a *app) *cobra.Command {
	var u localstore.User
	var role, villages string
	cmd := &cobra.Command{
		Use:   "add --code C --name N --role enumerator|leader [--team T] [--villages V1,V2]",
		Short: "Add a local user; the first user of a new data folder needs no unlock, later ones a team leader's",
		Long: `Add a local user. The new user's passphrase is read from standard input when it is
not a terminal (one line), or asked twice at a terminal. The first user of a new data
folder is created without unlocking; later users need an unlocked team leader
(DOORSTEP_USER and DOORSTEP_PASSPHRASE, or asked).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u.Role = localstore.Role(role)
			u.Name, u.Team = cleantext.Line(u.Name), cleantext.Line(u.Team)
			for _, v := range strings.Split(villages, ",") {
				if v = cleantext.Line(v); v != "" {
					u.Villages = append(u.Villages, v)
				}
			}
			db, err := openStore(a.cfg.DataDir)
			if err != nil {
				return err
			}
			defer db.Close()
			has, err := db.HasUsers()
			if err != nil {
				return err
			}
			var leader *localstore.Session
			if has {
				if leader, err = unlock(a, db); err != nil {
					return err
				}
			}
			pass, err := newPassphrase(a)
			if err != nil {
				return err
			}
			if has {
				err = leader.AddUser(u, pass)
			} else {
				_, err = db.Setup(u, pass)
			}
			if err != nil {
				return fmt.Errorf("add user: %w", err)
			}
			fmt.Fprintf(a.stdout, "added %s %s (%s)\n", u.Code, u.Name, u.Role)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&u.Code, "code", "", "user code, e.g. E001 (required)")
	f.StringVar(&u.Name, "name", "", "the user's name (required)")
	f.StringVar(&role, "role", "", "enumerator or leader (required)")
	f.StringVar(&u.Team, "team", "", "team name")
	f.StringVar(&villages, "villages", "", "villages the user works in, comma-separated")
	for _, name := range []string{"code", "name", "role"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// newPassphrase reads the new user's passphrase: twice at a terminal, else one line.
func newPassphrase(a *app) (string, error) {
	if fd, ok := terminalFD(a.stdin); ok {
		p1, err := askPassphrase(a, fd, "新用户口令 (new passphrase): ")
		if err != nil {
			return "", err
		}
		p2, err := askPassphrase(a, fd, "再输入一次 (again): ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", errors.New("the two passphrases differ")
		}
		return p1, nil
	}
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("the new user's passphrase is read from standard input: none was given")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func newUserListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the local users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				users, err := s.Users()
				if err != nil {
					return err
				}
				for _, u := range users {
					fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%s\t%s\n", u.Code, u.Name, u.Role, u.Team, strings.Join(u.Villages, ","))
				}
				return nil
			})
		},
	}
}
