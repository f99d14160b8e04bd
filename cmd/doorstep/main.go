// Command doorstep is the program enumerators and team leaders of the survey
// of certified persons with disabilities run on their laptops.
//
// main is the only place that exits the process: everything else returns
// errors, and commands choose an exit code by returning an *exitError.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	// First of all: on a Chinese Windows console, measure “—” and “·” as the console
	// draws them, two cells wide, before any width function reads the setting.
	_ "github.com/doorstep-survey/doorstep/tui/textwidth/eastasian"
)

func main() {
	// The first Ctrl-C cancels the context so work can stop cleanly; once
	// stop is called a second one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
