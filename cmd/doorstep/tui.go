package main

import (
	"context"
	"errors"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/doorstep-survey/doorstep/config"
	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/speech"
	dsync "github.com/doorstep-survey/doorstep/sync"
	"github.com/doorstep-survey/doorstep/tui"
)

// runTUI opens the screens on the data folder dir until the user quits.
func runTUI(cmd *cobra.Command, a *app, dir string, notice [2]string) error {
	in, ok := a.stdin.(*os.File)
	out, ok2 := a.stdout.(*os.File)
	if !ok || !ok2 || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return errors.New("the screens need a terminal; for scripts use the subcommands (doorstep --help)")
	}
	db, err := openStore(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	has, err := db.HasUsers()
	if err != nil {
		return err
	}
	codes, err := db.UserCodes()
	if err != nil {
		return err
	}
	fs, err := resolveForms(a.cfg)
	if err != nil {
		return err
	}
	fs.warn(a.stderr)
	if notice[0] == "" {
		notice = fs.notice()
	}
	env := &tui.Env{
		DB: db, PersonForm: fs.person, CommunityForm: fs.community, Forms: fs.reg, Lang: a.cfg.Language, Keys: tui.DefaultKeyMap(),
		Styles: tui.StylesFor(a.cfg.Theme, lipgloss.HasDarkBackground(in, out)), Notice: notice,
		Speech:    speech.New(),
		PhotosDir: a.cfg.PhotosDir, RosterDir: a.cfg.RosterDir, ReportsDir: a.cfg.ReportsDir,
		LockAfter: a.cfg.LockAfter(),
	}
	// A reports folder chosen on the screens (asked when there is no Documents folder)
	// is remembered in the config file, so it is asked once.
	if file, err := config.FileFor(cmd.Flags(), a.lookupEnv); err == nil && file != "" {
		env.RememberReportsDir = func(dir string) error { return config.Remember(file, "reports_dir", dir) }
	}
	// Sync runs outside the model, for whoever unlocked; the screens learn of it by
	// messages sent to the program.
	sessions := make(chan *localstore.Session, 1)
	trigger := make(chan struct{}, 1)
	env.SyncNow = func() {
		select {
		case trigger <- struct{}{}:
		default:
		}
	}
	env.SessionChanged = func(s *localstore.Session) {
		select {
		case <-sessions: // an older one not yet taken: the newest wins
		default:
		}
		sessions <- s
	}
	p := tea.NewProgram(tui.New(env, has, codes), tea.WithContext(cmd.Context()), tea.WithInput(in), tea.WithOutput(out))
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	go superviseSync(ctx, sessions, trigger, formInbox(a.cfg, fs.reg), newLiveForms(a.cfg), p.Send)
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && cmd.Context().Err() != nil {
		return cmd.Context().Err()
	}
	return err
}

// superviseSync runs the sync loop for the latest unlocked user: a new user stops the
// previous loop; a laptop not enrolled for them runs none, and the screens say so.
// The forms a round brings reach the screens with its result (live).
func superviseSync(ctx context.Context, sessions <-chan *localstore.Session, trigger <-chan struct{}, inbox *dsync.FormInbox, live *liveForms, send func(tea.Msg)) {
	stop := func() {}
	defer func() { stop() }()
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-sessions:
			stop()
			sy, err := newSyncer(s, "", inbox)
			if err != nil {
				send(tui.SyncConfigMsg{})
				stop = func() {}
				continue
			}
			send(tui.SyncConfigMsg{Server: sy.Client.Base})
			loopCtx, cancel := context.WithCancel(ctx)
			stop = cancel
			go tui.SyncLoop(loopCtx, tuiSyncer{sy, dsync.RoundPolicy(5 * time.Minute), live}, 5*time.Minute, trigger, send)
		}
	}
}
