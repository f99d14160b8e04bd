package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/config"
)

// testEnv is an environment whose per-user folders are in a fresh temporary
// folder, so the real user's config file cannot leak into a test.
func testEnv(t *testing.T, vars ...string) func(string) (string, bool) {
	t.Helper()
	home := t.TempDir()
	env := map[string]string{
		"HOME":         home,
		"home":         home,
		"AppData":      filepath.Join(home, "AppData", "Roaming"),
		"LocalAppData": filepath.Join(home, "AppData", "Local"),
	}
	for i := 0; i+1 < len(vars); i += 2 {
		env[vars[i]] = vars[i+1]
	}
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// runRoot runs doorstep's root command with args, with a hidden "probe"
// subcommand added that stands for any command working with the survey: it
// returns probeErr, and the configuration it saw is returned.
func runRoot(t *testing.T, ctx context.Context, env func(string) (string, bool), probeErr error, args ...string) (result, config.Config) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{lookupEnv: env, stdout: &stdout, stderr: &stderr}
	root := newRootCmd(a)
	root.AddCommand(&cobra.Command{
		Use:    "probe",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE:   func(*cobra.Command, []string) error { return probeErr },
	})
	code := execute(ctx, a, root, args)
	return result{code, stdout.String(), stderr.String()}, a.cfg
}

func TestRunHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"--help", []string{"--help"}},
		{"-h", []string{"-h"}},
		{"help command", []string{"help"}},
		{"help for a command", []string{"help", "version"}},
		{"--help with a broken config", []string{"--config", "/nowhere/config.yaml", "--language", "fr", "--help"}},
		{"help command with a broken config", []string{"help", "--config", "/nowhere/config.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, testEnv(t), strings.NewReader(""), &stdout, &stderr)
			if code != 0 || stderr.Len() > 0 {
				t.Fatalf("code %d, stderr %q", code, stderr.String())
			}
			for _, want := range []string{"Usage:", "--language LANG", "--config FILE"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("help does not contain %q:\n%s", want, stdout.String())
				}
			}
		})
	}
}

func TestRunVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// version must work even when the configuration is broken: it is what
	// IT asks for first when something is wrong.
	env := testEnv(t, "DOORSTEP_LANGUAGE", "fr")
	code := run(t.Context(), []string{"--config", "/nowhere/config.yaml", "version"}, env, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || stderr.Len() > 0 {
		t.Fatalf("code %d, stderr %q", code, stderr.String())
	}
	if want := "doorstep dev (go1."; !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("version printed %q, want it to start with %q", stdout.String(), want)
	}
}

func TestConfigReachesCommands(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		env  []string
		args []string
		want config.Config
	}{
		{
			name: "env",
			env:  []string{"DOORSTEP_LANGUAGE", "en", "DOORSTEP_DATA", dir},
			args: []string{"probe"},
			want: config.Config{DataDir: dir, Language: "en"},
		},
		{
			name: "flags before and after the command beat env",
			env:  []string{"DOORSTEP_LANGUAGE", "en"},
			args: []string{"--data", dir, "probe", "--language", "zh"},
			want: config.Config{DataDir: dir, Language: "zh"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, cfg := runRoot(t, t.Context(), testEnv(t, tt.env...), nil, tt.args...)
			if res.code != 0 {
				t.Fatalf("code %d, stderr %q", res.code, res.stderr)
			}
			if cfg != tt.want {
				t.Errorf("config %+v, want %+v", cfg, tt.want)
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte("language: fr\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{
			name: "flag",
			args: []string{"--language", "fr", "probe"},
			want: "doorstep: --language: must be zh or en, not \"fr\"\n",
		},
		{
			name: "env",
			env:  []string{"DOORSTEP_LANGUAGE", "fr"},
			args: []string{"probe"},
			want: "doorstep: environment DOORSTEP_LANGUAGE: must be zh or en, not \"fr\"\n",
		},
		{
			name: "file",
			args: []string{"probe", "--config", file},
			want: "doorstep: config " + file + ": line 1: language: must be zh or en, not \"fr\"\n",
		},
		{
			name: "two bad values, one a line",
			args: []string{"probe", "--language", "fr", "--data", "~/survey"},
			want: "doorstep: --data: \"~/survey\": ~ is not expanded here; write the full path\n" +
				"doorstep: --language: must be zh or en, not \"fr\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := runRoot(t, t.Context(), testEnv(t, tt.env...), nil, tt.args...)
			if res.code != exitFailure {
				t.Errorf("code %d, want %d", res.code, exitFailure)
			}
			// A bad setting is not a mistake in the command line: no usage.
			if res.stderr != tt.want {
				t.Errorf("stderr\n%q\nwant\n%q", res.stderr, tt.want)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
	}{
		{"success", nil, 0, ""},
		{"plain error", errors.New("store is locked"), 1, "doorstep: store is locked\n"},
		{"exitError", &exitError{code: 3, err: errors.New("2 errors found")}, 3, "doorstep: 2 errors found\n"},
		{"exitError, already printed", &exitError{code: 4}, 4, ""},
		{"wrapped exitError", fmt.Errorf("check answers: %w", &exitError{code: 5, err: errors.New("bad")}), 5, "doorstep: check answers: bad\n"},
		{"exitError with code 0 is still a failure", &exitError{code: 0, err: errors.New("oops")}, 1, "doorstep: oops\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := runRoot(t, t.Context(), testEnv(t), tt.err, "probe")
			if res.code != tt.wantCode || res.stderr != tt.wantStderr {
				t.Errorf("code %d, stderr %q; want %d, %q", res.code, res.stderr, tt.wantCode, tt.wantStderr)
			}
		})
	}
}

func TestUsageMistakes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--bogus"}, "doorstep: unknown flag: --bogus\n"},
		{"unknown flag of a command", []string{"version", "--bogus"}, "doorstep: unknown flag: --bogus\n"},
		{"flag without its value", []string{"probe", "--language"}, "doorstep: flag needs an argument: --language\n"},
		{"unknown command", []string{"frobnicate"}, "doorstep: unknown command \"frobnicate\" for \"doorstep\"\n"},
		{"extra argument", []string{"version", "now"}, "doorstep: unknown command \"now\" for \"doorstep version\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := runRoot(t, t.Context(), testEnv(t), nil, tt.args...)
			if res.code != exitUsage {
				t.Errorf("code %d, want %d", res.code, exitUsage)
			}
			if res.stdout != "" {
				t.Errorf("stdout %q, want nothing: usage after a mistake goes to stderr", res.stdout)
			}
			if !strings.Contains(res.stderr, "Usage:") || !strings.HasSuffix(res.stderr, tt.want) {
				t.Errorf("stderr should be usage, then %q; it is\n%s", tt.want, res.stderr)
			}
		})
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, _ := runRoot(t, ctx, testEnv(t), fmt.Errorf("save answer: %w", context.Canceled), "probe")
	if res.code != exitInterrupted || res.stderr != "" {
		t.Errorf("code %d, stderr %q; want %d and nothing shown", res.code, res.stderr, exitInterrupted)
	}
}

// TestRunNilArgs guards against cobra reading os.Args (here the test
// binary's -test.* flags) when it is given nil arguments.
func TestRunNilArgs(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// With no arguments doorstep opens the screens, which need a terminal; reading the
	// test binary's flags would instead be a usage error (exit 2).
	if code := run(t.Context(), nil, testEnv(t), strings.NewReader(""), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "need a terminal") {
		t.Fatalf("code %d, stderr %q", code, stderr.String())
	}
}
