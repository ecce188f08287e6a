package main

import (
	"context"
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
)

// checkOptions are the flags of `clearance check`.
type checkOptions struct {
	json       bool
	only, skip []string
	configPath string
	verbose    bool
}

// checkFlags is the flag set of `clearance check`, filling o.
func checkFlags(o *checkOptions) *flag.FlagSet {
	fs := newFlagSet("check")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.Func("only", "run only these checks (comma-separated: "+strings.Join(check.Names(), ",")+")", listFlag(&o.only))
	fs.Func("skip", "skip these checks (comma-separated)", listFlag(&o.skip))
	fs.StringVar(&o.configPath, "config", "", "configuration file (default: CLEARANCE_CONFIG, else the system file)")
	fs.BoolVar(&o.verbose, "verbose", false, "log what the checks do to standard error")
	return fs
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
	var opts checkOptions
	if code, done := parseFlags(checkFlags(&opts), args, stderr); done {
		return code
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
	// One run to the next, a TLS session saves a full handshake per host:
	// kept in the person's cache directory, saved by Close.
	env.UseUserSessions(ctx)
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
