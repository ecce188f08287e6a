// Command clearance keeps a person's path to ChatGPT clear: it diagnoses the
// local causes of "Access denied (Error 1020)", "Too many requests" and
// network errors, and offers the fix. This file only wires the command line
// to the packages that do the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/report"
	"github.com/clearance-app/clearance/platform/host"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `Clearance finds what stands between this computer and ChatGPT.

Usage:
  clearance check [--json] [--only NAMES] [--skip NAMES] [--config FILE] [--verbose]
  clearance status [--json] [--socket PATH]
                                       what the agent sees now
  clearance fix ID [--dry-run] [--confirm] [--json] [--local] [--socket PATH] [--config FILE] [--result TOKEN]
  clearance tray [--socket PATH] [--config FILE] [--verbose]
                                       the status icon (started at login)
  clearance agent [--config FILE] [--socket PATH] [--verbose]
                                       the background service, in the foreground
  sudo clearance install [--user NAME] [--config FILE]
  sudo clearance uninstall | start | stop | restart
  clearance version

Fixes: time-sync, dns-flush, dns-public (with --confirm), dns-restore, recheck;
the tray runs open-status-page, open-captive-portal, open-private-window.

Exit status: 2 Clearance could not run (a bad flag, argument or configuration
file, missing rights). check: 0 nothing to fix, 1 a warning or worse was
found. status: 0 all clear, 1 a warning or worse, 3 no agent answers.
fix: 0 fixed or nothing to do, 1 the fix failed.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "agent":
		return runAgent(args[1:], stdout, stderr)
	case "fix":
		return runFix(args[1:], stdout, stderr)
	case "status":
		return runStatus(args[1:], stdout, stderr)
	case "tray":
		return runTray(args[1:], stdout, stderr)
	case "install":
		return runInstall(args[1:], stdout, stderr)
	case "uninstall":
		return runUninstall(args[1:], stdout, stderr)
	case "start", "stop", "restart":
		return runServiceControl(args[0], args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "clearance %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	return fail(stderr, fmt.Sprintf("unknown command %q", args[0]), "run 'clearance help' to see the commands")
}

// checkOptions are the flags of `clearance check`.
type checkOptions struct {
	json       bool
	only, skip []string
	configPath string
	verbose    bool
}

func parseCheckFlags(args []string, stderr io.Writer) (checkOptions, error) {
	var o checkOptions
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	// The caller prints a parse error once, with a hint; -h prints the flags.
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.Func("only", "run only these checks (comma-separated: "+strings.Join(check.Names(), ",")+")", listFlag(&o.only))
	fs.Func("skip", "skip these checks (comma-separated)", listFlag(&o.skip))
	fs.StringVar(&o.configPath, "config", "", "configuration file (default: CLEARANCE_CONFIG, else the system file)")
	fs.BoolVar(&o.verbose, "verbose", false, "log what the checks do to standard error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "Usage: clearance check [flags]")
			fs.PrintDefaults()
		}
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

func listFlag(dst *[]string) func(string) error {
	return func(s string) error {
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				*dst = append(*dst, n)
			}
		}
		return nil
	}
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	opts, err := parseCheckFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(stderr, err.Error(), "run 'clearance check -h' for the flags")
	}
	src := config.Locate(opts.configPath, os.Getenv)
	cfg, err := config.Load(src)
	if err != nil {
		return fail(stderr, err.Error(), configHint(err))
	}
	checks, err := check.Select(opts.only, opts.skip)
	if err != nil {
		return fail(stderr, err.Error(), "")
	}

	level := slog.LevelWarn
	if opts.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env := check.NewEnv(&cfg, log)
	defer env.Close()
	rep := check.Run(ctx, env, checks)
	if ctx.Err() != nil { // interrupted: a partial run is no verdict
		fmt.Fprintln(stderr, "clearance: interrupted")
		return 130
	}

	if opts.json {
		err = report.JSON(stdout, rep)
	} else {
		err = report.Text(stdout, rep, isTerminal(stdout))
	}
	if err != nil {
		return fail(stderr, fmt.Sprintf("write the report: %v", err), "")
	}
	return rep.ExitCode()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && report.UseColor(f)
}

// configHint says what to do about a configuration error.
func configHint(err error) string {
	if ue := (*host.UnsafePathError)(nil); errors.As(err, &ue) {
		return "Clearance reads this file with full rights: only root (the Administrators on Windows) may be able to change it or any directory above it"
	}
	var ce *config.Error
	if errors.As(err, &ce) && ce.Line == 0 && ce.Key == "" {
		return "check the path given by --config or CLEARANCE_CONFIG"
	}
	return "the README lists every key with its default"
}

// fail prints an error with a hint of what to do, and returns exit status 2.
func fail(stderr io.Writer, msg, hint string) int {
	fmt.Fprintf(stderr, "clearance: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(stderr, "  hint: %s\n", hint)
	}
	return 2
}
