// Command doorstep-server is the district's server: it receives the laptops'
// records over HTTPS, exactly once each, hands out enrolment codes, rosters and the
// leaders' decisions, and lists what the district has for its office.
//
// main is the only place that exits the process.
package main

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/doorstep-survey/doorstep/cleantext"
	"github.com/doorstep-survey/doorstep/protocol"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/office"
	"github.com/doorstep-survey/doorstep/roster"
	"github.com/doorstep-survey/doorstep/server"
	"github.com/doorstep-survey/doorstep/server/attachments"
	"github.com/doorstep-survey/doorstep/server/boltstore"
	"github.com/doorstep-survey/doorstep/server/metrics"
	"github.com/doorstep-survey/doorstep/server/seal"
	"github.com/doorstep-survey/doorstep/server/store"
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
	data, listen, cert, key, photos string
	database, config, metrics       string
	dataKeyFile                     string
	dev                             bool
	office                          officeOpts
	// formsDir and personForm are the district's form files and the form of new
	// person records, as the laptops' forms_dir and person_form.
	formsDir, personForm, communityForm string
}

// personForm resolves --person-form among the built-in forms and --forms-dir's; the
// files that did not load are said on w.
func (o *opts) resolvePersonForm(w io.Writer) (*forms.Form, error) {
	reg, skipped, err := forms.LoadRegistry(o.formsDir)
	if err != nil {
		return nil, err
	}
	for _, e := range skipped {
		fmt.Fprintf(w, "form file not loaded (going on without it): %v\n", e)
	}
	f, err := reg.Named(o.personForm)
	if err != nil {
		return nil, fmt.Errorf("--person-form: %w", err)
	}
	return f, nil
}

// attachments is the photos' folder: --photos, else "attachments" in the data folder.
func (o *opts) attachments() (*attachments.Dir, error) {
	dir := o.photos
	if dir == "" {
		dir = filepath.Join(o.data, "attachments")
	}
	return attachments.Open(dir)
}

// openStore opens the server's data.
func (o *opts) openStore() (store.Store, *attachments.Dir, error) {
	att, err := o.attachments()
	if err != nil {
		return nil, nil, err
	}
	url, err := o.databaseURL()
	if err != nil {
		return nil, nil, err
	}
	// The district's key signs the office console's decisions; the store checks them
	// against its public half, as laptops do.
	sealer, err := o.sealer()
	if err != nil {
		return nil, nil, err
	}
	key, err := server.ReadSigningKey(o.data, sealer)
	if err != nil {
		return nil, nil, err
	}
	district := key.Key.Public().(ed25519.PublicKey)
	att.Sealer = sealer
	var st store.Store
	if url != "" {
		st, err = openPostgres(url, district, sealer)
	} else {
		st, err = boltstore.Open(o.data, boltstore.Options{Attachments: att, District: district, Sealer: sealer})
	}
	if err != nil {
		return nil, nil, err
	}
	// Only now, the data opened with it, is the data key known to be the data's: a new
	// signing key, or the plain one of an earlier version, is sealed under it (a
	// mistyped key would have lost the district's key with it).
	if err := key.Keep(); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, att, nil
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
	pf.StringVar(&o.database, "database", "", "a PostgreSQL URL (postgres://user:password@host:5432/dbname) to keep the data in, instead of the bbolt file in --data; also "+EnvDatabase+" or database: in "+ConfigFile)
	pf.StringVar(&o.dataKeyFile, "data-key-file", "", "the server's data key (doorstep-server keygen makes one), outside --data and readable by the server's user alone; also "+seal.EnvKey+" (the key itself) or data_key_file: in "+ConfigFile)
	pf.StringVar(&o.config, "config", "", "the server's configuration file (default: "+ConfigFile+" in --data, if there is one)")
	pf.StringVar(&o.formsDir, "forms-dir", "", "also load the form files in `DIR`, besides the built-in forms")
	pf.StringVar(&o.personForm, "person-form", "person-2021", "the form of new person records: `ID` or ID@VERSION (its reference date checks the roster's birth dates)")
	pf.StringVar(&o.communityForm, "community-form", "community-2021", "the form of new village records: `ID` or ID@VERSION; laptops receive it, and --person-form, at their next sync")
	pf.StringVar(&o.photos, "photos", "", "the folder of the photos laptops upload, as files named by their SHA-256 (default: attachments in --data)")
	f := root.Flags()
	f.StringVar(&o.listen, "listen", ":8443", "address to listen on")
	f.StringVar(&o.cert, "tls-cert", "", "the server's certificate (PEM)")
	f.StringVar(&o.key, "tls-key", "", "the certificate's key (PEM)")
	f.StringVar(&o.metrics, "metrics-listen", "", "also serve /metrics and /healthz on this address (e.g. 127.0.0.1:9090), for Prometheus on the district's own network; they are always on the admin socket")
	f.BoolVar(&o.dev, "dev", false, "make a self-signed certificate and a data key ("+DevKeyFile+") in --data on first start, and print the certificate's fingerprint and an enrolment code for the demo's E001")
	addOfficeFlags(f, &o.office)
	root.AddCommand(enrollCmd(o, stdout), fingerprintCmd(o, stdout), recordsCmd(o, stdout), revokeCmd(o, stdout), rosterCmd(o, stdout),
		duplicatesCmd(o, stdout), reviewCmd(o, stdout), usersCmd(o, stdout), officeCmd(o, stdout), backupCmd(o, stdout), migrateCmd(o, stdout),
		keygenCmd(o, stdout))
	return root
}

func serve(ctx context.Context, o *opts, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	cert, key := o.cert, o.key
	if o.dev && cert == "" {
		host, _ := os.Hostname()
		var err error
		if cert, key, err = server.EnsureDevCert(o.data, []string{host}); err != nil {
			return fmt.Errorf("dev certificate: %w", err)
		}
	}
	if cert == "" || key == "" {
		return errors.New("give --tls-cert and --tls-key, or --dev for a self-signed certificate")
	}
	tlsCfg, err := server.LoadServerTLS(cert, key)
	if err != nil {
		return err
	}
	// The store first: it proves the data key before the signing key is sealed under it.
	st, att, err := o.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	shelf, err := o.formShelf(stderr)
	if err != nil {
		return err
	}
	// Photos kept plain by an earlier version are sealed before anyone is served.
	if n, err := att.SealAll(); err != nil {
		return err
	} else if n > 0 {
		log.Info("photos sealed under the data key", "count", n)
	}
	m := metrics.New()
	counted := m.Store(st)
	h := &server.Handler{Store: counted, Attachments: att, Forms: shelf, Log: log}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	fp, _ := server.Fingerprint(cert)
	url := "https://" + publicAddr(ln.Addr().String())
	// The office console is on the same HTTPS listener, under /office/, unless
	// --office-listen gives it its own; never on the admin socket.
	// admin socket.
	console, err := newOffice(o, office.StoreSource{Store: st, Attachments: att}, url, fp, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer console.Close()
	officeURL, stopOffice, err := serveOffice(o, console, tlsCfg, url, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopOffice()
	srv := server.NewHTTPServer(mountConsole(o, m.Middleware(server.Health(st, h)), console), tlsCfg, log)
	ln = server.LimitListener(ln)
	// Unfinished uploads their laptops gave up on go, now and every hour.
	sweep := func() {
		if n, err := att.Sweep(time.Now().Add(-attachments.StaleAfter)); err != nil || n > 0 {
			log.Info("stale uploads removed", "count", n, "err", err)
		}
	}
	sweep()
	sweepTick := time.NewTicker(time.Hour)
	defer sweepTick.Stop()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-sweepTick.C:
				sweep()
			}
		}
	}()
	sock := filepath.Join(o.data, server.AdminSocket)
	os.Remove(sock) // left by a server that was killed
	adminLn, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	os.Chmod(sock, 0o600)
	// The admin side: the office's commands, and the metrics, on the socket; the
	// metrics also on --metrics-listen for a Prometheus on the district's network.
	adminMux := http.NewServeMux()
	adminMux.Handle("/", server.AdminHandler(st))
	adminMux.Handle("GET /metrics", m.Handler())
	adminMux.Handle("GET /backup", server.BackupHandler(st))
	admin := &http.Server{Handler: adminMux, ReadHeaderTimeout: 10 * time.Second}
	go admin.Serve(adminLn)
	if o.metrics != "" {
		mln, err := net.Listen("tcp", o.metrics)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		mux.Handle("GET /healthz", server.Health(st, http.NotFoundHandler()))
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go msrv.Serve(mln)
		defer msrv.Close()
		log.Info("metrics", "addr", mln.Addr().String())
	}

	fmt.Fprintf(stdout, "doorstep-server listening on %s (data in %s)\ncertificate fingerprint: %s\noffice console: %s/office/\n", url, o.data, fp, officeURL)
	if o.dev {
		if err := devOffice(ctx, o, st, officeURL, stdout); err != nil {
			return err
		}
		if err := devUser(ctx, st, url, fp, stdout); err != nil {
			return err
		}
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

// devUser makes the demo's E001 and an enrolment code for it on the first start only:
// an E001 the district has (its villages, its name) is never rewritten, and no new
// code that enrols a laptop for every village is made on each start.
func devUser(ctx context.Context, st store.Store, url, fp string, stdout io.Writer) error {
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Code == "E001" {
			fmt.Fprintln(stdout, "E001 exists: doorstep-server enroll makes a code for another of its laptops")
			return nil
		}
	}
	code, err := st.AddEnrolment(ctx, protocol.User{Code: "E001", Name: "李晓梅", Role: "enumerator", Villages: []string{"*"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "enrol the demo's enumerator E001 on a laptop (the code works once, for a week):\n  doorstep enroll %s %s --fingerprint %s\n", url, code, fp)
	return nil
}

// publicAddr is the listening address as a laptop on this machine writes it.
func publicAddr(a string) string {
	host, port, _ := net.SplitHostPort(a)
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// withOffice runs fn on the server's data: the file itself when no server runs, else
// the running server's admin socket.
func withOffice(o *opts, fn func(server.Office) error) error {
	a, closeFn, err := server.OpenOffice(o.data, func() (store.Store, error) {
		st, _, err := o.openStore()
		return st, err
	})
	if err != nil {
		return err
	}
	defer closeFn()
	return fn(a)
}

func enrollCmd(o *opts, stdout io.Writer) *cobra.Command {
	var u protocol.User
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
			return withOffice(o, func(a server.Office) error {
				code, err := a.AddEnrolment(cmd.Context(), u)
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
				cert = filepath.Join(o.data, server.DevCertFile)
			}
			fp, err := server.Fingerprint(cert)
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
	var asJSON bool
	var f store.RecordFilter
	list := &cobra.Command{
		Use:   "list [--json] [--all] [--village V] [--enumerator CODE] [--case NUMBER] [--status S] [--duplicates] [--standing]",
		Short: "The latest revision of every record (--all: every revision); duplicate interviews and withdrawn records are marked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOffice(o, func(a server.Office) error {
				l := newListing(stdout, asJSON, "RECEIVED", "VILLAGE", "NAME", "ENUMERATOR", "FROM", "STATUS", "REVISION", "RECORD", "NOTE")
				f := f
				f.Limit = 1000 // a page at a time: memory stays flat
				for {
					rows, next, err := a.Records(cmd.Context(), f)
					if err != nil {
						return err
					}
					for _, r := range rows {
						err := l.add(r, func() []string {
							// Everything a laptop sent is cleaned: escape sequences, OSC 52
							// and bidi controls never reach the office's terminal.
							c := cleantext.Line
							return []string{r.ReceivedAt.Local().Format("2006-01-02 15:04"), c(r.Village), c(r.Name),
								c(r.Enumerator), c(r.From + "/" + r.Device), c(r.Status), strconv.FormatUint(r.Revision, 10), c(r.RecordID), c(note(r))}
						})
						if err != nil {
							return err
						}
					}
					if err := l.page(); err != nil {
						return err
					}
					if next == "" {
						break
					}
					f.After = next
				}
				return l.end()
			})
		},
	}
	lf := list.Flags()
	lf.BoolVar(&asJSON, "json", false, "a JSON array")
	lf.BoolVar(&f.All, "all", false, "every revision, not only the latest")
	lf.StringVar(&f.Village, "village", "", "one village's records")
	lf.StringVar(&f.Enumerator, "enumerator", "", "one enumerator's records")
	lf.StringVar(&f.Subject, "case", "", "one person's records, by certificate number")
	lf.StringVar(&f.Status, "status", "", "completed, returned or approved")
	lf.BoolVar(&f.Duplicates, "duplicates", false, "only records of a duplicate interview")
	lf.BoolVar(&f.Standing, "standing", false, "leave out withdrawn records: each person once")
	var ef store.RecordFilter
	export := &cobra.Command{
		Use:   "export [--all] [--standing] [--village V]",
		Short: "Every record in full (--all: every revision), as a JSON array written one record at a time",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOffice(o, func(a server.Office) error {
				l := newListing(stdout, true)
				if err := a.Export(cmd.Context(), ef, func(s store.StoredRevision) error { return l.add(s, nil) }); err != nil {
					return err
				}
				return l.end()
			})
		},
	}
	export.Flags().BoolVar(&ef.All, "all", false, "every revision, not only the latest")
	export.Flags().BoolVar(&ef.Standing, "standing", false, "leave out withdrawn records: each person once")
	export.Flags().StringVar(&ef.Village, "village", "", "one village's records")
	cmd.AddCommand(list, export)
	return cmd
}

// note is what a listing says of a record beyond its row.
func note(r store.RecordRow) string {
	switch {
	case r.Withdrawn != "":
		return "withdrawn 已撤销: " + r.Withdrawn
	case r.Duplicate:
		return "duplicate interview 重复调查"
	}
	return ""
}

func duplicatesCmd(o *opts, stdout io.Writer) *cobra.Command {
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "duplicates [--all] [--json]",
		Short: "Persons interviewed more than once for the same form; the district chooses which record stands",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOffice(o, func(a server.Office) error {
				groups, err := a.Duplicates(cmd.Context(), all)
				if err != nil {
					return err
				}
				if asJSON {
					if groups == nil {
						groups = []store.DuplicateGroup{}
					}
					return json.NewEncoder(stdout).Encode(groups)
				}
				if len(groups) == 0 {
					fmt.Fprintln(stdout, "no duplicate interviews 没有重复调查")
					return nil
				}
				tw := newTable(stdout, "CASE", "FORM", "NAME", "VILLAGE", "ENUMERATOR", "FROM", "STATUS", "RECEIVED", "RECORD", "DECISION")
				for _, g := range groups {
					for _, r := range g.Records {
						decision := "open 待定"
						switch {
						case g.Kept == r.RecordID:
							decision = "stands 保留"
						case g.Kept != "":
							decision = "withdrawn 已撤销: " + g.Reason
						case r.Withdrawn != "": // reopened: withdrawn until the district chooses again
							decision = "open 待定; withdrawn until chosen again 重新选择前仍撤销: " + r.Withdrawn
						}
						c := cleantext.Line
						tw.row(c(g.Subject), c(g.FormID), c(r.Name), c(r.Village), c(r.Enumerator),
							c(r.From+"/"+r.Device), c(r.Status), r.ReceivedAt.Local().Format("2006-01-02 15:04"), c(r.RecordID), c(decision))
					}
				}
				if err := tw.flush(); err != nil {
					return err
				}
				for _, g := range groups { // history: choices a new record reopened
					for _, e := range g.Earlier {
						kept := "a record 一份记录"
						if e.Kept != "" {
							kept = e.Kept + " (" + e.By + ", " + e.At.Local().Format("2006-01-02 15:04") + ")"
						}
						_, err := fmt.Fprintln(stdout, cleantext.Line("case "+g.Subject+": earlier "+kept+" stood 此前保留, reopened by a new record 新记录到达后重新待定: "+e.Reason))
						if err != nil {
							return err
						}
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "resolved ones too")
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON")
	var res store.Resolution
	resolve := &cobra.Command{
		Use:   "resolve --keep RECORD --reason TEXT",
		Short: "Keep one record of a duplicate interview; the others are withdrawn, and the reason reaches the laptops",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if res.By == "" {
				res.By = os.Getenv("USER")
			}
			return withOffice(o, func(a server.Office) error {
				g, err := a.ResolveDuplicate(cmd.Context(), res)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "record %s stands for %s; %d withdrawn: %s\n", g.Kept, g.Subject, len(g.Records)-1, g.Reason)
				return nil
			})
		},
	}
	resolve.Flags().StringVar(&res.Keep, "keep", "", "the record id that stands")
	resolve.Flags().StringVar(&res.Reason, "reason", "", "why the others are withdrawn, for the enumerators")
	resolve.Flags().StringVar(&res.By, "by", "", "who decided (default: the login name)")
	cmd.AddCommand(resolve)
	return cmd
}

// usersCmd lists the enrolled users and their laptops, with the fingerprint of each
// laptop's key card: the district reads it aloud to the enumerator, who compares it
// with the one the laptop shows, so a card sent by someone else is found.
func usersCmd(o *opts, stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "users [--json]",
		Short: "The enrolled users and their laptops, with each laptop's last push and key card fingerprint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOffice(o, func(a server.Office) error {
				users, err := a.Users(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					if users == nil {
						users = []store.UserRow{}
					}
					return json.NewEncoder(stdout).Encode(users)
				}
				tw := newTable(stdout, "USER", "NAME", "ROLE", "VILLAGES", "LAPTOP", "ENROLLED", "LAST PUSH", "STATUS", "FINGERPRINT 指纹")
				c := cleantext.Line
				for _, u := range users {
					if len(u.Devices) == 0 {
						tw.row(c(u.Code), c(u.Name), c(u.Role), c(strings.Join(u.Villages, ",")), "-", "-", "-", "not enrolled 未登记", "")
					}
					for _, d := range u.Devices {
						status, fp := "active 使用中", d.Fingerprint()
						if d.Revoked {
							status = "revoked 已吊销"
						}
						if fp == "" {
							fp = "no key card 无密钥卡"
						}
						pushed := "none yet 尚未上传"
						if !d.LastPush.IsZero() {
							pushed = d.LastPush.Local().Format("2006-01-02 15:04")
						}
						tw.row(c(u.Code), c(u.Name), c(u.Role), c(strings.Join(u.Villages, ",")), c(d.Name),
							d.Created.Local().Format("2006-01-02 15:04"), pushed, status, fp)
					}
				}
				return tw.flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON")
	return cmd
}

// openBySender says the open held records by the user who sent them, most first: an
// enumerator who invents certificate numbers fills the queue (up to
// store.MaxOpenHeld), and the district should see who at a glance rather than page
// through the rows. n is the store's count over the whole queue.
func openBySender(n map[string]int) string {
	from := slices.Collect(maps.Keys(n))
	slices.SortFunc(from, func(a, b string) int { return cmp.Or(n[b]-n[a], strings.Compare(a, b)) })
	parts := make([]string, len(from))
	total := 0
	for i, f := range from {
		parts[i] = fmt.Sprintf("%s %d", f, n[f])
		total += n[f]
	}
	return fmt.Sprintf("open 待审核: %d — by sender 按发送人: %s", total, strings.Join(parts, ", "))
}

// reviewCmd is the district's review queue: records of persons its roster does not
// know, kept out of the villages' counts until the district accepts or refuses them.
func reviewCmd(o *opts, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Records of persons the district's roster does not know, held for the district's review",
	}
	var all, asJSON bool
	list := &cobra.Command{
		Use:   "list [--all] [--json]",
		Short: "List the records held for review (open ones unless --all)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOffice(o, func(a server.Office) error {
				l := newListing(stdout, asJSON, "CASE", "NAME", "LABELLED", "ENUMERATOR", "FROM", "STATUS", "RECEIVED", "RECORD", "DECISION")
				// A page at a time (store.MaxReviewPage rows): memory stays flat however
				// many records the queue holds.
				f := store.ReviewFilter{All: all}
				var bySender map[string]int
				for {
					page, err := a.Review(cmd.Context(), f)
					if err != nil {
						return err
					}
					bySender = page.OpenBySender
					for _, it := range page.Items {
						err := l.add(it, func() []string {
							decision := "open 待审核"
							switch {
							case it.Accepted != "":
								decision = "accepted into 已归入 " + it.Accepted
							case it.Refused != "":
								decision = "refused 不予收录: " + it.Refused
							}
							c := cleantext.Line
							return []string{c(it.Subject), c(it.Name), c(it.Village), c(it.Enumerator), c(it.From + "/" + it.Device), c(it.Status),
								it.ReceivedAt.Local().Format("2006-01-02 15:04"), c(it.RecordID), c(decision)}
						})
						if err != nil {
							return err
						}
					}
					if len(page.Items) > 0 {
						if err := l.page(); err != nil {
							return err
						}
					}
					if page.Next == "" {
						break
					}
					f.After = page.Next
				}
				if asJSON {
					return l.end()
				}
				if l.n == 0 {
					fmt.Fprintln(stdout, "no records held for review 没有待审核的记录")
					return nil
				}
				fmt.Fprintln(stdout, cleantext.Line(openBySender(bySender)))
				return nil
			})
		},
	}
	list.Flags().BoolVar(&all, "all", false, "decided ones too")
	list.Flags().BoolVar(&asJSON, "json", false, "JSON")
	decide := func(use, short string, set func(d *store.ReviewDecision, v string), flag, help string) *cobra.Command {
		var d store.ReviewDecision
		var v string
		c := &cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				d.RecordID = args[0]
				set(&d, v)
				if d.By == "" {
					d.By = os.Getenv("USER")
				}
				return withOffice(o, func(a server.Office) error {
					items, err := a.DecideReview(cmd.Context(), d)
					if err != nil {
						return err
					}
					it := items[len(items)-1]
					if it.Accepted != "" {
						fmt.Fprintf(stdout, "record %s accepted into %s; %s joins the roster there\n", it.RecordID, it.Accepted, it.Subject)
					} else {
						fmt.Fprintf(stdout, "record %s refused; the enumerator's laptop is told: %s\n", it.RecordID, it.Refused)
					}
					return nil
				})
			},
		}
		c.Flags().StringVar(&v, flag, "", help)
		c.Flags().StringVar(&d.By, "by", "", "who decided (default: the login name)")
		return c
	}
	cmd.AddCommand(list,
		decide("accept RECORD --village VILLAGE", "File a held record under a village: the person joins the district's roster there",
			func(d *store.ReviewDecision, v string) { d.Village = v }, "village", "the village the person belongs to"),
		decide("refuse RECORD --reason TEXT", "Refuse a held record; the reason reaches the enumerator's laptop",
			func(d *store.ReviewDecision, v string) { d.Refuse = v }, "reason", "why, for the enumerator"))
	return cmd
}

func revokeCmd(o *opts, stdout io.Writer) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "revoke --user CODE",
		Short: "Revoke every device token of a user (a lost or stolen laptop)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOffice(o, func(a server.Office) error {
				n, err := a.Revoke(cmd.Context(), user)
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
		Use:   "log",
		Short: "The roster imports, oldest first, with what each changed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOffice(o, func(a server.Office) error {
				log, err := a.RosterLog(cmd.Context())
				if err != nil {
					return err
				}
				tw := newTable(stdout, "IMPORTED", "FILE", "BY", "ROWS", "NEW", "CHANGED", "UNCHANGED")
				for _, l := range log {
					tw.row(l.At.Local().Format("2006-01-02 15:04"), cleantext.Line(l.File), cleantext.Line(l.By),
						strconv.Itoa(l.Rows), strconv.Itoa(l.New), strconv.Itoa(l.Changed), strconv.Itoa(l.Unchanged))
				}
				return tw.flush()
			})
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE",
		Short: "Import the roster (.xlsx or .csv) the national system exported",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			person, err := o.resolvePersonForm(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			res, err := roster.ParseFile(args[0], person.ReferenceDate)
			if err != nil {
				return err
			}
			return withOffice(o, func(a server.Office) error {
				if _, err := a.ImportRoster(cmd.Context(), res.Rows, store.RosterImport{File: filepath.Base(args[0]), By: os.Getenv("USER")}); err != nil {
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
