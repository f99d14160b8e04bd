package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/protocol"
	dsync "github.com/doorstep-survey/doorstep/sync"
	"github.com/doorstep-survey/doorstep/tui"
)

func newEnrollCmd(a *app) *cobra.Command {
	var fingerprint, caFile string
	cmd := &cobra.Command{
		Use:   "enroll URL ONE-TIME-CODE [--fingerprint SHA256]",
		Short: "Enrol this laptop with the district server, for the unlocked user",
		Long: `Exchange the one-time code the district's IT officer gave (doorstep-server enroll) for a
device token, kept encrypted in the data file. Trust the server by its certificate's
fingerprint (--fingerprint, as doorstep-server prints it), by a CA file (--ca-file), or by the
system's certificates.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				c, err := dsync.NewClient(args[0], "", fingerprint, caFile)
				if err != nil {
					return err
				}
				host, _ := os.Hostname()
				keys, err := s.BundleKeys()
				if err != nil {
					return err
				}
				card := keys.Card()
				resp, err := c.EnrollUser(cmd.Context(), protocol.EnrollRequest{Code: args[1], Device: host,
					SigningKey: base64.StdEncoding.EncodeToString(card.Verify), Card: card.String()})
				if err != nil {
					return speak(a, err)
				}
				if resp.User.Code != s.User().Code {
					return fmt.Errorf("enroll: the code is for user %s, but %s is unlocked: unlock as %s", resp.User.Code, s.User().Code, resp.User.Code)
				}
				st := localstore.SyncState{Server: args[0], Fingerprint: dsync.NormalizeFingerprint(fingerprint), Token: resp.Token,
					User: resp.User.Code, ServerID: resp.ServerID, Epoch: resp.Epoch, DistrictKey: resp.DistrictKey}
				if err := s.SetSyncState(st); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "enrolled %s %s with %s (server %s); villages: %v\n", resp.User.Code, resp.User.Name, args[0], resp.ServerID, resp.User.Villages)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&fingerprint, "fingerprint", "", "the server certificate's SHA-256 fingerprint, to pin")
	cmd.Flags().StringVar(&caFile, "ca-file", "", "a CA certificate (PEM) that signed the server's certificate")
	return cmd
}

func newSyncCmd(a *app) *cobra.Command {
	var server string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sync [--server URL] [--json]",
		Short: "Send the queued records to the district server and take what it has for you, once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				fs, err := loadRegistry(a.cfg)
				if err != nil {
					return err
				}
				sy, err := newSyncer(s, server, formInbox(a.cfg, fs.reg))
				if err != nil {
					return speak(a, err)
				}
				rep, err := sy.Round(cmd.Context())
				var said []string // the refusals in the configured language, then the other notes
				for _, no := range refusals(rep) {
					said = append(said, no.Text(a.cfg.Language))
				}
				said = append(said, rep.Reasons...)
				if asJSON {
					out := map[string]any{"pushed": rep.Pushed, "duplicates": rep.Duplicates, "stale": rep.Stale,
						"rejected": rep.Rejected, "held": rep.Held, "pulled": rep.Pulled, "roster": rep.Roster, "queued": rep.Queued,
						"reasons": append([]string{}, said...), "refused": append([]dsync.Refusal{}, rep.Refused...), "bytes_sent": rep.Bytes, "forms": rep.Forms}
					if err != nil {
						out["error"] = err.Error()
					}
					enc := json.NewEncoder(a.stdout)
					enc.SetIndent("", "  ")
					enc.Encode(out)
				} else {
					fmt.Fprintf(a.stdout, "sent %d, already there %d, refused %d, held by the server %d; received %d records and %d roster cases; %d still queued\n",
						rep.Pushed, rep.Duplicates, rep.Rejected, rep.Held, rep.Pulled, rep.Roster, rep.Queued)
					if rep.Forms > 0 {
						fmt.Fprintf(a.stdout, "received %d forms from the district (new interviews use them)\n", rep.Forms)
					}
					for _, r := range said {
						fmt.Fprintln(a.stdout, r)
					}
				}
				if err != nil {
					return speak(a, err)
				}
				if rep.Rejected > 0 {
					return &exitError{code: 1}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "use this address for this run (a proxy, a new address)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// newSyncer is the sync of the unlocked user's enrolment; server, when set, replaces
// the enrolled address for this run.
// inbox is where the district's forms are kept.
func newSyncer(s *localstore.Session, server string, inbox *dsync.FormInbox) (*dsync.Syncer, error) {
	st, ok, err := s.SyncState()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, dsync.ErrNotEnrolled
	}
	if server == "" {
		server = st.Server
	}
	c, err := dsync.NewClient(server, st.Token, st.Fingerprint, "")
	if err != nil {
		return nil, err
	}
	return &dsync.Syncer{Session: s, Client: c, Forms: inbox}, nil
}

// speak is a sync failure in the configured language, as an error to print.
func speak(a *app, err error) error {
	var se *dsync.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%s (%v)", se.Message(a.cfg.Language), se.Err)
	}
	return err
}

// tuiSyncer runs rounds for the screens: it adapts the sync report to theirs, and
// answers when to try again with sync's one retry policy.
type tuiSyncer struct {
	s      *dsync.Syncer
	policy *dsync.Policy
	// forms loads the program's forms again when a round brings some; nil: never.
	forms *liveForms
}

func (t tuiSyncer) Round(ctx context.Context) (tui.SyncResult, error) {
	// The loop runs no round after a security stop until a person asks for one:
	// this round is that person acting.
	t.policy.Resume()
	rep, err := t.s.Round(ctx)
	var fs *tui.FormSet
	if t.forms != nil {
		fs = t.forms.after(&rep) // forms are kept as they come, also in a round that fails later
	}
	return tui.SyncResult{Pushed: rep.Pushed, Duplicates: rep.Duplicates, Rejected: rep.Rejected,
		Pulled: rep.Pulled + rep.Roster, Queued: rep.Queued, Refused: refusals(rep), Rejections: rep.Reasons, Forms: fs}, err
}

// refusals are the round's refused and held records as the screens say them.
func refusals(rep dsync.Report) []tui.Refusal {
	var out []tui.Refusal
	for _, no := range rep.Refused {
		out = append(out, tui.Refusal{RecordID: no.RecordID, Code: no.Code, Args: no.Args, Server: no.Server, Held: no.Held, Review: no.Review})
	}
	return out
}

func (t tuiSyncer) Next(err error) (time.Duration, bool) { return t.policy.After(err) }
