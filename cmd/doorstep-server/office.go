package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/doorstep-survey/doorstep/demo"
	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/office"
	"github.com/doorstep-survey/doorstep/server/store"
)

// officeOpts are the console's settings on the serve command.
type officeOpts struct {
	unit                    string
	start, collect, reports string
	idle                    time.Duration
	listen                  string // its own address, or "" for the server's
}

func addOfficeFlags(f *pflag.FlagSet, o *officeOpts) {
	f.StringVar(&o.unit, "unit", "区残联", "who reports, printed on every report of the office console (e.g. 某某区残联)")
	f.StringVar(&o.start, "collection-start", "", "first day of collection, YYYY-MM-DD (default: 20 September of the form's year)")
	f.StringVar(&o.collect, "collection-end", "", "last day of collection, YYYY-MM-DD (default: 25 October)")
	f.StringVar(&o.reports, "reports-due", "", "the day reports are due, YYYY-MM-DD (default: 30 October)")
	f.DurationVar(&o.idle, "office-idle", office.DefaultIdle, "sign an office session out after this long unused")
	f.StringVar(&o.listen, "office-listen", "", "serve the office console on this address of its own (HTTPS, the same certificate) instead of under /office/ of --listen")
}

// newOffice makes the console for the server's store, with the person form the
// roster import uses.
func newOffice(o *opts, src office.Source, url, fingerprint string, log *slog.Logger) (*office.Handler, error) {
	// The forms the laptops use (--forms-dir, --person-form): each record is read with
	// its own, and the person form's year sets the default deadlines.
	reg, _, err := forms.LoadRegistry(o.formsDir)
	if err != nil {
		return nil, err
	}
	person, err := reg.Named(o.personForm)
	if err != nil {
		return nil, fmt.Errorf("--person-form: %w", err)
	}
	start, deadlines := office.DefaultDeadlines(person.ReferenceDate)
	for _, d := range []struct {
		flag string
		set  func(time.Time)
	}{
		{o.office.start, func(t time.Time) { start = t }},
		{o.office.collect, func(t time.Time) { deadlines[0].Date = t }},
		{o.office.reports, func(t time.Time) { deadlines[1].Date = t }},
	} {
		if d.flag == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.flag, time.FixedZone("CST", 8*3600))
		if err != nil {
			return nil, fmt.Errorf("office deadlines: %q is not a date YYYY-MM-DD", d.flag)
		}
		d.set(t)
	}
	signer, err := o.signingKey()
	if err != nil {
		return nil, err
	}
	return office.New(office.Options{Dir: o.data, Source: src, PersonForm: person, Unit: o.office.unit, Signer: signer,
		Forms: reg,
		Start: start, Deadlines: deadlines, Idle: o.office.idle, EnrolURL: url, Fingerprint: fingerprint, Log: log})
}

func officeCmd(o *opts, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "office", Short: "The office console's accounts"}
	var user, name, role, towns string
	var numbers bool
	add := &cobra.Command{
		Use:   "add --user U --name N --role district|town [--towns T1,T2] [--see-numbers]",
		Short: "Add an office account; the passphrase is read from standard input",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pass, err := readPassphrase(cmd.InOrStdin(), stdout)
			if err != nil {
				return err
			}
			var ts []string
			for _, t := range strings.Split(towns, ",") {
				if t = strings.TrimSpace(t); t != "" {
					ts = append(ts, t)
				}
			}
			a, err := office.NewAccount(user, name, office.Role(role), ts, pass, office.DefaultKDF, time.Now())
			if err != nil {
				return err
			}
			a.SeeNumbers = numbers
			if err := office.AddAccount(o.data, a); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "office account %s (%s) added\n", a.User, a.Role)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&user, "user", "", "the login name")
	f.StringVar(&name, "name", "", "the person's name")
	f.StringVar(&role, "role", "town", "district (every town) or town (--towns only)")
	f.StringVar(&towns, "towns", "", "a town account's towns (乡镇/街道 names or 9-digit codes), comma-separated")
	f.BoolVar(&numbers, "see-numbers", false, "the account may ask to see full certificate and ID numbers")
	cmd.AddCommand(add)
	return cmd
}

// readPassphrase reads one line from standard input; at a terminal, without echo.
func readPassphrase(in io.Reader, out io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(out, "passphrase: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(out)
		return string(b), err
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// devOfficePassphrase is the demo office accounts' passphrase, printed by --dev.
const devOfficePassphrase = "demo-office-1234"

// devOffice readies a development server for the console: the demo district's roster
// (the one `doorstep demo` makes with its defaults) when the server has none, and two
// office accounts — the district's and the first town's — when there are none.
func devOffice(ctx context.Context, o *opts, st store.Store, url string, stdout io.Writer) error {
	log, err := st.RosterLog(ctx)
	if err != nil {
		return err
	}
	d := demo.Generate(demo.Options{Seed: 1})
	if len(log) == 0 {
		if _, err := st.ImportRoster(ctx, d.Rows, store.RosterImport{At: time.Now().UTC(), By: "--dev", File: "demo"}); err != nil {
			return err
		}
	}
	acc, err := office.OpenAccounts(o.data, nil)
	if err != nil {
		return err
	}
	if _, ok := acc.Get("qu"); ok {
		return nil
	}
	for _, a := range []struct {
		user, name string
		role       office.Role
		towns      []string
	}{{"qu", "区残联（演示）", office.RoleDistrict, nil}, {"zhen", d.Town + "（演示）", office.RoleTown, []string{d.Town}}} {
		x, err := office.NewAccount(a.user, a.name, a.role, a.towns, devOfficePassphrase, office.DefaultKDF, time.Now())
		if err != nil {
			return err
		}
		x.SeeNumbers = a.role == office.RoleDistrict
		if err := office.AddAccount(o.data, x); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "office console %s/office/ — user qu (district) or zhen (%s), passphrase %s\n", url, d.Town, devOfficePassphrase)
	return nil
}

// mountConsole is the server's handler: the laptops' API, and the console under /office/
// when it has no listener of its own.
func mountConsole(o *opts, api http.Handler, console *office.Handler) http.Handler {
	if o.office.listen != "" {
		return api
	}
	mux := http.NewServeMux()
	mux.Handle("/office/", console)
	mux.Handle("/", api)
	return mux
}

// serveOffice starts the console's own HTTPS listener when --office-listen asks for one,
// and says where the console is; stop shuts it down.
func serveOffice(o *opts, console *office.Handler, tlsCfg *tls.Config, serverURL string, log *slog.Logger) (url string, stop func(), err error) {
	if o.office.listen == "" {
		return serverURL, func() {}, nil
	}
	ln, err := net.Listen("tcp", o.office.listen)
	if err != nil {
		return "", nil, fmt.Errorf("--office-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/office/", console)
	// A config of its own: each http.Server adds its protocols (h2) to the config it is
	// given, so two servers sharing one write it at once (the race detector caught it).
	srv := &http.Server{Handler: mux, TLSConfig: tlsCfg.Clone(), ReadHeaderTimeout: 20 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go srv.ServeTLS(ln, "", "")
	return "https://" + publicAddr(ln.Addr().String()), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
