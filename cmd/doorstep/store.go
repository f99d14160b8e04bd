package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/doorstep-survey/doorstep/localstore"
)

// openStore opens the data file of the data folder dir (the configured one, or the
// demo's).
func openStore(dir string) (*localstore.DB, error) {
	db, err := localstore.Open(dir, localstore.Options{})
	if err != nil {
		if errors.Is(err, localstore.ErrAlreadyOpen) {
			return nil, fmt.Errorf("%w: close it first, or use another --data folder", err)
		}
		return nil, err
	}
	return db, nil
}

// unlock opens a session as DOORSTEP_USER with DOORSTEP_PASSPHRASE, or asks at a terminal.
func unlock(a *app, db *localstore.DB) (*localstore.Session, error) {
	code, hasCode := a.lookupEnv("DOORSTEP_USER")
	pass, hasPass := a.lookupEnv("DOORSTEP_PASSPHRASE")
	if !hasCode || !hasPass {
		fd, ok := terminalFD(a.stdin)
		if !ok {
			return nil, errors.New("unlock: set DOORSTEP_USER and DOORSTEP_PASSPHRASE, or run at a terminal to be asked")
		}
		if !hasCode {
			fmt.Fprint(a.stderr, "用户代码 (user code): ")
			line, err := bufio.NewReader(a.stdin).ReadString('\n')
			if err != nil {
				return nil, fmt.Errorf("unlock: %w", err)
			}
			code = strings.TrimSpace(line)
		}
		if !hasPass {
			p, err := askPassphrase(a, fd, "口令 (passphrase): ")
			if err != nil {
				return nil, err
			}
			pass = p
		}
	}
	s, err := db.Unlock(code, pass)
	if err != nil {
		return nil, fmt.Errorf("unlock as %s: %w", code, err)
	}
	return s, nil
}

// terminalFD returns the file descriptor of r when it is a terminal.
func terminalFD(r io.Reader) (int, bool) {
	f, ok := r.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

func askPassphrase(a *app, fd int, prompt string) (string, error) {
	fmt.Fprint(a.stderr, prompt)
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	return string(p), nil
}

// withSession opens the store, unlocks it and runs fn, closing the store after.
func withSession(a *app, fn func(db *localstore.DB, s *localstore.Session) error) error {
	db, err := openStore(a.cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := unlock(a, db)
	if err != nil {
		return err
	}
	return fn(db, s)
}
