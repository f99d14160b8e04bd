// Command doorstep-server is the district's server: it receives the laptops'
// records over HTTPS, exactly once each, hands out enrolment codes, rosters and the
// leaders' decisions, and lists what the district has for its office.
//
// main is the only place that exits the process.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/office"
	"github.com/doorstep-survey/doorstep/roster"
	dsync "github.com/doorstep-survey/doorstep/sync"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot(os.Stdout, os.Stderr).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "doorstep-server:", err)
		os.Exit(1)
	}
}

type opts struct {
	data, listen, cert, key string
	dev                     bool
	office                  officeOpts
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	o := &opts{}
	root := &cobra.Command{
		Use:           "doorstep-server",
		Short:         "The district server for Doorstep laptops",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), o, stdout, stderr) },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&o.data, "data", "doorstep-server-data", "the server's data folder (its data file, certificate, admin socket)")
	f := root.Flags()
	f.StringVar(&o.listen, "listen", ":8443", "address to listen on")
	f.StringVar(&o.cert, "tls-cert", "", "the server's certificate (PEM)")
	f.StringVar(&o.key, "tls-key", "", "the certificate's key (PEM)")
	f.BoolVar(&o.dev, "dev", false, "make a self-signed certificate on first start, and print its fingerprint and an enrolment code for the demo's E001")
	addOfficeFlags(f, &o.office)
	root.AddCommand(enrollCmd(o, stdout), fingerprintCmd(o, stdout), recordsCmd(o, stdout), revokeCmd(o, stdout), rosterCmd(o, stdout),
		officeCmd(o, stdout))
	return root
}

func serve(ctx context.Context, o *opts, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	cert, key := o.cert, o.key
	if o.dev && cert == "" {
		host, _ := os.Hostname()
		var err error
		if cert, key, err = dsync.EnsureDevCert(o.data, []string{host}); err != nil {
			return fmt.Errorf("dev certificate: %w", err)
		}
	}
	if cert == "" || key == "" {
		return errors.New("give --tls-cert and --tls-key, or --dev for a self-signed certificate")
	}
	tlsCfg, err := dsync.LoadServerTLS(cert, key)
	if err != nil {
		return err
	}
	store, err := dsync.OpenStore(o.data, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	h := &dsync.Handler{Store: store, Log: log}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	fp, _ := dsync.Fingerprint(cert)
	url := "https://" + publicAddr(ln.Addr().String())
	// The office console is on the same HTTPS listener, under /office/; never on the
	// admin socket.
	console, err := newOffice(o, office.SyncSource{Store: store}, url, fp, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer console.Close()
	mux := http.NewServeMux()
	mux.Handle("/office/", console)
	mux.Handle("/", h)
	srv := &http.Server{Addr: o.listen, Handler: mux, TLSConfig: tlsCfg, ReadHeaderTimeout: 20 * time.Second,
		ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	sock := filepath.Join(o.data, dsync.AdminSocket)
	os.Remove(sock) // left by a server that was killed
	adminLn, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	os.Chmod(sock, 0o600)
	admin := &http.Server{Handler: dsync.AdminHandler(store), ReadHeaderTimeout: 10 * time.Second}
	go admin.Serve(adminLn)

	fmt.Fprintf(stdout, "doorstep-server listening on %s (data in %s)\ncertificate fingerprint: %s\noffice console: %s/office/\n", url, o.data, fp, url)
	if o.dev {
		code, err := store.AddEnrolment(dsync.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "enrol the demo's enumerator E001 on a laptop (the code works once, for a week):\n  doorstep enroll %s %s --fingerprint %s\n", url, code, fp)
	}
	log.Info("listening", "addr", ln.Addr().String(), "fingerprint", fp)
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Graceful: stop taking new connections, finish the batches in flight.
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	admin.Shutdown(sctx)
	os.Remove(sock)
	return err
}

// publicAddr is the listening address as a laptop on this machine writes it.
func publicAddr(a string) string {
	host, port, _ := net.SplitHostPort(a)
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func withAdmin(o *opts, fn func(dsync.Admin) error) error {
	a, closeFn, err := dsync.OpenAdmin(o.data)
	if err != nil {
		return err
	}
	defer closeFn()
	return fn(a)
}

func enrollCmd(o *opts, stdout io.Writer) *cobra.Command {
	var u dsync.User
	var villages string
	cmd := &cobra.Command{
		Use:   "enroll --user CODE --name NAME --role enumerator|leader --villages V1,V2|'*' [--team T]",
		Short: "Make a one-time enrolment code for a user's laptop; prints the code alone",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, v := range strings.Split(villages, ",") {
				if v = strings.TrimSpace(v); v != "" {
					u.Villages = append(u.Villages, v)
				}
			}
			return withAdmin(o, func(a dsync.Admin) error {
				code, err := a.AddEnrolment(u)
				if err != nil {
					return err
				}
				fmt.Fprintln(stdout, code)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&u.Code, "user", "", "the user's code, e.g. E001")
	f.StringVar(&u.Name, "name", "", "the user's name")
	f.StringVar(&u.Role, "role", "enumerator", "enumerator or leader")
	f.StringVar(&u.Team, "team", "", "the team")
	f.StringVar(&villages, "villages", "", "the villages the user works in, comma-separated, or '*' for the whole district")
	return cmd
}

func fingerprintCmd(o *opts, stdout io.Writer) *cobra.Command {
	var cert string
	cmd := &cobra.Command{
		Use:   "fingerprint",
		Short: "The SHA-256 fingerprint of the server's certificate, for laptops to pin",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cert == "" {
				cert = filepath.Join(o.data, dsync.DevCertFile)
			}
			fp, err := dsync.Fingerprint(cert)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, fp)
			return nil
		},
	}
	cmd.Flags().StringVar(&cert, "tls-cert", "", "the certificate (default: the dev certificate in --data)")
	return cmd
}

func recordsCmd(o *opts, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "records", Short: "What the district has"}
	var asJSON, all bool
	list := &cobra.Command{
		Use:   "list [--json] [--all]",
		Short: "The latest revision of every record (--all: every revision)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAdmin(o, func(a dsync.Admin) error {
				rows, err := a.Records(all)
				if err != nil {
					return err
				}
				if asJSON {
					if rows == nil {
						rows = []dsync.RecordRow{}
					}
					enc := json.NewEncoder(stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rows)
				}
				tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "RECEIVED\tVILLAGE\tNAME\tENUMERATOR\tSTATUS\tREVISION\tRECORD")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ReceivedAt.Local().Format("2006-01-02 15:04"), r.Village, r.Name, r.Enumerator, r.Status, r.Revision, r.RecordID)
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "a JSON array")
	list.Flags().BoolVar(&all, "all", false, "every revision, not only the latest")
	export := &cobra.Command{
		Use:   "export",
		Short: "Every stored revision in full, as a JSON array, for the district office",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAdmin(o, func(a dsync.Admin) error {
				all, err := a.Export()
				if err != nil {
					return err
				}
				if all == nil {
					all = []json.RawMessage{}
				}
				return json.NewEncoder(stdout).Encode(all)
			})
		},
	}
	cmd.AddCommand(list, export)
	return cmd
}

func revokeCmd(o *opts, stdout io.Writer) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "revoke --user CODE",
		Short: "Revoke every device token of a user (a lost or stolen laptop)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAdmin(o, func(a dsync.Admin) error {
				n, err := a.Revoke(user)
				if err == nil {
					fmt.Fprintf(stdout, "%d device tokens of %s revoked\n", n, user)
				}
				return err
			})
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "the user's code")
	return cmd
}

func rosterCmd(o *opts, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "roster", Short: "The district's roster, handed to each laptop for its villages"}
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE",
		Short: "Import the roster (.xlsx or .csv) the national system exported",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			person, err := forms.Builtin("person-2021")
			if err != nil {
				return err
			}
			res, err := roster.ParseFile(args[0], person.ReferenceDate)
			if err != nil {
				return err
			}
			return withAdmin(o, func(a dsync.Admin) error {
				if err := a.ImportRoster(res.Rows); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%d cases imported; %d rows with problems and %d duplicates left out\n", len(res.Rows), len(res.Problems), len(res.Duplicates))
				for _, p := range res.Problems {
					fmt.Fprintln(stdout, p)
				}
				return nil
			})
		},
	})
	return cmd
}
