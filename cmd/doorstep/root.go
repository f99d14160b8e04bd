package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/config"
	"github.com/doorstep-survey/doorstep/localstore"
)

// version is set at build time:
//
//	go build -ldflags "-X main.version=2025.1" ./cmd/doorstep
var version = "dev"

// app is what every command shares: the configuration, loaded once flags are
// parsed, and where output goes.
type app struct {
	cfg            config.Config
	lookupEnv      func(string) (string, bool) // the environment, for config.Load
	stdin          io.Reader
	stdout, stderr io.Writer

	// parsed is set once cobra has found the command and parsed its flags
	// and arguments. An error before that is a usage mistake.
	parsed bool
}

// exitError is returned by a command to choose the exit code. err is printed
// as "doorstep: err"; it may be nil when the command has already printed
// what it needed to (such as a list of findings).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Exit codes of run besides a command's own.
const (
	exitFailure     = 1   // a command failed
	exitUsage       = 2   // bad flags, arguments or command name, as the flag package
	exitInterrupted = 130 // Ctrl-C: 128 + SIGINT, as shells report it
)

// skipConfig is an annotation for commands that must work whatever the
// configuration says, so that a broken config file cannot hide them.
const skipConfig = "doorstep:skip-config"

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "doorstep",
		Short: "Doorstep: the survey of certified persons with disabilities, at the door",
		Long: `Doorstep is the enumerators' and team leaders' program for the annual survey
of certified persons with disabilities (全国持证残疾人基本状况调查). It works
offline on the laptop and sends completed records to the district later.

Settings come from flags, DOORSTEP_* environment variables and a config file
(see config.example.yaml), in that order of strength.`,
		// execute prints errors, and usage only for mistakes in the command line.
		SilenceErrors: true,
		SilenceUsage:  true,
		// Enumerators read this help; shell completion is for IT staff.
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: true},
		// A subcommand must not set its own PersistentPreRun(E): cobra runs
		// only the nearest one, so the configuration would not be loaded.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.parsed = true
			if !needsConfig(cmd) {
				return nil
			}
			cfg, err := config.Load(cmd.Flags(), a.lookupEnv)
			if err != nil {
				return err
			}
			a.cfg = cfg
			return nil
		},
	}
	// Plain `doorstep` opens the screens.
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		if wantsPlain(a) {
			return runPlain(cmd, a, a.cfg.DataDir)
		}
		return runTUI(cmd, a, a.cfg.DataDir, [2]string{})
	}
	root.Args = cobra.NoArgs
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	config.AddFlags(root.PersistentFlags())

	// ── Subcommands: add each one here, one line each (newXxxCmd(a),). ──
	root.AddCommand(
		newVersionCmd(a),
		newFormsCmd(a),
		newUserCmd(a),
		newCasesCmd(a),
		newRecordsCmd(a),
		newVerifyCmd(a),
		newBackupCmd(a),
		newDemoCmd(a),
		newRosterCmd(a),
		newKeysCmd(a),
		newBundleCmd(a),
		newReportCmd(a),
		newEnrollCmd(a),
		newSyncCmd(a),
	)
	return root
}

// needsConfig reports whether cmd works with the survey and so needs the
// configuration. Help, version and completion scripts do not, and must work
// even with a broken config file: that is when people look for help.
func needsConfig(cmd *cobra.Command) bool {
	if _, ok := cmd.Annotations[skipConfig]; ok {
		return false
	}
	// cobra's own commands, which cannot carry the annotation: "help" and
	// "completion bash" (the hidden __complete does load it, so completing
	// can use the configured forms).
	for c := cmd; c.HasParent(); c = c.Parent() {
		if !c.Parent().HasParent() && (c.Name() == "help" || c.Name() == "completion") {
			return false
		}
	}
	return true
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print the version of doorstep and of Go it was built with",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{skipConfig: ""},
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(a.stdout, "doorstep %s (%s, %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// buildVersion is version, or when that was not set, the module version the
// go command recorded (set by go install …@v1.2.3).
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}

// run runs doorstep with args (without the program name) and returns the
// exit code. It is main without the process: tests call it.
func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{lookupEnv: lookupEnv, stdin: stdin, stdout: stdout, stderr: stderr}
	return execute(ctx, a, newRootCmd(a), args)
}

// execute runs root, which newRootCmd built for a, and turns its error into
// an exit code and a message on a.stderr.
// restoreAdvice says what to do with a damaged data file, in the configured language.
func restoreAdvice(a *app) string {
	if a.cfg.Language == "en" {
		return "doorstep: the data file is damaged: restore it from the last copy made with `doorstep backup` " +
			"(put the copy in the data folder as " + localstore.FileName + "); the damaged file has not been changed"
	}
	return "doorstep: 数据文件已损坏：请用最近一次 `doorstep backup` 做的副本恢复（把副本放进数据文件夹，命名为 " +
		localstore.FileName + "）；损坏的文件没有被改动"
}

func execute(ctx context.Context, a *app, root *cobra.Command, args []string) int {
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	root.SetArgs(args)

	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// The person pressed Ctrl-C: that is not an error to show.
		return exitInterrupted
	}

	code := exitFailure
	if ee, ok := errors.AsType[*exitError](err); ok {
		code = max(ee.code, exitFailure) // 0 would report a failure as success
		if ee.err == nil {
			err = nil // the command has said what it had to
		}
	}
	if !a.parsed {
		// A mistake in the command line: show how it should look. The
		// error comes last, where the eye lands on a small screen.
		if cmd == nil {
			cmd = root
		}
		fmt.Fprint(a.stderr, cmd.UsageString())
		code = exitUsage
	}
	if err != nil {
		// One complaint a line (config reports every bad setting).
		for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
			fmt.Fprintf(a.stderr, "doorstep: %s\n", line)
		}
		if errors.Is(err, localstore.ErrCorrupt) {
			// Whatever the command, a damaged file gets the one thing to do about it.
			fmt.Fprintln(a.stderr, restoreAdvice(a))
		}
	}
	return code
}
